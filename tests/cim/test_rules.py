"""Envelope and code rules: each rule fails on a bad message, by its exact rule ID."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

import amicert.cim.profile  # noqa: F401  (registers the PROFILE-* rule IDs)
from amicert.cim.envelope import Header, ReplyError, build_fault, build_request, build_response
from amicert.cim.model import ValidationContext
from amicert.cim.nouns import EndDeviceControlData, end_device_controls
from amicert.cim.rules import RULES, STAGES, declare, rule
from amicert.cim.validate import Validator
from amicert.findings import Severity

from .conftest import T0, edited, firmware_event, sample

GENERIC = "valid/created_enddeviceevents_generic.xml"
WRAPPER = "valid/created_enddeviceevents_wrapper.xml"
REPLY = "valid/reply_ok.xml"
REPO = Path(__file__).resolve().parents[2]


def ids(validator: Validator, data: bytes, context: ValidationContext | None = None) -> list[str]:
    return validator.validate(data, context).rule_ids


def severity_of(validator: Validator, data: bytes, rule_id: str) -> Severity:
    found = [f for f in validator.validate(data).findings if f.rule == rule_id]
    assert found, f"{rule_id} not reported"
    return found[0].severity


# ---------------------------------------------------------------- envelope rules


def test_draft_namespace(validator: Validator) -> None:
    result = validator.validate(sample("invalid/draft_namespace.xml"))
    # no schema serves a draft namespace: the header rules still judge it
    assert result.rule_ids == ["XSD-ENVELOPE-UNCHECKED", "ENV-DRAFT-NS"]
    assert result.findings[1].expected == "http://iec.ch/TC57/2011/schema/message"


def test_draft_payload_namespace(validator: Validator) -> None:
    data = edited(
        GENERIC,
        "http://iec.ch/TC57/2011/EndDeviceEvents#",
        "http://www.iec.ch/TC57/2011/EndDeviceEvents#",
    )
    assert "ENV-DRAFT-NS" in ids(validator, data)


@pytest.mark.parametrize(
    "verb", ["show", "subscribe", "unsubscribe", "report", "stop", "terminate"]
)
def test_draft_verbs(validator: Validator, verb: str) -> None:
    found = ids(validator, edited(GENERIC, "<Verb>created</Verb>", f"<Verb>{verb}</Verb>"))
    assert "ENV-VERB" in found
    assert "XSD-ENVELOPE" in found


def test_draft_verb_sample_message(validator: Validator) -> None:
    finding = [
        f
        for f in validator.validate(sample("invalid/draft_verb.xml")).findings
        if f.rule == "ENV-VERB"
    ]
    assert finding and "draft" in finding[0].message and finding[0].xpath


def test_kind_verb_event_with_request_verb(validator: Validator) -> None:
    assert "ENV-KIND-VERB" in ids(
        validator, edited(GENERIC, "<Verb>created</Verb>", "<Verb>create</Verb>")
    )


def test_kind_verb_request_with_event_verb(validator: Validator) -> None:
    header = Header("created", "EndDeviceControls", "m", T0)
    assert "ENV-KIND-VERB" in ids(validator, build_request(header, None))


def test_wrapper_name_verb_mismatch(validator: Validator) -> None:
    result = validator.validate(sample("invalid/verb_wrapper_mismatch.xml"))
    assert result.rule_ids == ["ENV-WRAPPER-NAME"]
    assert result.findings[0].expected == "ChangedEndDeviceEvents"


def test_wrapper_name_noun_mismatch(validator: Validator) -> None:
    data = edited(
        WRAPPER, "<msg:Noun>EndDeviceEvents</msg:Noun>", "<msg:Noun>MeterReadings</msg:Noun>"
    )
    assert "ENV-WRAPPER-NAME" in ids(validator, data)


def test_wrapper_name_unknown_element(validator: Validator) -> None:
    text = sample(WRAPPER).decode().replace("CreatedEndDeviceEvents", "ShowEndDeviceEvents")
    found = ids(validator, text.encode())
    assert "ENV-WRAPPER-NAME" in found and "XSD-ENVELOPE-UNCHECKED" in found


def test_wrapper_response_with_wrong_verb(validator: Validator) -> None:
    data = build_response(Header("created", "EndDeviceEvents", "m", T0), "OK", form="wrapper")
    found = ids(validator, data)
    assert "ENV-WRAPPER-NAME" not in found  # the builder names it from the verb
    text = data.decode().replace("CreatedEndDeviceEvents", "EndDeviceEventsResponseMessage")
    assert "ENV-WRAPPER-NAME" in ids(validator, text.encode())


def test_payload_noun(validator: Validator) -> None:
    result = validator.validate(sample("invalid/payload_noun_mismatch.xml"))
    assert result.rule_ids == ["ENV-PAYLOAD-NOUN"]
    assert (result.findings[0].expected, result.findings[0].received) == (
        "EndDeviceControls",
        "EndDeviceEvents",
    )


def test_reply_verb(validator: Validator) -> None:
    found = ids(validator, edited(REPLY, "<Verb>reply</Verb>", "<Verb>created</Verb>"))
    assert "ENV-REPLY-VERB" in found


def test_reply_result_missing(validator: Validator) -> None:
    data = edited(REPLY, "<Reply>\n    <Result>OK</Result>\n  </Reply>", "<Reply/>")
    found = ids(validator, data)
    assert "ENV-REPLY-RESULT" in found and "XSD-ENVELOPE" in found


def test_reply_result_not_a_result(validator: Validator) -> None:
    found = ids(validator, edited(REPLY, "<Result>OK</Result>", "<Result>MAYBE</Result>"))
    assert "ENV-REPLY-RESULT" in found


def test_fault_with_ok_result(validator: Validator) -> None:
    data = build_fault("EndDeviceEvents", [ReplyError("5.3")]).replace(b"FAILED", b"OK")
    assert ids(validator, data) == ["ENV-REPLY-RESULT"]


def test_result_error(validator: Validator) -> None:
    assert ids(validator, sample("invalid/reply_failed_without_error.xml")) == ["ENV-RESULT-ERROR"]
    partial = edited(REPLY, "<Result>OK</Result>", "<Result>PARTIAL</Result>")
    assert ids(validator, partial) == ["ENV-RESULT-ERROR"]


def test_correlation_wrong(validator: Validator) -> None:
    context = ValidationContext(request_message_id="another-id")
    result = validator.validate(sample(REPLY), context)
    assert result.rule_ids == ["ENV-CORRELATION"]
    assert result.findings[0].expected == "another-id"


def test_correlation_missing(validator: Validator) -> None:
    data = build_response(Header("reply", "EndDeviceEvents", "r", T0), "OK")
    result = validator.validate(data, ValidationContext(request_message_id="req-1"))
    assert result.rule_ids == ["ENV-CORRELATION"]
    assert result.findings[0].received == "none"


def test_correlation_right(validator: Validator) -> None:
    context = ValidationContext(request_message_id="6f1c2a4e-0d5b-4c1e-9a57-3b2f8e1d0a01")
    assert ids(validator, sample(REPLY), context) == []


def test_timestamp_zone(validator: Validator) -> None:
    result = validator.validate(sample("invalid/timestamp_no_zone.xml"))
    assert result.rule_ids == ["ENV-TIMESTAMP-ZONE"]
    assert result.findings[0].xpath


def test_replay_created_zone(validator: Validator) -> None:
    header = Header("create", "EndDeviceControls", "m", T0, replay_nonce="n", replay_created=T0)
    data = build_request(header, None).replace(
        b"<Created>2024-05-01T12:00:00Z", b"<Created>2024-05-01T12:00:00"
    )
    assert ids(validator, data, ValidationContext(now=T0)) == ["ENV-TIMESTAMP-ZONE"]


def test_message_id_missing_is_a_warning(validator: Validator) -> None:
    data = edited(GENERIC, "<MessageID>6f1c2a4e-0d5b-4c1e-9a57-3b2f8e1d0a01</MessageID>", "")
    result = validator.validate(data)
    assert result.rule_ids == ["ENV-MESSAGE-ID"]
    assert result.ok
    assert severity_of(validator, data, "ENV-MESSAGE-ID") is Severity.WARNING


def test_message_id_unique_in_a_run(validator: Validator) -> None:
    context = ValidationContext()
    assert ids(validator, firmware_event(message_id="dup"), context) == []
    assert ids(validator, firmware_event(message_id="dup"), context) == ["ENV-MESSAGE-ID-UNIQUE"]
    assert "dup" in context.seen_message_ids


def _replayed(created_offset: timedelta) -> bytes:
    header = Header(
        "create", "EndDeviceControls", "m", T0, replay_nonce="n", replay_created=T0 + created_offset
    )
    return build_request(header, None)


@pytest.mark.parametrize("offset", [timedelta(seconds=-301), timedelta(seconds=400)])
def test_replay_outside_window(validator: Validator, offset: timedelta) -> None:
    assert ids(validator, _replayed(offset), ValidationContext(now=T0)) == ["ENV-REPLAY"]


def test_replay_within_window_and_configurable(validator: Validator) -> None:
    assert ids(validator, _replayed(timedelta(seconds=-299)), ValidationContext(now=T0)) == []
    wide = ValidationContext(now=T0, replay_window_s=3600)
    assert ids(validator, _replayed(timedelta(seconds=-600)), wide) == []
    off = ValidationContext(now=T0, check_replay=False)
    assert ids(validator, _replayed(timedelta(days=-9)), off) == []


def test_replay_defaults_to_wall_clock(validator: Validator) -> None:
    assert ids(validator, _replayed(timedelta(0))) == ["ENV-REPLAY"]  # T0 is long past


# ---------------------------------------------------------------- code rules


def test_event_type_malformed(validator: Validator) -> None:
    result = validator.validate(sample("invalid/bad_event_code.xml"))
    assert result.rule_ids == ["CODE-EVENT-TYPE"]
    assert result.findings[0].received == "3.11.firmware.52"


def test_event_type_unknown_is_a_warning(validator: Validator) -> None:
    result = validator.validate(firmware_event("3.11.17.999"))
    assert result.rule_ids == ["CODE-EVENT-TYPE-UNKNOWN"]
    assert result.ok


def test_event_type_extension_silences_the_warning() -> None:
    validator = Validator()
    validator.registries.events.extend({"3.11.17.999": "vendor firmware event"})
    assert validator.validate(firmware_event("3.11.17.999")).rule_ids == []


def _controls(code: str) -> bytes:
    payload = end_device_controls([EndDeviceControlData("c", code, ["meter-1"])])
    return build_request(Header("create", "EndDeviceControls", "m", T0), payload)


def test_control_type_malformed(validator: Validator) -> None:
    assert ids(validator, _controls("pairing.open")) == ["CODE-CONTROL-TYPE"]


def test_control_type_unknown(validator: Validator) -> None:
    assert ids(validator, _controls("0.10.73.300")) == ["CODE-CONTROL-TYPE-UNKNOWN"]


READINGS = b"""<?xml version="1.0"?>
<EventMessage xmlns="http://iec.ch/TC57/2011/schema/message">
  <Header><Verb>created</Verb><Noun>MeterReadings</Noun><MessageID>mr-1</MessageID></Header>
  <Payload><MeterReadings xmlns="http://iec.ch/TC57/2011/MeterReadings#"><MeterReading>
    <Readings><value>1</value><ReadingType ref="%s"/></Readings>
  </MeterReading></MeterReadings></Payload>
