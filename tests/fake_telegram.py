"""A fake Telegram Bot API server for the bot's tests.

It speaks the Bot API over real HTTP on 127.0.0.1 (``/bot<TOKEN>/<method>``), so the real
python-telegram-bot Application runs against it unchanged via ``TELEGRAM_API_BASE_URL``.

* ``getUpdates`` long-polls a queue the test fills (:meth:`FakeTelegram.push`), honouring
  ``offset``, ``timeout`` and ``allowed_updates`` as Telegram does.
* ``sendMessage`` / ``editMessageText`` validate HTML like Telegram (known tags only, balanced,
  only ``&lt; &gt; &amp; &quot;`` and numeric entities, no nested blockquotes) and reject
  texts over 4096 UTF-16 code units; they return realistic Message objects with entities.
* Every call is recorded (:attr:`FakeTelegram.calls`), and the next calls of a method can be
  made to fail with 429 + retry_after, a 5xx, or a dropped connection; to be slow; to time
  out (the server sleeps past the client's read timeout); or to succeed with the response
  lost (``late``, ``drop_after``: the message *was* sent, the bot cannot know it).
* Like Telegram, a button press can be answered once; ``push(..., force=True)`` delivers an
  update whatever ``allowed_updates`` says (Telegram does so for updates queued before).
* A wrong token gets 401 Unauthorized.

It runs in a background thread with the standard library's ``ThreadingHTTPServer``, so it
serves both async tests (the bot in the test's event loop) and subprocess tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlparse

TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijklmn"
BOT_ID = 123456789
BOT_USERNAME = "news_rag_test_bot"
MAX_TEXT = 4096

# Fields Telegram accepts as JSON-serialised objects in form-encoded requests.
_JSON_FIELDS = {
    "reply_markup",
    "link_preview_options",
    "entities",
    "commands",
    "allowed_updates",
    "reply_parameters",
    "scope",
}
_INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout", "message_thread_id"}
_BOOL_FIELDS = {"show_alert", "drop_pending_updates", "disable_notification"}

_TAG_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class EntityError(ValueError):
    """HTML Telegram would refuse; the message is Telegram's description."""


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def parse_telegram_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse ``source`` as Telegram's HTML parse mode does: return (text, entities).

    Raises :class:`EntityError` with a Telegram-like description for anything Telegram
    rejects. Stricter than Telegram on a bare ``&`` (which the bot must escape anyway).
    """
    text: list[str] = []
    entities: list[dict[str, Any]] = []
    stack: list[tuple[str, int, dict[str, Any]]] = []  # (tag, utf16 offset, entity)
    pos = 0
    offset = 0
    tag_re = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*)?)\s*>")
    entity_re = re.compile(r"&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]+);")
    while pos < len(source):
        char = source[pos]
        if char == "<":
            match = tag_re.match(source, pos)
            if not match:
                raise EntityError(
                    f"can't parse entities: Unexpected end of name token at byte offset "
                    f"{len(source[:pos].encode())}"
                )
            closing, name, attrs = match.group(1), match.group(2).lower(), match.group(3)
            if closing:
                if not stack or stack[-1][0] != name:
                    raise EntityError(
                        "can't parse entities: Unexpected end tag at byte offset "
                        f"{len(source[:pos].encode())}"
                    )
                _, start, entity = stack.pop()
                entity["offset"], entity["length"] = start, offset - start
                if entity["length"] > 0:
                    entities.append(entity)
            else:
                entity = _open_tag(name, attrs, source, pos)
                if name == "blockquote" and any(t == "blockquote" for t, _, _ in stack):
                    raise EntityError("can't parse entities: Blockquote entities can't be nested")
                stack.append((name, offset, entity))
            pos = match.end()
            continue
        if char == "&":
            match = entity_re.match(source, pos)
            if not match:
                raise EntityError(
                    "can't parse entities: Character '&' is reserved and must be escaped at "
                    f"byte offset {len(source[:pos].encode())}"
                )
            ref = match.group(1)
            if ref.startswith("#x"):
                value = chr(int(ref[2:], 16))
            elif ref.startswith("#"):
                value = chr(int(ref[1:]))
            elif ref in _NAMED_ENTITIES:
                value = _NAMED_ENTITIES[ref]
            else:
                raise EntityError(f'can\'t parse entities: Unsupported HTML entity "&{ref};"')
            text.append(value)
            offset += utf16_len(value)
            pos = match.end()
            continue
        text.append(char)
        offset += utf16_len(char)
        pos += 1
    if stack:
        raise EntityError(
            "can't parse entities: Can't find end tag corresponding to start tag "
            f'"{stack[-1][0]}"'
        )
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(text), entities


def _open_tag(name: str, attrs: str, source: str, pos: int) -> dict[str, Any]:
    if name not in _TAG_ENTITY:
        raise EntityError(
            f'can\'t parse entities: Unsupported start tag "{name}" at byte offset '
            f"{len(source[:pos].encode())}"
        )
    parsed = _attributes(attrs)
    entity: dict[str, Any] = {"type": _TAG_ENTITY[name]}
    if name == "a":
        if "href" not in parsed:
            raise EntityError('can\'t parse entities: Tag "a" must have attribute "href"')
        entity["url"] = parsed["href"]
    elif name == "span" and parsed.get("class") != "tg-spoiler":
        raise EntityError('can\'t parse entities: Tag "span" must have class "tg-spoiler"')
    elif name == "blockquote" and "expandable" in parsed:
        entity["type"] = "expandable_blockquote"
    elif name == "tg-emoji":
        entity["custom_emoji_id"] = parsed.get("emoji-id", "")
    return entity


def _attributes(attrs: str) -> dict[str, str | None]:
    found: dict[str, str | None] = {}

    class _Collect(HTMLParser):
        def handle_starttag(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
            found.update(attributes)

    _Collect().feed(f"<x {attrs}>")
    return found


def message_entities(text: str) -> list[dict[str, Any]]:
    """Entities Telegram's clients send with a typed message: a leading /command, @mentions."""
    entities: list[dict[str, Any]] = []
    command = re.match(r"/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command[0])})
    for match in re.finditer(r"(?<![\w/@])@[A-Za-z0-9_]{3,}", text):
        entities.append(
            {
                "type": "mention",
                "offset": utf16_len(text[: match.start()]),
                "length": utf16_len(match[0]),
            }
        )
    return entities


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    status: int = 200
    result: Any = None
    description: str = ""
    at: float = field(default_factory=time.monotonic)
    #: Processed (its effect is visible), but the response never reached the bot.
    lost: bool = False

    @property
    def ok(self) -> bool:
        return self.status == 200


#: Faults injected before the request is processed (it has no effect)...
BEFORE = {"429", "5xx", "drop", "entities", "timeout", "slow"}
#: ...and after (it took effect, then the response was delayed past the timeout, or dropped).
AFTER = {"late", "drop_after"}
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query id is invalid"


@dataclass
class _Fault:
    kind: str  # one of BEFORE | AFTER
    remaining: int
    retry_after: int = 1
    status: int = 502
    delay: float = 0.0


class FakeTelegram:
    """The fake server. Use as a context manager, or call :meth:`start` and :meth:`stop`."""

    def __init__(self, token: str = TOKEN, username: str = BOT_USERNAME) -> None:
        self.token = token
        self.bot_user = {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "News RAG (test)",
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.calls: list[Call] = []
        self.commands: list[dict[str, Any]] = []
        self.commands_by_language: dict[str, list[dict[str, Any]]] = {}
        self.user_languages: dict[int, str] = {}
        self._lock = threading.Condition()
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, Iterator[int]] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._chats: dict[int, dict[str, Any]] = {}
        self._faults: dict[str, list[_Fault]] = {}
        self._by_method_chat: dict[tuple[str, Any], list[Call]] = {}
        self._queries: set[str] = set()
        self._answered_queries: set[str] = set()
        self._forced: set[int] = set()
        self._allowed_updates: list[str] = []
        self._stopping = False
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------------

    def start(self) -> FakeTelegram:
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            self._lock.notify_all()
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The value for TELEGRAM_API_BASE_URL."""
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- what the test does --------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        count: int = 1,
        kind: str = "429",
        retry_after: int = 1,
        status: int = 502,
        delay: float = 0.0,
    ) -> None:
        """Make the next ``count`` calls of ``method`` fail.

        ``kind``: "429" (with ``retry_after``), "5xx" (with ``status``), "drop" (close the
        connection without answering), "entities" (400 "can't parse entities"), "slow" (answer
        normally after ``delay`` seconds), "timeout" (sleep ``delay`` seconds, then drop the
        connection, unprocessed), "late" (process, then answer after ``delay`` seconds) or
        "drop_after" (process, then drop the connection).

        For getUpdates a fault waits for a call that has updates to return, so it hits the
        batch carrying them (which stays unconfirmed, as on Telegram).
        """
        if kind not in BEFORE | AFTER:
            raise ValueError(f"unknown fault {kind!r}")
        with self._lock:
            self._faults.setdefault(method, []).append(
                _Fault(kind, count, retry_after, status, delay)
            )

    def clear_faults(self, method: str | None = None) -> None:
        """Telegram is back: no more injected faults (for ``method``, or for every method)."""
        with self._lock:
            if method is None:
                self._faults.clear()
            else:
                self._faults.pop(method, None)

    def private_chat(self, user_id: int, first_name: str = "Ann") -> dict[str, Any]:
        chat = {"id": user_id, "type": "private", "first_name": first_name}
        self._chats[user_id] = chat
        return chat

    def group_chat(self, chat_id: int, title: str = "News club") -> dict[str, Any]:
        chat = {"id": chat_id, "type": "supergroup", "title": title}
        self._chats[chat_id] = chat
        return chat

    def user(self, user_id: int, first_name: str = "Ann") -> dict[str, Any]:
        language = self.user_languages.get(user_id, "en")  # the person's app language
        return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": language}

    def push_message(
        self,
        chat: dict[str, Any],
        user_id: int,
        text: str | None = None,
        *,
        reply_to: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
        edited: bool = False,
    ) -> dict[str, Any]:
        """Queue a message (or an edit, when ``edited``) from a user; return the Message."""
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat["id"]),
            "from": self.user(user_id),
            "chat": chat,
            "date": int(time.time()),
        }
        if text is not None:
            message["text"] = text
            entities = message_entities(text)
            if entities:
                message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        if extra:
            message.update(extra)
        if edited:
            message["edit_date"] = int(time.time())
        self._messages[(chat["id"], message["message_id"])] = message
        self.push({"edited_message" if edited else "message": message})
        return message

    def push_sticker(self, chat: dict[str, Any], user_id: int) -> dict[str, Any]:
        sticker = {
            "file_id": "CAACAgIAAxkBAAEBfake",
            "file_unique_id": "AgADfake",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
        return self.push_message(chat, user_id, None, extra={"sticker": sticker})

    def push_callback(self, message: dict[str, Any], user_id: int, data: str) -> str:
        """Queue a button press on ``message`` (as the bot last left it); return the query id."""
        query_id = f"cbq{next(self._update_ids)}"
        current = self.message(message["chat"]["id"], message["message_id"]) or message
        self.push(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self.user(user_id),
                    "message": current,
                    "chat_instance": f"ci{message['chat']['id']}",
                    "data": data,
                }
            }
        )
        return query_id

    def push(self, update: dict[str, Any], *, force: bool = False) -> int:
        """Queue a raw update; return its update_id.

        ``force``: deliver it even if the bot's ``allowed_updates`` leave its type out.
        """
        with self._lock:
            update = {"update_id": next(self._update_ids), **update}
            self._updates.append(update)
            if force:
                self._forced.add(update["update_id"])
            query = update.get("callback_query")
            if isinstance(query, dict) and query.get("id"):
                self._queries.add(str(query["id"]))
            for chat in _chats_in(update):  # Telegram knows every chat an update comes from
                self._chats.setdefault(chat["id"], chat)
            self._lock.notify_all()
            return update["update_id"]

    def delete_message(self, chat_id: int, message_id: int) -> None:
        """The user deletes a message in their chat (later edits of it fail, as on Telegram)."""
        with self._lock:
            self._messages.pop((chat_id, message_id), None)

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """A message as it currently stands (after edits)."""
        return self._messages.get((chat_id, message_id))

    # --- what the test checks ------------------------------------------------------------

    def calls_of(
        self, method: str, chat_id: int | None = None, ok: bool | None = True
    ) -> list[Call]:
        with self._lock:
            if chat_id is not None:
                calls = list(self._by_method_chat.get((method, chat_id), ()))
            else:
                calls = list(self.calls)
        return [
            c
            for c in calls
            if c.method == method
            and (chat_id is None or c.params.get("chat_id") == chat_id)
            and (ok is None or c.ok == ok)
        ]

    def sent(self, chat_id: int) -> list[dict[str, Any]]:
        """Messages the bot sent to a chat, as they stand now (after edits, without deleted
        ones), in order."""
        keys = [(chat_id, c.result["message_id"]) for c in self.calls_of("sendMessage", chat_id)]
        return [self._messages[key] for key in keys if key in self._messages]

    def confirmed(self, update_id: int) -> bool:
        """Whether the bot has fetched and acknowledged an update (a later offset was sent)."""
        return any((c.params.get("offset") or 0) > update_id for c in self.calls_of("getUpdates"))

    def wait_until(
        self, condition: Callable[[], Any], timeout: float = 15.0, what: str = "condition"
    ) -> Any:
        """:meth:`wait_for` for a test not running in an event loop (the bot runs in a thread)."""
        deadline = time.monotonic() + timeout
        while not (value := self._met(condition, deadline, what)):
            time.sleep(0.01)
        return value

    async def wait_for(
        self, condition: Callable[[], Any], timeout: float = 15.0, what: str = "condition"
    ) -> Any:
        """Poll ``condition`` (from an async test) until it is truthy; fail after ``timeout``."""
        deadline = time.monotonic() + timeout
        while not (value := self._met(condition, deadline, what)):
            await asyncio.sleep(0.02)
        return value

    def _met(self, condition: Callable[[], Any], deadline: float, what: str) -> Any:
        """One poll of a wait: ``condition()``, or an AssertionError (with the last calls the
        server saw) once ``deadline`` has passed."""
        value = condition()
        if not value and time.monotonic() > deadline:
            summary = [(c.method, c.status, c.params.get("chat_id")) for c in self.calls]
            raise AssertionError(f"timed out waiting for {what}; calls: {summary[-30:]}")
        return value

    async def wait_sent(self, chat_id: int, count: int = 1, timeout: float = 15.0) -> list[dict]:
        """Wait until the bot has sent at least ``count`` messages to ``chat_id``."""
        await self.wait_for(
            lambda: len(self.sent(chat_id)) >= count, timeout, f"{count} message(s) to {chat_id}"
        )
        return self.sent(chat_id)

    async def settle(self, update_id: int, seconds: float = 0.5) -> None:
        """Wait until ``update_id`` was fetched and acknowledged, then a little longer."""
        await self.wait_for(lambda: self.confirmed(update_id), what=f"ack of update {update_id}")
        await asyncio.sleep(seconds)

    # --- the server side -----------------------------------------------------------------

    def _next_message_id(self, chat_id: int) -> int:
        counter = self._message_ids.setdefault(chat_id, itertools.count(1))
        return next(counter)

    def _take_fault(self, method: str, kinds: set[str] = BEFORE | AFTER) -> _Fault | None:
        with self._lock:
            faults = self._faults.get(method) or []
            while faults and faults[0].remaining <= 0:
                faults.pop(0)
            if not faults or faults[0].kind not in kinds:
                return None
            faults[0].remaining -= 1
            return faults[0]

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)
            key = (call.method, call.params.get("chat_id"))
            self._by_method_chat.setdefault(key, []).append(call)

    def handle(self, token: str, method: str, params: dict[str, Any]) -> tuple[int, dict] | None:
        """Serve one request. Returns (status, body), or None to drop the connection."""
        call = Call(method, params)
        fault: _Fault | None = None
        if token != self.token:
            status, body = 401, _error(401, "Unauthorized")
        else:
            if method == "getUpdates":
                # Fetch first: a fault hits a batch of updates (which stays unconfirmed).
                status, body = self._dispatch(method, params)
                fault = self._take_fault(method) if body.get("result") else None
            else:
                fault = self._take_fault(method, BEFORE)
            if fault and fault.kind in ("drop", "timeout"):
                call.status = 0
                call.description = "connection dropped" if fault.kind == "drop" else "timed out"
                self._record(call)
                if fault.kind == "timeout":
                    time.sleep(fault.delay)  # the bot gives up waiting, then the line drops
                return None
            if fault and fault.kind == "slow":
                time.sleep(fault.delay)
            if fault and fault.kind == "429":
                status = 429
                body = _error(429, f"Too Many Requests: retry after {fault.retry_after}")
                body["parameters"] = {"retry_after": fault.retry_after}
            elif fault and fault.kind == "entities":
                status = 400
                body = _error(400, "Bad Request: can't parse entities: Unsupported start tag")
            elif fault and fault.kind == "5xx":
                status, body = fault.status, _error(fault.status, "Bad Gateway")
            elif method != "getUpdates":
                status, body = self._dispatch(method, params)
                fault = self._take_fault(method, AFTER) if status == 200 else None
        call.status = status
        call.result = body.get("result")
        call.description = body.get("description", "")
        call.lost = bool(fault and fault.kind in AFTER)
        self._record(call)
        if fault and fault.kind == "drop_after":
            return None
        if fault and fault.kind == "late":
            time.sleep(fault.delay)  # the bot has given up waiting: the response is lost
        return status, body

    def _dispatch(self, method: str, params: dict[str, Any]) -> tuple[int, dict]:
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return 404, _error(404, "Not Found")
        try:
            return 200, {"ok": True, "result": handler(params)}
        except _ApiError as err:
            return err.status, _error(err.status, err.description)

    def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user

    def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        return True

    def _api_close(self, params: dict[str, Any]) -> bool:
        return True

    def _api_logOut(self, params: dict[str, Any]) -> bool:
        return True

    def _api_setMyCommands(self, params: dict[str, Any]) -> bool:
        # As the real API: one menu per language_code ("" for everyone else).
        commands = list(params.get("commands") or [])
        self.commands_by_language[params.get("language_code") or ""] = commands
        if not params.get("language_code"):
            self.commands = commands
        return True

    def _api_getMyCommands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.commands_by_language.get(params.get("language_code") or "", [])

    def _api_sendChatAction(self, params: dict[str, Any]) -> bool:
        self._chat(params)
        return True

    def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if len(params.get("text") or "") > 200:
            raise _ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        with self._lock:
            # Telegram: a press is answered once; an unknown id is "too old" as well.
            if query_id not in self._queries or query_id in self._answered_queries:
                raise _ApiError(400, QUERY_TOO_OLD)
            self._answered_queries.add(query_id)
        return True

    def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + timeout
        with self._lock:
            if "allowed_updates" in params and params["allowed_updates"] is not None:
                self._allowed_updates = list(params["allowed_updates"])
            while True:
                if offset:
                    # Telegram forgets every update below the offset: they are confirmed.
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                if self._allowed_updates:
                    # ...and never delivers update types the bot did not ask for (but those
                    # queued before it asked, which tests push with force=True).
                    self._updates = [
                        u
                        for u in self._updates
                        if u["update_id"] in self._forced
                        or any(k in u for k in self._allowed_updates)
                    ]
                if self._updates or self._stopping:
                    return self._updates[:limit]
                left = deadline - time.monotonic()
                if left <= 0:
                    return []
                self._lock.wait(left)

    def _chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int):
            raise _ApiError(400, "Bad Request: chat not found")
        if chat_id not in self._chats:
            if chat_id < 0:
                raise _ApiError(400, "Bad Request: chat not found")
            self.private_chat(chat_id)
        return self._chats[chat_id]

    def _render(self, params: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        source = params.get("text")
        if not isinstance(source, str):
            raise _ApiError(400, "Bad Request: message text is empty")
        if (params.get("parse_mode") or "").lower() == "html":
            try:
                text, entities = parse_telegram_html(source)
            except EntityError as err:
                raise _ApiError(400, f"Bad Request: {err}") from None
        elif params.get("parse_mode"):
            raise _ApiError(400, "Bad Request: unsupported parse_mode in this fake")
        else:
            text, entities = source, list(params.get("entities") or [])
        if not text.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if utf16_len(text) > MAX_TEXT:
            raise _ApiError(400, "Bad Request: message is too long")
        return text, entities

    def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        text, entities = self._render(params)
        message: dict[str, Any] = {
            "message_id": 0,
            "from": self.bot_user,
            "chat": chat,
            "date": int(time.time()),
            "text": text,
        }
        if entities:
            message["entities"] = entities
        reply = params.get("reply_parameters") or {}
        if reply:
            replied = self.message(chat["id"], int(reply.get("message_id", 0)))
            if replied is None and not reply.get("allow_sending_without_reply"):
                raise _ApiError(400, "Bad Request: message to be replied not found")
            if replied is not None:
                message["reply_to_message"] = replied
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        with self._lock:
            message["message_id"] = self._next_message_id(chat["id"])
            self._messages[(chat["id"], message["message_id"])] = message
        return message

    def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        current = self.message(chat["id"], int(params.get("message_id") or 0))
        if current is None or current["from"]["id"] != BOT_ID:
            raise _ApiError(400, "Bad Request: message to edit not found")
        text, entities = self._render(params)
        markup = params.get("reply_markup")
        if (
            text == current.get("text")
            and entities == current.get("entities", [])
            and markup == current.get("reply_markup")
        ):
            raise _ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup "
                "of the message",
            )
        edited = {**current, "text": text, "edit_date": int(time.time())}
        edited.pop("entities", None)
        edited.pop("reply_markup", None)
        if entities:
            edited["entities"] = entities
        if markup:
            edited["reply_markup"] = markup
        with self._lock:
            self._messages[(chat["id"], current["message_id"])] = edited
        return edited


def _chats_in(value: Any) -> Iterator[dict[str, Any]]:
    """Every Chat object inside an update."""
    if isinstance(value, dict):
        chat = value.get("chat")
        if isinstance(chat, dict) and isinstance(chat.get("id"), int) and "type" in chat:
            yield chat
        for item in value.values():
            yield from _chats_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _chats_in(item)


class _ApiError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


def _error(code: int, description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": code, "description": description}


def _decode(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name in _JSON_FIELDS:
        return json.loads(value)
    if name in _INT_FIELDS:
        try:
            return int(value)
        except ValueError:
            return value
    if name in _BOOL_FIELDS:
        return value.lower() == "true"
    return value


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # The bot closing a connection (after a timeout, or on shutdown) is not an error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server_fake: FakeTelegram
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        url = urlparse(self.path)
        match = re.fullmatch(r"/bot([^/]+)/([A-Za-z]+)", url.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not match:
            self._reply(404, _error(404, "Not Found"))
            return
        params: dict[str, Any] = dict(parse_qsl(url.query))
        ctype = self.headers.get("Content-Type", "")
        if raw and ctype.startswith("application/json"):
            params.update(json.loads(raw))
        elif raw and ctype.startswith("application/x-www-form-urlencoded"):
            params.update(parse_qsl(raw.decode(), keep_blank_values=True))
        elif raw:
            self._reply(400, _error(400, f"Bad Request: unsupported content type {ctype}"))
            return
        params = {k: _decode(k, v) for k, v in params.items()}
        outcome = self.server_fake.handle(match.group(1), match.group(2), params)
        if outcome is None:
            # Drop the connection without answering, like a crashed proxy.
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._reply(*outcome)

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        payload = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
