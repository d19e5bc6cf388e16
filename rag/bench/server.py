"""A throw-away `chroma run` server on 127.0.0.1, started and stopped by its process id."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stop_process_group(process: subprocess.Popen | None, grace: float) -> None:
    """SIGTERM a server started with `start_new_session=True`, SIGKILL it after `grace` s."""
    if process and process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_until_answering(
    process: subprocess.Popen,
    url: str,
    timeout: float,
    name: str,
    output: Callable[[], str] = lambda: "",
) -> None:
    """Poll GET `url` until it answers; raise RuntimeError naming `name` (with its `output`)
    if the process exits first or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited at start-up{output()}") from None
            time.sleep(0.2)
    raise RuntimeError(f"{name} did not answer on {url} within {timeout:.0f} s")


class ChromaServer:
    """`chroma run --path DIR --host 127.0.0.1 --port N` in its own process group."""

    def __init__(self, path: Path, port: int | None = None) -> None:
        self.path = path
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def start(self, timeout: float = 60.0) -> None:
        """Start the server and wait until its heartbeat answers."""
        chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which(
            "chroma"
        )
        if chroma is None:
            raise RuntimeError("the `chroma` command is missing: pip install chromadb")
        self.path.mkdir(parents=True, exist_ok=True)
        command = [chroma, "run", "--path", str(self.path), "--host", "127.0.0.1"]
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            wait_until_answering(
                self.process, f"{self.url}/api/v2/heartbeat", timeout, "chroma run"
            )
        except RuntimeError:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the server's process group (SIGTERM, then SIGKILL after 20 s)."""
        stop_process_group(self.process, grace=20)
        self.process = None

    def __enter__(self) -> ChromaServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
