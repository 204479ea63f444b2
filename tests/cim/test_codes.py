"""Code registries: known, unknown (warning) and malformed (error) codes of every kind."""

from __future__ import annotations

import pytest

from amicert.cim import codes
from amicert.cim.codes import (
    DEFAULT_EDITION,
    CodeRegistry,
    CodeStatus,
    ErrorCodeRegistry,
    check_reading_type,
    control_types,
    event_types,
)


@pytest.mark.parametrize(
    ("code", "meaning"),
    [
        ("3.11.17.52", "firmware replaced"),
        ("3.11.124.35", "firmware version invalid"),
        ("26.11.124.35", "firmware version invalid"),
        ("3.1.0.85", "communication failed"),
        ("3.26.0.216", "power restored"),
    ],
)
def test_known_event_codes(code: str, meaning: str) -> None:
    check = event_types().check(code)
    assert (check.status, check.meaning) == (CodeStatus.KNOWN, meaning)


def test_type_specific_code_is_not_a_wildcard() -> None:
    assert event_types().check("7.11.17.52").status is CodeStatus.UNKNOWN


def test_unknown_well_formed_code_names_type_and_domain() -> None:
    check = event_types().check("3.11.99.99")
    assert check.status is CodeStatus.UNKNOWN
    assert "electric meter" in check.message and "firmware" in check.message


@pytest.mark.parametrize(
    "code", ["3.11.17", "3.11.17.52.1", "3.11.x.52", "-3.11.17.52", "", "3.11.17.52\n"]
)
def test_malformed_event_codes(code: str) -> None:
    assert event_types().check(code).status is CodeStatus.MALFORMED


def test_control_codes() -> None:
    registry = control_types()
    assert registry.check("0.10.73.298").meaning == "pairing window open"
    assert registry.check("3.8.0.214").meaning == "demand reset"
    assert registry.check("3.11.17.52").status is CodeStatus.UNKNOWN


def test_extend_adds_codes_to_one_registry_only() -> None:
    registry = control_types()
    registry.extend({"3.1.0.999": "ping (utility profile)", "*.1.0.998": "any-device ping"})
    assert registry.check("3.1.0.999").status is CodeStatus.KNOWN
    assert registry.lookup("12.1.0.998") == "any-device ping"
    assert control_types().check("3.1.0.999").status is CodeStatus.UNKNOWN
    assert registry.copy().check("3.1.0.999").status is CodeStatus.KNOWN


def test_extend_refuses_malformed_codes() -> None:
    with pytest.raises(ValueError):
        event_types().extend({"ping": "x"})


def test_editions_are_registered_separately() -> None:
    codes.register_edition("test-edition", {"1.2.3.4": "only here"}, {})
    try:
        assert "test-edition" in codes.editions()
        assert event_types("test-edition").check("1.2.3.4").status is CodeStatus.KNOWN
        assert event_types().check("1.2.3.4").status is CodeStatus.UNKNOWN
        assert event_types().edition == DEFAULT_EDITION
    finally:
        del codes._EDITIONS["test-edition"]


def test_describe_code() -> None:
    assert codes.describe_code("x") == "malformed"
    assert "unknown type" in codes.describe_code("99.99.0.0")


@pytest.mark.parametrize(
    "code",
    [
        "0.0.0.1.1.1.12.0.0.0.0.0.0.0.0.3.72.0",
        "0.0.2.4.1.1.12.0.0.0.0.0.0.0.0.3.72.0",
        "0.0.0.1.1.1.12.0.0.0.0.0.0.0.0.-3.72.0",
    ],
)
def test_reading_type_well_formed(code: str) -> None:
    assert check_reading_type(code).status is not CodeStatus.MALFORMED


def test_reading_type_known() -> None:
    assert check_reading_type("0.0.0.1.1.1.12.0.0.0.0.0.0.0.0.3.72.0").status is CodeStatus.KNOWN


@pytest.mark.parametrize(
    "code",
    [
        "0.0.0.1.1.1.12.0.0.0.0.0.0.0.0.3.72",
        "0.0.0.1.1.1.12.0.0.0.0.0.0.0.0.3.72.0.0",
        "0.0.0.-1.1.1.12.0.0.0.0.0.0.0.0.3.72.0",
        "0.0.0.1.1.1.12.0.0.0.0.0.0.0.0.3.kWh.0",
    ],
)
def test_reading_type_malformed(code: str) -> None:
    assert check_reading_type(code).status is CodeStatus.MALFORMED


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("0.0", CodeStatus.KNOWN),
        ("2.4", CodeStatus.KNOWN),
        ("7.7", CodeStatus.KNOWN),
        ("2.32", CodeStatus.UNKNOWN),
        ("5.99", CodeStatus.UNKNOWN),
        ("8.1", CodeStatus.MALFORMED),
        ("2", CodeStatus.MALFORMED),
        ("2.4.1", CodeStatus.MALFORMED),
        ("E42", CodeStatus.MALFORMED),
    ],
)
def test_error_codes(code: str, status: CodeStatus) -> None:
    assert ErrorCodeRegistry().check(code).status is status


def test_error_code_extension() -> None:
    registry = ErrorCodeRegistry()
    registry.extend({"2.32": "utility: invalid campaign"})
    assert registry.check("2.32").status is CodeStatus.KNOWN
    with pytest.raises(ValueError):
        registry.extend({"9.1": "no such category"})


def test_registry_kind_in_messages() -> None:
    assert (
        CodeRegistry("EndDeviceControlType", "e", {})
        .check("1")
        .message.startswith("EndDeviceControlType")
    )


def test_unknown_code_is_not_called_unregistered_by_the_standard() -> None:
    message = event_types().check("3.12.48.219").message
    assert "not in amicert's code table" in message and "may still be a valid code" in message
    assert "registry" not in message


def test_annex_code_used_in_real_traffic_is_known() -> None:
    assert event_types().check("3.2.22.150").meaning == "battery charge low"


def test_extended_registry_forgets_stale_checks() -> None:
    registry = event_types()
    assert not registry.all_known(["3.12.48.219"])
    registry.extend({"3.12.48.219": "utility code"})
    assert registry.all_known(["3.12.48.219", "3.26.0.85"])
    assert registry.all_known([])
