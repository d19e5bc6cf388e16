"""The remaining Telegram rough edges, as a user meets them, through the real Application:
captions, edited questions, unknown commands in groups, a group becoming a supergroup,
refusal alerts with long ids, "typing…" while questions wait, and /start's examples."""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from typing import Any

import pytest
from fake_telegram import BOT_USERNAME, message_entities, parse_telegram_html

from bot import formatting, handlers
from bot.access import RateLimiter
from rag.types import Turn

pytest_plugins = ["bot_fixtures"]
pytestmark = pytest.mark.asyncio

QUESTION = "What did Belarus say about talks with Poland?"
USER = 4242
GROUP = -1001234567890
PHOTO = [{"file_id": "AgACfake", "file_unique_id": "AQADfake", "width": 90, "height": 60}]


def shown(answer: Any) -> list[str]:
    return [parse_telegram_html(m)[0] for m in formatting.layout_answer(answer).messages]


def captioned(caption: str) -> dict[str, Any]:
    return {"photo": PHOTO, "caption": caption, "caption_entities": message_entities(caption)}


async def test_a_caption_is_a_question(fake, make_settings, run_bot, recorder, processed_updates):
    async with run_bot(make_settings(), recorder) as app:
        fake.push_message(fake.private_chat(USER), USER, None, extra=captioned(QUESTION))
        group = fake.group_chat(GROUP)
        asked = fake.push_message(group, USER, None, extra=captioned(f"@{BOT_USERNAME} {QUESTION}"))
        fake.push_message(group, USER, None, extra=captioned(QUESTION))  # not addressed
        await fake.wait_sent(USER, 1)
        await fake.wait_sent(GROUP, 1)
        await fake.wait_for(lambda: len(processed_updates(app)) == 3, what="all three")

    assert [c.question for c in recorder.asks] == [QUESTION, QUESTION]
    assert [m["text"] for m in fake.sent(USER)] == shown(recorder.asks[0].answer)
    (reply,) = fake.sent(GROUP)  # the unaddressed caption got nothing
    assert reply["reply_to_message"]["message_id"] == asked["message_id"]


async def test_an_edited_question_is_answered_again_in_the_same_reply(
    fake, make_settings, run_bot, recorder
):
    typo = "What did Belarus say about tlaks with Polnad?"
    async with run_bot(make_settings(), recorder):
        chat = fake.private_chat(USER)
        original = fake.push_message(chat, USER, typo)
        (first,) = await fake.wait_sent(USER, 1)
        # The user fixes the typo (Telegram sends the same message, edited).
        fake.push({"edited_message": {**original, "text": QUESTION, "edit_date": int(time.time())}})
        await fake.wait_for(lambda: fake.calls_of("editMessageText", USER), what="the re-answer")
        fake.push_message(chat, USER, "And what did Poland say?")
        await fake.wait_sent(USER, 2)

    assert [c.question for c in recorder.asks[:2]] == [typo, QUESTION]
    assert recorder.asks[1].history == []  # the typo is replaced, not followed up
    # The reply now shows the corrected answer: edited in place, not sent again.
    assert fake.message(USER, first["message_id"])["text"] == shown(recorder.asks[1].answer)[0]
    assert len(fake.calls_of("sendMessage", USER)) == 2  # the reply, then the follow-up's
    # The conversation holds the corrected turn only.
    assert recorder.asks[2].history == [Turn(QUESTION, recorder.asks[1].answer.answer)]


async def test_unknown_commands_get_a_hint_where_addressed(
    fake, make_settings, run_bot, recorder, processed_updates
):
    async with run_bot(make_settings(), recorder) as app:
        group = fake.group_chat(GROUP)
        named = fake.push_message(group, USER, f"/frobnicate@{BOT_USERNAME} now")
        fake.push_message(group, USER, "/frobnicate now")  # maybe another bot's
        fake.push_message(group, USER, "/frobnicate@other_bot now")
        fake.push_message(fake.private_chat(USER), USER, "/frobnicate")
        await fake.wait_for(lambda: len(processed_updates(app)) == 4, what="all four")
        await asyncio.sleep(0.3)

    (hint,) = fake.sent(GROUP)
    assert hint["text"] == handlers.UNKNOWN_GROUP_COMMAND.format(bot=BOT_USERNAME)
    assert hint["reply_to_message"]["message_id"] == named["message_id"]
    assert [m["text"] for m in fake.sent(USER)] == [handlers.UNKNOWN_COMMAND]


