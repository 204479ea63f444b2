"""The reference metrology board applies only safe images and reports the table as it reads."""

from __future__ import annotations

import dataclasses
import random

import pytest

from amicert.actors.base import ActorContext
from amicert.bus import Bus
from amicert.c1219 import StandardTable1
from amicert.cim.validate import Validator
from amicert.clock import VirtualClock
from amicert.trace import Trace
from reference_impl.metrology_board import MetrologyBoard
from usecases.firmware_upgrade import vocabulary as device


@pytest.fixture
def board() -> MetrologyBoard:
    clock = VirtualClock()
    settings = {"meters": {"M1": {"model": "AX-200", "fw_version": 4, "fw_revision": 1}}}
    ctx = ActorContext(clock, Bus(clock, Trace(), Validator()), random.Random(1), settings)
    return MetrologyBoard(ctx, "M1")


def image(
    version: int = 4, revision: int = 2, model: str = "AX-200", maker: str = "AMIC"
) -> device.FirmwareImage:
    return device.FirmwareImage.make("IMG", maker, model, version, revision, b"\x01\x02\x03" * 100)


def test_a_newer_intact_image_for_this_model_is_accepted(board: MetrologyBoard) -> None:
    assert board.check(image()) is None
    board.apply(image())
    assert StandardTable1.decode(board.read_table(1)).firmware == "4.2"


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (
            dataclasses.replace(image(), content=b"\x00" + image().content[1:]),
            "IMAGE_HASH_MISMATCH",
        ),
        (image(model="BX-900"), "MODEL_MISMATCH"),
        (image(maker="OTHR"), "MANUFACTURER_MISMATCH"),
        (image(version=4, revision=0), "DOWNGRADE"),
        (image(version=3, revision=9), "DOWNGRADE"),
    ],
)
def test_an_unsafe_image_is_refused_with_its_reason(
    board: MetrologyBoard, bad: device.FirmwareImage, reason: str
) -> None:
    assert board.check(bad) == reason


def test_only_standard_table_1_is_implemented(board: MetrologyBoard) -> None:
    with pytest.raises(ValueError, match="table 2 not implemented"):
        board.read_table(2)
