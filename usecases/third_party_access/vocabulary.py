"""Builders and readers of C4's messages.

At the third-party boundary (Third Party - CCS) the messages are 61968-9 nouns: a monitoring
request is a get MeterReadings, a control a create EndDeviceControls, and their results a created
MeterReadings or EndDeviceControls correlated to the request. Inside the AMI and the HAN, and for
the reports people make, no 61968-9 noun applies: those use the harness protocol
urn:amicert:thirdparty:1 (cim_schemas/thirdparty/amicert-thirdparty.xsd, cim_schemas/PROFILE.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from amicert.cim.envelope import Header, format_datetime, noun_namespace, nsmap

TPA_NS = "urn:amicert:thirdparty:1"
MSG_NS = "http://iec.ch/TC57/2011/schema/message"
METER_READINGS_NS = noun_namespace("MeterReadings")
GET_METER_READINGS_NS = noun_namespace("GetMeterReadings")
END_DEVICE_CONTROLS_NS = noun_namespace("EndDeviceControls")
REGISTER_KWH = "0.0.0.1.1.1.12.0.0.0.0.0.0.0.0.3.72.0"  # bulk forward energy, kWh
LOAD_CONTROL_START = "0.15.0.54"  # EndDeviceControlType: load control start
# C4NFR1: 24 transactions per hour, at most 576 a day, per service point; a request counts two
# (one to the gateway, one back with its results). The document's tier; others are settings.
DOCUMENT_TIER = {"transactions_per_hour": 24, "transactions_per_day": 576}
TRANSACTIONS_PER_REQUEST = 2
UNAUTHORIZED_PER_HOUR = 10  # C4FR27, C4FR28: an alarm when attempts exceed it
# The authorization status a transaction-log record holds (3.1 rows 4 and 14, 3.2 rows 5 and 15):
# one of these words, then optionally ": <why>" or "; <what followed>" (e.g. "unauthorized: action
# not authorized", "authorized; refused: message limit exceeded"); empty while not yet known.
AUTHORIZED = "authorized"
UNAUTHORIZED = "unauthorized"
AUTHORIZATION_STATUSES = (AUTHORIZED, UNAUTHORIZED)
AUTHORIZATION_PATTERN = rf"^$|^({'|'.join(AUTHORIZATION_STATUSES)})([:;] .*)?$"
# The CCS transaction log's record (C4FR9, C4FR17, C4FR18): field -> what it holds; the C4FR18
# letter is the document's, the field name the one the contract publishes and findings name.
LOG_FIELDS = {
    "transaction": "the MessageID of the third party's request",
    "kind": "monitor or control",
    "third_party": "C4FR18 inbound a. third party source ID, outbound b. destination ID",
    "service_point": "the service point the request addressed",
    "device": "C4FR18 inbound b. customer destination device ID, outbound a. source device ID",
    "authorization": "the source third party's authorization status, 3.1 row 4 and 3.2 row 5",
    "received": "C4FR18 inbound c. date and time the third party transaction was received",
    "pushed_to_spg": "C4FR18 inbound d. date and time pushed to the service point gateway",
    "spg_received": "C4FR18 inbound e. date and time received at the service point gateway",
    "pushed_to_han": "C4FR18 inbound e. date and time pushed to the HAN",
    "out_spg_received": "C4FR18 outbound c. date and time received at the service point gateway",
    "out_pushed_to_ccs": "C4FR18 outbound d. date and time pushed to the CCS",
    "out_received": "C4FR18 outbound e. date and time received by the CCS",
    "out_pushed_to_tp": "C4FR18 outbound e. date and time pushed to the third party",
    "target_authorization": "the target third party's authorization status, 3.1 row 14 and 3.2 "
    "row 15",
    "events": "the receipts and answers logged for the transaction, each 'date-time kind'",
    "origin": "'third party', or 'queued' for a message set up at the CCS, 3.5 row 1",
}


def authorization_status(text: str) -> str | None:
    """The status word of a logged authorization ('' when empty; None: none of the statuses)."""
    found = re.match(AUTHORIZATION_PATTERN, text)
    return found.group(1) or "" if found else None


def tq(local: str) -> str:
    """The Clark name of a harness third-party message."""
    return f"{{{TPA_NS}}}{local}"


@dataclass
class TpaMessage:
    """One message of the harness third-party protocol, as read."""

    kind: str
    sender: str
    sent: str
    message_id: str
    transaction: str = ""
    third_party: str = ""
    service_point: str = ""
    devices: list[str] = field(default_factory=list)
    details: dict[str, str] = field(default_factory=dict)


def tpa_message(
    kind: str,
    sender: str,
    sent: datetime,
    message_id: str,
    *,
    transaction: str | None = None,
    third_party: str | None = None,
    service_point: str | None = None,
    devices: Iterable[str] = (),
    details: Mapping[str, str] | None = None,
) -> bytes:
    root = etree.Element(tq(kind), nsmap={"tpa": TPA_NS})

    def sub(local: str, text: str | None) -> etree._Element:
        el = etree.SubElement(root, tq(local))
        el.text = text
        return el

    sub("sender", sender)
    sub("sentDateTime", format_datetime(sent))
    sub("messageId", message_id)
    if transaction:
        sub("transactionId", transaction)
    if third_party:
        sub("thirdParty", third_party)
    if service_point:
        sub("servicePoint", service_point)
    for mrid in devices:
        sub("device", None).set("mRID", mrid)
    for name, value in (details or {}).items():
        sub("detail", value).set("name", name)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def passed_on(
    msg: TpaMessage,
    sender: str,
    sent: datetime,
    message_id: str,
    *,
    kind: str | None = None,
    service_point: str | None = None,
    details: Mapping[str, str] | None = None,
) -> bytes:
    """``msg`` sent on by the next hop under its own name and identifier: the transaction, third
    party, service point, devices and details travel with it unless the hop says otherwise."""
    return tpa_message(
        kind or msg.kind,
        sender,
        sent,
        message_id,
        transaction=msg.transaction,
        third_party=msg.third_party,
        service_point=service_point or msg.service_point,
        devices=msg.devices,
        details=msg.details if details is None else details,
    )


def read_tpa(root: etree._Element) -> TpaMessage:
    """The fields of a harness third-party message ('' where absent)."""
    ns = {"tpa": TPA_NS}

    def text(local: str) -> str:
        return (root.findtext(f"tpa:{local}", namespaces=ns) or "").strip()

    return TpaMessage(
        kind=etree.QName(root).localname,
        sender=text("sender"),
        sent=text("sentDateTime"),
        message_id=text("messageId"),
        transaction=text("transactionId"),
        third_party=text("thirdParty"),
        service_point=text("servicePoint"),
        devices=[d.get("mRID", "") for d in root.findall("tpa:device", namespaces=ns)],
        details={
            d.get("name", ""): (d.text or "") for d in root.findall("tpa:detail", namespaces=ns)
        },
    )


# --- 61968-9 at the third-party boundary ----------------------------------------------------


def _ref(parent: etree._Element, tag: str, mrid: str) -> None:
    ns = etree.QName(parent).namespace
    el = etree.SubElement(parent, tag)
    etree.SubElement(el, f"{{{ns}}}mRID").text = mrid


def monitor_query(service_point: str, device: str) -> etree._Element:
    """The GetMeterReadings query of a monitoring request: the customer device at a service point."""
    q = f"{{{GET_METER_READINGS_NS}}}"
    root = etree.Element(q + "GetMeterReadings", nsmap=nsmap(GET_METER_READINGS_NS))
    _ref(root, q + "EndDevice", device)
    _ref(root, q + "UsagePoint", service_point)
    return root


def customer_data(service_point: str, device: str, kwh: str, at: datetime) -> etree._Element:
    """A MeterReadings payload carrying a customer device's energy reading."""
    q = f"{{{METER_READINGS_NS}}}"
    root = etree.Element(q + "MeterReadings", nsmap=nsmap(METER_READINGS_NS))
    reading = etree.SubElement(root, q + "MeterReading")
    meter = etree.SubElement(reading, q + "Meter")
    etree.SubElement(meter, q + "mRID").text = device
    value = etree.SubElement(reading, q + "Readings")
    etree.SubElement(value, q + "timeStamp").text = format_datetime(at)
    etree.SubElement(value, q + "value").text = kwh
    etree.SubElement(value, q + "ReadingType").set("ref", REGISTER_KWH)
    _ref(reading, q + "UsagePoint", service_point)
    return root


