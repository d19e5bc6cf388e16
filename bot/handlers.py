"""Telegram update handlers: thin glue between PTB and :class:`rag.pipeline.Pipeline`.

The bot never retrieves or composes anything itself: it asks the pipeline (in a worker
thread, since ``Pipeline.ask`` blocks) and formats the :class:`rag.types.Answer` it returns.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

from telegram import (
    Bot,
    BotCommand,
    CallbackQuery,
    Chat,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ParseMode
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

from bot import formatting, redaction
from bot.access import (
    REFUSAL,
    REFUSAL_ALERT,
    AccessPolicy,
    alert_text,
    queue_full_text,
    queued_text,
)
from bot.activity import ChatActivity
from bot.addressing import topic_of
from bot.buttons import CALLBACK_RE, SHOW, passages_keyboard
from bot.delivery import Outbox, entity_error, not_modified
from bot.queueing import Admission, QuestionQueue
from bot.store import BotStore, Outgoing
from bot.streaming import AnswerDraft
from rag.config import Settings
from rag.errors import RagError
from rag.i18n import DEFAULT_LANGUAGE, language_or_default, message
from rag.smalltalk import small_talk_intent
from rag.types import Answer, ArticleInfo, SearchFilters, Turn

logger = logging.getLogger(__name__)


def commands(lang: str = DEFAULT_LANGUAGE) -> list[BotCommand]:
    """The command menu in `lang` (Telegram shows each user the one for their app language)."""
    return [
        BotCommand(name, message(f"bot.command.{name}", lang))
        for name in ("ask", "sources", "reset", "help")
    ]


COMMANDS = commands()

# The English texts (tests and logs refer to them); users get theirs via `user_language`.
SOMETHING_WRONG = message("bot.something_wrong", DEFAULT_LANGUAGE)
STALE_BUTTON = message("bot.stale_button", DEFAULT_LANGUAGE)
NON_TEXT = message("bot.non_text", DEFAULT_LANGUAGE)
UNKNOWN_COMMAND = message("bot.unknown_command", DEFAULT_LANGUAGE)
RESTARTED = (
    "Sorry: I was restarted before your question's turn came, so I did not answer it. "
    "Please send it again."
)
RESET_DONE = message("bot.reset_done", DEFAULT_LANGUAGE)
ANSWER_CUT_OFF = "(This answer was cut off.)"

UNKNOWN_GROUP_COMMAND = (
    "I don't know that command. Try /help@{bot} to see what I can do, or ask with "
    "/ask@{bot} your question."
)
#: Transient failures (5xx, dropped connections, timeouts) of a button's edit or answer are
#: retried this many times (messages to a chat go through the outbox, which retries longer).
SEND_RETRIES = 3
#: An edited question is answered again (by editing the reply) within this many seconds.
EDIT_WINDOW = 300

T = TypeVar("T")


def user_language(update: Update) -> str:
    """The language of the person's Telegram app, if the catalogs have it (else English).

    Used for what the bot says unprompted (/start, /help, hints); an answer follows the
    language of its question instead.
    """
    user = update.effective_user
    return language_or_default(user.language_code if user else None)


def catalog_text(key: str, update: Update) -> str:
    """The catalog message `key` in the person's language (rag/messages)."""
    return message(key, user_language(update))


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
    """Everything the handlers share, kept in ``application.bot_data``."""

    settings: Settings
    access: AccessPolicy
    queue: QuestionQueue
    store: BotStore
    outbox: Outbox
    activity: ChatActivity
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


def message_text(message: Message) -> str:
    """What the user wrote: the text, or the caption of a photo, a document…"""
    return message.text or message.caption or ""


def group_question(message: Message, bot: Bot) -> str | None:
    """The question in a group message addressed to the bot, else None.

    A message (or a caption) is addressed to the bot when it mentions ``@botname`` (the
    mention is removed from the question) or replies to one of the bot's messages.
    """
    text = message_text(message)
    username = (bot.username or "").casefold()
    mentioned = False
    for entity in message.entities or message.caption_entities:
        if entity.type == MessageEntity.MENTION:
            mentioned = mentioned or entity_text(text, entity).casefold() == f"@{username}"
        elif entity.type == MessageEntity.TEXT_MENTION:
            # A link to the bot's profile, for bots without a username.
            mentioned = mentioned or (entity.user is not None and entity.user.id == bot.id)
    if not (mentioned or replies_to_bot(message, bot)):
        return None
    return strip_mention(text, bot.username or "")


