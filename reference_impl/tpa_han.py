"""HAN (C4): the customer's home area network; carries third-party messages from the service point
gateway to the customer's devices. One instance per service point."""

from __future__ import annotations

from lxml import etree

from amicert.actors.base import Actor, on
from amicert.trace import Exchange
from usecases.third_party_access import vocabulary as v


class Han(Actor):
    role = "HAN"

    def _pass(self, root: etree._Element) -> None:
        msg = v.read_tpa(root)
        self.send(
            "Customer Device",
            v.passed_on(
                msg,
                self.role,
                self.ctx.now(),
                self.ctx.new_id(),
            ),
            receiver_id=self.instance,
        )

    @on(v.tq("RelayedRequest"))
    def on_request(self, root: etree._Element, exchange: Exchange) -> None:
        self._pass(root)

    @on(v.tq("RelayedControl"))
    def on_control(self, root: etree._Element, exchange: Exchange) -> None:
        self._pass(root)
