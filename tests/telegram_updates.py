"""Telegram updates of every type python-telegram-bot parses, and what the bot must do with them.

Rag-free test helper: :func:`build` makes one update (Bot API JSON, as Telegram would send
it) of a given :data:`KINDS` entry, from a fresh chat, with the outcome the bot owes it:

* ``reply``: at least one message, none of them an error, a refusal or "I can only read text";
* ``non_text``: exactly the "I can only read text" message;
* ``unknown_command``: exactly the "I don't know that command" message;
* ``silent``: nothing at all sent to the chat;
* ``refusal``: exactly the allowlist's refusal (the bot is private and the sender not allowed);
* ``stale``: the button press is answered "This button has expired", nothing else;
* ``refused_button``: the button press is answered with the refusal, as an alert.

:func:`update_params` draws :func:`build`'s arguments with hypothesis: any kind, generated
text, entities pointing anywhere (out of range, splitting a character), callback data of any
size.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

BOT_ID = 123456789
BOT_USERNAME = "news_rag_test_bot"
QUESTION = "What did Belarus say about talks with Poland?"

#: Ids on the allowlist (users, and groups by chat id) and ids that are not.
ALLOWED_USERS = range(10_000, 20_000)
STRANGERS = range(20_000, 30_000)
ALLOWED_GROUPS = range(-1_001_000_020_000, -1_001_000_010_000)
STRANGE_GROUPS = range(-1_001_000_030_000, -1_001_000_020_000)
ALLOWLIST = frozenset(ALLOWED_USERS) | frozenset(ALLOWED_GROUPS)

BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "News RAG (test)", "username": BOT_USERNAME}
ANONYMOUS_ADMIN = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}


@dataclass(frozen=True)
class Spec:
    """One update and what the bot owes it."""

    kind: str
    update: dict[str, Any]
    expect: str
    chat_id: int | None = None  # where replies would go
    user_id: int | None = None
    query_id: str | None = None


class Ids:
    """Fresh ids: every update comes from a chat (and user) of its own."""

    def __init__(self, start: int = 0) -> None:
        self._users = itertools.count(start)
        self._groups = itertools.count(start)
        self._messages = itertools.count(1000)
        self._queries = itertools.count(1)

    def user(self, allowed: bool) -> int:
        pool = ALLOWED_USERS if allowed else STRANGERS
        return pool[next(self._users) % len(pool)]

    def group(self, allowed: bool) -> int:
        pool = ALLOWED_GROUPS if allowed else STRANGE_GROUPS
        return pool[next(self._groups) % len(pool)]

    def message_id(self) -> int:
        return next(self._messages)

    def query_id(self) -> str:
        return f"q{time.monotonic_ns()}-{next(self._queries)}"


def user(uid: int, is_bot: bool = False) -> dict[str, Any]:
    return {"id": uid, "is_bot": is_bot, "first_name": f"U{uid}", "language_code": "en"}


def private(uid: int) -> dict[str, Any]:
    return {"id": uid, "type": "private", "first_name": f"U{uid}"}


def group(cid: int, forum: bool = False) -> dict[str, Any]:
    chat: dict[str, Any] = {"id": cid, "type": "supergroup", "title": f"G{cid}"}
    if forum:
        chat["is_forum"] = True
    return chat


def channel(cid: int) -> dict[str, Any]:
    return {"id": cid, "type": "channel", "title": f"C{cid}"}


def _file(prefix: str, **extra: Any) -> dict[str, Any]:
    return {"file_id": f"{prefix}-id", "file_unique_id": f"{prefix}-uid", **extra}


PHOTO = [_file("photo", width=90, height=90), _file("photo2", width=800, height=800)]
POLL = {
    "id": "5001",
    "question": "Which outlet?",
    "options": [
        {"text": "TASS", "voter_count": 1, "persistent_id": "o1"},
        {"text": "RT", "voter_count": 0, "persistent_id": "o2"},
    ],
    "total_voter_count": 1,
    "is_closed": False,
    "is_anonymous": True,
    "type": "regular",
    "allows_multiple_answers": False,
    "allows_revoting": False,
    "members_only": False,
}
LOCATION = {"latitude": 53.9, "longitude": 27.5667}

#: Message contents other than text: (name, fields).
MEDIA: dict[str, dict[str, Any]] = {
    "sticker": {
        "sticker": _file(
            "sticker",
            type="regular",
            width=512,
            height=512,
            is_animated=False,
            is_video=False,
            emoji="👍",
        )
    },
    "photo": {"photo": PHOTO, "caption": f"@{BOT_USERNAME} {QUESTION}"},
    "voice": {"voice": _file("voice", duration=3, mime_type="audio/ogg")},
    "audio": {"audio": _file("audio", duration=200, title="Anthem")},
    "video": {"video": _file("video", width=640, height=360, duration=5)},
    "video_note": {"video_note": _file("vnote", length=240, duration=4)},
    "animation": {"animation": _file("gif", width=320, height=240, duration=2)},
    "document": {
        "document": _file("doc", file_name="article.pdf", mime_type="application/pdf"),
        "caption": QUESTION,
    },
    "location": {"location": LOCATION},
    "venue": {"venue": {"location": LOCATION, "title": "Minsk", "address": "Praspiekt"}},
    "contact": {"contact": {"phone_number": "+375290000000", "first_name": "Ann"}},
    "poll": {"poll": POLL},
    "dice": {"dice": {"emoji": "🎲", "value": 6}},
    "game": {"game": {"title": "Quiz", "description": "A game", "photo": PHOTO}},
    "story": {"story": {"chat": {"id": -1001, "type": "channel", "title": "S"}, "id": 7}},
    "invoice": {
        "invoice": {
            "title": "T",
            "description": "D",
            "start_parameter": "s",
            "currency": "XTR",
            "total_amount": 1,
        }
    },
}

#: Service messages: (name, fields given the chat's id and a user).
SERVICE: dict[str, Callable[[int, dict[str, Any]], dict[str, Any]]] = {
    "new_chat_members": lambda cid, who: {"new_chat_members": [who, BOT_USER]},
    "left_chat_member": lambda cid, who: {"left_chat_member": who},
    "pinned_message": lambda cid, who: {
        "pinned_message": {"message_id": 1, "date": 0, "chat": private(cid)}  # inaccessible
    },
    "new_chat_title": lambda cid, who: {"new_chat_title": "Renamed"},
    "group_chat_created": lambda cid, who: {"group_chat_created": True},
    "migrate_to_chat_id": lambda cid, who: {"migrate_to_chat_id": -1009999999999},
    "auto_delete_timer": lambda cid, who: {
        "message_auto_delete_timer_changed": {"message_auto_delete_time": 86400}
    },
    "forum_topic_created": lambda cid, who: {
        "forum_topic_created": {"name": "Topic", "icon_color": 7322096}
    },
    "write_access_allowed": lambda cid, who: {"write_access_allowed": {"from_request": True}},
    "users_shared": lambda cid, who: {
        "users_shared": {"request_id": 1, "users": [{"user_id": 77}]}
    },
    "video_chat_started": lambda cid, who: {"video_chat_started": {}},
    "web_app_data": lambda cid, who: {"web_app_data": {"data": "{}", "button_text": "Open"}},
}

#: Every kind :func:`build` knows.
KINDS = (
    [
        "text",
        "text_mention_bot",
        "text_reply_to_bot",
        "text_forwarded",
        "text_no_letters",
        "text_too_long",
        "text_bad_entities",
        "text_from_bot",
        "text_anonymous_admin",
        "text_in_topic",
        "cmd_ask",
        "cmd_help",
        "cmd_start",
        "cmd_sources",
        "cmd_reset",
        "cmd_ask_addressed",
        "cmd_other_bot",
        "cmd_unknown",
    ]
    + [f"media_{name}" for name in MEDIA]
    + [f"service_{name}" for name in SERVICE]
    + [
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_forged",
        "callback_oversized",
        "callback_empty",
        "callback_game",
        "callback_inline_message",
        "callback_inaccessible_message",
        "shipping_query",
        "pre_checkout_query",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
        "message_reaction",
        "message_reaction_count",
        "purchased_paid_media",
        "managed_bot",
        "guest_message",
    ]
)

SURROGATE_SPLIT = [{"type": "mention", "offset": 1, "length": 4}]  # cuts 😀 in half
OUT_OF_RANGE = [
    {"type": "mention", "offset": 500, "length": 19},
    {"type": "bold", "offset": -3, "length": 2},
    {"type": "text_mention", "offset": 0, "length": 900, "user": user(424242)},
]


def build(
    kind: str,
    ids: Ids,
    *,
    allowed: bool,
    in_group: bool = False,
    text: str = QUESTION,
    entities: list[dict[str, Any]] | None = None,
    data: str | None = "psg:show:AAAAAAAA",
) -> Spec:
    """One update of ``kind`` from a fresh chat, and what the bot must do with it.

    ``allowed``: whether the sender (in a group: the group) is on :data:`ALLOWLIST`;
    ``in_group``: message kinds come from a supergroup instead of a private chat.
    """
    now = int(time.time())
    is_message = kind.startswith(("text", "cmd", "media", "service"))
    # In a group the group is allowed or not; its members are strangers either way.
    uid = ids.user(allowed and not (is_message and in_group))
    sender = user(uid)
    if is_message:
        chat = (
            group(ids.group(allowed), forum=kind == "text_in_topic") if in_group else private(uid)
        )
        message: dict[str, Any] = {
            "message_id": ids.message_id(),
            "from": sender,
            "chat": chat,
            "date": now,
        }
        outcome, addressed = _message(kind, message, in_group, text, entities)
        if kind == "text_from_bot":
            return Spec(kind, {"message": message}, "silent", chat["id"], uid)
        if not allowed:
            outcome = "refusal" if addressed else "silent"
        return Spec(kind, {"message": message}, outcome, chat["id"], uid)
    if kind.startswith("callback"):
        return _callback(kind, ids, uid, sender, allowed, data, now)
    update = _other(kind, ids, uid, sender, now, text)
    if kind == "edited_message" and allowed:  # a question corrected at once is answered
        return Spec(kind, update, "reply", uid, uid)
    return Spec(kind, update, "silent", None, uid)


def _message(
    kind: str,
    message: dict[str, Any],
    in_group: bool,
    text: str,
    entities: list[dict[str, Any]] | None,
) -> tuple[str, bool]:
    """Fill ``message`` for ``kind``; return (outcome if allowed, addressed to the bot)."""
    mention = f"@{BOT_USERNAME} "
    if kind.startswith("media_"):
        message.update(MEDIA[kind.removeprefix("media_")])
        caption = message.get("caption")
        if caption:  # a caption is a question, like text (in a group: when addressed)
            message["caption_entities"] = _entities(caption)
            addressed = not in_group or caption.startswith(mention)
            return ("reply" if addressed else "silent"), addressed
        return ("silent" if in_group else "non_text"), not in_group
    if kind.startswith("service_"):
        name = kind.removeprefix("service_")
        message.update(SERVICE[name](message["chat"]["id"], message["from"]))
        return "silent", not in_group
    # Text kinds: in a group only a mention, a reply to the bot or a command addresses it.
    body, addressed_in_group = {
        "text": (text, False),
        "text_mention_bot": (mention + text, True),
        "text_reply_to_bot": (text, True),
        "text_forwarded": (text, False),
        "text_no_letters": ("?! … 🙂", False),
        "text_too_long": ("word " * 900, False),
        "text_bad_entities": ("😀 " + text, False),
        "text_from_bot": (mention + text, True),
        "text_anonymous_admin": (mention + text, True),
        "text_in_topic": (mention + text, True),
        "cmd_ask": ("/ask " + text, True),
        "cmd_help": ("/help", True),
        "cmd_start": ("/start", True),
        "cmd_sources": ("/sources", True),
        "cmd_reset": ("/reset", True),
        "cmd_ask_addressed": (f"/ask@{BOT_USERNAME} {text}", True),
        "cmd_other_bot": (f"/ask@other_bot {text}", False),
        "cmd_unknown": ("/frobnicate now", True),
    }[kind]
    message["text"] = body
    found = _entities(body)
    if kind == "text_bad_entities":
        found = (entities if entities is not None else SURROGATE_SPLIT + OUT_OF_RANGE) + found
    if found:
        message["entities"] = found
    if kind == "text_reply_to_bot":
        message["reply_to_message"] = {
            "message_id": 1,
            "from": BOT_USER,
            "chat": message["chat"],
            "date": message["date"] - 60,
            "text": "An earlier answer",
        }
    if kind == "text_forwarded":
        message["forward_origin"] = {"type": "hidden_user", "date": 0, "sender_user_name": "X"}
    if kind == "text_from_bot":
        message["from"] = user(message["from"]["id"], is_bot=True)
    if kind == "text_anonymous_admin":
        message["from"] = ANONYMOUS_ADMIN
        message["sender_chat"] = message["chat"]
    if kind == "text_in_topic" and in_group:
        message["message_thread_id"] = 5
        message["is_topic_message"] = True
    if kind in ("cmd_unknown", "cmd_other_bot"):
        outcome = "silent" if in_group else "unknown_command"
    elif in_group and not addressed_in_group:
        outcome = "silent"
    else:
        outcome = "reply"
    return outcome, (addressed_in_group if in_group else True)


def _entities(text: str) -> list[dict[str, Any]]:
    """What Telegram's clients attach: a leading /command, @mentions (UTF-16 offsets)."""
    from fake_telegram import message_entities

    return message_entities(text)


