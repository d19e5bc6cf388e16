"""Follow-ups resolved against the conversation, and questions that name an outlet."""

from __future__ import annotations

import pytest

from rag.conversation import (
    Histories,
    answer_names,
    asks_for_source,
    named_outlets,
    standalone_query,
)
from rag.coreference import person_names
from rag.pipeline import Pipeline
from rag.types import Turn

CLOSED = Turn(
    "Who closed the Kuznica checkpoint?",
    "Poland — Against the background of the aggravated situation, Poland closed the "
    "Kuznitsa checkpoint on the border with Belarus [1].",
)


def test_a_follow_up_with_its_own_question_word_keeps_it_first() -> None:
    query = standalone_query("When did that happen?", [CLOSED])
    assert query.startswith("When did that happen")
    assert "Kuznica checkpoint" in query


def test_an_elliptic_follow_up_about_another_country_asks_the_question_of_it() -> None:
    previous = Turn("How many migrants tried to cross via Poland?", "28,668 attempts [1].")
    assert standalone_query("and via Latvia?", [previous]) == (
        "How many migrants tried to cross via Latvia"
    )
    previous = Turn("Who heads Latvia's border service?", "Guntis Pujats — … [1].")
    query = standalone_query("and Lithuania's?", [previous])
    assert query == "Who heads Lithuania's border service"


def test_and_what_about_someone_else_asks_the_question_of_them() -> None:
    previous = Turn("what did Truss say", "“This carefully crafted crisis…,” Truss said [1].")
    for follow_up in ("and what about Putin?", "but how about Putin", "what about Putin"):
        assert standalone_query(follow_up, [previous]) == "what did Putin say"


def test_an_elliptic_follow_up_about_another_office_asks_the_question_of_it() -> None:
    previous = Turn(
        "Who is the state secretary of Belarus' Security Council quoted by Pozirk?",
        "Alaksandar Valfovič — … [1].",
    )
    assert standalone_query("and the foreign minister?", [previous]) == (
        "Who is the foreign minister of Belarus' Security Council quoted by Pozirk"
    )
    previous = Turn("Who is the Polish foreign minister?", "Zbigniew Rau — … [1].")
    assert standalone_query("and the defence minister?", [previous]) == (
        "Who is the Polish defence minister"
    )


def test_and_another_country_replaces_the_actor_not_the_border_it_stands_at() -> None:
    previous = Turn("how many soldiers did Poland have on the Belarus border?", "15 thousand [1].")
    assert standalone_query("and lithuania?", [previous]) == (
        "how many soldiers did lithuania have on the Belarus border"
    )


def test_an_elliptic_follow_up_with_two_countries_before_it_extends_the_question() -> None:
    previous = Turn("How many migrants crossed from Belarus into Lithuania?", "… [1].")
    assert standalone_query("and via Latvia?", [previous]) == (
        "How many migrants crossed from Belarus into Lithuania and via Latvia"
    )


def test_a_person_pronoun_is_replaced_by_the_person_last_named() -> None:
    first = Turn("where does Pavel Feldman work", "According to Pavel Feldman, … RUDN … [1].")
    second = standalone_query("what does he expect the EU to do to Belarus", [first])
    assert second == "what does Feldman expect the EU to do to Belarus"
    # ...and "and Shapovalov?" asks the same of another person.
    turns = [first, Turn("what does he expect the EU to do to Belarus", "… sanctions … [1].")]
    assert standalone_query("and Shapovalov?", turns) == (
        "what does Shapovalov expect the EU to do to Belarus"
    )


def test_a_pronoun_asking_about_the_answer_keeps_the_previous_topic() -> None:
    previous = Turn("Who heads the Polish border guard?", "Tomasz Praga said … [1].")
    query = standalone_query("whats his name?", [previous])
    assert "Polish border guard" in query and "Tomasz Praga" in query


def test_who_is_she_after_an_answer_naming_her_asks_only_who_she_is() -> None:
    # The previous question's words ("ONT", "roadmap") would pull the quote already shown
    # back first, not the sentence saying what Chupris is.
    previous = Turn(
        "Who told ONT that a roadmap could be the way out of the crisis?",
        "Chupris — It seems to me that … Chupris said in an interview with ONT [1].",
    )
    assert standalone_query("who is she", [previous]) == "who is Chupris"
    earlier = Turn("what did Rau say about talks with Belarus?", "… Rau told the radio [1].")
    assert standalone_query("who is he?", [earlier]) == "who is Rau"


