"""SVG sequence diagrams: every label whole, deviations marked on the arrow they concern."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lxml import etree

from amicert.catalog import load_catalog
from amicert.report.diagram import render

ROOT = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"


def arrows(svg: str) -> dict[str, dict[str, Any]]:
    """label -> {marks, text of the label element} for every arrow and note of the drawing."""
    root = etree.fromstring(svg.encode())
    found = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "arrow":
            label = g.find(f"{SVG}text[@class='label']")
            mark = g.find(f"{SVG}text[@class='mark']")
            found[g.get("data-label")] = {
                "text": label.text if label is not None else None,
                "marks": (g.get("data-marks") or "").split(),
                "mark_text": mark.text if mark is not None else "",
            }
    return found


def rows() -> list[Any]:
    uc = load_catalog()["AEP-5.8"]
    return [uc.row(n) for n in uc.scenario("never-confirms").steps]


def entry(seq: int, step: str | None, producer: str, receiver: str, **kw: Any) -> dict[str, Any]:
    return {"seq": seq, "step": step, "producer": producer, "receiver": receiver, **kw}


OBSERVED = [
    entry(1, "1.1", "Meter Vendor", "Metering Department", label="FirmwareImage"),
    entry(2, "1.2", "Metering Department", "AMI Head-End", label="FirmwareCampaign"),
    entry(3, None, "AMI Head-End", "Toaster", label="create <Bread> & jam"),
    entry(4, "T1.11", "AMI Head-End", "MDM", label="created EndDeviceEvents", producer_id="MTR-1"),
    entry(5, "T1.11", "MDM", "AMI Head-End", label="reply EndDeviceEvents", in_reply_to=4),
]


def test_every_label_is_whole_including_those_starting_with_a_hash() -> None:
    drawn = arrows(render(rows(), OBSERVED))
    assert drawn["1.1 Smart Meter Firmware Update"]["text"] == "1.1 Smart Meter Firmware Update"
    assert drawn["1.3 AMI Head-End executes Smart Meter Firmware Update process"]["text"]
    assert drawn["#4 T1.11 created EndDeviceEvents [MTR-1]"]["text"] == (
        "#4 T1.11 created EndDeviceEvents [MTR-1]"
    )
    assert drawn["#3 ? create <Bread> & jam"]["text"] == "#3 ? create <Bread> & jam"  # escaped
    assert len(drawn) == len(rows()) + len(OBSERVED)


def test_missing_extra_and_out_of_order_are_marked() -> None:
    findings = [
        {
            "rule": "SEQ-ORDER",
            "severity": "error",
            "message": "step 1.2 (#2) was observed before step 1.1 (#1)",
        },
        {
            "rule": "SEQ-CORRELATION",
            "severity": "error",
            "message": "step T1.11 (#4) correlates elsewhere",
        },
    ]
    drawn = arrows(render(rows(), OBSERVED, findings))
    assert drawn["1.4 Smart Meter Firmware Update"]["marks"] == ["missing"]  # no exchange at 1.4
    assert "MISSING" in drawn["1.4 Smart Meter Firmware Update"]["mark_text"]
    assert drawn["1.1 Smart Meter Firmware Update"]["marks"] == []
    assert drawn["#3 ? create <Bread> & jam"]["marks"] == ["extra"]
    assert drawn["#2 1.2 FirmwareCampaign"]["marks"] == ["out-of-order"]
    assert drawn["#4 T1.11 created EndDeviceEvents [MTR-1]"]["marks"] == ["SEQ-CORRELATION"]
    assert drawn["#1 1.1 FirmwareImage"]["marks"] == []


def test_a_row_inside_the_vendor_boundary_is_marked_not_observable_not_missing() -> None:
    drawn = arrows(render(rows(), OBSERVED, [], {"1.4": "both actors are inside the boundary"}))
    assert drawn["1.4 Smart Meter Firmware Update"]["marks"] == ["not-observable"]


def test_nothing_observed_still_draws_the_expected_side() -> None:
    svg = render(rows(), [])
    assert "(nothing observed)" in svg
    assert all(a["marks"] == ["missing"] for k, a in arrows(svg).items() if k.startswith("1.4"))
