"""Meter Data Management System (I2): stores meter data, tamper events, trouble-order
resolutions, meter movements and meter-shop results; marks data untrustworthy; tells third
parties of data issues and CSS of the resolution of billing complaints.

Third parties are told of a data issue (a changed meter whose recorded data is suspect, or data
a technician marked untrustworthy) only for accounts they are authorized to read. When the
anomaly was found in the data by the MDMS technician, they are told once the technician has
marked which data is untrustworthy, not before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from amicert.actors.base import Actor, ActorContext, on
from amicert.cim.envelope import build_event
from amicert.trace import Exchange
from usecases.meter_lifecycle.vocabulary import (
    EVENTS_NS,
    FAILURE_CLASSES,
    MeterRef,
    TroubleOrder,
    cim_header,
    meter_message,
    mq,
    physical,
    read_meter_message,
    read_trouble_orders,
    reply,
    trouble_orders,
)

EDE = f"{{{EVENTS_NS}}}"


@dataclass
class DataMark:
    meter: str
    reason: str
    at: datetime
    interval: str = ""


@dataclass
class MeterData:
    readings: list[tuple[str, float]] = field(default_factory=list)
    events: list[tuple[str, str]] = field(default_factory=list)
    movements: list[dict[str, str]] = field(default_factory=list)
    shop_results: list[dict[str, str]] = field(default_factory=list)


class MeterDataManagementSystem(Actor):
    role = "Meter Data Management System"

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        self.data: dict[str, MeterData] = {}
        for mrid, ident in ctx.settings.get("meters", {}).items():
            self.data[mrid] = MeterData(readings=list(ident.get("history", [])))
        self.accounts: dict[str, dict[str, object]] = dict(ctx.settings.get("accounts", {}))
        self.resolutions: dict[str, TroubleOrder] = {}
        self.untrustworthy: list[DataMark] = []
        self.notices: list[tuple[str, str]] = []  # (recipient, meter)

    def meter(self, mrid: str) -> MeterData:
        return self.data.setdefault(mrid, MeterData())

    def third_party_for(self, account: str) -> bool:
        return bool(self.accounts.get(account, {}).get("third_party"))

    def notify_third_parties(self, meter: str, account: str, issue: str, interval: str) -> None:
        if not self.third_party_for(account):
            return
        self.notices.append(("3rd Parties", meter))
        self.send(
            "3rd Parties",
            meter_message(
                "DataIssueNotice",
                self.role,
                self.ctx.now(),
                meters=[MeterRef(meter, account=account)],
                details={"issue": issue, "interval": interval},
            ),
        )

    # --- messages --------------------------------------------------------------------------
    @on("created EndDeviceEvents")
    def on_events(self, root: etree._Element, exchange: Exchange) -> bytes:
        for ev in root.iter(EDE + "EndDeviceEvent"):
            meter = ev.findtext(f"{EDE}Assets/{EDE}mRID") or ""
            type_el = ev.find(EDE + "EndDeviceEventType")
            code = type_el.get("ref", "") if type_el is not None else ""
            self.meter(meter).events.append((code, ev.findtext(EDE + "createdDateTime") or ""))
            physical(self.ctx).notify(
                self.ctx, "Meter Data Management System Technician", "event", meter=meter, code=code
            )
        return reply(self, exchange, "EndDeviceEvents")

    @on("closed TroubleOrders")
    def on_closed(self, root: etree._Element, exchange: Exchange) -> None:
        for order in read_trouble_orders(root):
            self.resolutions[order.mrid] = order
            removed = next((m[0] for m in order.meters if m[3] == "removed"), "")
            account = order.account or ""
            failure = FAILURE_CLASSES.get(order.failure_class or "")
            accuracy_failed = (
                order.details.get("test.result") == "fail" and order.kind == "maintenance"
            )
            affected = (failure is not None and failure.data_affected) or accuracy_failed
            if order.trouble_code == "HIGH_BILL":
                self.send(
                    "CSS",
                    build_event(
                        cim_header(self, "closed", "TroubleOrders"), trouble_orders([order])
                    ),
                )
            elif order.trouble_code == "DATA_ANOMALY":
                physical(self.ctx).notify(
                    self.ctx,
                    "Meter Data Management System Technician",
                    "resolved",
                    order=order.mrid,
                )
            elif affected and removed:
                self.notify_third_parties(
                    removed, account, order.failure_class or "accuracy", order.requested.isoformat()
                )

    @on(mq("UntrustworthyMark"))
    def on_mark(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_meter_message(root)
        mark = DataMark(
            msg.meter,
            msg.details.get("reason", ""),
            self.ctx.now(),
            msg.details.get("interval", ""),
        )
        self.untrustworthy.append(mark)
        self.notify_third_parties(
            msg.meter, msg.meters[0].account or "", "untrustworthy data", mark.interval
        )

    @on(mq("StatusLocationUpdate"))
    def on_status(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_meter_message(root)
        self.meter(msg.meter).movements.append(dict(msg.details))

    @on(mq("MeterShopResult"))
    def on_shop(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_meter_message(root)
        self.meter(msg.meter).shop_results.append(dict(msg.details))

    @on(mq("ReadQuery"))
    def on_read_query(self, root: etree._Element, exchange: Exchange) -> bytes:
        msg = read_meter_message(root)
        details = {}
        for m in msg.meters:
            reads = self.meter(m.mrid).readings
            details[m.mrid] = ";".join(f"{d}={v:.1f}" for d, v in reads[-7:])
        return meter_message(
            "ReadData", self.role, self.ctx.now(), meters=msg.meters, details=details
        )

    def is_untrustworthy(self, meter: str) -> bool:
        return any(m.meter == meter for m in self.untrustworthy)
