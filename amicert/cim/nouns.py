"""Builders for the 61968-9 noun documents the harness sends: EndDeviceEvents, EndDeviceControls.

Content is emitted in the order of the project's noun schemas (cim_schemas/nouns/), so that what
the reference actors send validates against the same schemas the vendors' messages are held to.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from amicert.cim.envelope import format_datetime, noun_namespace, nsmap

END_DEVICE_EVENTS_NS = noun_namespace("EndDeviceEvents")
END_DEVICE_CONTROLS_NS = noun_namespace("EndDeviceControls")


@dataclass
class EndDeviceEventData:
    """One EndDeviceEvent. ``details`` keeps its insertion order (EndDeviceEventDetails)."""

    mrid: str
    created: datetime
    event_type: str
    asset_mrid: str | None
    reason: str | None = None
    severity: str | None = None
    issuer_id: str | None = None
    issuer_tracking_id: str | None = None
    user_id: str | None = None
    details: dict[str, str] = field(default_factory=dict)
    usage_point_mrid: str | None = None


@dataclass
class EndDeviceControlData:
    """One EndDeviceControl addressed to end devices; ``start``/``duration_s`` give its timing."""

    mrid: str
    control_type: str
    end_device_mrids: list[str]
    reason: str | None = None
    issuer_id: str | None = None
    issuer_tracking_id: str | None = None
    start: datetime | None = None
    duration_s: float | None = None


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    el = etree.SubElement(parent, tag)
    if text is not None:
        el.text = text
    return el


def _opt(parent: etree._Element, tag: str, text: str | None) -> None:
    if text is not None:
        _sub(parent, tag, text)


def _mrid_ref(parent: etree._Element, tag: str, ns: str, mrid: str) -> None:
    _sub(_sub(parent, tag), f"{{{ns}}}mRID", mrid)


def end_device_events(events: Iterable[EndDeviceEventData]) -> etree._Element:
    """An ``EndDeviceEvents`` document with one EndDeviceEvent per item."""
    ns = END_DEVICE_EVENTS_NS
    q = f"{{{ns}}}"
    root = etree.Element(q + "EndDeviceEvents", nsmap=nsmap(ns))
    for ev in events:
        el = _sub(root, q + "EndDeviceEvent")
        _sub(el, q + "mRID", ev.mrid)
        _sub(el, q + "createdDateTime", format_datetime(ev.created))
        _opt(el, q + "issuerID", ev.issuer_id)
        _opt(el, q + "issuerTrackingID", ev.issuer_tracking_id)
        _opt(el, q + "reason", ev.reason)
        _opt(el, q + "severity", ev.severity)
        _opt(el, q + "userID", ev.user_id)
        if ev.asset_mrid is not None:
            _mrid_ref(el, q + "Assets", ns, ev.asset_mrid)
        for name, value in ev.details.items():
            detail = _sub(el, q + "EndDeviceEventDetails")
            _sub(detail, q + "name", name)
            _sub(detail, q + "value", value)
        _sub(el, q + "EndDeviceEventType").set("ref", ev.event_type)
        if ev.usage_point_mrid is not None:
            _mrid_ref(el, q + "UsagePoint", ns, ev.usage_point_mrid)
    return root


def _duration(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else repr(float(seconds))


def end_device_controls(controls: Iterable[EndDeviceControlData]) -> etree._Element:
    """An ``EndDeviceControls`` document with one EndDeviceControl per item."""
    ns = END_DEVICE_CONTROLS_NS
    q = f"{{{ns}}}"
    root = etree.Element(q + "EndDeviceControls", nsmap=nsmap(ns))
    for ctl in controls:
        el = _sub(root, q + "EndDeviceControl")
        _sub(el, q + "mRID", ctl.mrid)
        _opt(el, q + "issuerID", ctl.issuer_id)
        _opt(el, q + "issuerTrackingID", ctl.issuer_tracking_id)
        _opt(el, q + "reason", ctl.reason)
        _sub(el, q + "EndDeviceControlType").set("ref", ctl.control_type)
        for mrid in ctl.end_device_mrids:
            _mrid_ref(el, q + "EndDevices", ns, mrid)
        if ctl.start is not None or ctl.duration_s is not None:
            timing = _sub(el, q + "primaryDeviceTiming")
            if ctl.duration_s is not None:
                _sub(timing, q + "duration", _duration(ctl.duration_s))
            if ctl.start is not None:
                _sub(_sub(timing, q + "interval"), q + "start", format_datetime(ctl.start))
    return root
