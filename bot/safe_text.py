"""Text from documents made safe to show: no terminal control, no reordering of what follows.

A document can carry ESC sequences (retitle the terminal, clear the screen, fake a prompt),
backspaces and carriage returns that overwrite what was printed, C1 controls that some
terminals read as ESC, and bidirectional overrides (U+202E) that make text read differently
from what it is. Everything printed by the CLI and posted to Slack passes through `clean`;
names that must stay recognisable (file names in error lines) through `escape_name`.
"""

from __future__ import annotations

import re

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), and the two-byte ESC sequences.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]?|\][^\x07\x1b]{0,512}(?:\x07|\x1b\\)?|[ -~]?)"
)
# C0 controls but tab and newline, DEL, C1 controls, bidi embeddings, overrides and isolates,
# and the implicit direction marks.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
_NAME_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """``text`` without escape sequences, control characters (tab and newline kept) or bidi
    controls."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text))


def escape_name(name: str) -> str:
    """A file name on one line as it really is: controls and bidi characters as ``\\n``,
    ``\\x1b``, ``\\u202e``."""

    def one(m: re.Match[str]) -> str:
        ch = m.group(0)
        return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(ch) or (
            f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"
        )

    return _NAME_UNSAFE.sub(one, name)


def json_safe(dumped: str) -> str:
    """JSON text (``ensure_ascii=False``) with C1 and bidi controls written as ``\\uXXXX``:
    still the same JSON, but inert in a terminal (json already escapes C0 controls)."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group(0)):04x}", dumped)
