"""Profile rules: the right message for the step, with expected and received in every finding."""

from __future__ import annotations

from amicert.cim.model import MessageInfo
from amicert.cim.profile import MessageExpectation, check_profile
from amicert.cim.validate import Validator
from amicert.findings import Finding

from .conftest import firmware_event

STEP_1_11 = MessageExpectation(
    verb="created", noun="EndDeviceEvents", kind="EventMessage", event_codes=("3.11.17.52",)
)


def info_of(validator: Validator, data: bytes) -> MessageInfo:
    info = validator.validate(data).info
    assert info is not None
    return info


def rules(findings: list[Finding]) -> list[str]:
    return [f.rule for f in findings]


def test_step_1_11_confirmation_passes(validator: Validator) -> None:
    for form in ("generic", "wrapper"):
        assert check_profile(info_of(validator, firmware_event(form=form)), STEP_1_11) == []


def test_nothing_expected_nothing_checked(validator: Validator) -> None:
    assert check_profile(info_of(validator, firmware_event()), MessageExpectation()) == []


def test_wrong_event_code(validator: Validator) -> None:
    findings = check_profile(info_of(validator, firmware_event("3.11.124.35")), STEP_1_11)
    assert rules(findings) == ["PROFILE-EVENT-CODE"]
    assert (findings[0].expected, findings[0].received) == ("3.11.17.52", "3.11.124.35")


def test_refusal_codes_accepted_when_expected(validator: Validator) -> None:
    expectation = MessageExpectation(event_codes=("3.11.17.52", "3.11.124.35", "3.1.0.85"))
    assert check_profile(info_of(validator, firmware_event("3.11.124.35")), expectation) == []


def test_missing_event_code() -> None:
    info = MessageInfo("generic", "EventMessage", None, "{x}EventMessage")
    findings = check_profile(info, MessageExpectation(event_codes=("3.11.17.52",)))
    assert rules(findings) == ["PROFILE-EVENT-CODE"]
    assert findings[0].received == "none"


def test_wrong_verb_noun_kind(validator: Validator) -> None:
    expectation = MessageExpectation(verb="reply", noun="MeterReadings", kind="ResponseMessage")
    findings = check_profile(info_of(validator, firmware_event()), expectation)
    assert rules(findings) == ["PROFILE-KIND", "PROFILE-VERB", "PROFILE-NOUN"]
    by_rule = {f.rule: f for f in findings}
    assert (by_rule["PROFILE-VERB"].expected, by_rule["PROFILE-VERB"].received) == (
        "reply",
        "created",
    )
    assert by_rule["PROFILE-NOUN"].received == "EndDeviceEvents"
    assert by_rule["PROFILE-KIND"].received == "EventMessage"


def test_wrong_root() -> None:
    info = MessageInfo(
        "device", None, "urn:amicert:device:1", "{urn:amicert:device:1}FirmwareWrite"
    )
    expectation = MessageExpectation(root="{urn:amicert:device:1}FirmwareUpdateResponse")
    findings = check_profile(info, expectation)
    assert rules(findings) == ["PROFILE-ROOT"]
    assert findings[0].received == "{urn:amicert:device:1}FirmwareWrite"


def test_control_codes() -> None:
    info = MessageInfo("generic", "RequestMessage", None, "r", control_codes=["0.15.0.55"])
    findings = check_profile(info, MessageExpectation(control_codes=("0.15.0.54",)))
    assert rules(findings) == ["PROFILE-CONTROL-CODE"]
    assert findings[0].expected == "0.15.0.54"


def test_absent_verb_is_received_none() -> None:
    info = MessageInfo("unknown", None, None, "r")
    findings = check_profile(info, MessageExpectation(verb="created"))
    assert findings[0].received == "none"
