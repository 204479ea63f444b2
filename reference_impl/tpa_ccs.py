"""CCS (Customer Communication System, C4): the utility's broker of third-party messaging.

It authenticates (a registered third party, Header/User) and authorizes (the third party is
enabled at the addressed service point) every request before anything reaches a gateway, relays
it to the service point gateway, relays the answer back to the third party, and keeps a
transaction log with the inbound and outbound fields the use case lists. When a gateway does not
acknowledge a message it warns the third party and, when configured to, tests the gateway and
reports the outcome (MDMS, or an alert to the other utility systems when the gateway stays
silent). It keeps each service point within its contract tier's transactions per hour and per
day (a refused request is answered FAILED and warned of), logs every unauthorized attempt and
raises an alarm when they exceed the configured rate per hour. When it is given certificates to
trust, it verifies each request's WS-Security signature first and refuses one that does not
verify (unsigned, changed after signing, wrapped, or signed by a signer it does not trust).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from lxml import etree

from amicert.actors.base import Actor, ActorContext, on
from amicert.cim.envelope import (
    Header,
    ReplyError,
    build_event,
    build_response,
    format_datetime,
)
from amicert.trace import Exchange
from amicert.transport.wssecurity import verify
from usecases.third_party_access import vocabulary as v

SPG = "Service Point Gateway"


@dataclass
class LogRecord:
    """One third-party transaction in the CCS's log (C4FR9, C4FR18)."""

    transaction: str
    kind: str  # monitor | control
    third_party: str  # inbound a. source ID, outbound b. destination ID
    service_point: str
    device: str  # inbound b. destination device ID, outbound a. source device ID
    authorization: str  # authorized | unauthorized: <why>
    received: str = ""  # inbound c.
    pushed_to_spg: str = ""  # inbound d.
    spg_received: str = ""  # inbound e. (received at the gateway)
    pushed_to_han: str = ""  # inbound e. (pushed to the HAN)
    out_spg_received: str = ""  # outbound c.
    out_pushed_to_ccs: str = ""  # outbound d.
    out_received: str = ""  # outbound e. (received by the CCS)
    out_pushed_to_tp: str = ""  # outbound e. (pushed to the third party)
    target_authorization: str = ""
    events: list[str] = field(default_factory=list)
    origin: str = "third party"  # or "queued": set up at the CCS, no third party to warn


HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
REPLAY_WINDOW = timedelta(minutes=5)  # a ReplayDetection/Created older than this is stale


def judge_time(text: str) -> datetime | None:
    """An xs:dateTime with its zone, or None."""
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


