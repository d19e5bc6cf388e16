"""Security of the Telegram front end, end to end (real Application, fake Bot API, real pipeline).

* The allowlist holds at every entry point: messages, every command, button presses (a
  forged "Show passages" with a real key), inline queries, edits. Refused users get one
  polite refusal per chat and nothing from the corpus: no outlet, title or article text.
* The per-user rate limit holds under load: a flooding user gets their quota and one
  slow-down message; everyone else is answered as usual.
* The bot token (and its secret part alone) and API keys never appear in any log record, of
  any logger at DEBUG (httpx and telegram included), or in anything sent to users, through
  a run with faults, errors and crashes.
* The bot's state directory is private (0700).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import stat
import time
from pathlib import Path
from typing import Any

import pytest
from fake_telegram import BOT_USERNAME, TOKEN

import bot.app
from bot import handlers
from bot.access import REFUSAL, REFUSAL_ALERT, alert_text, queue_full_text
from bot.app import bot_state_dir, build_application
from rag.errors import IndexUnavailable

pytest_plugins = ["bot_fixtures"]

QUESTION = "What did Belarus say about talks with Poland?"
ALLOWED, STRANGER, FLOODER = 1001, 2002, 3003
ALLOWED_GROUP, STRANGE_GROUP = -1001000000001, -1001000000002
API_KEY = "sk-test-0123456789abcdefSECRET"
CHROMA_TOKEN = "chroma-token-9876543210SECRET"
TOKEN_SECRET = TOKEN.partition(":")[2]


def corpus_fragments(pipeline: Any) -> tuple[set[str], set[str]]:
    """(outlets and titles, every 6-word run of article text) of the indexed corpus."""
    names = {a.outlet for a in pipeline.sources()} | {a.title for a in pipeline.sources()}
    runs = set()
    for passage in pipeline.store.iter_passages():
        words = passage.text.split()
        runs.update(" ".join(words[i : i + 6]) for i in range(max(0, len(words) - 5)))
    return names, runs


def leaks(text: str, names: set[str], runs: set[str]) -> list[str]:
    """Corpus content found in ``text``."""
    found = [n for n in names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text)]
    words = text.split()
    found += [
        " ".join(words[i : i + 6])
        for i in range(max(0, len(words) - 5))
        if " ".join(words[i : i + 6]) in runs
    ]
    return found


@pytest.mark.asyncio
async def test_refused_users_get_nothing_from_the_corpus_at_any_entry_point(
    fake, make_settings, run_bot, recorder, bot_pipeline
):
    sources_calls: list[int] = []
    inner_sources = recorder.sources

    def counting_sources() -> Any:
        sources_calls.append(1)
        return inner_sources()

    recorder.sources = counting_sources  # type: ignore[method-assign]
    settings = make_settings(telegram_allowed_ids=frozenset({ALLOWED, ALLOWED_GROUP}))
    mine, strange = fake.private_chat(STRANGER), fake.group_chat(STRANGE_GROUP)
    async with run_bot(settings, recorder):
        await fake.wait_for(lambda: fake.commands, what="bot started")
        # The allowed user's answer, with its real "Show passages" button.
        fake.push_message(fake.private_chat(ALLOWED), ALLOWED, QUESTION)
        (answer,) = await fake.wait_sent(ALLOWED, 1)
        data = answer["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        allowed_sources = len(sources_calls)

        # A stranger tries every way in.
        texts = [QUESTION, f"/ask {QUESTION}", "/sources", "/help", "/start", "/reset", "/x"]
        for text in texts:
            fake.push_message(mine, STRANGER, text)
        fake.push_sticker(mine, STRANGER)
        fake.push_message(mine, STRANGER, QUESTION, edited=True)
        for text in (
            f"@{BOT_USERNAME} {QUESTION}",
            f"/ask@{BOT_USERNAME} {QUESTION}",
            f"/sources@{BOT_USERNAME}",
            "/help",
            QUESTION,
        ):
            fake.push_message(strange, STRANGER, text)
        # A forged press: the allowed answer, copied into the stranger's chat, real key.
        forged = {**answer, "chat": mine, "message_id": 99}
        queries = [fake.push_callback(forged, STRANGER, data)]
        queries.append(fake.push_callback(forged, STRANGER, data.replace("show", "hide")))
        # Inline mode (the bot does not offer it; Telegram may still deliver queries).
        fake.push(
            {
                "inline_query": {
                    "id": "iq1",
                    "from": fake.user(STRANGER),
                    "query": QUESTION,
                    "offset": "",
                }
            },
            force=True,
        )
        fake.push(
            {
                "chosen_inline_result": {
                    "result_id": "r",
                    "from": fake.user(STRANGER),
                    "query": QUESTION,
                }
            },
            force=True,
        )
        await fake.wait_for(
            lambda: (
                len(fake.calls_of("answerCallbackQuery", ok=None)) == 2
                and fake.sent(STRANGER)
                and fake.sent(STRANGE_GROUP)
            ),
            what="refusals",
        )
        # The bot is still serving the allowed user afterwards.
        fake.push_message(fake.private_chat(ALLOWED), ALLOWED, QUESTION)
        await fake.wait_sent(ALLOWED, 2)
        await asyncio.sleep(0.3)

    names, runs = corpus_fragments(bot_pipeline)
    to_stranger = [m["text"] for m in fake.sent(STRANGER)]
    to_group = [m["text"] for m in fake.sent(STRANGE_GROUP)]
    alerts = [c.params for c in fake.calls_of("answerCallbackQuery", ok=None)]
    # One refusal per chat, nothing else.
    assert to_stranger == [REFUSAL.format(user=STRANGER, chat=STRANGER)]
    assert to_group == [REFUSAL.format(user=STRANGER, chat=STRANGE_GROUP)]
    assert sorted(a["callback_query_id"] for a in alerts) == sorted(queries)
    alert = alert_text(REFUSAL_ALERT.format(user=STRANGER, chat=STRANGER))
    assert all(a["show_alert"] and a["text"] == alert for a in alerts)
    # Nothing from the corpus in anything a stranger was sent.
    for text in to_stranger + to_group + [a["text"] for a in alerts]:
        assert not leaks(text, names, runs), leaks(text, names, runs)
    # ...while the same check does find it in the allowed user's answer (it works).
    assert leaks(answer["text"], names, runs)
    # Nothing edited, no inline answers, nothing asked or listed on a stranger's behalf.
    assert not fake.calls_of("editMessageText", ok=None)
    assert not fake.calls_of("answerInlineQuery", ok=None)
    assert [c.question for c in recorder.asks] == [QUESTION, QUESTION]
    assert len(sources_calls) == allowed_sources == 0
    sent_to = {c.params["chat_id"] for c in fake.calls_of("sendMessage", ok=None)}
    assert sent_to == {ALLOWED, STRANGER, STRANGE_GROUP}


@pytest.mark.asyncio
async def test_rate_limit_holds_under_load_and_spares_other_users(
    fake, make_settings, run_bot, recorder
):
    limit, flood, others, each = 5, 40, 20, 2
    async with run_bot(make_settings(telegram_rate_limit=limit), recorder):
        await fake.wait_for(lambda: fake.commands, what="bot started")
        flooding = [(FLOODER, f"{QUESTION} ({n})") for n in range(flood)]
        normal = [(5000 + u, QUESTION) for _ in range(each) for u in range(others)]
        pushed = time.monotonic()
        for n in range(max(flood, len(normal))):  # the flood amid everyone else's questions
            for uid, text in flooding[n : n + 1] + normal[n : n + 1]:
                fake.push_message(fake.private_chat(uid), uid, text)
        await fake.wait_for(
            lambda: (
                all(len(fake.sent(5000 + u)) == each for u in range(others))
                and len(fake.sent(FLOODER)) >= limit + 2
            ),
            timeout=60,
            what="every answer",
        )
        await asyncio.sleep(0.5)

    flooded = [m["text"] for m in fake.sent(FLOODER)]
    bound = make_settings().telegram_queue_limit
    queued = [t for t in flooded if t.startswith("You're asking faster than I can read")]
    full = [t for t in flooded if t == queue_full_text(bound)]
    # The flooder: their quota of answers at once, one note that the next ones wait (they
    # are answered as the window allows, after this test), and one that the rest past the
    # queue's bound were not kept: two notes, not 35.
    assert len(flooded) == limit + 2 and len(queued) == 1 and len(full) == 1, flooded
    assert f"{limit} questions a minute" in queued[0]
    flooder_asks = [c for c in recorder.asks if c.question.startswith(f"{QUESTION} (")]
    assert len(flooder_asks) == limit
    # Everyone else: every question answered, with sources, none slowed down, promptly.
    for u in range(others):
        replies = fake.sent(5000 + u)
        assert len(replies) == each and all("[1]" in m["text"] for m in replies)
    latest = max(c.at for u in range(others) for c in fake.calls_of("sendMessage", 5000 + u))
    assert latest - pushed < 10
    assert len(recorder.asks) == limit + others * each


@pytest.mark.asyncio
@pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning")
async def test_secrets_never_reach_logs_or_users(
    fake, make_settings, run_bot, recorder, caplog, monkeypatch
):
    for name in (None, "httpx", "httpcore", "telegram", "bot", "rag", "hpack", "asyncio"):
        caplog.set_level(logging.DEBUG, logger=name)
    monkeypatch.setattr(bot.app, "READ_TIMEOUT", 1.0)

    def leaky_error() -> None:
        raise IndexUnavailable(
            f"Chroma at http://127.0.0.1:1/?token={CHROMA_TOKEN} refused key {API_KEY} "
            f"(bot {TOKEN})"
        )

    def leaky_crash() -> None:
        raise RuntimeError(f"POST https://api.telegram.org/bot{TOKEN}/sendMessage: {API_KEY}")

    recorder.hooks["leaky error"] = leaky_error
    recorder.hooks["leaky crash"] = leaky_crash
    settings = make_settings(llm_api_key=API_KEY, chroma_token=CHROMA_TOKEN)
    user = 4242
    async with run_bot(settings, recorder):
        await fake.wait_for(lambda: fake.commands, what="bot started")
        fake.fail_next("sendMessage", 1, kind="5xx", status=502)
        fake.fail_next("sendMessage", 1, kind="drop")
        fake.fail_next("sendChatAction", 1, kind="timeout", delay=1.5)
        fake.fail_next("getUpdates", 1, kind="5xx", status=500)
        fake.fail_next("getUpdates", 1, kind="drop")
        fake.fail_next("answerCallbackQuery", 1, kind="429", retry_after=1)
        chat = fake.private_chat(user)
        fake.push_message(chat, user, QUESTION)
        first = (await fake.wait_sent(user, 1, timeout=30))[0]
        fake.push_message(chat, user, "leaky error?")
        fake.push_message(chat, user, "leaky crash?")
        fake.push({"message": {"message_id": 7, "chat": chat}})  # unreadable: logged raw
        data = first["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        fake.push_callback(first, user, data)
        await fake.wait_for(
            lambda: len(fake.sent(user)) == 3 and fake.calls_of("editMessageText", user),
            timeout=30,
            what="every reply",
        )
        await asyncio.sleep(0.3)

    secrets = {
        "token": TOKEN,
        "token secret": TOKEN_SECRET,
        "API key": API_KEY,
        "Chroma token": CHROMA_TOKEN,
    }
    shown_to_users = [str(c.params) for c in fake.calls if c.method != "getUpdates"]
    logged = [caplog.text] + [r.getMessage() for r in caplog.records]
    logged += [r.exc_text or "" for r in caplog.records]
    for what, secret in secrets.items():
        assert not [t for t in logged if secret in t], f"the {what} was logged"
        assert not [t for t in shown_to_users if secret in t], f"the {what} was sent to a user"
    # The run did log what would have leaked: request URLs, the errors and the crash...
    assert f"/bot{TOKEN.partition(':')[0]}:<token>/sendMessage" in caplog.text
    assert "Traceback" in caplog.text and "RuntimeError" in caplog.text
    assert any(r.name.startswith("httpx") for r in caplog.records)
    # ...and the user saw the error's text (redacted) and the polite message for the crash.
    texts = [m["text"] for m in fake.sent(user)]
    assert handlers.SOMETHING_WRONG in texts
    assert any("refused key <secret>" in t and "(bot 123456789:<token>)" in t for t in texts)


def test_bot_state_directory_is_private(tmp_path: Path, make_settings: Any) -> None:
    old = os.umask(0)  # even when the umask would let everyone in
    try:
        fresh = make_settings(data_dir=tmp_path / "fresh")
        build_application(fresh, pipeline=object())  # type: ignore[arg-type]
        state = tmp_path / "fresh" / "bot"
        assert stat.S_IMODE(state.stat().st_mode) == 0o700
        # A directory left open by an earlier version or by hand is closed again.
        loose = tmp_path / "loose" / "bot"
        loose.mkdir(parents=True, mode=0o777)
        os.chmod(loose, 0o777)
        assert bot_state_dir(make_settings(data_dir=tmp_path / "loose")) == loose
        assert stat.S_IMODE(loose.stat().st_mode) == 0o700
    finally:
        os.umask(old)


@pytest.mark.asyncio
async def test_conversations_are_saved_only_inside_the_private_directory(
    fake, make_settings, run_bot, recorder
):
    settings = make_settings()
    async with run_bot(settings, recorder):
        fake.push_message(fake.private_chat(4242), 4242, QUESTION)
        await fake.wait_sent(4242, 1)
    state = settings.data_dir / "bot"
    saved = [p for p in settings.data_dir.rglob("*") if p.is_file()]
    assert saved and all(state in p.parents for p in saved)
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    # The conversation is in there (it is private to the bot's user).
    assert any(QUESTION.encode() in p.read_bytes() for p in state.glob("state.sqlite3*"))
