"""The message vocabulary and physical world of use case I2 (meter lifecycle).

Three kinds of message cross the actors of I2:

- the harness's meter-lifecycle protocol (``urn:amicert:meter:1``, cim_schemas/meter/) for the
  exchanges no public IEC 61968 profile covers: meter and field-tool traffic, people's reports;
- 61968-9 EndDeviceEvents (failure, communication and tamper notices) and MeterReadings
  (on-demand read and self-test, ``get`` -> ``reply``);
- the harness's trouble-order profile (``urn:amicert:trouble:1``, noun ``TroubleOrders``) built on
  the CIM Work and TroubleTicket classes, in a 61968-100 envelope.

The :class:`PhysicalWorld` holds what is on no wire: which meter sits in which socket, what an
installer carries, meters handed over and shipped, radio reachability, and the screens through
which people notice work. It is shared by the actors of one scenario.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from lxml import etree

from amicert.cim.envelope import Header, ReplyError, build_response, format_datetime, nsmap

if TYPE_CHECKING:
    from amicert.actors.base import Actor, ActorContext
    from amicert.trace import Exchange

METER_NS = "urn:amicert:meter:1"
TROUBLE_NS = "urn:amicert:trouble:1"
READINGS_NS = "http://iec.ch/TC57/2011/MeterReadings#"
EVENTS_NS = "http://iec.ch/TC57/2011/EndDeviceEvents#"
GET_READINGS_NS = "http://iec.ch/TC57/2011/GetMeterReadings#"
ENERGY_READING_TYPE = "0.0.0.1.1.1.12.0.0.0.0.0.0.0.0.3.72.0"
SELF_TEST_FAILED = "3.11.100.85"
COMMUNICATION_FAILED = "3.1.0.85"
TAMPER_DETECTED = "3.12.0.257"
COVER_REMOVED = "3.12.29.212"


def mq(local: str) -> str:
    """Clark name of a meter-lifecycle protocol element."""
    return f"{{{METER_NS}}}{local}"


# --- failure classes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FailureClass:
    """A diagnostic failure the meter can detect: its event code, how urgent, which component.

    ``critical`` failures (I2FR1) and ``safety`` (safety/service) failures are reported at once;
    the others travel with the next scheduled read. ``component`` decides the routing (I2BR3).
    ``data_affected`` says whether the meter's recorded data is suspect (third parties are told).
    """

    name: str
    code: str
    component: str
    critical: bool
    safety: bool
    data_affected: bool
    description: str


FAILURE_CLASSES: dict[str, FailureClass] = {
    f.name: f
    for f in (
        # no public code for a checksum error: the program (ROM) memory failure code is used
        FailureClass(
            "checksum", "3.18.92.85", "meter", True, False, True, "Program check sum error"
        ),
        FailureClass(
            "firmware-upgrade",
            "3.11.124.35",
            "meter",
            True,
            False,
            True,
            "Meter failure from firmware upgrade",
        ),
        # no public metrology-failure code: self-test failed, class named in the details
        FailureClass(
            "metrology", SELF_TEST_FAILED, "meter", True, False, True, "Metrology failure"
        ),
        FailureClass(
            "memory", "3.18.85.85", "meter", True, False, True, "Program or memory failure"
        ),
        FailureClass("time-sync", "3.36.116.85", "meter", True, False, True, "Time synch failure"),
        FailureClass(
            "wrong-socket",
            SELF_TEST_FAILED,
            "meter",
            True,
            False,
            True,
            "Meter in the wrong socket",
        ),
        FailureClass(
            "han-communication",
            COMMUNICATION_FAILED,
            "han",
            False,
            True,
            True,  # third parties read their meters through the HAN
            "Failure communicating with subscribed home devices",
        ),
        FailureClass(
            "wan-communication",
            COMMUNICATION_FAILED,
            "wan",
            False,
            True,
            False,
            "Communication module failure",
        ),
        FailureClass("power", "3.26.0.85", "meter", False, True, False, "Power failure"),
        FailureClass(
            "display", SELF_TEST_FAILED, "meter", False, False, False, "Display or housing damage"
        ),
    )
}
# I2BR3's example: comm. system = IT, Meter = MSO, HAN = TP&S
DEFAULT_ROUTING = {
    "meter": "MSO",
    "wan": "IT",
    "lan": "IT",
    "han": "TP&S",
    "tamper": "Revenue Protection",
}


def failure_of(code: str, failure_class: str | None) -> FailureClass | None:
    """The failure class an event names (details first, the code where it is unambiguous)."""
    if failure_class and failure_class in FAILURE_CLASSES:
        return FAILURE_CLASSES[failure_class]
    matches = [f for f in FAILURE_CLASSES.values() if f.code == code]
    return matches[0] if len(matches) == 1 else None


# --- the meter-lifecycle protocol --------------------------------------------------------------


@dataclass
class MeterRef:
    mrid: str
    serial: str | None = None
    lot: str | None = None
    manufacturer: str | None = None
    model: str | None = None
    module: str | None = None
    account: str | None = None


@dataclass
class Record:
    """One meter log record: an event code (where one exists) or a kind, and when."""

    at: datetime
    code: str | None = None
    kind: str | None = None
    details: dict[str, str] = field(default_factory=dict)


@dataclass
class MeterMessage:
    root: str
    sender: str
    sent: str
    order: str | None
    meters: list[MeterRef]
    details: dict[str, str]
    records: list[dict[str, Any]]

    @property
    def meter(self) -> str:
        return self.meters[0].mrid if self.meters else ""


def meter_message(
    local: str,
    sender: str,
    now: datetime,
    *,
    order: str | None = None,
    meters: Iterable[MeterRef] = (),
    details: dict[str, str] | None = None,
    records: Iterable[Record] = (),
) -> bytes:
    root = etree.Element(mq(local), nsmap=nsmap(METER_NS))
    etree.SubElement(root, mq("sender")).text = sender
    etree.SubElement(root, mq("sentDateTime")).text = format_datetime(now)
    if order is not None:
        etree.SubElement(root, mq("orderId")).text = order
    for m in meters:
        el = etree.SubElement(root, mq("meter"), mRID=m.mrid)
        for attr, value in (
            ("serialNumber", m.serial),
            ("lotNumber", m.lot),
            ("manufacturer", m.manufacturer),
            ("model", m.model),
            ("module", m.module),
            ("account", m.account),
        ):
            if value is not None:
                el.set(attr, value)
    for name, value in (details or {}).items():
        d = etree.SubElement(root, mq("detail"), name=name)
        d.text = value
    for r in records:
        rec = etree.SubElement(root, mq("record"), at=format_datetime(r.at))
        if r.code:
            rec.set("code", r.code)
        if r.kind:
            rec.set("kind", r.kind)
        for name, value in r.details.items():
            etree.SubElement(rec, mq("detail"), name=name).text = value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def read_meter_message(root: etree._Element) -> MeterMessage:
    meters = [
        MeterRef(
            el.get("mRID", ""),
            el.get("serialNumber"),
            el.get("lotNumber"),
            el.get("manufacturer"),
            el.get("model"),
            el.get("module"),
            el.get("account"),
        )
        for el in root.findall(mq("meter"))
    ]
    records = [
        {
            "code": r.get("code"),
            "kind": r.get("kind"),
            "at": r.get("at", ""),
            "details": {d.get("name", ""): d.text or "" for d in r.findall(mq("detail"))},
        }
        for r in root.findall(mq("record"))
    ]
    return MeterMessage(
        root=etree.QName(root).localname,
        sender=root.findtext(mq("sender")) or "",
        sent=root.findtext(mq("sentDateTime")) or "",
        order=root.findtext(mq("orderId")),
        meters=meters,
        details={d.get("name", ""): d.text or "" for d in root.findall(mq("detail"))},
        records=records,
    )


# --- trouble orders (harness profile on CIM Work / TroubleTicket) --------------------------------


@dataclass
class TroubleOrder:
    mrid: str
    kind: str
    status: str
    requested: datetime
    priority: int | None = None
    scheduled: datetime | None = None
    trouble_code: str | None = None
    failure_class: str | None = None
    source: str | None = None
    organisation: str | None = None
    crew: str | None = None
    material: str | None = None
    parent: str | None = None
    resolution: str | None = None
    comment: str | None = None
    details: dict[str, str] = field(default_factory=dict)
    meters: list[tuple[str, str | None, str | None, str | None]] = field(default_factory=list)
    usage_point: str | None = None
    premise: str | None = None
    account: str | None = None


def _tsub(parent: etree._Element, local: str, text: str | None) -> None:
    if text is not None:
        etree.SubElement(parent, f"{{{TROUBLE_NS}}}{local}").text = text


def trouble_orders(orders: Iterable[TroubleOrder]) -> etree._Element:
    q = f"{{{TROUBLE_NS}}}"
    root = etree.Element(q + "TroubleOrders", nsmap=nsmap(TROUBLE_NS))
    for o in orders:
        el = etree.SubElement(root, q + "TroubleOrder")
        _tsub(el, "mRID", o.mrid)
        _tsub(el, "kind", o.kind)
        _tsub(el, "statusKind", o.status)
        _tsub(el, "priority", None if o.priority is None else str(o.priority))
        _tsub(el, "requestDateTime", format_datetime(o.requested))
        _tsub(el, "scheduledDateTime", format_datetime(o.scheduled) if o.scheduled else None)
        _tsub(el, "troubleCode", o.trouble_code)
        _tsub(el, "failureClass", o.failure_class)
        _tsub(el, "source", o.source)
        _tsub(el, "responsibleOrganisation", o.organisation)
        _tsub(el, "crew", o.crew)
        _tsub(el, "materialCode", o.material)
        _tsub(el, "parentOrder", o.parent)
        _tsub(el, "resolution", o.resolution)
        _tsub(el, "comment", o.comment)
        for name, value in o.details.items():
            d = etree.SubElement(el, q + "Details")
            _tsub(d, "name", name)
            _tsub(d, "value", value)
        for mrid, serial, lot, role in o.meters:
            m = etree.SubElement(el, q + "Meter")
            _tsub(m, "mRID", mrid)
            _tsub(m, "serialNumber", serial)
            _tsub(m, "lotNumber", lot)
            _tsub(m, "role", role)
        if o.usage_point is not None:
            up = etree.SubElement(el, q + "UsagePoint")
            _tsub(up, "mRID", o.usage_point)
            _tsub(up, "premiseAddress", o.premise)
            _tsub(up, "account", o.account)
    return root


def read_trouble_orders(root: etree._Element) -> list[TroubleOrder]:
    from amicert.cim.envelope import parse_datetime

    q = f"{{{TROUBLE_NS}}}"
    found: list[TroubleOrder] = []
    for el in root.iter(q + "TroubleOrder"):

        def t(local: str, parent: etree._Element = el) -> str | None:
            return parent.findtext(q + local)

        priority = t("priority")
        found.append(
            TroubleOrder(
                mrid=t("mRID") or "",
                kind=t("kind") or "",
                status=t("statusKind") or "",
                requested=parse_datetime(t("requestDateTime")) or datetime.min,
                priority=int(priority) if priority else None,
                scheduled=parse_datetime(t("scheduledDateTime")),
                trouble_code=t("troubleCode"),
                failure_class=t("failureClass"),
                source=t("source"),
                organisation=t("responsibleOrganisation"),
                crew=t("crew"),
                material=t("materialCode"),
                parent=t("parentOrder"),
                resolution=t("resolution"),
                comment=t("comment"),
                details={
                    d.findtext(q + "name") or "": d.findtext(q + "value") or ""
                    for d in el.findall(q + "Details")
                },
                meters=[
                    (
                        m.findtext(q + "mRID") or "",
                        m.findtext(q + "serialNumber"),
                        m.findtext(q + "lotNumber"),
                        m.findtext(q + "role"),
                    )
                    for m in el.findall(q + "Meter")
                ],
                usage_point=el.findtext(f"{q}UsagePoint/{q}mRID"),
                premise=el.findtext(f"{q}UsagePoint/{q}premiseAddress"),
                account=el.findtext(f"{q}UsagePoint/{q}account"),
            )
        )
    return found


# --- MeterReadings (on-demand read and self-test) ------------------------------------------------


def get_meter_readings(meter: str) -> etree._Element:
    """The ``GetMeterReadings`` query placed in the Request of a ``get MeterReadings``."""
    q = f"{{{GET_READINGS_NS}}}"
    root = etree.Element(q + "GetMeterReadings", nsmap=nsmap(GET_READINGS_NS))
    etree.SubElement(etree.SubElement(root, q + "EndDevice"), q + "mRID").text = meter
    etree.SubElement(root, q + "ReadingType").set("ref", ENERGY_READING_TYPE)
    return root


def queried_meter(root: etree._Element) -> str:
    found = root.findtext(f".//{{{GET_READINGS_NS}}}EndDevice/{{{GET_READINGS_NS}}}mRID")
    return found or ""


def meter_readings(
    meter: str,
    serial: str | None,
    now: datetime,
    kwh: float,
    self_test: list[tuple[str, str]],
) -> etree._Element:
    """A MeterReadings document: one register reading and the self-test failures as events."""
    q = f"{{{READINGS_NS}}}"
    root = etree.Element(q + "MeterReadings", nsmap=nsmap(READINGS_NS))
    mr = etree.SubElement(root, q + "MeterReading")
    for code, failure in self_test:
        ev = etree.SubElement(mr, q + "EndDeviceEvents")
        etree.SubElement(ev, q + "createdDateTime").text = format_datetime(now)
        etree.SubElement(ev, q + "reason").text = "On-demand self-test failed"
        d = etree.SubElement(ev, q + "EndDeviceEventDetails")
        etree.SubElement(d, q + "name").text = "failureClass"
        etree.SubElement(d, q + "value").text = failure
        etree.SubElement(ev, q + "EndDeviceEventType").set("ref", code)
    m = etree.SubElement(mr, q + "Meter")
    etree.SubElement(m, q + "mRID").text = meter
    if serial is not None:
        etree.SubElement(m, q + "serialNumber").text = serial
    reading = etree.SubElement(mr, q + "Readings")
    etree.SubElement(reading, q + "timeStamp").text = format_datetime(now)
    etree.SubElement(reading, q + "value").text = f"{kwh:.3f}"
    etree.SubElement(reading, q + "ReadingType").set("ref", ENERGY_READING_TYPE)
    return root


def read_meter_readings(root: etree._Element) -> tuple[str, float | None, list[str]]:
    """(meter, register value, self-test failure classes) of a MeterReadings payload."""
    q = f"{{{READINGS_NS}}}"
    meter = root.findtext(f".//{q}Meter/{q}mRID") or ""
    value = root.findtext(f".//{q}Readings/{q}value")
    failures = [
        d.findtext(q + "value") or ""
        for d in root.iter(q + "EndDeviceEventDetails")
        if d.findtext(q + "name") == "failureClass"
    ]
    return meter, float(value) if value else None, failures


# --- CIM helpers for reference actors ------------------------------------------------------------


def cim_header(actor: Actor, verb: str, noun: str, *, correlation_id: str | None = None) -> Header:
    return Header(
        verb=verb,
        noun=noun,
        message_id=actor.ctx.new_id(),
        timestamp=actor.ctx.now(),
        source=actor.role,
        correlation_id=correlation_id,
    )


def reply(
    actor: Actor,
    exchange: Exchange,
    noun: str,
    payload: etree._Element | None = None,
    *,
    errors: Iterable[ReplyError] = (),
) -> bytes:
    """A synchronous reply to ``exchange``: FAILED 1.8 when it did not validate, else OK."""
    info = exchange.info
    header = Header(
        verb="reply",
        noun=noun,
        message_id=actor.ctx.new_id(),
        timestamp=actor.ctx.now(),
        source=actor.role,
        correlation_id=info.message_id if info else None,
    )
    invalid = [f for f in exchange.findings if f.is_error and f.rule.startswith("XSD")]
    if invalid:
        err = ReplyError(
            "1.8", "FATAL", "does not validate against schema", invalid[0].message[:500]
        )
        return build_response(header, "FAILED", errors=[err])
    errs = list(errors)
    return build_response(header, "FAILED" if errs else "OK", errors=errs, payload=payload)


# --- the physical world ----------------------------------------------------------------------


@dataclass
class Premise:
    account: str
    address: str
    usage_point: str
    socket: str | None = None
    lock_ring: bool = False
    bypass: bool = False
    third_party: bool = False
    session_order: str = ""
    removed_meter: str = ""


@dataclass
class PhysicalWorld:
    """What no message carries: meters in sockets, in trucks, in transit; radio reachability;
    and the screens through which people notice new work (``notify``)."""

    premises: dict[str, Premise] = field(default_factory=dict)
    truck: dict[str, list[str]] = field(default_factory=dict)
    handed_over: dict[str, str] = field(default_factory=dict)
    wan_down: set[str] = field(default_factory=set)
    listeners: dict[str, list[Callable[[str, dict[str, Any]], None]]] = field(default_factory=dict)
    history: list[tuple[datetime, str, str]] = field(default_factory=list)

    def premise_of(self, meter: str) -> Premise | None:
        return next((p for p in self.premises.values() if p.socket == meter), None)

    def premise_for_account(self, account: str) -> Premise | None:
        return self.premises.get(account)

    def installed(self, meter: str) -> bool:
        return self.premise_of(meter) is not None

    def listen(self, who: str, fn: Callable[[str, dict[str, Any]], None]) -> None:
        self.listeners.setdefault(who, []).append(fn)

    def notify(self, ctx: ActorContext, who: str, what: str, **data: Any) -> None:
        """Put ``what`` on the screen (or in the hands) of ``who``; they react on the clock."""
        self.history.append((ctx.now(), who, what))
        from datetime import timedelta

        for fn in list(self.listeners.get(who, [])):
            ctx.clock.call_later(
                timedelta(0), functools.partial(fn, what, dict(data)), f"{who}: {what}"
            )


def physical(ctx: ActorContext) -> PhysicalWorld:
    """The physical world of this scenario (created on first use)."""
    found = ctx.settings.get("physical")
    if not isinstance(found, PhysicalWorld):
        found = PhysicalWorld()
        ctx.settings["physical"] = found
    return found
