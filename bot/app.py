"""Build the PTB Application and run it (``rag-bot`` / ``python -m bot``)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, Defaults, ExtBot
from telegram.request import HTTPXRequest

from bot import handlers, legacy, redaction
from bot.access import AccessPolicy, RateLimiter
from bot.activity import ChatActivity
from bot.delivery import Outbox
from bot.handlers import AnswerSource, BotServices
from bot.queueing import QuestionQueue
from bot.store import open_store
from rag.config import Settings
from rag.errors import RagError
from rag.i18n import DEFAULT_LANGUAGE, LANGUAGES

logger = logging.getLogger(__name__)

MISSING_TOKEN = (
    "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and export its token "
    "(or put TELEGRAM_BOT_TOKEN=... in .env)."
)
REJECTED_TOKEN = (
    "Telegram rejected TELEGRAM_BOT_TOKEN (401 Unauthorized): copy the token again from "
    "@BotFather (/mybots → your bot → API Token), or revoke it there and export the new one."
)
WRONG_API_URL = (
    "The Bot API at {url} answered 404 Not Found: check TELEGRAM_API_BASE_URL (the server's "
    "root, e.g. https://api.telegram.org or http://localhost:8081, without /bot…) and that "
    "TELEGRAM_BOT_TOKEN is copied whole."
)
UNREACHABLE = "Cannot reach the Telegram Bot API at {url} ({error}): check the network{hint}."

#: Telegram delivers only what the bot handles: no membership updates, no channel posts.
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]
#: How long each getUpdates long poll waits on the server (seconds).
POLL_TIMEOUT = 30
#: Retries of a request answered with 429 "Too Many Requests", after waiting its retry_after.
RATE_LIMIT_RETRIES = 3
#: Seconds to wait for the answer to one Bot API request (getUpdates adds its long poll).
#: A request that times out is retried (see ``bot.delivery``).
READ_TIMEOUT = 5.0
#: Concurrent connections to the Bot API (PTB's default); AIORateLimiter keeps requests
#: under Telegram's 30 per second anyway.
CONNECTIONS = 256


def bot_state_dir(settings: Settings) -> Path:
    """``<data_dir>/bot``, created private (0700): it holds users' conversations."""
    path = Path(settings.data_dir) / "bot"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


class ChatRateLimiter(AIORateLimiter):
    """PTB's rate limiter (Telegram's 30 requests a second, 20 a minute per group, 429s
    retried after their ``retry_after``), except that "typing…" counts only towards the 30 a
    second: a chat action must not wait behind a busy group's answers, nor spend their
    budget."""

    async def process_request(  # type: ignore[override]
        self,
        callback: Any,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        if endpoint == "sendChatAction":
            # Counted in the overall 30 a second (the limiter sees a chat that is no group).
            data = {**data, "chat_id": 0}
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )


