"""Service Point Gateway (C4): brokers third-party messaging between the CCS and one customer's
HAN. It keeps its own access table (which third parties, which devices), receipts every message to
the CCS with the times it received and pushed it, logs what passes, and runs the communication
test the CCS asks for. It refuses messages of third parties it was not provisioned for, logs them,
reports them to the CCS at the configured frequency and raises an alarm to the CCS when they
exceed the configured rate per hour; it sends its log to the CCS on request. One instance per
service point."""

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
    log_delay = timedelta(seconds=2)

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        self.events: list[dict[str, str]] = []
        self.unauthorized: list[datetime] = []
        self.pending: list[dict[str, str]] = []  # unauthorized attempts not yet reported
        self.alarmed: datetime | None = None

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
            self._refused(msg)
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

    # --- unauthorized attempts (C4FR25, C4FR26, C4FR28) --------------------------------------
    def _refused(self, msg: v.TpaMessage) -> None:
        """Keep the attempt for the next report; alarm the CCS past the rate per hour."""
        now = self.ctx.now()
        self.unauthorized.append(now)
        if not self.pending:
            self.ctx.clock.call_later(self.report_period(), self.report)
        self.pending.append(
            {"at": format_datetime(now), "thirdParty": msg.third_party, "tx": msg.transaction}
        )
        hour_ago = now - timedelta(hours=1)
        recent = sum(1 for t in self.unauthorized if t > hour_ago)
        if recent <= self.alarm_limit() or (self.alarmed is not None and self.alarmed > hour_ago):
            return
        self.alarmed = now
        self.raise_alarm(msg, recent)

    def alarm_limit(self) -> int:
        return int(self.ctx.settings.get("unauthorized_per_hour", v.UNAUTHORIZED_PER_HOUR))

    def raise_alarm(self, msg: v.TpaMessage, attempts: int) -> None:
        details = {"attempts": str(attempts), "limit": str(self.alarm_limit()), "window": "PT1H"}
        self._to_ccs("Alarm", msg, details)

    def report_period(self) -> timedelta:
        return timedelta(seconds=float(self.ctx.settings.get("spg_report_s", 3600)))

    def report(self) -> None:
        """Send the CCS the unauthorized attempts since the last report."""
        if not self.pending:
            return
        attempts, self.pending = self.pending, []
        details = {"attempts": str(len(attempts))}
        for i, a in enumerate(attempts, 1):
            details[f"attempt.{i}"] = f"{a['at']} {a['thirdParty']} {a['tx']}"
        self.send(
            "CCS",
            v.tpa_message(
                "UnauthorizedReport",
                self.role,
                self.ctx.now(),
                self.ctx.new_id(),
                service_point=self.instance,
                details=details,
            ),
        )

    # --- the log on demand (C4FR12, C4FR37, C4NFR6) -----------------------------------------
    @on(v.tq("LogRequest"))
    def on_log_request(self, root: etree._Element, exchange: Exchange) -> None:
        msg = v.read_tpa(root)
        if self.offline():
            return
        self._log("log request", msg)
        details = {"events": str(len(self.events))}
        for i, e in enumerate(self.events, 1):
            details[f"event.{i}"] = f"{e['at']} {e['kind']} {e['transaction']}"
        self.ctx.clock.call_later(self.log_delay, lambda: self._to_ccs("GatewayLog", msg, details))
