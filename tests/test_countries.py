"""The near-miss check on countries (rag.countries) and what a user sees of it."""

from __future__ import annotations

import pytest

from rag.countries import asked_country_noun, countries, swapped_country
from rag.pipeline import Pipeline


def test_names_adjectives_capitals_and_chat_spellings_name_the_country() -> None:
    assert countries("Polish troops near Warsaw") == {"poland"}
    assert countries("wat did lithuanias minister say") == {"lithuania"}
    assert countries("the United Kingdom and the Kremlin") == {"united kingdom", "russia"}
    assert countries("the EU's western neighbours") == frozenset()  # a union, not a country
    # every country, not only those of this story
    assert countries("Ireland and Albania backed it") == {"ireland", "albania"}
    assert countries("Irish and Brazilian diplomats") == {"ireland", "brazil"}


def test_a_sentence_about_another_country_is_a_near_miss() -> None:
    passage = sentence = "Latvia's border guard chief said 40 migrants were stopped."
    assert swapped_country("who is lithuania's border guard chief", sentence, passage)
    # The asked country anywhere in the passage keeps the sentence (the context names it).
    assert not swapped_country(
        "what did lithuania say", sentence, "Lithuania and Latvia met. " + passage
    )
    # No country in the sentence: nothing contradicts the question.
    assert not swapped_country("who is lithuania's chief", "He said so.", "He said so.")


def test_a_question_about_another_countrys_minister_is_declined(pipeline: Pipeline) -> None:
    # The articles quote Poland's defence minister, not Latvia's or Lithuania's.
    for question in ("who is the latvian defence minister", "who is lithuania's defence minister"):
        answer = pipeline.ask(question)
        assert answer.abstained and not answer.citations, question
    found = pipeline.ask("who is the polish defence minister")
    assert not found.abstained and "Blaszczak" in found.answer
    # Not the other minister the sentence names, offered as the short answer.
    assert not found.answer.startswith("Prime Minister")


def test_countries_in_a_compound_are_a_place_not_the_subject() -> None:
    title = "Vladimir Putin Denies Stoking the Migrant Crisis at the Belarus-Poland Border"
    assert not swapped_country("did russia stoke the crisis", title, title)


def test_a_country_named_as_the_borders_place_is_no_swap() -> None:
    sentence = "Warsaw and Vilnius sent troops to the border."
    # Belarus is where the border is; the troops asked about are Poland's.
    assert not swapped_country(
        "how many troops poland has at the belarus border", sentence, sentence
    )
    # "Lithuania's border guard" is Lithuania's: a possessive stays the actor.
    latvia = "Guntis Pujats, head of Latvia's State Border Guard, said so."
    assert swapped_country("Who heads Lithuania's border guard?", latvia, latvia)


def test_a_question_asking_which_countries_is_answered_by_naming_others() -> None:
    sentence = "From the EU side, France, Norway, Ireland and Estonia joined the statement."
    asked = "Which countries joined the UN statement on Belarus from the EU side?"
    assert not swapped_country(asked, sentence, sentence)
    assert not swapped_country("what other european nations backed it", sentence, sentence)
    # Asking about one country still makes a sentence about others a near miss.
    assert swapped_country("did belarus join the statement", sentence, sentence)


@pytest.mark.parametrize(
    ("question", "noun"),
    [
        ("Apart from the US and the UK, which countries put their names to it?", "countries"),
        ("which four countries joined the statement", "countries"),
        ("what nation closed the border?", "nation"),
        # a country noun as the subject, or naming an office, asks for no country
        ("what did EU countries do about the conference?", ""),
        ("Which state secretary of Belarus' Security Council spoke?", ""),
        ("who closed the checkpoint?", ""),
    ],
)
def test_the_country_noun_a_question_asks_for(question: str, noun: str) -> None:
    assert asked_country_noun(question) == noun
