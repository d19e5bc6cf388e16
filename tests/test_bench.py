"""`rag bench --quick` on the seeds only: it runs, and bench.json holds plausible figures.

This is a smoke test of the bench itself, never a timed test of the bot.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from rag.bench import register_cli
from rag.config import Settings


def _positive(value: object) -> bool:
    return isinstance(value, int | float) and math.isfinite(value) and value > 0


def test_quick_bench_on_the_seeds_writes_plausible_results(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser(prog="rag")
    register_cli(parser.add_subparsers())
    out = tmp_path / "bench"
    args = parser.parse_args(["bench", "--quick", "--queries", "20", "--out", str(out)])

    assert args.handler(args, Settings.from_env(env_file=None)) == 0

    results = json.loads((out / "bench.json").read_text(encoding="utf-8"))
    for number in (
        results["embedder"]["passages_per_s"],
        results["ingest"]["passages_per_s"],
        results["ingest"]["ratio"],
        results["ingest"]["ratio_same_texts"],
        results["latency"]["seeds"]["p50_ms"],
        results["cold_start"]["median_s"],
        results["bot_memory"]["seeds"]["peak_rss_mb"],
        results["index_size"]["seeds"]["mb_per_1000_passages"],
        results["sizing"]["disk_gb_per_million_embedded"],
    ):
        assert _positive(number), number
    assert results["embedder"]["passages"] == 250
    assert results["ingest"]["passages"] >= 250
    seeds = results["latency"]["seeds"]
    assert seeds["queries"] == 20 and seeds["articles"] == 5 and seeds["passages"] > 50
    assert seeds["p50_ms"] <= seeds["p95_ms"] <= seeds["max_ms"]
    assert all(_positive(ms) for ms in seeds["stages_p50_ms"].values())
    assert len(results["cold_start"]["runs_s"]) == 3
    assert results["bot_memory"]["seeds"]["questions"] == 20
    assert results["latency"]["corpus"] is None and results["million"] is None
    targets = {t["target"]: t for t in results["targets"]}
    assert "warm `rag ask` p50, seeds" in targets and "bot peak RSS (seeds)" in targets
    assert all(isinstance(t["met"], bool) for t in targets.values())
    table = (out / "bench.md").read_text(encoding="utf-8")
    assert "| warm ask p50 / p95, seeds" in table and ("✓" in table or "✗" in table)
    for name in results["profiles"]:
        assert (out / name).stat().st_size > 0
