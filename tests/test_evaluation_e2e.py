"""`rag eval` end to end through the real pipeline, on a 5-item subset of the dev set.

The index is built once per session in a temporary data directory.
"""

from __future__ import annotations

import contextlib
import io
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


RT = "003_bdf8213dca084d20"
RYBAKOV = "Permanent Representative of Belarus to the UN Valentin Rybakov"
FOLLOW_UP = "what did he accuse them of?"


def _gold(item_id: str, question: str, answers: list[str], evidence: str, **extra) -> dict:
    sources = [{"doc": RT, "outlet": "RT", "evidence": evidence}] if answers else []
    kind = "factoid" if answers else "unanswerable"
    return {
        "id": item_id,
        "question": question,
        "answerable": bool(answers),
        "answers": answers,
        "match": "any",
        "sources": sources,
        "kind": kind,
        **extra,
    }


@pytest.fixture(scope="session")
def conversation_eval(e2e):
    """A three-turn conversation, the same follow-up asked alone, and a question with `lang`,
    through `rag eval` on the index the first fixture built."""
    items = [
        _gold(
            "un-1",
            "Who is Belarus' permanent representative to the UN?",
            ["Rybakov"],
            RYBAKOV,
            conversation="un",
            turn=1,
        ),
        _gold(
            "putin",
            "What did Putin say about the migrant crisis?",
            [],
            "",
            conversation="tm",
            turn=1,
        ),  # another conversation in between: its turns are not un's history
        _gold(
            "un-2",
            FOLLOW_UP,
            ["preferences", "funds"],
            "additional preferences and funds",
            conversation="un",
            turn=2,
        ),
        _gold(
            "un-3",
            "and what is Minsk waiting for?",
            ["first step"],
            "waiting for the first step",
            conversation="un",
            turn=3,
        ),
        _gold("alone", FOLLOW_UP, [], ""),  # no history: "he" is nobody
        _gold(
            "ru", "Кто возглавляет латвийскую погранслужбу?", ["Pujats"], "Guntis Pujats", lang="ru"
        ),
    ]
    base = e2e["base"]
    gold = base / "conversations.jsonl"
    gold.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), "utf-8")
    out = base / "out-conversations"
    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(printed):
        _env(mp, base / "data")
        code = main(["eval", str(gold), "--out", str(out)])
    results = [json.loads(x) for x in (out / "results.jsonl").read_text("utf-8").splitlines()]
    product = {r["id"]: r for r in results if r["system"] == "product"}
    metrics = json.loads((out / "metrics.json").read_text("utf-8"))
    return {
        "code": code,
        "out": out,
        "product": product,
        "metrics": metrics,
        "printed": printed.getvalue(),
    }


def _shown(result: dict) -> str:
    return result["answer"] + " ".join(c["passage"] for c in result["citations"])


def test_a_follow_up_is_answered_with_its_conversation_as_history(conversation_eval):
    assert conversation_eval["code"] == 0
    product = conversation_eval["product"]
    assert "Rybakov" in _shown(product["un-1"])
    # "he" is Rybakov only because the runner passed un's earlier turn, not Putin's
    assert "Rybakov" in _shown(product["un-2"])
    assert "Rybakov" not in _shown(product["alone"])
    assert (product["un-2"]["conversation"], product["un-2"]["turn"]) == ("un", 2)
    assert product["alone"]["conversation"] is None and product["ru"]["lang"] == "ru"


def test_metrics_and_report_break_down_by_turn_and_language(conversation_eval):
    systems = conversation_eval["metrics"]["systems"]
    for name in ("product", "dense", "bm25"):
        by_turn = systems[name]["by_turn"]
        assert {t: m["n"] for t, m in by_turn.items()} == {"turn 1": 4, "turn 2": 1, "turn 3+": 1}
        assert {lang: m["n"] for lang, m in systems[name]["by_lang"].items()} == {
            "(no lang)": 5,
            "ru": 1,
        }
    product = systems["product"]
    assert product["by_turn"]["turn 1"]["n_answerable"] == 2
    report = (conversation_eval["out"] / "report.md").read_text("utf-8")
    for heading in ("## By kind", "## By turn position", "## By language"):
        assert heading in report
    assert "\n| turn 2 | 1 |" in report and "\n| ru | 1 |" in report
    printed = conversation_eval["printed"]
    assert "answer accuracy by turn position" in printed
    assert "answer accuracy by language" in printed


def test_a_set_without_turns_or_lang_has_no_such_breakdown(e2e):
    metrics = json.loads((e2e["out"] / "metrics.json").read_text("utf-8"))
    assert metrics["systems"]["product"]["by_turn"] == {}
    assert metrics["systems"]["product"]["by_lang"] == {}
    assert "## By turn position" not in (e2e["out"] / "report.md").read_text("utf-8")
