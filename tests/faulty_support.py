"""Running the suite with one actor bound to a faulty variant, and reading its verdicts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cli_support import amicert

ROOT = Path(__file__).resolve().parents[1]


def run_with(
    use_case: str, binding: str, keyword: str, report_dir: Path
) -> tuple[int, dict[str, Any]]:
    """``amicert run`` in its own process with ``--actor binding``; exit code and summary."""
    proc = amicert(
        "run",
        "--use-case",
        use_case,
        "--actor",
        binding,
        "-k",
        keyword,
        "--report-dir",
        str(report_dir),
    )
    summary_path = report_dir / "summary.json"
    assert summary_path.exists(), proc.stdout[-2000:] + proc.stderr[-2000:]
    return proc.returncode, json.loads(summary_path.read_text())


def assert_caught(
    code: int, summary: dict[str, Any], role: str, expected: tuple[str, str | None]
) -> None:
    """Every scenario that ran is FAIL, blames ``role``, and names the expected rule and step."""
    assert code == 1, "a failed verdict must fail the run"
    assert summary["scenarios"], "the scenario must have run"
    for scenario in summary["scenarios"]:
        assert scenario["verdict"] == "FAIL", scenario
        assert scenario["sut_roles"] == [role]
        assert scenario["reason"], "a non-PASS verdict carries a reason"
        assert scenario["rule"], "a non-PASS verdict names a rule"
        found = {(f["rule"], f.get("step")) for f in scenario["findings"]}
        assert expected in found, found
