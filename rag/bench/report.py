"""Targets, the sizing rule, and the written results (bench.json, bench.md, the table)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MIN_VECTORS_FOR_SIZING = 100_000


@dataclass(frozen=True)
class Target:
    """A figure of bench.json (by key path) and the bound it should keep."""

    label: str
    path: tuple[str, ...]
    bound: float
    unit: str
    at_least: bool = False

    def value(self, results: dict[str, Any]) -> float | None:
        node: Any = results
        for key in self.path:
            if not isinstance(node, dict) or node.get(key) is None:
                return None
            node = node[key]
        return float(node)

    def met(self, value: float) -> bool:
        return value >= self.bound if self.at_least else value <= self.bound


TARGETS = (
    Target("warm `rag ask` p50, seeds", ("latency", "seeds", "p50_ms"), 50, "ms"),
    Target("warm `rag ask` p95, 3,824-article corpus", ("latency", "corpus", "p95_ms"), 150, "ms"),
    Target(
        "dense query p95 (k=30), {million} vectors", ("million", "dense_raw", "p95_ms"), 300, "ms"
    ),
    Target("hybrid `rag ask` p95, {million} vectors", ("million", "hybrid", "p95_ms"), 300, "ms"),
    Target("cold `rag ask` (median of 3)", ("cold_start", "median_s"), 3, "s"),
    Target("bot peak RSS (seeds)", ("bot_memory", "seeds", "peak_rss_mb"), 700, "MB"),
    Target("ingest ÷ embedder (seed texts)", ("ingest", "ratio"), 0.8, "", at_least=True),
    Target(
        "ingest ÷ embedder, same passages", ("ingest", "ratio_same_texts"), 0.8, "", at_least=True
    ),
)


def check_targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target that was measured, with its value and whether it is met."""
    checked = []
    vectors = (results.get("million") or {}).get("vectors", 0)
    for target in TARGETS:
        value = target.value(results)
        if value is not None:
            checked.append(
                {
                    "target": target.label.format(million=f"{vectors:,}"),
                    "value": value,
                    "bound": f"{'≥' if target.at_least else '≤'} {target.bound:g} {target.unit}",
                    "met": target.met(value),
                }
            )
    return checked


def sizing(results: dict[str, Any]) -> dict[str, Any]:
    """RAM and disk per million passages, extrapolated linearly from the measurements."""
    rule: dict[str, Any] = {}
    if results.get("bot_memory", {}).get("seeds"):
        rule["bot_base_ram_mb"] = round(results["bot_memory"]["seeds"]["peak_rss_mb"])
    sizes = results.get("index_size", {})
    big = sizes.get("corpus") or sizes.get("seeds")
    if big:
        rule["disk_gb_per_million_embedded"] = round(big["mb_per_1000_passages"], 2)
        rule["disk_basis"] = "corpus" if sizes.get("corpus") else "seeds (overhead-dominated)"
    million = results.get("million") or {}
    memory = results.get("bot_memory", {})
    # Below ~100k vectors the server's fixed costs swamp the per-vector ones: no extrapolation.
    if million.get("vectors", 0) >= MIN_VECTORS_FOR_SIZING:
        rule["disk_gb_per_million_server"] = round(million["disk_mb_per_1000"], 2)
        scale = 1e6 / million["vectors"]
        idle = million["server_idle"]["rss_mb"]
        server = million.get("server_final") or million["server_after_insert"]
        grown = (server["peak_rss_mb"] - idle) * scale + idle
        rule["server_ram_gb_per_million"] = round(grown / 1024, 2)
        bot, seeds = million.get("bot_memory"), memory.get("seeds")
        if bot and seeds:
            slope = (bot["peak_rss_mb"] - seeds["peak_rss_mb"]) / million["vectors"]
            rule["bot_ram_gb_per_million_server"] = round(slope * 1e6 / 1024, 2)
    seeds, corpus = memory.get("seeds"), memory.get("corpus")
    if seeds and corpus and corpus["passages"] > seeds["passages"]:
        slope = (corpus["peak_rss_mb"] - seeds["peak_rss_mb"]) / (
            corpus["passages"] - seeds["passages"]
        )
        rule["bot_ram_gb_per_million_embedded"] = round(slope * 1e6 / 1024, 2)
    return rule


def sizing_text(rule: dict[str, Any]) -> list[str]:
    """The sizing rule in sentences."""
    lines = []
    if "bot_ram_gb_per_million_embedded" in rule:
        lines.append(
            f"Bot RAM (embedded Chroma + BM25 in one process) ≈ {rule['bot_base_ram_mb']} MB "
            f"+ {rule['bot_ram_gb_per_million_embedded']} GB per million passages."
        )
    if "server_ram_gb_per_million" in rule:
        text = (
            f"With a Chroma server: the server needs ≈ {rule['server_ram_gb_per_million']} GB "
            "per million passages"
        )
        if "bot_ram_gb_per_million_server" in rule:
            text += (
                f", the bot (BM25 and the passages stay in it) ≈ {rule['bot_base_ram_mb']} MB "
                f"+ {rule['bot_ram_gb_per_million_server']} GB per million"
            )
        lines.append(text + ".")
    if "disk_gb_per_million_embedded" in rule:
        lines.append(
            f"Disk (embedded data dir, Chroma + BM25) ≈ {rule['disk_gb_per_million_embedded']} "
            f"GB per million passages (measured on the {rule['disk_basis']})."
        )
    if "disk_gb_per_million_server" in rule:
        lines.append(
            f"Disk (Chroma server path) ≈ {rule['disk_gb_per_million_server']} GB per million "
            "passages."
        )
    return lines


