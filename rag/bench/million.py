"""A million passages in a Chroma server: insert time, dense and hybrid query latency.

Synthetic passages are real ones with their embeddings perturbed (gaussian noise, then
re-normalised), stored through the same PassageStore/ChromaVectorStore path and metadata
as `rag ingest` writes, so records are as large as real ones.
"""

from __future__ import annotations

import dataclasses
import itertools
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from rag.bench.latency import WARMUP, ask_latency, profile_asks
from rag.bench.probe import bot_memory, cold_start
from rag.bench.server import ChromaServer
from rag.bench.stats import disk_usage, own_memory, percentiles_ms, tree_memory
from rag.config import Settings
from rag.embedding import Embedder
from rag.retrieval import CANDIDATES
from rag.store import PassageStore, _to_node  # _to_node: the exact records ingest writes
from rag.types import Passage

NOISE_SIGMA = 0.02  # per dimension; cosine to the source vector ≈ 0.93
PASSAGES_PER_DOC = 20
READ_BATCH = 5_000


def base_passages(store: PassageStore, limit: int) -> tuple[list[Passage], np.ndarray]:
    """Up to `limit` stored passages with their embeddings (the seeds of the synthetic set)."""
    passages = list(itertools.islice(store.iter_passages(), limit))
    vectors: list[np.ndarray] = []
    for begin in range(0, len(passages), READ_BATCH):
        chunk = passages[begin : begin + READ_BATCH]
        found = store.embeddings_for([p.id for p in chunk])
        vectors += [found[p.id] for p in chunk]
    return passages, np.stack(vectors).astype(np.float32)


def _synthetic(
    passages: list[Passage], vectors: np.ndarray, begin: int, end: int, rng: np.random.Generator
) -> list[Any]:
    rows = np.arange(begin, end) % len(passages)
    noisy = vectors[rows] + rng.normal(0.0, NOISE_SIGMA, (end - begin, vectors.shape[1]))
    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    nodes = []
    for i, row, vector in zip(range(begin, end), rows, noisy.astype(np.float32), strict=True):
        source = passages[row]
        doc = f"m{i // PASSAGES_PER_DOC:06d}"
        passage = dataclasses.replace(source, id=f"{doc}:{i}:{source.start}", doc=doc)
        nodes.append(_to_node(passage, "bench-synthetic", vector))
    return nodes


def million_bench(
    settings: Settings,
    work: Path,
    embedder: Embedder,
    base: tuple[list[Passage], np.ndarray],
    questions: list[str],
    *,
    count: int,
    queries: int,
    hybrid: bool = True,
    profile_over_ms: float | None = None,
    profile_to: Path | None = None,
) -> dict[str, Any]:
    """Insert `count` synthetic passages into a fresh `chroma run` server, then time queries.

    Dense: `collection.query` with real question embeddings, k=30 (raw, and through the
    pipeline's PassageStore.dense_search). Hybrid: the whole `Pipeline.ask`, BM25 included,
    with the server as its store; profiled into `profile_to` when its p95 exceeds
    `profile_over_ms`. The server is stopped by pid at the end.
    """
    passages, vectors = base
    server = ChromaServer(work / "chroma-million")
    server.start()
    try:
        server_settings = dataclasses.replace(
            settings,
            chroma_url=server.url,
            chroma_token="",
            collection="bench_million",
            data_dir=work / "million-data",
        )
        store = PassageStore(server_settings)
        batch = max(1, min(store.client.get_max_batch_size(), READ_BATCH))
        rng = np.random.default_rng(0)
        idle = tree_memory(server.pid or 0)
        began = time.perf_counter()
        for start in range(0, count, batch):
            store.vectors.add(_synthetic(passages, vectors, start, min(count, start + batch), rng))
            done = min(count, start + batch)
            if done % 100_000 < batch or done == count:
                rate = done / (time.perf_counter() - began)
                print(f"  million: {done:,}/{count:,} inserted ({rate:,.0f}/s)", file=sys.stderr)
        insert_s = time.perf_counter() - began
        result: dict[str, Any] = {
            "vectors": store.count(),
            "base_passages": len(passages),
            "noise_sigma": NOISE_SIGMA,
            "batch": batch,
            "insert_s": round(insert_s, 1),
            "insert_per_s": round(count / insert_s, 1),
            "server_idle": idle,
            "server_after_insert": tree_memory(server.pid or 0),
        }
        result["disk_bytes"] = disk_usage(server.path)
        result["disk_mb_per_1000"] = round(result["disk_bytes"] / 1e6 / count * 1000, 3)

        embedded = embedder.embed(questions[: WARMUP + queries])
        for vector in embedded[:WARMUP]:
            store.collection.query(query_embeddings=[vector.tolist()], n_results=CANDIDATES)
        raw, through_store = [], []
        for vector in embedded[WARMUP:]:
            t0 = time.perf_counter()
            store.collection.query(query_embeddings=[vector.tolist()], n_results=CANDIDATES)
            t1 = time.perf_counter()
            store.dense_search(vector, CANDIDATES)
            raw.append(t1 - t0)
            through_store.append(time.perf_counter() - t1)
        result["dense_raw"] = {"queries": len(raw), **percentiles_ms(raw)}
        result["dense_store"] = {"queries": len(through_store), **percentiles_ms(through_store)}
        if hybrid:
            result["hybrid"] = _hybrid(
                server_settings, store, embedder, questions, queries, profile_over_ms, profile_to
            )
            # A bot and a `rag ask` on this server; they load the BM25 index saved just now.
            target = (server.url, server_settings.collection)
            data_dir = server_settings.data_dir
            result["bot_memory"] = bot_memory(data_dir, questions[-30:], target)
            result["cold_start"] = cold_start(data_dir, questions[0], runs=1, server=target)
        result["server_final"] = tree_memory(server.pid or 0)
        return result
    finally:
        server.stop()


def _hybrid(
    settings: Settings,
    store: PassageStore,
    embedder: Embedder,
    questions: list[str],
    n: int,
    profile_over_ms: float | None,
    profile_to: Path | None,
) -> dict[str, Any]:
    """The full pipeline (dense on the server + BM25 in this process) over the million."""
    from rag.index import Index
    from rag.pipeline import Pipeline

    began = time.perf_counter()
    pipeline = Pipeline(settings, Index(settings, store, embedder))
    pipeline.refresh_lexical()
    build_s = time.perf_counter() - began
    result: dict[str, Any] = {
        "bm25_build_s": round(build_s, 1),
        # What building BM25 over everything costs in memory (`rag ingest` does the same).
        "builder_peak_rss_mb": own_memory()["peak_rss_mb"],
    }
    # The dense timing above bypassed the retriever, so its embedding cache is still empty.
    result.update(ask_latency(pipeline, questions, n))
    over = profile_over_ms is not None and result["p95_ms"] > profile_over_ms
    if over and profile_to is not None:
        spare = questions[WARMUP + n : WARMUP + n + 30] or questions[:30]
        profile_asks(pipeline, spare, profile_to)
        result["profile"] = profile_to.name
    return result
