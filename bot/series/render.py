"""A diff and a lineage as text: terminal (rich), Markdown, and the plain text of an answer."""

from __future__ import annotations

from typing import Any

from bot.series.align import STATUSES
from bot.series.diff import DocumentDiff, Entry
from bot.series.lineage import Lineage

_STYLE = {
    "unchanged": "dim",
    "amended": "yellow",
    "new": "green",
    "dropped": "red",
    "moved": "cyan",
}


def counts_line(diff: DocumentDiff) -> str:
    """`OP: 3 amended, 2 new; PP: 1 dropped` and the totals."""
    parts = []
    for part, c in diff.counts().items():
        shown = ", ".join(f"{c[s]} {s}" for s in STATUSES if c[s])
        parts.append(f"{part}: {shown or 'none'}")
    return "; ".join(parts)


def side_labels(diff: DocumentDiff, e: Entry) -> str:
    """`A/RES/77/194, OP12 -> A/RES/79/154, OP14`."""
    old = f"{diff.old_name}, {e.old_label}" if e.old_label else "-"
    new = f"{diff.new_name}, {e.new_label}" if e.new_label else "-"
    return f"{old} -> {new}"


def markdown(diff: DocumentDiff, *, include_unchanged: bool = False) -> str:
    lines = [f"# {diff.old_name} -> {diff.new_name}", "", counts_line(diff), ""]
    for e in diff.entries:
        if e.status == "unchanged" and not include_unchanged:
            continue
        lines.append(
            f"## {e.status}: {side_labels(diff, e)}" + (f" ({e.group})" if e.group else "")
        )
        lines.append("")
        if e.status in ("amended", "moved"):
            lines.append(
                "".join(
                    f"**{w}** " if op == "insert" else f"~~{w}~~ " if op == "delete" else f"{w} "
                    for op, w in e.ops
                ).strip()
            )
        elif e.status == "dropped":
            lines.append(f"~~{e.old_text}~~")
        else:
            lines.append(e.new_text)
        lines.append("")
    return "\n".join(lines)


def rich_renderable(diff: DocumentDiff, *, include_unchanged: bool = False) -> Any:
    """A rich Group: the counts table, then each changed paragraph with its edits coloured."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"{diff.old_name} -> {diff.new_name}")
    table.add_column("part")
    for s in STATUSES:
        table.add_column(s, justify="right", style=_STYLE[s])
    for part, c in diff.counts().items():
        table.add_row(part, *(str(c[s]) for s in STATUSES))
    items: list[Any] = [table]
    for e in diff.entries:
        if e.status == "unchanged" and not include_unchanged:
            continue
        head = Text(f"{e.status:<9} ", style=f"bold {_STYLE[e.status]}")
        head.append(side_labels(diff, e))
        if e.group:
            head.append(f"  ({e.group})", style="dim")
        items.append(head)
        body = Text("    ")
        if e.status in ("amended", "moved"):
            for op, w in e.ops:
                style = {"insert": "bold green", "delete": "red strike"}.get(op, "")
                body.append(w + " ", style=style)
        elif e.status == "dropped":
            body.append(e.old_text, style="red")
        else:
            body.append(e.new_text, style="green" if e.status == "new" else "dim")
        items.append(body)
    return Group(*items)


def lineage_text(lin: Lineage) -> str:
    lines = [f"{lin.symbol or lin.doc_id}  {lin.title or ''}".rstrip()]
    lines.append(
        f"series: {lin.periodicity}, first in the store {lin.first_year or '?'}"
        + (
            f"; predecessor {lin.predecessor.symbol}"
            if lin.predecessor
            else "; no predecessor stored"
        )
    )
    for m in lin.series:
        carried = f"{m.carried_over:.0%} carried over" if m.carried_over is not None else "first"
        mark = "*" if m.doc_id == lin.doc_id else " "
        lines.append(
            f" {mark} {m.symbol:<16} {m.date or '':<10}  {m.paragraphs:>3} paragraphs  {carried}"
        )
    if lin.cites:
        lines.append(f"cites ({len(lin.cites)}):")
        lines.extend(f"   {c['symbol']:<20} in {c['label']}" for c in lin.cites)
    lines.append(f"cited by ({len(lin.cited_by)}):")
    lines.extend(f"   {c['symbol']:<20} in {c['label']}" for c in lin.cited_by)
    return "\n".join(lines)
