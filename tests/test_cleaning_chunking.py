"""Cleaning drops page furniture; chunking yields short verbatim passages."""

import itertools
import json

import pytest
from conftest import SEEDS
from hypothesis import given
from hypothesis import strategies as st

from rag.chunking import MAX_PASSAGE_CHARS, clause_spans, passage_spans, sentence_spans
from rag.cleaning import Span, article_spans
from rag.ingest import make_passages
from rag.loading import load_articles

FURNITURE = [
    "POZIRK+",
    "All news",
    "Related Articles",
    "Back to top",
    "time-brightcove",
    "• Reuters",
    "© Ramil",
    "Western diplomats call for release",
    "EU stops 368 illegal migrants",
]


@pytest.fixture(scope="module")
def seed_articles():
    report = load_articles([SEEDS])
    assert not report.skipped
    return report.articles


def test_every_seed_loads_with_manifest_metadata(seed_articles) -> None:
    manifest = {e["doc"]: e for e in json.loads((SEEDS / "sources.json").read_text())}
    assert {a.doc for a in seed_articles} == set(manifest)
    for article in seed_articles:
        assert article.outlet == manifest[article.doc]["outlet"]
        assert article.published == manifest[article.doc]["published"]
        assert article.text == (SEEDS / f"{article.doc}.txt").read_text(encoding="utf-8")


def test_passages_are_verbatim_short_and_free_of_furniture(seed_articles) -> None:
    for article in seed_articles:
        passages = make_passages(article)
        assert len(passages) >= 5
        for p in passages:
            assert article.text[p.start : p.end] == p.text
            assert p.text == p.text.strip()
            # One long sentence may run over; none may be a page.
            assert len(p.text) <= 2 * MAX_PASSAGE_CHARS
            for junk in FURNITURE:
                assert junk not in p.text, (article.doc, junk, p.text)


def test_article_body_survives_cleaning(seed_articles) -> None:
    text = {a.doc: " ".join(p.text for p in make_passages(a)) for a in seed_articles}
    assert "checkpoints in Terespol and Kukuryki" in text["000_dcc372db4b33a01b"]
    assert "it was Minsk that terminated it in June 2021" in text["001_bd55bc8102364d4e"]
    assert "Poland closed the Kuznitsa checkpoint" in text["003_bdf8213dca084d20"]
    assert "approximately 2,000 migrants" in text["004_cee3e169689c1ddf"]


def test_paywalled_headline_list_is_cut_without_a_manifest_marker() -> None:
    text = (
        "Real article sentence one. Another real sentence here.\n"
        "Some teaser headline\n"
        "- PoliticsJudge defects to BelarusThe material is available only to POZIRK+\n"
        "- Politics, Security\n"
    )
    kept = " ".join(text[s.start : s.end] for s in article_spans(text))
    assert "Real article sentence one." in kept
    assert "Judge" not in kept and "teaser" not in kept


def test_sentences_do_not_split_at_abbreviations() -> None:
    text = "Mr. Putin met Dr. Smith in the U.S. on Monday. Then he left."
    sentences = [text[s.start : s.end] for s in sentence_spans(text, Span(0, len(text)))]
    assert sentences == ["Mr. Putin met Dr. Smith in the U.S. on Monday.", "Then he left."]


def test_a_table_run_together_is_cut_into_quotable_clauses() -> None:
    rows = "; ".join(f"Region {i}, {1000 + i} crossings, {i % 7} arrests" for i in range(120))
    text = f"Intro sentence about the border. The figures were: {rows}. Closing remark here."
    passages = [text[p.start : p.end] for p in passage_spans(text, [Span(0, len(text))])]
    assert len(rows) > 10 * MAX_PASSAGE_CHARS
    assert all(len(p) <= MAX_PASSAGE_CHARS for p in passages)
    assert all(p == p.strip() for p in passages)
    assert "".join(passages).replace(" ", "") == text.replace(" ", "")  # nothing lost
    middle = passages[1:-1]
    assert all(p.endswith((";", ",")) for p in middle[:-1])  # cut at clause breaks
    assert len(middle) < 2 * len(text) / MAX_PASSAGE_CHARS  # pieces are not tiny


@given(st.text(alphabet=" ,;:abcXYZ—-\n", min_size=0, max_size=3000), st.integers(20, 400))
def test_clause_spans_cover_the_text_in_short_pieces(text: str, limit: int) -> None:
    pieces = list(clause_spans(text, Span(0, len(text)), limit))
    assert all(0 < p.end - p.start <= limit for p in pieces)
    assert all(a.end <= b.start for a, b in itertools.pairwise(pieces))
    kept = "".join(text[p.start : p.end] for p in pieces)
    assert "".join(kept.split()) == "".join(text.split())