def test_after_asking_who_a_pronoun_means_the_person_the_answer_named() -> None:
    previous = Turn(
        "According to TIME, who did Vladimir Makei speak with on Sunday?",
        "Josep Borrell — The ministry stated that Vladimir Makei, Belarus’ foreign minister, "
        "spoke with Josep Borrell on Sunday [1].",
    )
    assert standalone_query("what did he tweet after the call", [previous]) == (
        "what did Borrell tweet after the call"
    )
    # The answer may name the asked person in full: "Vladimir Makei" is still not "he".
    short = Turn(
        "who did Makei speak with on Sunday?",
        "The ministry stated that Vladimir Makei, Belarus’ foreign minister, spoke with Josep "
        "Borrell on Sunday [1].",
    )
    assert standalone_query("what did he tweet after the call", [short]) == (
        "what did Borrell tweet after the call"
    )
    # Typed in lower case, the asked name is still no new one.
    typed = Turn("who did makei speak with on sunday according to time", short.answer)
    assert standalone_query("what did he tweet after the call", [typed]) == (
        "what did Borrell tweet after the call"
    )
    # "it" still stands for the previous question's topic.
    query = standalone_query("when did he say it", [previous])
    assert query.startswith("when did Borrell say it") and "Sunday" in query


def test_a_month_is_not_a_person_a_pronoun_could_mean() -> None:
    previous = Turn(
        "Who is the state secretary who spoke at the November 2024 Minsk conference?",
        "Alaksandar Valfovič — Alaksandar Valfovič, state secretary of Belarus’ Security "
        "Council, seized the opportunity [1].",
    )
    query = standalone_query("how many trafficking rings did he say were broken up", [previous])
    assert "Valfovič say" in query and "November say" not in query


def test_a_weekday_with_a_possessive_is_not_a_person_either() -> None:
    previous = Turn(
        "Who said Russia had nothing to do with the crisis?",
        "In Sunday’s interview Putin rejected the accusations [1].",
    )
    query = standalone_query("when did he say that", [previous])
    assert "Putin say" in query and "Sunday say" not in query


def test_organisations_are_not_taken_for_people() -> None:
    assert person_names("What did the EU and NATO tell Pavel Feldman?") == ["Pavel Feldman"]


def test_a_pronoun_brings_the_names_the_previous_answer_gave() -> None:
    previous = Turn(
        "Who said Poland spreads false information?",
        "In turn, the official representative of the border committee of Belarus Anton "
        "Bychkovsky said that the Polish side spreads false information [1].",
    )
    assert "Bychkovsky" in standalone_query("whats his name", [previous])


def test_a_decline_lends_no_names() -> None:
    declined = Turn("Who is Merkel?", "The articles I have do not mention Merkel.")
    assert "Merkel" not in standalone_query("what did she say", [declined]).split("Who is")[0]


def test_a_new_question_is_not_a_follow_up() -> None:
    query = standalone_query("How many soldiers did Poland send to the border?", [CLOSED])
    assert query == "How many soldiers did Poland send to the border?"


def test_answer_names_skip_what_was_said_and_sentence_furniture() -> None:
    names = answer_names(CLOSED.answer, "Who closed the Kuznica checkpoint")
    assert "Poland" in names and "Against" not in names


def test_outlets_are_recognised_by_name_but_not_as_common_words() -> None:
    outlets = ["Pozirk", "RT", "TASS", "TIME"]
    assert named_outlets("what does TASS say about Poland?", outlets) == ("TASS",)
    assert named_outlets("what did pozirk report", outlets) == ("Pozirk",)
    assert named_outlets("and tass?", outlets) == ("TASS",)  # a rare word however typed
    assert named_outlets("what time did the border close?", outlets) == ()
    # A common word in lower case names the outlet where it stands as a source.
    assert named_outlets("who did makei speak with according to time", outlets) == ("TIME",)
    assert named_outlets("what does time say putin said", outlets) == ("TIME",)
    assert named_outlets("from time to time, who visits the border?", outlets) == ()
    assert named_outlets("start the engine", outlets) == ()
    # "(the time one)" closing a chat question picks the article; "at the time one official
    # said" names no outlet.
    assert named_outlets("where r the migrants from (the time one)", outlets) == ("TIME",)
    assert named_outlets("what happened at the time one official spoke", outlets) == ()


