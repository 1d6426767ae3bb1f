"""Block Kit rendering of an Answer: the answer, its sources with links, feedback buttons.

Slack's limits shape this module: a section's text holds at most 3,000 characters, a message at
most 50 blocks, a button value 2,000 characters. Every piece of document or model text passes
through `escape` before it is placed into mrkdwn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from bot.answer.types import Answer, Citation
from bot.records.cite import meeting_of_label
from bot.slack.escape import escape, escape_link_label

SECTION_LIMIT = 3000
BLOCK_LIMIT = 50
QUOTE_CHARS = 280
MAX_ANSWER_SECTIONS = 8
FALLBACK_ANSWER_CHARS = 2500
FALLBACK_CITATIONS = 15
UNDOCS_BASE = "https://undocs.org/en/"

FEEDBACK_BLOCK_ID = "resbot_feedback"
FEEDBACK_UP = "resbot_feedback_up"
FEEDBACK_DOWN = "resbot_feedback_down"

# What a UN document symbol may contain; anything else gets no link rather than a strange one.
_SYMBOL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9./\-() ]{1,99}$")

Block = dict[str, Any]


@dataclass
class Rendered:
    """A message ready for chat.postMessage: `text` is the notification/fallback text."""

    text: str
    blocks: list[Block] = field(default_factory=list)


def document_url(symbol: str | None) -> str | None:
    """The official document link for a symbol, e.g. https://undocs.org/en/E/RES/2021/25."""
    if not symbol:
        return None
    symbol = " ".join(symbol.split())
    if "/" not in symbol or not _SYMBOL_RE.match(symbol):
        return None
    # Spaces and parentheses percent-encoded ("S/RES/242 (1967)" -> "S/RES/242%20%281967%29"),
    # so the URL also survives inside Slack's `<url|label>` syntax.
    return UNDOCS_BASE + quote(symbol, safe="/")


def citation_title(citation: Citation) -> str:
    """`E/RES/2021/25 · OP12` (unescaped)."""
    return f"{citation.symbol or citation.doc_id.removeprefix('file:')} · {citation.label}"


def split_text(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Already-escaped text cut into pieces of at most `limit` characters.

    Cuts prefer paragraph breaks, then line breaks, then spaces, and never fall inside an
    entity such as `&amp;` (entities contain no whitespace, and a hard cut backs off to the `&`).
    """
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = -1
        for sep in ("\n\n", "\n", " "):
            cut = window.rfind(sep)
            if cut > limit // 2:
                break
        if cut <= 0:
            cut = limit
            amp = window.rfind("&")
            if amp > 0 and ";" not in window[amp:]:
                cut = amp
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def shorten(text: str, limit: int) -> str:
    """Whitespace collapsed, cut at a word boundary with an ellipsis when longer than `limit`."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - 1)
    if cut < limit // 2:
        cut = limit - 1
    return text[:cut].rstrip(" ,;:") + "…"


_WORD = re.compile(r"[A-Za-z][A-Za-z\-]{3,}")
_CLAUSE_BREAK = re.compile(r"(?<=[,;:])\s+")


def best_quote(paragraph: str, answer_text: str, limit: int = QUOTE_CHARS) -> str:
    """The run of clauses (at most `limit` characters) sharing most words with the answer.

    Operative paragraphs run to hundreds of words; the start ("Requests the Office, within
    its mandate, ...") is often not the part the answer rests on.
    """
    paragraph = " ".join(paragraph.split())
    if len(paragraph) <= limit:
        return paragraph
    wanted = {w.lower() for w in _WORD.findall(answer_text)}
    clauses = _CLAUSE_BREAK.split(paragraph)
    best: tuple[int, int, int] = (-1, 0, 0)  # score, start, end (clause indexes)
    for start in range(len(clauses)):
        end, length = start, -1
        while end < len(clauses) and length + 1 + len(clauses[end]) <= limit - 2:
            length += 1 + len(clauses[end])
            end += 1
        if end == start:
            continue
        words = {w.lower() for c in clauses[start:end] for w in _WORD.findall(c)}
        score = len(words & wanted)
        if score > best[0]:
            best = (score, start, end)
    score, start, end = best
    if score <= 0:
        return shorten(paragraph, limit)
    quote = " ".join(clauses[start:end])
    return ("…" if start > 0 else "") + quote + ("…" if end < len(clauses) else "")


def _section(mrkdwn: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn}}


def _unique(citations: list[Citation]) -> list[Citation]:
    seen: set[str] = set()
    out: list[Citation] = []
    for c in citations:
        key = citation_title(c)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def citation_block(citation: Citation, answer_text: str = "") -> Block:
    """`*<url|E/RES/2021/25> · OP12*` and a short quote of the paragraph."""
    name = citation.symbol or citation.doc_id.removeprefix("file:")
    url = document_url(citation.symbol)
    head = f"<{url}|{escape_link_label(name)}>" if url else escape(name)
    label = escape(citation.label)
    # A UN adoption record ("vote (A/79/PV.29)") links to the meeting record it cites.
    meeting_url = document_url(meeting_of_label(citation.label))
    if meeting_url:
        label = f"<{meeting_url}|{escape_link_label(citation.label)}>"
    text = f"*{head} · {label}*"
    if citation.text.strip():
        text += "\n>" + escape(best_quote(citation.text, answer_text))
    return _section(text[:SECTION_LIMIT])


