"""Meter Data Management System Technician (I2): examines anomalies and tamper events.

An anomaly reported by a data retriever: an on-demand read and self-test; a failed self-test with
the anomaly still in the data creates a "trouble" ticket. Once the meter is replaced, the data is
marked untrustworthy and the meters of the same lot are checked for the same anomaly. A tamper
event: the account is reviewed and, where the usage shows an anomaly, the Meter Management System
is asked for a revenue-protection trouble report.
"""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import ClassVar

from lxml import etree

from amicert.actors.base import ActorContext, on
from amicert.cim.envelope import build_request
from amicert.operators import YES_NO, OperatorActor
from amicert.trace import Exchange
from reference_impl.customer_representative import on_demand
from usecases.meter_lifecycle.vocabulary import (
    MeterRef,
    TroubleOrder,
    cim_header,
    meter_message,
    mq,
    physical,
    read_meter_message,
    trouble_orders,
)

TAMPER_CODES = ("3.12.0.257", "3.12.29.212")


class MdmsTechnician(OperatorActor):
    QUESTIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        "self-test indicates a problem and the anomaly persists": YES_NO,
        "trouble report required": YES_NO,
    }

    role = "Meter Data Management System Technician"

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        self.cases: dict[str, str] = {}  # order -> meter
        self.lot_findings: dict[str, str] = {}
        physical(ctx).listen(self.role, self._screen)

    @on(mq("AnomalyReport"))
    def on_anomaly(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_meter_message(root)
        meter, account = msg.meter, msg.meters[0].account if msg.meters else ""
        _, failures, _ = on_demand(self, meter)
        if not self.yes("self-test indicates a problem and the anomaly persists", bool(failures)):
            return
        order = TroubleOrder(
            mrid=self.ctx.new_id(),
            kind="trouble",
            status="open",
            requested=self.ctx.now(),
            trouble_code="DATA_ANOMALY",
            failure_class=failures[0],
            source=self.role,
            details={"readDates": msg.details.get("readDates", "")},
            meters=[(meter, None, None, "installed")],
            account=account,
        )
        self.cases[order.mrid] = meter
        self.call(
            "Meter Management System",
            build_request(cim_header(self, "create", "TroubleOrders"), trouble_orders([order])),
        )

    def _screen(self, what: str, data: dict[str, object]) -> None:
        if what == "resolved":
            order = str(data.get("order", ""))
            if order in self.cases:
                self.ctx.clock.call_later(
                    timedelta(minutes=20), functools.partial(self.mark_untrustworthy, order)
                )
        elif what == "event" and str(data.get("code")) in TAMPER_CODES:
            self.ctx.clock.call_later(
                timedelta(minutes=30),
                functools.partial(self.review_tamper, str(data.get("meter", ""))),
            )

    def mark_untrustworthy(self, order: str) -> None:
        meter = self.cases[order]
        account = str(dict(self.ctx.settings.get("meters", {}).get(meter, {})).get("account", ""))
        self.send(
            "Meter Data Management System",
            meter_message(
                "UntrustworthyMark",
                self.role,
                self.ctx.now(),
                meters=[MeterRef(meter, account=account)],
                details={
                    "reason": "meter failed self-test; data anomaly",
                    "interval": "last 30 days",
                },
            ),
        )
        self.ctx.clock.call_later(timedelta(minutes=30), functools.partial(self.check_lot, meter))

    def check_lot(self, meter: str) -> None:
        answer = self.call(
            "Meter Management System",
            meter_message("LotQuery", self.role, self.ctx.now(), meters=[MeterRef(meter)]),
        )
        peers = read_meter_message(etree.fromstring(answer)).meters if answer else []
        self.check_lot_list(meter, peers)
        data = self.call(
            "Meter Data Management System",
            meter_message("ReadQuery", self.role, self.ctx.now(), meters=peers),
        )
        reads = read_meter_message(etree.fromstring(data)).details if data else {}
        for peer in peers:
            values = [
                float(v.split("=")[1]) for v in reads.get(peer.mrid, "").split(";") if "=" in v
            ]
            flat = bool(values) and max(values) - min(values) < 0.01
            self.lot_findings[peer.mrid] = "anomaly" if flat else "normal"

    def check_lot_list(self, meter: str, peers: list[MeterRef]) -> None:
        """The list names meters of the old meter's lot only (lots as the settings define
        them): a meter of another lot would be checked for an anomaly it has no reason to share."""
        meters = dict(self.ctx.settings.get("meters", {}))
        lot = dict(meters.get(meter, {})).get("lot")
        strangers = [
            f"{p.mrid} (lot {dict(meters.get(p.mrid, {})).get('lot') or p.lot or 'unknown'})"
            for p in peers
            if p.mrid == meter or dict(meters.get(p.mrid, {})).get("lot", p.lot) != lot
        ]
        answered = self.ctx.bus.trace.exchanges
        reply = next(
            (
                x
                for x in reversed(answered)
                if x.producer == "Meter Management System" and x.receiver == self.role
            ),
            None,
        )
        if not strangers or lot is None or reply is None:
            return
        self.refuse(
            reply,
            "PROFILE-I2-LOT",
            f"the list of meters in the lot of {meter} names meters outside that lot",
            expected=f"meters of lot {lot} other than {meter}",
            received=", ".join(strangers),
        )

    def review_tamper(self, meter: str) -> None:
        ident = dict(self.ctx.settings.get("meters", {}).get(meter, {}))
        if not self.yes("trouble report required", True):
            return
        order = TroubleOrder(
            mrid=self.ctx.new_id(),
            kind="revenueProtection",
            status="open",
            requested=self.ctx.now(),
            trouble_code="TAMPER",
            source=self.role,
            meters=[(meter, None, None, "installed")],
            account=str(ident.get("account", "")),
        )
        self.call(
            "Meter Management System",
            build_request(cim_header(self, "create", "TroubleOrders"), trouble_orders([order])),
        )
