"""A real Chroma server on loopback for tests: started with the `chroma` CLI, stopped by its PID.

The server is the same Rust server the official ``chromadb/chroma`` image runs; the
``chromadb`` package ships it as the ``chroma`` command.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

HEARTBEAT = "/api/v2/heartbeat"


class ChromaServerError(RuntimeError):
    pass


def chroma_executable() -> str | None:
    """The `chroma` CLI of this interpreter's environment, else the one on PATH."""
    beside = Path(sys.executable).parent / "chroma"
    if beside.exists():
        return str(beside)
    return shutil.which("chroma")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def heartbeat(url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(url + HEARTBEAT, timeout=timeout) as resp:
            body = json.loads(resp.read().decode() or "{}")
            return resp.status == 200 and isinstance(body, dict)
    except (OSError, urllib.error.URLError, ValueError):
        return False


@dataclass
class ChromaServer:
    url: str
    host: str
    port: int
    path: Path
    pid: int
    log: Path


def _stop(proc: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """SIGTERM this one process, then SIGKILL if it lingers; never anything by name."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=grace)


@contextlib.contextmanager
def running_chroma_server(path: Path, startup_timeout: float = 60.0) -> Iterator[ChromaServer]:
    """Start `chroma run` on a free loopback port with its data under ``path``; stop it on exit."""
    exe = chroma_executable()
    if exe is None:
        raise ChromaServerError("the `chroma` command (from the chromadb package) is not installed")
    path.mkdir(parents=True, exist_ok=True)
    log_path = path.parent / f"{path.name}.log"
    host = "127.0.0.1"
    port = free_port()
    url = f"http://{host}:{port}"
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [exe, "run", "--path", str(path / "data"), "--host", host, "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
        )
    try:
        deadline = time.monotonic() + startup_timeout
        while not heartbeat(url):
            if proc.poll() is not None:
                raise ChromaServerError(
                    f"chroma server exited with {proc.returncode}: "
                    + log_path.read_text(errors="replace")[-2000:]
                )
            if time.monotonic() > deadline:
                raise ChromaServerError(f"chroma server on {url} not up after {startup_timeout} s")
            time.sleep(0.1)
        yield ChromaServer(url, host, port, path / "data", proc.pid, log_path)
    finally:
        _stop(proc)
