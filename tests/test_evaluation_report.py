"""report.md, results.jsonl, metrics.json and chart.png on a tiny synthetic result set."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rag.evaluation.gold import GoldItem, GoldSource
from rag.evaluation.records import BASELINES, PRODUCT, Output, Span
from rag.evaluation.report import summary, write_outputs
from rag.evaluation.runner import Evaluation, score_system

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ARTICLE = "Title\nPoland closed the Kuźnica checkpoint on Tuesday. Talks | went on in Minsk."


@pytest.fixture
def evaluation(tmp_path: Path) -> Evaluation:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (corpus / "sources.json").write_text(json.dumps([{"doc": "a", "outlet": "RT"}]), "utf-8")
    items = [
        GoldItem(
            "f1",
            "Which checkpoint closed?",
            True,
            ("Kuznica",),
            "any",
            (GoldSource("a", "RT", "closed the Kuźnica checkpoint"),),
            "factoid",
        ),
        GoldItem(
            "f2",
            "Where were the talks?",
            True,
            ("Minsk",),
            "any",
            (GoldSource("a", "RT", "Talks | went on in Minsk"),),
            "factoid",
        ),
        GoldItem("u1", "Population of Minsk?", False, (), "any", (), "unanswerable"),
    ]
    good = Span("a", "RT", "Poland closed the Kuźnica checkpoint on Tuesday.")
    talks = Span("a", "RT", "Talks | went on in Minsk.")
    product = [
        Output("Poland closed the Kuznica checkpoint [1].", False, (good,), (good, talks), 0.1),
        Output("Talks were in Warsaw | Berlin [1].", False, (good,), (good, talks), 0.2),
        Output("The articles do not say.", True, (), (good,), 0.3),
    ]
    baseline = [
        Output(good.text + " [1]", False, (good,), (good,), 0.01),
        Output(good.text + " [1]", False, (good,), (good, talks), 0.01),
        Output(good.text + " [1]", False, (good,), (good,), 0.01),
    ]
    systems = {PRODUCT.name: score_system(PRODUCT, items, product, corpus_dir=corpus, peak=321.0)}
    for spec in BASELINES:
        systems[spec.name] = score_system(spec, items, baseline, corpus_dir=corpus)
    return Evaluation("tiny.jsonl", items, systems, {"answerer": "extractive", "fallbacks": 0})


def test_writes_all_files(evaluation, tmp_path):
    out = tmp_path / "out"
    written = write_outputs(evaluation, out, floors={"hit@5": 0.5}, floor_failures=[])
    assert {p.name for p in written} == {"report.md", "results.jsonl", "metrics.json", "chart.png"}
    png = (out / "chart.png").read_bytes()
    assert png.startswith(PNG_SIGNATURE)
    assert len(png) > 10_000  # a real drawing, not an empty canvas

    lines = [json.loads(x) for x in (out / "results.jsonl").read_text("utf-8").splitlines()]
    assert len(lines) == 9  # 3 questions x 3 systems
    assert {x["system"] for x in lines} == {"product", "dense", "bm25"}
    f2 = next(x for x in lines if x["id"] == "f2" and x["system"] == "product")
    assert f2["scores"]["correct"] is False
    assert f2["citation_outlets"] == ["RT"]
    assert f2["expected"] == {"answerable": True, "answers": ["Minsk"], "match": "any"}
    assert f2["latency_s"] == 0.2

    metrics = json.loads((out / "metrics.json").read_text("utf-8"))
    product = metrics["systems"]["product"]["overall"]
    assert product["answer_accuracy"] == pytest.approx(2 / 3)
    assert product["hit@1"] == 0.5 and product["mrr@10"] == 0.75
    assert product["peak_rss_mb"] == 321.0
    assert metrics["systems"]["dense"]["overall"]["answer_accuracy"] == pytest.approx(1 / 3)
    assert metrics["ratios"]["dense"]["answer_accuracy"] == pytest.approx(2.0)
    assert metrics["systems"]["product"]["by_kind"]["unanswerable"]["abstention_rate"] == 1.0
    assert metrics["floors"] == {"hit@5": 0.5}


def test_report_has_overall_by_kind_and_failures(evaluation, tmp_path):
    write_outputs(evaluation, tmp_path, chart=False)
    report = (tmp_path / "report.md").read_text("utf-8")
    assert "## Overall: product vs baselines" in report
    assert "| answer_accuracy | 0.667 | 0.333 | 0.333 | 2.00x | 2.00x |" in report
    assert "## By kind" in report
    header = (
        "| kind | n | accuracy product | accuracy dense | accuracy bm25 | hit@5 product |"
        " hit@5 dense | hit@5 bm25 |"
    )
    assert header in report
    assert "| factoid | 2 | 0.500 | 0.500 | 0.500 | 1.000 | 1.000 | 1.000 |" in report
    assert "| unanswerable | 1 | 1.000 | 0.000 | 0.000 | n/a | n/a | n/a |" in report
    failures = report.split("## Failures")[1].split("## Definitions")[0]
    assert (
        "| f2 | factoid | Where were the talks? | Minsk | Talks were in Warsaw \\| Berlin [1]. "
        "| [1] RT |" in failures
    )
    assert "answer contains none of the expected strings" in failures
    assert "| f1 |" not in failures and "| u1 |" not in failures
    assert "chart.png" not in report  # no chart drawn, none linked


def test_pipes_in_text_do_not_break_tables(evaluation, tmp_path):
    write_outputs(evaluation, tmp_path, chart=False)
    report = (tmp_path / "report.md").read_text("utf-8")
    row = next(line for line in report.splitlines() if line.startswith("| f2 |"))
    assert len(re.findall(r"(?<!\\)\|", row)) == 8  # 7 columns, the answer's pipe escaped


def test_summary_lists_metrics_and_ratios(evaluation):
    text = summary(evaluation)
    assert "3 items (2 answerable)" in text
    assert "product/dense" in text and "product/bm25" in text
    row = next(line for line in text.splitlines() if line.startswith("answer_accuracy"))
    assert row.split() == ["answer_accuracy", "0.667", "0.333", "0.333", "2.00x", "2.00x"]
    assert "1 of 3 product items failed" in text
