"""Raw embedder throughput, and end-to-end ingest throughput through Pipeline.ingest."""

from __future__ import annotations

import dataclasses
import shutil
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rag.bench.corpus import articles, write_slice
from rag.bench.stats import profiled
from rag.config import Settings
from rag.embedding import Embedder
from rag.ingest import make_passages
from rag.loading import Article

WARMUP_TEXTS = 32


def embedder_throughput(embedder: Embedder, texts: list[str]) -> dict[str, Any]:
    """Passages per second of `embedder.embed(texts)` (after a short warm-up)."""
    embedder.embed(texts[:WARMUP_TEXTS])
    began = time.perf_counter()
    embedder.embed(texts)
    seconds = time.perf_counter() - began
    return {
        "passages": len(texts),
        "mean_chars": round(sum(map(len, texts)) / max(1, len(texts)), 1),
        "seconds": round(seconds, 3),
        "passages_per_s": round(len(texts) / seconds, 1),
    }


def ingest_throughput(
    settings: Settings,
    work: Path,
    extra: Iterable[Article],
    min_passages: int,
    profile_to: Path | None = None,
) -> dict[str, Any]:
    """Ingest the seeds plus a CSV slice of `extra` into a fresh data dir, timed end to end.

    The slice holds enough articles for `min_passages` passages beyond the seeds. Also embeds
    the very same passage texts with a bare Embedder, so the ratio compares like with like.
    """
    from rag.pipeline import Pipeline

    work.mkdir(parents=True, exist_ok=True)
    slice_csv = work / "ingest-slice.csv"
    seeds = list(articles([settings.seeds_dir]))
    seed_count = sum(len(make_passages(a)) for a in seeds)
    slice_articles, _ = write_slice(extra, slice_csv, max(0, min_passages - seed_count))
    texts = [p.text for a in articles([settings.seeds_dir, slice_csv]) for p in make_passages(a)]
    fresh = dataclasses.replace(settings, data_dir=work / "ingest-data", chroma_url="")
    pipeline = Pipeline.open(fresh, auto_ingest=False)
    # The bare embedder first, on the very same texts: this also warms the session up to the
    # largest batch shape, so the ingest that follows pays no first-run costs either.
    same = embedder_throughput(pipeline.embedder, texts)
    began = time.perf_counter()
    if profile_to is None:
        report = pipeline.ingest([settings.seeds_dir, slice_csv], progress=False)
    else:
        with profiled(profile_to):
            report = pipeline.ingest([settings.seeds_dir, slice_csv], progress=False)
    seconds = time.perf_counter() - began
    result = {
        "articles": len(report.added),
        "slice_articles": slice_articles,
        "passages": report.passages,
        "seconds": round(seconds, 3),
        "ingest_seconds_without_bm25": round(report.seconds, 3),
        "passages_per_s": round(report.passages / seconds, 1),
        "embedder_same_texts_per_s": same["passages_per_s"],
        "mean_chars": same["mean_chars"],
        "data_dir": str(fresh.data_dir),
    }
    result["ratio_same_texts"] = round(result["passages_per_s"] / same["passages_per_s"], 3)
    return result


def ingest_at_scale(
    settings: Settings, data_dir: Path, work: Path, extra: Iterable[Article], min_passages: int
) -> dict[str, Any]:
    """Ingest `min_passages` new passages into a copy of an already big data dir.

    Shows what grows with the index: the write path, and the BM25 index that Pipeline.ingest
    rebuilds over every stored passage afterwards.
    """
    from rag.pipeline import Pipeline

    work.mkdir(parents=True, exist_ok=True)
    copy = work / "scale-data"
    shutil.copytree(data_dir, copy)
    slice_csv = work / "scale-slice.csv"
    write_slice(extra, slice_csv, min_passages)
    pipeline = Pipeline.open(dataclasses.replace(settings, data_dir=copy), auto_ingest=False)
    before = pipeline.store.count()
    texts = [p.text for a in articles([slice_csv]) for p in make_passages(a)]
    same = embedder_throughput(pipeline.embedder, texts)
    began = time.perf_counter()
    report = pipeline.ingest([slice_csv], progress=False)
    seconds = time.perf_counter() - began
    shutil.rmtree(copy, ignore_errors=True)
    return {
        "index_passages": before,
        "passages": report.passages,
        "seconds": round(seconds, 2),
        "passages_per_s": round(report.passages / seconds, 1),
        "bm25_rebuild_s": round(seconds - report.seconds, 2),
        "embedder_same_texts_per_s": same["passages_per_s"],
        "mean_chars": same["mean_chars"],
        "ratio_same_texts": round(report.passages / seconds / same["passages_per_s"], 3),
    }
