"""The AMI Meter logs, keeps and reports its diagnostics by priority."""

from __future__ import annotations

from datetime import timedelta

from i2_support import i2_world, run_out

from amicert.packages import driver_for

DRIVER = driver_for("I2")


def test_a_critical_failure_is_reported_at_once_and_logged() -> None:
    world = i2_world("meter-trouble")
    DRIVER.inject(world, "time-sync")
    DRIVER.trigger(world, "3.1#1")
    world.clock.advance(timedelta(minutes=1))
    meter = world.actor("AMI Meter", "MTR-0001")
    assert [r.code for r in meter.diagnostics if r.kind == "diagnostic-failure"] == ["3.36.116.85"]
    [notice] = [x for x in world.trace.exchanges if x.label == "FailureNotice"]
    assert notice.virtual_time - world.params["detected_at"] <= timedelta(seconds=5)


def test_a_non_urgent_failure_waits_for_the_next_read() -> None:
    world = i2_world("meter-trouble")
    DRIVER.inject(world, "display")
    DRIVER.trigger(world, "3.1#1")
    run_out(world)
    meter = world.actor("AMI Meter", "MTR-0001")
    assert [r.details["failureClass"] for r in meter.pending] == ["display"]
    assert not [x for x in world.trace.exchanges if x.label == "FailureNotice"]


def test_records_are_kept_45_days_and_pruned_after_the_retention_period() -> None:
    world = i2_world("meter-trouble")
    world.start()
    meter = world.actor("AMI Meter", "MTR-0001")
    meter.record("3.26.0.85", "logged-event")
    world.clock.advance(timedelta(days=46))
    assert any(r.code == "3.26.0.85" for r in meter.records_kept())
    world.clock.advance(timedelta(days=15))
    assert not any(r.code == "3.26.0.85" for r in meter.records_kept())


def test_the_metrology_check_runs_daily() -> None:
    world = i2_world("meter-trouble")
    world.start()
    world.clock.advance(timedelta(days=10, hours=1))
    meter = world.actor("AMI Meter", "MTR-0001")
    assert len([r for r in meter.diagnostics if r.kind == "metrology-check"]) == 10


def test_an_on_demand_self_test_is_answered_not_reported_again() -> None:
    world = i2_world("high-bill-meter-fault", "the Installer carries a replacement meter")
    DRIVER.inject(world, "metrology")
    meter = world.actor("AMI Meter", "MTR-0001")
    assert meter.self_test() == [("3.11.100.85", "metrology")]
    meter.run_diagnostics()
    world.clock.advance(timedelta(hours=1))
    assert not [x for x in world.trace.exchanges if x.label == "FailureNotice"]
