"""Measured figures: what a requirement's check measured, reported whether or not it met its
target, so a report states the figure (devices per hour, minutes) and not only a verdict."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Metric:
    """One figure: ``value`` in ``unit`` against ``target`` (as people read it); ``met`` is the
    check's own judgement; ``clock`` says which time it was measured on (virtual or wall)."""

    requirement: str
    name: str
    value: float
    unit: str
    target: str
    met: bool
    clock: str = "virtual"
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        status = "met" if self.met else "NOT met"
        note = f"; {self.note}" if self.note else ""
        return (
            f"{self.requirement} {self.name}: {self.value:,.1f} {self.unit} "
            f"(target {self.target}, {status}, {self.clock} clock{note})"
        )
