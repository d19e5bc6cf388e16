"""`rag eval` end to end through the real pipeline, on a 5-item subset of the dev set.

The index is built once per session in a temporary data directory.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from rag.cli import main

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "seeds" / "gold" / "dev.jsonl"
SUBSET = ("dev-01", "dev-04", "dev-15", "dev-25", "dev-27")  # factoid, list, date, multi-doc,
# unanswerable


def _env(mp: pytest.MonkeyPatch, data_dir: Path) -> None:
    """No developer configuration or `.env` leaks in (this runs before per-test fixtures)."""
    for name in list(os.environ):
        if name.startswith(("RAG_", "TELEGRAM_")):
            mp.delenv(name)
    mp.chdir(data_dir.parent)
    mp.setenv("RAG_DATA_DIR", str(data_dir))
    mp.setenv("RAG_SEEDS_DIR", str(ROOT / "seeds" / "corpus"))
    mp.setenv("RAG_ANSWERER", "extractive")
    mp.setenv("RAG_CHROMA_URL", "")


@pytest.fixture(scope="session")
def e2e(tmp_path_factory):
    base = tmp_path_factory.mktemp("eval-e2e")
    gold = base / "subset.jsonl"
    lines = [
        x
        for x in DEV.read_text(encoding="utf-8").splitlines()
        if x.strip() and json.loads(x)["id"] in SUBSET
    ]
    assert len(lines) == len(SUBSET)
    gold.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = base / "out"
    with pytest.MonkeyPatch.context() as mp:
        _env(mp, base / "data")
        code = main(["eval", str(gold), "--out", str(out)])
    return {"base": base, "gold": gold, "out": out, "code": code}


def test_eval_runs_and_writes_every_file(e2e):
    assert e2e["code"] == 0
    out = e2e["out"]
    for name in ("report.md", "results.jsonl", "metrics.json", "chart.png"):
        assert (out / name).is_file(), name
    assert (out / "chart.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    results = [json.loads(x) for x in (out / "results.jsonl").read_text("utf-8").splitlines()]
    assert len(results) == 15
    assert {(r["id"], r["system"]) for r in results} == {
        (i, s) for i in SUBSET for s in ("product", "dense", "bm25")
    }


def test_metrics_cover_every_system_and_kind(e2e):
    metrics = json.loads((e2e["out"] / "metrics.json").read_text("utf-8"))
    assert list(metrics["systems"]) == ["product", "dense", "bm25"]
    product = metrics["systems"]["product"]
    assert product["overall"]["n"] == 5 and product["overall"]["n_answerable"] == 4
    assert set(product["by_kind"]) == {"factoid", "list", "date", "multi-doc", "unanswerable"}
    assert product["overall"]["errors"] == 0
    assert product["overall"]["latency_p50_s"] > 0
    assert product["overall"]["peak_rss_mb"] > 50
    for name, system in metrics["systems"].items():
        overall = system["overall"]
        # the product's promise, and the baselines cite stored passages too: every citation
        # is a verbatim span of its article, attributed to the article's outlet
        assert overall["verbatim_rate"] == 1.0, name
        assert overall["outlet_accuracy"] == 1.0, name
        assert overall["hit@5"] is not None and overall["hit@5"] > 0, name
    report = (e2e["out"] / "report.md").read_text("utf-8")
    assert "### Answer accuracy and hit@5" in report
    for kind in ("factoid", "list", "date", "multi-doc", "unanswerable"):
        assert f"\n| {kind} | 1 |" in report


def test_impossible_floor_exits_1(e2e, capsys):
    with pytest.MonkeyPatch.context() as mp:
        _env(mp, e2e["base"] / "data")
        code = main(
            [
                "eval",
                str(e2e["gold"]),
                "--out",
                str(e2e["base"] / "out2"),
                "--no-baselines",
                "--min",
                "answer_accuracy=1.01",
            ]
        )
    assert code == 1
    assert "below floor: answer_accuracy" in capsys.readouterr().err
