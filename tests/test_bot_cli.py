"""``python -m bot`` as a user starts it: one clear line on a bad start, no token in logs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fake_telegram import TOKEN, FakeTelegram

from bot.app import MISSING_TOKEN, REJECTED_TOKEN, WRONG_API_URL

pytest_plugins = ["bot_fixtures"]  # the `fake` server fixture

ROOT = Path(__file__).resolve().parent.parent
WRONG_TOKEN = "987654321:AAWrongTokenWrongTokenWrongToken_xyz"


def bot_env(tmp_path: Path, **variables: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAG_", "TELEGRAM_"))}
    env.update(
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
        RAG_DATA_DIR=str(tmp_path / "data"),
        **variables,
    )
    return env


def run_bot(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,  # no .env here
        env=bot_env(tmp_path, **variables),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_missing_token_is_one_clear_line(tmp_path: Path) -> None:
    result = run_bot(tmp_path)
    assert result.returncode == 1
    assert result.stderr == MISSING_TOKEN + "\n"
    assert "@BotFather" in result.stderr and result.stdout == ""


@pytest.mark.parametrize("value", ["fast", "-1", "nan"])
def test_bad_stream_interval_is_one_line_saying_what_to_use(tmp_path: Path, value: str) -> None:
    result = run_bot(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_STREAM_INTERVAL=value)
    assert result.returncode == 2 and result.stdout == ""  # a usage error, like a bad flag
    (line,) = result.stderr.splitlines()
    assert line.startswith("TELEGRAM_STREAM_INTERVAL=") and value in line and "e.g. 1.0" in line


@pytest.mark.parametrize("level", ["WARNING", "DEBUG"])
def test_rejected_token_is_one_clear_line_and_never_logged(
    tmp_path: Path, fake: FakeTelegram, level: str
) -> None:
    result = run_bot(
        tmp_path,
        TELEGRAM_BOT_TOKEN=WRONG_TOKEN,
        TELEGRAM_API_BASE_URL=fake.url,
        RAG_LOG_LEVEL=level,
    )
    assert result.returncode == 1
    assert [c.status for c in fake.calls_of("getMe", ok=None)] == [401]
    assert "Traceback" not in result.stderr
    assert WRONG_TOKEN not in result.stderr + result.stdout
    if level == "WARNING":
        assert result.stderr == REJECTED_TOKEN + "\n"
    else:  # DEBUG logs plenty (PTB logs its API URL, token included, at DEBUG)...
        assert result.stderr.endswith(REJECTED_TOKEN + "\n")
        assert "<token>" in result.stderr  # ...which was redacted


def test_wrong_api_url_is_told_apart_from_a_bad_token(tmp_path: Path, fake: FakeTelegram) -> None:
    """A 404 from getMe means the URL (or a mangled token) is wrong; a 401, the token."""
    url = f"{fake.url}/telegram"  # e.g. a path pasted after the server's root
    result = run_bot(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=url)
    assert result.returncode == 1
    assert result.stderr == WRONG_API_URL.format(url=url) + "\n"
    assert "TELEGRAM_API_BASE_URL" in result.stderr and "revoke" not in result.stderr
    wrong = run_bot(tmp_path, TELEGRAM_BOT_TOKEN=WRONG_TOKEN, TELEGRAM_API_BASE_URL=fake.url)
    assert wrong.stderr == REJECTED_TOKEN + "\n"


def test_bot_runs_answers_and_stops_cleanly(tmp_path: Path, fake: FakeTelegram) -> None:
    """The production entry point end to end: opens (ingests) the pipeline itself, answers
    over long polling, logs at INFO without the token, exits 0 on Ctrl+C."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=bot_env(
            tmp_path,
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=fake.url,
            RAG_LOG_LEVEL="INFO",
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(lambda: fake.commands, 60, process)  # post_init ran: pipeline open
        fake.push_message(
            fake.private_chat(77), 77, "What did Belarus say about talks with Poland?"
        )
        wait_until(lambda: fake.sent(77), 30, process)
    finally:
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    (reply,) = fake.sent(77)
    # (a marker in the text; the source line reads "[1][2] TASS · …" when two passages of
    # one article are cited, the speaker's and the quote's)
    assert "[1]" in reply["text"] and reply["reply_markup"]
    assert TOKEN not in stderr + stdout
    assert "HTTP Request" not in stderr  # httpx's per-request lines are silenced
    assert "Traceback" not in stderr
    # State is private to the user running the bot.
    assert (tmp_path / "data" / "bot").stat().st_mode & 0o777 == 0o700


def wait_until(condition: Callable[[], Any], timeout: float, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"bot exited early: {process.communicate()[1]}")
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)