def replies_to_bot(message: Message, bot: Bot) -> bool:
    """Whether ``message`` is a reply to one of the bot's messages."""
    replied = message.reply_to_message
    return bool(replied and replied.from_user and replied.from_user.id == bot.id)


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


def command_target(text: str) -> str:
    """The bot a ``/command@botname`` is meant for ("" when it names none)."""
    return text.split(maxsplit=1)[0].partition("@")[2] if text.startswith("/") else ""


def _is_addressed(message: Message, bot: Bot) -> bool:
    if message.chat.type == Chat.PRIVATE:
        return True
    text = message_text(message)
    if text.startswith("/"):
        target = command_target(text)
        return not target or target.casefold() == (bot.username or "").casefold()
    return group_question(message, bot) is not None


# --- sending ---------------------------------------------------------------------------------


async def _retrying(call: Callable[[], Awaitable[T]]) -> T:
    """Run a Bot API call on a button (its answer, an edit of its message), retrying
    transient failures: 5xx answers, dropped connections and timeouts (429s are retried by
    PTB's AIORateLimiter; a bad request is final). Both are safe to repeat: a press is
    answered once (a repeat gets "query is too old"), and an edit that had landed gets
    "message is not modified", taken as success."""
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
    """Answer a button press: stops its spinner (and shows ``text``, cut to Telegram's 200
    characters).

    Best effort: a press that cannot be answered must not stop the work it asked for. A
    repeat after a lost response gets "query is too old" from Telegram, which is fine.
    """
    shown = alert_text(text) if text else text
    try:
        await _retrying(lambda: query.answer(shown, show_alert=show_alert))
    except TelegramError as err:
        logger.warning("Could not answer a button press: %s", err)


def outgoing(
    message: Message, text: str, *, quote: bool = False, edit_id: int | None = None
) -> Outgoing:
    """An HTML message for ``message``'s chat and topic (with ``quote``, replying to it)."""
    return Outgoing(
        chat_id=message.chat_id,
        text=text,
        thread_id=topic_of(message),
        reply_to=message.message_id if quote else None,
        edit_id=edit_id,
    )


async def send_html(
    context: ContextTypes.DEFAULT_TYPE,
    message: Message,
    texts: str | Sequence[str],
    *,
    quote: bool = False,
) -> bool:
    """Send HTML ``texts`` (one message each, in order) to ``message``'s chat and topic, the
    first optionally replying to it, through the outbox (see :mod:`bot.delivery`): retried
    until Telegram takes them, plain text if it refuses the markup. False if given up."""
    texts = [texts] if isinstance(texts, str) else list(texts)
    items = [outgoing(message, t, quote=quote and i == 0) for i, t in enumerate(texts)]
    return await services(context).outbox.send(items)


async def send_plain(
    context: ContextTypes.DEFAULT_TYPE, message: Message, text: str, *, quote: bool = False
) -> bool:
    """Send ``text`` exactly as written (escaped, so no character is markup), cut to
    Telegram's 4096 characters."""
    return await send_html(context, message, formatting.esc(clip(text)), quote=quote)


def clip(text: str, limit: int = formatting.MAX_MESSAGE) -> str:
    """``text`` shortened (with "…") to at most ``limit`` characters as Telegram counts them
    (UTF-16 code units)."""
    if len(text.encode("utf-16-le")) // 2 <= limit:
        return text
    units = text.encode("utf-16-le")[: 2 * (limit - 1)]
    return units.decode("utf-16-le", errors="ignore") + formatting.ELLIPSIS


