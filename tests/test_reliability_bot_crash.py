"""The real ``rag-bot`` process killed with SIGKILL, then started again: nothing the user saw,
and no answer already composed, is lost (bot/store.py writes before it sends).

Each test copies the session's seeded index, so the bot starts without ingesting.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from fake_telegram import FakeTelegram

pytest_plugins = ["bot_fixtures"]

QUESTION = "What did Belarus say about talks with Poland?"
FOLLOW_UP = "And what did Poland say?"
USER = 4242


@pytest.fixture
def data_dir(tmp_path: Path, bot_pipeline: Any, seeded_data_dir: Path) -> Path:
    """A copy of the seeded index (``bot_pipeline`` has filled it) for the bot process."""
    target = tmp_path / "data"
    shutil.copytree(seeded_data_dir, target, ignore=shutil.ignore_patterns("*.lock", "bot"))
    return target


def button_data(message: dict[str, Any]) -> str:
    return message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]


def test_killed_after_answering_the_button_and_the_conversation_survive(
    fake: FakeTelegram, bot_process: Any, data_dir: Path
) -> None:
    # TELEGRAM_SHOW_QUERY: the reply says what the follow-up was searched as.
    bot = bot_process(fake, data_dir, TELEGRAM_SHOW_QUERY="1").start()
    try:
        fake.push_message(fake.private_chat(USER), USER, QUESTION)
        bot.wait_until(lambda: fake.sent(USER))
        (answer,) = fake.sent(USER)
        time.sleep(1.0)  # well within PTB persistence's old 10 s save interval
        bot.kill()

        bot.start()
        fake.push_callback(answer, USER, button_data(answer))
        bot.wait_until(lambda: fake.calls_of("editMessageText", USER))
        shown = fake.message(USER, answer["message_id"])
        quotes = [e for e in shown.get("entities", []) if e["type"] == "expandable_blockquote"]
        assert quotes, shown  # the passages, not "This button has expired"
        assert not fake.calls_of("answerCallbackQuery", ok=True)[0].params.get("text")

        fake.push_message(fake.private_chat(USER), USER, FOLLOW_UP)
        bot.wait_until(lambda: len(fake.sent(USER)) == 2)
    finally:
        bot.stop()
    follow_up = fake.sent(USER)[1]["text"]
    # The follow-up was searched together with the question asked before the crash.
    assert "Searched for:" in follow_up and "Belarus" in follow_up.split("\n")[0], follow_up
    assert "Traceback" not in "".join(bot.stderr)


def test_killed_while_an_answer_waits_for_telegram_it_is_sent_after_the_restart(
    fake: FakeTelegram, bot_process: Any, data_dir: Path
) -> None:
    bot = bot_process(fake, data_dir).start()
    try:
        fake.fail_next("sendMessage", 10_000, kind="5xx", status=502)  # Telegram is down
        fake.push_message(fake.private_chat(USER), USER, QUESTION)
        bot.wait_until(lambda: len(fake.calls_of("sendMessage", USER, ok=False)) >= 2)
        bot.kill()  # the answer was composed and is being retried
        fake.clear_faults()  # Telegram is back

        bot.start()
        bot.wait_until(lambda: fake.sent(USER))
        time.sleep(1.0)  # anything more (a duplicate) would arrive by now
    finally:
        bot.stop()
    (answer,) = fake.sent(USER)
    assert "[1]" in answer["text"] and answer["reply_markup"]
    assert "Traceback" not in "".join(bot.stderr)
