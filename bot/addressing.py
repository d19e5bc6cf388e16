"""Where the bot's reply to a message goes: the message's chat, its forum topic, and
optionally a reply to the message itself."""

from __future__ import annotations

from typing import Any

from telegram import Message, ReplyParameters


def topic_of(message: Message) -> int | None:
    """The forum topic ``message`` was posted in (None outside topics).

    Telegram quirk: in forum topics the thread id must be repeated on every message and chat
    action, or they land in the General topic.
    """
    return message.message_thread_id if message.is_topic_message else None


def reply_to(message: Message, *, quote: bool) -> dict[str, Any]:
    """``send_message`` arguments that put a reply in ``message``'s chat and topic; with
    ``quote``, as a reply to it (sent anyway if the question was deleted meanwhile)."""
    return {
        "chat_id": message.chat_id,
        "message_thread_id": topic_of(message),
        "reply_parameters": (
            ReplyParameters(message.message_id, allow_sending_without_reply=True) if quote else None
        ),
    }
