"""Proof the harness catches faults: each faulty actor yields a non-PASS verdict naming its step/rule.

Each case runs the real suite in a separate process with one actor bound to a faulty variant from
mocks/faulty_actors.py, then reads the certification summary as a utility would.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from faulty_support import assert_caught, run_with

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
    ("MDM", "MdmNeverAnswers", "normal", ("MSG-NO-REPLY", "1.11")),
    ("AMI Head-End", "HeadEndIgnoresCampaigns", "normal", ("SEQ-NO-EFFECT", "1.3")),
    ("AMI Head-End", "HeadEndMisreportsVersion", "normal", ("STATE-MDM-DETAIL", None)),
]


def test_a_crashing_plugin_is_error_with_its_reason(tmp_path: Path) -> None:
    code, summary = run_with(
        "AEP-5.8", "Meter Vendor=mocks.faulty_actors:MeterVendorCrashes", "normal", tmp_path
    )
    assert code == 1
    [scenario] = summary["scenarios"]
    assert (scenario["verdict"], scenario["rule"]) == ("ERROR", "HARNESS")
    assert "vendor plugin crashed" in scenario["reason"]


@pytest.mark.parametrize(
    ("role", "cls", "keyword", "expected"), CASES, ids=[f"{c[1]}-{c[3][0]}" for c in CASES]
)
def test_faulty_variant_is_caught(
    tmp_path: Path, role: str, cls: str, keyword: str, expected: tuple[str, str | None]
) -> None:
    code, summary = run_with("AEP-5.8", f"{role}=mocks.faulty_actors:{cls}", keyword, tmp_path)
    assert_caught(code, summary, role, expected)
