"""Customer Representative (C4): verifies the customer's account and the third party's
participation at the CSS, then issues the access command or the remote test at the CSS's screen
(the screen is not an exchange; what the CSS sends is)."""

from __future__ import annotations

from typing import Any

from lxml import etree

from amicert.actors.base import Actor, ActorContext, on
from amicert.trace import Exchange
from usecases.third_party_access import vocabulary as v


class TpaCustomerRepresentative(Actor):
    role = "Customer Representative"

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        self.verified: dict[str, v.TpaMessage] = {}  # service point -> the CSS's confirmation
        self.outcomes: list[v.TpaMessage] = []

    def _screen(self) -> Any:
        """The CSS the representative works at (its screen is not an exchange)."""
        return self.ctx.bus.actor("CSS")

    def _inquire(self, msg: v.TpaMessage) -> v.TpaMessage | None:
        reply = self.call(
            "CSS",
            v.tpa_message(
                "AccountInquiry",
                self.role,
                self.ctx.now(),
                self.ctx.new_id(),
                third_party=msg.third_party,
                service_point=msg.service_point,
                details={"account": msg.details.get("account", "")},
            ),
        )
        if reply is None:
            return None
        answer = v.read_tpa(etree.fromstring(reply))
        if answer.details.get("verified") != "yes":
            self.note(f"account of {msg.service_point} not verified: {answer.details}")
            return None
        self.verified[msg.service_point] = answer
        return answer

    @on(v.tq("AccessRequest"))
    def on_access_request(self, root: etree._Element, exchange: Exchange) -> None:
        self._inquire(v.read_tpa(root))

    @on(v.tq("DeviceIds"))
    def on_device_ids(self, root: etree._Element, exchange: Exchange) -> None:
        msg = v.read_tpa(root)
        answer = self.verified.get(msg.service_point)
        if answer is None or answer.details.get("contract") != "signed":
            return
        self._screen().issue_access(
            msg.third_party, msg.service_point, msg.devices, answer.details.get("tier", "")
        )

    @on(v.tq("ProblemReport"))
    def on_problem(self, root: etree._Element, exchange: Exchange) -> None:
        msg = v.read_tpa(root)
        answer = self._inquire(msg)
        if answer is not None and answer.details.get("accessEnabled") == "yes":
            self._screen().request_test(msg.service_point)

    @on(v.tq("TroubleOrder"))
    def on_trouble(self, root: etree._Element, exchange: Exchange) -> None:
        self.outcomes.append(v.read_tpa(root))

    @on(v.tq("CustomerAdvice"))
    def on_advice(self, root: etree._Element, exchange: Exchange) -> None:
        self.outcomes.append(v.read_tpa(root))
