"""Proof the I2 checks catch faults: each faulty actor yields FAIL naming its rule and step.

Each case runs the real suite in a separate process with one I2 actor bound to a faulty variant
from mocks/faulty_i2.py, then reads the certification summary as a utility would.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from faulty_support import assert_caught, run_with

OUTAGE = "raises_no_trouble_report and planned and power"

CASES = [
    # (actor role, class, scenario -k filter, expected (rule, step) among the findings)
    ("Meter Management System", "MmsIgnoresOutages", OUTAGE, ("STATE-I2FR18", "O3")),
    ("Meter Management System", "MmsIgnoresOutages", OUTAGE, ("SEQ-EXTRA", None)),
    ("AMI Meter", "MeterReportsLate", "checksum", ("NFR-I2NFR4", "3.1#2")),
    ("Field Tool", "FieldToolNoMismatchAlert", "does_not_match", ("SEQ-MISSING", "M7")),
    (
        "Meter Data Management System",
        "MdmsSilentToThirdParties",
        "checksum",
        ("SEQ-MISSING", "3.1#11.3"),
    ),
    ("AMI Meter", "MeterPrunesAt30Days", "checksum", ("NFR-I2NFR5", "3.1#7")),
    ("Meter Management System", "MmsRoutesEverythingToIt", "checksum", ("BR-I2BR3", "3.1#4")),
    ("AMI Meter", "MeterSlowDownload", "checksum", ("NFR-I2NFR7", "3.1#7")),
    ("AMI Meter", "MeterMetrologyEvery40Days", "checksum", ("NFR-I2NFR6", "3.1#1")),
    ("AMI System", "AmiSystemLogsByMeterOnly", "checksum", ("STATE-I2FR10-12", "3.1#2")),
    ("AMI System", "AmiSystemNoChronicAnalysis", "checksum", ("STATE-I2FR13", "3.1#2")),
    (
        "Field Force Planning and Dispatch System",
        "DispatchBeyondSla",
        "checksum",
        ("BR-I2BR1", "3.1#4.1"),
    ),
    ("Meter Management System", "MmsOrderWithoutMaterial", "checksum", ("PROFILE-I2FR21", "3.1#5")),
]


@pytest.mark.parametrize(
    ("role", "cls", "keyword", "expected"), CASES, ids=[f"{c[1]}-{c[3][0]}" for c in CASES]
)
def test_faulty_i2_variant_is_caught(
    tmp_path: Path, role: str, cls: str, keyword: str, expected: tuple[str, str | None]
) -> None:
    code, summary = run_with("I2", f"{role}=mocks.faulty_i2:{cls}", keyword, tmp_path)
    assert_caught(code, summary, role, expected)
