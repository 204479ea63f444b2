"""Every code check's whole answer (code, status, message, meaning): the message is the finding's
text a vendor reads, so it is compared exactly."""

from __future__ import annotations

import pytest

from amicert.cim import codes
from amicert.cim.codes import (
    CodeCheck,
    CodeRegistry,
    CodeStatus,
    ErrorCodeRegistry,
    Registries,
    check_reading_type,
    control_types,
    describe_code,
    editions,
    event_types,
    register_edition,
)

KNOWN, UNKNOWN, MALFORMED = CodeStatus.KNOWN, CodeStatus.UNKNOWN, CodeStatus.MALFORMED
BULK = "0.0.0.1.1.1.12.0.0.0.0.0.0.0.0.3.72.0"


def test_event_and_control_code_checks_say_what_they_found() -> None:
    events = event_types()
    assert events.check("3.11.17.52") == CodeCheck(
        "3.11.17.52",
        KNOWN,
        "EndDeviceEventType 3.11.17.52: firmware replaced (type 3 electric meter, domain 11 "
        "firmware, subdomain 17 status, eventOrAction 52 replaced)",
        "firmware replaced",
    )
    assert events.check("3.11.99.99") == CodeCheck(
        "3.11.99.99",
        UNKNOWN,
        "EndDeviceEventType code 3.11.99.99 (type 3 electric meter, domain 11 firmware, subdomain "
        "99 (not named here), eventOrAction 99 (not named here)) is well-formed but not in "
        "amicert's code table (61968-9:2013 annex codes of the domains the use cases touch) or "
        "the profile's extensions; it may still be a valid code",
    )
    assert events.check("3.11.x.52") == CodeCheck(
        "3.11.x.52",
        MALFORMED,
        "EndDeviceEventType code '3.11.x.52' is not four dot-separated non-negative integers "
        "(type.domain.subdomain.eventOrAction)",
    )
    assert control_types().check("3.8.0.214").message == (
        "EndDeviceControlType 3.8.0.214: demand reset (type 3 electric meter, domain 8 demand, "
        "subdomain 0 not applicable, eventOrAction 214 reset)"
    )
    assert control_types().check("3.8.0.999").message == (
        "EndDeviceControlType code 3.8.0.999 (type 3 electric meter, domain 8 demand, subdomain 0 "
        "not applicable, eventOrAction 999 (not named here)) is well-formed but not in amicert's "
        "code table (61968-9:2013 annex codes of the domains the use cases touch) or the "
        "profile's extensions; it may still be a valid code"
    )


def test_a_wildcard_code_answers_for_every_device_type_but_not_a_bad_one() -> None:
    registry = CodeRegistry("EndDeviceEventType", "e", {"*.1.0.9": "any ping", "4.1.0.9": "own"})
    assert registry.lookup("4.1.0.9") == "own"
    assert registry.lookup("12.1.0.9") == "any ping"
    assert registry.lookup("x.1.0.9") is None and registry.lookup("12.1.0.8") is None
    copy = registry.copy()
    copy.extend({"5.5.5.5": "copy only"})
    assert (copy.kind, copy.edition) == ("EndDeviceEventType", "e")
    assert copy.lookup("5.5.5.5") == "copy only" and registry.lookup("5.5.5.5") is None
    assert copy.lookup("12.1.0.9") == "any ping"


def test_extending_a_registry_refuses_a_code_that_is_not_four_parts() -> None:
    registry = CodeRegistry("EndDeviceEventType", "e", {})
    with pytest.raises(ValueError, match=r"not a 4-part code: '1\.2\.3'"):
        registry.extend({"1.2.3": "short"})
    registry.extend({"*.2.3.4": "wildcard", "1.2.3.4": "plain"})
    assert registry.check("9.2.3.4").status is KNOWN


def test_known_codes_are_remembered_until_the_registry_is_extended() -> None:
    registry = CodeRegistry("EndDeviceEventType", "e", {"1.1.1.1": "a"})
    assert registry.all_known(["1.1.1.1", "1.1.1.1"])
    assert not registry.all_known(["1.1.1.1", "2.2.2.2"])
    assert not registry.all_known(["bad"])
    registry.extend({"2.2.2.2": "b"})
    assert registry.check("2.2.2.2").meaning == "b"
    assert registry.all_known(["2.2.2.2", "1.1.1.1"])


