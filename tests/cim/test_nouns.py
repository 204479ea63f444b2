"""Noun builders: content in the schema's order, validated by the project's noun schemas."""

from __future__ import annotations

from lxml import etree

from amicert.cim.nouns import (
    END_DEVICE_CONTROLS_NS,
    END_DEVICE_EVENTS_NS,
    EndDeviceControlData,
    EndDeviceEventData,
    end_device_controls,
    end_device_events,
)
from amicert.cim.schemas import schema_for_namespace

from .conftest import T0


def names(element: etree._Element) -> list[str]:
    return [etree.QName(c).localname for c in element]


FULL_EVENT = EndDeviceEventData(
    "ev-1",
    T0,
    "3.11.124.35",
    "meter-1",
    reason="refused",
    severity="major",
    issuer_id="HES",
    issuer_tracking_id="t-1",
    user_id="system",
    details={"refusalReason": "DOWNGRADE", "firmwareVersion": "4.1"},
    usage_point_mrid="up-1",
)


def test_event_content_in_schema_order() -> None:
    root = end_device_events([FULL_EVENT])
    assert root.tag == f"{{{END_DEVICE_EVENTS_NS}}}EndDeviceEvents"
    assert names(root[0]) == [
        "mRID",
        "createdDateTime",
        "issuerID",
        "issuerTrackingID",
        "reason",
        "severity",
        "userID",
        "Assets",
        "EndDeviceEventDetails",
        "EndDeviceEventDetails",
        "EndDeviceEventType",
        "UsagePoint",
    ]
    details = root[0].findall(f"{{{END_DEVICE_EVENTS_NS}}}EndDeviceEventDetails")
    assert [d[0].text for d in details] == ["refusalReason", "firmwareVersion"]
    assert root[0][10].get("ref") == "3.11.124.35"
    schema = schema_for_namespace(END_DEVICE_EVENTS_NS)
    assert schema is not None and schema.validate(root), schema.error_log if schema else None


def test_minimal_event_validates() -> None:
    root = end_device_events([EndDeviceEventData("e", T0, "3.1.0.85", None)])
    assert names(root[0]) == ["mRID", "createdDateTime", "EndDeviceEventType"]
    schema = schema_for_namespace(END_DEVICE_EVENTS_NS)
    assert schema is not None and schema.validate(root)


def test_controls_content_in_schema_order() -> None:
    control = EndDeviceControlData(
        "c-1",
        "0.10.73.298",
        ["meter-1", "meter-2"],
        reason="pairing",
        issuer_id="MDM",
        issuer_tracking_id="t",
        start=T0,
        duration_s=900,
    )
    root = end_device_controls([control, EndDeviceControlData("c-2", "0.15.0.55", [])])
    assert root.tag == f"{{{END_DEVICE_CONTROLS_NS}}}EndDeviceControls"
    assert names(root[0]) == [
        "mRID",
        "issuerID",
        "issuerTrackingID",
        "reason",
        "EndDeviceControlType",
        "EndDevices",
        "EndDevices",
        "primaryDeviceTiming",
    ]
    timing = root[0][7]
    assert names(timing) == ["duration", "interval"]
    assert timing[0].text == "900"
    assert names(root[1]) == ["mRID", "EndDeviceControlType"]
    schema = schema_for_namespace(END_DEVICE_CONTROLS_NS)
    assert schema is not None and schema.validate(root), schema.error_log if schema else None


def test_fractional_duration() -> None:
    root = end_device_controls([EndDeviceControlData("c", "0.15.0.54", [], duration_s=1.5)])
    assert root[0][2][0].text == "1.5"


def texts(element: etree._Element) -> list[str | None]:
    """Each element's text in document order (None for an element that holds elements)."""
    return [e.text for e in element.iter() if len(e) == 0]


def test_event_fields_carry_the_values_given() -> None:
    assert texts(end_device_events([FULL_EVENT])[0]) == [
        "ev-1",
        "2024-05-01T12:00:00Z",
        "HES",
        "t-1",
        "refused",
        "major",
        "system",
        "meter-1",
        "refusalReason",
        "DOWNGRADE",
        "firmwareVersion",
        "4.1",
        None,  # EndDeviceEventType carries its code as ref
        "up-1",
    ]


def test_control_fields_carry_the_values_given() -> None:
    control = EndDeviceControlData(
        "c-1", "0.10.73.298", ["meter-1", "meter-2"], reason="pairing", issuer_id="MDM"
    )
    assert texts(end_device_controls([control])[0]) == [
        "c-1",
        "MDM",
        "pairing",
        None,  # EndDeviceControlType carries its code as ref
        "meter-1",
        "meter-2",
    ]
