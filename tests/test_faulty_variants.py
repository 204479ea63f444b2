"""Proof the harness catches faults: each faulty actor yields a non-PASS verdict naming its step/rule.

Each case runs the real suite in a separate process with one actor bound to a faulty variant from
mocks/faulty_actors.py, then reads the certification summary as a utility would.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from faulty_support import assert_caught, run_with

# Every faulty variant is proven headless in tests/test_proofs.py; these run the real command in
# its own process, as a utility would, for one variant of each use case.
CASES = [
    ("AMI Head-End", "HeadEndWrongEventCode", "normal", ("PROFILE-EVENT-CODE", "1.11")),
    ("MDM", "MdmForgetsEvents", "normal", ("STATE-MDM-EVENT", "post-condition")),
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
