"""Questions that ask two things: split into parts, each answered, joined with one numbering."""

import pytest

from rag.compound import Part, merge, split_question
from rag.pipeline import Pipeline
from rag.types import Answer, Citation, Passage


def queries(question: str) -> list[str]:
    return [p.query for p in split_question(question)]


def test_two_questions_joined_by_and_become_two_parts() -> None:
    parts = split_question("Who closed the crossing at Kuznica, and when did Lithuania shut hers?")
    assert [p.asked for p in parts] == [
        "Who closed the crossing at Kuznica?",
        "when did Lithuania shut hers?",
    ]


@pytest.mark.parametrize(
    "question",
    [
        "Which countries closed their borders and when?",  # one sentence says both
        "who said what and when",
        "Why did Poland close the border?",
        "Poland closed the border, and why?",  # a statement first: not two questions
        "What did the expert who spoke to RT say?",  # a relative "who", not a second question
    ],
)
def test_one_question_stays_whole(question: str) -> None:
    assert queries(question) == [question]


def test_a_part_without_its_verb_gets_the_first_parts_words() -> None:
    _, second = queries(
        "how many people crossed into Latvia by early March 2023, and how many by late October?"
    )
    # The second part's own month replaces the first's, with its "by early".
    assert second.startswith("how many")
    assert "people crossed into Latvia" in second and "late October" in second
    assert "March" not in second and "early" not in second


def test_a_part_that_stands_alone_is_not_completed() -> None:
    _, second = queries("Whom does Warsaw blame for the crisis, and which countries does RT blame?")
    assert second == "which countries does RT blame?"


def test_a_part_pointing_back_gets_the_first_parts_words_and_its_own_year() -> None:
    _, second = queries("Who ran the border guard in 2021, and who held the post by 2024?")
    assert "border guard" in second and "2024" in second and "2021" not in second


def test_a_part_naming_its_own_source_drops_the_first_parts() -> None:
    _, second = queries(
        "Who was the minister according to TASS in 2021, and who held the post according to "
        "Pozirk in 2024?"
    )
    assert "TASS" not in second and "Pozirk" in second and "2021" not in second


def test_a_yes_or_no_after_a_dash_keeps_its_verb_first() -> None:
    _, second = queries("How many migrants were at the border in May — do the outlets agree?")
    assert second.startswith("do the outlets agree") and "migrants" in second


def passage(doc: str, text: str) -> Passage:
    return Passage(f"{doc}-0", doc, "X", "t", "2024-01-01", 0, len(text), text)


def test_merge_numbers_sources_once_and_names_a_declined_part() -> None:
    a, b = passage("a", "Alpha."), passage("b", "Beta.")
    parts = [Part("p1?", "p1?"), Part("p2?", "p2?"), Part("p3?", "p3?")]
    answers = [
        Answer("p1?", "Alpha [1]. Beta [2].", False, [Citation(1, a, 1.0), Citation(2, b, 0.5)]),
        Answer("p2?", "Beta again [1].", False, [Citation(1, b, 0.9)]),
        Answer("p3?", "declined", True),
    ]
    merged = merge("whole?", parts, answers, lambda part: f"not: {part}")
    assert not merged.abstained and merged.question == "whole?"
    assert [c.n for c in merged.citations] == [1, 2]
    assert merged.answer.splitlines() == ["Alpha [1]. Beta [2].", "Beta again [2].", "not: p3?"]


def test_each_part_is_answered_from_its_own_article(pipeline: Pipeline) -> None:
    answer = pipeline.ask(
        "how many attempts via Poland had Pozirk counted by late June 2024, "
        "and how many by mid-November?"
    )
    assert not answer.abstained
    assert "19,707" in answer.answer and "28,668" in answer.answer
    assert {c.passage.published[:7] for c in answer.citations} == {"2024-06", "2024-11"}


def test_a_part_the_articles_do_not_answer_is_named(pipeline: Pipeline) -> None:
    answer = pipeline.ask("Who closed the Kuznica checkpoint, and how many people live in Finland?")
    assert not answer.abstained and "Poland" in answer.answer
    assert "do not answer this part" in answer.answer and "Finland" in answer.answer
