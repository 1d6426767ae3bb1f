"""Mandate extraction time against paragraph size (issue 15: 22/44/88/176 KB took 0.5-20.8 s).

    .venv/bin/python -m bench.mandate_scale [--sizes 22 44 88 176]

Prints seconds per size and the ratio to the previous size (about 2 when linear, 4 when
quadratic). Timings belong here, not in tests; tests/test_mandates_bounded.py counts work.
"""

from __future__ import annotations

import argparse
import time

from bot.glossary import default_glossary
from bot.mandates.budget import ExtractionBudget
from bot.mandates.extract import extract_mandates
from ingest.model import Paragraph, Resolution

UNIT = (
    "Requests the Executive Director of the United Nations Office on Drugs and Crime to report "
    "to the Commission on Crime Prevention and Criminal Justice at its thirty-fourth session, in "
    "consultation with the Office, and invites Member States to provide the Office with "
    "information (see the Council) on the implementation of the present resolution, "
)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[22, 44, 88, 176], help="KB")
    args = ap.parse_args(argv)
    glossary = default_glossary()
    budget = ExtractionBudget(paragraph_chars=10**9, document_seconds=None)
    previous = None
    for kb in args.sizes:
        text = (UNIT * (kb * 1024 // len(UNIT) + 1))[: kb * 1024]
        res = Resolution(
            symbol="A/RES/79/1", title="T", body="General Assembly", source="bench",
            format="text", paragraphs=[Paragraph("OP1", "operative", text)],
        )  # fmt: skip
        start = time.perf_counter()
        n = len(extract_mandates(res, glossary, budget))
        took = time.perf_counter() - start
        ratio = f"  x{took / previous:.1f}" if previous else ""
        print(f"{kb:>5} KB  {took:6.2f} s  {n} clauses{ratio}")  # noqa: T201
        previous = took


if __name__ == "__main__":
    main()
