"""A sentence naming a person by surname counts the words its article introduced them with."""

from rag.answering.mentions import first_mentions, mention_terms
from rag.normalize import terms
from rag.pipeline import Pipeline

ARTICLE = (
    "Vladimir Putin Denies Stoking the Migrant Crisis at the Belarus-Poland Border\n"
    "The Polish authorities are ready, Foreign Minister Zbigniew Rau told the radio.\n"
    "In addition, the Minister of Defense of the Republic Mariusz Blaszczak said so.\n"
    "Vladimir Makei, Belarus’ foreign minister, spoke with Josep Borrell.\n"
    "Furthermore, Rau called Russia the ‘director’ of the crisis."
)


def test_a_person_is_described_by_the_title_before_and_the_apposition_after_the_name() -> None:
    described = first_mentions(ARTICLE)
    assert described["rau"].split() == ["Foreign", "Minister", "Zbigniew", "Rau"]
    assert "Minister of Defense of the Republic" in described["blaszczak"]
    assert "foreign minister" in described["makei"]


def test_a_headline_in_title_case_names_no_one() -> None:
    assert "stoking" not in first_mentions(ARTICLE)
    assert "putin" not in first_mentions(ARTICLE)  # only the headline names him here


def test_a_surname_alone_carries_its_first_mentions_words() -> None:
    found = mention_terms("Furthermore, Rau called Russia the ‘director’.", ARTICLE)
    assert set(terms("Foreign Minister Zbigniew")) <= found
    assert mention_terms("Russia called it a crisis.", ARTICLE) == set()


def test_how_a_minister_described_something_quotes_his_later_sentence(pipeline: Pipeline) -> None:
    # TASS names Rau in full once; the sentence with his description of Russia says "Rau".
    answer = pipeline.ask("how did polish foreign minister zbigniew rau describe russia")
    assert not answer.abstained and "director" in answer.answer, answer.answer


def test_a_nationality_that_describes_the_named_person_need_not_be_in_the_passage(
    pipeline: Pipeline,
) -> None:
    # RT names Feldman by his institute, never as "Russian": he is no other person to find.
    answer = pipeline.ask(
        "According to the Russian analyst Pavel Feldman, why do European governments avoid "
        "holding talks with the authorities in Minsk?"
    )
    assert not answer.abstained and "Feldman" in answer.answer
    # ...while a country that is the question's own subject still must be there.
    swapped = pipeline.ask("How many troops did Lithuania send to the border?")
    assert swapped.abstained
