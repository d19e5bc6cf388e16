"""One writer at a time per data directory, across processes.

Two `rag ingest` runs (or a first `rag ask` and the bot both building the index) on one data
directory would interleave their writes to the registry and race to replace the BM25 files.
A lock file in the data directory makes the second writer wait; readers never take it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from rag.errors import IndexUnavailable

log = logging.getLogger(__name__)

LOCK_FILE = "write.lock"
#: How long a writer waits for another one before giving up (a big ingest takes long).
WAIT_SECONDS = 6 * 3600.0

_locks: dict[Path, FileLock] = {}
_locks_guard = threading.Lock()


def _lock_for(data_dir: Path) -> FileLock:
    # One FileLock object per directory, so a thread that holds it can take it again
    # (ingest → BM25 refresh) instead of deadlocking on its own lock.
    path = (Path(data_dir) / LOCK_FILE).resolve()
    with _locks_guard:
        if path not in _locks:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            _locks[path] = FileLock(path)
        return _locks[path]


@contextmanager
def exclusive_writer(data_dir: Path, *, wait: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold the data directory's write lock, waiting (and saying so) while another process
    holds it. Raises IndexUnavailable if it is still held after `wait` seconds."""
    try:
        lock = _lock_for(data_dir)
        lock.acquire(timeout=0)
    except Timeout:  # before OSError: filelock's Timeout is a TimeoutError
        log.warning("another process is writing to %s; waiting for it to finish", data_dir)
        try:
            lock.acquire(timeout=wait)
        except Timeout:
            raise IndexUnavailable(
                f"Another process has been writing to {data_dir} for over {wait:,.0f} s: "
                f"wait for it, or stop it and run `rag ingest` again."
            ) from None
    except OSError as exc:
        raise IndexUnavailable(
            f"Cannot write to {data_dir} ({exc.strerror or exc}): check its owner and "
            "permissions, or set RAG_DATA_DIR to a folder you can write."
        ) from None
    try:
        yield
    finally:
        lock.release()


@contextmanager
def writer_if_free(data_dir: Path) -> Iterator[bool]:
    """Hold the write lock if nobody else does right now; yields whether it is held."""
    try:
        lock = _lock_for(data_dir)
        lock.acquire(timeout=0)
    except (Timeout, OSError):  # busy, or a read-only data directory
        yield False
        return
    try:
        yield True
    finally:
        lock.release()
