"""Build the PTB Application and run it (``rag-bot`` / ``python -m bot``)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    Defaults,
    PersistenceInput,
    PicklePersistence,
)

from bot import handlers
from bot.access import AccessPolicy, RateLimiter
from bot.handlers import AnswerSource, BotServices
from rag.config import Settings
from rag.errors import RagError

logger = logging.getLogger(__name__)

MISSING_TOKEN = (
    "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and export its token "
    "(or put TELEGRAM_BOT_TOKEN=... in .env)."
)
REJECTED_TOKEN = (
    "Telegram rejected TELEGRAM_BOT_TOKEN (401 Unauthorized): copy the token again from "
    "@BotFather (/mybots → your bot → API Token), or revoke it there and export the new one."
)
UNREACHABLE = "Cannot reach the Telegram Bot API at {url} ({error}): check the network{hint}."

#: Telegram delivers only what the bot handles: no edited messages, no membership updates.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
#: How long each getUpdates long poll waits on the server (seconds).
POLL_TIMEOUT = 30
#: Retries of a request answered with 429 "Too Many Requests", after waiting its retry_after.
RATE_LIMIT_RETRIES = 3
#: How often changed conversation data is written to disk (it is always written on shutdown).
PERSIST_EVERY = 10


def bot_state_dir(settings: Settings) -> Path:
    """``<data_dir>/bot``, created private (0700): it holds users' conversations."""
    path = Path(settings.data_dir) / "bot"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def build_application(settings: Settings, pipeline: AnswerSource | None = None) -> Application:
    """The Application exactly as production runs it.

    ``pipeline`` is opened in ``post_init`` when not given (tests pass a shared one).
    """
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_token)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        # One slow question must not hold up other chats.
        .concurrent_updates(True)
        # Honours Telegram's 429 retry_after and keeps under its flood limits.
        .rate_limiter(AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
        .persistence(
            PicklePersistence(
                filepath=bot_state_dir(settings) / "conversations.pickle",
                store_data=PersistenceInput(
                    bot_data=False, chat_data=True, user_data=False, callback_data=False
                ),
                update_interval=PERSIST_EVERY,
            )
        )
        .post_init(_post_init)
    )
    base = settings.telegram_api_base_url.rstrip("/")
    if base:
        # A local Bot API server (or a test double) serves the same paths as api.telegram.org.
        builder = builder.base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
    application = builder.build()
    application.bot_data[handlers.SERVICES_KEY] = BotServices(
        settings=settings,
        access=AccessPolicy(settings.telegram_allowed_ids),
        limiter=RateLimiter(settings.telegram_rate_limit),
        pipeline=pipeline,
    )
    handlers.add_handlers(application)
    return application


async def _post_init(application: Application) -> None:
    """Open the pipeline (first use ingests the seeds) and register the command list."""
    svc: BotServices = application.bot_data[handlers.SERVICES_KEY]
    if svc.pipeline is None:
        from rag.pipeline import Pipeline  # heavy imports: only once the token is known good

        svc.pipeline = await asyncio.to_thread(Pipeline.open, svc.settings)
    await application.bot.set_my_commands(handlers.COMMANDS)
    logger.warning("Bot @%s is running; press Ctrl+C to stop.", application.bot.username)


def polling_kwargs() -> dict[str, Any]:
    """Arguments for ``run_polling`` / ``Updater.start_polling`` (shared with the tests)."""
    return {"allowed_updates": ALLOWED_UPDATES, "timeout": POLL_TIMEOUT}


# --- logging ------------------------------------------------------------------------------


class RedactToken(logging.Filter):
    """Replace the bot token wherever it appears in a log record (message, args, traceback).

    httpx logs every request URL, and those contain the token; PTB logs its base URL.
    """

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.token:
            return True
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = message.replace(self.token, "<token>"), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self.token in record.exc_text:
            record.exc_text = record.exc_text.replace(self.token, "<token>")
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


def configure_logging(settings: Settings) -> None:
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
        "TELEGRAM_ALLOWED_IDS, TELEGRAM_RATE_LIMIT, TELEGRAM_HISTORY_TURNS, RAG_*), or .env.",
    ).parse_args(argv)
    try:
        settings = Settings.from_env()
    except RagError as err:
        print(err, file=sys.stderr)
        return err.exit_code
    if not settings.telegram_token:
        print(MISSING_TOKEN, file=sys.stderr)
        return 1
    configure_logging(settings)
    try:
        application = build_application(settings)
        application.run_polling(**polling_kwargs())
    except InvalidToken:
        print(REJECTED_TOKEN, file=sys.stderr)
        return 1
    except RagError as err:
        print(err, file=sys.stderr)
        return err.exit_code
    except NetworkError as err:
        url = settings.telegram_api_base_url or "https://api.telegram.org"
        hint = " or TELEGRAM_API_BASE_URL" if settings.telegram_api_base_url else ""
        message = str(err).replace(settings.telegram_token, "<token>")
        print(UNREACHABLE.format(url=url, error=message, hint=hint), file=sys.stderr)
        return 1
    except OSError as err:  # e.g. the data directory cannot be created
        print(f"Cannot start the bot: {err}", file=sys.stderr)
        return 1
    return 0
