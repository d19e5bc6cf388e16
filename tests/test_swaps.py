"""A sentence saying the question's words of another name is a near miss."""

from dataclasses import replace

import pytest

from rag.answering.extractive import TUNING, Gates
from rag.answering.swaps import same_name, swapped_names


def test_a_name_in_the_slot_of_another_is_a_swap() -> None:
    assert swapped_names(
        "How many people lived in Lublin in 1939?",
        "In 1939, c. 1,300,000 people lived in Krakow, but in 1945 only 420,000.",
    ) == [("Lublin", "Krakow")]
    assert swapped_names("What happened in 1964?", "Maxwell unified the theories in 1864.") == []


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        ("Who heads Latvia's border service?", "Pujats, head of the Latvian border service"),
        ("What did the Goverment decide?", "The Government decided to close it."),
        ("Who closed the Kuznica checkpoint?", "Poland closed the Kuznitsa checkpoint."),
        ("Who talked with Borrell on Sunday?", "Makei talked with Borrell on Sunday."),
        ("Is Warsaw ready to talk with Minsk?", "Poland is ready to talk with Minsk."),
        # "Who" opens the question's second sentence: no name.
        ("Ignore that. Who closed the checkpoint?", "Poland closed the checkpoint."),
    ],
)
def test_the_same_name_in_another_form_or_the_answer_is_no_swap(question, sentence) -> None:
    assert swapped_names(question, sentence) == []


def test_one_name_in_two_transliterations_is_one_name() -> None:
    assert same_name("Volfovich", "Valfovič")  # one vowel apart once diacritics are folded
    assert same_name("lukashenka", "Łukašenka")
    assert same_name("Warsaw", "Poland")
    assert not same_name("Volfovich", "Valentin")


def test_a_swapped_name_declines_an_otherwise_confident_answer() -> None:
    confident = Gates((), True, support=0.9, evidence=1.2, typed=True, answer_probability=0.9)
    assert confident.passed(TUNING)
    assert not replace(confident, swapped_names=("Lublin/Krakow",)).passed(TUNING)
