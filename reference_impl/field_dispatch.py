"""Field Force Planning and Dispatch System (I2): the Field Service Dispatcher of the
organization an order is routed to schedules it on the promised customer schedule when there is
one, otherwise on the first free crew slot within the priority's service level (I2BR1), and tells
the Meter Management System which crew has it and when. A replacement raised from the field
(an order naming its parent order) waits while no replacement meter is at hand: there is no
field resource to schedule it on."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta

from lxml import etree

from amicert.actors.base import Actor, ActorContext, on
from amicert.cim.envelope import build_event
from amicert.trace import Exchange
from usecases.meter_lifecycle.vocabulary import (
    TroubleOrder,
    cim_header,
    physical,
    read_trouble_orders,
    reply,
    trouble_orders,
)

# hours within which an order of each priority must be worked (I2BR1's service levels)
DEFAULT_SLA_HOURS = {1: 8, 2: 24, 3: 72, 4: 240}


class FieldDispatch(Actor):
    role = "Field Force Planning and Dispatch System"

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        self.sla_hours = {**DEFAULT_SLA_HOURS, **dict(ctx.settings.get("sla_hours", {}))}
        self.crews: dict[str, list[str]] = dict(
            ctx.settings.get(
                "crews", {"MSO": ["MSO-crew-1"], "IT": ["IT-crew-1"], "TP&S": ["TPS-crew-1"]}
            )
        )
        self.booked: dict[str, list[datetime]] = {}
        self.orders: dict[str, TroubleOrder] = {}
        self.held: list[TroubleOrder] = []

    def slot(self, crew: str, earliest: datetime) -> datetime:
        """The crew's first free two-hour slot from ``earliest`` in working hours (08-16)."""
        t = earliest.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        taken = self.booked.setdefault(crew, [])
        while t.hour < 8 or t.hour > 15 or any(abs((t - b).total_seconds()) < 7200 for b in taken):
            t += timedelta(hours=1)
        taken.append(t)
        return t

    @on("create TroubleOrders")
    def on_order(self, root: etree._Element, exchange: Exchange) -> bytes:
        for order in read_trouble_orders(root):
            self.orders[order.mrid] = order
            if order.parent and not any(physical(self.ctx).truck.values()):
                self.held.append(order)  # awaiting material
                continue
            self.ctx.clock.call_later(
                timedelta(minutes=10), functools.partial(self.schedule, order), "dispatcher"
            )
        return reply(self, exchange, "TroubleOrders")

    def schedule(self, order: TroubleOrder) -> None:
        crews = self.crews.get(order.organisation or "", []) or [f"{order.organisation}-crew"]
        promised = order.details.get("promisedDateTime")
        from amicert.cim.envelope import parse_datetime

        when = parse_datetime(promised) if promised else None
        order.scheduled = when or self.slot(crews[0], self.ctx.now())
        order.crew = crews[0]
        order.status = "assigned"
        self.send(
            "Meter Management System",
            build_event(cim_header(self, "changed", "TroubleOrders"), trouble_orders([order])),
        )
