"""Virtual clock and event scheduler shared by the reference actors.

A firmware campaign "happens over several days": on the virtual clock it runs in milliseconds and
timing rules are checked exactly. Every run is bounded in virtual time and in event count, so a
misbehaving actor can never hang the harness.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

EPOCH = datetime(2026, 1, 5, 0, 0, 0, tzinfo=UTC)
MAX_EVENTS = 200_000


class SchedulerOverrun(Exception):
    """The event loop ran past its event budget: an actor loops or floods. A harness-side bound."""


@dataclass(order=True)
class _Event:
    at: datetime
    seq: int
    action: Callable[[], None] = field(compare=False)
    label: str = field(compare=False, default="")


class VirtualClock:
    """A discrete-event clock: ``call_later`` schedules, ``run_until`` advances."""

    def __init__(self, start: datetime = EPOCH, max_events: int = MAX_EVENTS) -> None:
        self._now = start
        self._queue: list[_Event] = []
        self._seq = itertools.count()
        self.max_events = max_events
        self.events_run = 0
        # where a failing scheduled action is reported; without it the failure propagates
        self.on_error: Callable[[str, Exception], None] | None = None

    def now(self) -> datetime:
        return self._now

    def call_at(self, at: datetime, action: Callable[[], None], label: str = "") -> None:
        heapq.heappush(self._queue, _Event(max(at, self._now), next(self._seq), action, label))

    def call_later(self, delay: timedelta, action: Callable[[], None], label: str = "") -> None:
        self.call_at(self._now + delay, action, label)

    def pending(self) -> int:
        return len(self._queue)

    def next_at(self) -> datetime | None:
        return self._queue[0].at if self._queue else None

    def run_until(self, done: Callable[[], bool], deadline: datetime) -> bool:
        """Run events in time order until ``done()`` or ``deadline``; True when ``done()`` held.

        The clock never moves past ``deadline``; when the queue empties first it jumps there, as
        real time would pass with nothing happening.
        """
        while not done():
            if not self._queue or self._queue[0].at > deadline:
                self._now = max(self._now, deadline)
                return done()
            self._step()
        return True

    def advance(self, delta: timedelta) -> None:
        """Let ``delta`` of virtual time pass, running whatever falls due."""
        self.run_until(lambda: False, self._now + delta)

    def run_idle(self, limit: timedelta) -> None:
        """Run until nothing is left to do, but at most ``limit`` of virtual time."""
        deadline = self._now + limit
        while self._queue and self._queue[0].at <= deadline:
            self._step()

    def _step(self) -> None:
        self.events_run += 1
        if self.events_run > self.max_events:
            raise SchedulerOverrun(
                f"more than {self.max_events} scheduled events: an actor loops or floods messages"
            )
        event = heapq.heappop(self._queue)
        self._now = event.at
        if self.on_error is None:
            event.action()
            return
        try:
            event.action()
        except Exception as exc:  # one actor failing must not stop every other actor's time
            self.on_error(event.label, exc)
