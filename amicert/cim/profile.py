"""Profile rules: does a message carry what a use-case step expects (kind, verb, noun, codes)?

A valid 61968-100 message can still be the wrong message for a step; these checks compare what
the step row expects with what was received, and every finding states both.
"""

from __future__ import annotations

from dataclasses import dataclass

from amicert.cim.model import MessageInfo
from amicert.cim.rules import declare
from amicert.findings import Finding, Severity, error

_SOURCE = "use-case step table (usecases/<name>/usecase.yaml); cim_schemas/PROFILE.md"

for _id, _statement in (
    ("PROFILE-ROOT", "A non-CIM message has the root element the step expects."),
    (
        "PROFILE-KIND",
        "The message is the kind the step expects (RequestMessage, EventMessage ...).",
    ),
    ("PROFILE-VERB", "Header/Verb is the verb the step expects."),
    ("PROFILE-NOUN", "Header/Noun is the noun the step expects."),
    ("PROFILE-EVENT-CODE", "Every EndDeviceEventType code is one the step expects."),
    ("PROFILE-CONTROL-CODE", "Every EndDeviceControlType code is one the step expects."),
):
    declare(_id, Severity.ERROR, _statement, source=_SOURCE, stage="profile")


@dataclass(frozen=True)
class MessageExpectation:
    """What a step expects; None or an empty tuple means "not checked".

    ``root`` is the expected root element as a Clark name, for non-CIM (device) messages.
    """

    verb: str | None = None
    noun: str | None = None
    kind: str | None = None
    event_codes: tuple[str, ...] = ()
    root: str | None = None
    control_codes: tuple[str, ...] = ()


def _codes(rule: str, what: str, expected: tuple[str, ...], received: list[str]) -> list[Finding]:
    if not expected:
        return []
    wanted = " | ".join(expected)
    if not received:
        return [error(rule, f"no {what} code in the message", expected=wanted, received="none")]
    return [
        error(
            rule, f"{what} code {code} is not one the step expects", expected=wanted, received=code
        )
        for code in received
        if code not in expected
    ]


def _same(rule: str, what: str, expected: str | None, received: str | None) -> list[Finding]:
    if expected is None or expected == received:
        return []
    return [
        error(
            rule,
            f"{what} {received!r} where {expected!r} was expected",
            expected=expected,
            received=received if received is not None else "none",
        )
    ]


def check_profile(info: MessageInfo, expected: MessageExpectation) -> list[Finding]:
    """Findings for every way ``info`` differs from ``expected``."""
    findings = _same("PROFILE-ROOT", "root element", expected.root, info.root)
    findings += _same("PROFILE-KIND", "message kind", expected.kind, info.kind)
    findings += _same("PROFILE-VERB", "Verb", expected.verb, info.verb)
    findings += _same("PROFILE-NOUN", "Noun", expected.noun, info.noun)
    findings += _codes(
        "PROFILE-EVENT-CODE", "EndDeviceEventType", expected.event_codes, info.event_codes
    )
    findings += _codes(
        "PROFILE-CONTROL-CODE", "EndDeviceControlType", expected.control_codes, info.control_codes
    )
    return findings
