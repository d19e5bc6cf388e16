"""Unit tests of the bot's small parts: access, rate limit, memory, mentions, log redaction."""

from __future__ import annotations

import logging
import pickle

import pytest
from telegram.error import InvalidToken, NetworkError

from bot import memory
from bot.access import AccessPolicy, RateLimiter, slow_down_text
from bot.app import DropReportedErrors, RedactToken
from bot.formatting import SourceRef
from bot.handlers import CALLBACK_RE, command_argument, passages_keyboard, strip_mention
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


def test_rate_limit_sliding_window() -> None:
    now = [0.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    assert limiter.hit(1) == 0 and limiter.hit(1) == 0
    assert limiter.hit(1) == pytest.approx(60.0)
    assert limiter.hit(2) == 0  # per user
    now[0] = 30.0
    assert limiter.hit(1) == pytest.approx(30.0)  # refused questions do not count
    now[0] = 60.0
    assert limiter.hit(1) == 0
    assert "2 questions a minute" in slow_down_text(29.2, 2) and "30 s" in slow_down_text(29.2, 2)


def test_rate_limit_zero_disables() -> None:
    limiter = RateLimiter(0)
    assert all(limiter.hit(1) == 0 for _ in range(100))


def test_history_is_bounded_and_resettable() -> None:
    chat: dict = {}
    for i in range(6):
        memory.remember(chat, f"q{i}", f"a{i}", max_turns=4)
    assert memory.history(chat) == [Turn(f"q{i}", f"a{i}") for i in range(2, 6)]
    assert memory.forget(chat) and memory.history(chat) == [] and not memory.forget(chat)
    memory.remember(chat, "q", "a", max_turns=0)
    assert memory.history(chat) == []


def test_stored_answers_are_a_bounded_lru_of_builtins() -> None:
    chat: dict = {}
    src = [SourceRef(1, "TASS", "2021-11-23", "T", "passage")]
    keys = [memory.store_answer(chat, f"head{i}", src) for i in range(memory.MAX_STORED_ANSWERS)]
    assert all(CALLBACK_RE.match(f"psg:show:{k}") for k in keys)
    assert memory.load_answer(chat, keys[0]) is not None  # now the most recently used
    newest = memory.store_answer(chat, "new", src)
    assert memory.load_answer(chat, keys[1]) is None  # the least recently used went
    assert memory.load_answer(chat, keys[0]).sources == src
    memory.set_message_id(chat, newest, 77)
    assert memory.load_answer(chat, newest).message_id == 77
    assert memory.load_answer(chat, "nope") is None
    # The pickle holds builtins only: renaming the bot's classes cannot break old state.
    assert b"bot." not in pickle.dumps(chat) and b"rag." not in pickle.dumps(chat)


def test_callback_data_fits_telegrams_64_bytes() -> None:
    key = memory.store_answer({}, "h", [])
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
