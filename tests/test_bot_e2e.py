"""End to end: the production Application, the real pipeline on the seeds, a fake Bot API.

Nothing in PTB is mocked: the bot long-polls ``tests/fake_telegram.py`` over HTTP exactly
as it polls api.telegram.org, and every assertion is about what a user would see there.
"""

from __future__ import annotations

import asyncio
import re
import stat
import threading
import time
from typing import Any

import pytest
from fake_telegram import BOT_USERNAME, FakeTelegram, utf16_len

from bot import formatting, handlers
from bot.access import REFUSAL, REFUSAL_ALERT
from rag.errors import IndexUnavailable, InvalidQuestion
from rag.i18n import message
from rag.types import Answer, Citation, Turn

pytest_plugins = ["bot_fixtures"]
pytestmark = pytest.mark.asyncio

QUESTION = "What did Belarus say about talks with Poland?"
FOLLOW_UP = "and what did Poland say?"
UNANSWERABLE = "What is the capital of Peru?"
USER = 4242
GROUP = -1001234567890
SOURCE_LINE = re.compile(r"^((?:\[\d+\])+) (.+?) · (.+?) · (.+)$", re.MULTILINE)
ISO_DATE = re.compile(r"\((\d{4}-\d{2}-\d{2})\)(?=: | \[\d+\])")


def source_lines(text: str) -> list[tuple[str, str, str, str]]:
    """``[n] Outlet · date · title`` lines of a message (``[1][2] …`` for an article with two
    cited passages), as Telegram shows them."""
    return SOURCE_LINE.findall(text)


def button(message: dict[str, Any]) -> tuple[str, str] | None:
    """The (label, callback data) of the message's only inline button, if any."""
    markup = message.get("reply_markup")
    if not markup:
        return None
    (only,) = [b for row in markup["inline_keyboard"] for b in row]
    return only["text"], only["callback_data"]


