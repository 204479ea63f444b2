"""Customer Representative (I2): answers customers' reports and high-bill complaints.

A reported problem: an on-demand read and self-test confirm it, then a "trouble" order is created
in CSS, scheduled with the customer. A high bill: the account and bill history are reviewed, an
on-demand read and self-test are issued; a failed self-test creates a trouble ticket, a clean one
with usage out of line with the history requests a field test for a problem the self-test cannot
see.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

from lxml import etree

from amicert.actors.base import on
from amicert.cim.envelope import build_request
from amicert.operators import YES_NO, OperatorActor
from amicert.trace import Exchange
from usecases.meter_lifecycle.vocabulary import (
    MeterRef,
    TroubleOrder,
    cim_header,
    get_meter_readings,
    meter_message,
    mq,
    read_meter_message,
    read_meter_readings,
    trouble_orders,
)


def on_demand(actor: Any, meter: str) -> tuple[float | None, list[str], bool]:
    """Issue an on-demand read and self-test; (register value, self-test failures, answered)."""
    from amicert.cim.xmlsafe import parse_xml

    body = build_request(cim_header(actor, "get", "MeterReadings"), None, get_meter_readings(meter))
    answer = actor.call("AMI Meter", body, receiver_id=meter)
    if not answer:
        return None, [], False
    root = parse_xml(answer)
    payload = root.find(".//{http://iec.ch/TC57/2011/MeterReadings#}MeterReadings")
    if payload is None:
        return None, [], False
    _, value, failures = read_meter_readings(payload)
    return value, failures, True


class CustomerRepresentative(OperatorActor):
    QUESTIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        "problem exists": YES_NO,
        "self-test indicates a problem": YES_NO,
        "usage inconsistent with history": YES_NO,
    }

    role = "Customer Representative"

    def account(self, account: str) -> dict[str, Any]:
        found: dict[str, Any] = self.screen("CSS").accounts.get(account, {})
        return found

    @on(mq("CustomerReport"))
    def on_report(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_meter_message(root)
        account = msg.details.get("account", "")
        meter = str(self.account(account).get("meter", ""))
        if msg.details.get("complaint") == "high-bill":
            self.high_bill(account, meter)
        else:
            self.problem(account, meter, msg.details.get("description", ""))

    def problem(self, account: str, meter: str, description: str) -> None:
        _, failures, answered = on_demand(self, meter)
        if not self.yes("problem exists", bool(failures) or not answered):
            return
        promised = (self.ctx.now() + timedelta(days=1)).replace(hour=10, minute=0, second=0)
        self.create(
            account,
            meter,
            "trouble",
            "CUSTOMER_REPORT",
            failures[0] if failures else None,
            {"promisedDateTime": promised.isoformat(), "customerReport": description},
        )

    def high_bill(self, account: str, meter: str) -> None:
        history = self.call(
            "CSS",
            meter_message(
                "AccountReview",
                self.role,
                self.ctx.now(),
                meters=[MeterRef(meter, account=account)],
                details={"account": account},
            ),
        )
        bills: list[float] = []
        if history:
            text = read_meter_message(etree.fromstring(history)).details.get("billHistoryKWh", "")
            bills = [float(b) for b in text.split(",") if b]
        _, failures, _ = on_demand(self, meter)
        if self.yes("self-test indicates a problem", bool(failures)):
            self.create(account, meter, "trouble", "HIGH_BILL", failures[0], {})
            return
        spike = len(bills) > 1 and bills[-1] > 1.5 * (sum(bills[:-1]) / len(bills[:-1]))
        if self.yes("usage inconsistent with history", spike):
            self.create(account, meter, "fieldTest", "HIGH_BILL", None, {})

    def create(
        self,
        account: str,
        meter: str,
        kind: str,
        code: str,
        failure: str | None,
        details: dict[str, str],
    ) -> None:
        order = TroubleOrder(
            mrid=self.ctx.new_id(),
            kind=kind,
            status="open",
            requested=self.ctx.now(),
            trouble_code=code,
            failure_class=failure,
            source="Customer Representative",
            details=details,
            meters=[(meter, None, None, "installed")],
            account=account,
        )
        self.call(
            "CSS",
            build_request(cim_header(self, "create", "TroubleOrders"), trouble_orders([order])),
        )
