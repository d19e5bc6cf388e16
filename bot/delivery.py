"""Durable delivery: every message to a chat goes through the outbox in :mod:`bot.store`.

A message is written to disk before it is sent and deleted only once Telegram has accepted
it, so it survives an outage (5xx, 429, a dropped network) and a restart of the bot. One
sender per chat sends that chat's messages in order, retrying with backoff (429s after their
``retry_after``) until the message's deadline (``TELEGRAM_DELIVERY_TIMEOUT``); only then is
the rest of its batch given up, with a short apology to the chat.

Delivery is *at least once*. Telegram has no idempotency key and a bot cannot read its chats
back, so when the response to a sendMessage is lost (a timeout or a connection dropped after
the request went out), or the bot is killed between Telegram's answer and the outbox
update, the message is sent again: a rare duplicate beats a lost answer. Nothing else can
duplicate: a 5xx, a 429 or a failure to connect means Telegram did not take the message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

from telegram import Bot, InlineKeyboardMarkup, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError

from bot import formatting
from bot.activity import ChatActivity
from bot.buttons import passages_keyboard
from bot.store import BotStore, Outgoing, Queued

logger = logging.getLogger(__name__)

#: Backoff between attempts: doubles from the first to the longest pause (seconds).
BACKOFF_FIRST = 0.5
BACKOFF_MAX = 15.0
#: Tries at telling a chat that its answer was given up (not kept: it is already late).
APOLOGY_TRIES = 4
#: How long :meth:`Outbox.close` lets a request already on its way finish.
CLOSE_WAIT = 5.0
GAVE_UP = (
    "Sorry: Telegram did not accept my reply here for {minutes} minutes, so I gave up on it. "
    "Please send your question again."
)


def entity_error(err: BadRequest) -> bool:
    """Telegram refused the message's HTML."""
    return "can't parse entities" in err.message.lower()


def not_modified(err: BadRequest) -> bool:
    """An edit to the content the message already has (a repeat that had landed)."""
    return "message is not modified" in err.message.lower()


