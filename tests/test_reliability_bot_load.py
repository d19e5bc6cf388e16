"""Load: many chats asking at once, through the fake Bot API, with the real bot and pipeline.

Every chat (private chats, and groups whose members @mention the bot) asks its own random
selection of real questions from the gold set, all pushed at once. Each answer must reach
the chat that asked, and be the answer to that chat's question: the same text the pipeline
gives for it, citing the outlet the gold set names for it (in groups, the answer replies to
its question's message). Nothing is lost, duplicated, slowed down or refused.

Printed: p50/p95 latency (question available on getUpdates -> its answer's sendMessage
reaching the server) and peak RSS. CI runs 20 chats x 5 questions; ``RAG_SOAK=1`` runs the
full 50 chats x 10 questions. A second test runs the same while ``Pipeline.ingest`` adds new
articles in another thread.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import resource
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fake_telegram import BOT_USERNAME, FakeTelegram, parse_telegram_html

from bot import formatting
from rag.config import Settings

pytest_plugins = ["bot_fixtures"]
pytestmark = pytest.mark.asyncio

SOAK = os.environ.get("RAG_SOAK") == "1"
CHATS, PER_CHAT = (50, 10) if SOAK else (20, 5)
GROUP_EVERY = 5  # every fifth chat is a group
GOLD = Path(__file__).resolve().parent.parent / "seeds" / "gold"
#: Real questions, three or more per outlet (ids in seeds/gold), with the outlet to cite.
POOL_IDS = [
    "dev-02",
    "dev-05",
    "dev-11",
    "dev-13",
    "dev-14",
    "tune-01",
    "dev-16",
    "dev-19",
    "dev-20",
    "dev-22",
    "dev-23",
    "tune-21",
    "tune-09",
    "dev-07",
    "tune-22",
]
SOURCE_LINE = re.compile(r"^(?:\[\d+\])+ (.+?) · ", re.MULTILINE)


@dataclass
class Expected:
    question: str
    outlets: set[str]  # from the gold set
    text: str  # the answer as Telegram shows it (the pipeline is deterministic)


def shown_text(answer: Any) -> str | None:
    """The answer as Telegram shows it, if it fits one message."""
    messages = formatting.layout_answer(answer).messages
    return parse_telegram_html(messages[0])[0] if len(messages) == 1 else None


def load_pool(pipeline: Any) -> dict[str, Expected]:
    """The pool: gold questions the pipeline answers from their gold outlet, in one message,
    each answer different from the others (so an answer identifies its question)."""
    rows = {}
    for name in ("dev", "tune"):
        for line in (GOLD / f"{name}.jsonl").read_text().splitlines():
            row = json.loads(line)
            rows[row["id"]] = row
    pool: dict[str, Expected] = {}
    for gold_id in POOL_IDS:
        row = rows[gold_id]
        answer = pipeline.ask(row["question"])
        text = shown_text(answer)
        outlets = {s["outlet"] for s in row["sources"]}
        cited = {c.passage.outlet for c in answer.citations}
        if text is not None and cited == outlets and text not in [e.text for e in pool.values()]:
            pool[row["question"]] = Expected(row["question"], outlets, text)
    assert len(pool) >= PER_CHAT, f"only {len(pool)} pool questions are answered from gold"
    return pool


@pytest.fixture(scope="module")
def pool(bot_pipeline: Any) -> dict[str, Expected]:
    return load_pool(bot_pipeline)


@dataclass
class Asked:
    chat_id: int
    question: str
    message_id: int
    pushed: float
    answered: float | None = None


@dataclass
class LoadResult:
    plan: list[tuple[int, list[str]]]
    asked: list[Asked]
    wall: float
    rss_before_mb: float
    rss_after_mb: float
    problems: list[str] = field(default_factory=list)

    def latencies(self) -> list[float]:
        return sorted(a.answered - a.pushed for a in self.asked if a.answered is not None)

    def summary(self, label: str) -> str:
        lat = self.latencies()
        p50 = statistics.median(lat)
        p95 = lat[min(len(lat) - 1, round(0.95 * (len(lat) - 1)))]
        return (
            f"{label}: {len(lat)}/{len(self.asked)} answered in {self.wall:.1f} s; "
            f"latency p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
            f"max {lat[-1] * 1000:.0f} ms; peak RSS {self.rss_after_mb:.0f} MB "
            f"(before the load {self.rss_before_mb:.0f} MB)"
        )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


async def run_load(
    fake: FakeTelegram,
    pool: dict[str, Expected],
    chats: int,
    per_chat: int,
    seed: int = 7,
    timeout: float = 240.0,
    interval: float = 0.0,
) -> LoadResult:
    """Push ``chats`` x ``per_chat`` questions: all at once, or a round (one question from
    every chat) every ``interval`` seconds; wait for as many answers; :func:`check` them."""
    rng = random.Random(seed)
    questions = list(pool)
    plan = []
    for index in range(chats):
        chat_id = -1_001_500_000_000 - index if index % GROUP_EVERY == 0 else 600_000 + index
        plan.append((chat_id, rng.sample(questions, per_chat)))
    rss_before = peak_rss_mb()
    asked: list[Asked] = []
    started = time.monotonic()
    for turn in range(per_chat):  # interleaved, as real traffic would be
        if turn and interval:
            await asyncio.sleep(interval)
        for index, (chat_id, chosen) in enumerate(plan):
            question = chosen[turn]
            if chat_id < 0:
                member = 700_000 + index * 100 + turn
                chat = fake.group_chat(chat_id)
                message = fake.push_message(chat, member, f"@{BOT_USERNAME} {question}")
            else:
                message = fake.push_message(fake.private_chat(chat_id), chat_id, question)
            asked.append(Asked(chat_id, question, message["message_id"], time.monotonic()))
    total = len(asked)
    await fake.wait_for(
        lambda: len(fake.calls_of("sendMessage", ok=None)) >= total,
        timeout=timeout,
        what=f"{total} answers",
    )
    wall = time.monotonic() - started
    result = LoadResult(plan, asked, wall, rss_before, peak_rss_mb())
    check(fake, pool, result)
    return result


def check(
    fake: FakeTelegram,
    pool: dict[str, Expected],
    result: LoadResult,
    accept: Any = None,
) -> None:
    """Each chat got exactly one answer per question, to its own questions: fill in
    ``result.problems`` and the latencies.

    ``accept(question, text)`` replaces the exact-text check (answers may change while
    articles are being added).
    """
    plan, asked = result.plan, result.asked
    problems = result.problems = []
    by_chat: dict[int, list[Asked]] = {}
    for item in asked:
        by_chat.setdefault(item.chat_id, []).append(item)
    for chat_id, chosen in plan:
        calls = fake.calls_of("sendMessage", chat_id, ok=None)
        bad = [c for c in calls if not c.ok]
        if bad:
            problems.append(f"chat {chat_id}: failed sends {[c.description for c in bad]}")
        calls = [c for c in calls if c.ok]
        pending = {a.message_id: a for a in by_chat[chat_id]}
        for call in calls:
            text = call.result["text"]
            if chat_id < 0:  # a group: the answer replies to its question
                replied = call.result.get("reply_to_message", {}).get("message_id")
                item = pending.pop(replied, None)
            else:  # private: the text identifies the question (pool answers are distinct)
                item = next(
                    (a for a in pending.values() if matches(pool, a.question, text, accept)),
                    None,
                )
                if item is not None:
                    del pending[item.message_id]
            if item is None:
                problems.append(f"chat {chat_id}: an answer to no question of its own: {text!r}")
                continue
            item.answered = call.at
            if not matches(pool, item.question, text, accept):
                problems.append(f"chat {chat_id}: {item.question!r} got {text!r}")
            cited = set(SOURCE_LINE.findall(text))
            if cited != pool[item.question].outlets:
                problems.append(f"chat {chat_id}: {item.question!r} cites {cited}")
        if pending:
            problems.append(f"chat {chat_id}: unanswered {[a.question for a in pending.values()]}")
        if Counter(a.question for a in by_chat[chat_id]) != Counter(chosen):
            problems.append(f"chat {chat_id}: the test asked the wrong questions")


def matches(pool: dict[str, Expected], question: str, text: str, accept: Any) -> bool:
    if accept is not None:
        return accept(question, text)
    return text == pool[question].text


async def test_many_chats_at_once_each_get_their_own_answers(
    fake, make_settings, run_bot, recorder, pool, capsys
):
    settings = make_settings(telegram_rate_limit=PER_CHAT)  # exactly at the limit
    async with run_bot(settings, recorder):
        await fake.wait_for(lambda: fake.commands, what="bot started")
        result = await run_load(fake, pool, CHATS, PER_CHAT)

    assert not result.problems, "\n".join(result.problems[:20])
    total = CHATS * PER_CHAT
    assert len(recorder.answered()) == total == len(fake.calls_of("sendMessage"))
    assert len(result.latencies()) == total
    with capsys.disabled():
        print("\n" + result.summary(f"load {CHATS} chats x {PER_CHAT} questions"))


async def test_steady_traffic_is_answered_promptly(
    fake, make_settings, run_bot, recorder, pool, capsys
):
    """The same chats asking at a steady 20 questions a second (under Telegram's 30 messages
    a second): the latency is the bot's own, not a queue's."""
    interval = CHATS / 20
    async with run_bot(make_settings(telegram_rate_limit=PER_CHAT), recorder):
        await fake.wait_for(lambda: fake.commands, what="bot started")
        result = await run_load(fake, pool, CHATS, PER_CHAT, seed=5, interval=interval)

    assert not result.problems, "\n".join(result.problems[:20])
    assert len(result.latencies()) == CHATS * PER_CHAT
    with capsys.disabled():
        print("\n" + result.summary(f"steady 20/s, {CHATS} chats x {PER_CHAT} questions"))
    assert statistics.median(result.latencies()) < 2.0


# --- the same while new articles are being ingested ---------------------------------------

NEW_OUTLET = "Harbour Gazette"
TOPICS = [
    ("lighthouse", "The old lighthouse at Skerry Point reopened after a restoration."),
    ("orchard", "Apple growers in the valley reported a record harvest of russet apples."),
    ("tram", "The city council approved a new tram line along the river embankment."),
    ("choir", "A children's choir from the island won the regional singing contest."),
    ("bridge", "Engineers finished repainting the suspension bridge ahead of schedule."),
    ("library", "The public library opened a reading room for rare maritime charts."),
]


def write_new_articles(folder: Path, copies: int = 3) -> None:
    """Articles on other subjects, by an outlet the seeds do not have."""
    folder.mkdir(parents=True)
    for n in range(copies):
        for slug, lead in TOPICS:
            body = "\n".join(
                f"{lead} Officials said paragraph {p} of the report on the {slug} "
                f"was published on day {n + 1}, and residents welcomed the {slug} news."
                for p in range(12)
            )
            (folder / f"{slug}-{n}.txt").write_text(
                f"---\noutlet: {NEW_OUTLET}\ntitle: The {slug}, part {n + 1}\n"
                f"published: 2025-03-0{n + 1}\n---\n{body}\n",
                encoding="utf-8",
            )


@pytest.fixture(scope="module")
def own_pipeline(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A pipeline of its own over the seeds: this test adds articles to it."""
    from rag.pipeline import Pipeline

    data_dir = tmp_path_factory.mktemp("ingest-under-load")
    return Pipeline.open(Settings.from_env(env_file=None, data_dir=data_dir))


