"""pytest plugin loaded into an ``amicert run``: after each scenario, the indexed matcher's
findings are compared with the oracle's (the whole-trace rescan) on the same trace."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from oracle_matcher import analyse as oracle

from amicert.pytest_plugin import WORLD

OUT = "AMICERT_EQUIVALENCE_OUT"


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


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_after_scenario(request: pytest.FixtureRequest, feature: Any, scenario: Any) -> None:
    world = request.node.stash.get(WORLD, None)
    if world is None:
        return
    with world.lock:
        world.matcher().sync()
        steps_before = {x.seq: x.step for x in world.trace.exchanges}
        indexed = world.analyse(final=True)
        expected = oracle(
            world.trace, world.use_case, world.rows, world.devices, world.sut_roles, final=True
        )
        steps_after = {x.seq: x.step for x in world.trace.exchanges}
    record = {
        "scenario": request.node.name,
        "exchanges": len(world.trace),
        "same_findings": _key(indexed.findings) == _key(expected.findings),
        "same_steps": steps_before == steps_after,
        "same_unmatched": [x.seq for x in indexed.unmatched] == [x.seq for x in expected.unmatched],
        "findings": len(expected.findings),
    }
    with open(os.environ[OUT], "a", encoding="utf-8") as out:
        out.write(json.dumps(record) + "\n")