def entity_text(message: dict[str, Any], kind: str) -> list[str]:
    """The text spans of one entity type (offsets are UTF-16, as Telegram sends them)."""
    raw = message["text"].encode("utf-16-le")
    return [
        raw[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le")
        for e in message.get("entities", [])
        if e["type"] == kind
    ]


def assert_shows_answer(messages: list[dict[str, Any]], answer: Answer) -> None:
    """The messages show the answer text and one ``[n] Outlet · date · title`` per citation."""
    shown = "\n\n".join(m["text"] for m in messages)
    for line in answer.answer.splitlines():
        # "RT (2021-11-12): …" is shown with the source lines' date format.
        line = ISO_DATE.sub(lambda m: f"({formatting.format_date(m.group(1))})", line)
        assert line.strip() in shown
    by_article: dict[tuple[str, str, str], list[int]] = {}
    for c in answer.citations:
        key = (c.passage.outlet, formatting.format_date(c.passage.published), c.passage.title)
        by_article.setdefault(key, []).append(c.n)
    expected = [("".join(f"[{n}]" for n in ns), *key) for key, ns in by_article.items()]
    assert source_lines(messages[-1]["text"]) == expected
    # Outlets are bold, so a reader can scan them.
    assert set(entity_text(messages[-1], "bold")) >= {c.passage.outlet for c in answer.citations}


async def ask_private(fake: FakeTelegram, text: str, user: int = USER) -> list[dict[str, Any]]:
    """Send a private message and wait for the bot's reply to it (one message or more)."""
    before = len(fake.sent(user))
    fake.push_message(fake.private_chat(user), user, text)
    await fake.wait_sent(user, before + 1)
    await asyncio.sleep(0.2)  # a long answer's later parts follow quickly
    return fake.sent(user)[before:]


async def test_private_question_gets_cited_answer(fake, make_settings, run_bot, recorder):
    async with run_bot(make_settings(), recorder):
        replies = await ask_private(fake, QUESTION)

    (call,) = recorder.asks
    assert call.question == QUESTION and call.history == []
    answer = call.answer
    assert answer is not None and not answer.abstained and answer.citations
    assert_shows_answer(replies, answer)
    assert button(replies[-1]) is not None and button(replies[-1])[0] == "Show passages"
    # Telegram accepted every message as HTML, with link previews off, after "typing…".
    sends = fake.calls_of("sendMessage", USER, ok=None)
    assert all(c.ok and c.params["parse_mode"] == "HTML" for c in sends)
    assert all(c.params["link_preview_options"] == {"is_disabled": True} for c in sends)
    typing = fake.calls_of("sendChatAction", USER)
    assert typing and typing[0].params["action"] == "typing"
    assert typing[0].at < sends[0].at


async def test_show_then_hide_passages(fake, make_settings, run_bot, recorder):
    async with run_bot(make_settings(), recorder):
        replies = await ask_private(fake, QUESTION)
        answer = recorder.asks[0].answer
        last = replies[-1]
        collapsed_text = last["text"]
        label, data = button(last)
        assert label == "Show passages" and len(data.encode()) <= 64

        fake.push_callback(last, USER, data)
        await fake.wait_for(lambda: fake.calls_of("editMessageText", USER), what="show edit")
        shown = fake.message(USER, last["message_id"])
        quotes = entity_text(shown, "expandable_blockquote")
        assert quotes == [c.passage.text.strip() for c in answer.citations]
        assert source_lines(shown["text"]) == source_lines(collapsed_text)
        assert button(shown)[0] == "Hide passages"

        fake.push_callback(shown, USER, button(shown)[1])
        await fake.wait_for(lambda: len(fake.calls_of("editMessageText", USER)) == 2)
        hidden = fake.message(USER, last["message_id"])
        assert hidden["text"] == collapsed_text
        assert "expandable_blockquote" not in str(hidden.get("entities"))
        assert button(hidden)[0] == "Show passages"

    answers = fake.calls_of("answerCallbackQuery")
    assert len(answers) == 2 and not any(c.params.get("text") for c in answers)
    assert len(fake.calls_of("sendMessage", USER)) == len(replies)  # edited, never re-sent


async def test_forged_and_stale_buttons_get_a_polite_answer(fake, make_settings, run_bot, recorder):
    async with run_bot(make_settings(), recorder):
        first = (await ask_private(fake, QUESTION))[-1]
        second = (await ask_private(fake, UNANSWERABLE + " Or of Chile?"))[-1]
        _, data = button(first)
        forged = [
            "psg:show:AAAAAAAA",  # unknown key
            "rm -rf /",  # not ours at all
            "psg:show:" + "x" * 55,  # malformed
            data,  # a real key, replayed on another message
        ]
        for index, forged_data in enumerate(forged):
            target = second if index == len(forged) - 1 else first
            fake.push_callback(target, USER, forged_data)
        await fake.wait_for(lambda: len(fake.calls_of("answerCallbackQuery")) == len(forged))

    texts = [c.params.get("text") for c in fake.calls_of("answerCallbackQuery")]
    assert texts == [handlers.STALE_BUTTON] * len(forged)
    assert not fake.calls_of("editMessageText", ok=None)
    assert fake.message(USER, first["message_id"])["text"] == first["text"]


async def test_abstained_answer_has_no_sources_and_no_button(
    fake, make_settings, run_bot, recorder
):
    async with run_bot(make_settings(), recorder):
        replies = await ask_private(fake, UNANSWERABLE)
    answer = recorder.asks[0].answer
    assert answer.abstained
    assert [m["text"] for m in replies] == [answer.answer]
    assert button(replies[-1]) is None


async def test_group_answers_only_when_addressed(fake, make_settings, run_bot, recorder):
    chat = fake.group_chat(GROUP)
    async with run_bot(make_settings(), recorder):
        # Not addressed: no reply, no typing, no question asked.
        fake.push_message(chat, 1, QUESTION)
        fake.push_message(chat, 2, f"@other_bot {QUESTION}")
        fake.push_message(chat, 3, f"/ask@other_bot {QUESTION}")
        # Addressed by a mention, anywhere in the message.
        mention = fake.push_message(chat, 4, f"@{BOT_USERNAME.upper()}, {QUESTION}")
        replies = await fake.wait_sent(GROUP, 1)
        assert [c.question for c in recorder.asks] == [QUESTION]
        assert replies[0]["reply_to_message"]["message_id"] == mention["message_id"]

        # Addressed by replying to the bot.
        fake.push_message(chat, 5, FOLLOW_UP, reply_to=replies[-1])
        await fake.wait_for(lambda: len(recorder.answered()) == 2, what="reply-to-bot answer")
        # Addressed by /ask (with and without the bot's name).
        fake.push_message(chat, 6, f"/ask@{BOT_USERNAME} {UNANSWERABLE}")
        fake.push_message(chat, 7, "/ask Who accused Belarus of creating a migration crisis?")
        await fake.wait_for(lambda: len(recorder.answered()) == 4, what="/ask answers")
        await asyncio.sleep(0.3)

    questions = [c.question for c in recorder.asks]
    assert questions[:2] == [QUESTION, FOLLOW_UP]
    assert sorted(questions[2:]) == sorted(
        [UNANSWERABLE, "Who accused Belarus of creating a migration crisis?"]
    )
    # The group shares one conversation: the reply was asked with the first turn as history.
    assert [t.question for t in recorder.asks[1].history] == [QUESTION]
    # Exactly one reply chain per addressed message: each answer quotes its question.
    quoted = [
        m["reply_to_message"]["from"]["id"] for m in fake.sent(GROUP) if "reply_to_message" in m
    ]
    assert sorted(quoted) == [4, 5, 6, 7]
    assert all(m["chat"]["id"] == GROUP for m in fake.sent(GROUP))


async def test_follow_up_uses_the_conversation_and_reset_forgets_it(
    fake, make_settings, run_bot, recorder
):
    async with run_bot(make_settings(), recorder):
        await ask_private(fake, QUESTION)
        replies = await ask_private(fake, FOLLOW_UP)
        await ask_private(fake, "/reset")
        await ask_private(fake, FOLLOW_UP)

    first, follow, after_reset = recorder.asks
    assert follow.history == [Turn(QUESTION, first.answer.answer)]
    # The same words searched for something else with the conversation than without it.
    assert follow.answer.search_query != after_reset.answer.search_query
    # ...and the user sees the answer to it, not the query (that is TELEGRAM_SHOW_QUERY's).
    assert "Searched for" not in replies[0]["text"]
    assert_shows_answer(replies, follow.answer)
    assert after_reset.history == []
    assert handlers.RESET_DONE in [m["text"] for m in fake.sent(USER)]


async def test_allowlist_refuses_others_once_without_corpus_content(
    fake, make_settings, run_bot, recorder
):
    allowed, stranger = 1001, 2002
    settings = make_settings(telegram_allowed_ids=frozenset({allowed}))
    async with run_bot(settings, recorder):
        replies = await ask_private(fake, "/start", user=stranger)
        fake.push_message(fake.private_chat(stranger), stranger, QUESTION)
        fake.push_message(fake.private_chat(stranger), stranger, "/sources")
        fake.push_message(fake.group_chat(GROUP), stranger, f"@{BOT_USERNAME} {QUESTION}")
        ok = await ask_private(fake, QUESTION, user=allowed)
        # Button presses are refused too (here a forged one, in the stranger's chat).
        fake.push_callback(replies[0], stranger, button(ok[-1])[1])
        await fake.wait_for(lambda: fake.calls_of("answerCallbackQuery"), what="refusal")
        await asyncio.sleep(0.3)

    refusal = REFUSAL.format(user=stranger, chat=stranger)
    assert [m["text"] for m in fake.sent(stranger)] == [refusal] == [m["text"] for m in replies]
    group_refusal = REFUSAL.format(user=stranger, chat=GROUP)
    assert [m["text"] for m in fake.sent(GROUP)] == [group_refusal]
    corpus = {a.outlet for a in recorder.sources()} | {a.title for a in recorder.sources()}
    assert not any(word in refusal or word in group_refusal for word in corpus)
    (press,) = fake.calls_of("answerCallbackQuery")
    alert = REFUSAL_ALERT.format(user=stranger, chat=stranger)
    assert press.params["text"] == alert and press.params["show_alert"] is True
    assert not fake.calls_of("editMessageText", ok=None)
    assert [c.question for c in recorder.asks] == [QUESTION]  # only the allowed user's
    assert_shows_answer(ok, recorder.asks[0].answer)


@pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning")
async def test_429_is_retried_after_retry_after_without_loss_or_duplicates(
    fake, make_settings, run_bot, recorder
):
    fake.fail_next("sendMessage", 1, kind="429", retry_after=1)
    async with run_bot(make_settings(), recorder):
        replies = await ask_private(fake, QUESTION)
        await asyncio.sleep(0.5)

    attempts = fake.calls_of("sendMessage", USER, ok=None)
    assert [c.status for c in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 1.0  # waited retry_after
    assert attempts[1].params["text"] == attempts[0].params["text"]
    assert len(replies) == len(fake.sent(USER)) == 1
    assert_shows_answer(replies, recorder.asks[0].answer)


async def test_server_errors_and_dropped_connections_are_survived(
    fake, make_settings, run_bot, recorder
):
    fake.fail_next("sendMessage", 1, kind="drop")
    fake.fail_next("sendMessage", 1, kind="5xx", status=502)
    async with run_bot(make_settings(), recorder):
        fake.fail_next("getUpdates", 1, kind="5xx", status=500)
        replies = await ask_private(fake, QUESTION)
        await asyncio.sleep(0.3)

    statuses = [c.status for c in fake.calls_of("sendMessage", USER, ok=None)]
    assert statuses == [0, 502, 200]
    assert 500 in [c.status for c in fake.calls_of("getUpdates", ok=None)]
    assert len(fake.sent(USER)) == 1
    assert_shows_answer(replies, recorder.asks[0].answer)


async def test_long_answer_is_split_into_valid_messages(fake, make_settings, run_bot, bot_pipeline):
    """A 5,000-character answer (built from real passages: the extractive answerer never writes
    one) goes out as several messages that Telegram accepts, cut between paragraphs."""
    passages = [s.passage for s in bot_pipeline.retrieve(QUESTION, k=3)]
    paragraphs = [
        f"Paragraph {i}: "
        + " ".join([passages[i % 3].text.replace("\n", " ")] * 2)
        + f" [{1 + i % 3}]"
        for i in range(12)
    ]
    text = "\n\n".join(paragraphs)
    while len(text) < 5000:
        text += "\n\nMore <context> & detail."
    citations = [Citation(n + 1, p, 0.5) for n, p in enumerate(passages)]
    long_answer = Answer(
        question="Tell me everything",
        answer=text,
        abstained=False,
        citations=citations,
        search_query="Tell me everything",
    )

    class LongAnswers:
        def ask(self, question, *, history=(), filters=None, on_token=None):
            return long_answer

        def sources(self):
            return bot_pipeline.sources()

    async with run_bot(make_settings(), LongAnswers()):
        replies = await ask_private(fake, "Tell me everything")
        await asyncio.sleep(0.5)
        replies = fake.sent(USER)
        fake.push_callback(replies[-1], USER, button(replies[-1])[1])
        await fake.wait_for(lambda: fake.calls_of("editMessageText", USER), what="show edit")

    assert len(text) >= 5000 and len(replies) >= 2
    assert all(c.ok for c in fake.calls_of("sendMessage", USER, ok=None))
    assert all(utf16_len(m["text"]) <= 4096 for m in replies)
    body = "\n\n".join(m["text"] for m in replies)
    for paragraph in text.split("\n\n"):  # every paragraph arrives whole, in order
        assert paragraph in body
    assert body.index(paragraphs[0]) < body.index(paragraphs[-1])
    assert source_lines(replies[-1]["text"])[0][1] == passages[0].outlet
    shown = fake.message(USER, replies[-1]["message_id"])
    assert utf16_len(shown["text"]) <= 4096
    assert entity_text(shown, "expandable_blockquote") == [p.text.strip() for p in passages]


async def test_html_in_the_question_is_shown_literally(fake, make_settings, run_bot, recorder):
    question = "What did <b>Belarus</b> & \"Poland\" say about 'talks' </blockquote>?"
    follow_up = "and <b>Poland</b> & 'Rau'?"
    async with run_bot(make_settings(telegram_show_query=True), recorder):
        first = await ask_private(fake, question)
        # A follow-up is searched for with the earlier question, and the bot says so.
        replies = await ask_private(fake, follow_up)
        too_long = await ask_private(fake, "<i>&amp;</i> " * 300)
        empty = await ask_private(fake, "/ask <>&?")

    assert [c.question for c in recorder.asks[:2]] == [question, follow_up]
    assert all(c.ok for c in fake.calls_of("sendMessage", USER, ok=None))  # no 400s at all
    assert all(c.params["parse_mode"] == "HTML" for c in fake.calls_of("sendMessage", USER))
    assert_shows_answer(first, recorder.asks[0].answer)
    answer = recorder.asks[1].answer
    assert "<b>Poland</b>" in answer.search_query
    # Shown literally: the tags are text, not formatting.
    assert f"Searched for: {answer.search_query}" in replies[0]["text"]
    assert entity_text(replies[0], "italic") == [f"Searched for: {answer.search_query}"]
    assert "Poland" not in entity_text(replies[0], "bold")
    assert_shows_answer(replies, answer)
    for reply, asked in ((too_long, "<i>&amp;</i> " * 300), (empty, "<>&?")):
        with pytest.raises(InvalidQuestion) as expected:
            recorder.inner.ask(asked)
        assert [m["text"] for m in reply] == [str(expected.value)]


async def test_rejected_html_is_resent_as_plain_text(fake, make_settings, run_bot, recorder):
    fake.fail_next("sendMessage", 1, kind="entities")
    async with run_bot(make_settings(), recorder):
        replies = await ask_private(fake, QUESTION)
        await asyncio.sleep(0.3)

    first, second = fake.calls_of("sendMessage", USER, ok=None)
    assert first.status == 400 and "can't parse entities" in first.description
    assert second.ok and "parse_mode" not in second.params
    assert second.params["text"] == formatting.telegram_html_as_plain(first.params["text"])
    assert len(replies) == 1 and button(replies[0])[0] == "Show passages"
    assert (
        source_lines(replies[0]["text"])[0][1]
        == recorder.asks[0].answer.citations[0].passage.outlet
    )


async def test_non_text_and_old_edits(fake, make_settings, run_bot, recorder, processed_updates):
    async with run_bot(make_settings(), recorder) as app:
        fake.push_sticker(fake.private_chat(USER), USER)
        await fake.wait_sent(USER, 1)
        fake.push_sticker(fake.group_chat(GROUP), USER)
        # An edit long after the question was sent is not a corrected typo: ignored.
        sent_at = {"date": int(time.time()) - handlers.EDIT_WINDOW - 60}
        edited = fake.push_message(
            fake.private_chat(USER), USER, QUESTION, edited=True, extra=sent_at
        )
        await fake.wait_for(
            lambda: any(u.edited_message for u in processed_updates(app)), what="the edit"
        )
        await asyncio.sleep(0.3)
        assert edited["edit_date"] - edited["date"] > handlers.EDIT_WINDOW
    assert [m["text"] for m in fake.sent(USER)] == [handlers.NON_TEXT]
    assert not fake.calls_of("sendMessage", GROUP, ok=None)
    assert recorder.asks == []


async def test_commands_help_sources_and_command_list(fake, make_settings, run_bot, recorder):
    articles = recorder.sources()
    async with run_bot(make_settings(), recorder):
        help_text = (await ask_private(fake, "/help"))[0]["text"]
        start_text = (await ask_private(fake, "/start"))[0]["text"]
        sources_text = "\n".join(m["text"] for m in await ask_private(fake, "/sources"))
        unknown = (await ask_private(fake, "/frobnicate"))[0]["text"]

    assert [c["command"] for c in fake.commands] == ["ask", "sources", "reset", "help"]
    assert help_text == start_text
    assert f"{len(articles)} news articles" in help_text
    for article in articles:
        assert article.outlet in help_text
        assert f"{formatting.format_date(article.published)} · {article.title}" in sources_text
    dates = sorted(a.published for a in articles)
    assert formatting.format_date(dates[0]) in help_text
    assert formatting.format_date(dates[-1]) in help_text
    assert f"@{BOT_USERNAME}" in help_text and "/ask" in help_text
    assert unknown == handlers.UNKNOWN_COMMAND


async def test_start_help_and_menu_come_in_the_persons_app_language(
    fake, make_settings, run_bot, recorder
):
    russian, polish = USER + 1, USER + 2
    fake.user_languages.update({russian: "ru", polish: "pl-PL"})
    async with run_bot(make_settings(), recorder):
        start_ru = (await ask_private(fake, "/start", user=russian))[0]["text"]
        reset_pl = (await ask_private(fake, "/reset", user=polish))[0]["text"]
        unknown_ru = (await ask_private(fake, "/frobnicate", user=russian))[0]["text"]
        start_en = (await ask_private(fake, "/start"))[0]["text"]

    assert start_ru.startswith("Я отвечаю на вопросы") and "Как спрашивать" in start_ru
    assert f"@{BOT_USERNAME}" in start_ru and "/reset" in start_ru
    assert reset_pl == message("bot.reset_done", "pl") != handlers.RESET_DONE
    assert unknown_ru == message("bot.unknown_command", "ru")
    assert start_en.startswith("I answer questions from")
    menu = {c["command"]: c["description"] for c in fake.commands_by_language["ru"]}
    assert menu["reset"] == message("bot.command.reset", "ru")
    assert [c["command"] for c in fake.commands] == ["ask", "sources", "reset", "help"]


async def test_rate_limit_is_per_user_and_friendly(fake, make_settings, run_bot, recorder):
    async with run_bot(make_settings(telegram_rate_limit=2), recorder):
        for _ in range(3):
            await ask_private(fake, QUESTION)
        other = await ask_private(fake, QUESTION, user=USER + 1)

    texts = [m["text"] for m in fake.sent(USER)]
    assert len(recorder.asks) == 3  # two from USER, one from the other user
    assert texts[-1].startswith("You're asking faster than I can read")
    assert "2 questions a minute" in texts[-1]
    assert button(other[-1]) is not None


async def test_a_slow_question_does_not_block_other_chats(fake, make_settings, run_bot, recorder):
    release = threading.Event()
    recorder.hooks["slow"] = lambda: release.wait(10)
    async with run_bot(make_settings(), recorder):
        fake.push_message(fake.private_chat(USER), USER, f"{QUESTION} slow")
        await fake.wait_for(lambda: recorder.asks, what="slow question started")
        fast = await ask_private(fake, QUESTION, user=USER + 1)
        assert not fake.sent(USER)  # the slow one is still being answered...
        release.set()
        await fake.wait_sent(USER, 1)  # ...and is answered afterwards

    assert_shows_answer(fast, recorder.asks[1].answer)


async def test_errors_reach_the_user_as_one_line(fake, make_settings, run_bot, recorder, caplog):
    def unreachable() -> None:
        raise IndexUnavailable("The index is unreachable: start Chroma or unset RAG_CHROMA_URL.")

    def crash() -> None:
        raise RuntimeError("boom")

    recorder.hooks["unreachable"] = unreachable
    recorder.hooks["crash"] = crash
    async with run_bot(make_settings(), recorder):
        rag_error = await ask_private(fake, "unreachable index?")
        crashed = await ask_private(fake, "crash now?")

    assert [m["text"] for m in rag_error] == [
        "The index is unreachable: start Chroma or unset RAG_CHROMA_URL."
    ]
    assert [m["text"] for m in crashed] == [handlers.SOMETHING_WRONG]
    assert any(r.exc_info and "boom" in str(r.exc_info[1]) for r in caplog.records)


async def test_conversation_and_buttons_survive_a_restart(fake, make_settings, run_bot, recorder):
    settings = make_settings()
    async with run_bot(settings, recorder):
        first = await ask_private(fake, QUESTION)

    state_dir = settings.data_dir / "bot"
    assert stat.S_IMODE(state_dir.stat().st_mode) == 0o700
    assert any(state_dir.iterdir())

    async with run_bot(settings, recorder):  # a new process, as far as the bot knows
        await ask_private(fake, FOLLOW_UP)
        fake.push_callback(first[-1], USER, button(first[-1])[1])
        await fake.wait_for(lambda: fake.calls_of("editMessageText", USER), what="show edit")

    assert [t.question for t in recorder.asks[1].history] == [QUESTION]
    shown = fake.message(USER, first[-1]["message_id"])
    assert entity_text(shown, "expandable_blockquote") == [
        c.passage.text.strip() for c in recorder.asks[0].answer.citations
    ]


async def test_which_outlet_after_an_answer_names_it_with_the_source_lines_date(
    fake, make_settings, run_bot, recorder
):
    async with run_bot(make_settings(), recorder):
        await ask_private(fake, QUESTION)
        replies = await ask_private(fake, "which outlet was that?")

    first, source = recorder.asks
    cited = first.answer.citations[0].passage
    shown = replies[0]["text"]
    assert shown.startswith(f"That comes from {cited.outlet} ")
    assert f"({formatting.format_date(cited.published)})" in shown
    assert_shows_answer(replies, source.answer)
    assert [c.passage.id for c in source.answer.citations] == [
        c.passage.id for c in first.answer.citations
    ]