</EventMessage>"""


def _rule_ids(validator: Validator, data: bytes) -> list[str]:
    """Rule IDs apart from the payload-schema ones (a MeterReadings XSD may or may not be loaded)."""
    return [r for r in ids(validator, data) if not r.startswith("XSD-PAYLOAD")]


def test_reading_type_malformed(validator: Validator) -> None:
    data = READINGS % b"0.0.0.1.1.1.12.0.0.0.0.0.0.0.0.3.72"
    assert _rule_ids(validator, data) == ["CODE-READING-TYPE"]


def test_reading_type_negative_multiplier_is_fine(validator: Validator) -> None:
    data = READINGS % b"0.0.0.1.1.1.12.0.0.0.0.0.0.0.0.-3.72.0"
    assert _rule_ids(validator, data) == []


def _failed(code: str) -> bytes:
    header = Header("reply", "EndDeviceControls", "r", T0)
    return build_response(header, "FAILED", [ReplyError(code, "FATAL")])


@pytest.mark.parametrize("code", ["9.1", "E-42", "2"])
def test_error_code_malformed(validator: Validator, code: str) -> None:
    assert ids(validator, _failed(code)) == ["CODE-ERROR"]


def test_error_code_unknown(validator: Validator) -> None:
    assert ids(validator, _failed("2.99")) == ["CODE-ERROR-UNKNOWN"]
    assert ids(validator, _failed("2.4")) == []


# ---------------------------------------------------------------- the registry itself


def test_rules_have_statements_and_stages() -> None:
    for spec in RULES.values():
        assert spec.statement.endswith("."), spec.rule_id
        assert spec.stage in STAGES
        assert spec.source


def test_registry_refuses_duplicates_and_bad_stages() -> None:
    with pytest.raises(ValueError):
        declare("ENV-VERB", Severity.ERROR, "x.", source="x", stage="envelope")
    with pytest.raises(ValueError):
        rule("X-NEW", Severity.ERROR, "x.", source="x", stage="nowhere")


def test_every_rule_is_documented() -> None:
    text = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    missing = [r for r in RULES if f"`{r}`" not in text]
    assert missing == []


def test_every_rule_is_tested() -> None:
    here = Path(__file__).parent
    text = "".join(p.read_text(encoding="utf-8") for p in here.glob("test_*.py"))
    untested = [r for r in RULES if f'"{r}"' not in text]
    assert untested == []


# ---------------------------------------------------------------- time rules


def test_a_timestamp_far_from_the_synchronized_clock_is_skew(validator: Validator) -> None:
    near = ValidationContext(now=T0 + timedelta(seconds=60))
    far = ValidationContext(now=T0 + timedelta(hours=2))
    assert "ENV-TIMESTAMP-SKEW" not in ids(validator, firmware_event(), near)
    [skew] = [
        f
        for f in validator.validate(firmware_event(), far).findings
        if f.rule == "ENV-TIMESTAMP-SKEW"
    ]
    assert not skew.is_error and "7200 s behind" in skew.message
    assert skew.received == "2024-05-01T12:00:00Z"


def test_a_stale_timestamp_under_clock_control_is_the_senders_error(validator: Validator) -> None:
    """A product whose clock the harness moves must stamp within the interval it is advanced
    across: the time it was last advanced to (``since``) up to the harness's time."""
    advancing = ValidationContext(
        now=T0 + timedelta(hours=2), since=T0 - timedelta(minutes=1), clock_controlled=True
    )
    found = ids(validator, firmware_event(), advancing)  # stamped T0: inside the interval
    assert "ENV-TIMESTAMP-CLOCK" not in found and "ENV-TIMESTAMP-SKEW" not in found
    stale = ValidationContext(
        now=T0 + timedelta(days=43), since=T0 + timedelta(days=43), clock_controlled=True
    )
    [clock] = [
        f
        for f in validator.validate(firmware_event(), stale).findings
        if f.rule == "ENV-TIMESTAMP-CLOCK"
    ]
    assert clock.is_error and clock.received == "2024-05-01T12:00:00Z"
    assert "behind" in clock.message and clock.expected is not None