async def test_answers_stay_right_while_articles_are_ingested(
    fake, make_settings, run_bot, new_recorder, own_pipeline, pool, tmp_path, capsys
):
    folder = tmp_path / "new-articles"
    write_new_articles(folder)
    acceptable = {q: {shown_text(own_pipeline.ask(q))} for q in pool}
    ingest: dict[str, Any] = {}

    def run_ingest() -> None:
        ingest["start"] = time.monotonic()
        try:
            ingest["report"] = own_pipeline.ingest([folder], progress=False)
        except BaseException as err:  # reported below
            ingest["error"] = err
        ingest["end"] = time.monotonic()

    recorder = new_recorder()
    recorder.inner = own_pipeline
    chats, per_chat = (20, 5) if SOAK else (10, 4)
    thread = threading.Thread(target=run_ingest)
    async with run_bot(make_settings(telegram_rate_limit=per_chat), recorder):
        await fake.wait_for(lambda: fake.commands, what="bot started")
        thread.start()
        await fake.wait_for(lambda: "start" in ingest, what="ingest started")
        result = await run_load(fake, pool, chats, per_chat, seed=11)
        await asyncio.to_thread(thread.join, 120)
        # The bot sees the new articles at once, without a restart.
        user = 4242
        fake.push_message(fake.private_chat(user), user, "Which lighthouse reopened?")
        reply = (await fake.wait_sent(user, 1))[0]["text"]

    assert "error" not in ingest, ingest.get("error")
    report = ingest["report"]
    assert len(report.added) == len(TOPICS) * 3 and not report.skipped
    # An answer is right if the pipeline gives it for that question with or without the new
    # articles (and it cites the gold outlet, which check() verifies in any case).
    for q in pool:
        acceptable[q].add(shown_text(own_pipeline.ask(q)))
    check(fake, pool, result, accept=lambda q, text: text in acceptable[q])
    assert not result.problems, "\n".join(result.problems[:20])
    assert len(result.latencies()) == chats * per_chat
    during = [a for a in result.asked if a.answered and a.answered <= ingest["end"]]
    assert during, "no answer was sent while the articles were being ingested"
    assert NEW_OUTLET in reply and "Skerry Point" in reply
    assert not [c for c in recorder.asks if c.error is not None]
    with capsys.disabled():
        print(
            "\n"
            + result.summary(f"load {chats} chats x {per_chat} questions during ingest")
            + f"; ingest of {len(report.added)} articles took "
            f"{ingest['end'] - ingest['start']:.1f} s, {len(during)} answers sent meanwhile"
        )