def test_code_descriptions_name_every_part() -> None:
    assert describe_code("3.11.17.52") == (
        "type 3 electric meter, domain 11 firmware, subdomain 17 status, eventOrAction 52 replaced"
    )
    assert describe_code("99.98.0.0") == (
        "type 99 unknown type, domain 98 unknown domain, subdomain 0 not applicable, "
        "eventOrAction 0 not applicable"
    )
    assert describe_code("3.11.17") == "malformed"
    assert describe_code("3.11.x.1") == "malformed"


def test_an_edition_registered_later_has_its_own_tables() -> None:
    register_edition("other-edition", {"1.1.1.1": "ev"}, {"2.2.2.2": "ctl"})
    try:
        assert "other-edition" in editions() and editions() == sorted(editions())
        assert event_types("other-edition").check("1.1.1.1").meaning == "ev"
        assert control_types("other-edition").check("2.2.2.2").meaning == "ctl"
        assert event_types("other-edition").check("2.2.2.2").status is UNKNOWN
        registries = Registries.default("other-edition")
        assert (registries.events.kind, registries.controls.kind) == (
            "EndDeviceEventType",
            "EndDeviceControlType",
        )
        assert registries.events.edition == "other-edition"
        assert registries.errors.check("0.0").meaning == "no errors"
    finally:
        del codes._EDITIONS["other-edition"]


def test_reading_type_checks_say_what_they_found() -> None:
    assert check_reading_type(BULK) == CodeCheck(
        BULK,
        KNOWN,
        f"ReadingType {BULK}: bulk forward electricity energy, kWh",
        "bulk forward electricity energy, kWh",
    )
    other = "0.0.0.1.1.1.12.0.0.0.0.0.0.0.0.-3.72.0"
    assert check_reading_type(other) == CodeCheck(
        other, UNKNOWN, f"ReadingType {other} is well-formed"
    )
    assert check_reading_type("1.2") == CodeCheck(
        "1.2", MALFORMED, "ReadingType '1.2' has 2 parts, not 18"
    )
    bad_unit = "0.0.0.1.1.1.12.0.0.0.0.0.0.0.0.3.-72.0"
    assert check_reading_type(bad_unit) == CodeCheck(
        bad_unit, MALFORMED, f"ReadingType {bad_unit!r}: unit '-72' is not valid"
    )
    bad_first = "x.0.0.1.1.1.12.0.0.0.0.0.0.0.0.3.72.0"
    assert check_reading_type(bad_first).message == (
        f"ReadingType {bad_first!r}: macroPeriod 'x' is not valid"
    )


def test_error_code_checks_say_what_they_found() -> None:
    registry = ErrorCodeRegistry()
    assert registry.check("2.4") == CodeCheck(
        "2.4", KNOWN, "error code 2.4: invalid meter(s)", "invalid meter(s)"
    )
    assert registry.check("2.04").meaning == "invalid meter(s)"
    assert registry.check("2.99") == CodeCheck(
        "2.99", UNKNOWN, "error code 2.99 is not a known code of category 2 (invalid parameter)"
    )
    assert registry.check("9.1") == CodeCheck(
        "9.1", MALFORMED, "error code 9.1: category 9 is not one of [0, 1, 2, 3, 4, 5, 6, 7]"
    )
    assert registry.check("E42") == CodeCheck(
        "E42", MALFORMED, "error code 'E42' is not <category>.<number>"
    )


def test_extending_error_codes_refuses_a_malformed_code() -> None:
    registry = ErrorCodeRegistry()
    with pytest.raises(ValueError, match=r"not a code in a known category: 'x'"):
        registry.extend({"x": "no form"})
    with pytest.raises(ValueError, match=r"not a code in a known category: '9\.1'"):
        registry.extend({"9.1": "no category"})
    registry.extend({"7.32": "utility"})
    assert registry.check("7.32").message == "error code 7.32: utility"
