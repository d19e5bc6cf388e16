"""The "Show passages" / "Hide passages" toggle under an answer."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

SHOW, HIDE = "show", "hide"
CALLBACK_RE = re.compile(r"^psg:(show|hide):([A-Za-z0-9_-]{1,16})$")


def passages_keyboard(key: str, *, expanded: bool) -> InlineKeyboardMarkup:
    """The toggle. Callback data is ``psg:show|hide:<key>``, well under Telegram's 64 bytes."""
    label, action = ("Hide passages", HIDE) if expanded else ("Show passages", SHOW)
    return InlineKeyboardMarkup.from_button(
        InlineKeyboardButton(label, callback_data=f"psg:{action}:{key}")
    )