class RetriedByOutbox(logging.Filter):
    """The rate limiter logs an error (with a traceback) when a 429 outlasts its retries;
    the outbox then keeps retrying (and says so as a warning), so nothing failed yet."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, RetryAfter)


class NewsBotApplication(Application):  # type: ignore[type-arg]
    """The Application, stopping and closing the bot's own parts in order: waiting
    questions stop waiting and the outbox stops sending (what it holds stays on disk for the
    next start) before PTB waits for the handlers, and the state database closes last."""

    async def stop(self) -> None:
        svc: BotServices = self.bot_data[handlers.SERVICES_KEY]
        svc.queue.stop()
        await svc.outbox.close()
        await super().stop()

    async def shutdown(self) -> None:
        await super().shutdown()
        self.bot_data[handlers.SERVICES_KEY].store.close()


class PollingBot(ExtBot[Any]):
    """PTB's bot, except that one update it cannot read does not stop the bot.

    PTB reads a getUpdates batch as a whole: should one update fail to parse (malformed, or a
    Bot API change PTB does not know yet), the batch fails, the offset never moves past it,
    and polling fetches the same batch again, forever. Here the batch is then fetched again
    (it was not confirmed) and read update by update; an unreadable one becomes an empty
    ``Update`` with its id, which no handler matches, so it is confirmed and skipped.
    """

    async def get_updates(  # type: ignore[override]
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: Any = None,
        allowed_updates: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> tuple[Update, ...]:
        try:
            return await super().get_updates(offset, limit, timeout, allowed_updates, **kwargs)
        except TelegramError:
            raise  # network trouble and the like: PTB's polling loop retries
        except Exception as err:
            logger.error(
                "Could not read the updates from Telegram (%r): reading them one by one", err
            )
        params = {"offset": offset, "limit": limit, "allowed_updates": allowed_updates}
        raw = await self._post("getUpdates", {**params, "timeout": 0})  # the batch is waiting
        return tuple(
            self._read_update(data)
            for data in raw
            if isinstance(data, dict) and isinstance(data.get("update_id"), int)
        )

    def _read_update(self, data: dict[str, Any]) -> Update:
        try:
            return Update.de_json(data, self)
        except Exception as err:
            logger.warning(
                "Skipped update %s: it could not be read (%r)", data.get("update_id"), err
            )
            return Update(update_id=data["update_id"])


def _build_bot(settings: Settings) -> PollingBot:
    base = settings.telegram_api_base_url.rstrip("/")
    # A local Bot API server (or a test double) serves the same paths as api.telegram.org.
    urls = {"base_url": f"{base}/bot", "base_file_url": f"{base}/file/bot"} if base else {}
    return PollingBot(
        settings.telegram_token,
        defaults=Defaults(
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ),
        # Honours Telegram's 429 retry_after and keeps under its flood limits.
        rate_limiter=ChatRateLimiter(max_retries=RATE_LIMIT_RETRIES),
        request=HTTPXRequest(connection_pool_size=CONNECTIONS, read_timeout=READ_TIMEOUT),
        get_updates_request=HTTPXRequest(connection_pool_size=1, read_timeout=READ_TIMEOUT),
        **urls,
    )


def build_application(settings: Settings, pipeline: AnswerSource | None = None) -> Application:
    """The Application exactly as production runs it.

    ``pipeline`` is opened in ``post_init`` when not given (tests pass a shared one).
    """
    # From here on no log record, wherever it is handled, shows the token or an API key.
    redaction.add_secrets(settings.telegram_token, [settings.llm_api_key, settings.chroma_token])
    limiter_log = logging.getLogger("telegram.ext.AIORateLimiter")
    if not any(isinstance(f, RetriedByOutbox) for f in limiter_log.filters):
        limiter_log.addFilter(RetriedByOutbox())
    builder = (
        ApplicationBuilder()
        .application_class(NewsBotApplication)
        .bot(_build_bot(settings))
        # One slow question must not hold up other chats.
        .concurrent_updates(True)
        .post_init(_post_init)
    )
    application = builder.build()
    # Conversations, buttons and undelivered answers: see bot/store.py (not PTB persistence).
    state_dir = bot_state_dir(settings)
    store = open_store(state_dir)
    legacy.import_pickle(store, state_dir)  # state saved by versions before bot/store.py
    activity = ChatActivity(application.bot)
    application.bot_data[handlers.SERVICES_KEY] = BotServices(
        settings=settings,
        access=AccessPolicy(settings.telegram_allowed_ids),
        queue=QuestionQueue(
            RateLimiter(settings.telegram_rate_limit), settings.telegram_queue_limit
        ),
        store=store,
        outbox=Outbox(store, application.bot, activity, timeout=settings.telegram_delivery_timeout),
        activity=activity,
        pipeline=pipeline,
    )
    handlers.add_handlers(application)
    return application


async def _post_init(application: Application) -> None:
    """Open the pipeline (first use ingests the seeds) and register the command list."""
    svc: BotServices = application.bot_data[handlers.SERVICES_KEY]
    if svc.pipeline is None:
        from rag.pipeline import Pipeline  # heavy imports: only once the token is known good

        pipeline = await asyncio.to_thread(Pipeline.open, svc.settings)
        svc.pipeline = pipeline
        # The article vocabulary that non-English questions and paraphrase words are looked
        # up in is embedded once (~1 s for the seeds, ~20 s for 30,000 words): now, in the
        # background, rather than on some user's first question.
        threading.Thread(target=pipeline.warm_up, name="warm-up", daemon=True).start()
    await application.bot.set_my_commands(handlers.COMMANDS)
    svc.outbox.resume()  # what the last run could not deliver
    for lang in LANGUAGES:  # the menu in each catalog's language, for users whose app uses it
        if lang == DEFAULT_LANGUAGE:
            continue
        try:
            await application.bot.set_my_commands(handlers.commands(lang), language_code=lang)
        except TelegramError as exc:  # cosmetic: those users see the English menu
            logger.warning("Could not set the %s command menu: %s", lang, exc)
    logger.warning("Bot @%s is running; press Ctrl+C to stop.", application.bot.username)


def polling_kwargs() -> dict[str, Any]:
    """Arguments for ``run_polling`` / ``Updater.start_polling`` (shared with the tests)."""
    return {"allowed_updates": ALLOWED_UPDATES, "timeout": POLL_TIMEOUT}


# --- logging ------------------------------------------------------------------------------


class RedactToken(logging.Filter):
    """Replace the bot token wherever it appears in a log record (message, args, traceback).

    httpx logs every request URL, and those contain the token; PTB logs its base URL.
    (:func:`build_application` also redacts every record as it is created; this handler
    filter is a second line of defence.)
    """

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token
        secret = redaction.token_secret(token)
        self._secrets = {secret: "<token>"} if secret else {}

    def filter(self, record: logging.LogRecord) -> bool:
        redaction.redact_record(record, self._secrets)
        return True


class DropReportedErrors(logging.Filter):
    """PTB logs a rejected token, or a server it cannot reach at start-up, with a traceback;
    :func:`main` reports those as one line instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if not record.name.startswith("telegram") or error is None:
            return True
        if isinstance(error, InvalidToken):
            return False
        starting = "Bootstrap" in record.getMessage()
        return not (starting and isinstance(error, NetworkError))


