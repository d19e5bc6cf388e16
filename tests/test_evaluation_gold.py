"""Gold file loading, gold-vs-corpus checks, manifest loading and --min parsing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.errors import UsageError
from rag.evaluation.corpus import ArticleTexts, load_manifest
from rag.evaluation.gates import check_floors, parse_floors
from rag.evaluation.gold import check_against_corpus, load_gold

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "seeds" / "gold" / "dev.jsonl"
CORPUS = ROOT / "seeds" / "corpus"

GOOD = {
    "id": "x-1",
    "question": "Who?",
    "answerable": True,
    "answers": ["Alejnik"],
    "match": "any",
    "sources": [{"doc": "000_dcc372db4b33a01b", "outlet": "Pozirk", "evidence": "Alejnik"}],
    "kind": "factoid",
}


def write(tmp_path: Path, *objs: object, name: str = "g.jsonl") -> Path:
    path = tmp_path / name
    path.write_text(
        "\n".join(o if isinstance(o, str) else json.dumps(o) for o in objs) + "\n",
        encoding="utf-8",
    )
    return path


def test_loads_the_dev_set():
    items = load_gold(DEV)
    assert len(items) == 30
    assert len({i.id for i in items}) == 30
    by_id = {i.id: i for i in items}
    assert by_id["dev-04"].match == "all"
    assert by_id["dev-04"].answers == ("Terespol", "Kukuryki")
    assert by_id["dev-27"].answerable is False and by_id["dev-27"].sources == ()
    assert len(by_id["dev-25"].sources) == 3
    assert by_id["dev-25"].evidence[0] == "which began in the spring of 2021"


def test_dev_evidence_is_in_the_corpus():
    items = load_gold(DEV)
    assert check_against_corpus(items, ArticleTexts(CORPUS), load_manifest(CORPUS)) == []


def test_gold_check_reports_missing_evidence_doc_and_outlet(tmp_path):
    bad = [
        {**GOOD, "id": "a", "sources": [{**GOOD["sources"][0], "evidence": "not there at all"}]},
        {**GOOD, "id": "b", "sources": [{**GOOD["sources"][0], "doc": "999_missing"}]},
        {**GOOD, "id": "c", "sources": [{**GOOD["sources"][0], "outlet": "TASS"}]},
    ]
    items = load_gold(write(tmp_path, *bad))
    problems = check_against_corpus(items, ArticleTexts(CORPUS), load_manifest(CORPUS))
    assert len(problems) == 3
    assert problems[0].startswith("a: evidence")
    assert problems[1].startswith("b: article '999_missing' not found")
    assert problems[2].startswith("c: outlet 'TASS'") and "'Pozirk'" in problems[2]


def test_manifest_maps_docs_to_outlets(tmp_path):
    outlets = load_manifest(CORPUS)
    assert outlets["002_b34942d1a9e3beda"] == "TASS"
    assert outlets["004_cee3e169689c1ddf"] == "TIME"
    assert load_manifest(tmp_path) is None
    (tmp_path / "sources.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(UsageError, match=r"sources\.json"):
        load_manifest(tmp_path)


def test_article_texts_reads_and_caches(tmp_path):
    (tmp_path / "a.txt").write_text("hello", encoding="utf-8")
    texts = ArticleTexts(tmp_path)
    assert texts("a") == "hello"
    (tmp_path / "a.txt").write_text("changed", encoding="utf-8")
    assert texts("a") == "hello"
    assert texts("missing") is None


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not valid JSON"),
        ('["a list"]', "expected a JSON object"),
        ({**GOOD, "id": ""}, "'id' must be a non-empty string"),
        ({**GOOD, "kind": None}, "'kind' must be a non-empty string"),
        ({**GOOD, "answerable": "yes"}, "'answerable' must be true or false"),
        ({**GOOD, "answers": "Alejnik"}, "'answers' must be a list of strings"),
        ({**GOOD, "match": "some"}, "'match' must be"),
        ({**GOOD, "sources": [{"doc": "x"}]}, "non-empty 'doc' and 'evidence'"),
        ({**GOOD, "answers": []}, "needs at least one answer string"),
        ({**GOOD, "sources": []}, "needs at least one source"),
        ({**GOOD, "id": "x-0"}, "id 'x-0' is used twice"),
    ],
)
def test_malformed_lines_name_the_line(tmp_path, line, message):
    path = write(tmp_path, {**GOOD, "id": "x-0"}, line)
    with pytest.raises(UsageError, match=message) as info:
        load_gold(path)
    assert f"{path}:2:" in str(info.value)


def test_missing_empty_and_blank_line_files(tmp_path):
    with pytest.raises(UsageError, match="not found"):
        load_gold(tmp_path / "nope.jsonl")
    with pytest.raises(UsageError, match="holds no items"):
        load_gold(write(tmp_path, "", name="empty.jsonl"))
    items = load_gold(write(tmp_path, GOOD, "", {**GOOD, "id": "x-2"}, name="blank.jsonl"))
    assert [i.id for i in items] == ["x-1", "x-2"]
    unanswerable = {**GOOD, "answerable": False, "answers": [], "sources": []}
    assert load_gold(write(tmp_path, unanswerable, name="u.jsonl"))[0].answerable is False


def test_parse_floors():
    assert parse_floors(["hit@5=0.8", " answer_accuracy = 0.5 "]) == {
        "hit@5": 0.8,
        "answer_accuracy": 0.5,
    }
    assert parse_floors([]) == {}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("hit@5", "malformed"),
        ("=0.5", "malformed"),
        ("hit@5=", "malformed"),
        ("accuracy=0.5", "unknown metric 'accuracy'"),
        ("hit@5=high", "not a number"),
        ("hit@5=nan", "not a number"),
    ],
)
def test_parse_floors_rejects(spec, message):
    with pytest.raises(UsageError, match=message):
        parse_floors([spec])


def test_check_floors():
    metrics = {"answer_accuracy": 0.7, "hit@5": 0.9, "citation_precision": None}
    assert check_floors(metrics, {"answer_accuracy": 0.7, "hit@5": 0.5}) == []
    failures = check_floors(metrics, {"answer_accuracy": 0.8, "citation_precision": 0.1})
    assert len(failures) == 2
    assert failures[0].startswith("answer_accuracy = 0.7 is below the floor 0.8")
    assert failures[1].startswith("citation_precision could not be measured")


def turn(conversation: str, number: int, **extra: object) -> dict:
    return {
        **GOOD,
        "id": f"{conversation}-{number}",
        "conversation": conversation,
        "turn": number,
        **extra,
    }


def test_conversation_turn_and_lang_are_read(tmp_path):
    path = write(
        tmp_path,
        {**GOOD, "id": "single", "lang": "RU"},
        turn("a", 1),
        turn("b", 1),  # conversations may interleave: each counts its own turns
        turn("a", 2),
        turn("a", 3),
        turn("a", 4),
    )
    items = {i.id: i for i in load_gold(path)}
    assert items["single"].conversation is None and items["single"].turn == 1
    assert items["single"].lang == "ru" and items["a-1"].lang is None
    assert [items[f"a-{n}"].turn for n in (1, 2, 3, 4)] == [1, 2, 3, 4]
    assert items["b-1"].conversation == "b"
    labels = [items[k].turn_label for k in ("single", "a-1", "a-2", "a-3", "a-4")]
    assert labels == ["turn 1", "turn 1", "turn 2", "turn 3+", "turn 3+"]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([turn("a", 0)], "'turn' must be a positive whole number"),
        ([turn("a", "1")], "'turn' must be a positive whole number"),
        ([turn("a", True)], "'turn' must be a positive whole number"),
        ([turn("a", 1.0)], "'turn' must be a positive whole number"),
        ([{**GOOD, "conversation": "a"}], "'turn' must be a positive whole number"),
        ([{**GOOD, "turn": 1}], "'conversation' must be a non-empty string"),
        ([turn(" ", 1)], "'conversation' must be a non-empty string"),
        ([{**turn("a", 1), "conversation": 7}], "'conversation' must be a non-empty string"),
        ([turn("a", 2)], "conversation 'a' needs turn 1 here, not 2"),
        ([turn("a", 1), turn("a", 3)], "conversation 'a' needs turn 2 here, not 3"),
        ([turn("a", 1), {**turn("a", 1), "id": "again"}], "needs turn 2 here, not 1"),
        ([{**GOOD, "lang": "rus"}], "'lang' must be a 2-letter language code"),
        ([{**GOOD, "lang": 7}], "'lang' must be a 2-letter language code"),
        ([{**GOOD, "lang": "r1"}], "'lang' must be a 2-letter language code"),
    ],
)
def test_bad_conversation_turn_or_lang_names_the_line(tmp_path, lines, message):
    path = write(tmp_path, {**GOOD, "id": "first"}, *lines)
    with pytest.raises(UsageError, match=message) as info:
        load_gold(path)
    text = str(info.value)
    assert f"{path}:{1 + len(lines)}:" in text and "\n" not in text
