"""A question asking what someone said is answered by a sentence in which they speak."""

from dataclasses import replace

import pytest

from rag.answering.extractive import TUNING, Gates
from rag.answering.speakers import (
    asked_speaker,
    quotes_someone_else,
    quotes_someone_else_in,
    speakers,
)
from rag.pipeline import Pipeline

MET = (
    "Belarus is ready to talk, Foreign Minister Siarhiej Alejnik told reporters in Minsk on "
    "Monday following talks with his Russian counterpart Sergei Lavrov."
)


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("What did Sergei Lavrov say after the talks?", "Sergei Lavrov"),
        ("what did lavrov tell reporters", "Lavrov"),
        ("How does Polish Foreign Minister Zbigniew Rau describe Russia?", "Rau"),
        # No one by name: a pronoun, a country, an office.
        ("what did he say", ""),
        ("What did Poland say about it?", ""),
        ("what did lithuanias foreign minister tell polish radio", ""),
        ("What did the deputy chief of Lukashenko's administration propose?", ""),
        ("Who said it?", ""),
        ("what does time say putin said", ""),  # a common word in lower case: no one
    ],
)
def test_the_person_whose_words_are_asked(question: str, asked: str) -> None:
    found = asked_speaker(question)
    assert found.split()[-1:] == asked.split()[-1:], found


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        ("In a tweet after the call, Borrell said the situation must stop.", "Borrell"),
        ("A dialogue could help, said Olga Chupris, deputy head of the administration.", "Chupris"),
        ("Now Poland is using it, added Vladimir Shapovalov.", "Shapovalov"),
        ("According to Pavel Feldman, European countries refuse.", "Feldman"),
        (MET, "Alejnik"),
        # a person's names right after an organisation's, with the title before both
        ("The Minister of Defense of the Republic Mariusz Blaszczak said so.", "Blaszczak"),
        # the one a relative clause quotes, though a country's word is in his title
        (
            "He added, referring to a statement by Polish Foreign Minister Radosław "
            "Sikorski, who said all crossings may be closed.",
            "Sikorski",
        ),
    ],
)
def test_who_speaks_in_a_sentence(sentence: str, speaker: str) -> None:
    assert [n.split()[-1] for n in speakers(sentence)] == [speaker]


def test_nobody_named_speaks_in_a_sentence_without_a_named_subject() -> None:
    assert speakers("The ministry stated that Vladimir Makei spoke with Josep Borrell.") == []
    assert speakers("“We have absolutely nothing to do with this,” he said.") == []


def test_a_sentence_quoting_another_person_than_the_one_asked_is_a_near_miss() -> None:
    assert quotes_someone_else("What did Lavrov say after the talks?", MET) == "Lavrov"
    # The one asked speaks; the one asked is not named (the absent-name rule's case); nobody
    # is found speaking (the speaker may be in the sentence before).
    assert quotes_someone_else("What did Alejnik tell reporters?", MET) == ""
    assert quotes_someone_else("What did Borrell say?", MET) == ""
    assert quotes_someone_else("What did Lavrov say?", "Lavrov’s visit, “fruitful”.") == ""


def test_a_person_only_talked_about_does_not_speak() -> None:
    talked_about = "The dialogue is impossible, since they talk with Tikhanovskaya, who is weak."
    assert quotes_someone_else("what did tikhanovskaya say", talked_about) == "Tikhanovskaya"
    # a name after a preposition and a comma is the subject of the clause after it
    spoke = "After sanctions against Minsk, Alexander Lukashenko said that the West should act."
    assert quotes_someone_else("what did lukashenko say about the west", spoke) == ""


def test_another_speaker_declines_an_otherwise_confident_answer() -> None:
    confident = Gates((), True, support=0.9, evidence=1.2, typed=True, answer_probability=0.9)
    assert confident.passed(TUNING)
    assert not replace(confident, other_speaker="Lavrov").passed(TUNING)


def test_asking_what_someone_only_mentioned_said_is_declined_saying_so(
    pipeline: Pipeline,
) -> None:
    # The articles name Lavrov only as the man Alejnik had talks with before speaking.
    answer = pipeline.ask("what did lavrov tell reporters in minsk")
    assert answer.abstained and not answer.citations
    assert "Lavrov" in answer.answer and "someone else" in answer.answer, answer.answer


def test_a_sentence_where_the_asked_person_speaks_is_preferred(pipeline: Pipeline) -> None:
    # TIME's sentence on the call names Borrell as Makei's interlocutor; the next one quotes him.
    answer = pipeline.ask("what did borrell say after his call with makei")
    assert not answer.abstained
    assert "Borrell said" in answer.answer, answer.answer


