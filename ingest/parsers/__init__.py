"""Format dispatch: a file path in, a list of resolutions out (usually one)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ingest.errors import ParseError, UnsupportedFormat
from ingest.model import Resolution

SUPPORTED_SUFFIXES = {".xml", ".akn", ".txt", ".md", ".markdown", ".text", ".pdf", ".docx"}


def _parser_for(suffix: str) -> Callable[[Path], list[Resolution]]:
    # Imported lazily: the PDF and Word libraries are slow to import and most
    # runs touch one format only.
    if suffix in (".xml", ".akn"):
        from ingest.parsers.akn import parse_akn_file

        return parse_akn_file
    if suffix in (".txt", ".md", ".markdown", ".text"):
        from ingest.parsers.text import parse_text_file

        return parse_text_file
    if suffix == ".pdf":
        from ingest.parsers.pdf import parse_pdf_file

        return parse_pdf_file
    if suffix == ".docx":
        from ingest.parsers.docx import parse_docx_file

        return parse_docx_file
    raise UnsupportedFormat(f"unsupported file type {suffix or '(no extension)'}")


def parse_file(path: Path) -> list[Resolution]:
    """Parse one file.

    Raises:
        UnsupportedFormat: the extension is not one we read (callers skip with a note).
        ParseError: the file is empty, corrupt, hostile or holds no resolution.
    """
    parser = _parser_for(path.suffix.lower())
    resolutions = parser(path)
    if not resolutions or not any(r.paragraphs for r in resolutions):
        raise ParseError("no resolution text found")
    return resolutions
