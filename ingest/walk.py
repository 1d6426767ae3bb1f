"""The files under the paths an operator names, without leaving them through a link.

A folder gathered from many sources can hold a symbolic link to anything on the machine
(``notes.txt -> ~/.ssh/id_rsa``); ingested, its text would be quoted in answers. A link is
followed only when its target lies inside one of the named folders (or is itself a named
file); one that leaves them, or leads nowhere, is skipped with a one-line note.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Walk:
    files: list[Path] = field(default_factory=list)
    # (path, reason) for each link that was not followed
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def _inside(target: Path, roots: list[Path]) -> bool:
    return any(target == root or target.is_relative_to(root) for root in roots)


def walk(paths: list[Path]) -> Walk:
    """Files under ``paths`` (recursively, hidden entries left out) in a stable order."""
    out = Walk()
    roots = [p.resolve() for p in paths if p.exists()]
    for path in paths:
        if not path.is_dir():
            out.files.append(path)  # named by the operator: followed even if a link
            continue
        found: list[Path] = []
        for folder, dirs, names in os.walk(path, followlinks=False):
            base = Path(folder)
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for d in list(dirs):
                link = base / d
                if link.is_symlink():
                    # Never descended into (a link inside the named folders points at
                    # what the walk already covers, and may form a cycle).
                    dirs.remove(d)
                    if not _inside(link.resolve(), roots):
                        out.skipped.append(
                            (link, "skipped: a link to a folder outside those named")
                        )
            for name in sorted(names):
                if name.startswith("."):
                    continue
                child = base / name
                if child.is_symlink():
                    if not child.exists():
                        out.skipped.append((child, "skipped: a link to nothing (dangling)"))
                        continue
                    if not _inside(child.resolve(), roots):
                        out.skipped.append(
                            (child, "skipped: a link to a file outside the folders named")
                        )
                        continue
                if child.is_file():
                    found.append(child)
        out.files.extend(sorted(found))
    return out
