"""Meter Management System (I2): the meter registry, and the trouble-report decisions.

Rules, in order, for a failure event (I2FR18-20, I2BR3):

1. a failure of a meter inside a known outage (planned or unplanned) or its planned
   maintenance raises no trouble report: it is recorded as suppressed;
2. a failure of a meter that already has an open order is attached to that order;
3. otherwise a trouble report is issued to the organization responsible for the failed
   component (``routing``: meter -> MSO, WAN/LAN -> IT, HAN -> TP&S by default), with a priority
   from the failure (critical failures 2; a meter no alternate path reaches 1, else 3).

Orders raised by people (CSS, the MDMS technician) are issued the same way; revenue-protection
orders go straight to the revenue protection field tool; a replacement raised from the field
is issued to the field force, whose dispatcher holds it until a replacement meter is at hand. Completion updates the registry and, where a meter was changed, tells the
Meter Data Management System; orders that came through CSS are reported back to CSS unless they
are billing complaints (the MDMS answers those).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from lxml import etree

from amicert.actors.base import Actor, ActorContext, on
from amicert.cim.envelope import build_event, build_request, parse_datetime
from amicert.trace import Exchange
from usecases.meter_lifecycle.vocabulary import (
    DEFAULT_ROUTING,
    EVENTS_NS,
    FAILURE_CLASSES,
    MeterRef,
    TroubleOrder,
    cim_header,
    failure_of,
    meter_message,
    mq,
    read_meter_message,
    read_trouble_orders,
    reply,
    trouble_orders,
)

EDE = f"{{{EVENTS_NS}}}"


@dataclass
class MeterRecord:
    mrid: str
    serial: str
    lot: str
    manufacturer: str
    model: str
    module: str
    account: str
    status: str
    location: str = ""


@dataclass
class Window:
    kind: str
    meters: frozenset[str]
    start: datetime
    end: datetime


@dataclass
class Decision:
    meter: str
    failure: str
    outcome: str  # issued | suppressed | attached
    reason: str
    order: str | None = None


@dataclass
class OrderRecord:
    order: TroubleOrder
    history: list[str] = field(default_factory=list)


class MeterManagementSystem(Actor):
    role = "Meter Management System"

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        self.registry: dict[str, MeterRecord] = {}
        for mrid, ident in ctx.settings.get("meters", {}).items():
            self.registry[mrid] = MeterRecord(
                mrid,
                str(ident.get("mms_serial", ident.get("serial", ""))),
                str(ident.get("lot", "")),
                str(ident.get("manufacturer", "")),
                str(ident.get("model", "")),
                str(ident.get("module", "")),
                str(ident.get("account", "")),
                str(ident.get("status", "installed")),
            )
        self.accounts: dict[str, dict[str, str]] = dict(ctx.settings.get("accounts", {}))
        self.routing = {**DEFAULT_ROUTING, **dict(ctx.settings.get("routing", {}))}
        self.windows: list[Window] = []
        self.orders: dict[str, OrderRecord] = {}
        self.decisions: list[Decision] = []
        self.decision_delay = timedelta(seconds=float(ctx.settings.get("decision_delay_s", 60)))

    # --- queries ---------------------------------------------------------------------------
    def open_order_for(self, meter: str) -> OrderRecord | None:
        for rec in self.orders.values():
            o = rec.order
            if o.status not in ("completed", "cancelled") and any(m[0] == meter for m in o.meters):
                return rec
        return None

    def orders_for(self, meter: str) -> list[TroubleOrder]:
        return [r.order for r in self.orders.values() if any(m[0] == meter for m in r.order.meters)]

    def in_window(self, meter: str, at: datetime) -> Window | None:
        return next((w for w in self.windows if meter in w.meters and w.start <= at <= w.end), None)

    def same_lot(self, meter: str) -> list[MeterRecord]:
        lot = self.registry[meter].lot if meter in self.registry else ""
        return [m for m in self.registry.values() if lot and m.lot == lot and m.mrid != meter]

    # --- building orders -------------------------------------------------------------------
    def _equipment(self, meter: str) -> list[tuple[str, str | None, str | None, str | None]]:
        rec = self.registry.get(meter)
        return [(meter, rec.serial if rec else None, rec.lot if rec else None, "installed")]

    def _usage_point(self, order: TroubleOrder, meter: str) -> None:
        account = self.registry[meter].account if meter in self.registry else order.account
        info = self.accounts.get(account or "", {})
        order.account = account
        order.usage_point = info.get("usage_point", f"UP-{account}")
        order.premise = info.get("address")

    def new_order(
        self,
        meter: str,
        kind: str,
        source: str,
        failure: str | None,
        component: str,
        priority: int,
        trouble_code: str | None = None,
    ) -> TroubleOrder:
        model = self.registry[meter].model if meter in self.registry else ""
        order = TroubleOrder(
            mrid=self.ctx.new_id(),
            kind=kind,
            status="open",
            requested=self.ctx.now(),
            priority=priority,
            trouble_code=trouble_code,
            failure_class=failure,
            source=source,
            organisation=self.routing.get(component, self.routing["meter"]),
            material=f"COMM-MODULE/{model}" if component in ("wan", "han") else f"METER/{model}",
            meters=self._equipment(meter),
        )
        self._usage_point(order, meter)
        return order

    # --- failure events (rules 1-3) ---------------------------------------------------------
    @on("created EndDeviceEvents")
    def on_events(self, root: etree._Element, exchange: Exchange) -> bytes:
        source = exchange.producer
        for ev in root.iter(EDE + "EndDeviceEvent"):
            meter = ev.findtext(f"{EDE}Assets/{EDE}mRID") or ""
            type_el = ev.find(EDE + "EndDeviceEventType")
            code = type_el.get("ref", "") if type_el is not None else ""
            details = {
                d.findtext(EDE + "name") or "": d.findtext(EDE + "value") or ""
                for d in ev.findall(EDE + "EndDeviceEventDetails")
            }
            at = parse_datetime(ev.findtext(EDE + "createdDateTime")) or self.ctx.now()
            self.ctx.clock.call_later(
                self.decision_delay,
                functools.partial(self.decide, meter, code, details, at, source),
                "trouble report decision",
            )
        return reply(self, exchange, "EndDeviceEvents")

    def decide(
        self, meter: str, code: str, details: dict[str, str], at: datetime, source: str
    ) -> None:
        failure = failure_of(code, details.get("failureClass"))
        name = failure.name if failure else details.get("failureClass") or code
        window = self.in_window(meter, at)
        if window is not None:
            self.decisions.append(
                Decision(
                    meter, name, "suppressed", f"within {window.kind} {window.start:%Y-%m-%d %H:%M}"
                )
            )
            return
        active = self.open_order_for(meter)
        if active is not None:
            active.history.append(f"failure {name} attached")
            self.decisions.append(
                Decision(meter, name, "attached", "open order", active.order.mrid)
            )
            return
        component = details.get("component") or (failure.component if failure else "meter")
        if source == "Data Center Concentrator (DCC)":
            priority = 3 if int(details.get("alternatePaths", "0") or 0) > 0 else 1
        else:
            priority = 2 if failure is not None and failure.critical else 3
        order = self.new_order(
            meter, "trouble", source, failure.name if failure else None, component, priority
        )
        order.comment = failure.description if failure else f"event {code}"
        self.decisions.append(
            Decision(meter, name, "issued", f"routed to {order.organisation}", order.mrid)
        )
        self.issue(order)

    def replacement(self, order: TroubleOrder) -> None:
        """A replacement raised from the field (3.4 row 5.2) is issued as the row says ("to issue
        trouble report to replace meter"), naming its parent order; holding it until its
        material is at hand is the other conforming reading of the row."""
        meter = order.meters[0][0] if order.meters else ""
        order.status = "open"
        order.priority = order.priority or 2
        order.material = f"METER/{self.registry[meter].model}" if meter in self.registry else None
        self.ctx.clock.call_later(self.decision_delay, functools.partial(self.issue, order))

    def issue(self, order: TroubleOrder) -> None:
        """Issue a trouble report to the field force of its organization."""
        self.orders[order.mrid] = OrderRecord(order, ["issued"])
        body = build_request(cim_header(self, "create", "TroubleOrders"), trouble_orders([order]))
        self.call("Field Force Planning and Dispatch System", body)

    def download(self, order: TroubleOrder) -> None:
        """Download an order to the field tool of whoever works it."""
        order.status = "dispatched"
        self.send(
            "Field Tool",
            build_event(cim_header(self, "created", "TroubleOrders"), trouble_orders([order])),
        )

    # --- orders from people and the field ----------------------------------------------------
    @on("create TroubleOrders")
    def on_create(self, root: etree._Element, exchange: Exchange) -> bytes:
        for given in read_trouble_orders(root):
            meter = given.meters[0][0] if given.meters else ""
            order = given
            order.requested = self.ctx.now()
            order.meters = self._equipment(meter)
            self._usage_point(order, meter)
            failure = FAILURE_CLASSES.get(order.failure_class or "")
            component = failure.component if failure else "meter"
            if order.kind == "revenueProtection":
                order.organisation = self.routing["tamper"]
                order.status = "open"
                self.orders[order.mrid] = OrderRecord(order, ["revenue protection"])
                self.ctx.clock.call_later(
                    self.decision_delay, functools.partial(self.download, order)
                )
            elif order.parent:
                order.organisation = self.routing.get(component, self.routing["meter"])
                parent = self.orders.get(order.parent)
                if parent is not None:
                    parent.history.append(f"replacement raised: {order.mrid}")
                self.orders[order.mrid] = OrderRecord(order, ["raised in the field"])
                self.replacement(order)
            else:
                order.organisation = self.routing.get(component, self.routing["meter"])
                order.status = "open"
                order.priority = order.priority or 2
                order.material = (
                    f"METER/{self.registry[meter].model}" if meter in self.registry else None
                )
                if order.trouble_code in ("HIGH_BILL", "DATA_ANOMALY"):
                    order.details["fieldTestRequired"] = "yes"
                self.ctx.clock.call_later(self.decision_delay, functools.partial(self.issue, order))
        return reply(self, exchange, "TroubleOrders")

    @on("changed TroubleOrders")
    def on_changed(self, root: etree._Element, exchange: Exchange) -> None:
        for given in read_trouble_orders(root):
            rec = self.orders.get(given.mrid)
            if rec is None:
                continue
            rec.order.status = given.status
            rec.order.crew = given.crew
            rec.order.scheduled = given.scheduled
            rec.history.append(f"{given.status} to {given.crew}")
            if given.status == "assigned":
                self.download(rec.order)

    @on("close TroubleOrders")
    def on_close(self, root: etree._Element, exchange: Exchange) -> bytes:
        for given in read_trouble_orders(root):
            rec = self.orders.get(given.mrid)
            if rec is None:
                continue
            order = rec.order
            order.status = "completed"
            order.resolution = given.resolution
            order.details.update(given.details)
            changed = [
                m
                for m in given.meters
                if m[3] == "installed" and m[0] not in dict((x[0], x) for x in order.meters)
            ]
            removed = [m for m in given.meters if m[3] == "removed"]
            for mrid, _, _, _ in removed:
                if mrid in self.registry:
                    self.registry[mrid].status = "removed"
            for mrid, serial, lot, _ in changed:
                account = order.account or ""
                known = self.registry.get(mrid)
                if known is not None:
                    known.status, known.account = "installed", account
                else:
                    self.registry[mrid] = MeterRecord(
                        mrid, serial or "", lot or "", "", "", "", account, "installed"
                    )
            order.meters = [*order.meters, *changed] if changed else order.meters
            rec.history.append("completed")
            if changed:
                self.ctx.clock.call_later(
                    timedelta(seconds=1), functools.partial(self._notify_completion, order, given)
                )
        return reply(self, exchange, "TroubleOrders")

    def _notify_completion(self, order: TroubleOrder, given: TroubleOrder) -> None:
        closed = TroubleOrder(**{**order.__dict__})
        closed.meters = given.meters
        closed.details = dict(given.details)
        body = build_event(cim_header(self, "closed", "TroubleOrders"), trouble_orders([closed]))
        self.send("Meter Data Management System", body)
        if order.source == "CSS" and order.trouble_code != "HIGH_BILL":
            body = build_event(
                cim_header(self, "closed", "TroubleOrders"), trouble_orders([closed])
            )
            self.send("CSS", body)

    # --- routine maintenance (scenario 3.4) ------------------------------------------------------
    def select_sample(self, size: int = 1) -> list[TroubleOrder]:
        """Pick a random sample of installed meters and send each a sample-test order."""
        installed = sorted(m for m, r in self.registry.items() if r.status == "installed")
        picked = self.ctx.rng.sample(installed, min(size, len(installed)))
        made = []
        for meter in picked:
            order = self.new_order(
                meter, "maintenance", "Meter Management System", None, "meter", 4
            )
            order.trouble_code = "SAMPLE_TEST"
            order.scheduled = self.ctx.now() + timedelta(days=1)
            self.orders[order.mrid] = OrderRecord(order, ["sample test"])
            made.append(order)
            self.download(order)
        return made

    @on(mq("FieldTestReport"))
    def on_test_report(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_meter_message(root)
        rec = self.orders.get(msg.order or "")
        if rec is not None:
            rec.history.append(f"field test {msg.details.get('result', '')}")
            rec.order.details["fieldTest"] = msg.details.get("result", "")

    @on(mq("RegistrationNotice"))
    def on_registration(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_meter_message(root)
        new, old = msg.details.get("installedMeter", ""), msg.details.get("removedMeter", "")
        if old in self.registry:
            self.registry[old].status = "removed"
        ref = msg.meters[0] if msg.meters else MeterRef(new)
        account = self.registry[old].account if old in self.registry else (ref.account or "")
        self.registry[new] = MeterRecord(
            new,
            ref.serial or "",
            ref.lot or "",
            ref.manufacturer or "",
            ref.model or "",
            ref.module or "",
            account,
            "installed",
        )

    @on(mq("StatusLocationUpdate"))
    def on_status(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_meter_message(root)
        rec = self.registry.get(msg.meter)
        if rec is not None:
            rec.status = msg.details.get("status", rec.status)
            rec.location = msg.details.get("location", rec.location)

    @on(mq("LotQuery"))
    def on_lot_query(self, root: etree._Element, exchange: Exchange) -> bytes:
        msg = read_meter_message(root)
        peers = self.same_lot(msg.meter)
        return meter_message(
            "LotList",
            self.role,
            self.ctx.now(),
            meters=[
                MeterRef(m.mrid, m.serial, m.lot, m.manufacturer, m.model, m.module, m.account)
                for m in peers
            ],
            details={"lot": self.registry[msg.meter].lot if msg.meter in self.registry else ""},
        )

    @on(mq("OutageNotice"))
    def on_outage(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_meter_message(root)
        start = parse_datetime(msg.details.get("start")) or self.ctx.now()
        end = parse_datetime(msg.details.get("end")) or start
        self.windows.append(
            Window(
                msg.details.get("kind", "outage"), frozenset(m.mrid for m in msg.meters), start, end
            )
        )
