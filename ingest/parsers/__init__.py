"""Format dispatch: a file path in, a list of resolutions out (usually one)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from core.errors import ParseError, UnsupportedFormat
from ingest.limits import DEFAULT_LIMITS, IngestLimits
from ingest.model import Resolution

SUPPORTED_SUFFIXES = {".xml", ".akn", ".txt", ".md", ".markdown", ".text", ".pdf", ".docx"}


def _parser_for(suffix: str) -> Callable[[Path, IngestLimits], list[Resolution]]:
    # Imported lazily: the PDF and Word libraries are slow to import and most
    # runs touch one format only.
    if suffix in (".xml", ".akn"):
        from ingest.parsers.akn import parse_akn_file

        return lambda path, _limits: parse_akn_file(path)
    if suffix in (".txt", ".md", ".markdown", ".text"):
        from ingest.parsers.text import parse_text_file

        return lambda path, _limits: parse_text_file(path)
    if suffix == ".pdf":
        from ingest.parsers.pdf import parse_pdf_file

        return parse_pdf_file
    if suffix == ".docx":
        from ingest.parsers.docx import parse_docx_file

        return parse_docx_file
    raise UnsupportedFormat(f"unsupported file type {suffix or '(no extension)'}")


def parse_file(path: Path, limits: IngestLimits = DEFAULT_LIMITS) -> list[Resolution]:
    """Parse one file in this process (the ingest runs it under `ingest.sandbox`).

    Raises:
        UnsupportedFormat: the extension is not one we read (callers skip with a note).
        ParseError: the file is empty, corrupt, hostile or holds no resolution.
    """
    parser = _parser_for(path.suffix.lower())
    resolutions = parser(path, limits)
    if not resolutions or not any(r.paragraphs for r in resolutions):
        raise ParseError("no resolution text found")
    return resolutions
