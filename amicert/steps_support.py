"""What the generic steps do: resolve the use case's driver and the catalog row, then check.

A step whose text disagrees with the catalog is a defect of the feature file, reported as a
harness error (never as a verdict on the system under test).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from amicert.catalog import STEP_TEXT
from amicert.findings import Blame, Finding, about_device, error
from amicert.packages import driver_for
from amicert.world import NotApplicable, StepCheckFailed, World


class FeatureMismatch(Exception):
    """A Gherkin step that does not match the use-case catalog."""


def row_key(world: World, number: str) -> str:
    """The catalog key of row ``number`` as this scenario's feature writes it."""
    return world.use_case.key(world.scenario, number)


def _text_matches(world: World, number: str, text: str) -> None:
    row = world.use_case.row(number)
    expected = STEP_TEXT.match(row.text())
    if expected is None or expected.group("text") != text:
        raise FeatureMismatch(
            f"feature step {number} reads {text!r}; the catalog row reads {row.text()!r}"
        )


def establish_precondition(world: World, text: str) -> None:
    if text not in world.use_case.preconditions:
        raise FeatureMismatch(f"{text!r} is not a pre-condition of {world.use_case.id}")
    driver_for(world.use_case.id).precondition(world, text)


def run_setup(world: World, text: str) -> None:
    driver_for(world.use_case.id).setup(world, text)


def inject_fault(world: World, name: str) -> None:
    try:
        driver_for(world.use_case.id).inject(world, name)
    except NotApplicable as exc:
        world.na_reason = str(exc)
        pytest.skip(f"NOT_APPLICABLE: {exc}")


def trigger_row(world: World, number: str, text: str) -> None:
    number = row_key(world, number)
    row = world.use_case.row(number)
    if " ".join(row.trigger.split()).lower() != " ".join(text.split()).lower():
        raise FeatureMismatch(f"step {number}'s triggering event is {row.trigger!r}, not {text!r}")
    driver_for(world.use_case.id).trigger(world, number)


def check_row(world: World, number: str, text: str) -> None:
    number = row_key(world, number)
    _text_matches(world, number, text)
    world.check_row(number, driver_for(world.use_case.id).states)


POST_CONDITION = "post-condition"


def check_every_device(world: World, text: str) -> None:
    check, args = driver_for(world.use_case.id).device_check(text)
    if not world.devices:  # a per-meter check over no meter would pass vacuously
        raise StepCheckFailed(
            "post-condition",
            [
                error(
                    "HARNESS-SETUP",
                    "a per-meter check, but no meter is in scope",
                    blame=Blame.HARNESS,
                )
            ],
        )
    world.settle()
    world.analyse()  # every exchange matched to its row first: a check may name the row
    found: list[Finding] = []
    for device in world.devices:
        f = check(world, device, **{k: v for k, v in args.items() if v is not None})
        if f is not None:
            # a post-condition names no row of the table: it is reported under that name
            found.append(about_device(f if f.step else f.at_step(POST_CONDITION), device))
    world.findings.extend(found)
    errors = [f for f in found if f.is_error]
    if errors:
        raise StepCheckFailed(POST_CONDITION, errors)


def check_sequence(world: World) -> None:
    world.settle()
    analysis = world.analyse(final=True)
    world.attach_exchanges(analysis.unmatched)
    errors = [f for f in analysis.findings if f.is_error]
    if errors:
        raise StepCheckFailed("sequence", errors)


def skip_not_applicable(reason: str) -> None:
    pytest.skip(f"NOT_APPLICABLE: {reason}")


# The generic steps' texts: steps/generic.py binds these for pytest-bdd, and a headless run of a
# scenario (amicert.headless) dispatches on the same table, so both read features alike.
PATTERNS = {
    "pre_condition": r"pre-condition: (?P<text>.+)",
    "set_up": r"set-up: (?P<text>.+)",
    "fault": r'fault "(?P<name>[^"]+)" is injected',
    "triggered": r"step (?P<number>[^\s:]+) is triggered: (?P<text>.+)",
    "row": r"step (?P<number>[^\s:]+): (?P<text>.+)",
    "every_device": r"for every in-scope meter, (?P<text>.+)",
    "sequence": r"the observed sequence matches the use case",
}
_HANDLERS: dict[str, Callable[..., None]] = {
    "pre_condition": establish_precondition,
    "set_up": run_setup,
    "fault": inject_fault,
    "triggered": trigger_row,
    "row": check_row,
    "every_device": check_every_device,
    "sequence": check_sequence,
}
_COMPILED = [(re.compile(p), _HANDLERS[name]) for name, p in PATTERNS.items()]


def dispatch(world: World, text: str) -> None:
    """Run one Gherkin step's text against the world, as the pytest-bdd step would."""
    for pattern, handler in _COMPILED:
        m = pattern.fullmatch(text)
        if m:
            handler(world, **m.groupdict())
            return
    raise FeatureMismatch(f"no generic step reads {text!r}")


__all__ = ["Blame", "error"]
