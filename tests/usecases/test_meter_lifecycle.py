"""The I2 driver: its set-ups, triggers and checks, each check shown to pass and to fail."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import pytest

from amicert.driver import DriverError
from amicert.packages import driver_for

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reference_impl"))
from i2_support import i2_world, run_out

DRIVER = driver_for("I2")
REPORTED = "a failure is reported to the AMI System within 15 minutes of its detection"


def meter_trouble(*setups: str, failure: str = "metrology", overrides=None):  # type: ignore[no-untyped-def]
    world = i2_world(
        "meter-trouble", "the Installer carries a replacement meter", *setups, overrides=overrides
    )
    DRIVER.inject(world, failure)
    DRIVER.trigger(world, "3.1#1")
    run_out(world)
    return world


def check(world, text: str):  # type: ignore[no-untyped-def]
    fn, args = DRIVER.device_check(text)
    return fn(world, "MTR-0001", **{k: v for k, v in args.items() if v is not None})


def test_the_driver_is_registered_and_knows_every_trigger_of_the_features() -> None:
    assert set(DRIVER.triggers) == {
        "3.1#1",
        "3.2#1",
        "3.3#1",
        "3.4#1",
        "3.5#1",
        "3.6#1",
        "3.7#1",
        "O1",
    }
    with pytest.raises(DriverError):
        DRIVER.setup(i2_world("meter-trouble"), "the moon is full")


def test_every_requirement_check_passes_on_the_reference() -> None:
    world = meter_trouble(
        "the AMI System has logged 2 earlier failures of the meter",
        'the meter logged a "3.26.0.85" event 43 days ago',
    )
    for text in (
        REPORTED,
        "the Field Tool download takes at most 10 seconds",
        "the download holds every diagnostic event of the last 45 days",
        "metrology checks are logged between daily and monthly",
        "the AMI System logs the failure by account, by meter and by manufacturer",
        "the AMI System finds the meter's failures chronic",
        'the trouble report is routed to "MSO"',
        "the trouble order downloaded to the field tool names premise, equipment, type, schedule and material",
        "the order is scheduled within its service level",
    ):
        assert check(world, text) is None, text


def test_the_routing_check_names_the_expected_and_the_received_organization() -> None:
    world = meter_trouble()
    finding = check(world, 'the trouble report is routed to "IT"')
    assert (finding.rule, finding.step, finding.expected, finding.received) == (
        "BR-I2BR3",
        "3.1#4",
        "IT",
        "MSO",
    )


def test_the_reporting_delay_is_measured_on_the_trace() -> None:
    world = meter_trouble()
    assert check(world, "a failure is reported to the AMI System within 0 minutes of its detection")
    world.params["detected_at"] -= timedelta(minutes=20)
    finding = check(world, REPORTED)
    assert finding.rule == "NFR-I2NFR4" and finding.step == "3.1#2"


def test_the_download_limit_is_measured_on_the_trace() -> None:
    world = meter_trouble()
    finding = check(world, "the Field Tool download takes at most 3 seconds")
    assert finding.rule == "NFR-I2NFR7" and finding.received == "4 s"


def test_the_retention_check_fails_when_a_logged_event_is_missing_from_the_download() -> None:
    world = meter_trouble('the meter logged a "3.26.0.85" event 43 days ago')
    world.params["seeded"].append(("MTR-0001", world.start_time + timedelta(days=40), "3.18.85.85"))
    finding = check(world, "the download holds every diagnostic event of the last 45 days")
    assert finding.rule == "NFR-I2NFR5"


def test_the_suppression_state_check_fails_when_an_order_exists() -> None:
    world = meter_trouble()
    assert DRIVER.states["trouble_report_suppressed"](world, "MTR-0001").rule == "STATE-I2FR18"


def test_a_drifting_meter_fails_its_routine_test_and_a_replacement_is_raised_from_the_field() -> (
    None
):
    world = i2_world("maintenance-no-replacement", "the meter's metrology drifts by 3 percent")
    DRIVER.trigger(world, "3.4#1")
    run_out(world)
    mms = world.actor("Meter Management System")
    kinds = sorted((o.order.kind, o.order.status) for o in mms.orders.values())
    assert kinds == [("maintenance", "dispatched"), ("trouble", "open")]
    held = world.actor("Field Force Planning and Dispatch System").held
    assert [o.trouble_code for o in held] == ["REPLACE_METER"]  # no replacement meter at hand
    assert DRIVER.states["field_test_failed"](world, "MTR-0001") is None
    assert DRIVER.states["field_test_passed"](world, "MTR-0001") is not None


@pytest.mark.parametrize(
    ("actor", "issued"),
    [(None, 1), ("mocks.faulty_i2:MmsHoldsReplacementForMaterial", 0)],
    ids=["issued-at-once", "held-for-material"],
)
def test_both_readings_of_the_replacement_raised_in_the_field_pass(
    actor: str | None, issued: int
) -> None:
    from amicert.catalog import load_catalog
    from amicert.cim.validate import Validator
    from amicert.headless import cases, run_case
    from amicert.verdicts import Verdict
    from amicert.world import RunOptions

    [case] = [c for c in cases(load_catalog()["I2"]) if c.id == "maintenance-no-replacement"]
    overrides = {"Meter Management System": actor} if actor else {}
    outcome, world = run_case(case, Validator(), RunOptions(actor_overrides=overrides))
    assert outcome.verdict is Verdict.PASS, outcome
    seen = [x for x in world.trace.exchanges if x.step == "3.4#5.2" and x.in_reply_to is None]
    assert [x.producer for x in seen] == ["Field Tool", *["Meter Management System"] * issued]


def test_the_trouble_order_deadline_and_the_priority_pass_on_the_reference_and_fail_late() -> None:
    world = meter_trouble(failure="checksum")
    assert (
        check(world, "the Meter Management System issues the trouble order within its deadline")
        is None
    )
    assert check(world, "the meter reports each failure with the priority of its class") is None
    late = meter_trouble(
        failure="checksum", overrides={"Meter Management System": "mocks.faulty_i2:MmsIssuesLate"}
    )
    found = check(late, "the Meter Management System issues the trouble order within its deadline")
    assert found is not None and found.rule == "BR-I2-ISSUE-DEADLINE" and found.step == "3.1#4"
    assert found.expected and "0:15:00" in found.expected and found.received


def test_a_malformed_order_record_read_through_test_control_names_its_schema_path() -> None:
    """The orders_for answer is checked against its published schema wherever it is read."""
    from amicert.control_schema import answer_problem

    request = {
        "query": "invoke",
        "actor": "Meter Management System",
        "name": "orders_for",
        "args": ["MTR-0001"],
    }
    good = {"kind": "value", "value": [{"mrid": "o-1", "priority": 2}]}
    assert answer_problem("state", request, good, "I2") is None
    for field, bad in (("requested", "17/02/2026"), ("priority", "high")):
        answer = {"kind": "value", "value": [{"mrid": "o-1", field: bad}]}
        found = answer_problem("state", request, answer, "I2")
        assert found is not None and found.rule == "TEST-CONTROL-ANSWER"
        assert found.xpath == f"$.value[0].{field}", found
        assert found.received == repr(bad)
