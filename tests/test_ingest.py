"""Ingest is idempotent: unchanged articles are skipped, changed replaced, removed dropped."""

import shutil
from pathlib import Path

import pytest
from conftest import SEEDS

from rag.config import Settings
from rag.pipeline import Pipeline


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS, folder)
    return folder


@pytest.fixture
def fresh(tmp_path: Path) -> Pipeline:
    return Pipeline.open(
        Settings.from_env(env_file=None, data_dir=tmp_path / "data"), auto_ingest=False
    )


def passage_ids(pipeline: Pipeline) -> list[str]:
    return sorted(p.id for p in pipeline.store.iter_passages())


def test_rerun_embeds_nothing_and_changes_nothing(fresh: Pipeline, corpus: Path) -> None:
    first = fresh.ingest([corpus], progress=False)
    assert len(first.added) == 5 and first.passages > 50
    before = passage_ids(fresh)
    second = fresh.ingest([corpus], progress=False)
    assert (second.added, second.updated, second.removed, second.passages) == ([], [], [], 0)
    assert len(second.unchanged) == 5
    assert passage_ids(fresh) == before
    assert len(before) == len(set(before))


def test_changed_article_is_replaced_and_removed_one_dropped(fresh: Pipeline, corpus: Path) -> None:
    fresh.ingest([corpus], progress=False)
    tass = corpus / "002_b34942d1a9e3beda.txt"
    tass.write_text(
        tass.read_text(encoding="utf-8") + "\n\nA brand new closing sentence about talks.",
        encoding="utf-8",
    )
    (corpus / "004_cee3e169689c1ddf.txt").unlink()
    report = fresh.ingest([corpus], progress=False)
    assert report.updated == ["002_b34942d1a9e3beda"]
    assert report.removed == ["004_cee3e169689c1ddf"]
    docs = {p.doc for p in fresh.store.iter_passages()}
    assert "004_cee3e169689c1ddf" not in docs
    assert any("brand new closing sentence" in p.text for p in fresh.store.iter_passages())
    # BM25 follows the store: the removed article cannot be found lexically either.
    hits = fresh.retrieve("Putin sick head healthy one", mode="bm25", k=5)
    assert all(h.passage.doc != "004_cee3e169689c1ddf" for h in hits)


def test_interrupted_ingest_is_repaired_by_the_next_run(fresh: Pipeline, corpus: Path) -> None:
    fresh.ingest([corpus], progress=False)
    # Simulate a crash after an article's passages were written but before it was recorded.
    fresh.store.docs.delete(ids=["003_bdf8213dca084d20"])
    report = fresh.ingest([corpus], progress=False)
    assert report.added == ["003_bdf8213dca084d20"]
    ids = passage_ids(fresh)
    assert len(ids) == len(set(ids))
    assert fresh.store.count() == sum(r.passages for r in fresh.store.doc_records().values())


def test_a_bad_file_does_not_stop_the_good_ones(fresh: Pipeline, corpus: Path) -> None:
    (corpus / "broken.txt").write_bytes(b"\xff\xfe\x00garbage")
    report = fresh.ingest([corpus], progress=False)
    assert len(report.added) == 5
    assert [Path(p).name for p, _ in report.skipped] == ["broken.txt"]


def test_adding_a_folder_keeps_the_seeds(fresh: Pipeline, corpus: Path, tmp_path: Path) -> None:
    fresh.ingest([corpus], progress=False)
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "note.md").write_text(
        "---\noutlet: Local Gazette\npublished: 2024-12-01\n---\n"
        "The Gazette reports that the Terespol crossing reopened in December.",
        encoding="utf-8",
    )
    report = fresh.ingest([extra], progress=False)
    assert report.added == ["note"] and report.removed == []
    assert len(fresh.sources()) == 6
    answer = fresh.ask("Which crossing reopened in December?")
    assert not answer.abstained
    assert answer.citations[0].passage.outlet == "Local Gazette"
