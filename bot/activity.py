""" "typing…" in a chat while the bot owes it an answer: one indicator per chat and topic,
however many questions there are waiting, so a busy group does not spend its message budget
on chat actions."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from telegram import Bot
from telegram.constants import ChatAction
from telegram.error import TelegramError

logger = logging.getLogger(__name__)

#: Telegram shows "typing…" for 5 s or until the bot's next message.
TYPING_REFRESH = 4.5

Place = tuple[int, int | None]  # (chat id, forum topic)


class ChatActivity:
    """Reference-counted "typing…" indicators (use from the event loop)."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot
        self._busy: dict[Place, int] = {}
        self._tasks: dict[Place, asyncio.Task[None]] = {}

    @contextlib.asynccontextmanager
    async def busy(self, chat_id: int, thread_id: int | None = None) -> AsyncIterator[None]:
        """Show "typing…" in the chat (and topic) until every ``busy`` block there ends."""
        place = (chat_id, thread_id)
        self._busy[place] = self._busy.get(place, 0) + 1
        if place not in self._tasks:
            # In the background: a slow chat action never delays an answer.
            self._tasks[place] = asyncio.create_task(self._keep_typing(place))
        try:
            yield
        finally:
            self._busy[place] -= 1
            if not self._busy[place]:
                del self._busy[place]
                task = self._tasks.pop(place)
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    def typing_in(self) -> set[Place]:
        """Where "typing…" is being shown now."""
        return set(self._tasks)

    async def _keep_typing(self, place: Place) -> None:
        chat_id, thread_id = place
        while True:
            try:
                await self._bot.send_chat_action(
                    chat_id, ChatAction.TYPING, message_thread_id=thread_id
                )
            except TelegramError as err:  # cosmetic: never fail an answer over it
                logger.debug("sendChatAction failed: %s", err)
            await asyncio.sleep(TYPING_REFRESH)
