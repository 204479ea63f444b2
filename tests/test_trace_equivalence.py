"""The indexed matcher finds exactly what the whole-trace rescan found, on every scenario.

Each run below plays every scenario of the main job (or of a use case, with a faulty variant whose
defects are sequence findings: missing, out of order, uncorrelated, extra) headless, with the same
steps, world and judgement as ``amicert run``; after each scenario the same trace is matched with
the oracle (tests/oracle_matcher.py) and findings, step attributions and extras must agree.
"""

from __future__ import annotations

from typing import Any

import pytest
from oracle_matcher import analyse as oracle

from amicert.catalog import load_catalog
from amicert.cim.validate import Validator
from amicert.headless import cases, run_case
from amicert.world import RunOptions, World

RUNS: dict[str, tuple[str | None, dict[str, str]]] = {
    "main job": (None, {}),
    "confirms early (SEQ-ORDER)": (
        "AEP-5.8",
        {"AMI Head-End": "mocks.faulty_actors:HeadEndConfirmsEarly"},
    ),
    "garbled correlation (SEQ-CORRELATION)": (
        "AEP-5.8",
        {"AMI Head-End": "mocks.faulty_actors:HeadEndGarblesCorrelation"},
    ),
    "never confirms (SEQ-MISSING)": (
        "AEP-5.8",
        {"AMI Head-End": "mocks.faulty_actors:HeadEndNeverConfirms"},
    ),
    "ignores outages (SEQ-EXTRA)": (
        "I2",
        {"Meter Management System": "mocks.faulty_i2:MmsIgnoresOutages"},
    ),
}


def _key(findings: list[Any]) -> list[dict[str, Any]]:
    """Findings as dicts; the meter tag (``extra["device"]``, for grouping) postdates the oracle."""
    out = []
    for f in findings:
        d = f.to_dict()
        extra = {k: v for k, v in d.pop("extra", {}).items() if k != "device"}
        if extra:
            d["extra"] = extra
        out.append(d)
    return out


def compare(world: World) -> dict[str, Any]:
    """The indexed matcher's analysis of the world's trace against the oracle's."""
    with world.lock:
        world.matcher().sync()
        steps_before = {x.seq: x.step for x in world.trace.exchanges}
        indexed = world.analyse(final=True)
        expected = oracle(
            world.trace, world.use_case, world.rows, world.devices, world.sut_roles, final=True
        )
        steps_after = {x.seq: x.step for x in world.trace.exchanges}
    return {
        "scenario": world.scenario.id,
        "exchanges": len(world.trace),
        "same_findings": _key(indexed.findings) == _key(expected.findings),
        "same_steps": steps_before == steps_after,
        "same_unmatched": [x.seq for x in indexed.unmatched] == [x.seq for x in expected.unmatched],
        "findings": len(expected.findings),
    }


@pytest.mark.parametrize("run", list(RUNS.values()), ids=list(RUNS))
def test_the_indexed_matcher_agrees_with_the_rescan(
    run: tuple[str | None, dict[str, str]],
) -> None:
    use_case, actors = run
    validator = Validator()
    catalog = load_catalog()
    chosen = [uc for uc in catalog.values() if use_case in (None, uc.id)]
    records = []
    for uc in chosen:
        for case in cases(uc):
            _, world = run_case(case, validator, RunOptions(actor_overrides=actors))
            records.append(compare(world))
    assert len(records) == sum(len(list(cases(uc))) for uc in chosen) > 0
    for r in records:
        assert r["same_findings"] and r["same_steps"] and r["same_unmatched"], r
    if actors:  # a faulty variant: the comparison covered real findings, not only clean runs
        assert any(r["findings"] for r in records)
