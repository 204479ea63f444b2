"""The summary written as the run goes, and product text made inert in it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree as ET

from amicert.findings import error
from amicert.report import escape
from amicert.report.summary import RunReport, ScenarioResult, unfinished
from amicert.transport.redact import Redactor
from amicert.verdicts import Verdict

HOSTILE = (
    "<script>alert(1)</script> <img src=x onerror=alert(2)>\n## forged\n"
    "| AEP-5.8 | forged | **PASS** | | | |\n- list\n1. item [x](javascript:1) `code` ~~s~~ & \\"
)


def result(verdict: Verdict, reason: str = "") -> ScenarioResult:
    finding = error("WIRE-SOAP-FAULT", reason or "x", received=reason, xpath="/" + reason)
    return ScenarioResult(
        "AEP-5.8",
        "normal",
        "normal sequence",
        False,
        verdict,
        reason,
        "WIRE-SOAP-FAULT",
        "1.11",
        [finding] if reason else [],
    )


def test_markdown_escaping_leaves_no_markup() -> None:
    text = escape.markdown(HOSTILE)
    assert "\n" not in text and "<" not in text and ">" not in text
    assert not re.search(r"(?<!\\)[|*_`\[\]~]", text)
    assert escape.markdown("# title").startswith("\\#")
    assert escape.markdown("12. x").startswith("12\\.")
    assert escape.markdown("x" * 50, limit=10) == "x" * 10 + "…"


def test_labels_are_inert_wherever_they_are_shown() -> None:
    assert not set('<>&"`') & set(escape.label(HOSTILE))
    assert escape.html(HOSTILE).count("<") == 0


def test_the_summary_of_a_hostile_reason_has_one_row_per_scenario(tmp_path: Path) -> None:
    run = RunReport(tmp_path, Redactor([]))
    run.begin(unfinished("AEP-5.8", "normal", "normal sequence", False))
    run.end(result(Verdict.FAIL, HOSTILE))
    run.flush(complete=True, junit=True)
    md = (tmp_path / "summary.md").read_text()
    assert "<script" not in md and "<img" not in md
    assert len([ln for ln in md.splitlines() if ln.startswith("#")]) == 2  # title, scenario
    rows = [ln for ln in md.splitlines() if ln.startswith("| ") and "**" in ln]
    assert len(rows) == 1 and "**FAIL**" in rows[0]
    assert len(re.findall(r"(?<!\\)\|", rows[0])) == 7
    junit = ET.parse(tmp_path / "junit.xml").getroot()
    assert junit.find(".//failure") is not None


def test_a_run_is_on_disk_as_it_goes_and_never_passes_unfinished(tmp_path: Path) -> None:
    run = RunReport(tmp_path, Redactor([]))
    run.begin(unfinished("AEP-5.8", "normal", "normal sequence", False))
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["complete"] is False and summary["passed"] is False
    assert summary["scenarios"][0]["verdict"] == "ERROR"
    assert summary["scenarios"][0]["rule"] == "RUN-INCOMPLETE"
    assert ET.parse(tmp_path / "junit.xml").getroot().find(".//error") is not None
    run.end(result(Verdict.PASS))
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["complete"] is False and summary["passed"] is False  # still running
    run.flush(complete=True)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["complete"] is True and summary["passed"] is True
    assert [s["verdict"] for s in summary["scenarios"]] == ["PASS"]


def test_a_secret_in_a_reason_never_reaches_the_summary(tmp_path: Path) -> None:
    secret = 'pa$$<w>"rd-long'
    run = RunReport(tmp_path, Redactor([secret]))
    run.end(result(Verdict.FAIL, f"echoed {secret} back"))
    run.flush(complete=True, junit=True)
    for name in ("summary.json", "summary.md", "junit.xml"):
        text = (tmp_path / name).read_text()
        assert secret not in text and "pa$$&lt;w&gt;" not in text, name
        assert "***" in text or "\\*\\*\\*" in text, name
