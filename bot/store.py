"""The bot's state on disk: one SQLite database, ``<data_dir>/bot/state.sqlite3``.

Why SQLite and not PTB's persistence: PTB writes its pickle *after* a handler returns (or
every few seconds), and rewrites every chat's data each time. Here each change is one small
transaction, committed before the answer goes to Telegram, so a SIGKILL at any moment loses
nothing the user has seen; and the outbox (answers Telegram has not accepted yet) needs a
durable, ordered queue anyway, in the same transaction as the memory it belongs to.

Tables:

* ``turns``: the last question/answer turns per chat (``Pipeline.ask(history=...)``).
* ``answers``: shown answers whose "Show passages" button can still be pressed, keyed by a
  short random id that goes into the button's callback data (Telegram allows 64 bytes).
* ``outbox``: messages composed but not yet accepted by Telegram, in per-chat order.
* ``replies``: which bot message answered which question, so an edited question can
  re-answer by editing that message.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from pathlib import Path

from bot.formatting import SourceRef
from rag.types import Turn

FILENAME = "state.sqlite3"
#: Answers per chat whose passages can still be shown; older buttons get a polite "too old".
MAX_STORED_ANSWERS = 100
#: How long the link from a question to the bot's reply is kept (edits come within minutes).
REPLY_MEMORY = 24 * 3600.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id INTEGER NOT NULL,
    question_id INTEGER,
    question TEXT NOT NULL,
    answer TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS turns_by_chat ON turns (chat_id, id);
CREATE TABLE IF NOT EXISTS answers (
    key TEXT PRIMARY KEY,
    chat_id INTEGER NOT NULL,
    head TEXT NOT NULL,
    sources TEXT NOT NULL,
    message_id INTEGER,
    used REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS answers_by_chat ON answers (chat_id, used);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    batch INTEGER NOT NULL,
    chat_id INTEGER NOT NULL,
    thread_id INTEGER,
    reply_to INTEGER,
    edit_id INTEGER,
    text TEXT NOT NULL,
    answer_key TEXT,
    question_id INTEGER,
    deadline REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_by_chat ON outbox (chat_id, id);
CREATE TABLE IF NOT EXISTS replies (
    chat_id INTEGER NOT NULL,
    question_id INTEGER NOT NULL,
    reply_id INTEGER NOT NULL,
    sent REAL NOT NULL,
    PRIMARY KEY (chat_id, question_id)
);
"""


@dataclass(frozen=True)
class StoredAnswer:
    """What the "Show passages" button needs to re-render the message it sits under."""

    head: str
    sources: list[SourceRef]
    message_id: int | None


@dataclass(frozen=True)
class Outgoing:
    """One message to put in a chat: sent anew, or edited into the bot's message ``edit_id``.

    ``reply_to`` is the message it replies to; ``answer_key`` (on the last message of an
    answer) gives it the "Show passages" button; ``question_id`` (on the first message of an
    answer) links the question to its reply, for edits.
    """

    chat_id: int
    text: str
    thread_id: int | None = None
    reply_to: int | None = None
    edit_id: int | None = None
    answer_key: str | None = None
    question_id: int | None = None


@dataclass(frozen=True)
class Queued(Outgoing):
    """An :class:`Outgoing` message in the outbox."""

    id: int = 0
    batch: int = 0
    deadline: float = 0.0


#: An :class:`Outgoing`'s fields, as outbox columns; a :class:`Queued` adds three.
MESSAGE_FIELDS = tuple(f.name for f in fields(Outgoing))
QUEUED_FIELDS = tuple(f.name for f in fields(Queued))


