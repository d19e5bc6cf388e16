"""Keep secrets (the bot token, API keys) out of every log record and every error text.

httpx logs each request URL, and Bot API URLs contain the token; an exception may quote a URL
or a header. Redacting in a handler's filter only protects that handler, so the secrets are
removed when a record is *created* (a log record factory): every handler, pytest's caplog
included, sees the redacted record.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

#: Secrets shorter than this are not redacted (they would match ordinary text).
MIN_SECRET = 8

_lock = threading.Lock()
_secrets: dict[str, str] = {}  # secret -> what replaces it
_installed = False


def token_secret(token: str) -> str:
    """The secret part of a bot token ``123456789:AAE...``: what follows the bot's (public) id.

    Redacting it alone also redacts the whole token, and whatever form it is quoted in.
    """
    return token.partition(":")[2] or token


def add_secrets(token: str = "", others: Iterable[str] = ()) -> None:
    """Redact ``token`` (as ``<token>``) and ``others`` (as ``<secret>``) from now on, and make
    sure every log record is redacted."""
    global _installed
    with _lock:
        if len(token_secret(token)) >= MIN_SECRET:
            _secrets[token_secret(token)] = "<token>"
        for secret in others:
            if len(secret) >= MIN_SECRET:
                _secrets.setdefault(secret, "<secret>")
        if not _installed:
            _install_factory()
            _installed = True


def redact(text: str, secrets: dict[str, str] | None = None) -> str:
    """``text`` with every known secret replaced."""
    for secret, label in (_secrets if secrets is None else secrets).items():
        if secret in text:
            text = text.replace(secret, label)
    return text


def redact_record(record: logging.LogRecord, secrets: dict[str, str] | None = None) -> None:
    """Redact a record's message, traceback and stack in place."""
    secrets = _secrets if secrets is None else secrets
    if not secrets:
        return
    try:
        message = record.getMessage()
    except Exception:  # a malformed record: logging reports it when it is formatted
        return
    clean = redact(message, secrets)
    if clean != message:
        record.msg, record.args = clean, None
    if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
        text = logging.Formatter().formatException(record.exc_info)
        if redact(text, secrets) != text:
            # Formatters print exc_text (when set) instead of formatting exc_info again.
            record.exc_text = text
    if record.exc_text:
        record.exc_text = redact(record.exc_text, secrets)
    if record.stack_info:
        record.stack_info = redact(record.stack_info, secrets)


def _install_factory() -> None:
    previous = logging.getLogRecordFactory()

    def redacting_factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        redact_record(record)
        return record

    logging.setLogRecordFactory(redacting_factory)
