"""Plain data shared by the envelope reader, the rules and the validator (no logic, no imports)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class MessageInfo:
    """What a message says about itself, read tolerantly so that even invalid messages report it.

    ``form`` is "generic" (61968-100 RequestMessage ...), "wrapper" (CreatedEndDeviceEvents ...),
    "device" (the harness's device protocol) or "unknown". ``root`` and ``payload_root`` are Clark
    names; ``root`` is the message root after any SOAP Envelope is removed.
    """

    form: str
    kind: str | None
    namespace: str | None
    root: str
    verb: str | None = None
    noun: str | None = None
    message_id: str | None = None
    correlation_id: str | None = None
    timestamp: datetime | None = None
    source: str | None = None
    reply_address: str | None = None
    result: str | None = None
    payload_root: str | None = None
    event_codes: list[str] = field(default_factory=list)
    control_codes: list[str] = field(default_factory=list)
    soap: str | None = None
    # "61968-100 Ed.1" / "61968-100 Ed.2" from the message namespace's year, when it names one
    edition: str | None = None


@dataclass
class ValidationContext:
    """What the validator knows beyond the message: the run's history and the current time.

    ``seen_message_ids`` grows as messages are validated (MessageID uniqueness within a run);
    ``request_message_id`` is the MessageID a reply must echo as its CorrelationID; ``now`` is the
    reference time for ReplayDetection freshness (the wall clock when None). ``check_replay``
    turns the freshness check off for offline validation of captured files.
    """

    seen_message_ids: set[str] = field(default_factory=set)
    request_message_id: str | None = None
    # the request a reply answers was conforming (no error finding, neither mutated nor sent to
    # provoke a finding): the replier has no ground to refuse it (ENV-REPLY-FAILED)
    request_conforming: bool = False
    # the sender's clock is the harness's, moved by clock control: a Timestamp outside the
    # interval the clock is being advanced across (``since`` .. ``now``, plus the replay window)
    # is the sender's error (ENV-TIMESTAMP-CLOCK), not a warning
    clock_controlled: bool = False
    since: datetime | None = None
    now: datetime | None = None
    replay_window_s: float = 300
    check_replay: bool = True
