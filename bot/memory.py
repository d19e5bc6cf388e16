"""Per-chat data kept in ``context.chat_data`` and saved by PTB's PicklePersistence.

Only builtins are stored (lists, tuples, strings, dicts), so the pickle does not depend on
the bot's or the pipeline's classes and survives their refactoring.

* ``history``: the last few question/answer turns, passed to ``Pipeline.ask(history=...)``.
* ``answers``: a bounded LRU of shown answers, keyed by a short random id that goes into
  the "Show passages" button's callback data (Telegram allows only 64 bytes there).
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.formatting import SourceRef
from rag.types import Turn

HISTORY_KEY = "history"
ANSWERS_KEY = "answers"
#: Answers per chat whose passages can still be shown; older buttons get a polite "too old".
MAX_STORED_ANSWERS = 30

ChatData = MutableMapping[Any, Any]


def history(chat_data: ChatData) -> list[Turn]:
    """The chat's remembered turns, oldest first."""
    return [Turn(question=q, answer=a) for q, a in chat_data.get(HISTORY_KEY, [])]


def remember(chat_data: ChatData, question: str, answer: str, max_turns: int) -> None:
    """Append one turn, keeping only the last ``max_turns`` (0 keeps nothing)."""
    turns = list(chat_data.get(HISTORY_KEY, []))
    turns.append((question, answer))
    chat_data[HISTORY_KEY] = turns[-max_turns:] if max_turns > 0 else []


def forget(chat_data: ChatData) -> bool:
    """Drop the conversation history; True if there was any."""
    return bool(chat_data.pop(HISTORY_KEY, None))


@dataclass(frozen=True)
class StoredAnswer:
    """What the "Show passages" button needs to re-render the message it sits under."""

    head: str
    sources: list[SourceRef]
    message_id: int | None


def store_answer(chat_data: ChatData, head: str, sources: Sequence[SourceRef]) -> str:
    """Keep an answer's last-message head and sources; return its short key."""
    answers = _answers(chat_data)
    key = secrets.token_urlsafe(6)  # 8 characters, unguessable enough to reject forged data
    while key in answers:
        key = secrets.token_urlsafe(6)
    answers[key] = {"head": head, "sources": [s.to_plain() for s in sources], "message_id": None}
    while len(answers) > MAX_STORED_ANSWERS:
        answers.popitem(last=False)
    return key


def set_message_id(chat_data: ChatData, key: str, message_id: int) -> None:
    """Record which message carries the answer's button (checked on every press)."""
    record = _answers(chat_data).get(key)
    if record is not None:
        record["message_id"] = message_id


def load_answer(chat_data: ChatData, key: str) -> StoredAnswer | None:
    """The stored answer for ``key`` (marking it recently used), or None if unknown/evicted."""
    answers = _answers(chat_data)
    record = answers.get(key)
    if record is None:
        return None
    answers.move_to_end(key)
    try:
        sources = [SourceRef.from_plain(s) for s in record["sources"]]
        return StoredAnswer(str(record["head"]), sources, record.get("message_id"))
    except (KeyError, TypeError, ValueError):
        return None  # damaged or from an incompatible version: treat as too old


def _answers(chat_data: ChatData) -> OrderedDict[str, dict[str, Any]]:
    answers = chat_data.get(ANSWERS_KEY)
    if not isinstance(answers, OrderedDict):
        answers = OrderedDict(answers or {})
        chat_data[ANSWERS_KEY] = answers
    return answers