def _ms(block: dict[str, Any] | None) -> str:
    return f"{block['p50_ms']:.1f} / {block['p95_ms']:.1f} ms" if block else "not measured"


def _cold(cold: dict[str, Any]) -> str:
    parts = ", ".join(f"{k.removesuffix('_s')} {v:.2f}" for k, v in cold["breakdown_s"].items())
    return f"{cold['median_s']:.2f} s (in s: {parts})"


def table_rows(results: dict[str, Any]) -> list[tuple[str, str]]:
    """(measure, value) rows of the summary table."""
    emb, ing = results["embedder"], results["ingest"]
    rows = [
        ("embedder throughput", f"{emb['passages_per_s']:.0f} passages/s ({emb['passages']})"),
        (
            "ingest throughput (Pipeline.ingest)",
            f"{ing['passages_per_s']:.0f} passages/s ({ing['passages']} passages, "
            f"{ing['seconds']:.1f} s)",
        ),
        (
            "ingest ÷ embedder (seed texts / same texts)",
            f"{ing['ratio']} / {ing['ratio_same_texts']}",
        ),
    ]
    scale = results.get("ingest_at_scale")
    if scale:
        rows.append(
            (
                f"ingest into a {scale['index_passages']:,}-passage index",
                f"{scale['passages_per_s']:.0f} passages/s ({scale['passages']} passages, "
                f"{scale['seconds']:.1f} s, of which BM25 rebuild {scale['bm25_rebuild_s']:.1f} s;"
                f" bare embedder {scale['embedder_same_texts_per_s']:.0f}/s)",
            )
        )
    for name, block in results["latency"].items():
        if block:
            label = f"warm ask p50 / p95, {name} ({block['passages']:,} passages)"
            stages = ", ".join(f"{k} {v:.1f}" for k, v in block["stages_p50_ms"].items())
            rows.append((label, f"{_ms(block)} (p50 stages ms: {stages})"))
    million = results.get("million")
    if million:
        n = f"{million['vectors']:,}"
        rows += [
            (
                f"insert {n} vectors (server)",
                f"{million['insert_s']:.0f} s ({million['insert_per_s']:.0f}/s)",
            ),
            (f"dense query p50 / p95, {n} (collection.query)", _ms(million["dense_raw"])),
            (f"dense p50 / p95, {n} (PassageStore.dense_search)", _ms(million["dense_store"])),
            (f"hybrid ask p50 / p95, {n}", _ms(million.get("hybrid"))),
        ]
        if million.get("hybrid"):
            h = million["hybrid"]
            peak = h["builder_peak_rss_mb"]
            built = f"{h['bm25_build_s']:.0f} s (building process peak {peak:.0f} MB)"
            rows.append((f"BM25 build, {n}", built))
        peak = million["server_final"]["peak_rss_mb"]
        rows.append((f"Chroma server peak RSS, {n}", f"{peak:.0f} MB"))
        if million.get("bot_memory"):
            bot = million["bot_memory"]["peak_rss_mb"]
            rows.append((f"bot peak RSS, {n} on the server", f"{bot:.0f} MB"))
            cold = million["cold_start"]
            rows.append((f"cold `rag ask`, {n} on the server", _cold(cold)))
    rows.append(("cold `rag ask` median", _cold(results["cold_start"])))
    for name, mem in results["bot_memory"].items():
        rows.append((f"bot peak RSS, {name}", f"{mem['peak_rss_mb']:.0f} MB ({mem['mode']})"))
    for name, size in results["index_size"].items():
        rows.append(
            (
                f"index on disk, {name}",
                f"{size['mb_per_1000_passages']:.2f} MB per 1,000 passages "
                f"({size['mb']:.1f} MB, {size['passages']:,} passages)",
            )
        )
    return rows


def markdown(results: dict[str, Any]) -> str:
    """bench.md: the table, the targets with ✓/✗, the sizing rule."""
    machine = results["machine"]
    lines = [
        "# rag bench",
        "",
        f"{machine['when']} · {machine['cpus']} CPUs · Python {machine['python']} · "
        f"threads {machine['threads']} · answerer {machine['answerer']} · load average "
        f"{machine['load_avg_at_start']:g} → {machine['load_avg_at_end']:g}"
        + (" · quick" if machine["quick"] else ""),
        "",
        "| measure | value |",
        "|---|---|",
        *[f"| {label} | {value} |" for label, value in table_rows(results)],
        "",
        "| target | measured | bound | |",
        "|---|---|---|---|",
        *[
            f"| {t['target']} | {t['value']:g} | {t['bound']} | {'✓' if t['met'] else '✗'} |"
            for t in results["targets"]
        ],
        "",
        "Sizing: " + " ".join(sizing_text(results["sizing"])),
    ]
    profiles = results.get("profiles") or []
    if profiles:
        lines += [
            "",
            "cProfile output (missed targets; the hybrid path at 1M): " + ", ".join(profiles),
        ]
    return "\n".join(lines) + "\n"


def write(results: dict[str, Any], out: Path) -> str:
    """Write bench.json and bench.md into `out`; return the markdown."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    text = markdown(results)
    (out / "bench.md").write_text(text, encoding="utf-8")
    return text