def test_the_outlet_a_question_is_restricted_to_is_not_searched_for_as_a_word() -> None:
    from rag.conversation import without_outlets

    assert without_outlets("what does TASS say about it", ["TASS"]) == "what does say about it"
    assert without_outlets("Pozirk's figure for Latvia", ["Pozirk"]) == "figure for Latvia"
    assert without_outlets("what time is it", ["TIME"]) == "what time is it"
    # Found twice ("does TIME", "TIME’s report"), stripped once.
    assert without_outlets("what does TIME’s report say of Putin", ["TIME"]) == (
        "what does report say of Putin"
    )
    assert without_outlets("TASS", ["TASS"]) == "TASS"  # nothing else to search for
    assert without_outlets("where r they from, the time one?", ["TIME"]) == "where r they from, ?"


def test_what_an_outlet_says_about_the_thing_just_discussed_is_a_follow_up() -> None:
    previous = Turn("How many migrants does Belarus estimate are at the border?", "2,000 [1].")
    query = standalone_query("what does TASS say about the numbers", [previous])
    assert "migrants" in query and "estimate" in query
    assert standalone_query("what does TASS say about the Kuznica checkpoint", [previous]) == (
        "what does TASS say about the Kuznica checkpoint"
    )


def test_an_outlets_account_of_the_topic_comes_from_its_article_not_its_dateline(
    pipeline: Pipeline,
) -> None:
    first = "how did putin respond to claims that russia is behind the migrant crisis?"
    answer = pipeline.ask(first)
    history = [Turn(first, answer.answer)]
    tass = pipeline.ask("what does TASS say about it", history=history)
    assert not tass.abstained, tass.answer
    assert {c.passage.outlet for c in tass.citations} == {"TASS"}
    assert "Putin" in tass.answer  # his denial, as TASS reports it


def test_what_about_an_outlet_asks_the_previous_question_in_its_articles(
    pipeline: Pipeline,
) -> None:
    first = "who closed the kuznica checkpoint, according to RT?"
    history = [Turn(first, pipeline.ask(first).answer)]
    for follow_up in ("what about TIME?", "and in TIME?", "what about TIME, how does it say it"):
        request = pipeline.request(follow_up, history=history)
        assert request.filters is not None and request.filters.outlets == ("TIME",)
        # the question asked again, not "what about …", which would ask for a thing
        assert request.search_query.lower().startswith("who closed the kuznica checkpoint")


def test_an_account_clause_after_an_outlet_asks_only_for_its_account() -> None:
    from rag.rephrasing import without_account_clause

    assert without_account_clause("what about TIME, how does it quote him") == "what about TIME"
    assert without_account_clause("and RT - what does it say?") == "and RT"
    # a second question of its own is no account clause
    question = "who closed the border and what did they say"
    assert without_account_clause(question) == question
    assert without_account_clause("how does it quote him") == "how does it quote him"


def test_how_an_outlet_quotes_someone_is_its_account_of_the_topic() -> None:
    from rag.conversation import stands_alone_in_outlet

    # "quote" asks for an account, like "say": joined to the topic, not searched alone
    assert not stands_alone_in_outlet("how does TIME quote him", ["TIME"])
    assert not stands_alone_in_outlet("how does TIME cite her", ["TIME"])
    assert stands_alone_in_outlet("how does TIME count the migrants", ["TIME"])


def test_a_question_asked_again_of_someone_else_keeps_the_rest_of_it(
    pipeline: Pipeline,
) -> None:
    from rag.conversation import completed_parallel

    first = "who does lukashenko blame for the migrant crisis, according to tass?"
    history = [Turn(first, pipeline.ask(first).answer)]
    request = pipeline.request("and who does RT's expert blame", history=history)
    assert request.filters is not None and request.filters.outlets == ("RT",)
    assert "blame for the migrant crisis" in request.search_query
    # Not when the follow-up is worded otherwise than the question before it.
    previous = "how many migrants did Lithuania detain in 2021"
    assert completed_parallel("and how many did Latvia detain", previous) == ""
    assert completed_parallel("and who closed it", "who closed the checkpoint") == ""


def test_histories_keep_the_last_turns_per_conversation() -> None:
    histories = Histories(max_turns=2)
    for i in range(3):
        histories.add("a", f"q{i}", f"a{i}")
    histories.add("b", "other", "x")
    assert [t.question for t in histories.of("a")] == ["q1", "q2"]
    assert histories.of(None) == []
    histories.forget("a")
    assert histories.of("a") == []


def test_a_question_naming_an_outlet_quotes_only_that_outlet(pipeline: Pipeline) -> None:
    answer = pipeline.ask("What does TASS say about the migrants?")
    assert not answer.abstained
    assert {c.passage.outlet for c in answer.citations} == {"TASS"}


def test_a_follow_up_naming_an_outlet_answers_from_it(pipeline: Pipeline) -> None:
    first = pipeline.ask("Who is to blame for the migration crisis?")
    follow = pipeline.ask("and what does RT say?", history=[Turn(first.question, first.answer)])
    assert not follow.abstained
    assert {c.passage.outlet for c in follow.citations} == {"RT"}


