"""CSS (customer service system, I2): account and bill history for Customer Representatives;
takes "trouble" orders from them and passes them to the Meter Management System; keeps the
resolution it is told of."""

from __future__ import annotations

from lxml import etree

from amicert.actors.base import Actor, ActorContext, on
from amicert.cim.envelope import build_request
from amicert.trace import Exchange
from usecases.meter_lifecycle.vocabulary import (
    TroubleOrder,
    cim_header,
    meter_message,
    mq,
    read_meter_message,
    read_trouble_orders,
    reply,
    trouble_orders,
)


class Css(Actor):
    role = "CSS"

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        self.accounts: dict[str, dict[str, object]] = dict(ctx.settings.get("accounts", {}))
        self.orders: dict[str, TroubleOrder] = {}
        self.resolutions: dict[str, TroubleOrder] = {}

    @on(mq("AccountReview"))
    def on_review(self, root: etree._Element, exchange: Exchange) -> bytes:
        msg = read_meter_message(root)
        account = msg.details.get("account", "")
        bills = list(self.accounts.get(account, {}).get("bills", []))  # type: ignore[call-overload]
        return meter_message(
            "AccountHistory",
            self.role,
            self.ctx.now(),
            meters=msg.meters,
            details={
                "account": account,
                "verified": "yes" if account in self.accounts else "no",
                "billHistoryKWh": ",".join(str(b) for b in bills),
            },
        )

    @on("create TroubleOrders")
    def on_create(self, root: etree._Element, exchange: Exchange) -> bytes:
        orders = read_trouble_orders(root)
        for order in orders:
            order.source = "CSS"
            self.orders[order.mrid] = order
        answer = reply(self, exchange, "TroubleOrders")
        if orders:
            self.call(
                "Meter Management System",
                build_request(cim_header(self, "create", "TroubleOrders"), trouble_orders(orders)),
            )
        return answer

    @on("closed TroubleOrders")
    def on_closed(self, root: etree._Element, exchange: Exchange) -> None:
        for order in read_trouble_orders(root):
            self.resolutions[order.mrid] = order