def configure_bot_logging(settings: Settings) -> None:
    """Log to stderr at ``RAG_LOG_LEVEL``, never showing the token."""
    level = getattr(logging, settings.log_level, logging.WARNING)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(DropReportedErrors())
    # Filters on a handler see records from every logger (filters on a logger would not see
    # records propagated from its children).
    handler.addFilter(RedactToken(settings.telegram_token))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs each request URL (bot token included) at INFO.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


# --- entry point --------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run the bot with long polling until interrupted; return the process exit code."""
    argparse.ArgumentParser(
        prog="rag-bot",
        description="Telegram bot answering questions over the indexed news articles. "
        "Configured by environment variables (TELEGRAM_BOT_TOKEN, TELEGRAM_API_BASE_URL, "
        "TELEGRAM_ALLOWED_IDS, TELEGRAM_RATE_LIMIT, TELEGRAM_QUEUE_LIMIT, "
        "TELEGRAM_HISTORY_TURNS, TELEGRAM_DELIVERY_TIMEOUT, RAG_*), or .env.",
    ).parse_args(argv)
    try:
        settings = Settings.from_env()
    except RagError as err:
        print(err, file=sys.stderr)
        return err.exit_code
    if not settings.telegram_token:
        print(MISSING_TOKEN, file=sys.stderr)
        return 1
    configure_bot_logging(settings)
    try:
        application = build_application(settings)
        application.run_polling(**polling_kwargs())
    except InvalidToken as err:
        # PTB raises InvalidToken for both; Telegram says 404 for a URL (or token) it does
        # not know, 401 for a well-formed token it rejects.
        # (PTB re-raises getMe's error as "The token … was rejected": the cause says which.)
        if "not found" in str(err.__cause__ or err).lower():
            url = settings.telegram_api_base_url or "https://api.telegram.org"
            print(WRONG_API_URL.format(url=url), file=sys.stderr)
        else:
            print(REJECTED_TOKEN, file=sys.stderr)
        return 1
    except RagError as err:
        print(err, file=sys.stderr)
        return err.exit_code
    except NetworkError as err:
        url = settings.telegram_api_base_url or "https://api.telegram.org"
        hint = " or TELEGRAM_API_BASE_URL" if settings.telegram_api_base_url else ""
        message = redaction.redact(str(err).replace(settings.telegram_token, "<token>"))
        print(UNREACHABLE.format(url=url, error=message, hint=hint), file=sys.stderr)
        return 1
    except OSError as err:  # e.g. the data directory cannot be created
        print(f"Cannot start the bot: {err}", file=sys.stderr)
        return 1
    return 0
