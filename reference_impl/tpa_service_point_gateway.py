"""Service Point Gateway (C4): brokers third-party messaging between the CCS and one customer's
HAN. It keeps its own access table (which third parties, which devices), receipts every message to
the CCS with the times it received and pushed it, logs what passes, and runs the communication
test the CCS asks for. One instance per service point."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from lxml import etree

from amicert.actors.base import Actor, ActorContext, on
from amicert.cim.envelope import format_datetime
from amicert.trace import Exchange
from usecases.third_party_access import vocabulary as v


class ServicePointGateway(Actor):
    role = "Service Point Gateway"
    test_duration = timedelta(seconds=5)

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        self.events: list[dict[str, str]] = []

    @property
    def access(self) -> dict[str, Any]:
        """This gateway's access table: third party -> its configuration."""
        tables: dict[str, dict[str, Any]] = self.ctx.settings.setdefault("spg_access", {})
        return tables.setdefault(self.instance or "", {})

    def admits(self, third_party: str) -> bool:
        return third_party in self.access

    def offline(self) -> bool:
        until: datetime | None = self.ctx.settings.get("spg_outage_until")
        return until is not None and self.ctx.now() < until

    def _log(self, kind: str, msg: v.TpaMessage) -> None:
        self.events.append(
            {"at": format_datetime(self.ctx.now()), "kind": kind, "transaction": msg.transaction}
        )

    def _to_ccs(self, kind: str, msg: v.TpaMessage, details: dict[str, str]) -> None:
        self.send(
            "CCS",
            v.passed_on(
                msg,
                self.role,
                self.ctx.now(),
                self.ctx.new_id(),
                kind=kind,
                service_point=self.instance,
                details=details,
            ),
        )

    def _inbound(self, msg: v.TpaMessage, receipt: str, relayed: str, receipt_first: bool) -> None:
        if self.offline():
            return
        if not self.admits(msg.third_party):
            self._log("unauthorized", msg)
            return
        now = format_datetime(self.ctx.now())
        times = {"receivedDateTime": now, "pushedToHanDateTime": now}
        forward = v.passed_on(
            msg,
            self.role,
            self.ctx.now(),
            self.ctx.new_id(),
            kind=relayed,
            service_point=self.instance,
        )
        if receipt_first:
            self._to_ccs(receipt, msg, times)
        self.send("HAN", forward, receiver_id=self.instance)
        self._log("relayed", msg)
        if not receipt_first:
            self._to_ccs(receipt, msg, times)

    @on(v.tq("RelayedRequest"))
    def on_request(self, root: etree._Element, exchange: Exchange) -> None:
        msg = v.read_tpa(root)
        if exchange.producer == "CCS":
            self._inbound(msg, "RequestReceipt", "RelayedRequest", receipt_first=True)

    @on(v.tq("RelayedControl"))
    def on_control(self, root: etree._Element, exchange: Exchange) -> None:
        msg = v.read_tpa(root)
        if exchange.producer == "CCS":
            self._inbound(msg, "ControlReceipt", "RelayedControl", receipt_first=True)

    def _outbound(self, msg: v.TpaMessage, receipt: str) -> None:
        if self.offline():
            return
        now = format_datetime(self.ctx.now())
        self._to_ccs(receipt, msg, {"receivedDateTime": now})
        self._to_ccs(msg.kind, msg, {**msg.details, "receivedDateTime": now})
        self._log("answered", msg)

    @on(v.tq("CustomerData"))
    def on_data(self, root: etree._Element, exchange: Exchange) -> None:
        self._outbound(v.read_tpa(root), "DataReceipt")

    @on(v.tq("ControlConfirmation"))
    def on_confirmation(self, root: etree._Element, exchange: Exchange) -> None:
        self._outbound(v.read_tpa(root), "ConfirmationReceipt")

    @on(v.tq("AccessCommand"))
    def on_access(self, root: etree._Element, exchange: Exchange) -> None:
        msg = v.read_tpa(root)
        if self.offline():
            return
        if msg.details.get("action") == "disable":
            self.access.pop(msg.third_party, None)
        else:
            self.access[msg.third_party] = {
                "tier": msg.details.get("tier", ""),
                "devices": msg.devices,
            }
        self._log("access", msg)
        self._to_ccs("AccessReceipt", msg, {**msg.details, "result": "EXECUTED"})

    @on(v.tq("TestCommand"))
    def on_test(self, root: etree._Element, exchange: Exchange) -> None:
        msg = v.read_tpa(root)
        if self.offline():
            return
        self._log("test", msg)
        han_up = not self.ctx.settings.get("han_link_down", {}).get(self.instance or "", False)
        result = {
            "wan": "OK",
            "han": "OK" if han_up else "FAILED",
            "result": "OK" if han_up else "FAILED",
        }
        self.ctx.clock.call_later(
            self.test_duration, lambda: self._to_ccs("TestResults", msg, result)
        )
