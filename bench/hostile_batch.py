"""The hostile batch of issue 15 through the real CLI: wall time and peak memory.

Builds a folder holding one file of every hostile class (reference loops, an inflating
stream, a glyph-heavy PDF, an amplified footnote, 8,000 continued paragraphs, 5,000
footnotes, binary, a spoofing file name, links out of the folder and to nothing) plus three
good resolutions; runs ``resbot ingest`` on it with the default budgets (the time budget set
by ``--timeout-s``), then ``resbot ask`` about a good file. Memory is sampled from /proc every
50 ms over the ingest process and its parser children (resident set, summed over the tree).

    .venv/bin/python -m bench.hostile_batch [--timeout-s 10]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import hostile_files as H  # noqa: E402


def build(folder: Path) -> None:
    files: dict[str, bytes | str] = {
        "mediabox-loop.pdf": H.pdf_mediabox_loop(),
        "contents-loop.pdf": H.pdf_contents_loop(),
        "page-tree-loop.pdf": H.pdf_page_tree_loop(),
        "xobject-loop.pdf": H.pdf_xobject_loop(),
        "xref-prev-loop.pdf": H.pdf_xref_prev_loop(),
        "inflating.pdf": H.pdf_inflating(500),
        "disguised-inflating.pdf": H.pdf_inflating(500, disguised=True),
        "glyphs.pdf": H.pdf_glyph_heavy(),
        "amplified.docx": H.docx_amplified(),
        "footnotes.docx": H.docx_footnotes(5000),
        "unnumbered.docx": H.docx_unnumbered(8000),
        "binary.txt": bytes(range(256)) * 64,
        "utf16.txt": H.text_good("A/RES/99/20", "tides").encode("utf-16-le"),
        "nul.txt": H.text_good("A/RES/99/21", "reefs").replace("reefs,", "reefs,\x00"),
        "evil\nname\u202etxt.pdf": b"%PDF-1.4 garbage",
        "good-lighthouses.pdf": H.pdf_good("A/RES/99/7", "lighthouses"),
        "good-bridges.txt": H.text_good("A/RES/99/8", "bridges"),
        "good-canals.txt": H.text_good("A/RES/99/9", "canals"),
    }
    for name, data in files.items():
        H.write(folder, name, data)
    outside = folder.parent / "outside"
    secret = H.write(outside, "secret.txt", H.text_good("A/RES/99/66", "private keys"))
    os.symlink(secret, folder / "link-out.txt")
    os.symlink(folder / "missing.txt", folder / "dangling.txt")


def _tree_rss(root: int) -> tuple[int, int]:
    """(resident bytes of ``root`` and its descendants, of the descendants alone)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as fh:
                fields = dict(line.split(":", 1) for line in fh if ":" in line)
        except OSError:
            continue
        pid = int(entry)
        parents[pid] = int(fields.get("PPid", "0").strip())
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
    tree = {root}
    grew = True
    while grew:
        more = {pid for pid, ppid in parents.items() if ppid in tree} - tree
        tree |= more
        grew = bool(more)
    children = sum(rss.get(pid, 0) for pid in tree if pid != root)
    return rss.get(root, 0) + children, children


def run(
    cmd: list[str], env: dict[str, str]
) -> tuple[subprocess.CompletedProcess[str], float, int, int]:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = peak_children = 0
    while proc.poll() is None:
        total, children = _tree_rss(proc.pid)
        peak, peak_children = max(peak, total), max(peak_children, children)
        time.sleep(0.05)
    out, err = proc.communicate()
    done = subprocess.CompletedProcess(cmd, proc.returncode, out, err)
    return done, time.perf_counter() - start, peak, peak_children


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout-s", type=float, default=10.0, help="per-file time budget")
    args = parser.parse_args()
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "batch"
        build(folder)
        env = {
            **os.environ,
            "PYTHONPATH": str(root),
            "RESBOT_DATA_DIR": str(Path(tmp) / "data"),
            "RESBOT_INGEST_TIMEOUT_S": str(args.timeout_s),
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "ANONYMIZED_TELEMETRY": "False",
        }
        cli = [sys.executable, "-m", "bot.cli"]
        files = sum(1 for p in folder.iterdir())
        ingest, seconds, peak, peak_children = run([*cli, "ingest", str(folder)], env)
        print(f"ingest of {files} entries: exit {ingest.returncode}, {seconds:.1f} s")
        print(
            f"peak resident memory: {peak / 2**20:.0f} MiB for the ingest and its parser "
            f"process together; {peak_children / 2**20:.0f} MiB for the parser process"
        )
        print("stderr of the ingest:")
        print("\n".join("  " + line for line in ingest.stderr.splitlines()))
        asked, ask_s, _, _ = run([*cli, "ask", "What does A/RES/99/9 request about canals?"], env)
        print(f"ask after the batch: exit {asked.returncode}, {ask_s:.1f} s")
        print("\n".join("  " + line for line in asked.stdout.splitlines()))


if __name__ == "__main__":
    main()
