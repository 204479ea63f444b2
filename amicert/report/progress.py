"""Progress of a long scenario (a fleet campaign): messages, meters done, and the rate.

Written to the terminal while the scenario runs: one line rewritten in place on a terminal, a
plain line every few seconds in a log (CI), nothing for scenarios too small to need it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

SHOW_FROM_METERS = 100  # smaller scenarios finish before a progress line would help


@dataclass
class Progress:
    """Counts what a scenario has done; ``emit`` shows a line (``final`` at the end)."""

    label: str
    meters: int
    emit: Callable[[str, bool], None]
    interactive: bool = False
    messages: int = 0
    meters_done: int = 0
    started: float = field(default_factory=time.monotonic)
    _shown: float = 0.0

    @property
    def every_s(self) -> float:
        return 0.5 if self.interactive else 5.0

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        return (
            f"{self.label}: {self.messages:,} messages, "
            f"{self.meters_done:,}/{self.meters:,} meters done, "
            f"{self.messages / elapsed:,.0f} messages/s, {elapsed:,.0f} s"
        )

    def tick(self, messages: int, meters_done: int) -> None:
        """Called for every recorded message: cheap unless a line is due."""
        self.messages, self.meters_done = messages, meters_done
        now = time.monotonic()
        if now - self._shown >= self.every_s:
            self._shown = now
            self.emit(self.line(), False)

    def done(self) -> None:
        self.emit(self.line(), True)
