"""Questions over the rate limit wait their turn instead of being dropped.

Each person in each chat has a lane: their questions are answered one after another, in the
order they were sent. A question over the rate limit reserves the next free slot
(:meth:`bot.access.RateLimiter.reserve`) and waits for it in its lane; the person is told
once how long. Only past the lane's bound (``TELEGRAM_QUEUE_LIMIT`` waiting questions) is a
question refused, and that, too, is said once. Small talk takes no slot.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Hashable
from dataclasses import dataclass, field
from enum import Enum

from bot.access import RateLimiter


class Admission(Enum):
    """What happens to a question when it arrives."""

    NOW = "now"  #: answered at once (after the person's earlier questions)
    QUEUED = "queued"  #: waits for a slot: tell the person how long
    QUEUED_AGAIN = "queued again"  #: waits too, and the person has been told already
    REFUSED = "refused"  #: the lane is full: say so
    REFUSED_AGAIN = "refused again"  #: full, and the person has been told already


@dataclass
class _Lane:
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    issued: int = 0  # tickets handed out, in arrival order...
    serving: int = 0  # ...and the one whose turn it is
    admitted: int = 0  # questions in the lane (waiting or being answered)
    delayed: int = 0  # of which waiting for a slot
    told_queued: bool = False
    told_full: bool = False


@dataclass
class Ticket:
    """A question's place in its lane."""

    admission: Admission
    wait: float = 0.0  #: seconds until its slot, as reserved on arrival
    key: Hashable = None
    due: float = 0.0  #: the event loop's time of its slot
    number: int = 0  #: its place in the lane


class QuestionQueue:
    """The lanes of every person in every chat (use from the event loop)."""

    def __init__(self, limiter: RateLimiter, bound: int) -> None:
        self.limiter = limiter
        #: Questions a lane may hold waiting for a slot.
        self.bound = bound
        self._lanes: dict[Hashable, _Lane] = {}
        self._stopping = asyncio.Event()

    def admit(self, key: Hashable, *, counted: bool = True) -> Ticket:
        """A question of ``key`` arrives: its place in the lane (refused when the lane is
        full or the bot is stopping). ``counted``: False for small talk, which takes no slot.
        An admitted ticket must be passed to :meth:`turn`."""
        lane = self._lanes.setdefault(key, _Lane())
        wait = self.limiter.reserve(key) if counted and not self._stopping.is_set() else 0.0
        if self._stopping.is_set() or (wait and lane.delayed >= self.bound):
            if wait:
                self.limiter.release(key)  # a refused question takes no slot
            told, lane.told_full = lane.told_full, True
            if not lane.admitted:
                del self._lanes[key]
            return Ticket(Admission.REFUSED_AGAIN if told else Admission.REFUSED, key=key)
        lane.admitted += 1
        number, lane.issued = lane.issued, lane.issued + 1
        now = asyncio.get_running_loop().time()
        if not wait:
            return Ticket(Admission.NOW, key=key, due=now, number=number)
        lane.delayed += 1
        told, lane.told_queued = lane.told_queued, True
        admission = Admission.QUEUED_AGAIN if told else Admission.QUEUED
        return Ticket(admission, wait, key, now + wait, number)

    @contextlib.asynccontextmanager
    async def turn(self, ticket: Ticket) -> AsyncIterator[bool]:
        """Wait for the ticket's turn in its lane (in arrival order, however long the caller
        took to get here) and for its slot; the block gets True then, or False when the bot
        is stopping meanwhile (the question is not answered)."""
        lane = self._lanes[ticket.key]
        delayed = ticket.admission in (Admission.QUEUED, Admission.QUEUED_AGAIN)
        try:
            async with lane.changed:
                await lane.changed.wait_for(
                    lambda: lane.serving == ticket.number or self._stopping.is_set()
                )
            if delayed:
                pause = ticket.due - asyncio.get_running_loop().time()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), max(0.0, pause))
                lane.delayed -= 1
                delayed = False
            yield not self._stopping.is_set()
        finally:
            if delayed:
                lane.delayed -= 1
            lane.admitted -= 1
            async with lane.changed:
                lane.serving = max(lane.serving, ticket.number + 1)
                lane.changed.notify_all()
            if not lane.admitted:  # the flood is over: the next one is told again
                self._lanes.pop(ticket.key, None)

    def stop(self) -> None:
        """The bot is stopping: waiting questions stop waiting (they are not answered)."""
        self._stopping.set()
        for lane in self._lanes.values():
            asyncio.get_running_loop().create_task(self._wake(lane))

    @staticmethod
    async def _wake(lane: _Lane) -> None:
        async with lane.changed:
            lane.changed.notify_all()