class BotStore:
    """The database. Every method is one transaction; safe to call from any thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        # WAL: a commit is one append to the log; FULL: fsynced, so it survives power loss too.
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        """Close the database (everything is already committed)."""
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # --- conversation memory -------------------------------------------------------------

    def history(self, chat_id: int, max_turns: int, *, without: int | None = None) -> list[Turn]:
        """The chat's last ``max_turns`` turns, oldest first; ``without``: leave out the turn
        of that question (it is being asked again, edited)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT question, answer FROM turns WHERE chat_id = ? "
                "AND (? IS NULL OR question_id IS NOT ?) ORDER BY id DESC LIMIT ?",
                (chat_id, without, without, max_turns),
            ).fetchall()
        return [Turn(question=q, answer=a) for q, a in reversed(rows)]

    def forget(self, chat_id: int) -> bool:
        """Drop the chat's conversation; True if there was any."""
        with self._transaction() as db:
            return db.execute("DELETE FROM turns WHERE chat_id = ?", (chat_id,)).rowcount > 0

    def store_answer(self, chat_id: int, head: str, sources: Sequence[SourceRef]) -> str:
        """Keep an answer's last-message head and sources (for its button); return its key."""
        with self._transaction() as db:
            return self._store_answer(db, chat_id, head, sources)

    def _store_answer(
        self, db: sqlite3.Connection, chat_id: int, head: str, sources: Sequence[SourceRef]
    ) -> str:
        key = secrets.token_urlsafe(6)  # 8 characters, unguessable enough to reject forged data
        plain = json.dumps([s.to_plain() for s in sources], ensure_ascii=False)
        db.execute(
            "INSERT INTO answers (key, chat_id, head, sources, used) VALUES (?, ?, ?, ?, ?)",
            (key, chat_id, head, plain, time.time()),
        )
        db.execute(
            "DELETE FROM answers WHERE chat_id = ? AND key NOT IN (SELECT key FROM answers "
            "WHERE chat_id = ? ORDER BY used DESC, rowid DESC LIMIT ?)",
            (chat_id, chat_id, MAX_STORED_ANSWERS),
        )
        return key

    def load_answer(self, chat_id: int, key: str) -> StoredAnswer | None:
        """The stored answer for ``key`` in ``chat_id`` (marked recently used), or None."""
        with self._transaction() as db:
            row = db.execute(
                "SELECT head, sources, message_id FROM answers WHERE key = ? AND chat_id = ?",
                (key, chat_id),
            ).fetchone()
            if row is None:
                return None
            db.execute("UPDATE answers SET used = ? WHERE key = ?", (time.time(), key))
        try:
            sources = [SourceRef.from_plain(s) for s in json.loads(row[1])]
        except (TypeError, ValueError):
            return None  # damaged: treat as too old
        return StoredAnswer(str(row[0]), sources, row[2])

    def record_answer(
        self,
        *,
        chat_id: int,
        turn: tuple[str, str] | None,
        question_id: int | None,
        max_turns: int,
        button: tuple[str, Sequence[SourceRef]] | None,
        messages: Sequence[Outgoing],
        deadline: float,
    ) -> int:
        """One transaction for a composed answer: remember the turn (replacing the turn of
        an edited question), keep the button's passages, queue the messages. The last
        message gets the button. Returns the outbox batch."""
        with self._transaction() as db:
            if turn is not None:
                if question_id is not None:
                    db.execute(
                        "DELETE FROM turns WHERE chat_id = ? AND question_id = ?",
                        (chat_id, question_id),
                    )
                if max_turns > 0:
                    db.execute(
                        "INSERT INTO turns (chat_id, question_id, question, answer) "
                        "VALUES (?, ?, ?, ?)",
                        (chat_id, question_id, *turn),
                    )
                db.execute(
                    "DELETE FROM turns WHERE chat_id = ? AND id NOT IN (SELECT id FROM turns "
                    "WHERE chat_id = ? ORDER BY id DESC LIMIT ?)",
                    (chat_id, chat_id, max_turns),
                )
            key = self._store_answer(db, chat_id, *button) if button else None
            if key is not None and messages:
                last = messages[-1]
                messages = [*messages[:-1], replace(last, answer_key=key)]
            return self._enqueue(db, messages, deadline)

    # --- the outbox ------------------------------------------------------------------------

    def enqueue(self, messages: Sequence[Outgoing], deadline: float) -> int:
        """Queue messages (sent in this order within their chat); returns their batch."""
        with self._transaction() as db:
            return self._enqueue(db, messages, deadline)

    def _enqueue(
        self, db: sqlite3.Connection, messages: Sequence[Outgoing], deadline: float
    ) -> int:
        (batch,) = db.execute("SELECT COALESCE(MAX(batch), 0) + 1 FROM outbox").fetchone()
        columns = ", ".join(("batch", "deadline", *MESSAGE_FIELDS))
        marks = ", ".join("?" * (2 + len(MESSAGE_FIELDS)))
        for m in messages:
            values = (batch, deadline, *(getattr(m, f) for f in MESSAGE_FIELDS))
            db.execute(f"INSERT INTO outbox ({columns}) VALUES ({marks})", values)
        return batch

    def next_queued(self, chat_id: int) -> Queued | None:
        """The chat's oldest message not yet accepted by Telegram."""
        columns = ", ".join(QUEUED_FIELDS)
        with self._lock:
            row = self._db.execute(
                f"SELECT {columns} FROM outbox WHERE chat_id = ? ORDER BY id LIMIT 1", (chat_id,)
            ).fetchone()
        return None if row is None else Queued(**dict(zip(QUEUED_FIELDS, row, strict=True)))

    def queued_chats(self) -> list[int]:
        """Chats with messages waiting in the outbox (to resume after a restart)."""
        with self._lock:
            rows = self._db.execute("SELECT DISTINCT chat_id FROM outbox").fetchall()
        return [r[0] for r in rows]

    def pending_batches(self) -> set[int]:
        """Batches with a message still in the outbox."""
        with self._lock:
            return {r[0] for r in self._db.execute("SELECT DISTINCT batch FROM outbox")}

    def delivered(self, item: Queued, message_id: int) -> None:
        """Telegram accepted ``item`` as ``message_id``: drop it from the outbox, point its
        button at the message, link its question to it."""
        with self._transaction() as db:
            db.execute("DELETE FROM outbox WHERE id = ?", (item.id,))
            if item.answer_key:
                db.execute(
                    "UPDATE answers SET message_id = ? WHERE key = ?", (message_id, item.answer_key)
                )
            if item.question_id is not None:
                now = time.time()
                db.execute(
                    "INSERT OR REPLACE INTO replies (chat_id, question_id, reply_id, sent) "
                    "VALUES (?, ?, ?, ?)",
                    (item.chat_id, item.question_id, message_id, now),
                )
                db.execute("DELETE FROM replies WHERE sent < ?", (now - REPLY_MEMORY,))

    def discard(self, item: Queued) -> None:
        """Drop one message Telegram refused for good."""
        with self._transaction() as db:
            db.execute("DELETE FROM outbox WHERE id = ?", (item.id,))

    def discard_batch(self, batch: int) -> int:
        """Drop what is left of a batch (given up); returns how many messages that was."""
        with self._transaction() as db:
            return db.execute("DELETE FROM outbox WHERE batch = ?", (batch,)).rowcount

    def reply_to_question(self, chat_id: int, question_id: int) -> int | None:
        """The bot message that answered ``question_id``, if known."""
        with self._lock:
            row = self._db.execute(
                "SELECT reply_id FROM replies WHERE chat_id = ? AND question_id = ?",
                (chat_id, question_id),
            ).fetchone()
        return row[0] if row else None

    def import_chat(
        self,
        chat_id: int,
        turns: Sequence[tuple[str, str]],
        answers: Sequence[tuple[str, str, Sequence[SourceRef], int | None]],
    ) -> None:
        """Add a chat's turns and answers ``(key, head, sources, message_id)``, oldest first
        (see :mod:`bot.legacy`); keys already known are left alone."""
        with self._transaction() as db:
            for question, answer in turns:
                db.execute(
                    "INSERT INTO turns (chat_id, question, answer) VALUES (?, ?, ?)",
                    (chat_id, question, answer),
                )
            for order, (key, head, sources, message_id) in enumerate(answers):
                plain = json.dumps([s.to_plain() for s in sources], ensure_ascii=False)
                db.execute(
                    "INSERT OR IGNORE INTO answers (key, chat_id, head, sources, message_id, used) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (key, chat_id, head, plain, message_id, order),
                )

    # --- a group became a supergroup -----------------------------------------------------

    def migrate_chat(self, old_id: int, new_id: int) -> None:
        """Move a chat's memory, buttons and queued messages to its new id (idempotent)."""
        with self._transaction() as db:
            for table in ("turns", "answers", "outbox"):
                db.execute(f"UPDATE {table} SET chat_id = ? WHERE chat_id = ?", (new_id, old_id))
            db.execute("DELETE FROM replies WHERE chat_id = ?", (old_id,))


def open_store(state_dir: Path) -> BotStore:
    """Open (creating) the database in the bot's private state directory."""
    return BotStore(state_dir / FILENAME)
