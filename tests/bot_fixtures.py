"""Fixtures for the Telegram bot's tests, loaded with ``pytest_plugins = ["bot_fixtures"]``.

* ``bot_pipeline``: the real :class:`rag.pipeline.Pipeline` over the seeds, opened once per
  session (the first open ingests them) in a temporary data directory: the project's
  session ``pipeline`` fixture from conftest.py when there is one.
* ``recorder``: that pipeline behind a :class:`RecordingPipeline`, fresh for each test
  (``recording`` is the class, to wrap another pipeline).
* ``fake``: a :class:`fake_telegram.FakeTelegram` server for the test.
* ``make_settings``: Settings pointing the bot at ``fake``, with a per-test data directory.
* :func:`running_bot`: the production Application, polling the fake server.
* ``bot_settings``, ``new_recorder``: the same, for tests that run several fake servers.
* ``bot_thread``: :class:`BotThread`, the bot in a thread of its own, for synchronous tests
  (hypothesis) that drive one running bot through many examples.
* ``bot_process``: :class:`BotProcess`, ``python -m bot`` as a subprocess (to SIGKILL it).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fake_telegram import TOKEN, FakeTelegram
from telegram import Update
from telegram.ext import Application, ContextTypes, TypeHandler

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
        self,
        question: str,
        *,
        history: Sequence[Turn] = (),
        filters: SearchFilters | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> Answer:
        call = AskCall(question, list(history))
        with self._lock:
            self.asks.append(call)
        try:
            for key, hook in self.hooks.items():
                if key in question:
                    hook()
            call.answer = self.inner.ask(
                question, history=history, filters=filters, on_token=on_token
            )
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


def settings_for(fake: FakeTelegram, data_dir: Path, **overrides: Any) -> Settings:
    """Settings for a bot talking to ``fake``; keyword arguments override any setting."""
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "telegram_token": TOKEN,
        "telegram_api_base_url": fake.url,
        "telegram_allowed_ids": frozenset(),
        "telegram_rate_limit": 6,
        "telegram_history_turns": 4,
    }
    values.update(overrides)
    return Settings.from_env(env_file=None, **values)


@pytest.fixture
def make_settings(fake: FakeTelegram, tmp_path: Path) -> Callable[..., Settings]:
    """Settings for a bot talking to ``fake``; keyword arguments override any setting."""

    def make(**overrides: Any) -> Settings:
        data_dir = overrides.pop("data_dir", tmp_path / "bot-data")
        return settings_for(fake, data_dir, **overrides)

    return make


@pytest.fixture
def bot_settings() -> Callable[..., Settings]:
    """:func:`settings_for`: Settings for a bot talking to a given fake server."""
    return settings_for


@pytest.fixture
def new_recorder(bot_pipeline: Any) -> Callable[[], RecordingPipeline]:
    """A fresh :class:`RecordingPipeline` over the session pipeline, per call."""
    return lambda: RecordingPipeline(bot_pipeline)


PROCESSED_KEY = "test:processed"


def processed(application: Application) -> list[Update]:
    """Updates the application has finished handling (the gate let them through), in order."""
    return application.bot_data.setdefault(PROCESSED_KEY, [])


async def _mark_processed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    processed(context.application).append(update)


@contextlib.asynccontextmanager
async def running_bot(settings: Settings, pipeline: Any) -> AsyncIterator[Application]:
    """Run the production Application as ``run_polling`` would, inside the test's loop.

    One observer is added, after every handler: :func:`processed` lists the updates whose
    handling (retries and error handler included) is over.
    """
    application = build_application(settings, pipeline)
    application.add_handler(TypeHandler(Update, _mark_processed), group=99)
    async with application:  # initialize() ... shutdown() (which flushes persistence)
        assert application.post_init is not None
        await application.post_init(application)
        assert application.updater is not None
        kwargs = {**polling_kwargs(), "timeout": 1}  # short long-polls so stopping is quick

        def polling_error(error: Exception) -> None:
            # As run_polling does: failures to fetch updates go to the error handler.
            application.create_task(application.process_error(update=None, error=error))

        await application.updater.start_polling(
            poll_interval=0, error_callback=polling_error, **kwargs
        )
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


class BotThread:
    """:func:`running_bot` in a thread with its own event loop.

    Use as a context manager; :meth:`run` runs a coroutine in the bot's loop and returns its
    result (e.g. ``bot.run(bot.app.process_update(...))``).
    """

    def __init__(self, settings: Settings, pipeline: Any, start_timeout: float = 30.0) -> None:
        self.settings, self.pipeline = settings, pipeline
        self.app: Application | None = None
        self.loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._start_timeout = start_timeout
        self._thread = threading.Thread(target=self._main, name="bot", daemon=True)

    def _main(self) -> None:
        try:
            self.loop.run_until_complete(self._serve())
        except BaseException as err:  # reported by __exit__
            self._error = err
        finally:
            self._started.set()
            self.loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        async with running_bot(self.settings, self.pipeline) as app:
            self.app = app
            self._started.set()
            await self._stop.wait()

    def run(self, coro: Awaitable[Any], timeout: float = 30.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)  # type: ignore[arg-type]

    def __enter__(self) -> BotThread:
        self._thread.start()
        if not self._started.wait(self._start_timeout) or self.app is None:
            raise RuntimeError(f"the bot did not start: {self._error!r}")
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._stop is not None
        self.loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)
        if self._error is not None:
            raise self._error


@pytest.fixture
def bot_thread() -> type[BotThread]:
    """:class:`BotThread`, as a fixture (see ``run_bot``)."""
    return BotThread


@pytest.fixture
def processed_updates() -> Callable[[Application], list[Update]]:
    """:func:`processed`, as a fixture."""
    return processed


@pytest.fixture
def recording() -> type[RecordingPipeline]:
    """:class:`RecordingPipeline`, as a fixture, to record any pipeline (see ``run_bot``)."""
    return RecordingPipeline


class BotProcess:
    """``python -m bot`` (what ``rag-bot`` runs) as a real subprocess talking to ``fake``, with
    its own data directory; :meth:`start` it, :meth:`kill` it (SIGKILL), start it again."""

    ROOT = Path(__file__).resolve().parent.parent

    def __init__(self, fake: FakeTelegram, data_dir: Path, **variables: str) -> None:
        self.fake, self.data_dir = fake, data_dir
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RAG_", "TELEGRAM_"))}
        env.update(
            PYTHONPATH=str(self.ROOT),
            PYTHONUNBUFFERED="1",
            RAG_DATA_DIR=str(data_dir),
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=fake.url,
            **variables,
        )
        self.env = env
        self.process: subprocess.Popen[str] | None = None
        self.stderr: list[str] = []

    def start(self, timeout: float = 90.0) -> BotProcess:
        """Start the bot and wait until it has registered its commands (it is polling)."""
        started = len(self.fake.calls_of("setMyCommands"))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot"],
            cwd=self.data_dir.parent,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.wait_until(lambda: len(self.fake.calls_of("setMyCommands")) > started, timeout)
        return self

    def wait_until(self, condition: Callable[[], Any], timeout: float = 30.0) -> None:
        """Wait for ``condition``; fail at once (with its stderr) if the bot exits."""
        deadline = time.monotonic() + timeout
        while not condition():
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"the bot exited: {self.process.communicate()[1]}")
            if time.monotonic() > deadline:
                raise AssertionError("timed out waiting for the bot")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, nothing is flushed."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        _, err = self.process.communicate(timeout=30)
        self.stderr.append(err)

    def stop(self) -> None:
        """Ctrl+C, if still running."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            _, err = self.process.communicate(timeout=60)
            self.stderr.append(err)


@pytest.fixture
def bot_process() -> type[BotProcess]:
    """:class:`BotProcess`, as a fixture."""
    return BotProcess
