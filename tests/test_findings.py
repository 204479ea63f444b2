"""Findings repeated per meter are grouped for reading, and nothing is lost by grouping."""

from __future__ import annotations

from amicert.findings import Blame, about_device, error, group_by_device, warning


def missing(meter: str, step: str = "1.11") -> object:
    return about_device(error("SEQ-MISSING", f"no confirmation for {meter}", step=step), meter)


def test_few_repeats_stay_as_they_are() -> None:
    found = [missing(f"M{i}") for i in range(5)]
    assert group_by_device(found) == found  # type: ignore[arg-type]


def test_many_repeats_become_one_finding_listing_every_meter_in_place() -> None:
    meters = [f"M{i:03d}" for i in range(1, 101)]
    before = error("XSD-PAYLOAD", "not valid", step="1.2")
    after = warning("SEQ-DUPLICATE", "seen again", step="1.4")
    found = [before, *[missing(m) for m in meters], missing("M001"), after]
    grouped = group_by_device(found)  # type: ignore[arg-type]
    assert [f.rule for f in grouped] == ["XSD-PAYLOAD", "SEQ-MISSING", "SEQ-DUPLICATE"]
    group = grouped[1]
    assert group.extra["devices"].split(",") == meters  # every meter, once
    assert group.extra["count"] == "100"
    assert "the same for 100 meters: M001, M002" in group.message and "..." in group.message
    assert (group.rule, group.step, group.blame) == ("SEQ-MISSING", "1.11", Blame.SUT)


def test_findings_of_another_step_or_blame_are_other_groups() -> None:
    meters = [f"M{i}" for i in range(10)]
    found = [missing(m, "1.9") for m in meters] + [missing(m, "1.11") for m in meters]
    grouped = group_by_device(found)  # type: ignore[arg-type]
    assert [(f.step, f.extra["count"]) for f in grouped] == [("1.9", "10"), ("1.11", "10")]
