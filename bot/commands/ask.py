"""`resbot ask` and `resbot chat`: the terminal front ends."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from bot.answer.types import Answer, Turn
from bot.cli import settings_from, store_option
from bot.records.cite import meeting_of_label
from bot.safe_text import clean, json_safe
from bot.slack.blocks import document_url
from core.errors import ResbotError


def _answerer(k: int | None) -> Any:
    from bot.wiring import make_answerer

    settings = settings_from(click.get_current_context())
    if k:
        settings = settings.model_copy(update={"k": k})
    return make_answerer(settings)


def _quote(text: str, n: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + "…"


def render(answer: Answer) -> str:
    """The answer for a terminal; document text is cleaned of control characters."""
    lines = [answer.text]
    if answer.citations:
        lines.append("")
        lines.append("Sources:")
        for c in answer.citations:
            # A UN adoption record comes with the link to its meeting record.
            link = document_url(meeting_of_label(c.label))
            where = f"{c.source}, {link}" if link else c.source
            lines.append(f"  {c.display} — “{_quote(c.text)}” ({where})")
    return clean("\n".join(lines))


@click.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--k", type=int, default=None, help="Paragraphs to retrieve (default 5).")
@store_option
def ask(question: str, as_json: bool, k: int | None) -> None:
    """Answer one question with paragraph citations."""
    try:
        answer = _answerer(k).answer(question)
    except ResbotError as exc:
        if not as_json:
            raise
        # A script reading stdout gets an object in every case, and the exit code says it failed.
        error = {"question": question, "error": str(exc), "citations": []}
        click.echo(json_safe(json.dumps(error, ensure_ascii=False, indent=2)))
        raise click.exceptions.Exit(1) from None
    if as_json:
        click.echo(json_safe(json.dumps(answer.to_json(), ensure_ascii=False, indent=2)))
    else:
        click.echo(render(answer))


HELP = "Ask about the resolutions. /sources shows the full cited paragraphs, /reset starts over, quit leaves."


@click.command()
@click.option("--k", type=int, default=None, help="Paragraphs to retrieve (default 5).")
@store_option
def chat(k: int | None) -> None:
    """A conversation: follow-up questions keep the thread. Reads piped questions one per line."""
    answerer = _answerer(k)
    interactive = sys.stdin.isatty()
    history: list[Turn] = []
    last: Answer | None = None
    if interactive:
        click.echo(HELP)
    while True:
        try:
            line = (
                click.prompt("?", prompt_suffix=" ", default="", show_default=False)
                if interactive
                else sys.stdin.readline()
            )
        except (EOFError, click.Abort):
            break
        if not interactive and line == "":
            break
        question = line.strip()
        if not question:
            continue
        if question.lower() in ("quit", "exit", "/quit", "/exit", ":q"):
            break
        if question == "/reset":
            history, last = [], None
            click.echo("(conversation reset)")
            continue
        if question == "/sources":
            if not last or not last.citations:
                click.echo("(no sources yet)")
            for c in last.citations if last else []:
                click.echo(clean(f"{c.display}  [{c.source}]\n{c.text}"))
                for i, note in enumerate(c.footnotes, 1):
                    click.echo(clean(f"  [{i}] {note}"))
                click.echo("")
            continue
        if question == "/help":
            click.echo(HELP)
            continue
        if not interactive:
            click.echo(clean(f"? {question}"))
        try:
            last = answerer.answer(question, history)
        except ResbotError as exc:
            click.echo(clean(f"error: {exc}"), err=True)
            continue
        click.echo(render(last))
        click.echo("")
        history.append(Turn(question, last.text, last.citations, last.scope))
