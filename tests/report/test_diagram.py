"""Sequence diagrams name every row and every exchange with its step."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from amicert.catalog import load_catalog
from amicert.report.diagram import expected, observed
from amicert.trace import Trace

ROOT = Path(__file__).resolve().parents[2]


def test_expected_diagram_has_every_row_of_the_scenario() -> None:
    uc = load_catalog()["AEP-5.8"]
    text = expected([uc.row(n) for n in uc.scenario("normal").steps])
    assert text.startswith("sequenceDiagram")
    for n in uc.scenario("normal").steps:
        assert f": {n} " in text
    assert "Note over AmiHeadEnd: 1.3" in text


def test_observed_diagram_marks_replies_steps_and_findings() -> None:
    trace = Trace()
    t = datetime(2026, 1, 5, tzinfo=UTC)
    a = trace.record("AMI Head-End", "MDM", b"<a/>", t)
    a.step = "1.11"
    b = trace.record("MDM", "AMI Head-End", b"<b/>", t, in_reply_to=a.seq)
    b.findings = []
    text = observed(trace.exchanges)
    assert "AmiHeadEnd->>Mdm: #1 1.11" in text
    assert "Mdm-->>AmiHeadEnd: #2" in text
