"""Proof the I2 checks catch faults: each faulty actor yields FAIL naming its rule and step.

Each case runs the real suite in a separate process with one I2 actor bound to a faulty variant
from mocks/faulty_i2.py, then reads the certification summary as a utility would.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from faulty_support import assert_caught, run_with

OUTAGE = "raises_no_trouble_report and planned and power"

# Every faulty variant is proven headless in tests/test_proofs.py; this runs the real command in
# its own process, as a utility would.
CASES = [
    ("Meter Management System", "MmsIgnoresOutages", OUTAGE, ("STATE-I2FR18", "O3")),
    ("AMI Meter", "MeterReportsLate", "checksum", ("NFR-I2NFR4", "3.1#2")),
    ("Meter Management System", "MmsIssuesLate", "checksum", ("BR-I2-ISSUE-DEADLINE", "3.1#4")),
]


@pytest.mark.parametrize(
    ("role", "cls", "keyword", "expected"), CASES, ids=[f"{c[1]}-{c[3][0]}" for c in CASES]
)
def test_faulty_i2_variant_is_caught(
    tmp_path: Path, role: str, cls: str, keyword: str, expected: tuple[str, str | None]
) -> None:
    code, summary = run_with("I2", f"{role}=mocks.faulty_i2:{cls}", keyword, tmp_path)
    assert_caught(code, summary, role, expected)
