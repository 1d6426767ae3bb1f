"""The data model every parser produces and every later stage consumes.

Label convention (see README, "Paragraph labels"):

* ``HEADER``: the front matter (symbol, body, session, agenda item, date, title,
  sponsors, "on the recommendation of" ...) as one citable paragraph.
* ``PP1..n``: preambular paragraphs, counted in order.
* ``OP1..n``: operative paragraphs, numbered as printed. Lettered
  sub-paragraphs (a), (b) ... stay inside their paragraph. Unnumbered
  operative paragraphs (old Security Council texts, a single "Recommends ..."
  paragraph) are counted in order.
* ``ANNEX-PP1..n`` / ``ANNEX-OP1..n``: paragraphs of the first annex;
  the second and later annexes use ``ANNEX2-``, ``ANNEX3-`` ...
* ``DRAFT-PP1..n`` / ``DRAFT-OP1..n``: a draft resolution that the adopting
  body recommends to another body inside its own operative part (ECOSOC
  recommending a draft to the General Assembly). The recommending paragraph
  itself keeps its own ``OPn``; a second nested draft uses ``DRAFT2-`` ...
* ``I-PP1..n`` / ``I-OP1..n``, ``II-OP1`` ...: a resolution in numbered parts
  (sections I, II, III or parts A, B, C of one text, such as the omnibus
  "Special subjects relating to the proposed programme budget") whose
  numbering restarts in each part: the part's number, then the paragraph's
  label within the part, each part restarting at 1. When the numbering runs
  on across the parts (sustainable fisheries), the printed ``OPn`` stays.
  A lettered part adopted as a resolution of its own is a separate document
  (``A/RES/79/93 B``) with plain labels.

Each paragraph's ``section`` holds the heading of the part (and sub-section)
it sits in, whatever its label: "III. Illegal, unreported and unregulated
fishing".
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from ingest.completeness import Completeness

Kind = Literal["header", "preambular", "operative", "annex"]
Format = Literal["akn", "text", "markdown", "pdf", "docx"]

_LABEL_RE = re.compile(
    r"^(?:HEADER|(?:(?:ANNEX|DRAFT)\d*-)?(?:(?:[IVXLC]{1,7}|[A-Z])-)?(?:PP|OP)\d+)$"
)


def is_valid_label(label: str) -> bool:
    return bool(_LABEL_RE.match(label))


@dataclass
class Paragraph:
    """One citable paragraph of a resolution."""

    label: str
    kind: Kind
    text: str
    footnotes: list[str] = field(default_factory=list)
    verb: str | None = None
    # The heading(s) of the part or section the paragraph sits in ("III. Illegal,
    # unreported and unregulated fishing"); shown with the citation.
    section: str | None = None

    def content_hash(self) -> str:
        h = hashlib.sha256()
        h.update(self.text.encode("utf-8"))
        for note in self.footnotes:
            h.update(b"\x00")
            h.update(note.encode("utf-8"))
        return h.hexdigest()[:16]


@dataclass
class Resolution:
    """A parsed resolution: metadata plus its paragraphs in document order."""

    symbol: str | None
    title: str | None
    body: str | None
    source: str
    format: Format
    paragraphs: list[Paragraph] = field(default_factory=list)
    date: str | None = None
    session: str | None = None
    agenda_item: str | None = None
    recommended_by: str | None = None
    sponsors: list[str] = field(default_factory=list)
    # Set by the parser: how much of the source's body text landed in paragraphs.
    completeness: Completeness | None = None

    @property
    def doc_id(self) -> str:
        """Stable document id: the symbol when known, else the source file's stem."""
        if self.symbol:
            return self.symbol
        stem = self.source.rsplit("/", 1)[-1]
        return "file:" + stem.rsplit(".", 1)[0]

    @property
    def year(self) -> int | None:
        for text in (self.date or "", self.symbol or ""):
            m = re.search(r"\b(19[4-9]\d|20\d\d)\b", text)
            if m:
                return int(m.group(1))
        return None

    def paragraph(self, label: str) -> Paragraph | None:
        for p in self.paragraphs:
            if p.label == label:
                return p
        return None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["doc_id"] = self.doc_id
        return data
