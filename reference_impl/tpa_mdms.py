"""MDMS (C4): stores the gateway test results the CCS sends and makes them available to the CSS."""

from __future__ import annotations

from lxml import etree

from amicert.actors.base import Actor, ActorContext, on
from amicert.trace import Exchange
from usecases.third_party_access import vocabulary as v


class TpaMdms(Actor):
    role = "MDMS"

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        self.results: list[v.TpaMessage] = []

    @on(v.tq("TestResults"))
    def on_results(self, root: etree._Element, exchange: Exchange) -> None:
        msg = v.read_tpa(root)
        self.results.append(msg)
        self.send(
            "CSS",
            v.passed_on(msg, self.role, self.ctx.now(), self.ctx.new_id()),
        )
