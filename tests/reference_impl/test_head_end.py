"""The reference head-end runs a campaign over days and accounts for every meter."""

from __future__ import annotations

from pathlib import Path

from amicert.catalog import load_catalog
from amicert.cim.validate import Validator
from amicert.packages import driver_for
from amicert.world import World

ROOT = Path(__file__).resolve().parents[2]


def campaign_world(meters: int, fault: str = "none") -> World:
    uc = load_catalog()["AEP-5.8"]
    world = World(uc, uc.scenario("normal"), Validator())
    driver = driver_for("AEP-5.8")
    driver.setup(world, f'{meters} meters of model "AX-200" running firmware 4.1 are in scope')
    driver.setup(world, 'the Meter Vendor has an image of firmware 4.2 for model "AX-200"')
    driver.inject(world, fault)
    driver.trigger(world, "1.1")
    world.clock.run_idle(world.deadline() - world.clock.now())
    return world


def test_downloads_are_spread_over_the_first_half_of_the_window() -> None:
    world = campaign_world(5)
    hours = [
        (x.virtual_time - world.start_time).total_seconds() / 3600
        for x in world.trace.exchanges
        if x.producer == "AMI Head-End" and x.receiver == "AMI Network"
    ]
    # 7 days, 5 meters: one every 84 / 5 hours, so the campaign runs over several days
    assert [round(h, 1) for h in hours] == [0.0, 16.8, 33.6, 50.4, 67.2]


def test_every_meter_is_confirmed_to_the_mdm_once() -> None:
    world = campaign_world(5)
    mdm = world.actor("MDM")
    for meter in world.devices:
        assert [e.code for e in mdm.events_for(meter)] == ["3.11.17.52"]
        assert mdm.events_for(meter)[0].details["firmwareVersion"] == "4.2"


def test_a_meter_that_never_answers_is_reported_when_the_window_closes() -> None:
    world = campaign_world(2, fault="nic-offline")
    mdm = world.actor("MDM")
    for meter in world.devices:
        [event] = mdm.events_for(meter)
        assert event.code == "3.1.0.85"
        assert event.details["failure"] == "NO_CONFIRMATION"
    report = next(x for x in world.trace.exchanges if x.receiver == "MDM")
    assert (report.virtual_time - world.start_time).days == 7
