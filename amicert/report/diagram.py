"""Sequence diagrams (Mermaid text): the use case's expected rows beside what was observed."""

from __future__ import annotations

from amicert.catalog import StepRow
from amicert.trace import Exchange

MAX_ARROWS = 300  # observed diagrams of fleet runs show the first ones; the index has them all


def _id(name: str) -> str:
    return "".join(ch for ch in name.title() if ch.isalnum()) or "X"


def _participants(names: list[str]) -> list[str]:
    seen: list[str] = []
    for n in names:
        if n not in seen:
            seen.append(n)
    return [f"    participant {_id(n)} as {n}" for n in seen]


def expected(rows: list[StepRow]) -> str:
    """The scenario's rows as a sequence diagram (internal rows as notes)."""
    actors = [a for r in rows for a in (r.producer, r.receiver) if a != "Internal"]
    lines = ["sequenceDiagram", *_participants(actors)]
    for r in rows:
        if r.internal:
            lines.append(f"    Note over {_id(r.producer)}: {r.number} {r.description}")
        else:
            lines.append(f"    {_id(r.producer)}->>{_id(r.receiver)}: {r.number} {r.information}")
    return "\n".join(lines) + "\n"


def observed(exchanges: list[Exchange]) -> str:
    """What crossed between actors, in order, with the step each exchange was matched to."""
    actors = [a for x in exchanges for a in (x.producer, x.receiver)]
    lines = ["sequenceDiagram", *_participants(actors)]
    for x in exchanges:
        arrow = "-->>" if x.in_reply_to else "->>"
        step = x.step or "?"
        who = f" [{x.producer_id or x.receiver_id}]" if (x.producer_id or x.receiver_id) else ""
        flag = f" ({len(x.findings)} findings)" if x.findings else ""
        lines.append(
            f"    {_id(x.producer)}{arrow}{_id(x.receiver)}: #{x.seq} {step} {x.label}{who}{flag}"
        )
    return "\n".join(lines) + "\n"
