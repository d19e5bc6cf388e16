"""Faults from the Bot API: every question is answered, and exactly once where that is possible.

The production Application polls ``tests/fake_telegram.py`` over real HTTP and answers with
the real pipeline; the fake server makes the next request of one method fail: 429 with
retry_after, a 5xx, a dropped connection, a timeout (the server sleeps past the bot's read
timeout, unprocessed), a slow answer, or success with the response lost ("late": processed,
answered after the timeout; "drop_after": processed, connection dropped).

Delivery is at least once (see ``bot.delivery``): Telegram has no idempotency key,
so a sent message whose response was lost is sent again. That is the one case where a user
sees an answer twice; in every other case (and for every fault on getUpdates, edits and
button answers, which are safe to repeat) each question is answered exactly once.

Each fault runs against its own fake server and bot, all faults of a method at once.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from fake_telegram import FakeTelegram, parse_telegram_html

import bot.app
from bot import formatting, handlers

pytest_plugins = ["bot_fixtures"]
pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning"),
]

QUESTION = "What did Belarus say about talks with Poland?"
USER = 4242
READ_TIMEOUT = 1.0  # the bot's read timeout in these tests (production: bot.app.READ_TIMEOUT)
POLL_TIMEOUT = 1  # running_bot's long poll
PAST_TIMEOUT = READ_TIMEOUT + 0.5
#: getUpdates waits for its long poll on top of the read timeout.
PAST_POLL_TIMEOUT = READ_TIMEOUT + POLL_TIMEOUT + 0.5

#: name -> the faults injected, in order, into the next requests of the method.
FAULTS: dict[str, list[dict[str, Any]]] = {
    "429": [{"kind": "429", "retry_after": 1}],
    "5xx": [{"kind": "5xx", "status": 502}, {"kind": "5xx", "status": 500}],
    "drop": [{"kind": "drop"}],
    "timeout": [{"kind": "timeout", "delay": PAST_TIMEOUT}],
    "slow": [{"kind": "slow", "delay": 0.4}],
    "late": [{"kind": "late", "delay": PAST_TIMEOUT}],
    "drop_after": [{"kind": "drop_after"}],
    "mixed": [{"kind": "drop"}, {"kind": "5xx", "status": 503}, {"kind": "timeout"}],
}
#: Faults after which the message *was* sent but the bot could not know it.
RESPONSE_LOST = {"late", "drop_after"}


@pytest.fixture(autouse=True)
def short_read_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Timeouts after 1 s instead of 5, so the faults take seconds, not minutes."""
    monkeypatch.setattr(bot.app, "READ_TIMEOUT", READ_TIMEOUT)


@pytest.fixture(scope="module")
def expected_texts(bot_pipeline: Any) -> list[str]:
    """What the user sees for QUESTION (the pipeline is deterministic), as Telegram shows it."""
    answer = bot_pipeline.ask(QUESTION)
    assert answer.citations, "the question must have a cited answer (a button to press)"
    return [parse_telegram_html(m)[0] for m in formatting.layout_answer(answer).messages]


def inject(fake: FakeTelegram, method: str, name: str) -> None:
    for fault in FAULTS[name]:
        fault = dict(fault)
        if fault["kind"] == "timeout" or (fault["kind"] == "late" and method == "getUpdates"):
            fault["delay"] = PAST_POLL_TIMEOUT if method == "getUpdates" else PAST_TIMEOUT
        fake.fail_next(method, 1, **fault)


def done(app: Any, processed_updates: Any, *, message: dict | None = None, query: str = "") -> bool:
    for update in processed_updates(app):
        if message and update.message and update.message.message_id == message["message_id"]:
            return True
        if query and update.callback_query and update.callback_query.id == query:
            return True
    return False


