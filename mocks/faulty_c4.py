"""Faulty variants of the C4 (third-party access) reference actors: each breaks one requirement.

Bound with ``amicert run --use-case C4 --actor "ROLE=mocks.faulty_c4:Class"``; the verdict each
must yield, and the rule and step it must name, are in mocks/proofs.py.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from lxml import etree

from amicert.cim.envelope import ReplyError
from amicert.trace import Exchange
from reference_impl.tpa_ccs import Ccs, LogRecord
from reference_impl.tpa_customer_device import CustomerDevice
from reference_impl.tpa_service_point_gateway import ServicePointGateway
from usecases.third_party_access import vocabulary as v


class CcsSlowRelay(Ccs):
    """Holds third-party requests for 90 s before passing them to the gateway (C4NFR3: 60 s)."""

    relay_delay = timedelta(seconds=90)


class CcsRelaysToAnotherDevice(Ccs):
    """Passes each request on to the gateway for another customer device than the one the third
    party addressed (C4FR1, C4FR15)."""

    def relay(self, req: v.CimRequest, kind: str) -> None:
        super().relay(replace(req, device=f"{req.device}-X"), kind)


class CcsRelaysAnotherCommand(Ccs):
    """Passes a control command on to the gateway as 'on' whatever the third party commanded."""

    def relay(self, req: v.CimRequest, kind: str) -> None:
        super().relay(replace(req, command="on") if req.command else req, kind)


class CcsAnswersAboutAnotherDevice(Ccs):
    """Answers the third party's request with data about another customer device than the one
    it asked about (C4FR1, C4FR15)."""

    def _to_third_party(self, record: LogRecord, noun: str, payload: etree._Element) -> None:
        for el in payload.iter():
            if el.text == record.device:
                el.text = f"{record.device}-X"
        super()._to_third_party(record, noun, payload)


class CcsLogsWithoutDestination(Ccs):
    """Logs each transaction without the customer destination device ID (C4FR18 b.)."""

    def transaction_log(self, transaction: str) -> dict[str, Any] | None:
        record = super().transaction_log(transaction)
        if record is not None:
            record["device"] = ""
        return record


class CcsLogsUnknownField(Ccs):
    """Logs each transaction with a field the contract does not name (beyond C4FR18's minimum)."""

    def transaction_log(self, transaction: str) -> dict[str, Any] | None:
        record = super().transaction_log(transaction)
        if record is not None:
            record["vendor_note"] = "kept 30 days"
        return record


class CcsMisspellsLogField(Ccs):
    """Logs the date and time each transaction was received under a misspelt field name."""

    def transaction_log(self, transaction: str) -> dict[str, Any] | None:
        record = super().transaction_log(transaction)
        if record is not None:
            record["recieved"] = record.pop("received")
        return record


class CcsLogsOwnAuthorizationWords(Ccs):
    """Logs the authorization status in words of its own ('granted'), not the published ones."""

    def transaction_log(self, transaction: str) -> dict[str, Any] | None:
        record = super().transaction_log(transaction)
        if record is not None and record["authorization"] == "authorized":
            record["authorization"] = "granted"
        return record


class SpgSlowTest(ServicePointGateway):
    """Takes two minutes to return communication test results (C4NFR5: 60 s)."""

    test_duration = timedelta(minutes=2)


class SpgSlowToHan(ServicePointGateway):
    """Passes third-party messages to the HAN 75 s after it receives them (C4NFR4: 60 s)."""

    def _inbound(self, *args: Any, **kw: Any) -> None:
        self.ctx.clock.call_later(
            timedelta(seconds=75), lambda: super(SpgSlowToHan, self)._inbound(*args, **kw)
        )


class SpgAcksButHoldsControl(ServicePointGateway):
    """Acknowledges each control command to the CCS at once but passes it to the HAN 75 s later
    (C4NFR4: 60 s): a late relay behind an on-time receipt."""

    def send(self, receiver: str, body: bytes, *, receiver_id: str | None = None) -> None:
        if receiver != "HAN" or v.tq("RelayedControl").encode() not in _root_tag(body):
            super().send(receiver, body, receiver_id=receiver_id)
            return
        self.ctx.clock.call_later(
            timedelta(seconds=75),
            lambda: super(SpgAcksButHoldsControl, self).send(
                receiver, body, receiver_id=receiver_id
            ),
        )


def _root_tag(body: bytes) -> bytes:
    """The Clark name of a message's root, as bytes (what the faulty variants pick on)."""
    return etree.QName(etree.fromstring(body)).text.encode()


class SpgIgnoresAccessCommands(ServicePointGateway):
    """Acknowledges access commands as executed but never changes its access table."""

    def on_access(self, root: etree._Element, exchange: Exchange) -> None:
        msg = v.read_tpa(root)
        self._to_ccs("AccessReceipt", msg, {**msg.details, "result": "EXECUTED"})


class DeviceConfirmsWithoutActing(CustomerDevice):
    """Confirms each control command as executed without carrying it out."""

    def on_control(self, root: etree._Element, exchange: Exchange) -> None:
        msg = v.read_tpa(root)
        command = msg.details.get("command", "")
        self._answer("ControlConfirmation", msg, {"command": command, "status": "EXECUTED"})


class CcsWithoutRateLimit(Ccs):
    """Admits every request, whatever its contract tier allows (C4NFR1, C4FR4)."""

    def _over_limit(self, req: v.CimRequest) -> str | None:
        return None


class CcsWarnsWithoutDestination(Ccs):
    """Warns the third party without the destination ID of its message (C4FR4, C4FR38)."""

    def warn(self, record: LogRecord, reason: str, why: str) -> None:
        super().warn(replace(record, device=""), reason, why)


class CcsTierTooStrict(Ccs):
    """Counts each request four times against the tier: rejects at half the limit (C4NFR1)."""

    def tier_limits(self, service_point: str, third_party: str) -> dict[str, int]:
        return {k: n // 2 for k, n in super().tier_limits(service_point, third_party).items()}


class CcsWarnsOfAnotherMessage(Ccs):
    """Warns the third party with its own warning's identifier as the message ID (C4FR38)."""

    def warn(self, record: LogRecord, reason: str, why: str) -> None:
        super().warn(replace(record, transaction=self.ctx.new_id()), reason, why)


class CcsWithoutAlarm(Ccs):
    """Logs unauthorized attempts but never raises an alarm (C4FR27)."""

    def raise_alarm(self, attempts: int) -> None:
        self.note(f"{attempts} unauthorized attempts in an hour; no alarm raised")


class CcsEarlyAlarm(Ccs):
    """Raises the alarm at the 10th unauthorized attempt in an hour, before the rate is exceeded."""

    def alarm_limit(self) -> int:
        return super().alarm_limit() - 1


class CcsRefusesButRelays(Ccs):
    """Answers an unauthorized request FAILED but passes it to the gateway all the same (C4FR6)."""

    def _accept(self, root: etree._Element, exchange: Exchange, kind: str, noun: str) -> bytes:
        answer = super()._accept(root, exchange, kind, noun)
        req = v.read_request(root)
        if self._admit(req) is not None:
            self.ctx.clock.call_later(self.relay_delay, lambda: self.relay(req, kind))
        return answer


class CcsForgetsRefusals(Ccs):
    """Keeps no log record of the attempts it refuses (C4FR24)."""

    def transaction_log(self, transaction: str) -> dict[str, Any] | None:
        record = self.records.get(transaction)
        if record is not None and record.authorization.startswith("unauthorized"):
            return None
        return super().transaction_log(transaction)


class CcsLateWarning(Ccs):
    """Warns the third party of an undeliverable message 16 minutes after receiving it (C4NFR7)."""

    undeliverable_after = timedelta(minutes=16) - Ccs.relay_delay


class CcsKeepsAccessAfterServiceEnds(Ccs):
    """Passes the disable command on to the gateway but keeps the third party enabled (C4BR2)."""

    def on_access(self, root: etree._Element, exchange: Exchange) -> None:
        msg = v.read_tpa(root)
        kept = dict(self.enabled(msg.service_point))
        super().on_access(root, exchange)
        self.enabled(msg.service_point).update(kept)


class CcsIgnoresServiceEnd(Ccs):
    """Drops the CSS's command to disable a third party: neither ends the contract nor passes the
    command on to the gateway, and keeps serving the third party (C4BR2)."""

    def on_access(self, root: etree._Element, exchange: Exchange) -> None:
        if v.read_tpa(root).details.get("action") != "disable":
            super().on_access(root, exchange)


class CcsAuthorizesAnyRegistered(Ccs):
    """Authenticates third parties but lets any of them reach any service point (C4FR6)."""

    def _admit(self, req: v.CimRequest) -> ReplyError | None:
        if self.third_parties().get(req.third_party) != req.organization or not req.third_party:
            return ReplyError("7.4", "FATAL", "authentication failure", req.third_party)
        return None


class SpgWithoutAlarm(ServicePointGateway):
    """Refuses and reports unauthorized messages but never alarms the CCS (C4FR28)."""

    def raise_alarm(self, msg: v.TpaMessage, attempts: int) -> None:
        self.note(f"{attempts} unauthorized attempts in an hour; no alarm raised")


class SpgEarlyAlarm(ServicePointGateway):
    """Alarms the CCS at the 10th unauthorized attempt in an hour, before the rate is exceeded."""

    def alarm_limit(self) -> int:
        return super().alarm_limit() - 1


class SpgNeverReports(ServicePointGateway):
    """Logs unauthorized messages but never reports them to the CCS (C4FR26)."""

    def report(self) -> None:
        self.pending = []


class SpgReportsLate(ServicePointGateway):
    """Reports unauthorized attempts at three times the configured period (C4FR26)."""

    def report_period(self) -> timedelta:
        return 3 * super().report_period()


class SpgSlowLog(ServicePointGateway):
    """Takes 90 s to send its communications log to the CCS (C4NFR6: 60 s)."""

    log_delay = timedelta(seconds=90)


class CcsAcceptsReplays(Ccs):
    """Checks the format of a request but not whether it was seen before (C4FR3)."""

    def _hostile(
        self, root: etree._Element, exchange: Exchange, req: v.CimRequest
    ) -> ReplyError | None:
        self.seen.clear()
        found = super()._hostile(root, exchange, req)
        return found if found is not None and found.code != "7.7" else None


class CcsAcceptsMalformed(Ccs):
    """Refuses replays but passes on requests that break their schema (C4FR8)."""

    def _hostile(
        self, root: etree._Element, exchange: Exchange, req: v.CimRequest
    ) -> ReplyError | None:
        found = super()._hostile(root, exchange, req)
        return found if found is not None and found.code != "1.8" else None


class CcsAnswersWithAnotherVerb(Ccs):
    """Answers the third party with the data it asked for under the verb `changed` instead of
    the standardized `created` (C4FR14: standardized message formats)."""

    def send(self, receiver: str, body: bytes, *, receiver_id: str | None = None) -> None:
        if receiver == "Third Party":
            body = body.replace(b"<Verb>created</Verb>", b"<Verb>changed</Verb>", 1)
        super().send(receiver, body, receiver_id=receiver_id)


class CcsAnswersOutsideTheSchema(Ccs):
    """Answers the third party with the customer data in a payload its schema does not allow (an
    element of the CCS's own invention: C4FR14, standardized message formats)."""

    def send(self, receiver: str, body: bytes, *, receiver_id: str | None = None) -> None:
        if receiver == "Third Party" and b"<MeterReading>" in body:
            body = body.replace(b"<MeterReading>", b"<MeterReading><VendorNote>x</VendorNote>", 1)
        super().send(receiver, body, receiver_id=receiver_id)