def test_small_talk_says_what_the_articles_are_without_citations(pipeline: Pipeline) -> None:
    for text, language in (("hi", "en"), ("Привет!", "ru"), ("dzięki", "pl")):
        answer = pipeline.ask(text)
        assert answer.small_talk and not answer.abstained and not answer.citations
        assert answer.language == language
    hello = pipeline.ask("hello there")
    assert all(outlet in hello.answer for outlet in ("Pozirk", "RT", "TASS", "TIME"))
    assert "What did" in hello.answer  # example questions


def test_a_question_after_a_greeting_is_still_a_question(pipeline: Pipeline) -> None:
    answer = pipeline.ask("hi, who closed the Kuznica checkpoint?")
    assert not answer.small_talk and answer.citations


def test_an_overview_quotes_every_outlet_newest_first(pipeline: Pipeline) -> None:
    answer = pipeline.ask("What is this all about?")
    outlets = [c.passage.outlet for c in answer.citations]
    assert len(set(outlets)) >= 3
    dates = [c.passage.published for c in answer.citations]
    assert dates == sorted(dates, reverse=True)
    assert all(line.split(" (")[0] in outlets for line in answer.answer.splitlines())


def test_an_overview_of_one_outlet_quotes_only_it(pipeline: Pipeline) -> None:
    answer = pipeline.ask("summarize the TASS article")
    assert answer.citations and {c.passage.outlet for c in answer.citations} == {"TASS"}


def test_who_is_to_blame_gives_both_sides(pipeline: Pipeline) -> None:
    answer = pipeline.ask("Who is to blame for the crisis?")
    outlets = {c.passage.outlet for c in answer.citations}
    assert outlets & {"RT", "TASS"} and outlets & {"TIME", "Pozirk"}
    for line in answer.answer.splitlines():  # each claim attributed
        assert line.split(" (")[0] in outlets


def test_follow_ups_in_other_languages_are_recognised_by_their_own_words() -> None:
    for follow_up in ("а когда это произошло?", "a kiedy to się stało?", "а калі гэта было?"):
        assert "Kuznica checkpoint" in standalone_query(follow_up, [CLOSED]), follow_up
    # A short question of its own in another language is not a follow-up.
    assert standalone_query("Кто такой Шаповалов?", [CLOSED]) == "Кто такой Шаповалов?"


def test_a_russian_follow_up_to_an_english_question_is_answered_in_russian(
    pipeline: Pipeline,
) -> None:
    answer = pipeline.ask("а кто его закрыл?", history=[Turn(CLOSED.question, "")])
    assert answer.language == "ru" and not answer.abstained
    assert "Kuznitsa" in answer.citations[0].passage.text


def test_an_english_follow_up_to_a_russian_question_keeps_its_topic(pipeline: Pipeline) -> None:
    first = pipeline.ask("Кто закрыл пункт пропуска Кузница?")
    answer = pipeline.ask(
        "and which country did that?",
        history=[Turn("Кто закрыл пункт пропуска Кузница?", first.answer)],
    )
    assert answer.language == "en" and not answer.abstained
    assert "Kuznitsa" in answer.citations[0].passage.text


def test_chat_spellings_are_spelled_out_in_english_questions_only() -> None:
    assert standalone_query("wat did poland say abt it", []) == "what did poland say about it"
    polish = "ile osób przeszło przez przejście w terespolu w 2024"
    assert standalone_query(polish, []) == polish  # "w" is Polish "in", not chat for "with"
    # "fm": the foreign minister, whose office the office rules read
    assert standalone_query("who is the polish fm", []) == "who is the polish foreign minister"
    assert standalone_query("who is the pm of poland", []) == "who is the prime minister of poland"


def test_asking_what_someone_named_said_is_asking_for_another_account() -> None:
    from rag.conversation import asks_for_another_account

    shown = [Turn("What are Polish soldiers accused of?", "RT (2021-11-12): … [1].")]
    assert asks_for_another_account("and what did Poland say about that?", shown)
    assert asks_for_another_account("how did Belarus respond", shown)
    assert not asks_for_another_account("who said that?", shown)  # the same passage's speaker
    assert not asks_for_another_account("when did he say it?", shown)
    assert not asks_for_another_account("what did Poland say?", [])  # no answer to follow


