"""Parse files in a child process with a deadline and a memory ceiling.

A parser loop cannot be interrupted from inside Python (pdfminer resolving a reference that
points back to itself spins in one call), and a file that inflates to gigabytes takes the
whole process with it; a child process bounds both. One child serves a whole batch, file after
file; a child over its deadline is killed and the next file gets a fresh one. The child caps its
own address space (``RLIMIT_AS``), so a runaway allocation is a ``MemoryError`` there, not an
out-of-memory kill of the ingest.

The protocol is length-prefixed pickles over the child's stdin and stdout; the child runs our
own parser code only, so what it sends back is as trusted as a parse done in this process.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import select
import struct
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from core.errors import ParseError, UnsupportedFormat
from ingest.limits import DEFAULT_LIMITS, IngestLimits, OverBudget, bound_resolutions, over
from ingest.model import Resolution

log = logging.getLogger(__name__)

_HEADER = struct.Struct(">Q")
_ERRORS: dict[str, type[ParseError]] = {
    "UnsupportedFormat": UnsupportedFormat,
    "OverBudget": OverBudget,
    "ParseError": ParseError,
}


def parse_bounded(path: Path, limits: IngestLimits = DEFAULT_LIMITS) -> list[Resolution]:
    """Parse one file in this process, counting what the parsers count and checking the output."""
    from ingest.parsers import parse_file

    return bound_resolutions(parse_file(path, limits), limits)


class IsolatedParser:
    """A callable ``path -> resolutions`` that parses in a child process under ``limits``.

    Use it as a context manager (the child is stopped on exit). Raises what the parsers raise
    (`ParseError`, `UnsupportedFormat`) and `OverBudget` for a file that ran out of time or
    memory; the child is replaced after either.
    """

    def __init__(
        self,
        limits: IngestLimits = DEFAULT_LIMITS,
        clock: Callable[[], float] = time.monotonic,
        python: str = sys.executable,
    ) -> None:
        self.limits = limits
        self.clock = clock
        self.python = python
        self._proc: subprocess.Popen[bytes] | None = None
        self.started = 0  # children started, for tests and the benchmark

    def __enter__(self) -> IsolatedParser:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin:
            with contextlib.suppress(OSError):
                proc.stdin.close()
        try:
            proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()

    def __call__(self, path: Path) -> list[Resolution]:
        proc = self._child()
        assert proc.stdin is not None and proc.stdout is not None
        request = pickle.dumps((str(path), self.limits))
        try:
            proc.stdin.write(_HEADER.pack(len(request)) + request)
            proc.stdin.flush()
        except OSError as exc:
            self._kill()
            raise ParseError(f"parser process unavailable: {exc.strerror or exc}") from exc
        deadline = self.clock() + self.limits.seconds
        data = self._read(proc.stdout, deadline)
        if data is None:
            code = self._kill()
            if code is None:
                raise over(
                    "parsing took too long",
                    f"over {self.limits.seconds:g} s",
                    self.limits,
                    "seconds",
                    " s",
                )
            raise over(
                "parser ran out of memory",
                f"the process ended with status {code}",
                self.limits,
                "memory_mb",
                " MiB",
            )
        reply = pickle.loads(data)
        kind = reply[0]
        if kind == "ok":
            result: list[Resolution] = reply[1]
            return result
        if kind == "memory":
            self._kill()
            raise over("parser ran out of memory", "MemoryError", self.limits, "memory_mb", " MiB")
        raise _ERRORS.get(reply[1], ParseError)(reply[2])

    # -- child management ---------------------------------------------------------
    def _child(self) -> subprocess.Popen[bytes]:
        if self._proc is not None and self._proc.poll() is None:
            return self._proc
        self._kill()
        level = logging.getLogger("ingest").getEffectiveLevel()
        self._proc = subprocess.Popen(
            [
                self.python,
                "-m",
                "ingest.sandbox",
                str(self.limits.memory_mb),
                str(max(level, logging.ERROR)),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": _pythonpath()},
        )
        self.started += 1
        return self._proc

    def _kill(self) -> int | None:
        """Stop the child; its exit status if it had already ended by itself, else None."""
        proc, self._proc = self._proc, None
        if proc is None:
            return None
        code = proc.poll()
        if code is None:
            proc.kill()
        proc.wait()
        for stream in (proc.stdin, proc.stdout):
            if stream:
                with contextlib.suppress(OSError):
                    stream.close()
        return code

    def _read(self, stream: IO[bytes], deadline: float) -> bytes | None:
        """One framed reply, or None when the deadline passes or the child ends first."""
        fd = stream.fileno()
        buf = bytearray()
        need = _HEADER.size
        header_done = False
        while len(buf) < need:
            remaining = deadline - self.clock()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(fd, max(need - len(buf), 1 << 16))
            if not chunk:
                if self._proc is not None:
                    self._proc.wait()
                return None
            buf += chunk
            if not header_done and len(buf) >= _HEADER.size:
                header_done = True
                need = _HEADER.size + _HEADER.unpack_from(buf)[0]
        return bytes(buf[_HEADER.size : need])


def _pythonpath() -> str:
    """The child imports the same `ingest` package as this process, wherever it came from."""
    root = str(Path(__file__).resolve().parent.parent)
    rest = os.environ.get("PYTHONPATH", "")
    return root + (os.pathsep + rest if rest else "")


# -- the child ------------------------------------------------------------------------


def _read_frame(stream: IO[bytes]) -> bytes | None:
    head = stream.read(_HEADER.size)
    if len(head) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(head)
    return stream.read(size)


def _serve(memory_mb: int) -> int:
    try:
        import resource

        cap = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    except (ImportError, ValueError, OSError) as exc:  # not on this platform
        log.warning("no memory limit for the parser process: %s", exc)
    channel_in, channel_out = sys.stdin.buffer, sys.stdout.buffer
    # Anything a library prints must not corrupt the reply channel.
    sys.stdout = sys.stderr
    while True:
        frame = _read_frame(channel_in)
        if frame is None:
            return 0
        path, limits = pickle.loads(frame)
        fatal = False
        reply: tuple[Any, ...]
        try:
            reply = ("ok", parse_bounded(Path(path), limits))
        except MemoryError:
            reply, fatal = ("memory",), True
        except ParseError as exc:
            reply = ("error", type(exc).__name__, str(exc))
        except RecursionError:
            reply = ("error", "ParseError", "structure nested too deeply")
        except Exception as exc:  # a parser bug fails this file, not the batch
            log.error("unexpected error parsing %s: %r", path, exc)
            reply = ("error", "ParseError", f"unexpected error: {exc!r}"[:300])
        data = pickle.dumps(reply)
        channel_out.write(_HEADER.pack(len(data)) + data)
        channel_out.flush()
        if fatal:
            return 1


if __name__ == "__main__":
    logging.basicConfig(
        level=int(sys.argv[2]) if len(sys.argv) > 2 else logging.ERROR,
        format="%(levelname)s %(name)s: %(message)s",
    )
    sys.exit(_serve(int(sys.argv[1])))