def feedback_block(feedback_id: str) -> Block:
    return {
        "type": "actions",
        "block_id": FEEDBACK_BLOCK_ID,
        "elements": [
            {
                "type": "button",
                "action_id": FEEDBACK_UP,
                "text": {"type": "plain_text", "text": "👍 Helpful", "emoji": True},
                "value": feedback_id,
            },
            {
                "type": "button",
                "action_id": FEEDBACK_DOWN,
                "text": {"type": "plain_text", "text": "👎 Not helpful", "emoji": True},
                "value": feedback_id,
            },
        ],
    }


def fallback_text(answer: Answer) -> str:
    """Plain text for notifications and clients without blocks; it carries the citations too."""
    # Escaping can grow text fivefold (& -> &amp;), so the cut is made on the escaped form too.
    text = split_text(escape(shorten(answer.text, FALLBACK_ANSWER_CHARS)), FALLBACK_ANSWER_CHARS)
    out = text[0] if text else "(no answer)"
    cites = _unique(answer.citations)
    if cites:
        shown = "; ".join(escape(c.display) for c in cites[:FALLBACK_CITATIONS])
        more = len(cites) - FALLBACK_CITATIONS
        out += "\n\nSources: " + shown + (f"; and {more} more" if more > 0 else "")
    return out


def render_answer(answer: Answer, feedback_id: str | None = None) -> Rendered:
    """The reply message for an answer, within Slack's block and section limits."""
    if answer.scope.get("series_diff"):
        return render_diff(answer.scope["series_diff"], fallback_text(answer), feedback_id)
    blocks: list[Block] = []
    # Mandate tables come with a compact rendering made for chat (shorter lines, capped).
    body = (
        str(answer.scope.get("compact_text") or answer.text)
        if answer.mode == "mandates"
        else answer.text
    )
    sections = split_text(escape(body.strip() or "(no answer)"))
    if len(sections) > MAX_ANSWER_SECTIONS:
        sections = sections[:MAX_ANSWER_SECTIONS]
        sections[-1] = sections[-1][: SECTION_LIMIT - 14].rstrip() + " … (truncated)"
    blocks.extend(_section(s) for s in sections)

    cites = _unique(answer.citations)
    tail = [feedback_block(feedback_id)] if feedback_id else []
    if cites:
        blocks.append({"type": "divider"})
        blocks.append(_section("*Sources*"))
        room = BLOCK_LIMIT - len(blocks) - len(tail)
        shown = cites if len(cites) <= room else cites[: max(room - 1, 0)]
        blocks.extend(citation_block(c, answer.text) for c in shown)
        hidden = cites[len(shown) :]
        if hidden:
            more = "; ".join(escape(c.display) for c in hidden)
            blocks.append(
                {
                    "type": "context",
                    "elements": [
                        {
                            "type": "mrkdwn",
                            "text": split_text(f"…and {len(hidden)} more: {more}")[0],
                        }
                    ],
                }
            )
    blocks.extend(tail)
    return Rendered(text=fallback_text(answer), blocks=blocks)


def render_notice(message: str) -> Rendered:
    """A short message of our own (errors, refusals); no blocks needed."""
    return Rendered(text=message)


DIFF_ENTRIES = 20


def _bold_inserted(ops: list[tuple[str, str]]) -> str:
    """The new wording with inserted words in bold; deletions are left out of the new text."""
    return " ".join(
        f"*{escape(w)}*" if op == "insert" else escape(w) for op, w in ops if op != "delete"
    )


def render_diff(diff: dict[str, Any], text: str, feedback_id: str | None = None) -> Rendered:
    """A diff answer (``Answer.scope["series_diff"]``): the counts, then new and amended
    paragraphs first with inserted words in bold, a link to each document; within Block Kit's
    limits (section text, block count)."""
    from bot.series.diff import word_ops

    old, new = diff["old"], diff["new"]
    old_name = old.get("symbol") or old["doc_id"]
    new_name = new.get("symbol") or new["doc_id"]

    def linked(symbol: str) -> str:
        url = document_url(symbol)
        return f"<{url}|{escape_link_label(symbol)}>" if url else escape(symbol)

    total = diff["counts"]["total"]
    counts = ", ".join(f"{n} {s}" for s, n in total.items() if n)
    blocks: list[Block] = [
        _section(
            shorten(
                f"*{linked(new_name)}* compared with *{linked(old_name)}*: {counts}", SECTION_LIMIT
            )
        )
    ]
    order = {"new": 0, "amended": 1, "moved": 2, "dropped": 3}
    entries = sorted(
        (e for e in diff["entries"] if e["status"] in order), key=lambda e: order[e["status"]]
    )
    tail = [feedback_block(feedback_id)] if feedback_id else []
    room = min(DIFF_ENTRIES, BLOCK_LIMIT - 2 - len(tail))
    for e in entries[:room]:
        head = f"*{e['status']}*  {escape(old_name)}, {e['old_label'] or '-'} → {escape(new_name)}, {e['new_label'] or '-'}"
        if e["status"] in ("amended", "moved"):
            body = _bold_inserted(word_ops(e.get("old_text", ""), e.get("new_text", "")))
        elif e["status"] == "dropped":
            body = f"~{escape(e.get('old_text', ''))}~"
        else:
            body = f"*{escape(e.get('new_text', ''))}*"
        blocks.append(_section(shorten(f"{head}\n{body}", SECTION_LIMIT)))
    if len(entries) > room:
        blocks.append(_section(f"… and {len(entries) - room} more changed paragraphs."))
    blocks.extend(tail)
    return Rendered(text=shorten(text, FALLBACK_ANSWER_CHARS), blocks=blocks)