def test_another_account_is_never_the_passage_just_quoted(pipeline: Pipeline) -> None:
    first = pipeline.ask("What are Polish soldiers accused of by Belarus' border guards?")
    assert not first.abstained
    follow = pipeline.ask(
        "and what did Poland say about that?", history=[Turn(first.question, first.answer)]
    )
    quoted = {c.passage.id for c in first.citations}
    assert not quoted & {c.passage.id for c in follow.citations}


def test_a_reaction_with_nothing_after_it_is_a_follow_up() -> None:
    previous = Turn("What was Sikorski's warning about the border?", "… may be closed … [1].")
    query = standalone_query("how did Belarus respond?", [previous])
    assert "Sikorski" in query and query.startswith("how did Belarus respond")


def test_asking_where_the_answer_comes_from_is_recognised_in_each_language() -> None:
    for question in (
        "which outlet did he say it to",
        "source?",
        "when was that published?",
        "какое издание это написало?",
        "skąd to?",
        "звідки це?",
        "адкуль гэта?",
    ):
        assert asks_for_source(question, [CLOSED]), question
    for question in (
        "Which outlet reported the Kuznica closure?",  # a topic of its own
        "who said that?",  # the speaker, found in the passages
        "откуда мигранты?",  # where the migrants come from
        "what does TASS say?",
    ):
        assert not asks_for_source(question, [CLOSED]), question
    declined = Turn("Who closed it?", "The articles I have do not say.")
    assert not asks_for_source("source?", [declined])  # nothing was cited
    assert not asks_for_source("source?", [])


def test_which_outlet_after_an_answer_names_its_outlet_and_date_and_cites_it_again(
    pipeline: Pipeline,
) -> None:
    first = pipeline.ask("What does Vladimir Shapovalov say Poland is using the crisis for?")
    assert not first.abstained
    history = [Turn(first.question, first.answer)]
    source = pipeline.ask("which outlet did he say it to", history=history)
    cited = first.citations[0].passage
    assert source.answer.startswith(f"That comes from {cited.outlet} ({cited.published}) [1]")
    assert [c.passage.id for c in source.citations] == [c.passage.id for c in first.citations]
    # in Russian, and a follow-up after it still leans on the first question
    history.append(Turn(source.question, source.answer))
    russian = pipeline.ask("какое издание это написало?", history=history)
    assert russian.answer.startswith(f"Это из {cited.outlet}")
    assert "That comes from" not in russian.answer


def test_a_follow_up_naming_another_month_asks_the_same_for_it() -> None:
    previous = Turn("By late June 2024, how many crossings had the EU thwarted?", "22,450 [1].")
    query = standalone_query("what about by november", [previous])
    assert "november" in query and "June" not in query and "2024" in query
    assert "crossings had the EU thwarted" in query


def test_a_name_typed_in_lower_case_before_is_whom_a_pronoun_means() -> None:
    def truecase(text: str) -> str:  # as the index would: the articles write "Valfovič"
        return text.replace("valfovic", "Valfovic")

    previous = Turn("who is valfovic", "The state secretary of the security council [1].")
    query = standalone_query("what did he claim about trafficking rings", [previous], truecase)
    assert query == "what did Valfovic claim about trafficking rings"


def test_a_month_the_follow_up_names_replaces_the_previous_questions() -> None:
    previous = Turn(
        "how many crossings had the EU thwarted since the start of 2024, per Pozirk in June",
        "at least 22,450 — Since the start of 2024, the EU has thwarted … [1].",
    )
    query = standalone_query("What was the figure in their November report?", [previous])
    assert "November" in query and "June" not in query and "crossings" in query


def test_a_pronoun_becomes_the_surname_of_the_person_named_before() -> None:
    previous = Turn(
        "Which Polish foreign minister said Poland was open to talks with Russia?",
        "Poland is open to talks with Russia, Foreign Minister Zbigniew Rau said [1].",
    )
    assert standalone_query("what did he call russia", [previous]) == "what did Rau call russia"


def test_him_beside_he_is_the_other_person_named() -> None:
    previous = Turn(
        "According to Pavel Feldman, why won't Europe talk to Minsk?",
        "According to Pavel Feldman, European countries refuse a dialogue, as it would mean "
        "recognition of Alexander Lukashenko [1].",
    )
    query = standalone_query("does he think they'll have to negotiate with him", [previous])
    assert query.startswith("does Feldman think they'll have to negotiate with Lukashenko")


def test_an_outlet_follow_up_answers_from_that_outlet_only(pipeline: Pipeline) -> None:
    # The previous question names TASS in lower case and would split at its dash; "what
    # about RT?" is one question, searched in RT's articles without TASS's name.
    first = "tass - when did the crisis at the border escalate sharply"
    earlier = pipeline.ask(first)
    answer = pipeline.ask("what about RT?", history=[Turn(first, earlier.answer)])
    assert answer.citations, answer.answer
    assert {c.passage.outlet for c in answer.citations} == {"RT"}, answer.answer


