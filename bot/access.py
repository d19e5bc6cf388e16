"""Who may use the bot (an optional allowlist) and how often (a per-user rate limit)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Hashable, Iterable

REFUSAL = (
    "Sorry, this is a private bot: it only answers people and groups its owner has allowed. "
    "To get access, ask the owner to add your id to TELEGRAM_ALLOWED_IDS (your user id: {user}; "
    "this chat's id: {chat})."
)
#: The same on a button press, where Telegram shows at most 200 characters: ids first.
REFUSAL_ALERT = (
    "Your user id: {user}; this chat's id: {chat}. This is a private bot: to get access, "
    "ask its owner to add one of these ids to TELEGRAM_ALLOWED_IDS."
)
#: Telegram's limit for the text of a button press's answer (an alert or a toast).
MAX_ALERT = 200


def alert_text(text: str) -> str:
    """``text`` cut (at a word, with "…") to fit a button press's answer."""
    if len(text) <= MAX_ALERT:
        return text
    cut = text[: MAX_ALERT - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > MAX_ALERT // 2 else cut).rstrip(" ,;:") + "…"


class AccessPolicy:
    """An allowlist of Telegram user and chat ids; an empty list lets everyone in."""

    def __init__(self, allowed_ids: Iterable[int] = ()) -> None:
        self.allowed_ids = frozenset(allowed_ids)
        self._refused_chats: set[int] = set()

    def allows(self, user_id: int | None, chat_id: int | None) -> bool:
        """True when the list is empty, or holds the user's id or the chat's id."""
        if not self.allowed_ids:
            return True
        return (user_id is not None and user_id in self.allowed_ids) or (
            chat_id is not None and chat_id in self.allowed_ids
        )

    def first_refusal(self, chat_id: int) -> bool:
        """True the first time a chat is refused in this process, so it is told only once."""
        if chat_id in self._refused_chats:
            return False
        self._refused_chats.add(chat_id)
        return True


class RateLimiter:
    """At most ``per_minute`` questions per key (a person in a chat) in any sliding 60-second
    window (0 = no limit). A question over the limit is not refused: it reserves the next
    free slot, and waits for it (see :class:`bot.queueing.QuestionQueue`)."""

    WINDOW = 60.0

    #: Every this many questions, keys idle for a whole window are forgotten.
    SWEEP_EVERY = 1000

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._slots: dict[Hashable, deque[float]] = {}
        self._reserved = 0

    def reserve(self, key: Hashable) -> float:
        """Count one question; return how many seconds it must wait for its slot (0: now)."""
        if self.per_minute <= 0:
            return 0.0
        now = self._clock()
        self._reserved += 1
        if self._reserved % self.SWEEP_EVERY == 0:
            self._sweep(now)
        slots = self._slots.setdefault(key, deque())
        while slots and now - slots[0] >= self.WINDOW:
            slots.popleft()
        # Slots are reserved in order, so the n-th last one bounds the next.
        start = now if len(slots) < self.per_minute else slots[-self.per_minute] + self.WINDOW
        slots.append(max(now, start))
        return max(0.0, start - now)

    def release(self, key: Hashable) -> None:
        """Give back the slot the last :meth:`reserve` of ``key`` took (it was refused)."""
        slots = self._slots.get(key)
        if slots:
            slots.pop()

    def _sweep(self, now: float) -> None:
        """Forget keys with no slot in the last window (memory stays bounded)."""
        for key in [k for k, s in self._slots.items() if not s or now - s[-1] >= self.WINDOW]:
            del self._slots[key]


def queued_text(wait_seconds: float, per_minute: int) -> str:
    """The one note for a person over the rate limit: their question waits, for how long."""
    wait = max(1, round(wait_seconds + 0.5))
    noun = "question" if per_minute == 1 else "questions"
    return (
        f"You're asking faster than I can read: I take up to {per_minute} {noun} a minute "
        f"from each person in a chat. I've kept your question and will answer it in about "
        f"{wait} s; anything you send meanwhile is answered in order after it."
    )


def queue_full_text(bound: int) -> str:
    """The one message for a person whose waiting questions have reached the bound."""
    noun = "question" if bound == 1 else "questions"
    return (
        f"I'm already holding {bound} of your {noun} for later, so I did not keep this one "
        "(nor will I keep any more until I've answered those): send it again then."
    )
