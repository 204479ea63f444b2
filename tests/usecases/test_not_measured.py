"""A requirement the run could not measure is never passed silently."""

from __future__ import annotations

from pathlib import Path

import pytest

from amicert.catalog import load_catalog
from amicert.cim.validate import Validator
from amicert.findings import Blame
from amicert.steps_support import check_every_device
from amicert.verdicts import Verdict, decide
from amicert.world import StepCheckFailed, World
from usecases.meter_lifecycle.driver import download_within, metrology_cadence

ROOT = Path(__file__).resolve().parents[2]


def bare_world() -> World:
    uc = load_catalog()["I2"]
    return World(uc, next(iter(uc.scenarios.values())), Validator())


def test_an_nfr_with_nothing_observed_is_not_measured_and_inconclusive() -> None:
    world = bare_world()
    world.params["subject"] = "MTR-0001"
    for finding in (download_within(world, "MTR-0001", "10"), metrology_cadence(world, "MTR-0001")):
        assert finding is not None and finding.rule == "NFR-NOT-MEASURED"
        assert finding.blame is Blame.INFRASTRUCTURE
        assert decide([finding]).verdict is Verdict.INCONCLUSIVE


def test_a_per_meter_check_with_no_meter_in_scope_fails_as_a_harness_error() -> None:
    with pytest.raises(StepCheckFailed) as info:
        check_every_device(bare_world(), "the Field Tool download takes at most 10 seconds")
    assert info.value.findings[0].rule == "HARNESS-SETUP"
