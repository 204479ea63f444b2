"""What a verdict rests on: rows observed by message, by state, by effect, or not at all.

A PASS with rows unseen says so in every report, and a certification run can demand that every
row was observed (``--require-observed``), turning such a PASS into INCONCLUSIVE."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_support import amicert
from test_wire import Served, profile_copy


@pytest.fixture
def served_headend(tmp_path: Path) -> Iterator[Path]:
    """The head-end boundary served by the reference implementation in its own process."""
    profile = profile_copy(tmp_path, "headend-over-soap.toml")
    served = Served(profile)
    yield profile
    served.stop()


def test_the_reference_run_rests_on_every_row(tmp_path: Path) -> None:
    proc = amicert("run", "--use-case", "AEP-5.8", "-k", "normal", "--report-dir", str(tmp_path))
    [normal] = json.loads((tmp_path / "summary.json").read_text())["scenarios"]
    assert normal["verdict"] == "PASS", proc.stdout[-2000:]
    assert normal["basis"] == {
        "rows": 11,
        "message": 9,
        "state": 1,
        "effect": 1,
        "not_observable": 0,
        "not_checked": 0,
        "observed": 11,
    }


def test_a_boundary_that_hides_rows_passes_visibly_partial_or_is_inconclusive_on_demand(
    tmp_path: Path, served_headend: Path
) -> None:
    profile = served_headend
    base = ["run", "--sut", str(profile), "--use-case", "AEP-5.8", "-k", "normal"]
    amicert(*base, "--report-dir", str(tmp_path / "a"), timeout=240)
    [normal] = json.loads((tmp_path / "a" / "summary.json").read_text())["scenarios"]
    basis = normal["basis"]
    assert normal["verdict"] == "PASS"
    assert basis["not_observable"] > 0 and basis["observed"] < basis["rows"]
    partial = f"({basis['observed']} of {basis['rows']} rows observed)"
    assert partial in (tmp_path / "a" / "summary.md").read_text()
    junit = (tmp_path / "a" / "junit.xml").read_text()
    assert f'name="rows observed" value="{basis["observed"]}/{basis["rows"]}"' in junit

    proc = amicert(
        *base, "--require-observed", "100", "--report-dir", str(tmp_path / "b"), timeout=240
    )
    assert (tmp_path / "b" / "summary.json").exists(), proc.stdout[-2000:] + proc.stderr[-2000:]
    [strict] = json.loads((tmp_path / "b" / "summary.json").read_text())["scenarios"]
    assert proc.returncode == 1
    assert (strict["verdict"], strict["rule"]) == ("INCONCLUSIVE", "EVIDENCE-INSUFFICIENT")
    assert f"only {basis['observed']} of {basis['rows']} rows were observed" in strict["reason"]


def test_require_observed_takes_a_percentage() -> None:
    proc = amicert("run", "--require-observed", "120")
    assert proc.returncode == 2 and "from 0 to 100" in proc.stderr
