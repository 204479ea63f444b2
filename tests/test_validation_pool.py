"""Validation in worker processes judges exactly as validation in one process: the same findings
on every exchange and the same verdict, faulty messages and reused MessageIDs included; a
worker that cannot work leaves its messages validated in the run, never lost."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path
from typing import Any

import pytest
from cli_support import amicert

from amicert.catalog import load_catalog
from amicert.cim.envelope import Header
from amicert.cim.validate import Validator
from amicert.headless import ScenarioCase, cases, run_case
from amicert.validation_pool import ValidationPool
from amicert.world import RunOptions
from mocks.faulty_actors import HeadEndInvalidPayload

METERS = 24


class HeadEndBreaksSomeReports(HeadEndInvalidPayload):
    """Every fifth report lacks a mandatory element; every seventh reuses the MessageID of the
    report before it."""

    count = 0
    last_id: str | None = None

    def build(self, header: Header, event: Any) -> bytes:
        cls = HeadEndBreaksSomeReports
        cls.count += 1
        if cls.count % 7 == 0 and cls.last_id is not None:
            header = dataclasses.replace(header, message_id=cls.last_id)
        cls.last_id = header.message_id
        if cls.count % 5 == 0:
            return super().build(header, event)
        from reference_impl.head_end import HeadEnd

        return HeadEnd.encode_report(self, header, event)


def normal() -> ScenarioCase:
    return next(c for c in cases(load_catalog()["AEP-5.8"]) if c.spec.id == "normal")


def judged(pool: ValidationPool | None) -> tuple[Any, list[Any]]:
    """The verdict and every exchange's findings, with ``pool`` validating (None: serially)."""
    HeadEndBreaksSomeReports.count = 0
    HeadEndBreaksSomeReports.last_id = None
    options = RunOptions(
        fleet=METERS,
        actor_overrides={"AMI Head-End": f"{__name__}:HeadEndBreaksSomeReports"},
        validation_pool=pool,
        seen_message_ids=set(),
    )
    outcome, world = run_case(normal(), Validator(), options)
    per_exchange = [(x.seq, x.step, [f.to_dict() for f in x.findings]) for x in world.trace]
    return outcome, per_exchange


def _key(outcome: Any) -> tuple[Any, ...]:
    return (
        outcome.verdict,
        outcome.rule,
        outcome.step,
        [(f.rule, f.step, f.message, f.extra.get("devices")) for f in outcome.findings],
    )


@pytest.fixture(scope="module")
def serial() -> tuple[Any, list[Any]]:
    return judged(None)


def test_workers_find_what_one_process_finds_on_a_faulty_fleet(serial: Any) -> None:
    pool = ValidationPool(2, parallel_from=METERS)
    try:
        outcome, per_exchange = judged(pool)
    finally:
        pool.close()
    assert pool.broken is None
    assert pool.validated_by_workers > 0, "the workers validated nothing: nothing was compared"
    assert per_exchange == serial[1]
    assert _key(outcome) == _key(serial[0])
    rules = {f["rule"] for _, _, found in per_exchange for f in found}
    assert "ENV-MESSAGE-ID-UNIQUE" in rules  # the run's history, applied in record order
    assert any(r.startswith("XSD") for r in rules)
    assert outcome.verdict.value == "FAIL"


def test_a_worker_that_cannot_start_leaves_every_message_validated_here(serial: Any) -> None:
    pool = ValidationPool(
        1, functools.partial(Validator, Path("/nonexistent/schemas")), parallel_from=METERS
    )
    try:
        outcome, per_exchange = judged(pool)
    finally:
        pool.close()
    assert pool.broken is not None and "worker" in pool.broken
    assert per_exchange == serial[1]
    assert _key(outcome) == _key(serial[0])


def test_a_small_scenario_stays_in_one_process() -> None:
    pool = ValidationPool(2, parallel_from=METERS + 1)
    try:
        judged(pool)
    finally:
        pool.close()
    assert pool.validated_by_workers == 0 and pool.validated_here == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--workers", "-1"], "--workers expects a number from 0 to 64"),
        (["--parallel-from", "0"], "--parallel-from expects a number of meters, at least 1"),
    ],
)
def test_a_wrong_worker_setting_is_a_usage_error(args: list[str], message: str) -> None:
    proc = amicert("run", "--use-case", "AEP-5.8", *args)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
