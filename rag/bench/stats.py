"""Small measuring helpers: percentiles, disk usage, resident memory, profiles."""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

MB = 1024 * 1024


def percentiles_ms(seconds: list[float]) -> dict[str, float]:
    """p50/p95/max of durations given in seconds, as rounded milliseconds."""
    if not seconds:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "max_ms": 0.0}
    values = np.asarray(seconds) * 1000
    return {
        "p50_ms": round(float(np.percentile(values, 50)), 2),
        "p95_ms": round(float(np.percentile(values, 95)), 2),
        "max_ms": round(float(values.max()), 2),
    }


def timed(call: Callable[[], object]) -> float:
    """Seconds one call takes."""
    began = time.perf_counter()
    call()
    return time.perf_counter() - began


def disk_usage(path: Path) -> int:
    """Bytes allocated on disk under `path` (what `du` counts, not apparent sizes)."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(Path(root) / name).st_blocks * 512
            except OSError:
                continue
    return total


def _status(pid: int, field: str) -> int:
    """A `kB` field of /proc/<pid>/status, in bytes (0 when unreadable)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
        for child in children:
            found += [child, *_descendants(child)]
    return found


def tree_memory(pid: int) -> dict[str, float]:
    """Current and peak resident memory (MB) of a process and all its descendants."""
    pids = [pid, *_descendants(pid)]
    return {
        "rss_mb": round(sum(_status(p, "VmRSS") for p in pids) / MB, 1),
        "peak_rss_mb": round(sum(_status(p, "VmHWM") for p in pids) / MB, 1),
    }


def own_memory() -> dict[str, float]:
    """This process's current and peak (VmHWM) resident memory in MB."""
    return {
        "rss_mb": round(_status(os.getpid(), "VmRSS") / MB, 1),
        "peak_rss_mb": round(_status(os.getpid(), "VmHWM") / MB, 1),
    }


@contextmanager
def profiled(out: Path, top: int = 35) -> Iterator[None]:
    """cProfile the block; write its `top` functions by cumulative time to `out`."""
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
        write_profile(pstats.Stats(profiler), out, top)


def write_profile(stats: pstats.Stats, out: Path, top: int = 35) -> None:
    """The `top` entries of `stats` by cumulative and by own time, as text in `out`."""
    buffer = io.StringIO()
    stats.stream = buffer  # type: ignore[attr-defined]
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    out.write_text(buffer.getvalue(), encoding="utf-8")