def test_no_skew_is_judged_without_a_synchronized_clock(validator: Validator) -> None:
    unsynced = ValidationContext(now=T0 + timedelta(hours=2), check_replay=False)
    assert "ENV-TIMESTAMP-SKEW" not in ids(validator, firmware_event(), unsynced)
    assert "ENV-TIMESTAMP-SKEW" not in ids(validator, firmware_event())  # offline: no clock


def test_a_payload_date_time_without_zone_is_reported(validator: Validator) -> None:
    data = edited(
        GENERIC,
        "<createdDateTime>2024-05-01T11:58:30Z</createdDateTime>",
        "<createdDateTime>2024-05-01T11:58:30</createdDateTime>",
    )
    [zone] = [f for f in validator.validate(data).findings if f.rule == "PAYLOAD-DATETIME-ZONE"]
    assert zone.received == "2024-05-01T11:58:30" and "createdDateTime" in zone.message
    assert "PAYLOAD-DATETIME-ZONE" not in ids(validator, sample(GENERIC))
    offset = edited(
        GENERIC,
        "<createdDateTime>2024-05-01T11:58:30Z</createdDateTime>",
        "<createdDateTime>2024-05-01T11:58:30+01:00</createdDateTime>",
    )  # an offset ends like a zone-less time: the scan lets the walk decide
    assert "PAYLOAD-DATETIME-ZONE" not in ids(validator, offset)