async def edit_html(
    target: Message, text: str, *, reply_markup: InlineKeyboardMarkup | None = None
) -> Message:
    """Replace the text of the bot's message ``target`` with HTML ``text`` (a button press).

    Editing to the same content counts as done (a repeated press, or a retried edit that had
    landed); should Telegram reject the markup, the text is put in as plain text. Any other
    refusal (e.g. the message was deleted) is raised as :class:`BadRequest`.
    """
    try:
        await _retrying(
            lambda: target.edit_text(text, parse_mode=ParseMode.HTML, reply_markup=reply_markup)
        )
    except BadRequest as err:
        if not_modified(err):
            return target
        if not entity_error(err):
            raise
        logger.warning("Telegram refused our HTML (%s); editing as plain text", err.message)
        plain = formatting.telegram_html_as_plain(text)
        await _retrying(lambda: target.edit_text(plain, parse_mode=None, reply_markup=reply_markup))
    return target


def _quote(message: Message) -> bool:
    # In groups the answer replies to the question so it is clear whom it answers.
    return message.chat.type != Chat.PRIVATE


async def replace_draft(draft: Message, text: str) -> Message | None:
    """Turn the draft into ``text``; None when it cannot be edited (deleted meanwhile)."""
    try:
        return await edit_html(draft, text)
    except BadRequest as err:
        logger.info("Could not edit the answer draft (%s)", err.message)
        return None


# --- the question flow ----------------------------------------------------------------------


async def answer_question(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    question: str,
    *,
    reply_id: int | None = None,
) -> None:
    """Queue the question in its person's lane (rate limit), then answer it.

    ``reply_id``: the bot's earlier reply to this (edited) question, edited into the new
    answer instead of sending another.
    """
    message = update.effective_message
    if message is None:
        return
    svc = services(context)
    user = update.effective_user
    key = (message.chat_id, user.id if user else 0)  # limits are per person per chat
    # Small talk ("hi", "thanks") takes no slot: what it is answered is the pipeline's call.
    ticket = svc.queue.admit(key, counted=small_talk_intent(question) is None)
    quote = _quote(message)
    if ticket.admission is Admission.REFUSED:
        await send_plain(context, message, queue_full_text(svc.queue.bound), quote=quote)
    if ticket.admission in (Admission.REFUSED, Admission.REFUSED_AGAIN):
        return
    if ticket.admission is Admission.QUEUED:
        text = queued_text(ticket.wait, svc.settings.telegram_rate_limit)
        await send_plain(context, message, text, quote=quote)
    # "typing…" while the question waits for its turn and while it is answered.
    typing = svc.activity.busy(message.chat_id, topic_of(message))
    async with typing, svc.queue.turn(ticket) as go:
        if go:
            await _answer_now(context, message, question, reply_id=reply_id)
        else:  # the bot is stopping: say so after its next start (the outbox is on disk)
            note = outgoing(message, formatting.esc(RESTARTED), quote=quote)
            svc.store.enqueue([note], svc.outbox.deadline())


async def _answer_now(
    context: ContextTypes.DEFAULT_TYPE, message: Message, question: str, *, reply_id: int | None
) -> None:
    """Ask the pipeline with the chat's history; store the turn, the button's passages and
    the answer's messages in one transaction, then deliver them."""
    svc = services(context)
    max_turns = svc.settings.telegram_history_turns
    edited = message.edit_date is not None  # its earlier turn is replaced, not followed up
    without = message.message_id if edited else None
    turns = svc.store.history(message.chat_id, max_turns, without=without) if max_turns else []
    pipeline = _pipeline(context)
    interval = svc.settings.telegram_stream_interval
    quote = _quote(message)
    # A model's answer is shown as it is written (edited into place); 0 turns that off. A
    # re-answered question is edited into its earlier reply instead.
    draft = None
    if interval and reply_id is None:
        draft = AnswerDraft(message, interval=interval, quote=quote)
    try:
        # Pipeline.ask is blocking and CPU-bound: a worker thread keeps other chats going.
        answer = await asyncio.to_thread(
            pipeline.ask, question, history=turns, on_token=draft.feed if draft else None
        )
    except RagError as err:  # includes InvalidQuestion (empty, too long): its own message
        shown = await draft.close() if draft else None
        text = formatting.esc(clip(redaction.redact(str(err))))
        target = shown.message_id if shown else reply_id
        await svc.outbox.send([outgoing(message, text, quote=quote, edit_id=target)])
        return
    except Exception:
        shown = await draft.close() if draft else None
        if shown is not None:  # the error handler says what happened; drop the half answer
            await replace_draft(shown, formatting.esc(ANSWER_CUT_OFF))
        raise
    shown = await draft.close() if draft else None
    layout = formatting.layout_answer(answer, show_query=svc.settings.telegram_show_query)
    first_edit = shown.message_id if shown else reply_id
    items = [
        outgoing(message, text, quote=quote and i == 0, edit_id=first_edit if i == 0 else None)
        for i, text in enumerate(layout.messages)
    ]
    items[0] = replace(items[0], question_id=message.message_id)
    batch = svc.store.record_answer(
        chat_id=message.chat_id,
        turn=(question, answer.answer),
        question_id=message.message_id,
        max_turns=max_turns,
        button=(layout.head, layout.sources) if layout.sources else None,
        messages=items,
        deadline=svc.outbox.deadline(),
    )
    await svc.outbox.wait(batch, items)


