"""Document symbols and paragraph references as people type them, resolved against the store."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ingest.model import is_valid_label

_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
}  # fmt: skip

# Full symbols: A/RES/79/154, E/RES/2021/25, A/RES/S-32/1, S/RES/242 (1967), E/CN.15/2018/L.4/Rev.1
_FULL = re.compile(
    r"\b([AES])\s*/\s*RES\s*/\s*((?:S-|ES-)?\d+)(?:\s*/\s*(\d+))?(?:\s*\(\s*(\d{4})\s*\))?",
    re.I,
)
_OTHER = re.compile(r"\b([AE]/(?:CN\.\d+/)?[\w.\-]+(?:/[\w.\-]+)+)", re.I)
# Short forms: "resolution 2021/25", "res 79/154", "79/154", "2024/12", "242 (1967)"
_SLASH = re.compile(r"(?<![\w/.])((?:S-|ES-)?\d{1,4})/(\d{1,4})(?![\w/])")
_SC = re.compile(r"\b(?:resolution|res\.?)\s+(\d{1,4})\s*\((\d{4})\)", re.I)
_SC_BARE = re.compile(r"(?<![\w/])(\d{1,4})\s*\((19[4-9]\d|20\d\d)\)")
_SC_NAMED = re.compile(r"security council\s+(?:resolution|res\.?)\s+(\d{1,4})\b", re.I)

_PARA = re.compile(
    r"\b(?:(?P<kind1>OP|PP)\s*\.?\s*(?P<n1>\d{1,3})"
    r"|(?P<kind2>operative|preambular)\s+(?:paragraph|para\.?|clause)\s*(?P<n2>\d{1,3})"
    r"|(?:paragraph|para\.?|§)\s*(?P<n3>\d{1,3})"
    r"|(?P<ord>first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth)\s+(?P<kind4>operative|preambular)\s+paragraph)\b",
    re.I,
)


@dataclass(frozen=True)
class SymbolRef:
    """A symbol mention: `exact` when fully spelt, else a short form to match by suffix."""

    text: str
    exact: str | None = None
    short: str | None = None  # "2021/25", "79/154", "242 (1967)"
    body: str | None = None  # "A", "E", "S" when known


def find_symbol_refs(text: str) -> list[SymbolRef]:
    refs: list[SymbolRef] = []
    taken: list[tuple[int, int]] = []

    def free(m: re.Match[str]) -> bool:
        return not any(a <= m.start() < b for a, b in taken)

    for m in _FULL.finditer(text):
        body, first, second, year = m.group(1).upper(), m.group(2).upper(), m.group(3), m.group(4)
        if body == "S":
            sym = f"S/RES/{int(first)}" + (f" ({year})" if year else "")
            refs.append(
                SymbolRef(
                    m.group(0),
                    exact=sym if year else None,
                    short=None if year else f"S/RES/{int(first)}",
                    body="S",
                )
            )
        elif second:
            refs.append(SymbolRef(m.group(0), exact=f"{body}/RES/{first}/{int(second)}", body=body))
        taken.append(m.span())
    for m in _OTHER.finditer(text):
        if free(m) and "/RES/" not in m.group(1).upper():
            refs.append(SymbolRef(m.group(0), exact=m.group(1).rstrip(".,;")))
            taken.append(m.span())
    for rx in (_SC, _SC_BARE):
        for m in rx.finditer(text):
            if free(m):
                refs.append(
                    SymbolRef(m.group(0), exact=f"S/RES/{int(m.group(1))} ({m.group(2)})", body="S")
                )
                taken.append(m.span())
    for m in _SC_NAMED.finditer(text):
        if free(m):
            refs.append(SymbolRef(m.group(0), short=f"S/RES/{int(m.group(1))}", body="S"))
            taken.append(m.span())
    for m in _SLASH.finditer(text):
        if not free(m):
            continue
        first, second = m.group(1), m.group(2)
        # Dates (25/09) and SDG targets (5.2) are not symbols; GA sessions run 1-99,
        # ECOSOC resolution years 1946-2099.
        if first.isdigit() and not (1 <= int(first) <= 99 or 1946 <= int(first) <= 2099):
            continue
        refs.append(SymbolRef(m.group(0), short=f"{first.upper()}/{int(second)}"))
        taken.append(m.span())
    return refs


def find_paragraph_refs(text: str) -> list[str]:
    """Paragraph references in a question, as labels: "OP 12" -> OP12, "para 3" -> OP3."""
    labels: list[str] = []
    for m in _PARA.finditer(text):
        if m.group("n1"):
            label = f"{m.group('kind1').upper()}{int(m.group('n1'))}"
        elif m.group("n2"):
            label = ("OP" if m.group("kind2").lower() == "operative" else "PP") + str(
                int(m.group("n2"))
            )
        elif m.group("n3"):
            label = f"OP{int(m.group('n3'))}"  # numbered paragraphs are operative
        else:
            kind = "OP" if m.group("kind4").lower() == "operative" else "PP"
            label = f"{kind}{_ORDINALS[m.group('ord').lower()]}"
        if label not in labels:
            labels.append(label)
    return labels


def normalise_label(label: str) -> str:
    exact = label.strip().upper().replace(" ", "")
    if is_valid_label(exact):
        # Already a label, prefixes included: "ANNEX-OP1", "II-OP3".
        return exact
    refs = find_paragraph_refs(label)
    if refs:
        return refs[0]
    return label.strip().upper().replace(" ", "")


def resolve(ref: SymbolRef, known: Iterable[str]) -> list[str]:
    """Known symbols (or doc ids) that a mention can mean."""
    known = list(known)
    upper = {k.upper(): k for k in known}
    if ref.exact and ref.exact.upper() in upper:
        return [upper[ref.exact.upper()]]
    out: list[str] = []
    if ref.short:
        short = ref.short.upper()
        for k in known:
            ku = k.upper()
            if ku.startswith("S/RES/") and short.startswith("S/RES/"):
                if ku.split(" (")[0] == short:
                    out.append(k)
            elif ku.endswith("/" + short) and "/RES/" in ku:
                out.append(k)
    elif ref.exact:
        # An exact spelling we do not hold: try the same tail (A/RES/79/154 vs 79/154 file ids).
        tail = "/".join(ref.exact.upper().split("/")[-2:])
        out = [
            k
            for k in known
            if k.upper().endswith("/" + tail) and k.upper()[0] == ref.exact.upper()[0]
        ]
    return out