async def test_a_group_upgraded_to_a_supergroup_keeps_its_memory(
    fake, make_settings, run_bot, recorder, processed_updates
):
    old = {"id": -4001, "type": "group", "title": "News club"}
    new = {"id": -1004001, "type": "supergroup", "title": "News club"}
    async with run_bot(make_settings(), recorder) as app:
        fake.push_message(old, USER, f"/ask {QUESTION}")
        await fake.wait_sent(old["id"], 1)
        # Telegram announces the upgrade in both chats.
        fake.push_message(old, USER, None, extra={"migrate_to_chat_id": new["id"]})
        fake.push_message(new, USER, None, extra={"migrate_from_chat_id": old["id"]})
        await fake.wait_for(lambda: len(processed_updates(app)) == 3, what="the migration")
        fake.push_message(new, USER, "/ask And what did Poland say?")
        await fake.wait_sent(new["id"], 1)

    assert recorder.asks[1].history == [Turn(QUESTION, recorder.asks[0].answer.answer)]


async def test_a_refused_button_press_shows_long_ids_in_full(
    fake, make_settings, run_bot, recorder
):
    stranger, chat_id = 7_123_456_789_012, -1009876543210987  # real ids get this long
    group = {"id": chat_id, "type": "supergroup", "title": "A group with a long name " * 4}
    bot_message = {
        "message_id": 5,
        "from": fake.bot_user,
        "chat": group,
        "date": int(time.time()) - 60,
        "text": "An answer [1]",
    }
    async with run_bot(make_settings(telegram_allowed_ids=frozenset({1})), recorder):
        query = fake.push_callback(bot_message, stranger, "psg:show:AAAAAAAA")
        await fake.wait_for(lambda: fake.calls_of("answerCallbackQuery", ok=None), what="alert")

    (press,) = fake.calls_of("answerCallbackQuery", ok=None)
    assert press.ok and press.params["callback_query_id"] == query
    text = press.params["text"]
    assert len(text) <= 200 and press.params["show_alert"] is True
    assert re.search(rf"user id: {stranger}\b", text) and re.search(
        rf"chat's id: {chat_id}\b", text
    )


async def test_questions_waiting_in_a_busy_group_show_typing(
    fake, make_settings, run_bot, recorder, monkeypatch
):
    monkeypatch.setattr(RateLimiter, "WINDOW", 6.0)  # 1 question per 6 s per person
    group = fake.group_chat(GROUP)
    async with run_bot(make_settings(telegram_rate_limit=1), recorder):
        for n in range(3):
            fake.push_message(group, USER, f"@{BOT_USERNAME} {QUESTION} ({n})")
        await fake.wait_for(lambda: len(recorder.answered()) == 3, timeout=40, what="answers")
        await fake.wait_sent(GROUP, 4)  # three answers and the one "queued" note

    answers = [c for c in fake.calls_of("sendMessage", GROUP) if "[1]" in c.result["text"]]
    typing = [c.at for c in fake.calls_of("sendChatAction", GROUP)]
    # While the second and third questions waited for their slots (about 6 s each), the
    # group saw "typing…", refreshed before Telegram's 5 s display ran out.
    waiting = [t for t in typing if answers[0].at < t < answers[-1].at]
    assert len(waiting) >= 2
    assert max(b - a for a, b in itertools.pairwise(typing)) < 5.0


async def test_start_says_what_the_articles_are_with_answerable_examples(
    fake, make_settings, run_bot, recorder
):
    articles = recorder.sources()
    async with run_bot(make_settings(), recorder):
        fake.push_message(fake.private_chat(USER), USER, "/start")
        (start,) = await fake.wait_sent(USER, 1)
        examples = [line[2:] for line in start["text"].splitlines() if line.startswith("• What")]
        for example in examples:
            fake.push_message(fake.private_chat(USER), USER, example)
        await fake.wait_for(lambda: len(recorder.answered()) == 2, what="two answers")
        await fake.wait_sent(USER, 3)

    text = start["text"]
    assert f"{len(articles)} news articles" in text and f"@{BOT_USERNAME}" in text
    dates = sorted(a.published for a in articles)
    assert formatting.format_date(dates[0]) in text and formatting.format_date(dates[-1]) in text
    assert len(examples) == 2
    by_title = {a.title: a for a in articles}
    asked = [next(a for t, a in by_title.items() if t in example) for example in examples]
    assert len({a.outlet for a in asked}) == 2  # two outlets, when there are two
    for call, article in zip(recorder.answered(), asked, strict=True):
        # Each example is answered from the article it was made from.
        assert article.title in {c.passage.title for c in call.answer.citations}
