"""Proof the harness catches faults: each faulty actor yields a non-PASS verdict naming its step/rule.

Each case runs the real suite in a separate process with one actor bound to a faulty variant from
mocks/faulty_actors.py, then reads the certification summary as a utility would.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CASES = [
    # (actor role, class, scenario -k filter, expected (rule, step) among the findings)
    ("AMI Head-End", "HeadEndNeverConfirms", "normal", ("SEQ-MISSING", "1.11")),
    ("AMI Head-End", "HeadEndWrongVerb", "normal", ("PROFILE-VERB", "1.11")),
    ("AMI Head-End", "HeadEndOmitsCorrelation", "normal", ("SEQ-CORRELATION", "1.11")),
    ("AMI Head-End", "HeadEndGarblesCorrelation", "normal", ("SEQ-CORRELATION", "1.11")),
    ("AMI Head-End", "HeadEndWrongEventCode", "normal", ("PROFILE-EVENT-CODE", "1.11")),
    ("AMI Head-End", "HeadEndInvalidPayload", "normal", ("XSD-PAYLOAD", "1.11")),
    ("AMI Head-End", "HeadEndConfirmsEarly", "normal", ("SEQ-ORDER", "1.11")),
    (
        "Meter Metrology Board",
        "MetrologyConfirmsWithoutApplying",
        "normal",
        ("STATE-FIRMWARE", "1.7"),
    ),
    (
        "Meter Metrology Board",
        "MetrologySkipsHashCheck",
        "corrupted",
        ("STATE-FIRMWARE-CHANGED", "R1.7"),
    ),
    ("Meter Metrology Board", "MetrologySkipsHashCheck", "corrupted", ("PROFILE-CONTENT", "R1.8")),
    ("MDM", "MdmReplyWithoutCorrelation", "normal", ("ENV-CORRELATION", "1.11")),
    ("MDM", "MdmForgetsEvents", "normal", ("STATE-MDM-EVENT", None)),
]


def run_with(role: str, cls: str, keyword: str, report_dir: Path) -> tuple[int, dict]:  # type: ignore[type-arg]
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "amicert.cli",
            "run",
            "--use-case",
            "AEP-5.8",
            "--actor",
            f"{role}=mocks.faulty_actors:{cls}",
            "-k",
            keyword,
            "--report-dir",
            str(report_dir),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    summary_path = report_dir / "summary.json"
    assert summary_path.exists(), proc.stdout[-2000:] + proc.stderr[-2000:]
    return proc.returncode, json.loads(summary_path.read_text())


@pytest.mark.parametrize(
    ("role", "cls", "keyword", "expected"), CASES, ids=[f"{c[1]}-{c[3][0]}" for c in CASES]
)
def test_faulty_variant_is_caught(
    tmp_path: Path, role: str, cls: str, keyword: str, expected: tuple[str, str | None]
) -> None:
    code, summary = run_with(role, cls, keyword, tmp_path)
    assert code == 1, "a failed verdict must fail the run"
    assert summary["scenarios"], "the scenario must have run"
    for scenario in summary["scenarios"]:
        assert scenario["verdict"] == "FAIL", scenario
        assert scenario["sut_roles"] == [role]
        assert scenario["reason"], "a non-PASS verdict carries a reason"
        assert scenario["rule"], "a non-PASS verdict names a rule"
        found = {(f["rule"], f.get("step")) for f in scenario["findings"]}
        assert expected in found, found