def test_a_short_surname_is_one_person_with_itself() -> None:
    assert quotes_someone_else("What did Rau tell the radio?", "Rau told the radio so.") == ""


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("Что сказал Лавров после переговоров с Алейником?", "ru"),
        ("chto skazal lavrov v minske", "ru"),
        ("Co powiedział Ławrow po rozmowach z Alejnikiem?", "pl"),
    ],
)
def test_in_another_language_too_asking_what_someone_only_mentioned_said_is_declined(
    pipeline: Pipeline, question: str, language: str
) -> None:
    answer = pipeline.ask(question)
    assert answer.abstained and not answer.citations and answer.language == language
    assert "Lavrov" in answer.answer, answer.answer


def test_in_another_language_the_person_who_speaks_is_answered(pipeline: Pipeline) -> None:
    answer = pipeline.ask("Что сказал Алейник журналистам в Минске?")
    assert not answer.abstained and "Alejnik told reporters" in answer.answer


ARTICLE_4 = (
    "Morawiecki stated to PAP that he might request talks in accordance with Article 4 of "
    "NATO’s treaty."
)


def test_in_another_language_an_acronym_may_be_asked_but_a_common_word_names_no_one() -> None:
    # "what did NATO answer…": NATO is named, Morawiecki quoted
    asked = "Што адказала НАТА на просьбу Польшчы?"
    assert quotes_someone_else_in(asked, "be", "nato on request poland", ARTICLE_4) == "NATO"
    # "who spoke of consultations under article 4": the one quoted is the answer, and
    # "Article" is nobody
    who = "хто казаў пра кансультацыі па артыкуле 4 ната"
    assert quotes_someone_else_in(who, "be", "who consultations article 4 nato", ARTICLE_4) == ""
    about = "што казалі пра артыкул 4"
    assert quotes_someone_else_in(about, "be", "article 4", ARTICLE_4) == ""


def test_the_way_someone_is_asked_to_have_put_it() -> None:
    from rag.answering.speakers import asked_verb, says_with

    assert asked_verb("How did Rau describe Russia's role?") == "describe"
    assert asked_verb("What did Rau say about Russia?") == ""  # any words of his will do
    assert says_with("call", "Rau called Russia the director.")
    assert not says_with("call", "Rau told the radio.")


def test_a_country_saying_whose_minister_is_no_country_the_sentence_swapped() -> None:
    from rag.answering.extractive import _without_nationality_of_named as without

    said = "Furthermore, Rau called Russia the director."
    assert without("What did the polish foreign minister rau call Russia?", said) == (
        "What did the foreign minister rau call Russia?"
    )
    # ...or after the name, saying whose office it is
    assert without("How did Rau, Poland's foreign minister, describe Russia?", said) == (
        "How did Rau, foreign minister, describe Russia?"
    )
    # The country stays when the person after it is not the sentence's.
    assert without("Who is Lithuania's border guard chief?", "Latvia's chief Pujats said.") == (
        "Who is Lithuania's border guard chief?"
    )


def test_who_said_a_quote_standing_alone_names_the_speaker_further_back(
    pipeline: Pipeline,
) -> None:
    from rag.types import Turn

    # “Over the past year, we have recorded 50 deaths…” stands alone after another quote of
    # his ("…,” he stressed); Valfovič is named a passage before that.
    first = pipeline.ask("how many migrants died at the border")
    assert "50 deaths" in first.answer
    answer = pipeline.ask("who said that", history=[Turn(first.question, first.answer)])
    assert not answer.abstained and "Valfovič" in answer.answer, answer.answer


def test_in_another_language_someone_only_talked_about_is_not_quoted() -> None:
    # "what did Tikhanovskaya say…": the passage names her only as the one Europe talks
    # with, inside an expert's words whose speaker stands in the passage before.
    talked_about = (
        "However, this dialogue is impossible, since European countries are not going to "
        "recognize Lukashenko's power as legitimate and continue to conduct a dialogue with "
        "Tikhanovskaya, who is not able to influence the resolution of this problem."
    )
    asked = "Што заявіла Ціханоўская пра міграцыйны крызіс?"
    gloss = "told tikhanovskaya migration crisis"
    assert quotes_someone_else_in(asked, "be", gloss, talked_about) == "Tikhanovskaya"
    spoken = "Tikhanovskaya said the crisis was staged."
    assert quotes_someone_else_in(asked, "be", gloss, spoken) == ""


@pytest.mark.parametrize(
    ("question", "speaker"),
    [
        ("who reported the 50 deaths", "Valfovič"),
        ("who said dialogue is the only way towards de-escalation", "Alejnik"),
    ],
)
def test_who_said_a_quote_naming_no_one_leads_with_its_speaker(
    pipeline: Pipeline, question: str, speaker: str
) -> None:
    # “Over the past year, we have recorded 50 deaths of migrants who were dropped off in
    # Belarus.” names no one speaking: the answer is Valfovič, named in the passage before,
    # not "Belarus" inside the quote; "reported" asks who said it, as "said" does.
    answer = pipeline.ask(question)
    assert not answer.abstained, answer.answer
    lead = answer.answer.split(" — ")[0]
    assert speaker in lead and "Belarus" not in lead, answer.answer