class Case:
    """One fault against its own fake server and bot."""

    def __init__(self, method: str, name: str, tmp_path: Path, deps: dict[str, Any]) -> None:
        self.method, self.name = method, name
        self.data_dir = tmp_path / f"{method}-{name}"
        self.deps = deps
        self.fake = FakeTelegram()
        self.recorder = deps["new_recorder"]()
        self.latency = 0.0
        self.shown: dict[str, Any] | None = None

    async def ask(self, app: Any) -> dict[str, Any]:
        fake = self.fake
        pushed = time.monotonic()
        question = fake.push_message(fake.private_chat(USER), USER, QUESTION)
        await fake.wait_for(
            lambda: done(app, self.deps["processed_updates"], message=question),
            timeout=20,
            what=f"{self.method}/{self.name}: question handled",
        )
        self.latency = fake.calls_of("sendMessage", USER)[0].at - pushed
        return question

    async def run(self) -> Case:
        with self.fake:
            settings = self.deps["bot_settings"](self.fake, self.data_dir)
            async with self.deps["run_bot"](settings, self.recorder) as app:
                await self.fake.wait_for(lambda: self.fake.commands, what="bot started")
                if self.method in ("sendMessage", "getUpdates", "sendChatAction"):
                    inject(self.fake, self.method, self.name)
                    await self.ask(app)
                else:  # press "Show passages" under an answer
                    await self.ask(app)
                    last = self.fake.sent(USER)[-1]
                    data = last["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
                    inject(self.fake, self.method, self.name)
                    query = self.fake.push_callback(last, USER, data)
                    await self.fake.wait_for(
                        lambda: done(app, self.deps["processed_updates"], query=query),
                        timeout=20,
                        what=f"{self.method}/{self.name}: button handled",
                    )
                    self.shown = self.fake.message(USER, last["message_id"])
        return self

    def texts(self) -> list[str]:
        """The messages sent to the user, as sent (before any edit)."""
        return [c.result["text"] for c in self.fake.calls_of("sendMessage", USER)]

    def statuses(self, method: str) -> list[int]:
        return [c.status for c in self.fake.calls_of(method, ok=None)]


@pytest.fixture
def deps(bot_settings, new_recorder, run_bot, processed_updates) -> dict[str, Any]:
    return {
        "bot_settings": bot_settings,
        "new_recorder": new_recorder,
        "run_bot": run_bot,
        "processed_updates": processed_updates,
    }


async def run_all(method: str, tmp_path: Path, deps: dict[str, Any]) -> dict[str, Case]:
    cases = [Case(method, name, tmp_path, deps) for name in FAULTS]
    await asyncio.gather(*(case.run() for case in cases))
    return {case.name: case for case in cases}


def assert_no_errors(case: Case, caplog: pytest.LogCaptureFixture) -> None:
    assert handlers.SOMETHING_WRONG not in case.texts(), case.name
    assert [c.question for c in case.recorder.asks] == [QUESTION], case.name  # asked once
    errors = [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
    assert not errors, [r.getMessage() for r in errors]


async def test_send_message_faults_lose_nothing(tmp_path, deps, expected_texts, caplog):
    cases = await run_all("sendMessage", tmp_path, deps)
    for name, case in cases.items():
        assert_no_errors(case, caplog)
        statuses = case.statuses("sendMessage")
        failed = [f for f in FAULTS[name] if f["kind"] not in RESPONSE_LOST | {"slow"}]
        assert statuses[-1] == 200, (name, statuses)
        assert len(statuses) == len(failed) + 1 + (name in RESPONSE_LOST), (name, statuses)
        if name in RESPONSE_LOST:
            # At least once: the first copy was delivered, its response lost, so it was sent
            # again. The user sees the same answer twice; never none.
            assert case.texts() == expected_texts * 2, name
            first, again = case.fake.calls_of("sendMessage", USER)
            assert first.lost and not again.lost and first.params == again.params
        else:
            assert case.texts() == expected_texts, (name, case.texts())
    # 429: waited retry_after before trying again; no fault delays the answer much longer
    # than its own duration.
    waits = [c.at for c in cases["429"].fake.calls_of("sendMessage", USER, ok=None)]
    assert waits[1] - waits[0] >= 1.0
    assert cases["slow"].latency < 2.0 and cases["drop"].latency < 2.0


async def test_get_updates_faults_deliver_each_question_once(
    tmp_path, deps, expected_texts, caplog
):
    cases = await run_all("getUpdates", tmp_path, deps)
    for name, case in cases.items():
        assert_no_errors(case, caplog)
        assert case.texts() == expected_texts, (name, case.texts())
        faulted = [s for s in case.statuses("getUpdates") if s != 200]
        if name not in ("slow", "late", "drop_after"):
            assert len(faulted) == len(FAULTS[name]), (name, faulted)
        if name in RESPONSE_LOST:  # the batch was fetched twice (unconfirmed), handled once
            batches = [c for c in case.fake.calls_of("getUpdates") if c.result]
            assert batches[0].lost and batches[1].result == batches[0].result


async def test_send_chat_action_faults_never_delay_or_block_the_answer(
    tmp_path, deps, expected_texts, caplog
):
    cases = await run_all("sendChatAction", tmp_path, deps)
    for name, case in cases.items():
        assert_no_errors(case, caplog)
        assert case.texts() == expected_texts, (name, case.texts())
        # "typing…" is cosmetic: the answer does not wait for it, however it fails.
        if name != "429":  # a 429 pauses every request for retry_after (flood control)
            assert case.latency < READ_TIMEOUT, (name, case.latency)


@pytest.mark.parametrize("method", ["editMessageText", "answerCallbackQuery"])
async def test_button_faults_show_the_passages_once(method, tmp_path, deps, expected_texts, caplog):
    cases = await run_all(method, tmp_path, deps)
    for name, case in cases.items():
        assert_no_errors(case, caplog)
        assert case.texts() == expected_texts, (name, case.texts())  # answered once
        shown = case.shown
        assert shown is not None
        assert shown["reply_markup"]["inline_keyboard"][0][0]["text"] == "Hide passages", name
        assert any(e["type"] == "expandable_blockquote" for e in shown["entities"]), name
        # Exactly one edit and one answer took effect. Repeats after a lost response were
        # refused by Telegram ("message is not modified", "query is too old"): harmless.
        edits = case.fake.calls_of("editMessageText", ok=None)
        answers = case.fake.calls_of("answerCallbackQuery", ok=None)
        assert len([c for c in edits if c.ok]) == 1, (name, [c.status for c in edits])
        assert len([c for c in answers if c.ok]) == 1, (name, [c.status for c in answers])
        assert not any(c.params.get("text") for c in answers), name  # no error toast
        if name in RESPONSE_LOST:
            retried = edits if method == "editMessageText" else answers
            assert [c.status for c in retried] == [200, 400], name