def seconds(value: int | timedelta) -> float:
    """A ``retry_after`` (an int or a timedelta, depending on PTB's settings) in seconds."""
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class Outbox:
    """Sends what :class:`BotStore` holds in its outbox, chat by chat, in order."""

    def __init__(
        self, store: BotStore, bot: Bot, activity: ChatActivity, *, timeout: float
    ) -> None:
        self.store, self.bot, self.activity = store, bot, activity
        #: Seconds a message may wait for Telegram before it is given up.
        self.timeout = timeout
        self._senders: dict[int, asyncio.Task[None]] = {}
        self._waiters: dict[int, list[asyncio.Future[bool]]] = {}
        self._closing = asyncio.Event()

    def deadline(self) -> float:
        """The wall-clock time until which a message queued now is retried."""
        return time.time() + self.timeout

    # --- what the handlers call ------------------------------------------------------------

    async def send(self, messages: Sequence[Outgoing]) -> bool:
        """Queue ``messages`` (in this order) and wait until Telegram has them; False if
        they were given up, or are left for the next start because the bot is stopping."""
        return await self.wait(self.store.enqueue(messages, self.deadline()), messages)

    async def wait(self, batch: int, messages: Sequence[Outgoing]) -> bool:
        """Start sending a queued batch and wait for it (see :meth:`send`)."""
        if self._closing.is_set():  # stopping: it is sent after the next start
            return False
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(batch, []).append(future)
        for chat_id in dict.fromkeys(m.chat_id for m in messages):
            self.kick(chat_id)
        return await future

    def resume(self) -> None:
        """After a (re)start: send whatever the last run left in the outbox."""
        for chat_id in self.store.queued_chats():
            self.kick(chat_id)

    def kick(self, chat_id: int) -> None:
        """Make sure a sender is working through ``chat_id``'s messages."""
        if self._closing.is_set():
            return
        task = self._senders.get(chat_id)
        if task is None or task.done():
            self._senders[chat_id] = asyncio.create_task(self._drain(chat_id))

    async def close(self) -> None:
        """Stop sending: requests on their way may finish; the rest stays on disk."""
        self._closing.set()
        tasks = [t for t in self._senders.values() if not t.done()]
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=CLOSE_WAIT)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        for batch in list(self._waiters):
            self._settle(batch, False)

    # --- the sender ---------------------------------------------------------------------

    async def _drain(self, chat_id: int) -> None:
        try:
            await self._drain_chat(chat_id)
        finally:
            if self._senders.get(chat_id) is asyncio.current_task():
                del self._senders[chat_id]  # idle chats cost nothing

    async def _drain_chat(self, chat_id: int) -> None:
        while not self._closing.is_set():
            item = self.store.next_queued(chat_id)
            if item is None:
                return
            async with self.activity.busy(item.chat_id, item.thread_id):
                outcome = await self._deliver(item)
            if outcome is None:  # stopping: the message stays for the next start
                return
            following = self.store.next_queued(chat_id)
            if following is None or following.batch != item.batch:
                self._settle(item.batch, outcome)
            if chat_id != item.chat_id:  # the chat migrated meanwhile
                self.kick(item.chat_id)
                return

    async def _deliver(self, item: Queued) -> bool | None:
        """Send one message until Telegram takes it (True), refuses it for good or its
        deadline passes (False), or the bot stops (None)."""
        attempt = 0
        while True:
            try:
                message_id = await self._attempt(item)
            except RetryAfter as err:
                pause = seconds(err.retry_after)
                logger.warning("Telegram asked to wait %.0f s before sending; waiting", pause)
            except ChatMigrated as err:
                self.store.migrate_chat(item.chat_id, err.new_chat_id)
                item = replace(item, chat_id=err.new_chat_id, edit_id=None)
                continue
            except Forbidden as err:  # blocked by the user, removed from the group
                logger.warning("Telegram refused a message to %s for good: %s", item.chat_id, err)
                self.store.discard_batch(item.batch)
                return False
            except BadRequest as err:  # e.g. the chat no longer exists
                logger.warning("Telegram refused a message to %s: %s", item.chat_id, err.message)
                self.store.discard(item)
                return False
            except TelegramError as err:  # 5xx, timeouts, dropped connections
                pause = min(BACKOFF_MAX, BACKOFF_FIRST * 2**attempt) * random.uniform(0.8, 1.2)
                logger.warning("Sending to Telegram failed (%s); retrying in %.1f s", err, pause)
            else:
                self.store.delivered(item, message_id)
                return True
            attempt += 1
            if time.time() + pause > item.deadline:
                await self._give_up(item)
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), pause)
            if self._closing.is_set():
                return None

    async def _attempt(self, item: Queued) -> int:
        """One try at putting ``item`` in its chat; returns the message id."""
        markup = passages_keyboard(item.answer_key, expanded=False) if item.answer_key else None
        if item.edit_id is not None:
            try:
                await self._edit(item, item.text, markup)
                return item.edit_id
            except BadRequest as err:
                if not_modified(err):
                    return item.edit_id
                if not entity_error(err):  # the message to edit is gone: send it anew
                    logger.info("Could not edit message %s (%s); sending anew", item.edit_id, err)
                    return await self._send(item, markup)
                logger.warning("Telegram refused our HTML (%s); editing as plain text", err)
                await self._edit(
                    item, formatting.telegram_html_as_plain(item.text), markup, plain=True
                )
                return item.edit_id
        return await self._send(item, markup)

    async def _send(self, item: Queued, markup: InlineKeyboardMarkup | None) -> int:
        reply = (
            ReplyParameters(item.reply_to, allow_sending_without_reply=True)
            if item.reply_to is not None
            else None
        )
        kwargs = {
            "chat_id": item.chat_id,
            "message_thread_id": item.thread_id,
            "reply_parameters": reply,
            "reply_markup": markup,
        }
        try:
            sent = await self.bot.send_message(text=item.text, parse_mode=ParseMode.HTML, **kwargs)
        except BadRequest as err:
            if not entity_error(err):
                raise
            logger.warning("Telegram refused our HTML (%s); sending plain text", err.message)
            plain = formatting.telegram_html_as_plain(item.text)
            sent = await self.bot.send_message(text=plain, parse_mode=None, **kwargs)
        return sent.message_id

    async def _edit(
        self, item: Queued, text: str, markup: InlineKeyboardMarkup | None, *, plain: bool = False
    ) -> None:
        await self.bot.edit_message_text(
            text,
            chat_id=item.chat_id,
            message_id=item.edit_id,
            parse_mode=None if plain else ParseMode.HTML,
            reply_markup=markup,
        )

    async def _give_up(self, item: Queued) -> None:
        dropped = self.store.discard_batch(item.batch)
        logger.error(
            "Gave up on %d message(s) to chat %s: Telegram did not accept them in %.0f s",
            dropped,
            item.chat_id,
            self.timeout,
        )
        minutes = max(1, round(self.timeout / 60))
        for attempt in range(APOLOGY_TRIES):
            try:
                await self.bot.send_message(
                    chat_id=item.chat_id,
                    message_thread_id=item.thread_id,
                    text=formatting.esc(GAVE_UP.format(minutes=minutes)),
                    parse_mode=ParseMode.HTML,
                )
                return
            except TelegramError as err:  # still down: a few more tries, then nothing to do
                logger.warning("Could not send the apology to %s: %s", item.chat_id, err)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), BACKOFF_FIRST * 2**attempt)
            if self._closing.is_set():
                return

    def _settle(self, batch: int, delivered: bool) -> None:
        for future in self._waiters.pop(batch, []):
            if not future.done():
                future.set_result(delivered)
