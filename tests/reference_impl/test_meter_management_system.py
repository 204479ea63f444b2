"""The Meter Management System decides trouble reports from its rules and stored state."""

from __future__ import annotations

from datetime import timedelta

from i2_support import i2_world, run_out

from amicert.packages import driver_for

DRIVER = driver_for("I2")


def fail_and_run(world, failure: str) -> None:  # type: ignore[no-untyped-def]
    DRIVER.inject(world, failure)
    DRIVER.trigger(world, "3.1#1")
    run_out(world)


def test_a_critical_failure_is_issued_to_the_organization_of_its_component() -> None:
    for failure, org in (("metrology", "MSO"), ("han-communication", "TP&S")):
        world = i2_world("meter-trouble", "the Installer carries a replacement meter")
        fail_and_run(world, failure)
        mms = world.actor("Meter Management System")
        [decision] = mms.decisions
        assert decision.outcome == "issued"
        [order] = mms.orders_for("MTR-0001")
        assert order.organisation == org
        assert order.priority == (2 if failure == "metrology" else 3)


def test_routing_follows_the_configured_table() -> None:
    world = i2_world("meter-trouble")
    world.settings["routing"] = {"meter": "Metering Operations"}
    fail_and_run(world, "memory")
    [order] = world.actor("Meter Management System").orders_for("MTR-0001")
    assert order.organisation == "Metering Operations"


def test_no_trouble_report_for_a_failure_inside_a_known_outage() -> None:
    world = i2_world(
        "suppressed-during-outage",
        'the TDBU Maintenance Planning Organization announces a "planned outage"',
    )
    DRIVER.inject(world, "power")
    DRIVER.trigger(world, "O1")
    run_out(world)
    mms = world.actor("Meter Management System")
    assert [d.outcome for d in mms.decisions] == ["suppressed"]
    assert mms.orders_for("MTR-0001") == []


def test_a_failure_after_the_outage_is_issued() -> None:
    world = i2_world("suppressed-during-outage")
    world.start()
    now = world.clock.now()
    world.actor("TDBU Maintenance Planning Organization").announce(
        "planned outage", ["MTR-0001"], now, now + timedelta(hours=1)
    )
    world.clock.advance(timedelta(hours=2))
    fail_and_run(world, "power")
    assert [d.outcome for d in world.actor("Meter Management System").decisions] == ["issued"]


def test_a_second_failure_is_attached_to_the_open_order() -> None:
    world = i2_world("meter-trouble")
    DRIVER.inject(world, "memory")
    DRIVER.trigger(world, "3.1#1")
    world.clock.advance(timedelta(hours=1))
    DRIVER.inject(world, "time-sync")
    DRIVER.trigger(world, "3.1#1")
    world.clock.advance(timedelta(hours=1))
    mms = world.actor("Meter Management System")
    assert [d.outcome for d in mms.decisions] == ["issued", "attached"]
    assert len(mms.orders_for("MTR-0001")) == 1


def test_the_lot_query_lists_the_other_meters_of_the_lot() -> None:
    world = i2_world(
        "data-trouble", "the meter's reads have been flat for a week, beside 2 meters of its lot"
    )
    world.start()
    peers = world.actor("Meter Management System").same_lot("MTR-0001")
    assert sorted(p.mrid for p in peers) == ["MTR-0101", "MTR-0102"]
