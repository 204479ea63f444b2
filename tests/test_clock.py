"""The virtual clock runs in time order and never past its bounds."""

from __future__ import annotations

from datetime import timedelta

import pytest

from amicert.clock import SchedulerOverrun, VirtualClock


def test_events_run_in_time_order_and_the_clock_follows() -> None:
    clock = VirtualClock()
    start = clock.now()
    seen: list[str] = []
    clock.call_later(timedelta(days=2), lambda: seen.append("b"))
    clock.call_later(timedelta(hours=1), lambda: seen.append("a"))
    clock.advance(timedelta(days=3))
    assert seen == ["a", "b"]
    assert clock.now() == start + timedelta(days=3)


def test_run_until_stops_at_the_deadline_when_the_condition_never_holds() -> None:
    clock = VirtualClock()
    deadline = clock.now() + timedelta(days=1)
    clock.call_later(timedelta(days=5), lambda: None)
    assert clock.run_until(lambda: False, deadline) is False
    assert clock.now() == deadline
    assert clock.pending() == 1


def test_an_actor_that_floods_is_stopped_by_the_event_budget() -> None:
    clock = VirtualClock(max_events=100)

    def again() -> None:
        clock.call_later(timedelta(0), again)

    clock.call_later(timedelta(0), again)
    with pytest.raises(SchedulerOverrun, match="more than 100 scheduled events"):
        clock.advance(timedelta(seconds=1))
