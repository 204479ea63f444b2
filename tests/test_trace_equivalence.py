"""The indexed matcher finds exactly what the whole-trace rescan found, on every scenario.

Each run below is a real ``amicert run`` (main job, and faulty variants whose defects are sequence
findings: missing, out of order, uncorrelated, extra). After every scenario a plugin matches the
same trace with the oracle (tests/oracle_matcher.py) and records whether findings, step
attributions and extras agree.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

RUNS = {
    "main job": [],
    "confirms early (SEQ-ORDER)": [
        "--use-case",
        "AEP-5.8",
        "--actor",
        "AMI Head-End=mocks.faulty_actors:HeadEndConfirmsEarly",
    ],
    "garbled correlation (SEQ-CORRELATION)": [
        "--use-case",
        "AEP-5.8",
        "--actor",
        "AMI Head-End=mocks.faulty_actors:HeadEndGarblesCorrelation",
    ],
    "never confirms (SEQ-MISSING)": [
        "--use-case",
        "AEP-5.8",
        "--actor",
        "AMI Head-End=mocks.faulty_actors:HeadEndNeverConfirms",
    ],
    "ignores outages (SEQ-EXTRA)": [
        "--use-case",
        "I2",
        "--actor",
        "Meter Management System=mocks.faulty_i2:MmsIgnoresOutages",
    ],
}


SILENT = (
    "test_a_failure_neither_safety_nor_service_affecting_waits_for_the_meters_next_scheduled_read"
)


@pytest.mark.parametrize("args", list(RUNS.values()), ids=list(RUNS))
def test_the_indexed_matcher_agrees_with_the_rescan(args: list[str], tmp_path: Path) -> None:
    out = tmp_path / "equivalence.jsonl"
    env = dict(
        os.environ,
        AMICERT_EQUIVALENCE_OUT=str(out),
        PYTEST_ADDOPTS="-p equivalence_plugin",
        PYTHONPATH=os.pathsep.join([str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")]),
    )
    proc = subprocess.run(
        [sys.executable, "-m", "amicert.cli", "run", *args, "--report-dir", str(tmp_path / "r")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == len(summary["scenarios"]) > 0, proc.stdout[-2000:]
    # the one scenario whose rows carry no exchange (a failure held for the next read)
    assert [r["scenario"] for r in records if not r["exchanges"]] in ([], [SILENT])
    for r in records:
        assert r["same_findings"] and r["same_steps"] and r["same_unmatched"], r
    if args:  # a faulty variant: the comparison covered real findings, not only clean runs
        assert any(r["findings"] for r in records)