def test_failed_reply_to_a_conforming_request(validator: Validator) -> None:
    failed = build_fault("EndDeviceEvents", [ReplyError("5.3", reason="order refused")])
    refused = validator.validate(failed, ValidationContext(request_conforming=True))
    found = [f for f in refused.findings if f.rule == "ENV-REPLY-FAILED"]
    assert found and found[0].expected == "OK"
    assert found[0].received is not None and found[0].received.startswith("FAILED: 5.3")
    # a refusal of a request that was not conforming is the product's right
    assert "ENV-REPLY-FAILED" not in validator.validate(failed, ValidationContext()).rule_ids


# ---------------------------------------------------------------- WS-Security


def test_a_signature_that_does_not_verify_is_an_error(validator: Validator) -> None:
    from amicert.transport.soap import envelope
    from amicert.transport.wssecurity import demo_signer

    signed = demo_signer().sign(envelope(READINGS % b"0.0.0.1.1.1.12.0.0.0.0.0.0.0.0.3.72.0"))
    assert "SOAP-WSS-SIGNATURE" not in ids(validator, signed)
    tampered = signed.replace(b"<value>1</value>", b"<value>9</value>")
    [finding] = [f for f in validator.validate(tampered).findings if f.rule == "SOAP-WSS-SIGNATURE"]
    assert finding.is_error and "digest mismatch" in finding.message
    assert finding.expected and finding.received
    unsigned = envelope(READINGS % b"0.0.0.1.1.1.12.0.0.0.0.0.0.0.0.3.72.0")
    assert "SOAP-WSS-SIGNATURE" not in ids(validator, unsigned)
