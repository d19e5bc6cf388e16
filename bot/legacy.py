"""One-time import of the state earlier versions kept in PTB's PicklePersistence
(``<data_dir>/bot/conversations.pickle``), so an upgrade keeps conversations and the buttons
of answers already shown. The file is renamed ``conversations.pickle.imported`` afterwards.

Those versions stored builtins only in ``chat_data``: ``history`` (question, answer) pairs and
``answers``, an ordered mapping key -> {head, sources, message_id}.
"""

from __future__ import annotations

import logging
import pickle
from pathlib import Path
from typing import Any

from bot.formatting import SourceRef
from bot.store import BotStore

logger = logging.getLogger(__name__)

FILENAME = "conversations.pickle"


def import_pickle(store: BotStore, state_dir: Path) -> int:
    """Import ``conversations.pickle`` from ``state_dir`` if there is one; return the number of
    chats imported. A file that cannot be read is left in place and reported once."""
    path = state_dir / FILENAME
    if not path.is_file():
        return 0
    try:
        with path.open("rb") as file:
            # The bot's own file, in its private (0700) directory: trusted like the database.
            data = pickle.load(file)
        chats: dict[Any, Any] = data.get("chat_data") or {}
    except Exception as err:
        logger.warning("Could not read %s (%s): starting without its conversations", path, err)
        return 0
    imported = 0
    for chat_id, chat in chats.items():
        try:
            turns = [(str(q), str(a)) for q, a in chat.get("history", [])]
            answers = [
                (
                    str(key),
                    str(record["head"]),
                    [SourceRef.from_plain(s) for s in record["sources"]],
                    record.get("message_id"),
                )
                for key, record in dict(chat.get("answers") or {}).items()
            ]
        except (AttributeError, KeyError, TypeError, ValueError):
            logger.warning("Skipped the damaged saved state of chat %s", chat_id)
            continue
        store.import_chat(int(chat_id), turns, answers)
        imported += 1
    path.rename(path.with_name(FILENAME + ".imported"))
    logger.warning("Imported the conversations of %d chat(s) from %s", imported, path)
    return imported
