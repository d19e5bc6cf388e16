"""Fixtures for the Telegram bot's tests, loaded with ``pytest_plugins = ["bot_fixtures"]``.

* ``bot_pipeline``: the real :class:`rag.pipeline.Pipeline` over the seeds, opened once per
  session (the first open ingests them) in a temporary data directory: the project's
  session ``pipeline`` fixture from conftest.py when there is one.
* ``recorder``: that pipeline behind a :class:`RecordingPipeline`, fresh for each test.
* ``fake``: a :class:`fake_telegram.FakeTelegram` server for the test.
* ``make_settings``: Settings pointing the bot at ``fake``, with a per-test data directory.
* :func:`running_bot`: the production Application, polling the fake server.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fake_telegram import TOKEN, FakeTelegram
from telegram.ext import Application

from bot.app import build_application, polling_kwargs
from rag.config import Settings
from rag.types import Answer, ArticleInfo, SearchFilters, Turn


@dataclass
class AskCall:
    """One ``ask`` the bot made, with what the real pipeline answered."""

    question: str
    history: list[Turn]
    answer: Answer | None = None
    error: BaseException | None = None


@dataclass
class RecordingPipeline:
    """Passes every call to the real pipeline and records it.

    ``hooks`` run (in the worker thread) before a question whose text contains the key, to
    block it (``threading.Event.wait``) or to make it fail; they never replace an answer.
    """

    inner: Any
    asks: list[AskCall] = field(default_factory=list)
    hooks: dict[str, Callable[[], None]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def ask(
        self, question: str, *, history: Sequence[Turn] = (), filters: SearchFilters | None = None
    ) -> Answer:
        call = AskCall(question, list(history))
        with self._lock:
            self.asks.append(call)
        try:
            for key, hook in self.hooks.items():
                if key in question:
                    hook()
            call.answer = self.inner.ask(question, history=history, filters=filters)
        except BaseException as err:
            call.error = err
            raise
        return call.answer

    def sources(self) -> list[ArticleInfo]:
        return self.inner.sources()

    def answered(self) -> list[AskCall]:
        """The calls that returned an answer."""
        return [c for c in self.asks if c.answer is not None]


@pytest.fixture(scope="session")
def bot_pipeline(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    try:
        # Share the suite's session pipeline: opening another would ingest the seeds again.
        return request.getfixturevalue("pipeline")
    except pytest.FixtureLookupError:
        from rag.pipeline import Pipeline

        data_dir = tmp_path_factory.mktemp("bot-rag-data")
        return Pipeline.open(Settings.from_env(env_file=None, data_dir=data_dir))


@pytest.fixture
def recorder(bot_pipeline: Any) -> RecordingPipeline:
    return RecordingPipeline(bot_pipeline)


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


@pytest.fixture
def make_settings(fake: FakeTelegram, tmp_path: Path) -> Callable[..., Settings]:
    """Settings for a bot talking to ``fake``; keyword arguments override any setting."""

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "data_dir": tmp_path / "bot-data",
            "telegram_token": TOKEN,
            "telegram_api_base_url": fake.url,
            "telegram_allowed_ids": frozenset(),
            "telegram_rate_limit": 6,
            "telegram_history_turns": 4,
        }
        values.update(overrides)
        return Settings.from_env(env_file=None, **values)

    return make


@contextlib.asynccontextmanager
async def running_bot(settings: Settings, pipeline: Any) -> AsyncIterator[Application]:
    """Run the production Application as ``run_polling`` would, inside the test's loop."""
    application = build_application(settings, pipeline)
    async with application:  # initialize() ... shutdown() (which flushes persistence)
        assert application.post_init is not None
        await application.post_init(application)
        assert application.updater is not None
        kwargs = {**polling_kwargs(), "timeout": 1}  # short long-polls so stopping is quick
        await application.updater.start_polling(poll_interval=0, **kwargs)
        await application.start()
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()


@pytest.fixture
def run_bot() -> Callable[[Settings, Any], contextlib.AbstractAsyncContextManager[Application]]:
    """:func:`running_bot`, as a fixture (test modules cannot import from a plugin module
    without defeating pytest's assertion rewriting)."""
    return running_bot