async def on_private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In a private chat any text, or caption, is a question."""
    if update.message:
        await answer_question(update, context, message_text(update.message))


async def on_group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In a group only messages (or captions) that mention the bot or reply to it are
    questions."""
    message = update.message
    if message is None:
        return
    question = group_question(message, context.bot)
    if question is not None:
        await answer_question(update, context, question)


async def on_edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A question edited within :data:`EDIT_WINDOW` (a corrected typo) is answered again, by
    editing the bot's reply to it; older edits are ignored."""
    message = update.edited_message
    if message is None or message.edit_date is None:
        return
    if (message.edit_date - message.date).total_seconds() > EDIT_WINDOW:
        return
    text = message_text(message)
    if text.startswith("/"):
        target = command_target(text).casefold()
        mine = not target or target == (context.bot.username or "").casefold()
        command = text.split(maxsplit=1)[0].partition("@")[0]
        question = command_argument(text) if command == "/ask" and mine else None
    elif message.chat.type == Chat.PRIVATE:
        question = text
    else:
        question = group_question(message, context.bot)
    if question is None:
        return
    reply_id = services(context).store.reply_to_question(message.chat_id, message.message_id)
    await answer_question(update, context, question, reply_id=reply_id)


async def on_ask_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ask QUESTION, in any chat."""
    if update.message:
        await answer_question(update, context, command_argument(update.message.text or ""))


async def cmd_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start and /help: what the bot knows (from ``Pipeline.sources``) and how to ask."""
    message = update.effective_message
    if message is None:
        return
    articles = await asyncio.to_thread(_pipeline(context).sources)
    text = formatting.help_text(articles, context.bot.username or "", user_language(update))
    await send_html(context, message, text, quote=_quote(message))


async def cmd_sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/sources: the indexed articles by outlet and date."""
    message = update.effective_message
    if message is None:
        return
    articles = await asyncio.to_thread(_pipeline(context).sources)
    pages = formatting.split_blocks(formatting.sources_blocks(articles))
    await send_html(context, message, pages, quote=_quote(message))


async def cmd_reset(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reset: forget this chat's conversation (shown answers keep their buttons)."""
    message = update.effective_message
    if message is None:
        return
    services(context).store.forget(message.chat_id)
    text = catalog_text("bot.reset_done", update)
    await send_plain(context, message, text, quote=_quote(message))


async def on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command the bot does not have: a hint in a private chat, and in a group when the
    command names the bot (``/unknown@botname``) or replies to it."""
    message = update.message
    if message is None:
        return
    if message.chat.type == Chat.PRIVATE:
        await send_plain(context, message, catalog_text("bot.unknown_command", update))
        return
    username = context.bot.username or ""
    named = command_target(message_text(message)).casefold() == username.casefold()
    if username and (named or replies_to_bot(message, context.bot)):
        text = UNKNOWN_GROUP_COMMAND.format(bot=username)
        await send_plain(context, message, text, quote=True)


async def on_non_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos without a caption, voice… in a private chat: say what works instead."""
    if update.message:
        await send_plain(context, update.message, catalog_text("bot.non_text", update))


