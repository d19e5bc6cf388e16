"""Every kind of update Telegram can send, pushed through getUpdates to the real bot.

Updates of every type python-telegram-bot parses (messages with any content, service
messages, edits, channel posts, business messages, inline queries, button presses with
forged, oversized or empty data, membership changes, reactions, boosts, payments…), from
allowed and refused senders, in private chats and groups, are delivered by the fake Bot API
(``force``: Telegram also delivers types left out of ``allowed_updates`` when they were
queued before). The bot must never crash, never hit its error handler ("Sorry, something
went wrong" is never sent, nothing is logged at ERROR), do exactly what
``tests/telegram_updates.py`` says each update deserves, and still answer a normal question
afterwards.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

import pytest
from fake_telegram import FakeTelegram
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram_updates import ALLOWED_USERS, ALLOWLIST, KINDS, QUESTION, Ids, Spec, build
from telegram_updates import update_params as update_params_strategy

from bot import handlers
from bot.access import REFUSAL, REFUSAL_ALERT, alert_text

pytest_plugins = ["bot_fixtures"]
# PTB warns when it reads some service messages' fields (a future change of their type).
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

MESSAGE_OUTCOMES = {"reply", "non_text", "unknown_command", "refusal"}
BUTTON_OUTCOMES = {"stale", "refused_button"}
#: Methods the bot may call at all while handling these updates.
EXPECTED_METHODS = {
    "getMe",
    "deleteWebhook",
    "setMyCommands",
    "getUpdates",
    "sendMessage",
    "sendChatAction",
    "answerCallbackQuery",
}
EXAMPLES = 200 if os.environ.get("RAG_SOAK") == "1" else 25


def refusal_for(spec: Spec) -> str:
    """The refusal a sender who is not on the allowlist gets, with their ids."""
    update = spec.update
    message = update.get("message") or update.get("edited_message")
    if message:
        return REFUSAL.format(user=message["from"]["id"], chat=message["chat"]["id"])
    query = update["callback_query"]
    chat = query["message"]["chat"]["id"] if "message" in query else "?"
    return alert_text(REFUSAL_ALERT.format(user=query["from"]["id"], chat=chat))


def button_answers(fake: FakeTelegram, query_id: str | None) -> list[Any]:
    return [
        c
        for c in fake.calls_of("answerCallbackQuery", ok=None)
        if c.params.get("callback_query_id") == query_id
    ]


def satisfied(fake: FakeTelegram, spec: Spec) -> bool:
    """Whether what the bot owes ``spec`` has happened (or nothing is owed)."""
    if spec.expect in MESSAGE_OUTCOMES:
        return bool(fake.calls_of("sendMessage", spec.chat_id, ok=None))
    if spec.expect in BUTTON_OUTCOMES:
        return bool(button_answers(fake, spec.query_id))
    return True


def problems(fake: FakeTelegram, spec: Spec) -> list[str]:
    """How the bot's behaviour for ``spec`` differs from what it owes it (empty: none)."""
    calls = fake.calls_of("sendMessage", spec.chat_id, ok=None) if spec.chat_id else []
    texts = [c.result["text"] if c.ok else f"<{c.status} {c.description}>" for c in calls]
    answers = [
        (c.params.get("text"), c.params.get("show_alert"))
        for c in button_answers(fake, spec.query_id)
    ]
    expect = spec.expect
    if expect == "reply":
        bad = {handlers.SOMETHING_WRONG, handlers.NON_TEXT, refusal_for(spec)}
        ok = bool(texts) and all(c.ok for c in calls) and not bad & set(texts)
    elif expect == "non_text":
        ok = texts == [handlers.NON_TEXT]
    elif expect == "unknown_command":
        ok = texts == [handlers.UNKNOWN_COMMAND]
    elif expect == "refusal":
        ok = texts == [refusal_for(spec)]
    elif expect == "stale":
        ok = not texts and answers == [(handlers.STALE_BUTTON, None)]
    elif expect == "refused_button":
        ok = not texts and answers == [(refusal_for(spec), True)]
    else:  # silent: not a word, in the chat or to the sender
        private = fake.calls_of("sendMessage", spec.user_id, ok=None) if spec.user_id else []
        ok = not texts and not private and not answers
    return [] if ok else [f"{spec.kind} (expected {expect}): sent {texts!r}, answered {answers!r}"]


def global_problems(fake: FakeTelegram, specs: list[Spec], extra_chats: set[int]) -> list[str]:
    """Nothing went anywhere no update asked for; no method the bot should not call."""
    chats = {s.chat_id for s in specs if s.expect in MESSAGE_OUTCOMES} | extra_chats
    queries = {s.query_id for s in specs if s.expect in BUTTON_OUTCOMES}
    found = []
    for call in list(fake.calls):
        if call.method not in EXPECTED_METHODS:
            found.append(f"unexpected {call.method} {call.params}")
        elif call.method == "sendMessage" and call.params.get("chat_id") not in chats:
            found.append(f"message to {call.params.get('chat_id')}: {call.params.get('text')!r}")
        elif (
            call.method == "sendMessage"
            and call.ok
            and call.result["text"] in (handlers.SOMETHING_WRONG)
        ):
            found.append("the error handler told a user something went wrong")
        elif call.method == "answerCallbackQuery" and (
            call.params.get("callback_query_id") not in queries
        ):
            found.append(f"answered an unknown button press {call.params}")
    return found


