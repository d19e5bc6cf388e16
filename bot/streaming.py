"""Show an answer while a language model writes it: one draft message, edited as text arrives.

The pipeline calls :meth:`AnswerDraft.feed` from its worker thread with each piece of the
answer; the draft hops to the event loop, sends a message with the first words and edits it
at most once per ``interval`` seconds. When the answer is complete the handler replaces the
draft with the formatted answer (citations, sources, buttons): see ``handlers.send_answer``.

Telegram quirks: a bot may send about one message per second to a chat and about twenty per
minute to a group, and edits count, so groups are edited less often (:data:`GROUP_INTERVAL`).
An edit that fails is cosmetic: the next one (or the final answer) shows newer text anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import Chat, Message
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot import formatting
from bot.addressing import reply_to

logger = logging.getLogger(__name__)

#: Appended to the draft while the model is still writing.
CURSOR = " ▍"
#: Shortest pause between two edits in a group or channel (Telegram: ~20 messages a minute).
GROUP_INTERVAL = 3.0
#: How long :meth:`AnswerDraft.close` waits for an edit already on its way to Telegram.
CLOSE_WAIT = 10.0
#: Room for the draft's text; a longer draft shows its beginning (the final answer is split).
DRAFT_LIMIT = formatting.MAX_MESSAGE - 96


def edit_interval(chat: Chat, interval: float) -> float:
    """Seconds between two edits of a draft in ``chat``."""
    return interval if chat.type == Chat.PRIVATE else max(interval, GROUP_INTERVAL)


def complete_words(text: str) -> str:
    """``text`` up to its last whitespace: a draft never shows half a word ("Polan")."""
    cut = max(text.rfind(" "), text.rfind("\n"))
    return text[:cut].strip() if cut > 0 else ""


def render_draft(text: str) -> str:
    """The draft as HTML: the text so far, escaped, shortened to fit, with a cursor."""
    text = text.strip()
    if len(formatting.esc(text)) > DRAFT_LIMIT:
        text = formatting.shorten_escaped(text, DRAFT_LIMIT)
    return formatting.esc(text) + CURSOR


class AnswerDraft:
    """A message that shows a streamed answer as it grows.

    Create it inside the event loop; :meth:`feed` may be called from any thread; await
    :meth:`close` when the answer is complete. Nothing is sent until some text arrives, so an
    answerer that does not stream (the extractive one) leaves no draft behind.
    """

    def __init__(self, message: Message, *, interval: float, quote: bool) -> None:
        self._message = message
        self._interval = edit_interval(message.chat, interval)
        self._quote = quote
        self._loop = asyncio.get_running_loop()
        self._text = ""
        self._shown = ""
        self._changed = asyncio.Event()
        self._closing = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        #: The draft message once sent; the final answer edits it.
        self.sent: Message | None = None

    def feed(self, piece: str) -> None:
        """Add a piece of the answer (thread-safe; a closed draft ignores it)."""
        with contextlib.suppress(RuntimeError):  # the bot is shutting down: its loop is closed
            self._loop.call_soon_threadsafe(self._append, piece)

    def _append(self, piece: str) -> None:
        if self._closing.is_set():
            return
        self._text += piece
        self._changed.set()
        if self._task is None and complete_words(self._text):
            self._task = self._loop.create_task(self._run())

    async def _run(self) -> None:
        last: float | None = None  # when the last send or edit of the draft returned
        while not self._closing.is_set():
            pause = 0.0 if last is None else last + self._interval - self._loop.time()
            if pause > 0 and await self._closing_within(pause):
                return
            self._changed.clear()
            # The task starts only once there are whole words, and the text only grows.
            html = render_draft(complete_words(self._text))
            if html != self._shown:
                await self._show(html)
                # Counted from the reply, so edits slow down when Telegram (or the rate
                # limiter, with many chats streaming at once) is slow to take them.
                last = self._loop.time()
            if not self._changed.is_set() and await self._wait_changed():
                return

    async def _closing_within(self, seconds: float) -> bool:
        """Sleep ``seconds``; True if the draft was closed meanwhile."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)
        return self._closing.is_set()

    async def _wait_changed(self) -> bool:
        """Wait for more text; True if the draft was closed instead."""
        changed = asyncio.ensure_future(self._changed.wait())
        closing = asyncio.ensure_future(self._closing.wait())
        await asyncio.wait({changed, closing}, return_when=asyncio.FIRST_COMPLETED)
        for waiter in (changed, closing):
            waiter.cancel()
        return self._closing.is_set()

    async def _show(self, html: str) -> None:
        message = self._message
        try:
            if self.sent is None:
                # Not retried: a duplicate draft would stay in the chat, a missing one is
                # harmless (the final answer is then sent as a new message).
                self.sent = await message.get_bot().send_message(
                    text=html, parse_mode=ParseMode.HTML, **reply_to(message, quote=self._quote)
                )
            else:
                await self.sent.edit_text(html, parse_mode=ParseMode.HTML)
            self._shown = html
        except TelegramError as err:
            logger.debug("Updating the answer draft failed: %s", err)

    async def close(self) -> Message | None:
        """Stop editing (an edit already on its way is let finish, so it cannot land after
        the final answer) and return the draft message, if one was sent."""
        self._closing.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), CLOSE_WAIT)
            except TimeoutError:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
            except Exception:  # a broken draft must not cost the user the finished answer
                logger.exception("The answer draft failed; sending the answer anyway")
        return self.sent
