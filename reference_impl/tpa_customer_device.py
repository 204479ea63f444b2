"""Customer Device (C4): the monitored equipment of one service point (a pool pump, a
thermostat ...). Answers a monitoring request with its energy reading and executes a control
command, confirming it; both go back through the HAN to the service point gateway."""

from __future__ import annotations

from datetime import timedelta

from lxml import etree

from amicert.actors.base import Actor, ActorContext, on
from amicert.trace import Exchange
from usecases.third_party_access import vocabulary as v


class CustomerDevice(Actor):
    role = "Customer Device"
    response_time = timedelta(seconds=2)

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        self.executed: list[str] = []  # commands carried out, in order
        self.kwh = 1234.5

    def _answer(self, kind: str, msg: v.TpaMessage, details: dict[str, str]) -> None:
        body = v.passed_on(
            msg,
            self.role,
            self.ctx.now(),
            self.ctx.new_id(),
            kind=kind,
            details=details,
        )
        self.ctx.clock.call_later(
            self.response_time,
            lambda: self.send("Service Point Gateway", body, receiver_id=self.instance),
        )

    @on(v.tq("RelayedRequest"))
    def on_request(self, root: etree._Element, exchange: Exchange) -> None:
        msg = v.read_tpa(root)
        self._answer("CustomerData", msg, {"kWh": f"{self.kwh:.1f}", "status": "running"})

    @on(v.tq("RelayedControl"))
    def on_control(self, root: etree._Element, exchange: Exchange) -> None:
        msg = v.read_tpa(root)
        command = msg.details.get("command", "")
        self.executed.append(command)
        self._answer("ControlConfirmation", msg, {"command": command, "status": "EXECUTED"})
