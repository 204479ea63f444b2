"""Messages of the kinds real integrations send, written from the standard's element names, each
with the verdict the standard gives it: ``amicert validate`` must agree, error by error.

data/realistic/ holds conforming messages (MeterReadings with interval blocks, an event batch,
scheduled controls, Get requests in both forms, a FAILED reply, 2015 and 2017 namespaces);
data/realistic_invalid/ holds each with one or two faults of the kind vendors make.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from amicert.cim.validate import ValidationContext, Validator
from amicert.cim.validate_cmd import EXIT_INVALID
from amicert.cli import main

DATA = Path(__file__).parent / "data"
VALID = DATA / "realistic"
INVALID = DATA / "realistic_invalid"

# file -> the warnings the standard's verdict comes with (the schemas cannot check a 2015 or
# 2017 message namespace: amicert ships the 2011 envelope only)
VALID_VERDICTS: dict[str, set[str]] = {
    "meterreadings_interval_reply.xml": set(),
    "enddeviceevents_batch.xml": set(),
    "enddevicecontrols_scheduled.xml": set(),
    "get_meterreadings.xml": set(),
    "wrapper_get_meterreadings.xml": set(),
    "reply_failed_errors.xml": set(),
    "ed2_2017_enddeviceevents.xml": {"XSD-ENVELOPE-UNCHECKED"},
    "ns_2015_message.xml": {"ENV-EDITION", "XSD-ENVELOPE-UNCHECKED"},
}

# file -> every error the standard's verdict names
INVALID_VERDICTS: dict[str, set[str]] = {
    "interval_block_without_readingtype.xml": {"XSD-PAYLOAD"},
    "interval_reading_type_17_parts.xml": {"CODE-READING-TYPE"},
    "events_naive_time_and_short_code.xml": {"PAYLOAD-DATETIME-ZONE", "CODE-EVENT-TYPE"},
    "event_reason_after_severity.xml": {"XSD-PAYLOAD"},
    "control_without_type.xml": {"XSD-PAYLOAD"},
    "control_verb_in_event_message.xml": {"ENV-KIND-VERB"},
    "get_with_noun_mismatch.xml": {"ENV-REQUEST-NOUN"},
    "reply_result_error.xml": {"XSD-ENVELOPE", "ENV-REPLY-RESULT"},
    "reply_error_code_malformed.xml": {"CODE-ERROR"},
    "reply_partial_without_error.xml": {"ENV-RESULT-ERROR"},
    "reply_timestamp_without_zone.xml": {"ENV-TIMESTAMP-ZONE"},
    "ed2_2017_payload_wrong_order.xml": {"XSD-PAYLOAD"},
}


def test_every_file_has_a_verdict() -> None:
    assert {p.name for p in VALID.glob("*.xml")} == set(VALID_VERDICTS)
    assert {p.name for p in INVALID.glob("*.xml")} == set(INVALID_VERDICTS)


def _offline() -> ValidationContext:
    return ValidationContext(check_replay=False)


@pytest.mark.parametrize("name", sorted(VALID_VERDICTS))
def test_conforming_message_is_valid_with_only_the_expected_warnings(name: str) -> None:
    result = Validator().validate((VALID / name).read_bytes(), _offline())
    assert result.ok, [str(f) for f in result.errors]
    assert result.checked
    assert {f.rule for f in result.findings} == VALID_VERDICTS[name]


@pytest.mark.parametrize("name", sorted(INVALID_VERDICTS))
def test_faulty_message_fails_with_the_standards_reasons(name: str) -> None:
    result = Validator().validate((INVALID / name).read_bytes(), _offline())
    assert {f.rule for f in result.errors} == INVALID_VERDICTS[name]
    for finding in result.errors:
        assert finding.message and finding.xpath, str(finding)


def test_a_get_for_another_noun_says_which_query_was_expected() -> None:
    result = Validator().validate((INVALID / "get_with_noun_mismatch.xml").read_bytes())
    [finding] = [f for f in result.findings if f.rule == "ENV-REQUEST-NOUN"]
    assert (finding.expected, finding.received) == ("GetEndDeviceEvents", "GetMeterReadings")


def test_the_known_codes_of_the_batch_are_described_without_warnings() -> None:
    result = Validator().validate((VALID / "enddeviceevents_batch.xml").read_bytes())
    assert result.info is not None
    assert result.info.event_codes == ["3.26.0.85", "3.26.0.216", "3.12.29.39", "3.12.66.257"]
    assert not [f for f in result.findings if f.rule.startswith("CODE-")]


def test_the_command_gives_every_file_its_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted(str(p) for p in [*VALID.glob("*.xml"), *INVALID.glob("*.xml")])
    code = main(["validate", "--json", *files])
    out = json.loads(capsys.readouterr().out)
    verdicts = {Path(item["file"]).name: item["verdict"] for item in out}
    assert verdicts == {
        **dict.fromkeys(VALID_VERDICTS, "VALID"),
        **dict.fromkeys(INVALID_VERDICTS, "INVALID"),
    }
    assert code == EXIT_INVALID
