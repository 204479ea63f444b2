"""`amicert run` on the embedded reference implementation: every scenario passes, reports written."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from cli_support import amicert, built_once

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def reference_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """The AEP 5.8 run the tests below read (once per session) and what the command printed."""

    def run(folder: Path) -> None:
        proc = amicert("run", "--use-case", "AEP-5.8", "--report-dir", str(folder / "reports"))
        printed = {"returncode": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr}
        (folder / "proc.json").write_text(json.dumps(printed))

    folder = built_once(tmp_path_factory, "aep58-reference-run", run)
    printed = json.loads((folder / "proc.json").read_text())
    proc = subprocess.CompletedProcess(["amicert", "run"], **printed)
    return proc, folder / "reports"


def test_every_aep58_scenario_passes_on_the_reference_implementation(
    reference_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    proc, report_dir = reference_run
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    summary = json.loads((report_dir / "summary.json").read_text())
    verdicts = {
        s["scenario"]: s["verdict"] for s in summary["scenarios"] if s["use_case"] == "AEP-5.8"
    }
    assert len(verdicts) == 5, verdicts  # normal + 3 refusal examples + never-confirms
    assert set(verdicts.values()) == {"PASS"}
    assert summary["passed"] is True
    assert "PASS" in proc.stdout and "AEP-5.8" in proc.stdout


def test_the_run_writes_junit_markdown_and_the_evidence_of_every_exchange(
    reference_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    _, report_dir = reference_run
    junit = (report_dir / "junit.xml").read_text()
    assert "<testsuite" in junit and 'failures="0"' in junit and 'errors="0"' in junit
    assert "PASS" in (report_dir / "summary.md").read_text()
    summary = json.loads((report_dir / "summary.json").read_text())
    normal = next(s for s in summary["scenarios"] if s["scenario_id"] == "normal")
    index = json.loads((report_dir / normal["evidence"] / "index.json").read_text())
    assert len(index) == normal["exchanges"]
    # 3 meters: 1.1, 1.2, then 1.4-1.6 and 1.8-1.11 per meter (7 x 3), each 1.11 with its reply
    assert len(index) == 2 + 7 * 3 + 3
    steps = {e["step"] for e in index}
    assert {"1.1", "1.2", "1.4", "1.5", "1.6", "1.8", "1.9", "1.10", "1.11"} <= steps
    for entry in index:
        body = (report_dir / normal["evidence"] / entry["file"]).read_bytes()
        assert body.startswith(b"<?xml") and len(body) == entry["bytes"]
    # the campaign ran over several (virtual) days
    assert normal["virtual_duration_s"] >= 2 * 86400


def test_the_run_writes_allure_results_with_labels_and_attached_messages(
    reference_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    _, report_dir = reference_run
    results = [
        json.loads(p.read_text()) for p in (report_dir / "allure-results").glob("*-result.json")
    ]
    assert len(results) == 5
    normal = next(r for r in results if "normal sequence" in r["name"])
    labels = {(lab["name"], lab["value"]) for lab in normal["labels"]}
    assert ("epic", "AEP-5.8 Remote Meter Firmware Upgrade") in labels
    assert (
        "suite",
        "normal: Remote firmware upgrade of the in-scope meters (normal sequence)",
    ) in labels
    assert any(link["name"] == "AEP58-IP2" for link in normal["links"])
    step_names = [s["name"] for s in normal["steps"]]
    assert any("step 1.11" in n for n in step_names)
    step_1_11 = next(s for s in normal["steps"] if "step 1.11" in s["name"])
    attachments = step_1_11.get("attachments", [])
    assert any("created EndDeviceEvents" in a["name"] for a in attachments)
    for a in attachments:
        assert (report_dir / "allure-results" / a["source"]).exists()


def test_an_unknown_use_case_is_a_usage_error(tmp_path: Path) -> None:
    proc = amicert("run", "--use-case", "NOPE", "--report-dir", str(tmp_path))
    assert proc.returncode == 2
    assert "unknown use case NOPE" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("binding", "message"),
    [
        ("AMI Head-End", "expects ROLE=module:Class"),
        ("AMI Head-End=no-such-plugin", "amicert.actors"),
        ("AMI Head-End=nowhere.module:X", "cannot import 'nowhere.module'"),
        (
            "AMI Head-End=mocks.faulty_actors:MetrologySkipsHashCheck",
            "plays 'Meter Metrology Board'",
        ),
        ("Toaster=mocks.faulty_actors:HeadEndNeverConfirms", "no actor of any use case"),
    ],
)
def test_a_bad_actor_binding_is_a_usage_error(tmp_path: Path, binding: str, message: str) -> None:
    proc = amicert("run", "--actor", binding, "--report-dir", str(tmp_path))
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_list_coverage_json_reports_aep58_complete() -> None:
    proc = amicert("list", "--coverage", "--json")
    assert proc.returncode == 0
    rows = {r["id"]: r for r in json.loads(proc.stdout)["use_cases"]}
    aep = rows["AEP-5.8"]
    assert aep["steps_total"] == aep["steps_covered"] == 11
    assert aep["title"] == "Remote Meter Firmware Upgrade"
    assert aep["requirements_checked"] == aep["requirements_total"] == 5
    for req in aep["requirements"]:  # checked: every measuring rule proven to fail on a fault
        assert req["status"] == "checked" and req["measured_by"], req
        assert all(r["proven"] and r["proven_by"] for r in req["measured_by"]), req
    i2 = rows["I2"]
    assert i2["steps_harness_only"], "rows checked on the harness's own people are shown"
    assert i2["steps_covered"] == i2["steps_total"] - len(i2["steps_harness_only"])
    by_id = {r["id"]: r for r in i2["requirements"]}
    assert by_id["I2FR5"]["status"] == "checked"
    assert by_id["I2NFR1"]["status"] == "out of scope"
    assert by_id["I2FR16"]["status"] == "checked"
    # every requirement of I2 a run can observe is checked: each measuring rule proven to fail
    assert {r["status"] for r in i2["requirements"]} == {"checked", "out of scope"}


def test_a_rule_without_a_failing_proof_leaves_its_requirement_traced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from amicert import coverage
    from amicert.catalog import load_catalog

    proven = coverage.proven_rules
    monkeypatch.setattr(
        coverage,
        "proven_rules",
        lambda uc: {k: v for k, v in proven(uc).items() if k != "PROFILE-I2-PRIORITY"},
    )
    by_id = {r.id: r for r in coverage.use_case_coverage(load_catalog()["I2"]).requirements}
    assert by_id["I2FR16"].status == "traced" and "PROFILE-I2-PRIORITY" in by_id["I2FR16"].why


def test_list_coverage_prints_a_table() -> None:
    proc = amicert("list", "--coverage")
    assert proc.returncode == 0
    assert "AEP-5.8" in proc.stdout and "11/11" in proc.stdout


def test_operator_answers_drive_a_branch_and_a_bad_file_is_a_usage_error(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("Revenue Protection Rep:\n  energy theft occurred: 'no'\n")
    proc = amicert(
        "run",
        "--use-case",
        "I2",
        "-k",
        "theft_has_occurred",
        "--operator-answers",
        str(answers),
        "--report-dir",
        str(tmp_path / "r"),
    )
    # the answers file says no theft where the scenario expects theft: the branch is not taken
    assert proc.returncode == 1, proc.stdout[-2000:]
    bad = tmp_path / "bad.yaml"
    bad.write_text("- not a mapping\n")
    proc = amicert("run", "--operator-answers", str(bad), "--report-dir", str(tmp_path / "r2"))
    assert proc.returncode == 2 and "expected a mapping" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_nothing_ran_is_a_usage_error_never_a_pass(tmp_path: Path) -> None:
    proc = amicert("run", "-k", "no_such_scenario_anywhere", "--report-dir", str(tmp_path))
    assert proc.returncode == 2 and "-k matched no scenario" in proc.stderr


def test_an_unloadable_binding_is_recorded_as_error_with_its_reason(tmp_path: Path) -> None:
    from amicert.findings import Blame, error
    from amicert.report.summary import ScenarioResult, write_summary
    from amicert.verdicts import Verdict

    # a binding that fails only when the world is built (the CLI checks what it can up front)
    result = ScenarioResult(
        "AEP-5.8",
        "normal",
        "n",
        False,
        Verdict.ERROR,
        "boom",
        "BINDING",
        None,
        [error("BINDING", "boom", blame=Blame.HARNESS)],
    )
    write_summary(tmp_path, [result])
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["passed"] is False and summary["scenarios"][0]["rule"] == "BINDING"
    write_summary(tmp_path, [])
    assert json.loads((tmp_path / "summary.json").read_text())["passed"] is False


def test_message_ids_never_repeat_across_the_scenarios_of_a_run(tmp_path: Path) -> None:
    """Each scenario draws its own identifiers, so a repeated MessageID can only be a replay."""
    proc = amicert("run", "--use-case", "AEP-5.8", "--report-dir", str(tmp_path))
    assert proc.returncode == 0, proc.stdout[-2000:]
    seen: dict[str, str] = {}
    folders = list((tmp_path / "exchanges").glob("*/*"))
    assert len(folders) == 5
    for folder in folders:
        for entry in json.loads((folder / "index.json").read_text()):
            mid = entry.get("message_id")
            if mid:
                assert mid not in seen, f"{mid} in {folder.name} and {seen[mid]}"
                seen[mid] = folder.name
    assert len(seen) > 10