def _callback(
    kind: str,
    ids: Ids,
    uid: int,
    sender: dict[str, Any],
    allowed: bool,
    data: str | None,
    now: int,
) -> Spec:
    query_id = ids.query_id()
    query: dict[str, Any] = {"id": query_id, "from": sender, "chat_instance": f"ci{uid}"}
    bot_message = {
        "message_id": ids.message_id(),
        "from": BOT_USER,
        "chat": private(uid),
        "date": now - 60,
        "text": "An answer [1]",
    }
    if kind == "callback_forged":
        query.update(message=bot_message, data=data if data is not None else "psg:show:x")
    elif kind == "callback_oversized":
        query.update(message=bot_message, data="psg:show:" + "A" * 4096)
    elif kind == "callback_empty":
        query.update(message=bot_message, data="")
    elif kind == "callback_game":
        query.update(message=bot_message, game_short_name="quiz")
    elif kind == "callback_inline_message":
        query.update(inline_message_id="AgAAAInline", data="psg:show:AAAAAAAA")
    elif kind == "callback_inaccessible_message":
        query.update(message={**bot_message, "date": 0}, data="psg:hide:AAAAAAAA")
    else:
        raise ValueError(kind)
    expect = "stale" if allowed else "refused_button"
    return Spec(kind, {"callback_query": query}, expect, uid, uid, query_id)


