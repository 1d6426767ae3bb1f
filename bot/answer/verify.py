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


def verify(
    text: str, given: list[Retrieved], require_citation_per_sentence: bool = False
) -> Verified:
    """Keep citations that name a given paragraph; drop the others (and uncited sentences if asked).

    Args:
        text: the answer with inline markers.
        given: the paragraphs the answerer was shown, in prompt order.
        require_citation_per_sentence: drop sentences that end up with no valid citation
            (used for model output, whose uncited sentences are unsupported claims).
    """
    cited: dict[str, Citation] = {}
    removed: list[str] = []

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
            good.append(f"{hit.symbol or hit.doc_id.removeprefix('file:')}, {hit.label}")
        return "[" + "; ".join(good) + "]" if good else ""

    out_sentences: list[str] = []
    dropped = 0
    for sentence in _SENTENCE.split(text.strip()):
        if not sentence.strip():
            continue
        before = len(cited)
        had_marker = bool(_CITE.search(sentence))
        new = _CITE.sub(repl, sentence)
        if require_citation_per_sentence:
            names = [c.display for c in cited.values()]
            has_valid = len(cited) > before or any(n in new for n in names)
            if not has_valid:
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
