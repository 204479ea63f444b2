"""Each observed-state check fails, naming its rule, when the state it reads is wrong."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reference_impl"))

from i2_support import i2_world

from amicert.adapters.remote import TestControlError as ControlError
from amicert.catalog import load_catalog
from amicert.cim.validate import Validator
from amicert.findings import Blame
from amicert.packages import driver_for
from amicert.world import RunOptions, World
from usecases.firmware_upgrade import driver as aep
from usecases.meter_lifecycle import driver as i2

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def world() -> World:
    w = i2_world("meter-trouble")
    w.start()
    w.params["failure"] = "checksum"
    return w


def test_a_failure_missing_from_the_meters_log(world: World) -> None:
    finding = i2._failure_logged(world, "MTR-0001")
    assert finding is not None and finding.rule == "STATE-I2-FAILURE-LOG"


def test_a_meter_left_in_its_socket(world: World) -> None:
    finding = i2._meter_exchanged(world, "MTR-0001")
    assert finding is not None and finding.rule == "STATE-I2-METER-CHANGE"


def test_the_failed_meter_still_in_the_socket_is_not_resolved(world: World) -> None:
    finding = i2._problem_resolved(world, "MTR-0001")
    assert finding is not None and finding.rule == "STATE-I2-RESOLVED"


def test_no_field_test_with_the_expected_result(world: World) -> None:
    finding = i2._field_test("fail")(world, "MTR-0001")
    assert finding is not None and finding.rule == "STATE-I2-FIELD-TEST"


def test_a_decision_the_operator_never_made(world: World) -> None:
    finding = i2._decided("Installer", "replacement meter at hand", "yes")(world, "MTR-0001")
    assert finding is not None and finding.rule == "STATE-I2-DECISION"


def test_data_not_marked_untrustworthy(world: World) -> None:
    world.params["subject"] = "MTR-0001"
    finding = i2.untrustworthy(world, "MTR-0001")
    assert finding is not None and finding.rule == "STATE-I2-UNTRUSTWORTHY"


def aep_world(overrides: dict[str, str] | None = None) -> World:
    uc = load_catalog()["AEP-5.8"]
    w = World(uc, uc.scenario("normal"), Validator(), RunOptions(actor_overrides=overrides or {}))
    driver_for("AEP-5.8").setup(w, '1 meter of model "AX-200" running firmware 4.1 is in scope')
    w.start()
    return w


def test_a_table_of_the_wrong_length_is_reported() -> None:
    w = aep_world({"Meter Metrology Board": "mocks.faulty_actors:MetrologyShortTable"})
    finding = aep.read_table1(w, "MTR-0001")
    assert not isinstance(finding, aep.StandardTable1)
    assert finding.rule == "STATE-TABLE1" and finding.blame is Blame.SUT


def test_a_table_that_cannot_be_read_through_test_control_is_inconclusive(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    w = aep_world()

    class Unreachable:
        def read_table(self, table: int) -> bytes:
            raise ControlError("test-control state: connection refused")

    monkeypatch.setattr(w, "actor", lambda role, instance=None: Unreachable())
    finding = aep.read_table1(w, "MTR-0001")
    assert not isinstance(finding, aep.StandardTable1)
    assert finding.rule == "STATE-UNREADABLE" and finding.blame is Blame.INFRASTRUCTURE


def test_a_firmware_check_with_no_meter_is_a_harness_error() -> None:
    finding = aep._firmware_is(aep_world(), None, "4.2", "STATE-FIRMWARE", "x")
    assert finding is not None and finding.rule == "STATE-NO-METER"
    assert finding.blame is Blame.HARNESS
