"""`rag eval` through rag.cli.main with a stand-in pipeline: files, exit codes, --min."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rag.cli import main
from rag.errors import ModelMissing
from rag.pipeline import Pipeline
from rag.types import Answer, Citation, Passage, ScoredPassage

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "seeds" / "gold" / "dev.jsonl"
CORPUS = ROOT / "seeds" / "corpus"
WORD = re.compile(r"\w+")


class FakePipeline:
    """Word-overlap retrieval over the seed articles' lines; answers with the top line."""

    def __init__(self, fail_on: str = "") -> None:
        manifest = {
            e["doc"]: e["outlet"] for e in json.loads((CORPUS / "sources.json").read_text())
        }
        self.passages: list[Passage] = []
        for path in sorted(CORPUS.glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            start = 0
            for line in text.split("\n"):
                if line.strip():
                    self.passages.append(
                        Passage(
                            id=f"{path.stem}:{start}",
                            doc=path.stem,
                            outlet=manifest[path.stem],
                            title="",
                            published="",
                            start=start,
                            end=start + len(line),
                            text=line,
                        )
                    )
                start += len(line) + 1
        self.fail_on = fail_on
        self.asked: list[tuple[str, str | None]] = []

    def retrieve(self, query, *, mode="hybrid", k=10, filters=None):
        words = {w.lower() for w in WORD.findall(query) if len(w) > 3}
        scored = [
            ScoredPassage(p, float(len(words & {w.lower() for w in WORD.findall(p.text)})))
            for p in self.passages
        ]
        scored = [s for s in scored if s.score > 0]
        if mode == "dense":
            scored.reverse()  # a different, worse ranking
        return sorted(scored, key=lambda s: -s.score)[:k]

    def ask(self, question, *, history=(), filters=None, answerer=None):
        self.asked.append((question, answerer))
        if self.fail_on and self.fail_on in question:
            raise RuntimeError("boom")
        hits = self.retrieve(question)
        if not hits or hits[0].score < 3:
            return Answer(question, "The articles do not say.", True, [], hits)
        top = hits[0]
        return Answer(
            question,
            top.passage.text + " [1]",
            False,
            [Citation(1, top.passage, top.score)],
            hits,
            question,
            "extractive",
        )


@pytest.fixture
def fake(monkeypatch, tmp_path):
    pipeline = FakePipeline()
    opened: list[object] = []

    def open_(cls, settings=None, *, auto_ingest=True):
        opened.append(settings)
        return pipeline

    monkeypatch.setattr(Pipeline, "open", classmethod(open_))
    monkeypatch.setenv("RAG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("RAG_SEEDS_DIR", raising=False)
    pipeline.opened = opened
    return pipeline


@pytest.fixture
def gold(tmp_path) -> Path:
    lines = DEV.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(lines[:6] + lines[26:28]) + "\n", encoding="utf-8")
    return path


def test_eval_writes_report_and_exits_0(fake, gold, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["eval", str(gold), "--out", str(out), "--answerer", "extractive"]) == 0
    stdout, stderr = capsys.readouterr()
    assert re.search(r"^answer_accuracy\s+\d\.\d{3}\s+\d\.\d{3}\s+\d\.\d{3}\s", stdout, re.M)
    assert "rag eval" in stderr  # the progress bar
    for name in ("report.md", "results.jsonl", "metrics.json", "chart.png"):
        assert (out / name).is_file(), name
    metrics = json.loads((out / "metrics.json").read_text())
    assert list(metrics["systems"]) == ["product", "dense", "bm25"]
    assert metrics["systems"]["product"]["overall"]["n"] == 8
    assert metrics["systems"]["product"]["overall"]["peak_rss_mb"] > 10
    assert set(metrics["systems"]["product"]["by_kind"]) == {
        "factoid",
        "list",
        "numeric",
        "unanswerable",
    }
    assert len((out / "results.jsonl").read_text().splitlines()) == 24
    # every product question went through Pipeline.ask with the requested answerer
    assert len(fake.asked) == 8 and {a for _, a in fake.asked} == {"extractive"}


def test_min_floor_not_met_exits_1(fake, gold, tmp_path, capsys):
    code = main(
        [
            "eval",
            str(gold),
            "--out",
            str(tmp_path / "o"),
            "--min",
            "answer_accuracy=1.01",
            "--min",
            "hit@5=0",
        ]
    )
    assert code == 1
    stderr = capsys.readouterr().err
    assert "below floor: answer_accuracy" in stderr
    assert "hit@5" not in stderr.split("below floor")[-1]
    metrics = json.loads((tmp_path / "o" / "metrics.json").read_text())
    assert len(metrics["floor_failures"]) == 1


def test_min_floor_met_exits_0(fake, gold, tmp_path):
    assert (
        main(
            [
                "eval",
                str(gold),
                "--out",
                str(tmp_path / "o"),
                "--no-baselines",
                "--min",
                "verbatim_rate=1",
                "--min",
                "outlet_accuracy=1",
            ]
        )
        == 0
    )


@pytest.mark.parametrize("spec", ["answer_accuracy", "bogus=1", "hit@5=x"])
def test_malformed_min_exits_2_before_opening(fake, gold, tmp_path, capsys, spec):
    assert main(["eval", str(gold), "--out", str(tmp_path / "o"), "--min", spec]) == 2
    stderr = capsys.readouterr().err.strip()
    assert stderr.startswith("rag: --min") and "\n" not in stderr
    assert fake.opened == []


def test_missing_or_invalid_gold_exits_2(fake, tmp_path, capsys):
    assert main(["eval", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "o")]) == 2
    assert "not found" in capsys.readouterr().err
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "question": "q"}\n', encoding="utf-8")
    assert main(["eval", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert f"{bad}:1:" in capsys.readouterr().err
    assert fake.opened == []


def test_no_baselines(fake, gold, tmp_path):
    out = tmp_path / "o"
    assert main(["eval", str(gold), "--out", str(out), "--no-baselines"]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert list(metrics["systems"]) == ["product"] and metrics["ratios"] == {}
    assert len((out / "results.jsonl").read_text().splitlines()) == 8


def test_a_crashing_question_is_a_scored_error(fake, gold, tmp_path, capsys):
    fake.fail_on = "Alejnik"
    out = tmp_path / "o"
    assert main(["eval", str(gold), "--out", str(out), "--no-baselines"]) == 0
    assert "RuntimeError: boom" in capsys.readouterr().err
    overall = json.loads((out / "metrics.json").read_text())["systems"]["product"]["overall"]
    assert overall["errors"] == 2  # dev-02 and dev-03 name Alejnik
    assert "error: RuntimeError: boom" in (out / "report.md").read_text()


def test_errors_the_user_must_fix_propagate(fake, gold, tmp_path, capsys, monkeypatch):
    def broken(question, **kwargs):
        raise ModelMissing("the embedding model is missing: run `rag ingest`")

    monkeypatch.setattr(fake, "ask", broken)
    assert main(["eval", str(gold), "--out", str(tmp_path / "o")]) == 1
    assert "embedding model is missing" in capsys.readouterr().err
