"""Warm query latency of the pipeline (what `rag ask` and the bot do per question)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from rag.bench.stats import percentiles_ms, profiled
from rag.retrieval import CANDIDATES

WARMUP = 5


def ask_latency(
    pipeline: Any,
    questions: list[str],
    count: int,
    *,
    answerer: str | None = None,
) -> dict[str, Any]:
    """p50/p95 of `pipeline.ask` over `count` distinct questions after WARMUP others.

    Each question is asked once: the retriever caches query embeddings, so repeats would
    be faster than real traffic. Stage timings (query embedding, dense search, BM25, each
    alone) say where the time goes.
    """
    warm, measured = questions[:WARMUP], questions[WARMUP : WARMUP + count]
    for question in warm:
        pipeline.ask(question, answerer=answerer)
    asks: list[float] = []
    embeds: list[float] = []
    dense: list[float] = []
    bm25: list[float] = []
    for question in measured:
        began = time.perf_counter()
        pipeline.ask(question, answerer=answerer)
        asks.append(time.perf_counter() - began)
        began = time.perf_counter()
        vector = pipeline.embedder.embed_one(question)
        embeds.append(time.perf_counter() - began)
        began = time.perf_counter()
        pipeline.store.dense_search(vector, CANDIDATES)
        dense.append(time.perf_counter() - began)
        began = time.perf_counter()
        pipeline.retriever.bm25(question, CANDIDATES)
        bm25.append(time.perf_counter() - began)
    result: dict[str, Any] = {
        "queries": len(measured),
        **percentiles_ms(asks),
        "stages_p50_ms": {
            "embed_query": percentiles_ms(embeds)["p50_ms"],
            "dense_k30": percentiles_ms(dense)["p50_ms"],
            "bm25_k30": percentiles_ms(bm25)["p50_ms"],
        },
    }
    return result


def profile_asks(
    pipeline: Any, questions: list[str], out: Path, *, answerer: str | None = None
) -> None:
    """Ask `questions` under cProfile and write the profile to `out`."""
    with profiled(out):
        for question in questions:
            pipeline.ask(question, answerer=answerer)


def index_size(data_dir: Path, passages: int) -> dict[str, Any]:
    """Bytes on disk of a data dir, and per 1,000 passages."""
    from rag.bench.stats import disk_usage

    size = disk_usage(data_dir)
    return {
        "passages": passages,
        "bytes": size,
        "mb": round(size / 1e6, 2),
        "mb_per_1000_passages": round(size / 1e6 / max(1, passages) * 1000, 3),
    }
