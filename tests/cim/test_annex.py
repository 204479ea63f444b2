"""The 61968-9 annex code table: every code is made of annex values and is described; codes of the
use cases' domains are known; mis-formed codes are errors in a validated message."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

from amicert.cim import annex
from amicert.cim.codes import CodeStatus, control_types, describe_code, event_types
from amicert.cim.envelope import Header, build_event, build_request
from amicert.cim.nouns import (
    EndDeviceControlData,
    EndDeviceEventData,
    end_device_controls,
    end_device_events,
)
from amicert.cim.validate import Validator

from .conftest import T0

TABLES = {"event": annex.EVENT_CODES_2013, "control": annex.CONTROL_CODES_2013}


def _parts(code: str) -> list[int]:
    return [int(p) for p in code.split(".")[1:]]


@pytest.mark.parametrize(
    "code", [c for table in TABLES.values() for c in table], ids=lambda c: str(c)
)
def test_every_table_code_is_made_of_annex_values(code: str) -> None:
    kind, domain, subdomain, event = code.split(".")
    assert kind == "*" or int(kind) in annex.DEVICE_TYPES
    assert int(domain) in annex.DOMAINS
    assert int(subdomain) in annex.SUBDOMAINS
    assert int(event) in annex.EVENTS_OR_ACTIONS


def test_domains_have_their_annex_numbers() -> None:
    expected = {
        0: "not applicable",
        1: "communication",
        2: "battery",
        7: "configuration",
        10: "pairing",
        11: "firmware",
        12: "security",
        15: "load control",
        26: "power",
        31: "RCD switch",
        36: "clock",
    }
    assert {k: annex.DOMAINS[k] for k in expected} == expected


@pytest.mark.parametrize(
    ("code", "meaning", "names"),
    [
        ("3.11.17.25", "firmware downloaded", "domain 11 firmware, subdomain 17 status"),
        ("12.11.17.4", "firmware activated", "eventOrAction 4 activated"),
        ("3.11.17.85", "firmware update failed", "eventOrAction 85 failed"),
        ("3.6.0.52", "device replaced (exchanged)", "domain 6 installation"),
        ("3.12.29.39", "cover opened", "subdomain 29 cover, eventOrAction 39 opened"),
        ("3.12.66.257", "magnetic tamper detected", "eventOrAction 257 tamper detected"),
        ("3.1.0.47", "communication lost", "domain 1 communication"),
        ("12.10.0.58", "PAN pairing succeeded", "type 12 PAN device, domain 10 pairing"),
        ("15.13.112.78", "text message displayed", "subdomain 112 text message"),
        ("16.15.0.81", "customer opted out of load control event", "domain 15 load control"),
        ("3.36.116.85", "time synchronisation failed", "subdomain 116 time sync"),
    ],
)
def test_use_case_events_are_known_and_described(code: str, meaning: str, names: str) -> None:
    check = event_types().check(code)
    assert check.status is CodeStatus.KNOWN
    assert check.meaning == meaning
    assert names in check.message


@pytest.mark.parametrize(
    ("code", "meaning"),
    [
        ("0.10.73.298", "pairing window open"),
        ("15.13.112.77", "display text message"),
        ("16.15.148.8", "cancel all load control events"),
        ("3.31.0.6", "arm switch for open"),
        ("3.11.17.54", "start firmware activation"),
    ],
)
def test_use_case_controls_are_known(code: str, meaning: str) -> None:
    check = control_types().check(code)
    assert (check.status, check.meaning) == (CodeStatus.KNOWN, meaning)
    assert describe_code(code) in check.message


def test_unknown_code_names_its_parts_and_says_which_are_not_annex_values() -> None:
    check = event_types().check("3.99.17.500")
    assert check.status is CodeStatus.UNKNOWN
    assert "type 3 electric meter" in check.message
    assert "domain 99 unknown domain" in check.message
    assert "subdomain 17 status" in check.message
    assert "eventOrAction 500 (not named here)" in check.message


def test_a_control_code_is_not_an_event_code() -> None:
    assert event_types().check("0.10.73.298").status is CodeStatus.UNKNOWN


@pytest.mark.parametrize("code", ["3.11.17", "3.11.17.52.", "3.11.17.x", "3 .11.17.52", "3.11..52"])
def test_misformed_code_is_malformed(code: str) -> None:
    assert event_types().check(code).status is CodeStatus.MALFORMED
    assert control_types().check(code).status is CodeStatus.MALFORMED
    assert describe_code(code) == "malformed"


def _event_message(code: str) -> bytes:
    payload = end_device_events(
        [EndDeviceEventData(mrid="e-1", created=T0, event_type=code, asset_mrid="MTR-1")]
    )
    header = Header(verb="created", noun="EndDeviceEvents", message_id="m-1", timestamp=T0)
    return build_event(header, payload)


def test_validated_message_with_known_code_has_no_code_finding() -> None:
    result = Validator().validate(_event_message("3.12.29.39"))
    assert result.ok, result.findings
    assert not [f for f in result.findings if f.rule.startswith("CODE-")]


def test_validated_message_with_misformed_code_fails_with_the_code_rule() -> None:
    data = _event_message("3.12.29")
    result = Validator().validate(data)
    codes = [f for f in result.findings if f.rule == "CODE-EVENT-TYPE"]
    assert not result.ok and len(codes) == 1
    assert codes[0].received == "3.12.29"
    assert "not four dot-separated" in codes[0].message
    assert codes[0].xpath is not None
    found: Any = etree.fromstring(data).getroottree().xpath(codes[0].xpath)
    assert [etree.QName(el).localname for el in found] == ["EndDeviceEventType"]


def test_validated_control_with_unknown_code_is_a_warning_naming_the_parts() -> None:
    payload = end_device_controls(
        [EndDeviceControlData(mrid="c-1", control_type="0.10.73.54", end_device_mrids=["IHD-1"])]
    )
    header = Header(verb="create", noun="EndDeviceControls", message_id="m-2", timestamp=T0)
    result = Validator().validate(build_request(header, payload))
    unknown = [f for f in result.findings if f.rule == "CODE-CONTROL-TYPE-UNKNOWN"]
    assert len(unknown) == 1 and not unknown[0].is_error
    assert "domain 10 pairing, subdomain 73 window, eventOrAction 54 start" in unknown[0].message
