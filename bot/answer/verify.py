"""Citation verification: only paragraphs actually given to the answerer may be cited."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.answer.types import Citation, Retrieved

# [E/RES/2021/25, OP12]  [A/RES/79/154 OP52]  [OP12]  [P3]  [3]
_CITE = re.compile(r"\[([^\[\]]{1,80})\]")
# Paragraph labels (parts too: "II-OP3"), and the UN adoption record's facets:
# "vote (A/79/PV.29)" (bot/records/cite.py).
_LABEL = re.compile(
    r"\b((?:(?:ANNEX|DRAFT)\d*-)?(?:(?:[IVXLC]{1,7}|[A-Z])-)?(?:OP|PP)\s?\d{1,5}\b|HEADER\b"
    r"|(?:vote|sponsors|draft|subjects)\s*\((?:[AE]/[\w./\-]{1,40}|UN record)\))",
    re.I,
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")

# A paragraph named in prose: "A/RES/1/1, OP99", "E/RES/2021/25 operative paragraph 3",
# "paragraph 12 of resolution A/RES/79/154".
_SYMBOL = r"(?:[A-Z]{1,5}/)(?:[A-Z0-9.\-]+/)*[A-Z0-9.\-]*\d[A-Z0-9.\-]*(?:\s*\(\d{4}\))?"
_PROSE_LABEL = (
    r"(?:(?P<{g}l>(?:(?:ANNEX|DRAFT)\d*-)?(?:OP|PP)\s?\d{{1,5}})"
    r"|(?P<{g}k>operative|preambular)?\s*(?:paragraph|para\.?)\s*(?P<{g}n>\d{{1,5}}))\b"
)
_PROSE = re.compile(
    rf"\b(?P<as>{_SYMBOL})\s*,?\s*{_PROSE_LABEL.format(g='a')}"
    rf"|\b{_PROSE_LABEL.format(g='b')}\s+of\s+(?:the\s+)?(?:[A-Z][a-z]+\s+){{0,4}}"
    rf"(?:resolution\s+)?(?P<bs>{_SYMBOL})",
    re.I,
)


@dataclass
class Verified:
    text: str
    citations: list[Citation] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    dropped_sentences: int = 0


def _match(token: str, given: list[Retrieved]) -> Retrieved | None:
    raw = token.strip()
    if re.fullmatch(r"P?\d{1,2}", raw, re.I):  # positional id as given in the prompt
        n = int(raw.lstrip("Pp"))
        return given[n - 1] if 1 <= n <= len(given) else None
    m = _LABEL.search(raw)
    if not m:
        return None
    label = m.group(1).upper().replace(" ", "")
    rest = (raw[: m.start()] + raw[m.end() :]).strip(" ,;·#-").strip()
    candidates = [g for g in given if g.label.upper().replace(" ", "") == label]
    if not rest:
        return candidates[0] if len(candidates) == 1 else None
    norm = rest.upper().replace(" ", "")
    for g in candidates:
        names = {
            (g.symbol or "").upper().replace(" ", ""),
            g.doc_id.upper().replace(" ", ""),
            g.doc_id.removeprefix("file:").upper(),
            g.source.upper(),
        }
        if norm in names or any(n and n.endswith(norm) and "/" in norm for n in names):
            return g
    return None


def _prose_references(sentence: str) -> list[str]:
    """Paragraphs a sentence names outside citation brackets, as ``SYMBOL, LABEL``."""
    outside = _CITE.sub(" ", sentence)
    refs = []
    for m in _PROSE.finditer(outside):
        g = "a" if m.group("as") else "b"
        symbol = " ".join(m.group(g + "s").split())
        if m.group(g + "l"):
            label = m.group(g + "l").upper().replace(" ", "")
        else:
            kind = "PP" if (m.group(g + "k") or "").lower() == "preambular" else "OP"
            label = f"{kind}{m.group(g + 'n')}"
        refs.append(f"{symbol}, {label}")
    return refs


def verify(
    text: str,
    given: list[Retrieved],
    require_citation_per_sentence: bool = False,
    check_prose: bool | None = None,
) -> Verified:
    """Keep citations that name a given paragraph; drop the others (and uncited sentences if asked).

    Args:
        text: the answer with inline markers.
        given: the paragraphs the answerer was shown, in prompt order.
        require_citation_per_sentence: drop sentences with no valid citation marker of their
            own (used for model output, whose uncited sentences are unsupported claims; a
            label cited by another sentence does not vouch for this one).
        check_prose: drop sentences that name, outside brackets, a paragraph that was not
            given ("as mandated by A/RES/1/1, OP99"); by default for model output only, since
            an extractive answer quotes documents that cite other resolutions.
    """
    if check_prose is None:
        check_prose = require_citation_per_sentence
    cited: dict[str, Citation] = {}
    removed: list[str] = []
    valid_markers = [0]

    def repl(m: re.Match[str]) -> str:
        inner = m.group(1)
        parts = [p for p in re.split(r";|\],\s*\[", inner) if p.strip()]
        good: list[str] = []
        for part in parts:
            hit = _match(part, given)
            if hit is None:
                if _LABEL.search(part) or re.fullmatch(r"\s*P?\d{1,2}\s*", part):
                    removed.append(part.strip())
                    continue
                return m.group(0)  # an ordinary bracket, e.g. "[on the report of ...]"
            cited.setdefault(hit.anchor, hit.citation())
            valid_markers[0] += 1
            good.append(f"{hit.symbol or hit.doc_id.removeprefix('file:')}, {hit.label}")
        return "[" + "; ".join(good) + "]" if good else ""

    out_sentences: list[str] = []
    dropped = 0
    for sentence in _SENTENCE.split(text.strip()):
        if not sentence.strip():
            continue
        if check_prose:
            invented = [r for r in _prose_references(sentence) if _match(r, given) is None]
            if invented:
                removed.extend(invented)
                dropped += 1
                continue
        valid_markers[0] = 0
        had_marker = bool(_CITE.search(sentence))
        new = _CITE.sub(repl, sentence)
        if require_citation_per_sentence and not valid_markers[0]:
            dropped += 1
            continue
        elif had_marker and new.strip() == "":
            continue
        out_sentences.append(re.sub(r"\s{2,}", " ", new).strip())
    # Keep citations in the order they appear in the final text.
    final = "\n".join(out_sentences) if "\n" in text else " ".join(out_sentences)
    ordered = sorted(
        (c for c in cited.values() if c.display in final),
        key=lambda c: final.find(c.display),
    )
    return Verified(final, ordered, removed, dropped)
