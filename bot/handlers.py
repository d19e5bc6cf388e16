"""Telegram update handlers: thin glue between PTB and :class:`rag.pipeline.Pipeline`.

The bot never retrieves or composes anything itself: it asks the pipeline (in a worker
thread, since ``Pipeline.ask`` blocks) and formats the :class:`rag.types.Answer` it returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from telegram import (
    Bot,
    BotCommand,
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import formatting, memory, redaction
from bot.access import REFUSAL, AccessPolicy, RateLimiter, slow_down_text
from bot.addressing import reply_to, topic_of
from bot.streaming import AnswerDraft
from rag.config import Settings
from rag.errors import RagError
from rag.types import Answer, ArticleInfo, SearchFilters, Turn

logger = logging.getLogger(__name__)

COMMANDS = [
    BotCommand("ask", "Ask a question about the news"),
    BotCommand("sources", "List the articles I know"),
    BotCommand("reset", "Forget our conversation"),
    BotCommand("help", "What I know and how to ask"),
]

SOMETHING_WRONG = "Sorry, something went wrong while handling that. Please try again in a moment."
STALE_BUTTON = "This button has expired: ask the question again to see its passages."
NON_TEXT = (
    "I can only read text. Send me your question as a message, "
    "or /help to see what I know and how to ask."
)
UNKNOWN_COMMAND = (
    "I don't know that command. Send /help to see what I can do, or just type your question."
)
RESET_DONE = "Done: I've forgotten our conversation. Your next question starts afresh."
ANSWER_CUT_OFF = "(This answer was cut off.)"

SHOW, HIDE = "show", "hide"
CALLBACK_RE = re.compile(r"^psg:(show|hide):([A-Za-z0-9_-]{1,16})$")
#: Transient failures (5xx, dropped connections, timeouts) are retried this many times.
SEND_RETRIES = 3
TYPING_REFRESH = 4.5  # Telegram shows "typing…" for 5 s or until the bot's next message

T = TypeVar("T")


class AnswerSource(Protocol):
    """The part of :class:`rag.pipeline.Pipeline` the bot uses."""

    def ask(
        self,
        question: str,
        *,
        history: Sequence[Turn] = (),
        filters: SearchFilters | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> Answer: ...

    def sources(self) -> list[ArticleInfo]: ...


@dataclass
class BotServices:
    """Everything the handlers share, kept in ``application.bot_data`` (which is not persisted)."""

    settings: Settings
    access: AccessPolicy
    limiter: RateLimiter
    pipeline: AnswerSource | None = None


SERVICES_KEY = "services"


def services(context: ContextTypes.DEFAULT_TYPE) -> BotServices:
    """The shared :class:`BotServices` of the running application."""
    return context.bot_data[SERVICES_KEY]


def _pipeline(context: ContextTypes.DEFAULT_TYPE) -> AnswerSource:
    pipeline = services(context).pipeline
    if pipeline is None:  # only before post_init has opened it
        raise RuntimeError("the pipeline is not open yet")
    return pipeline


# --- recognising what is addressed to the bot ---------------------------------------------


def group_question(message: Message, bot: Bot) -> str | None:
    """The question in a group message addressed to the bot, else None.

    A message is addressed to the bot when it mentions ``@botname`` (the mention is removed
    from the question) or replies to one of the bot's messages.
    """
    text = message.text or ""
    username = (bot.username or "").casefold()
    mentioned = False
    for entity in message.entities:
        if entity.type == MessageEntity.MENTION:
            mentioned = mentioned or entity_text(text, entity).casefold() == f"@{username}"
        elif entity.type == MessageEntity.TEXT_MENTION:
            # A link to the bot's profile, for bots without a username.
            mentioned = mentioned or (entity.user is not None and entity.user.id == bot.id)
    replied = message.reply_to_message
    to_bot = bool(replied and replied.from_user and replied.from_user.id == bot.id)
    if not (mentioned or to_bot):
        return None
    return strip_mention(text, bot.username or "")


def entity_text(text: str, entity: MessageEntity) -> str:
    """The text an entity covers; "" when it points outside the text.

    Unlike ``Message.parse_entity`` it never raises: an entity that splits a character
    (offsets count UTF-16 code units) would otherwise fail the whole update.
    """
    units = text.encode("utf-16-le")
    start, end = 2 * entity.offset, 2 * (entity.offset + entity.length)
    if not 0 <= start <= end <= len(units):
        return ""
    return units[start:end].decode("utf-16-le", errors="replace")


def strip_mention(text: str, username: str) -> str:
    """Remove ``@username`` (any case) and the punctuation that joined it to the question."""
    if username:
        text = re.sub(rf"(?<![\w@])@{re.escape(username)}\b[,:;]?", " ", text, flags=re.IGNORECASE)
    return " ".join(text.split()).strip(" ,:;")


def command_argument(text: str) -> str:
    """What follows ``/command`` or ``/command@botname``, newlines kept."""
    return re.sub(r"^/\S*\s*", "", text, count=1).strip()


def _is_addressed(message: Message, bot: Bot) -> bool:
    if message.chat.type == Chat.PRIVATE:
        return True
    if message.text and message.text.startswith("/"):
        target = message.text.split(maxsplit=1)[0].partition("@")[2]
        return not target or target.casefold() == (bot.username or "").casefold()
    return group_question(message, bot) is not None


# --- sending ---------------------------------------------------------------------------------


async def _retrying(call: Callable[[], Awaitable[T]]) -> T:
    """Run a Bot API call, retrying transient failures: 5xx answers, dropped connections and
    timeouts (429s are retried by PTB's AIORateLimiter; a bad request is final).

    Delivery is *at least once*. Telegram has no idempotency key and a bot cannot read its
    chats back, so after a timeout or a connection dropped once the request was sent nobody
    knows whether the message went out. We send it again: a rare duplicate answer is better
    than a question left silently unanswered. Failures before the request was sent (no
    connection, a full pool) and 5xx answers cannot duplicate. Edits are idempotent (the
    repeat gets "message is not modified", taken as success), so only a sent message can
    arrive twice.
    """
    for attempt in range(SEND_RETRIES + 1):
        try:
            return await call()
        except BadRequest:
            raise
        except NetworkError as err:  # includes TimedOut
            if attempt == SEND_RETRIES:
                raise
            logger.warning("Telegram request failed (%s); retrying", err.message)
            await asyncio.sleep(0.5 * 2**attempt)
    raise AssertionError("unreachable")


async def answer_query(
    query: CallbackQuery, text: str | None = None, *, show_alert: bool | None = None
) -> None:
    """Answer a button press: stops its spinner (and shows ``text``).

    Best effort: a press that cannot be answered must not stop the work it asked for. A
    repeat after a lost response gets "query is too old" from Telegram, which is fine.
    """
    try:
        await _retrying(lambda: query.answer(text, show_alert=show_alert))
    except TelegramError as err:
        logger.warning("Could not answer a button press: %s", err)


def _entity_error(err: BadRequest) -> bool:
    return "can't parse entities" in err.message.lower()


async def send_html(
    message: Message,
    text: str,
    *,
    quote: bool = False,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> Message:
    """Send HTML ``text`` to ``message``'s chat (and topic), optionally replying to it.

    Should Telegram still reject the markup ("can't parse entities"), the same text is sent
    again as plain text, so the user always gets an answer.
    """
    bot = message.get_bot()
    kwargs = {**reply_to(message, quote=quote), "reply_markup": reply_markup}
    try:
        return await _retrying(
            lambda: bot.send_message(text=text, parse_mode=ParseMode.HTML, **kwargs)
        )
    except BadRequest as err:
        if not _entity_error(err):
            raise
        logger.warning("Telegram refused our HTML (%s); sending plain text", err.message)
        plain = formatting.html_to_text(text)
        return await _retrying(lambda: bot.send_message(text=plain, parse_mode=None, **kwargs))


async def edit_html(
    target: Message, text: str, *, reply_markup: InlineKeyboardMarkup | None = None
) -> Message:
    """Replace the text of the bot's message ``target`` with HTML ``text``.

    Editing to the same content counts as done (a repeated press, or a retried edit that had
    landed); should Telegram reject the markup, the text is put in as plain text. Any other
    refusal (e.g. the message was deleted) is raised as :class:`BadRequest`.
    """
    try:
        await _retrying(
            lambda: target.edit_text(text, parse_mode=ParseMode.HTML, reply_markup=reply_markup)
        )
    except BadRequest as err:
        if "message is not modified" in err.message.lower():
            return target
        if not _entity_error(err):
            raise
        logger.warning("Telegram refused our HTML (%s); editing as plain text", err.message)
        plain = formatting.html_to_text(text)
        await _retrying(lambda: target.edit_text(plain, parse_mode=None, reply_markup=reply_markup))
    return target


async def send_plain(message: Message, text: str, *, quote: bool = False) -> Message:
    """Send ``text`` exactly as written (it is escaped, so no character is taken as markup)."""
    return await send_html(message, formatting.esc(text), quote=quote)


def _quote(message: Message) -> bool:
    # In groups the answer replies to the question so it is clear whom it answers.
    return message.chat.type != Chat.PRIVATE


@contextlib.asynccontextmanager
async def typing(message: Message) -> AsyncIterator[None]:
    """Show "typing…" in the chat until the block ends (Telegram drops it after 5 s)."""
    bot = message.get_bot()
    thread_id = topic_of(message)

    async def send_typing() -> None:
        try:
            await bot.send_chat_action(
                message.chat_id, ChatAction.TYPING, message_thread_id=thread_id
            )
        except TelegramError as err:  # cosmetic: never fail an answer over it
            logger.debug("sendChatAction failed: %s", err)

    async def keep_typing() -> None:
        while True:
            await send_typing()
            await asyncio.sleep(TYPING_REFRESH)

    # In the background: a slow (or rate-limited) chat action never delays the answer, and
    # one still waiting when the answer is ready is dropped.
    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def passages_keyboard(key: str, *, expanded: bool) -> InlineKeyboardMarkup:
    """The toggle under an answer. Callback data is ``psg:show|hide:<key>``, well under 64 bytes."""
    label, action = ("Hide passages", HIDE) if expanded else ("Show passages", SHOW)
    return InlineKeyboardMarkup.from_button(
        InlineKeyboardButton(label, callback_data=f"psg:{action}:{key}")
    )


async def send_answer(
    message: Message, answer: Answer, chat_data: memory.ChatData, *, draft: Message | None = None
) -> None:
    """Send an answer laid out by :func:`formatting.layout_answer`; the last message gets the
    "Show passages" button when the answer has sources. A ``draft`` (the streamed answer so
    far) becomes the first message, so the chat keeps one answer, not a draft and an answer."""
    layout = formatting.layout_answer(answer)
    key = memory.store_answer(chat_data, layout.head, layout.sources) if layout.sources else None
    for index, text in enumerate(layout.messages):
        last = index == len(layout.messages) - 1
        markup = passages_keyboard(key, expanded=False) if key and last else None
        sent = None
        if index == 0 and draft is not None:
            sent = await replace_draft(draft, text, markup)
        if sent is None:
            sent = await send_html(
                message, text, quote=index == 0 and _quote(message), reply_markup=markup
            )
        if key and last:
            memory.set_message_id(chat_data, key, sent.message_id)


async def replace_draft(
    draft: Message, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Turn the draft into ``text``; None when it cannot be edited (deleted meanwhile)."""
    try:
        return await edit_html(draft, text, reply_markup=markup)
    except BadRequest as err:
        logger.info("Could not edit the answer draft (%s); sending the answer anew", err.message)
        return None


# --- the question flow ----------------------------------------------------------------------


async def answer_question(
    update: Update, context: ContextTypes.DEFAULT_TYPE, question: str
) -> None:
    """Rate-limit, ask the pipeline with the chat's history, remember the turn, reply."""
    message = update.effective_message
    if message is None:
        return
    svc = services(context)
    user = update.effective_user
    wait = svc.limiter.hit(user.id) if user else 0.0
    if wait:
        if user and svc.limiter.warn(user.id, wait):  # once per flood, not once per message
            text = slow_down_text(wait, svc.settings.telegram_rate_limit)
            await send_plain(message, text, quote=_quote(message))
        return
    chat_data = context.chat_data if context.chat_data is not None else {}
    max_turns = svc.settings.telegram_history_turns
    turns = memory.history(chat_data) if max_turns > 0 else []
    pipeline = _pipeline(context)
    interval = svc.settings.telegram_stream_interval
    # A model's answer is shown as it is written (edited into place); 0 turns that off.
    draft = AnswerDraft(message, interval=interval, quote=_quote(message)) if interval else None
    async with typing(message):
        try:
            # Pipeline.ask is blocking and CPU-bound: a worker thread keeps other chats going.
            answer = await asyncio.to_thread(
                pipeline.ask, question, history=turns, on_token=draft.feed if draft else None
            )
        except RagError as err:  # includes InvalidQuestion (empty, too long): its own message
            shown = await draft.close() if draft else None
            text = formatting.esc(redaction.redact(str(err)))
            if shown is None or await replace_draft(shown, text) is None:
                await send_html(message, text, quote=_quote(message))
            return
        except Exception:
            shown = await draft.close() if draft else None
            if shown is not None:  # the error handler says what happened; drop the half answer
                await replace_draft(shown, formatting.esc(ANSWER_CUT_OFF))
            raise
    shown = await draft.close() if draft else None
    memory.remember(chat_data, question, answer.answer, max_turns)
    await send_answer(message, answer, chat_data, draft=shown)


async def on_private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In a private chat any text is a question."""
    if update.message:
        await answer_question(update, context, update.message.text or "")


async def on_group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In a group only messages that mention the bot or reply to it are questions."""
    message = update.message
    if message is None:
        return
    question = group_question(message, context.bot)
    if question is not None:
        await answer_question(update, context, question)


async def cmd_ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ask QUESTION, in any chat."""
    if update.message:
        await answer_question(update, context, command_argument(update.message.text or ""))


async def cmd_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start and /help: what the bot knows (from ``Pipeline.sources``) and how to ask."""
    message = update.effective_message
    if message is None:
        return
    articles = await asyncio.to_thread(_pipeline(context).sources)
    text = formatting.help_text(articles, context.bot.username or "")
    await send_html(message, text, quote=_quote(message))


async def cmd_sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/sources: the indexed articles by outlet and date."""
    message = update.effective_message
    if message is None:
        return
    articles = await asyncio.to_thread(_pipeline(context).sources)
    pages = formatting.split_blocks(formatting.sources_blocks(articles))
    for index, page in enumerate(pages):
        await send_html(message, page, quote=index == 0 and _quote(message))


async def cmd_reset(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reset: forget this chat's conversation (shown answers keep their buttons)."""
    message = update.effective_message
    if message is None:
        return
    if context.chat_data is not None:
        memory.forget(context.chat_data)
    await send_plain(message, RESET_DONE, quote=_quote(message))


async def on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command the bot does not have, in a private chat."""
    if update.message:
        await send_plain(update.message, UNKNOWN_COMMAND)


async def on_non_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice… in a private chat: say what works instead."""
    if update.message:
        await send_plain(update.message, NON_TEXT)


# --- the "Show passages" button -------------------------------------------------------------


async def on_passages_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Toggle an answer's passages: re-render the message the button sits under."""
    query = update.callback_query
    if query is None:
        return
    match = CALLBACK_RE.match(query.data or "")
    message = query.message
    stored = None
    if match and context.chat_data is not None:
        stored = memory.load_answer(context.chat_data, match.group(2))
    if (
        match is None
        or stored is None
        or message is None
        or not message.is_accessible  # Telegram quirk: messages older than 48 h are not
        or stored.message_id != message.message_id  # a key replayed on another message
    ):
        await answer_query(query, STALE_BUTTON)
        return
    expanded = match.group(1) == SHOW
    # Telegram quirk: every callback query must be answered, or the button spins for a while.
    await answer_query(query)
    text = formatting.render_last(stored.head, stored.sources, expanded=expanded)
    markup = passages_keyboard(match.group(2), expanded=expanded)
    await edit_html(message, text, reply_markup=markup)


async def on_unknown_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Callback data the bot never made (or an old format): answer politely."""
    if update.callback_query:
        await answer_query(update.callback_query, STALE_BUTTON)


# --- access control and errors ---------------------------------------------------------------


async def gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before every handler (group -1): stop updates from people not on the allowlist.

    A refused user gets one polite refusal per chat (and a refusal on every button press),
    never any corpus content; group messages not addressed to the bot are dropped silently.
    """
    svc = services(context)
    user, chat = update.effective_user, update.effective_chat
    message = update.message
    if message and message.from_user and message.from_user.is_bot and not message.sender_chat:
        # Another bot (anonymous admins and channels post as placeholder bots, with a
        # sender_chat): never answer, so two bots cannot talk to each other forever.
        raise ApplicationHandlerStop
    if svc.access.allows(user.id if user else None, chat.id if chat else None):
        return
    refusal = REFUSAL.format(user=user.id if user else "?", chat=chat.id if chat else "?")
    if update.callback_query is not None:
        await answer_query(update.callback_query, refusal[:200], show_alert=True)
    elif (
        update.message is not None
        and _is_addressed(update.message, context.bot)
        and svc.access.first_refusal(update.message.chat_id)
    ):
        await send_plain(update.message, refusal, quote=_quote(update.message))
    raise ApplicationHandlerStop


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The one error handler: log unexpected exceptions and tell the user something went wrong."""
    err = context.error
    if isinstance(err, RagError):
        text = redaction.redact(str(err))  # a one-line message the user can act on
    elif update is None and isinstance(err, NetworkError):
        # Raised while polling; PTB retries by itself.
        logger.warning("Fetching updates from Telegram failed: %s (retrying)", err)
        return
    else:
        logger.error("Unexpected error while handling an update", exc_info=err)
        text = SOMETHING_WRONG
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query is not None:
            await answer_query(update.callback_query, text[:200])
        elif update.message is not None:
            await send_plain(update.message, text, quote=_quote(update.message))
    except TelegramError as exc:
        logger.warning("Could not tell the user about the error: %s", exc)


def add_handlers(application: Application) -> None:
    """Register every handler, the access gate and the error handler."""
    # Edited messages are never questions: the handlers only look at new messages (and
    # polling asks Telegram for new messages and button presses only).
    new = filters.UpdateType.MESSAGE
    application.add_handler(TypeHandler(Update, gate), group=-1)
    application.add_handler(CommandHandler(["start", "help"], cmd_help, filters=new))
    application.add_handler(CommandHandler("sources", cmd_sources, filters=new))
    application.add_handler(CommandHandler("ask", cmd_ask, filters=new))
    application.add_handler(CommandHandler("reset", cmd_reset, filters=new))
    private = new & filters.ChatType.PRIVATE
    application.add_handler(MessageHandler(private & filters.COMMAND, on_unknown_command))
    application.add_handler(MessageHandler(private & filters.TEXT, on_private_text))
    group_text = new & filters.ChatType.GROUPS & filters.TEXT & ~filters.COMMAND
    application.add_handler(MessageHandler(group_text, on_group_text))
    # Stickers, photos…, but not service messages (a pinned message, a changed timer…).
    application.add_handler(MessageHandler(private & ~filters.StatusUpdate.ALL, on_non_text))
    application.add_handler(CallbackQueryHandler(on_passages_button, pattern=CALLBACK_RE))
    application.add_handler(CallbackQueryHandler(on_unknown_button))
    application.add_error_handler(on_error)
