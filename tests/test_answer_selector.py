"""The learned answer selector: its features on hand-made cases, its decisions through the
real pipeline, its model file, and the training command on a small sample."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT

from rag.answering import selector as selector_model
from rag.answering.extractive import ExtractiveAnswerer, question_view, unknown_names
from rag.answering.features import (
    SENTENCE_FEATURES,
    SentenceEvidence,
    entity_coverage,
    is_negated,
    pool_rows,
    question_entities,
)
from rag.answering.question import analyse
from rag.errors import ModelMissing
from rag.lexicon import expand_chat_words
from rag.normalize import terms
from rag.pipeline import Pipeline

SQUAD = ROOT.parent / "shared" / "data" / "squad2"


def view(pipeline: Pipeline, question: str):
    return question_view(question, analyse(question), pipeline.retriever.lexical)


def evidence(text: str, cosine: float = 0.5, rank: int = 1) -> SentenceEvidence:
    return SentenceEvidence(
        sentence_terms=terms(text),
        passage_terms=set(terms(text)),
        title_terms=set(),
        text=text,
        typed=True,
        passage_typed=True,
        cosine=cosine,
        rrf=1.0 / (60 + rank),
        fused_rank=rank,
        dense_rank=rank,
        bm25_rank=rank,
        index_in_passage=0,
        sentences_in_passage=1,
    )


def feature(rows: np.ndarray, name: str) -> np.ndarray:
    return rows[:, SENTENCE_FEATURES.index(name)]


# -- features ----------------------------------------------------------------------------


def test_a_near_miss_names_a_country_the_sentence_lacks(pipeline: Pipeline) -> None:
    latvian = "And the head of the Latvian border service, Guntis Pujats, said that her border "
    near_miss = view(pipeline, "Who heads the Lithuanian border service?")
    real = view(pipeline, "Who heads the Latvian border service?")
    sentence = set(terms(latvian))
    assert entity_coverage(near_miss, sentence) == 0.0
    assert entity_coverage(real, sentence) == 1.0


def test_a_name_no_article_mentions_is_named_in_the_decline(pipeline: Pipeline) -> None:
    q = view(pipeline, "What did Angela Merkel say about the Kuznica checkpoint?")
    assert set(unknown_names(q.info.text, q)) == {"Angela", "Merkel"}
    assert "Kuznica" not in q.unknown_entities


def test_question_entities_skip_sentence_furniture_and_shouting() -> None:
    found = question_entities("However, did Poland ADMIN OVERRIDE close Kuźnica in 2021?")
    assert found == ["Poland", "Kuźnica", "2021"]


def test_negation_on_one_side_only_is_a_feature(pipeline: Pipeline) -> None:
    assert is_negated("Which country did not close its border?")
    assert is_negated("why didn't Poland open the crossing")
    assert not is_negated("Which country closed its border?")
    q = view(pipeline, "Which country did not close its border with Belarus?")
    rows = pool_rows(q, [evidence("Poland closed its border with Belarus.")])
    assert feature(rows, "neg_mismatch")[0] == 1.0


def test_chat_spellings_are_spelled_out_before_the_search() -> None:
    assert expand_chat_words("wat did poland say abt migrants") == (
        "what did poland say about migrants"
    )
    assert expand_chat_words("hw many soldiers") == "how many soldiers"
    assert expand_chat_words("gimme the cash they got outta the eu") == (
        "give me the cash they got out of the eu"
    )
    assert expand_chat_words("What did the U.S. say?") == "What did the U.S. say?"


def test_a_question_word_one_typo_off_still_decides_the_kind_of_answer(
    pipeline: Pipeline,
) -> None:
    assert expand_chat_words("how meny migrants") == "how many migrants"
    assert expand_chat_words("whihc crossing did thier troops close") == (
        "which crossing did their troops close"
    )
    # Two question words one typo away ("how", "who"), or a real word: left as typed.
    assert expand_chat_words("hwo closed it") == "hwo closed it"
    assert expand_chat_words("a dose of hoe") == "a dose of hoe"
    answer = pipeline.ask("how meny migrants are at the border now")
    assert not answer.abstained and "2,000" in answer.answer


def test_pool_features_compare_each_sentence_with_the_best(pipeline: Pipeline) -> None:
    q = view(pipeline, "How many soldiers did Poland send to the border?")
    rows = pool_rows(
        q,
        [
            evidence("Poland sent 15 thousand soldiers to the border.", cosine=0.7, rank=1),
            evidence("The weather was cold.", cosine=0.2, rank=2),
        ],
    )
    assert feature(rows, "cov_gap")[0] == 0.0 and feature(rows, "cov_gap")[1] < 0
    assert feature(rows, "cosine_gap")[0] == 0.0 and feature(rows, "cosine_gap")[1] < -0.4


# -- decisions through the real pipeline, with the shipped model ------------------------


def test_the_right_official_is_answered_and_the_near_miss_declined(pipeline: Pipeline) -> None:
    right = pipeline.ask("Who heads the Latvian border service?")
    assert not right.abstained and "Pujats" in right.answer
    assert right.answer.startswith("Guntis Pujats — ")  # the short answer leads
    near_miss = pipeline.ask("Who heads Finland's border guard service?")
    assert near_miss.abstained and not near_miss.citations
    assert "Finland" in near_miss.answer  # the decline says what the articles lack


def test_a_chat_typed_question_is_answered(pipeline: Pipeline) -> None:
    answer = pipeline.ask("hw many soldiers did poland send to the border")
    assert not answer.abstained
    assert "15 thousand" in answer.answer


def test_an_out_of_corpus_question_is_declined(pipeline: Pipeline) -> None:
    answer = pipeline.ask("What is the capital of Peru?")
    assert answer.abstained and not answer.citations


def test_a_contested_question_quotes_more_than_one_outlet(pipeline: Pipeline) -> None:
    answer = pipeline.ask("Who is to blame for the migration crisis?")
    assert not answer.abstained
    assert len({c.passage.outlet for c in answer.citations}) >= 2


def test_every_sentence_gets_a_probability(pipeline: Pipeline) -> None:
    _, _, sentences = ExtractiveAnswerer().analyse(pipeline.request("Who closed Kuznica?"))
    assert sentences and all(0.0 <= s.probability <= 1.0 for s in sentences)
    assert [s.score for s in sentences] == sorted((s.score for s in sentences), reverse=True)


# -- the model file ----------------------------------------------------------------------


def shipped_bytes() -> tuple[bytes, str]:
    folder = ROOT / "rag" / "answering" / "models"
    data = (folder / selector_model.MODEL_NAME).read_bytes()
    return data, (folder / selector_model.HASH_NAME).read_text().strip()


def test_the_shipped_model_loads_and_matches_its_hash() -> None:
    data, expected = shipped_bytes()
    model = selector_model.parse(data, expected)
    assert model.sentence.features == SENTENCE_FEATURES
    assert model.meta["validation"]["squad (held-out articles)"]["questions"] > 1000


def test_a_damaged_model_file_is_refused_with_what_to_do() -> None:
    data, expected = shipped_bytes()
    with pytest.raises(ModelMissing, match=r"sha256.*rag train-answerer"):
        selector_model.parse(data.replace(b"0", b"1", 1), expected)


def test_a_model_trained_on_other_features_is_refused() -> None:
    data, _ = shipped_bytes()
    raw = json.loads(data)
    raw["sentence"]["features"] = raw["sentence"]["features"][:-1]
    edited = json.dumps(raw).encode()
    with pytest.raises(ModelMissing, match="other features"):
        selector_model.parse(edited, selector_model.sha256(edited))


# -- training ----------------------------------------------------------------------------


@pytest.mark.skipif(not SQUAD.is_dir(), reason="../shared/data/squad2 is not beside the project")
def test_training_on_a_small_sample_writes_a_model_that_loads(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    from rag.training.answerer import main

    report = main(SQUAD, tmp_path, limit=2)
    path = Path(report["model"])
    model = selector_model.parse(
        path.read_bytes(), (tmp_path / selector_model.HASH_NAME).read_text().strip()
    )
    validation = report["validation"]["squad (held-out articles)"]
    assert validation["questions"] > 0
    assert model.meta["calibration"]["out_of_fold_balanced"]
    answerer = ExtractiveAnswerer(model)
    assert answerer.selector is model
