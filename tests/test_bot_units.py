"""Unit tests of the bot's small parts: access, rate limit, the state store, mentions, log
redaction."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from pathlib import Path

import pytest
from telegram import Bot
from telegram.error import InvalidToken, NetworkError
from telegram.ext import PersistenceInput, PicklePersistence

from bot import legacy
from bot.access import (
    REFUSAL_ALERT,
    AccessPolicy,
    RateLimiter,
    alert_text,
    queue_full_text,
    queued_text,
)
from bot.app import DropReportedErrors, RedactToken
from bot.formatting import SourceRef
from bot.handlers import CALLBACK_RE, command_argument, passages_keyboard, strip_mention
from bot.queueing import Admission, QuestionQueue
from bot.store import MAX_STORED_ANSWERS, BotStore, Outgoing
from rag.types import Turn

TOKEN = "123456:SECRET-token_value"


def test_empty_allowlist_lets_everyone_in() -> None:
    assert AccessPolicy().allows(1, 2) and AccessPolicy().allows(None, None)


def test_allowlist_matches_user_or_chat() -> None:
    policy = AccessPolicy({10, -100})
    assert policy.allows(10, 999)  # an allowed person, anywhere
    assert policy.allows(999, -100)  # anyone in an allowed group
    assert not policy.allows(999, 998)
    assert not policy.allows(None, None)
    assert policy.first_refusal(998) and not policy.first_refusal(998)
    assert policy.first_refusal(997)


def test_rate_limit_reserves_slots_in_a_sliding_window() -> None:
    now = [0.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    assert limiter.reserve(1) == 0 and limiter.reserve(1) == 0
    assert limiter.reserve(1) == pytest.approx(60.0)  # waits for the first slot to free
    assert limiter.reserve(1) == pytest.approx(60.0)  # ...and the second
    assert limiter.reserve(1) == pytest.approx(120.0)  # the one after waits for those
    assert limiter.reserve((1, -5)) == 0  # another key (a person in another chat)
    now[0] = 130.0
    assert limiter.reserve(1) == 0  # the slot at 120 s is the only one in the window
    assert limiter.reserve(1) == pytest.approx(50.0)  # so this one waits for it to leave
    assert "2 questions a minute" in queued_text(29.2, 2) and "30 s" in queued_text(29.2, 2)
    assert "holding 3 of your questions" in queue_full_text(3)


def test_rate_limit_zero_disables() -> None:
    limiter = RateLimiter(0)
    assert all(limiter.reserve(1) == 0 for _ in range(100))


def test_alerts_fit_telegrams_200_characters_ids_first() -> None:
    alert = alert_text(REFUSAL_ALERT.format(user=10**12, chat=-(10**15)))
    assert len(alert) <= 200 and alert.startswith(f"Your user id: {10**12}; this chat's id: -")
    assert str(-(10**15)) in alert
    long = alert_text("word " * 100)
    assert len(long) <= 200 and long.endswith("word…")
    assert alert_text("short") == "short"


@pytest.fixture
def store(tmp_path: Path) -> BotStore:
    db = BotStore(tmp_path / "state.sqlite3")
    yield db
    db.close()


def answer_of(store: BotStore, chat: int, question: str, *, question_id: int, turns: int = 4):
    src = [SourceRef(1, "TASS", "2021-11-23", "T", f"passage for {question}")]
    return store.record_answer(
        chat_id=chat,
        turn=(question, f"answer to {question}"),
        question_id=question_id,
        max_turns=turns,
        button=("head", src),
        messages=[Outgoing(chat, "first"), Outgoing(chat, "last")],
        deadline=time.time() + 60,
    )


def test_history_is_bounded_resettable_and_an_edit_replaces_its_turn(store: BotStore) -> None:
    for i in range(6):
        answer_of(store, 1, f"q{i}", question_id=i)
    assert store.history(1, 4) == [Turn(f"q{i}", f"answer to q{i}") for i in range(2, 6)]
    answer_of(store, 1, "q5 fixed", question_id=5)  # the user corrected question 5
    assert [t.question for t in store.history(1, 4)] == ["q2", "q3", "q4", "q5 fixed"]
    assert store.history(2, 4) == []  # per chat
    assert store.forget(1) and store.history(1, 4) == [] and not store.forget(1)
    answer_of(store, 1, "q", question_id=9, turns=0)
    assert store.history(1, 4) == []


def test_outbox_keeps_order_and_links_the_button_and_the_reply(store: BotStore) -> None:
    first = answer_of(store, 7, "a", question_id=100)
    second = store.enqueue([Outgoing(7, "note"), Outgoing(8, "elsewhere")], time.time() + 60)
    assert first != second and store.pending_batches() == {first, second}
    assert sorted(store.queued_chats()) == [7, 8]
    head = store.next_queued(7)
    assert head.text == "first" and head.answer_key is None and head.batch == first
    store.delivered(head, 555)
    last = store.next_queued(7)
    assert (
        last.text == "last" and last.answer_key and CALLBACK_RE.match(f"psg:show:{last.answer_key}")
    )
    assert store.load_answer(7, last.answer_key).message_id is None  # not shown yet
    store.delivered(last, 556)
    assert store.load_answer(7, last.answer_key).message_id == 556
    assert store.load_answer(8, last.answer_key) is None  # a key is only good in its chat
    assert store.next_queued(7).text == "note"
    assert store.discard_batch(second) == 2 and store.next_queued(8) is None


def test_question_links_to_its_first_reply(store: BotStore) -> None:
    store.enqueue([Outgoing(7, "reply", question_id=41), Outgoing(7, "more")], time.time())
    store.delivered(store.next_queued(7), 90)
    store.delivered(store.next_queued(7), 91)
    assert store.reply_to_question(7, 41) == 90 and store.reply_to_question(7, 42) is None


def test_migration_moves_memory_buttons_and_queue(store: BotStore) -> None:
    answer_of(store, -5, "q", question_id=1)
    key = store.next_queued(-5)
    store.migrate_chat(-5, -1005)
    store.migrate_chat(-5, -1005)  # Telegram tells both chats: idempotent
    assert store.history(-5, 4) == [] and [t.question for t in store.history(-1005, 4)] == ["q"]
    assert store.next_queued(-5) is None and store.next_queued(-1005).id == key.id


def test_stored_answers_are_a_bounded_lru(store: BotStore) -> None:
    src = [SourceRef(1, "TASS", "2021-11-23", "T", "passage")]
    keys = [store.store_answer(1, f"head{i}", src) for i in range(MAX_STORED_ANSWERS)]
    assert all(CALLBACK_RE.match(f"psg:show:{k}") for k in keys)
    time.sleep(0.01)
    assert store.load_answer(1, keys[0]) is not None  # now the most recently used
    store.store_answer(1, "new", src)
    assert store.load_answer(1, keys[1]) is None  # the least recently used went
    assert store.load_answer(1, keys[0]).sources == src
    assert store.load_answer(1, "nope") is None


def test_state_survives_reopening(tmp_path: Path) -> None:
    db = BotStore(tmp_path / "s.sqlite3")
    answer_of(db, 3, "kept", question_id=1)
    db.close()
    again = BotStore(tmp_path / "s.sqlite3")
    assert [t.question for t in again.history(3, 4)] == ["kept"]
    assert again.next_queued(3).text == "first"
    again.close()


def test_callback_data_fits_telegrams_64_bytes(store: BotStore) -> None:
    key = store.store_answer(1, "h", [])
    for expanded in (False, True):
        (button,) = passages_keyboard(key, expanded=expanded).inline_keyboard[0]
        assert len(button.callback_data.encode()) <= 64
        assert CALLBACK_RE.match(button.callback_data)


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("@news_bot who is Rau?", "who is Rau?"),
        ("@News_Bot, who is Rau?", "who is Rau?"),
        ("Hey @news_bot: who is Rau?", "Hey who is Rau?"),
        ("who is Rau? @news_bot", "who is Rau?"),
        ("@news_botanist who is Rau?", "@news_botanist who is Rau?"),  # someone else
        ("mail me@news_bot.org", "mail me@news_bot.org"),
    ],
)
def test_mention_is_stripped(text: str, question: str) -> None:
    assert strip_mention(text, "news_bot") == question


def test_command_argument_keeps_the_whole_question() -> None:
    assert command_argument("/ask@news_bot  who is\nRau? ") == "who is\nRau?"
    assert command_argument("/ask") == ""


def record(
    msg: str, *args: object, exc: BaseException | None = None, name: str = "x"
) -> logging.LogRecord:
    exc_info = (type(exc), exc, None) if exc else None
    return logging.LogRecord(name, logging.ERROR, __file__, 1, msg, args, exc_info)


def render(handler_filter: logging.Filter, rec: logging.LogRecord) -> str | None:
    if not handler_filter.filter(rec):
        return None
    return logging.Formatter("%(message)s").format(rec)


def test_token_is_redacted_from_messages_arguments_and_tracebacks() -> None:
    redact = RedactToken(TOKEN)
    url = f"https://api.telegram.org/bot{TOKEN}/getMe"
    for rec in (
        record(f"HTTP Request: POST {url}"),
        record("HTTP Request: POST %s %r", url, "HTTP/1.1 200 OK"),
        record("failed", exc=NetworkError(f"connect to {url} failed")),
    ):
        shown = render(redact, rec)
        assert shown is not None and TOKEN not in shown and "<token>" in shown


def test_errors_main_reports_itself_are_not_logged_twice() -> None:
    drop = DropReportedErrors()
    assert (
        render(drop, record("Invalid token", exc=InvalidToken("Unauthorized"), name="telegram.ext"))
        is None
    )
    bootstrap = record(
        "Bootstrap Initialize Application: Failed", exc=NetworkError("down"), name="telegram.ext"
    )
    assert render(drop, bootstrap) is None
    polling = record("Polling failed", exc=NetworkError("down"), name="telegram.ext")
    assert render(drop, polling) is not None  # later network trouble is still logged
    assert render(drop, record("mine", exc=InvalidToken("x"), name="bot.app")) is not None


@pytest.mark.asyncio
async def test_question_queue_bound_refuses_only_what_would_wait() -> None:
    now = [0.0]
    queue = QuestionQueue(RateLimiter(1, clock=lambda: now[0]), bound=0)
    first = queue.admit("ann")
    assert first.admission is Admission.NOW  # within the limit: a bound of 0 does not matter
    assert queue.admit("ann").admission is Admission.REFUSED  # would wait: said once...
    assert queue.admit("ann").admission is Admission.REFUSED_AGAIN  # ...not twice
    assert queue.admit("ann", counted=False).admission is Admission.NOW  # small talk
    now[0] = 60.0
    async with queue.turn(first) as go:
        assert go
    # The refused questions took no slot: a minute after the first, the next is in.
    assert queue.admit("ann").admission is Admission.NOW


@pytest.mark.asyncio
async def test_state_saved_by_earlier_versions_is_imported_once(tmp_path: Path) -> None:
    # Written by PTB's PicklePersistence exactly as versions before bot/store.py did.
    persistence = PicklePersistence(
        tmp_path / legacy.FILENAME,
        store_data=PersistenceInput(
            bot_data=False, chat_data=True, user_data=False, callback_data=False
        ),
    )
    persistence.set_bot(Bot(TOKEN))
    source = (1, "TASS", "2021-11-23", "T", "passage")
    old = {"head": "h", "sources": [source], "message_id": 7}
    saved = {"history": [("q", "a")], "answers": OrderedDict(AbCdEf12=old)}
    await persistence.update_chat_data(42, saved)
    await persistence.flush()
    store = BotStore(tmp_path / "state.sqlite3")
    assert legacy.import_pickle(store, tmp_path) == 1
    assert store.history(42, 4) == [Turn("q", "a")]
    stored = store.load_answer(42, "AbCdEf12")
    assert stored.message_id == 7 and stored.sources == [SourceRef(*source)]
    assert legacy.import_pickle(store, tmp_path) == 0  # renamed: never imported twice
    assert (tmp_path / f"{legacy.FILENAME}.imported").is_file()
    store.close()