def control(mrid: str, service_point: str, device: str, command: str) -> etree._Element:
    """An EndDeviceControls payload: one load control of a customer device at a service point."""
    q = f"{{{END_DEVICE_CONTROLS_NS}}}"
    root = etree.Element(q + "EndDeviceControls", nsmap=nsmap(END_DEVICE_CONTROLS_NS))
    ctl = etree.SubElement(root, q + "EndDeviceControl")
    etree.SubElement(ctl, q + "mRID").text = mrid
    etree.SubElement(ctl, q + "reason").text = command
    etree.SubElement(ctl, q + "EndDeviceControlType").set("ref", LOAD_CONTROL_START)
    _ref(ctl, q + "EndDevices", device)
    _ref(ctl, q + "UsagePoints", service_point)
    return root


@dataclass
class CimRequest:
    """What the CCS reads in a third party's request before it may act on it."""

    message_id: str
    third_party: str
    organization: str
    service_point: str
    device: str
    command: str = ""


def read_addressed(root: etree._Element) -> tuple[str, str]:
    """The service point and customer device a message at the third-party boundary is about: a
    request's query or control, the Meter of a reading, the EndDevices of a control done."""
    sp = root.xpath(
        "string((//*[local-name()='UsagePoint' or local-name()='UsagePoints']/*[local-name()='mRID'])[1])"
    )
    dev = root.xpath(
        "string((//*[local-name()='EndDevice' or local-name()='EndDevices' or local-name()='Meter']"
        "/*[local-name()='mRID'])[1])"
    )
    return str(sp).strip(), str(dev).strip()


def read_request(root: etree._Element) -> CimRequest:
    """Header/User and the service point and device a third party's request addresses."""
    m = {"m": MSG_NS}
    sp, dev = read_addressed(root)
    return CimRequest(
        message_id=(root.findtext("m:Header/m:MessageID", namespaces=m) or "").strip(),
        third_party=(root.findtext("m:Header/m:User/m:UserID", namespaces=m) or "").strip(),
        organization=(root.findtext("m:Header/m:User/m:Organization", namespaces=m) or "").strip(),
        service_point=sp,
        device=dev,
        command=str(
            root.xpath("string(//*[local-name()='EndDeviceControl']/*[local-name()='reason'])")
        ),
    )


def cim_header(
    sender: str,
    verb: str,
    noun: str,
    message_id: str,
    now: datetime,
    *,
    correlation_id: str | None = None,
    user: tuple[str, str] | None = None,
    nonce: str | None = None,
) -> Header:
    """``nonce``: a ReplayDetection (Nonce, Created now) for the receiver's replay check."""
    return Header(
        verb=verb,
        noun=noun,
        message_id=message_id,
        timestamp=now,
        source=sender,
        correlation_id=correlation_id,
        user_id=user[0] if user else None,
        organization=user[1] if user else None,
        replay_nonce=nonce,
        replay_created=now if nonce else None,
    )
