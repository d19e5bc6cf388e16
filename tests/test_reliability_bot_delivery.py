"""Durable delivery and no silent drops, against the fake Bot API through the real Application.

* Telegram down for a while (5xx, 429 with retry_after): the answer is kept and arrives once,
  after the outage, without an error for the user or in the log.
* Down for longer than ``TELEGRAM_DELIVERY_TIMEOUT``: the user gets a short apology instead.
* A flood from one person: every question answered, in order, with one "queued" note.
* A busy group: every answer, at Telegram's group pace, with "typing…"; other chats unhurt.

The backoff between retries is capped lower than in production (``bot.delivery.BACKOFF_MAX``)
so an outage of six failures takes seconds, not half a minute.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from typing import Any

import pytest
from fake_telegram import BOT_USERNAME, FakeTelegram, parse_telegram_html

from bot import delivery, formatting, handlers
from bot.access import RateLimiter

pytest_plugins = ["bot_fixtures"]
pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning"),
]

QUESTION = "What did Belarus say about talks with Poland?"
USER = 4242


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delivery, "BACKOFF_MAX", 1.0)


def shown(answer: Any) -> list[str]:
    """What the user sees for ``answer``, as Telegram shows it."""
    return [parse_telegram_html(m)[0] for m in formatting.layout_answer(answer).messages]


def accepted_texts(fake: FakeTelegram, chat_id: int) -> list[str]:
    return [c.result["text"] for c in fake.calls_of("sendMessage", chat_id)]


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize(
    ("fault", "count"),
    [({"kind": "5xx", "status": 500}, 6), ({"kind": "429", "retry_after": 1}, 4)],
    ids=["500x6", "429x4"],
)
async def test_an_outage_delays_the_answer_but_loses_nothing(
    fake, make_settings, run_bot, recorder, caplog, fault, count
):
    fake.fail_next("sendMessage", count, **fault)
    async with run_bot(make_settings(), recorder):
        fake.push_message(fake.private_chat(USER), USER, QUESTION)
        await fake.wait_sent(USER, 1, timeout=40)
        await fake.wait_for(lambda: recorder.answered(), what="the answer")
        await fake.settle(1)  # nothing more is on its way

    statuses = [c.status for c in fake.calls_of("sendMessage", USER, ok=None)]
    failed = fault.get("status", 429)
    assert statuses == [failed] * count + [200]  # retried through the outage, sent once
    assert accepted_texts(fake, USER) == shown(recorder.asks[0].answer)
    assert handlers.SOMETHING_WRONG not in accepted_texts(fake, USER)
    if fault["kind"] == "429":  # every retry_after was waited out
        calls = fake.calls_of("sendMessage", USER, ok=None)
        assert all(b.at - a.at >= 1.0 for a, b in itertools.pairwise(calls))
    assert errors(caplog) == []
    calls = fake.calls_of("sendMessage", USER, ok=None)
    print(f"outage {count}x{failed}: answer delivered {calls[-1].at - calls[0].at:.1f} s late")


async def test_an_outage_longer_than_the_deadline_ends_in_one_apology(
    fake, make_settings, run_bot, recorder, caplog
):
    fake.fail_next("sendMessage", 10_000, kind="5xx", status=502)
    settings = make_settings(telegram_delivery_timeout=2.0)
    async with run_bot(settings, recorder):
        fake.push_message(fake.private_chat(USER), USER, QUESTION)
        await fake.wait_for(
            lambda: any("Gave up" in m for m in errors(caplog)), timeout=20, what="giving up"
        )
        fake.clear_faults()  # Telegram is back: the apology gets through
        await fake.wait_sent(USER, 1, timeout=20)
        await fake.settle(1)

    apology = delivery.GAVE_UP.format(minutes=1)
    assert accepted_texts(fake, USER) == [apology]  # the late answer is not sent as well


async def test_a_flood_is_queued_and_answered_in_order_with_one_note(
    fake, make_settings, run_bot, recorder, monkeypatch
):
    monkeypatch.setattr(RateLimiter, "WINDOW", 8.0)  # 6 questions per 8 s instead of 60
    titles = [a.title for a in recorder.sources()]
    questions = [f"What happened: {titles[n % len(titles)]}? ({n})" for n in range(10)]
    async with run_bot(make_settings(telegram_rate_limit=6), recorder):
        chat = fake.private_chat(USER)
        pushed = time.monotonic()
        for question in questions:  # ten questions within a second
            fake.push_message(chat, USER, question)
        await fake.wait_for(lambda: len(recorder.answered()) == 10, timeout=60, what="ten")
        await fake.wait_sent(USER, 11, timeout=20)
        await fake.settle(10)

    assert [c.question for c in recorder.asks] == questions  # asked in order
    texts = accepted_texts(fake, USER)
    notes = [t for t in texts if t.startswith("You're asking faster than I can read")]
    assert len(notes) == 1 and "6 questions a minute" in notes[0]
    answers = [t for t in texts if t not in notes]
    expected = [text for call in recorder.asks for text in shown(call.answer)]
    assert answers == expected  # every answer, in the order asked
    # The other four waited for the window to let them in.
    last = fake.calls_of("sendMessage", USER)[-1].at - pushed
    assert last >= 8.0
    print(f"flood: 10/10 answered in order, one note, the last {last:.1f} s after the first")


async def test_small_talk_does_not_count_against_the_limit(
    fake, make_settings, run_bot, recorder, monkeypatch
):
    async with run_bot(make_settings(telegram_rate_limit=1), recorder):
        chat = fake.private_chat(USER)
        for text in ("hi", "thanks!", QUESTION):
            fake.push_message(chat, USER, text)
        await fake.wait_for(lambda: len(recorder.answered()) == 3, what="three answers")
        await fake.settle(3)

    texts = accepted_texts(fake, USER)
    # Two greetings and a question within the limit of one: no "queued" note.
    assert not any(t.startswith("You're asking faster") for t in texts), texts
    assert len(texts) >= 3


async def test_a_busy_group_gets_every_answer_at_its_pace_without_starving_others(
    fake, make_settings, run_bot, recorder
):
    """30 mentions from 10 people in 5 s: Telegram takes about 20 messages a minute per
    group, so the answers queue (with "typing…" shown meanwhile); a private chat asking in the
    middle of it is answered at once."""
    group, private = fake.group_chat(-1005550001), fake.private_chat(USER)
    asked: dict[int, str] = {}
    async with run_bot(make_settings(), recorder):
        await fake.wait_for(lambda: fake.commands, what="bot started")
        started = time.monotonic()
        for n in range(30):
            text = f"@{BOT_USERNAME} {QUESTION} ({n})"
            asked[fake.push_message(group, 9000 + n % 10, text)["message_id"]] = text
            if n == 15:
                fake.push_message(private, USER, QUESTION)
                private_at = time.monotonic()
            await asyncio.sleep(5 / 30)
        await fake.wait_sent(USER, 1)
        private_latency = fake.calls_of("sendMessage", USER)[0].at - private_at
        await fake.wait_sent(group["id"], 30, timeout=90)
        await asyncio.sleep(0.5)

    answers = fake.calls_of("sendMessage", group["id"])
    assert len(answers) == 30  # every question, none refused or given up
    assert {c.result["reply_to_message"]["message_id"] for c in answers} == set(asked)
    assert all("[1]" in c.result["text"] for c in answers)
    # Telegram's group pace (PTB's limiter: a burst of 20, then one every 3 s): in any
    # stretch of the run, at most 20 messages plus one per 3 s of it.
    times = [c.at for c in answers]
    for i, j in itertools.combinations(range(len(times)), 2):
        assert j - i + 1 <= 21 + (times[j] - times[i]) / 3, (i, j)
    assert times[-1] - started >= (30 - 20) * 3 * 0.9  # so the last came after half a minute
    assert private_latency < 5.0, private_latency  # the group's backlog did not hold it up
    # The answers that waited for the group's pace were announced by "typing…".
    typing = [c.at for c in fake.calls_of("sendChatAction", group["id"])]
    assert sum(answers[19].at < t < answers[-1].at for t in typing) >= 2
    print(
        f"busy group: 30/30 answered, last {times[-1] - started:.1f} s after the first mention; "
        f"{len(typing)} typing indicators; private answer amid it in {private_latency:.2f} s"
    )


async def test_questions_still_waiting_when_the_bot_stops_are_not_dropped_silently(
    fake, make_settings, run_bot, recorder, monkeypatch
):
    monkeypatch.setattr(RateLimiter, "WINDOW", 600.0)
    settings = make_settings(telegram_rate_limit=1)
    chat = fake.private_chat(USER)
    async with run_bot(settings, recorder):
        fake.push_message(chat, USER, QUESTION)
        fake.push_message(chat, USER, f"{QUESTION} (again)")  # waits 10 minutes
        await fake.wait_sent(USER, 2)  # the answer and the "queued" note
    async with run_bot(settings, recorder):  # restarted
        await fake.wait_sent(USER, 3)
        await fake.settle(2)

    assert [c.question for c in recorder.asks] == [QUESTION]
    assert accepted_texts(fake, USER)[-1] == handlers.RESTARTED
