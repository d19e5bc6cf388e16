"""The word-by-word English gloss of a non-English question (rag.gloss), on the real
multilingual model and the seeds' vocabulary."""

from __future__ import annotations

import pytest

from rag.pipeline import Pipeline


@pytest.fixture(scope="module")
def gloss(pipeline: Pipeline):
    return pipeline.retriever.gloss


def test_inflected_names_in_other_scripts_become_the_articles_spelling(gloss) -> None:
    assert "shapovalov" in gloss("Dlaczego według Szapowałowa sytuacja jest wygodna?", "pl").split()
    assert "feldman" in gloss("По мнению Павла Фельдмана", "ru").split()
    assert "borrell" in gloss("размаўляў з Жазэпам Барэлем", "be").split()


def test_common_words_take_their_english_neighbour(gloss) -> None:
    words = gloss("Dlaczego według Szapowałowa sytuacja na granicy jest wygodna?", "pl").split()
    assert {"according", "situation", "border"} <= set(words)


def test_belarusian_is_respelled_for_the_model_that_reads_russian(gloss) -> None:
    # "У якім універсітэце": the model has no Belarusian; respelled, it reads "university".
    assert "university" in gloss("У якім універсітэце працуе Уладзімір Шапавалаў?", "be").split()


def test_nothing_outside_the_articles_words_comes_out(gloss, pipeline: Pipeline) -> None:
    vocabulary = pipeline.retriever.lexical.surface_words()
    words = gloss("Какая столица Перу и сколько там жителей?", "ru").split()
    assert all(w in vocabulary or w.isdigit() for w in words)


def test_a_polish_question_about_a_named_expert_quotes_his_account(pipeline: Pipeline) -> None:
    answer = pipeline.ask("Co powiedział Szapowałow o polskim rządzie?")
    assert not answer.abstained and answer.language == "pl"
    cited = answer.citations[0].passage
    assert "Polish government" in cited.text and cited.outlet == "RT"