def test_an_outlets_name_typed_in_lower_case_is_dropped_unless_it_is_a_common_word() -> None:
    from rag.conversation import without_outlets

    assert without_outlets("what did tass say about it", ["TASS"]) == "what did say about it"
    assert without_outlets("what time did it start", ["TIME"]) == "what time did it start"


def _follow_up(pipeline: Pipeline, first: str, then: str):
    answer = pipeline.ask(first)
    assert not answer.abstained, answer.answer
    return pipeline.ask(then, history=[Turn(first, answer.answer)])


def test_when_someone_said_what_was_just_quoted_gets_the_date_their_article_gives(
    pipeline: Pipeline,
) -> None:
    # The roadmap proposal is undated; the article dates her interview two passages on.
    answer = _follow_up(pipeline, "what way out did chupris suggest?", "when did she say that?")
    assert not answer.abstained, answer.answer
    assert "November 12" in answer.answer


def test_when_undated_words_were_said_gets_the_date_of_the_report_quoting_them(
    pipeline: Pipeline,
) -> None:
    answer = _follow_up(pipeline, "what did polyansky say about migrants", "when did he say that")
    assert not answer.abstained, answer.answer
    assert answer.answer.startswith("RT reported it on 12 November 2021 — ")
    cited = answer.citations[0].passage
    assert cited.outlet == "RT" and "Polyansky stressed" in cited.text


def test_when_someone_said_it_is_not_answered_by_a_date_of_something_else_they_did(
    pipeline: Pipeline,
) -> None:
    # Not "2020 — Putin's economic and political backing allowed…", of the same article.
    answer = _follow_up(pipeline, "putin's take on the border crisis?", "when did he say it")
    assert not answer.abstained, answer.answer
    assert "Sunday" in answer.answer and "2020" not in answer.answer


def test_a_weekday_the_quote_gives_is_answered_as_the_day_it_was(pipeline: Pipeline) -> None:
    # TASS, 23 November 2021: "…Foreign Minister Zbigniew Rau told the Polish radio on
    # Tuesday" — the Tuesday of that article, not a bare "Tuesday".
    answer = _follow_up(
        pipeline,
        "What did Poland's foreign minister say about talks with Russia?",
        "when was that said",
    )
    assert answer.answer.startswith("Tuesday, 23 November 2021 — "), answer.answer


def test_an_outlet_after_a_name_is_no_surname() -> None:
    # "…spreading misinformation, "Bychkovskiy TASS quotes.": "he" is Bychkovskiy, not TASS
    assert person_names('misinformation, "Bychkovskiy TASS quotes.') == ["Bychkovskiy"]
    assert person_names("said Olga Chupris, deputy head") == ["Olga Chupris"]


def test_how_many_after_a_quote_asks_for_the_quotes_number(pipeline: Pipeline) -> None:
    # "how many" adds nothing new to ask: the quote just shown ("…we have recorded 50 deaths…")
    # is not moved away as if the follow-up asked about something else.
    first = pipeline.ask("who is valfovic")
    deaths = pipeline.ask(
        "what did he say about deaths", history=[Turn("who is valfovic", first.answer)]
    )
    assert "50 deaths" in deaths.answer, deaths.answer
    history = [
        Turn("who is valfovic", first.answer),
        Turn("what did he say about deaths", deaths.answer),
    ]
    answer = pipeline.ask("how many", history=history)
    assert answer.answer.startswith("50 — "), answer.answer


def test_after_who_is_someone_he_is_that_person_not_another_the_answer_names() -> None:
    # The answer to "who is blaszczak" also names the prime minister, Morawiecki.
    previous = Turn(
        "who is blaszczak",
        "In addition, the Minister of Defense of the Republic Mariusz Blaszczak said that…, and "
        "Prime Minister Mateusz Morawiecki promised to close regular checkpoints… [1].",
    )
    assert standalone_query("what did he say", [previous]) == "what did blaszczak say"


@pytest.mark.parametrize("question", ["what is chupris job", "whats chupris job"])
def test_whats_someones_job_without_an_apostrophe_asks_who_they_are(
    pipeline: Pipeline, question: str
) -> None:
    # Chat drops the possessive's apostrophe; the question still asks for her post, not for
    # any sentence naming her ("…should get involved in the work, Chupris said").
    answer = pipeline.ask(question)
    assert "deputy head of the presidential administration" in answer.answer, answer.answer