def _other(
    kind: str, ids: Ids, uid: int, sender: dict[str, Any], now: int, text: str
) -> dict[str, Any]:
    """Updates that are not messages to the bot or button presses: the bot stays silent."""
    chat = private(uid)
    grp = group(ids.group(False))
    chan = channel(ids.group(False))
    message = {"message_id": ids.message_id(), "from": sender, "chat": chat, "date": now}
    member = {"status": "member", "user": sender}
    change = {
        "chat": grp,
        "from": sender,
        "date": now,
        "old_chat_member": {"status": "left", "user": BOT_USER},
        "new_chat_member": {"status": "member", "user": BOT_USER},
    }
    source = {"source": "premium", "user": sender}
    business = {"business_connection_id": "bc1"}
    updates: dict[str, dict[str, Any]] = {
        "edited_message": {"edited_message": {**message, "text": text, "edit_date": now}},
        "channel_post": {
            "channel_post": {
                "message_id": ids.message_id(),
                "sender_chat": chan,
                "chat": chan,
                "date": now,
                "text": f"@{BOT_USERNAME} {text}",
            }
        },
        "edited_channel_post": {
            "edited_channel_post": {
                "message_id": ids.message_id(),
                "chat": chan,
                "date": now,
                "edit_date": now,
                "text": text,
            }
        },
        "business_connection": {
            "business_connection": {
                "id": "bc1",
                "user": sender,
                "user_chat_id": uid,
                "date": now,
                "is_enabled": True,
            }
        },
        "business_message": {"business_message": {**message, **business, "text": text}},
        "edited_business_message": {
            "edited_business_message": {**message, **business, "text": text, "edit_date": now}
        },
        "deleted_business_messages": {
            "deleted_business_messages": {**business, "chat": chat, "message_ids": [1, 2, 3]}
        },
        "inline_query": {
            "inline_query": {"id": ids.query_id(), "from": sender, "query": text, "offset": ""}
        },
        "chosen_inline_result": {
            "chosen_inline_result": {"result_id": "r1", "from": sender, "query": text}
        },
        "shipping_query": {
            "shipping_query": {
                "id": ids.query_id(),
                "from": sender,
                "invoice_payload": "p",
                "shipping_address": {
                    "country_code": "BY",
                    "state": "",
                    "city": "Minsk",
                    "street_line1": "a",
                    "street_line2": "",
                    "post_code": "220000",
                },
            }
        },
        "pre_checkout_query": {
            "pre_checkout_query": {
                "id": ids.query_id(),
                "from": sender,
                "currency": "XTR",
                "total_amount": 1,
                "invoice_payload": "p",
            }
        },
        "poll": {"poll": POLL},
        "poll_answer": {
            "poll_answer": {
                "poll_id": "5001",
                "option_ids": [0],
                "option_persistent_ids": ["o1"],
                "user": sender,
            }
        },
        "my_chat_member": {"my_chat_member": change},
        "chat_member": {
            "chat_member": {
                **change,
                "old_chat_member": member,
                "new_chat_member": {"status": "kicked", "user": sender, "until_date": 0},
            }
        },
        "chat_join_request": {
            "chat_join_request": {"chat": grp, "from": sender, "user_chat_id": uid, "date": now}
        },
        "chat_boost": {
            "chat_boost": {
                "chat": chan,
                "boost": {
                    "boost_id": "b1",
                    "add_date": now,
                    "expiration_date": now + 86400,
                    "source": source,
                },
            }
        },
        "removed_chat_boost": {
            "removed_chat_boost": {
                "chat": chan,
                "boost_id": "b1",
                "remove_date": now,
                "source": source,
            }
        },
        "message_reaction": {
            "message_reaction": {
                "chat": chat,
                "message_id": 1,
                "user": sender,
                "date": now,
                "old_reaction": [],
                "new_reaction": [{"type": "emoji", "emoji": "👍"}],
            }
        },
        "message_reaction_count": {
            "message_reaction_count": {
                "chat": grp,
                "message_id": 1,
                "date": now,
                "reactions": [{"type": {"type": "emoji", "emoji": "🔥"}, "total_count": 3}],
            }
        },
        "purchased_paid_media": {
            "purchased_paid_media": {"from": sender, "paid_media_payload": "pm"}
        },
        "managed_bot": {"managed_bot": {"user": sender, "bot": user(uid + 1, is_bot=True)}},
        "guest_message": {"guest_message": {**message, "text": text}},
    }
    return updates[kind]


