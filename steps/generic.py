"""The generic steps. Each is one line into the harness library; the text names the mechanism.

- ``pre-condition: <text>``         a pre-condition of the use case, established and checked
- ``set-up: <text>``                provisioning through the use case's driver
- ``fault "<name>" is injected``    a named fault (``none`` for no fault)
- ``step <n> is triggered: <text>`` the triggering event of row n
- ``step <n>: <row text>``          one row of the step table, checked on the observed traffic
- ``for every in-scope meter, <check>``   an observed-state check per meter
- ``the observed sequence matches the use case``   the whole trace against the scenario
"""

from __future__ import annotations

from pytest_bdd import parsers, step

from amicert.steps_support import (
    PATTERNS,
    check_every_device,
    check_row,
    check_sequence,
    establish_precondition,
    inject_fault,
    run_setup,
    trigger_row,
)
from amicert.world import World


@step(parsers.re(PATTERNS["pre_condition"]))
def pre_condition(world: World, text: str) -> None:
    establish_precondition(world, text)


@step(parsers.re(PATTERNS["set_up"]))
def set_up(world: World, text: str) -> None:
    run_setup(world, text)


@step(parsers.re(PATTERNS["fault"]))
def fault(world: World, name: str) -> None:
    inject_fault(world, name)


@step(parsers.re(PATTERNS["triggered"]))
def triggered(world: World, number: str, text: str) -> None:
    trigger_row(world, number, text)


@step(parsers.re(PATTERNS["row"]))
def row(world: World, number: str, text: str) -> None:
    check_row(world, number, text)


@step(parsers.re(PATTERNS["every_device"]))
def every_device(world: World, text: str) -> None:
    check_every_device(world, text)


@step(PATTERNS["sequence"])
def sequence(world: World) -> None:
    check_sequence(world)
