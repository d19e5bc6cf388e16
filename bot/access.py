"""Who may use the bot (an optional allowlist) and how often (a per-user rate limit)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable

REFUSAL = (
    "Sorry, this is a private bot: it only answers people and groups its owner has allowed. "
    "To get access, ask the owner to add your id to TELEGRAM_ALLOWED_IDS (your user id: {user}; "
    "this chat's id: {chat})."
)


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
    """At most ``per_minute`` questions per user in any sliding 60-second window (0 = no limit)."""

    WINDOW = 60.0

    #: Every this many questions, users idle for a whole window are forgotten.
    SWEEP_EVERY = 1000

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._asked: dict[int, deque[float]] = {}
        self._warned_until: dict[int, float] = {}
        self._hits = 0

    def hit(self, user_id: int) -> float:
        """Count one question; return 0 if it is allowed, else the seconds until it would be.

        Refused questions are not counted, so a user who waits is never locked out for longer.
        """
        if self.per_minute <= 0:
            return 0.0
        now = self._clock()
        self._hits += 1
        if self._hits % self.SWEEP_EVERY == 0:
            self._sweep(now)
        times = self._asked.setdefault(user_id, deque())
        while times and now - times[0] >= self.WINDOW:
            times.popleft()
        if len(times) >= self.per_minute:
            return max(0.0, self.WINDOW - (now - times[0]))
        times.append(now)
        return 0.0

    def warn(self, user_id: int, wait: float) -> bool:
        """Whether to tell a refused user to slow down: once until their next question is
        allowed. A flood of questions gets one reply, not one each, which would flood the
        chat back and spend the sending budget (30 messages a second) other users need."""
        now = self._clock()
        if self._warned_until.get(user_id, float("-inf")) > now:
            return False
        self._warned_until[user_id] = now + wait
        return True

    def _sweep(self, now: float) -> None:
        """Forget users with no question in the last window (memory stays bounded)."""
        for user_id in [u for u, t in self._asked.items() if not t or now - t[-1] >= self.WINDOW]:
            del self._asked[user_id]
        for user_id in [u for u, t in self._warned_until.items() if t <= now]:
            del self._warned_until[user_id]


def slow_down_text(wait_seconds: float, per_minute: int) -> str:
    """The friendly message for a user over the rate limit."""
    wait = max(1, round(wait_seconds + 0.5))
    noun = "question" if per_minute == 1 else "questions"
    return (
        f"You're asking faster than I can read: I take up to {per_minute} {noun} a minute "
        f"from each person. Please try again in {wait} s."
    )
