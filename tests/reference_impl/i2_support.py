"""Building I2 worlds for the reference-actor and driver tests."""

from __future__ import annotations

from pathlib import Path

from amicert.catalog import load_catalog
from amicert.cim.validate import Validator
from amicert.packages import driver_for
from amicert.world import RunOptions, World

ROOT = Path(__file__).resolve().parents[2]
METER = 'meter "MTR-0001" of model "AX-200" serves account "ACC-1001" at "12 Elm Street"'
_VALIDATOR = Validator()


def i2_world(scenario: str, *setups: str, overrides: dict[str, str] | None = None) -> World:
    uc = load_catalog()["I2"]
    world = World(
        uc, uc.scenario(scenario), _VALIDATOR, RunOptions(actor_overrides=overrides or {})
    )
    driver = driver_for("I2")
    for text in (METER, *setups):
        driver.setup(world, text)
    return world


def run_out(world: World) -> None:
    world.start()
    world.clock.run_idle(world.deadline() - world.clock.now())


def labels(world: World) -> list[tuple[str, str, str]]:
    return [(x.producer, x.receiver, x.label) for x in world.trace.exchanges]
