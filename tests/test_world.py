"""The world's guards: a feature or catalog defect is a harness error with its own rule."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pytest
from lxml import etree

from amicert.actors.base import Actor, ActorContext, on
from amicert.bus import Bus
from amicert.catalog import load_catalog
from amicert.cim.validate import Validator
from amicert.clock import VirtualClock
from amicert.findings import Blame
from amicert.trace import Exchange, Trace, content_deviations
from amicert.world import StepCheckFailed, World
from usecases.firmware_upgrade import vocabulary as device

ROOT = Path(__file__).resolve().parents[1]


def world() -> World:
    uc = load_catalog()["AEP-5.8"]
    return World(uc, uc.scenario("never-confirms"), Validator())


def test_a_feature_row_outside_its_scenario_is_reported() -> None:
    with pytest.raises(StepCheckFailed) as info:
        world().check_row("1.11", {})  # 1.11 is no row of never-confirms
    assert info.value.findings[0].rule == "FEATURE-ROW"


def test_a_state_observation_the_driver_lacks_is_a_harness_error() -> None:
    uc = load_catalog()["AEP-5.8"]
    w = World(uc, uc.scenario("normal"), Validator())
    with pytest.raises(StepCheckFailed) as info:
        w.check_row("1.7", {})  # firmware_updated not offered
    assert info.value.findings[0].rule == "HARNESS-STATE"


def test_an_internal_row_without_an_observation_is_not_observable() -> None:
    w = world()
    w.use_case.rows["1.3"] = dataclasses.replace(w.use_case.rows["1.3"], observe={})
    with pytest.raises(StepCheckFailed) as info:
        w.check_row("1.3", {})
    assert info.value.findings[0].rule == "STEP-NOT-OBSERVABLE"
    assert info.value.findings[0].blame is Blame.INFRASTRUCTURE


def test_a_message_that_did_not_parse_cannot_be_any_rows_message() -> None:
    uc = load_catalog()["AEP-5.8"]
    x = Trace().record("AMI Head-End", "MDM", b"<not xml", VirtualClock().now())
    [finding] = content_deviations(x, uc.messages["firmware_confirmation"])
    assert finding.rule == "MSG-UNPARSED"


class Choking(Actor):
    role = "Metering Department"

    @on(device.qname("FirmwareImage"))
    def on_image(self, root: etree._Element, exchange: Exchange) -> None:
        raise ValueError("cannot cope")


class Sender(Actor):
    role = "Meter Vendor"


def test_a_receiver_failing_on_a_valid_message_is_blamed_for_it() -> None:
    clock = VirtualClock()
    trace = Trace()
    bus = Bus(clock, trace, Validator())
    ctx = ActorContext(clock, bus, random.Random(1))
    bus.bind(Choking(ctx))
    sender = Sender(ctx)
    image = device.FirmwareImage.make("IMG", "AMIC", "AX-200", 4, 2, b"fw")
    sender.send("Metering Department", device.firmware_image(image))
    clock.run_idle(clock.now() - clock.now())  # deliver what is due now
    [x] = trace.exchanges
    finding = next(f for f in x.findings if f.rule == "MSG-UNPROCESSABLE")
    assert finding.extra["actor"] == "Metering Department"
    assert "cannot cope" in x.note


def test_a_scheduled_action_that_breaks_is_a_finding_not_a_crash() -> None:
    """ACTOR-FAILED: the run goes on; alone it is the harness's ERROR, after a product's own
    defect it does not hide the product's FAIL."""
    from amicert.cim.validate import Validator as V
    from amicert.headless import cases, run_case
    from amicert.verdicts import Verdict
    from amicert.world import RunOptions

    uc = load_catalog()["AEP-5.8"]
    [normal] = [c for c in cases(uc) if c.id == "normal"]
    crashing = "mocks.faulty_actors:HeadEndCrashesAfterTheCampaign"
    # which actor's action broke is not known to the clock: it is the harness's to answer for
    outcome, world = run_case(normal, V(), RunOptions(actor_overrides={"AMI Head-End": crashing}))
    [failed] = [f for f in world.findings if f.rule == "ACTOR-FAILED"]
    assert "head-end housekeeping failed: RuntimeError: scheduled action broke" in failed.message
    assert failed.blame is Blame.HARNESS
    assert (outcome.verdict, outcome.rule) == (Verdict.ERROR, "ACTOR-FAILED")
    from amicert.findings import error as err
    from amicert.verdicts import decide

    earlier = err("PROFILE-CONTENT", "wrong", step="1.2")

    order = {n: i for i, n in enumerate(uc.scenario("normal").steps)}
    assert decide([failed, earlier], order=order).verdict is Verdict.FAIL