def errors_logged(caplog: pytest.LogCaptureFixture, since: int = 0) -> list[str]:
    return [
        f"{r.name}: {r.getMessage()}" for r in caplog.records[since:] if r.levelno >= logging.ERROR
    ]


def all_specs(ids: Ids) -> list[Spec]:
    """Every kind, from an allowed and a refused sender; message kinds in a private chat and
    in a group."""
    specs = []
    for kind in KINDS:
        message_kind = kind.startswith(("text", "cmd", "media", "service"))
        for allowed in (True, False):
            for in_group in (False, True) if message_kind else (False,):
                specs.append(build(kind, ids, allowed=allowed, in_group=in_group))
    return specs


@pytest.mark.asyncio
async def test_every_update_type_gets_what_it_deserves(
    fake, make_settings, run_bot, recorder, caplog
):
    specs = all_specs(Ids())
    assert {s.expect for s in specs} == MESSAGE_OUTCOMES | BUTTON_OUTCOMES | {"silent"}
    sentinel = ALLOWED_USERS[-1]
    settings_ = make_settings(telegram_allowed_ids=ALLOWLIST, telegram_rate_limit=0)
    async with run_bot(settings_, recorder):
        await fake.wait_for(lambda: fake.commands, what="bot started")
        for spec in specs:
            fake.push(spec.update, force=True)
        # The bot is still there: a normal question after the storm is answered.
        fake.push_message(fake.private_chat(sentinel), sentinel, QUESTION)
        await fake.wait_for(
            lambda: all(satisfied(fake, s) for s in specs) and fake.sent(sentinel),
            timeout=90,
            what="every update handled",
        )
        await asyncio.sleep(0.5)  # anything still to come (it must not) arrives

    found = [p for spec in specs for p in problems(fake, spec)]
    found += global_problems(fake, specs, {sentinel})
    assert not found, "\n".join(found)
    assert not errors_logged(caplog)
    assert "[1]" in fake.sent(sentinel)[-1]["text"]  # the sentinel got a cited answer


def test_update_storms(fake, make_settings, bot_thread, bot_pipeline, caplog):
    """Random batches of random updates (hypothesis), against one running bot."""
    ids = Ids(start=5000)
    sentinels = iter(ALLOWED_USERS[-2000:])
    settings_ = make_settings(telegram_allowed_ids=ALLOWLIST, telegram_rate_limit=0)
    seen: list[Spec] = []
    extra: set[int] = set()

    with bot_thread(settings_, bot_pipeline):
        fake.wait_until(lambda: fake.commands, what="bot started")

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        @given(batch=st.lists(update_params_strategy(), min_size=1, max_size=6))
        def storm(batch: list[dict[str, Any]]) -> None:
            specs = [build(ids=ids, **params) for params in batch]
            seen.extend(specs)
            logged = len(caplog.records)
            for spec in specs:
                fake.push(spec.update, force=True)
            sentinel = next(sentinels)
            extra.add(sentinel)
            fake.push_message(fake.private_chat(sentinel), sentinel, QUESTION)
            fake.wait_until(
                lambda: all(satisfied(fake, s) for s in specs) and fake.sent(sentinel),
                timeout=30,
                what="the storm handled",
            )
            found = [p for spec in specs for p in problems(fake, spec)]
            assert not found, "\n".join(found)
            assert not errors_logged(caplog, logged)

        storm()

    found = [p for spec in seen for p in problems(fake, spec)]
    found += global_problems(fake, seen, extra)
    assert not found, "\n".join(found)
    assert not errors_logged(caplog)


@pytest.mark.asyncio
async def test_an_unreadable_update_is_skipped_not_fetched_forever(
    fake, make_settings, run_bot, recorder, caplog
):
    user = 4242
    async with run_bot(make_settings(), recorder):
        await fake.wait_for(lambda: fake.commands, what="bot started")
        polls_before = len(fake.calls_of("getUpdates", ok=None))
        # No "date": PTB cannot build a Message from it, so the whole batch fails to parse.
        bad = fake.push({"message": {"message_id": 1, "chat": {"id": user, "type": "private"}}})
        future = fake.push({"future_update_type": {"id": 1}}, force=True)  # parses (api_kwargs)
        fake.push_message(fake.private_chat(user), user, QUESTION)
        replies = await fake.wait_sent(user, 1)
        polls = len(fake.calls_of("getUpdates", ok=None)) - polls_before

    assert "[1]" in replies[0]["text"]
    assert fake.confirmed(bad) and fake.confirmed(future)
    assert polls < 10  # not spinning on the same batch
    skipped = [r for r in caplog.records if "Skipped update" in r.getMessage()]
    assert len(skipped) == 1 and str(bad) in skipped[0].getMessage()
    assert handlers.SOMETHING_WRONG not in [m["text"] for m in fake.sent(user)]
