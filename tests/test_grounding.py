"""The grounding check of generated answers, and the JSON answers of a structured backend."""

from __future__ import annotations

from rag.answering import grounding, structured

BORDER = (
    "Since the start of 2024, the EU has thwarted at least 22,450 illegal border crossings on "
    "its shared border with Belarus, with 19,707 attempts via Poland alone."
)


def test_a_paraphrase_with_the_passages_numbers_is_supported() -> None:
    answer = (
        "The EU stopped at least 22,450 illegal crossings in 2024, 19707 of them via Poland [1]."
    )
    assert grounding.unsupported(answer, {1: BORDER}) == ""


def test_a_number_or_name_the_sources_lack_is_named() -> None:
    assert "25,000" in grounding.unsupported("The EU stopped 25,000 crossings [1].", {1: BORDER})
    assert "Riga" in grounding.unsupported("Most went through Riga [1].", {1: BORDER})


def test_general_knowledge_is_not_supported() -> None:
    reason = grounding.unsupported("The capital of Latvia is Riga [1].", {1: BORDER})
    assert reason  # Latvia and Riga are in no source


def test_each_sentence_is_checked_against_the_source_it_cites() -> None:
    other = "Poland closed the Kuznitsa checkpoint on the border with Belarus."
    answer = "Poland closed the Kuznitsa checkpoint [2]. It stopped 19,707 attempts [2]."
    assert "19,707" in grounding.unsupported(answer, {1: BORDER, 2: other})


def test_a_non_english_answer_keeps_only_its_names_and_numbers_checked() -> None:
    answer = "ЕС остановил 22 450 попыток, 19707 из них через Польшу [1]."
    assert grounding.unsupported(answer, {1: BORDER}, english_answer=False) == ""


def test_the_json_reply_is_parsed_and_streamed_as_its_answer_text() -> None:
    raw = '{"answer": "Poland closed it [1] \\u2014 \\"fully\\"."}'
    reply = structured.parse(raw)
    assert reply == structured.StructuredReply('Poland closed it [1] — "fully".', False)
    stream = structured.AnswerFieldStream()
    shown = "".join(stream.feed(raw[i : i + 3]) for i in range(0, len(raw), 3))
    assert shown == reply.answer
    assert structured.parse('{"answer": "", "decline": true}').decline
    assert structured.parse("Poland closed it [1].") is None


def test_an_answer_may_date_its_claim_by_the_article() -> None:
    from rag.types import Passage

    passage = Passage("p", "d", "Pozirk", "Title", "2024-06-25", 0, len(BORDER), BORDER)
    answer = "In June 2024 the EU said it had thwarted 22,450 illegal border crossings [1]."
    assert grounding.unsupported(answer, {1: grounding.source_text(passage)}) == ""