async def on_migration(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A group became a supergroup (a new chat id): its memory and buttons move with it.

    Telegram posts a service message in both chats; moving is idempotent.
    """
    message = update.message
    if message is None:
        return
    if message.migrate_to_chat_id:
        old, new = message.chat_id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, message.chat_id
    else:
        return
    svc = services(context)
    svc.store.migrate_chat(old, new)
    allowed = svc.access.allowed_ids
    if allowed and old in allowed and new not in allowed:
        logger.warning(
            "Group %s is now supergroup %s: add %s to TELEGRAM_ALLOWED_IDS to keep it allowed",
            old,
            new,
            new,
        )


# --- the "Show passages" button -------------------------------------------------------------


async def on_passages_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Toggle an answer's passages: re-render the message the button sits under."""
    query = update.callback_query
    if query is None:
        return
    match = CALLBACK_RE.match(query.data or "")
    message = query.message
    stored = None
    if match and message is not None:
        stored = services(context).store.load_answer(message.chat.id, match.group(2))
    if (
        match is None
        or stored is None
        or message is None
        or not message.is_accessible  # Telegram quirk: messages older than 48 h are not
        or stored.message_id != message.message_id  # a key replayed on another message
    ):
        await answer_query(query, catalog_text("bot.stale_button", update))
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
        await answer_query(update.callback_query, catalog_text("bot.stale_button", update))


# --- access control and errors ---------------------------------------------------------------


async def gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before every handler (group -1): stop updates from people not on the allowlist.

    A refused user gets one polite refusal per chat (and a refusal on every button press,
    ids first, as an alert holds 200 characters), never any corpus content; group messages
    not addressed to the bot are dropped silently.
    """
    svc = services(context)
    user, chat = update.effective_user, update.effective_chat
    message = update.message or update.edited_message  # not a button's: that is the bot's
    if message and message.from_user and message.from_user.is_bot and not message.sender_chat:
        # Another bot (anonymous admins and channels post as placeholder bots, with a
        # sender_chat): never answer, so two bots cannot talk to each other forever.
        raise ApplicationHandlerStop
    if svc.access.allows(user.id if user else None, chat.id if chat else None):
        return
    ids = {"user": user.id if user else "?", "chat": chat.id if chat else "?"}
    if update.callback_query is not None:
        await answer_query(update.callback_query, REFUSAL_ALERT.format(**ids), show_alert=True)
    elif (
        update.message is not None
        and _is_addressed(update.message, context.bot)
        and svc.access.first_refusal(update.message.chat_id)
    ):
        await send_plain(
            context, update.message, REFUSAL.format(**ids), quote=_quote(update.message)
        )
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
    if text == SOMETHING_WRONG:
        text = catalog_text("bot.something_wrong", update)
    try:
        if update.callback_query is not None:
            await answer_query(update.callback_query, text)
        elif update.effective_message is not None:
            message = update.effective_message
            await send_plain(context, message, text, quote=_quote(message))
    except TelegramError as exc:
        logger.warning("Could not tell the user about the error: %s", exc)


def add_handlers(application: Application) -> None:
    """Register every handler, the access gate and the error handler."""
    new = filters.UpdateType.MESSAGE
    application.add_handler(TypeHandler(Update, gate), group=-1)
    application.add_handler(CommandHandler(["start", "help"], cmd_help, filters=new))
    application.add_handler(CommandHandler("sources", cmd_sources, filters=new))
    application.add_handler(CommandHandler("ask", on_ask_command, filters=new))
    application.add_handler(CommandHandler("reset", cmd_reset, filters=new))
    application.add_handler(MessageHandler(new & filters.COMMAND, on_unknown_command))
    written = filters.TEXT | filters.CAPTION
    private = new & filters.ChatType.PRIVATE
    application.add_handler(MessageHandler(private & written, on_private_text))
    group_text = new & filters.ChatType.GROUPS & written
    application.add_handler(MessageHandler(group_text, on_group_text))
    application.add_handler(MessageHandler(new & filters.StatusUpdate.MIGRATE, on_migration))
    # Stickers, photos…, but not service messages (a pinned message, a changed timer…).
    application.add_handler(MessageHandler(private & ~filters.StatusUpdate.ALL, on_non_text))
    edited = filters.UpdateType.EDITED_MESSAGE & written
    application.add_handler(MessageHandler(edited, on_edited))
    application.add_handler(CallbackQueryHandler(on_passages_button, pattern=CALLBACK_RE))
    application.add_handler(CallbackQueryHandler(on_unknown_button))
    application.add_error_handler(on_error)