class Ccs(Actor):
    role = "CCS"
    receipt_timeout = timedelta(seconds=60)
    test_timeout = timedelta(seconds=60)
    relay_delay = timedelta(seconds=1)
    # a message the gateway has not acknowledged this long after it was relayed is undeliverable:
    # the third party is warned (C4NFR7: within 15 minutes of receipt)
    undeliverable_after = timedelta(minutes=10)

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        self.log: list[str] = []
        self.records: dict[str, LogRecord] = {}
        self.acknowledged: set[str] = set()
        self.tests: dict[str, str] = {}  # transaction -> who asked (CSS or CCS)
        self.results: set[str] = set()
        self.admitted: dict[str, list[datetime]] = {}  # service point -> requests admitted
        self.unauthorized: list[datetime] = []  # every refused unauthorized attempt
        self.alarmed: datetime | None = None
        self.gateway_logs: dict[str, v.TpaMessage] = {}  # service point -> last log retrieved
        self.gateway_alarms: list[v.TpaMessage] = []
        self.gateway_reports: list[v.TpaMessage] = []
        self.seen: set[str] = set()  # MessageIDs of the requests received
        self.refused: list[LogRecord] = []  # replayed or malformed requests, logged apart

    # --- what the CCS knows --------------------------------------------------------------
    def third_parties(self) -> dict[str, str]:
        return dict(self.ctx.settings.get("third_parties", {}))

    def enabled(self, service_point: str) -> dict[str, Any]:
        table: dict[str, dict[str, Any]] = self.ctx.settings.setdefault("access", {})
        return table.setdefault(service_point, {})

    def transaction_log(self, transaction: str) -> dict[str, Any] | None:
        """The log record of one transaction, as other utility systems read it (C4FR17); a
        request refused before anything else is found among the refused ones."""
        record = self.records.get(transaction) or next(
            (r for r in reversed(self.refused) if r.transaction == transaction), None
        )
        return None if record is None else dict(vars(record))

    def _now(self) -> str:
        return format_datetime(self.ctx.now())

    # --- message limits per contract tier (C4FR4, C4FR32, C4NFR1) -------------------------
    def tier_limits(self, service_point: str, third_party: str) -> dict[str, int]:
        """The transactions per hour and per day the third party's contract tier allows."""
        tier = str(self.enabled(service_point).get(third_party, {}).get("tier") or "standard")
        tiers: dict[str, dict[str, int]] = self.ctx.settings.get("tiers", {})
        return dict(tiers.get(tier) or v.DOCUMENT_TIER)

    def _over_limit(self, req: v.CimRequest) -> str | None:
        """Why admitting ``req`` would take its service point over its tier (None: it fits).

        Each request counts two transactions: one to the gateway, one back with the results."""
        limits = self.tier_limits(req.service_point, req.third_party)
        now = self.ctx.now()
        times = self.admitted.get(req.service_point, [])
        for span, key, what in (
            (HOUR, "transactions_per_hour", "hour"),
            (DAY, "transactions_per_day", "day"),
        ):
            used = v.TRANSACTIONS_PER_REQUEST * sum(1 for t in times if t > now - span)
            if used + v.TRANSACTIONS_PER_REQUEST > limits[key]:
                return (
                    f"{used} of {limits[key]} transactions per {what} used at {req.service_point}"
                )
        return None

    def warn(self, record: LogRecord, reason: str, why: str) -> None:
        """A warning to the third party naming its message, destination and time received."""
        self.send(
            "Third Party",
            v.tpa_message(
                "Warning",
                self.role,
                self.ctx.now(),
                self.ctx.new_id(),
                third_party=record.third_party,
                service_point=record.service_point,
                devices=[record.device],
                details={
                    "reason": reason,
                    "messageId": record.transaction,
                    "destination": record.device,
                    "receivedDateTime": record.received,
                    "why": why,
                },
            ),
        )

    # --- unauthorized attempts (C4FR24, C4FR27) --------------------------------------------
    def alarm_limit(self) -> int:
        return int(self.ctx.settings.get("unauthorized_per_hour", v.UNAUTHORIZED_PER_HOUR))

    def count_unauthorized(self) -> None:
        """Count one refused attempt; alarm once they exceed the limit within an hour (one
        alarm an hour at most)."""
        now = self.ctx.now()
        self.unauthorized.append(now)
        recent = sum(1 for t in self.unauthorized if t > now - HOUR)
        if recent <= self.alarm_limit() or (self.alarmed is not None and self.alarmed > now - HOUR):
            return
        self.alarmed = now
        self.raise_alarm(recent)

    def raise_alarm(self, attempts: int) -> None:
        details = {"attempts": str(attempts), "limit": str(self.alarm_limit()), "window": "PT1H"}
        self.send(
            "Other Utility Systems",
            v.tpa_message("Alarm", self.role, self.ctx.now(), self.ctx.new_id(), details=details),
        )

    # --- inbound: a third party's request ------------------------------------------------
    def _admit(self, req: v.CimRequest) -> ReplyError | None:
        """Authentication, then authorization for the addressed service point."""
        if self.third_parties().get(req.third_party) != req.organization or not req.third_party:
            return ReplyError("7.4", "FATAL", "authentication failure", req.third_party or "(none)")
        if req.third_party not in self.enabled(req.service_point):
            return ReplyError(
                "7.5",
                "FATAL",
                "action not authorized",
                f"{req.third_party} is not enabled at service point {req.service_point}",
            )
        return None

    def _unsigned(self, exchange: Exchange) -> ReplyError | None:
        """A request whose WS-Security signature does not verify against the certificates the
        CCS trusts (C4FR3, C4FR6); nothing is judged when it is given none to trust."""
        trusted = self.ctx.settings.get("wss_trusted")
        if not trusted:
            return None
        result = verify(exchange.body, [str(pem).encode("ascii") for pem in trusted])
        if result.ok:
            return None
        return ReplyError("7.4", "FATAL", "authentication failure: signature", str(result)[:300])

    def _hostile(
        self, root: etree._Element, exchange: Exchange, req: v.CimRequest
    ) -> ReplyError | None:
        """A replayed request (MessageID seen, ReplayDetection stale) or a malformed one (C4FR3,
        C4FR8). The format is judged by the harness's own validation of the message received."""
        created = root.findtext(
            f"{{{v.MSG_NS}}}Header/{{{v.MSG_NS}}}ReplayDetection/{{{v.MSG_NS}}}Created"
        )
        when = judge_time(created or "")
        if req.message_id in self.seen or (
            when is not None and self.ctx.now() - when > REPLAY_WINDOW
        ):
            return ReplyError("7.7", "FATAL", "replayed message", req.message_id)
        broken = [f.rule for f in exchange.findings if f.is_error and f.rule.startswith("XSD-")]
        if broken:
            return ReplyError("1.8", "FATAL", "does not validate against schema", ", ".join(broken))
        return None

    def _accept(self, root: etree._Element, exchange: Exchange, kind: str, noun: str) -> bytes:
        req = v.read_request(root)
        hostile = self._unsigned(exchange) or self._hostile(root, exchange, req)
        if hostile is not None:
            return self._refuse_hostile(req, kind, noun, hostile)
        self.seen.add(req.message_id)
        refused = self._admit(req)
        over = None if refused is not None else self._over_limit(req)
        record = LogRecord(
            transaction=req.message_id,
            kind=kind,
            third_party=req.third_party,
            service_point=req.service_point,
            device=req.device,
            authorization="authorized" if refused is None else f"unauthorized: {refused.reason}",
            received=self._now(),
        )
        self.records[req.message_id] = record
        if refused is not None:
            self.count_unauthorized()
        if over is not None:
            refused = ReplyError("7.7", "FATAL", "message limit exceeded", over)
            record.authorization = f"authorized; refused: message limit exceeded ({over})"
            self.warn(record, "LIMIT_EXCEEDED", over)
        else:
            self.admitted.setdefault(req.service_point, []).append(self.ctx.now())
        if refused is not None:
            return self._refusal(req, noun, refused)
        self.ctx.clock.call_later(self.relay_delay, lambda: self.relay(req, kind))
        return build_response(self._reply_header(req, noun), "OK")

    def _reply_header(self, req: v.CimRequest, noun: str) -> Header:
        return v.cim_header(
            self.role,
            "reply",
            noun,
            self.ctx.new_id(),
            self.ctx.now(),
            correlation_id=req.message_id,
        )

    def _refusal(self, req: v.CimRequest, noun: str, refused: ReplyError) -> bytes:
        self.note(f"refused {req.message_id}: {refused.reason}")
        return build_response(self._reply_header(req, noun), "FAILED", errors=[refused])

    def _refuse_hostile(
        self, req: v.CimRequest, kind: str, noun: str, refusal: ReplyError
    ) -> bytes:
        """Refused before anything else: logged apart (a replay must not overwrite the log of
        the message it copies) and counted with the unauthorized attempts."""
        self.refused.append(
            LogRecord(
                req.message_id,
                kind,
                req.third_party,
                req.service_point,
                req.device,
                f"unauthorized: {refusal.reason}",
                received=self._now(),
            )
        )
        self.count_unauthorized()
        return self._refusal(req, noun, refusal)

    @on("get MeterReadings")
    def on_monitor(self, root: etree._Element, exchange: Exchange) -> bytes:
        return self._accept(root, exchange, "monitor", "MeterReadings")

    @on("create EndDeviceControls")
    def on_control(self, root: etree._Element, exchange: Exchange) -> bytes:
        return self._accept(root, exchange, "control", "EndDeviceControls")

    def relay(self, req: v.CimRequest, kind: str) -> None:
        """Pass the admitted request to the service point's gateway and log when."""
        details = {"command": req.command} if req.command else {}
        self.send(
            SPG,
            v.tpa_message(
                "RelayedRequest" if kind == "monitor" else "RelayedControl",
                self.role,
                self.ctx.now(),
                self.ctx.new_id(),
                transaction=req.message_id,
                third_party=req.third_party,
                service_point=req.service_point,
                devices=[req.device],
                details=details,
            ),
            receiver_id=req.service_point,
        )
        self.records[req.message_id].pushed_to_spg = self._now()
        if self.ctx.settings.get("watch_delivery"):  # configurable health check (C4FR43)
            self.ctx.clock.call_later(self.receipt_timeout, lambda: self.check_receipt(req))
        if self.records[req.message_id].origin == "third party":
            self.ctx.clock.call_later(self.undeliverable_after, lambda: self.check_delivered(req))

    def deliver_queued(self) -> None:
        """Deliver the third-party messages waiting for their gateway (set up by the scenario)."""
        for item in self.ctx.settings.get("queued", []):
            req = v.CimRequest(
                item["transaction"], item["third_party"], "", item["service_point"], item["device"]
            )
            self.records[req.message_id] = LogRecord(
                req.message_id,
                "monitor",
                req.third_party,
                req.service_point,
                req.device,
                "authorized",
                received=self._now(),
                origin="queued",
            )
            self.relay(req, "monitor")

    # --- receipts and answers from the gateway -------------------------------------------
    def _record(self, msg: v.TpaMessage) -> LogRecord | None:
        record = self.records.get(msg.transaction)
        if record is not None:
            record.events.append(f"{self._now()} {msg.kind}")
        return record

    @on(v.tq("RequestReceipt"))
    def on_request_receipt(self, root: etree._Element, exchange: Exchange) -> None:
        msg = v.read_tpa(root)
        self.acknowledged.add(msg.transaction)
        record = self._record(msg)
        if record is not None:
            record.spg_received = msg.details.get("receivedDateTime", "")
            record.pushed_to_han = msg.details.get("pushedToHanDateTime", "")

    @on(v.tq("ControlReceipt"))
    def on_control_receipt(self, root: etree._Element, exchange: Exchange) -> None:
        self.on_request_receipt(root, exchange)

    @on(v.tq("DataReceipt"))
    def on_data_receipt(self, root: etree._Element, exchange: Exchange) -> None:
        self._record(v.read_tpa(root))

    @on(v.tq("ConfirmationReceipt"))
    def on_confirmation_receipt(self, root: etree._Element, exchange: Exchange) -> None:
        self._record(v.read_tpa(root))

    def _outbound(self, msg: v.TpaMessage) -> LogRecord | None:
        record = self._record(msg)
        if record is None:
            self.note(f"answer for unknown transaction {msg.transaction!r}; dropped")
            return None
        record.out_spg_received = msg.details.get("receivedDateTime", "")
        record.out_pushed_to_ccs = msg.sent
        record.out_received = self._now()
        if record.third_party not in self.enabled(record.service_point):
            record.target_authorization = "unauthorized: no longer enabled"
            return None
        record.target_authorization = "authorized"
        return record

    @on(v.tq("CustomerData"))
    def on_customer_data(self, root: etree._Element, exchange: Exchange) -> None:
        msg = v.read_tpa(root)
        record = self._outbound(msg)
        if record is None:
            return
        payload = v.customer_data(
            record.service_point, record.device, msg.details.get("kWh", ""), self.ctx.now()
        )
        self._to_third_party(record, "MeterReadings", payload)

    @on(v.tq("ControlConfirmation"))
    def on_confirmation(self, root: etree._Element, exchange: Exchange) -> None:
        msg = v.read_tpa(root)
        record = self._outbound(msg)
        if record is None:
            return
        payload = v.control(
            self.ctx.new_id(),
            record.service_point,
            record.device,
            msg.details.get("command", ""),
        )
        self._to_third_party(record, "EndDeviceControls", payload)

    def _to_third_party(self, record: LogRecord, noun: str, payload: etree._Element) -> None:
        def push() -> None:
            header = v.cim_header(
                self.role,
                "created",
                noun,
                self.ctx.new_id(),
                self.ctx.now(),
                correlation_id=record.transaction,
            )
            self.send("Third Party", build_event(header, payload))
            record.out_pushed_to_tp = self._now()

        self.ctx.clock.call_later(self.relay_delay, push)

    # --- access provisioning ---------------------------------------------------------------
    @on(v.tq("AccessCommand"))
    def on_access(self, root: etree._Element, exchange: Exchange) -> None:
        msg = v.read_tpa(root)
        if exchange.producer != "CSS":
            return
        table = self.enabled(msg.service_point)
        if msg.details.get("action") == "disable":
            table.pop(msg.third_party, None)
        else:
            table[msg.third_party] = {"tier": msg.details.get("tier", ""), "devices": msg.devices}
        self.send(
            SPG,
            v.passed_on(
                msg,
                self.role,
                self.ctx.now(),
                self.ctx.new_id(),
                kind="AccessCommand",
            ),
            receiver_id=msg.service_point,
        )

    @on(v.tq("AccessReceipt"))
    def on_access_receipt(self, root: etree._Element, exchange: Exchange) -> None:
        msg = v.read_tpa(root)
        self.send(
            "CSS",
            v.passed_on(
                msg,
                self.role,
                self.ctx.now(),
                self.ctx.new_id(),
                kind="AccessReceipt",
            ),
        )

    # --- communication tests -------------------------------------------------------------
    def _test(self, transaction: str, service_point: str, asked_by: str) -> None:
        self.tests[transaction] = asked_by
        self.send(
            SPG,
            v.tpa_message(
                "TestCommand",
                self.role,
                self.ctx.now(),
                self.ctx.new_id(),
                transaction=transaction,
                service_point=service_point,
            ),
            receiver_id=service_point,
        )
        if asked_by == "CCS":  # its own health check: silence is alerted (3.5 row 6)
            self.ctx.clock.call_later(
                self.test_timeout, lambda: self.check_results(transaction, service_point)
            )

    @on(v.tq("TestCommand"))
    def on_test_command(self, root: etree._Element, exchange: Exchange) -> None:
        msg = v.read_tpa(root)
        if exchange.producer == "CSS":
            self._test(msg.transaction, msg.service_point, "CSS")

    def check_receipt(self, req: v.CimRequest) -> None:
        if req.message_id in self.acknowledged:
            return
        self.note(f"no receipt from the gateway of {req.service_point} for {req.message_id}")
        self._test(req.message_id, req.service_point, "CCS")

    def check_delivered(self, req: v.CimRequest) -> None:
        """Still no receipt from the gateway: warn the third party (C4FR30, C4NFR7)."""
        if req.message_id in self.acknowledged:
            return
        why = f"the gateway of {req.service_point} did not acknowledge the message"
        self.warn(self.records[req.message_id], "UNDELIVERABLE", why)

    def check_results(self, transaction: str, service_point: str) -> None:
        if transaction in self.results:
            return
        self.send(
            "Other Utility Systems",
            v.tpa_message(
                "FailureReport",
                self.role,
                self.ctx.now(),
                self.ctx.new_id(),
                transaction=transaction,
                service_point=service_point,
                details={"failure": "NO_TEST_RESULTS"},
            ),
        )

    @on(v.tq("TestResults"))
    def on_results(self, root: etree._Element, exchange: Exchange) -> None:
        msg = v.read_tpa(root)
        asked_by = self.tests.get(msg.transaction)
        if asked_by is None or msg.transaction in self.results:
            return
        self.results.add(msg.transaction)
        self.send(
            "CSS" if asked_by == "CSS" else "MDMS",
            v.passed_on(msg, self.role, self.ctx.now(), self.ctx.new_id()),
        )

    # --- the gateway's log and its reports (C4FR12, C4FR26, C4FR28, C4FR37) ------------------
    def retrieve_log(self, service_point: str) -> None:
        """Ask a gateway for its communications log, on demand."""
        self.send(
            SPG,
            v.tpa_message(
                "LogRequest",
                self.role,
                self.ctx.now(),
                self.ctx.new_id(),
                transaction=self.ctx.new_id(),
                service_point=service_point,
            ),
            receiver_id=service_point,
        )

    @on(v.tq("GatewayLog"))
    def on_gateway_log(self, root: etree._Element, exchange: Exchange) -> None:
        msg = v.read_tpa(root)
        self.gateway_logs[msg.service_point] = msg

    @on(v.tq("UnauthorizedReport"))
    def on_unauthorized_report(self, root: etree._Element, exchange: Exchange) -> None:
        self.gateway_reports.append(v.read_tpa(root))

    @on(v.tq("Alarm"))
    def on_gateway_alarm(self, root: etree._Element, exchange: Exchange) -> None:
        self.gateway_alarms.append(v.read_tpa(root))
