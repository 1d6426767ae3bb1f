"""How well the text parser recovers paragraph structure from raw PDF text.

The corpus holds the same General Assembly resolutions twice: as the official
AKN XML (``ga-akn/``, the true structure) and as text extracted from the PDFs
(``ga-pdftext/``: running headers, footnote blocks, paragraphs cut by page
breaks). For each text file this parses both and compares the number of
preambular and operative paragraphs, and the words of each paragraph with the
paragraph of the same label in the XML.

    .venv/bin/python eval/pdftext_agreement.py [--corpus DIR] [--only-mismatches] [--limit N]
"""

from __future__ import annotations

import argparse
import difflib
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from ingest.model import Resolution  # noqa: E402
from ingest.parsers.akn import parse_akn_file  # noqa: E402
from ingest.parsers.common import symbol_from_filename  # noqa: E402
from ingest.parsers.text import parse_text_file  # noqa: E402

DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"

_TOKEN = re.compile(r"[0-9a-z]+")


def tokens(text: str) -> list[str]:
    text = text.lower().replace("\u2011", "-")
    return _TOKEN.findall(text)


def similarity(a: str, b: str) -> float:
    """Token-level similarity, 0..1 (difflib ratio over word tokens)."""
    ta, tb = tokens(a), tokens(b)
    if not ta and not tb:
        return 1.0
    return difflib.SequenceMatcher(None, ta, tb, autojunk=False).ratio()


@dataclass
class Row:
    symbol: str
    pp_xml: int
    pp_txt: int
    op_xml: int
    op_txt: int
    seconds: float
    sims: list[float] = field(default_factory=list)
    error: str | None = None

    @property
    def pp_ok(self) -> bool:
        return self.error is None and self.pp_xml == self.pp_txt

    @property
    def op_ok(self) -> bool:
        return self.error is None and self.op_xml == self.op_txt

    @property
    def median_sim(self) -> float:
        return statistics.median(self.sims) if self.sims else 0.0


# The main text's labels, in numbered parts (II-OP3) or not.
_PP = re.compile(r"(?:(?:[IVXLC]{1,7}|[A-Z])-)?PP\d+")
_OP = re.compile(r"(?:(?:[IVXLC]{1,7}|[A-Z])-)?OP\d+")


def _counts(res: Resolution) -> tuple[int, int]:
    pp = sum(1 for p in res.paragraphs if _PP.fullmatch(p.label))
    op = sum(1 for p in res.paragraphs if _OP.fullmatch(p.label))
    return pp, op


def xml_index(corpus: Path) -> dict[str, Path]:
    """Symbol -> AKN file, from the file names (parsing all of them would be slow)."""
    index: dict[str, Path] = {}
    for path in sorted((corpus / "ga-akn").rglob("*.xml")):
        sym = symbol_from_filename(path.name)
        if sym:
            index.setdefault(sym, path)
    return index


def compare(txt: Path, xml: Path) -> Row:
    t0 = time.perf_counter()
    try:
        got = parse_text_file(txt)[0]
    except Exception as exc:  # a report: record the failure and go on
        return Row(
            txt.stem, 0, 0, 0, 0, time.perf_counter() - t0, error=f"{type(exc).__name__}: {exc}"
        )
    seconds = time.perf_counter() - t0
    want = parse_akn_file(xml)[0]
    pp_x, op_x = _counts(want)
    pp_t, op_t = _counts(got)
    row = Row(want.symbol or txt.stem, pp_x, pp_t, op_x, op_t, seconds)
    mine = {p.label: p.text for p in got.paragraphs}
    for p in want.paragraphs:
        if re.fullmatch(r"(?:PP|OP)\d+", p.label) and p.label in mine:
            row.sims.append(similarity(p.text, mine[p.label]))
    return row


def run(corpus: Path, limit: int | None = None, files: list[Path] | None = None) -> list[Row]:
    index = xml_index(corpus)
    rows: list[Row] = []
    paths = files if files is not None else sorted((corpus / "ga-pdftext").glob("*.txt"))
    for txt in paths[:limit]:
        sym = symbol_from_filename(txt.name)
        xml = index.get(sym or "")
        if xml is None:
            continue
        rows.append(compare(txt, xml))
    return rows


def summary(rows: list[Row]) -> dict[str, float]:
    n = len(rows) or 1
    sims = [s for r in rows for s in r.sims]
    return {
        "files": len(rows),
        "op_agree": sum(r.op_ok for r in rows) / n,
        "pp_agree": sum(r.pp_ok for r in rows) / n,
        "median_similarity": statistics.median(sims) if sims else 0.0,
        "share_similarity_ge_0.95": sum(s >= 0.95 for s in sims) / (len(sims) or 1),
        "parse_seconds_total": sum(r.seconds for r in rows),
        "parse_seconds_max": max((r.seconds for r in rows), default=0.0),
        "errors": sum(r.error is not None for r in rows),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--only-mismatches", action="store_true")
    args = ap.parse_args(argv)
    rows = run(args.corpus, args.limit)
    print(
        f"{'symbol':18} {'PP xml':>6} {'PP txt':>6} {'OP xml':>6} {'OP txt':>6} {'sim':>5} {'secs':>5}"
    )
    for r in rows:
        if args.only_mismatches and r.pp_ok and r.op_ok:
            continue
        flag = (
            ""
            if r.pp_ok and r.op_ok
            else "  <-- " + ("PP " if not r.pp_ok else "") + ("OP" if not r.op_ok else "")
        )
        if r.error:
            flag = "  ERROR " + r.error
        print(
            f"{r.symbol:18} {r.pp_xml:6} {r.pp_txt:6} {r.op_xml:6} {r.op_txt:6} "
            f"{r.median_sim:5.3f} {r.seconds:5.2f}{flag}"
        )
    s = summary(rows)
    print()
    print(f"files compared         {s['files']}")
    print(f"OP count agrees        {s['op_agree']:.1%}")
    print(f"PP count agrees        {s['pp_agree']:.1%}")
    print(
        f"median PP/OP similarity {s['median_similarity']:.3f} (share >= 0.95: {s['share_similarity_ge_0.95']:.1%})"
    )
    print(
        f"parse time             {s['parse_seconds_total']:.1f} s total, {s['parse_seconds_max']:.2f} s max"
    )
    print(f"errors                 {s['errors']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
