"""Profile findings compared whole: rule, message, expected and received are what a vendor reads."""

from __future__ import annotations

from typing import Any

from amicert.cim.model import MessageInfo
from amicert.cim.profile import MessageExpectation, check_profile
from amicert.cim.rules import RULES
from amicert.findings import Severity


def info(**kw: Any) -> MessageInfo:
    base: dict[str, Any] = {
        "form": "generic",
        "kind": "event",
        "namespace": "urn:x",
        "root": "{u}E",
    }
    return MessageInfo(**{**base, **kw})


def found(message: MessageInfo, expected: MessageExpectation) -> list[dict[str, Any]]:
    return [f.to_dict() for f in check_profile(message, expected)]


def test_every_header_difference_is_one_finding_stating_both_sides() -> None:
    expected = MessageExpectation(verb="created", noun="EndDeviceEvents", kind="event", root="{u}R")
    message = info(kind="request", verb="get", noun=None)
    assert found(message, expected) == [
        {
            "rule": "PROFILE-ROOT",
            "severity": "error",
            "message": "root element '{u}E' where '{u}R' was expected",
            "expected": "{u}R",
            "received": "{u}E",
            "blame": "sut",
        },
        {
            "rule": "PROFILE-KIND",
            "severity": "error",
            "message": "message kind 'request' where 'event' was expected",
            "expected": "event",
            "received": "request",
            "blame": "sut",
        },
        {
            "rule": "PROFILE-VERB",
            "severity": "error",
            "message": "Verb 'get' where 'created' was expected",
            "expected": "created",
            "received": "get",
            "blame": "sut",
        },
        {
            "rule": "PROFILE-NOUN",
            "severity": "error",
            "message": "Noun None where 'EndDeviceEvents' was expected",
            "expected": "EndDeviceEvents",
            "received": "none",
            "blame": "sut",
        },
    ]
    same = info(verb="created", noun="EndDeviceEvents", root="{u}R")
    assert found(same, expected) == []


def test_each_code_the_step_does_not_expect_is_named() -> None:
    expected = MessageExpectation(
        event_codes=("3.11.17.52", "3.11.17.285"), control_codes=("1.1.1.1",)
    )
    message = info(event_codes=["3.11.17.52", "3.26.0.85", "3.1.0.85"], control_codes=[])
    assert found(message, expected) == [
        {
            "rule": "PROFILE-EVENT-CODE",
            "severity": "error",
            "message": "EndDeviceEventType code 3.26.0.85 is not one the step expects",
            "expected": "3.11.17.52 | 3.11.17.285",
            "received": "3.26.0.85",
            "blame": "sut",
        },
        {
            "rule": "PROFILE-EVENT-CODE",
            "severity": "error",
            "message": "EndDeviceEventType code 3.1.0.85 is not one the step expects",
            "expected": "3.11.17.52 | 3.11.17.285",
            "received": "3.1.0.85",
            "blame": "sut",
        },
        {
            "rule": "PROFILE-CONTROL-CODE",
            "severity": "error",
            "message": "no EndDeviceControlType code in the message",
            "expected": "1.1.1.1",
            "received": "none",
            "blame": "sut",
        },
    ]
    assert found(info(event_codes=["3.1.0.85"]), MessageExpectation()) == []
    controls = MessageExpectation(control_codes=("3.8.0.214",))
    wrong = found(info(control_codes=["3.8.0.215"]), controls)
    assert [(f["rule"], f["received"]) for f in wrong] == [("PROFILE-CONTROL-CODE", "3.8.0.215")]


def test_the_profile_rules_are_declared_as_errors_of_the_profile_stage() -> None:
    declared = {
        rule_id: (spec.severity, spec.stage, spec.statement)
        for rule_id, spec in RULES.items()
        if rule_id.startswith("PROFILE-") and rule_id != "PROFILE-CONTENT"
    }
    assert declared == {
        "PROFILE-ROOT": (
            Severity.ERROR,
            "profile",
            "A non-CIM message has the root element the step expects.",
        ),
        "PROFILE-KIND": (
            Severity.ERROR,
            "profile",
            "The message is the kind the step expects (RequestMessage, EventMessage ...).",
        ),
        "PROFILE-VERB": (Severity.ERROR, "profile", "Header/Verb is the verb the step expects."),
        "PROFILE-NOUN": (Severity.ERROR, "profile", "Header/Noun is the noun the step expects."),
        "PROFILE-EVENT-CODE": (
            Severity.ERROR,
            "profile",
            "Every EndDeviceEventType code is one the step expects.",
        ),
        "PROFILE-CONTROL-CODE": (
            Severity.ERROR,
            "profile",
            "Every EndDeviceControlType code is one the step expects.",
        ),
    }
    assert {RULES[r].source for r in declared} == {
        "use-case step table (usecases/<name>/usecase.yaml); cim_schemas/PROFILE.md"
    }