# --- hypothesis --------------------------------------------------------------------------

#: Text a user might type: anything, but no "/" or "@" (which would change who it is for).
typed_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="/@"),
    max_size=120,
).map(lambda t: f"Q {t}")

entity = st.fixed_dictionaries(
    {
        "type": st.sampled_from(
            ["mention", "text_mention", "bold", "url", "hashtag", "custom_emoji", "code"]
        ),
        "offset": st.integers(-10, 300),
        "length": st.integers(0, 300),
    }
)

callback_data = st.one_of(
    st.just(""),
    st.text(max_size=64),
    st.text(min_size=65, max_size=5000),
    st.builds(lambda key: f"psg:show:{key}", st.text(max_size=20)),
    st.builds(lambda key: f"psg:hide:{key}", st.from_regex(r"[A-Za-z0-9_-]{1,16}", fullmatch=True)),
)


@st.composite
def update_params(draw: st.DrawFn) -> dict[str, Any]:
    """Keyword arguments for :func:`build` (a random kind, sender, chat, text, entities and
    callback data); the test builds the update, with fresh ids, from them."""
    return {
        "kind": draw(st.sampled_from(KINDS)),
        "allowed": draw(st.booleans()),
        "in_group": draw(st.booleans()),
        "text": draw(typed_text),
        "entities": draw(st.lists(entity, max_size=5)),
        "data": draw(callback_data),
    }
