"""Notice when another process has changed the index, so a long-running reader can reopen it.

Every completed ingest writes a new token to `<data_dir>/index.generation`. A running bot or
`rag chat` compares it with the token it opened the index at (reading a tiny file costs
microseconds) and reopens the store and BM25 when it differs. Without this, an embedded
Chroma opened before another process's ingest keeps serving its old vectors.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

GENERATION_FILE = "index.generation"


def read_generation(data_dir: Path) -> str:
    """The token of the last completed ingest into `data_dir` ("" if none is recorded)."""
    try:
        return (Path(data_dir) / GENERATION_FILE).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""


def bump_generation(data_dir: Path) -> str:
    """Record that an ingest into `data_dir` completed; returns the new token."""
    token = uuid.uuid4().hex
    path = Path(data_dir) / GENERATION_FILE
    tmp = path.with_name(f"{GENERATION_FILE}.{os.getpid()}.tmp")
    try:
        tmp.write_text(token, encoding="ascii")
        os.replace(tmp, path)  # atomic: a reader sees the old token or the new one
    except OSError:
        return read_generation(data_dir)  # read-only data dir: nobody else can be told
    return token


class ReadersWriterLock:
    """Many readers at once, or one writer; a waiting writer goes before new readers."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self._writers_waiting = 0

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._cond:
            while self._writing or self._writers_waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._cond:
            self._writers_waiting += 1
            while self._writing or self._readers:
                self._cond.wait()
            self._writers_waiting -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()