def test_a_follow_up_in_another_language_naming_someone_new_is_not_answered_with_the_old(
    pipeline: Pipeline,
) -> None:
    # Searched with the previous question ("…what did Rau say about russia"), the passage
    # found quotes Rau; Lukashenko, whom the follow-up asks about, is only named elsewhere in
    # that article.
    answer = _follow_up(pipeline, "what did rau say about russia", "а что сказал лукашенко?")
    assert "Rau called" not in answer.answer, answer.answer
    assert answer.language == "ru"


def test_they_and_them_are_the_things_the_previous_question_counted() -> None:
    previous = Turn("according to poland where were the migrants coming from", "Syria … [1].")
    query = standalone_query("how many of them did belarus say were at the border", [previous])
    assert query == "how many of the migrants did belarus say were at the border"


def test_their_after_a_question_about_one_country_is_that_country() -> None:
    previous = Turn("and latvia, when did it declare its emergency", "The articles … do not say.")
    assert standalone_query("who heads their border service", [previous]) == (
        "who heads Latvia's border service"
    )
    # Two countries acting: whose is a guess, so the question is joined, not rewritten.
    previous = Turn("did poland and lithuania close the border", "The articles … do not say.")
    assert "Latvia" not in standalone_query("who heads their border service", [previous])
    assert "Poland's" not in standalone_query("who heads their border service", [previous])


def test_a_follow_up_about_a_part_of_them_is_one_however_long() -> None:
    previous = Turn("where were the migrants from", "Syria, Iraq, Afghanistan — … [1].")
    query = standalone_query(
        "and how many of them did the belarusian authorities say were living at the border",
        [previous],
    )
    assert "migrants" in query


def test_where_someone_said_what_was_just_quoted_gets_the_interview_that_says_it(
    pipeline: Pipeline,
) -> None:
    # The roadmap proposal names no interview; her words two sentences on are "…Chupris
    # said in an interview with ONT TV channel".
    answer = _follow_up(
        pipeline,
        "who in the belarus presidential administration proposed a roadmap",
        "where did she say that",
    )
    assert not answer.abstained, answer.answer
    assert "ONT TV channel" in answer.answer
    assert not answer.answer.startswith("Republic")  # no place picked from the quote


def test_how_many_of_them_is_declined_when_only_the_whole_was_counted(
    pipeline: Pipeline,
) -> None:
    # "…recorded 33.2 thousand attempts to illegally cross…": all of them, none said to have
    # made it into Poland.
    answer = _follow_up(
        pipeline,
        "how many attempts to cross the border illegally did poland's border service record",
        "how many of them actually made it into poland",
    )
    assert answer.abstained, answer.answer
    assert "33.2" not in answer.answer


def test_how_many_of_those_keeps_what_they_were_counted_of(pipeline: Pipeline) -> None:
    history: list[Turn] = []
    for question in (
        "how many illegal crossings from belarus did the eu stop in 2024 by late june",
        "how many of those via poland",
    ):
        answer = pipeline.ask(question, history=history)
        history.append(Turn(question, answer.answer))
    assert answer.answer.startswith("19,707"), answer.answer
    # "those" were the crossings of 2024: November's figure is of 2024 too (not 2021's).
    answer = pipeline.ask("and by november?", history=history)
    assert "34,782" in answer.answer, answer.answer


def test_what_an_outlet_says_about_when_asks_when_in_that_outlet(pipeline: Pipeline) -> None:
    # Not joined to the previous question about Lukashenko's motives: TASS's own date.
    answer = _follow_up(
        pipeline,
        "why did lukashenko let the migrants through",
        "what does tass say abt when it escalated",
    )
    assert not answer.abstained, answer.answer
    assert "November 8" in answer.answer
    assert {c.passage.outlet for c in answer.citations} == {"TASS"}


def test_their_after_a_country_named_as_a_route_is_not_that_country() -> None:
    # "their November report" is the outlet's, not Poland's: Poland was the way, not who.
    previous = Turn("and via poland alone?", "19,707 — … [1].")
    assert "Poland's" not in standalone_query(
        "What was the figure in their November report?", [previous]
    )


def test_a_title_naming_a_country_leaves_the_persons_name() -> None:
    sentence = "Writing in the Telegraph on Saturday, British Foreign Secretary Liz Truss said so."
    # Not "Telegraph" (a paper after "the"), and Truss despite the "British" of her title.
    assert person_names(sentence) == ["Liz Truss"]


def test_she_after_an_answer_with_outlet_lines_is_the_person_it_quoted() -> None:
    previous = Turn(
        "Which British minister said Russia bears clear responsibility?",
        "TIME (2021-11-14): Writing in the Telegraph on Saturday, British Foreign Secretary "
        "Liz Truss said Russia bears “clear responsibility” [1].\n"
        "Pozirk (2024-06-25): Belarus is willing to talk, Foreign Minister Siarhiej Alejnik "
        "told reporters [2].",
    )
    assert standalone_query("where did she write that", [previous]).startswith(
        "where did Truss write that"
    )


def test_he_after_asking_someones_job_is_their_name_without_the_possessive() -> None:
    previous = Turn(
        "what is valfovic's job",
        "Alaksandar Valfovič, state secretary of Belarus’ Security Council, seized the "
        "opportunity to accuse Western countries [1].",
    )
    query = standalone_query("what did he accuse the west of", [previous])
    assert query.startswith("what did valfovic accuse the west of"), query


def test_when_an_undated_event_happened_gets_the_date_it_was_reported(
    pipeline: Pipeline,
) -> None:
    answer = _follow_up(pipeline, "why did poland close kuznica", "when was that")
    assert not answer.abstained, answer.answer
    assert answer.answer.startswith("RT reported it on 12 November 2021 — "), answer.answer
    # A follow-up asking about another event is not answered with this one's report.
    answer = _follow_up(pipeline, "why did poland close kuznica", "when did it reopen")
    assert answer.abstained, answer.answer


def test_when_in_another_language_after_an_undated_event_gets_the_report_date(
    pipeline: Pipeline,
) -> None:
    answer = _follow_up(pipeline, "кто закрыл пункт пропуска кузница", "а когда?")
    assert not answer.abstained, answer.answer
    assert answer.answer.startswith("RT сообщил об этом 12 ноября 2021 — "), answer.answer


def test_why_in_another_language_after_an_english_question_asks_why(pipeline: Pipeline) -> None:
    # Not "Poland — …": a why-question has no person to lead with.
    answer = _follow_up(pipeline, "who closed kuznica", "а почему?")
    assert not answer.abstained, answer.answer
    assert answer.answer.startswith("Against the background of the aggravated situation")


def test_when_was_that_said_after_a_polish_turn_is_the_day_it_was_said(
    pipeline: Pipeline,
) -> None:
    history: list[Turn] = []
    for question in ("What did Rau call Russia's role in the border crisis?", "a białoruś?"):
        answer = pipeline.ask(question, history=history)
        history.append(Turn(question, answer.answer))
    answer = pipeline.ask("when was that said", history=history)
    # "…Rau told the Polish radio on Tuesday", of TASS's 23 November 2021 report
    assert answer.answer.startswith("Tuesday, 23 November 2021 — "), answer.answer


@pytest.mark.parametrize(
    ("first", "then", "expected"),
    [
        # "them" are the migrants the question before asked about
        (
            "according to poland where were the migrants coming from",
            "how many of them did belarus say were at the border",
            "2,000 — ",
        ),
        # …and "handing out" is "distributing"
        (
            "How many migrants does Belarus estimate are at the border?",
            "who was handing out food to them",
            "Red Cross — ",
        ),
        # "met" and "talks" are one paraphrase group: "…following talks with his Russian
        # counterpart Sergei Lavrov"
        (
            "who is the belarusian foreign minister that is ready to talk to warsaw",
            "who had he met just before that",
            "Lavrov",
        ),
        # "…the UN High Commissioners for Human Rights and Refugees should get involved in the
        # work, Chupris said": few of the follow-up's words, but the article just quoted
        (
            "what did belarus' olga chupris propose as a way out of the crisis",
            "and which un agencies should take part, in her view",
            "High Commissioners for Human Rights and Refugees",
        ),
    ],
)
def test_a_follow_up_is_answered_as_the_conversation_means_it(
    pipeline: Pipeline, first: str, then: str, expected: str
) -> None:
    answer = _follow_up(pipeline, first, then)
    assert not answer.abstained, answer.answer
    assert expected in answer.answer, answer.answer


def test_an_outlets_account_of_something_just_discussed_keeps_the_conversations_topic(
    pipeline: Pipeline,
) -> None:
    first = "How many migrants does Belarus estimate are at the border?"
    answer = pipeline.ask(first)
    follow = pipeline.ask(
        "what does TASS say about the numbers", history=[Turn(first, answer.answer)]
    )
    # Searched in TASS's articles for the migrants at the border, not for "numbers" alone.
    assert "migrants" in follow.search_query, follow.search_query
    assert {c.passage.outlet for c in follow.citations} <= {"TASS"}
