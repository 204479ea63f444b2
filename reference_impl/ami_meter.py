"""AMI Meter (I2): self-diagnostics, a diagnostic log kept for its retention period, reporting by
priority, on-demand read and self-test, field download and upload, self-registration.

A failure the diagnostics find is logged at once; critical failures (I2FR1) and safety/service
failures (I2FR16, I2NFR4) are reported to the AMI System at once, other failures wait for the next
scheduled read. Diagnostic records are pruned only when older than ``retention_days`` (60 by
default, at least the 45 days of I2NFR5). The metrology check runs every
``metrology_check_days`` (1 by default, within I2NFR6's daily..monthly range).
"""

from __future__ import annotations

import functools
from datetime import timedelta

from lxml import etree

from amicert.actors.base import Actor, ActorContext, on
from amicert.cim.envelope import ReplyError
from amicert.trace import Exchange
from usecases.meter_lifecycle.vocabulary import (
    COVER_REMOVED,
    FAILURE_CLASSES,
    FailureClass,
    MeterRef,
    Record,
    get_meter_readings,
    meter_message,
    meter_readings,
    mq,
    physical,
    queried_meter,
    read_meter_message,
    reply,
)

__all__ = ["AmiMeter", "get_meter_readings"]


class AmiMeter(Actor):
    role = "AMI Meter"

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        ident = dict(ctx.settings.get("meters", {}).get(instance, {}))
        self.identity = MeterRef(
            instance or "",
            ident.get("serial"),
            ident.get("lot"),
            ident.get("manufacturer"),
            ident.get("model"),
            ident.get("module"),
            ident.get("account"),
        )
        self.kwh = float(ident.get("kwh", 10250.0))
        self.failed: dict[str, FailureClass] = {}
        self.detected: set[str] = set()
        self.diagnostics: list[Record] = []
        self.pending: list[Record] = []
        self.retention = timedelta(days=float(ctx.settings.get("retention_days", 60)))
        self.metrology_every = timedelta(days=float(ctx.settings.get("metrology_check_days", 1)))
        self.report_delay = timedelta(seconds=float(ctx.settings.get("report_delay_s", 5)))
        self.download_time = timedelta(seconds=float(ctx.settings.get("download_s", 4)))
        self.programmed = False
        self.tampered = False
        # a metrology drift the self-test cannot see; a field test against a standard does
        self.drift_percent = float(ident.get("drift_percent", 0.0))
        physical(ctx).listen(f"AMI Meter:{instance}", self._physical)
        ctx.clock.call_later(self.metrology_every, self._metrology_check, f"{instance} metrology")
        ctx.clock.call_later(timedelta(days=1), self._housekeeping, f"{instance} housekeeping")

    # --- state -----------------------------------------------------------------------------
    @property
    def installed(self) -> bool:
        return physical(self.ctx).installed(self.identity.mrid)

    @property
    def communicating(self) -> bool:
        return (
            self.installed
            and "wan-communication" not in self.failed
            and self.identity.mrid not in physical(self.ctx).wan_down
        )

    def record(self, code: str | None, kind: str, **details: str) -> Record:
        rec = Record(self.ctx.now(), code, kind, dict(details))
        self.diagnostics.append(rec)
        return rec

    def records_kept(self) -> list[Record]:
        self.prune()
        return list(self.diagnostics)

    def prune(self) -> None:
        """Drop diagnostic records older than the retention period."""
        limit = self.ctx.now() - self.retention
        self.diagnostics = [r for r in self.diagnostics if r.at >= limit]

    def fail(self, failure: str) -> None:
        """A component fails (fault injection): found by the next diagnostics."""
        self.failed[failure] = FAILURE_CLASSES[failure]

    # --- periodic work ---------------------------------------------------------------------
    def _housekeeping(self) -> None:
        self.prune()
        self.ctx.clock.call_later(timedelta(days=1), self._housekeeping, "housekeeping")

    def _metrology_check(self) -> None:
        if self.installed:
            ok = "metrology" not in self.failed
            self.record(None, "metrology-check", result="pass" if ok else "fail")
            if not ok:
                self.run_diagnostics()
        self.ctx.clock.call_later(self.metrology_every, self._metrology_check, "metrology")

    def run_diagnostics(self) -> list[Record]:
        """Self-diagnostics: log every newly found failure; report by priority."""
        found = []
        for name, failure in self.failed.items():
            if name in self.detected:
                continue
            self.detected.add(name)
            rec = self.record(failure.code, "diagnostic-failure", failureClass=name)
            found.append(rec)
            if failure.critical or failure.safety:
                self.ctx.clock.call_later(self.report_delay, functools.partial(self.report, rec))
            else:
                self.pending.append(rec)
        return found

    def priority(self, failure: FailureClass) -> str:
        """The priority a notice carries (I2FR16): critical, safety/service or other."""
        if failure.critical:
            return "critical"
        return "safety/service" if failure.safety else "other"

    def report(self, rec: Record) -> None:
        failure = FAILURE_CLASSES[rec.details["failureClass"]]
        self.send(
            "AMI System",
            meter_message(
                "FailureNotice",
                self.role,
                self.ctx.now(),
                meters=[self.identity],
                details={
                    "failureClass": failure.name,
                    "component": failure.component,
                    "priority": self.priority(failure),
                    "detectedDateTime": rec.at.isoformat(),
                },
                records=[rec],
            ),
        )

    def detect_tamper(self) -> None:
        self.tampered = True
        rec = self.record(COVER_REMOVED, "tamper")
        self.send(
            "AMI System",
            meter_message(
                "TamperNotice", self.role, self.ctx.now(), meters=[self.identity], records=[rec]
            ),
        )

    # --- physical events -------------------------------------------------------------------
    def _physical(self, what: str, data: dict[str, object]) -> None:
        if what == "installed":
            self.power_up(str(data.get("removed", "")), str(data.get("order", "")))

    def power_up(self, removed: str, order: str) -> None:
        """Installed in a socket: self-test, then self-registration (or local sync)."""
        self.record(None, "installation-self-test", result="fail" if self.failed else "pass")
        self.run_diagnostics()
        details = {
            "removedMeter": removed,
            "installedMeter": self.identity.mrid,
            "timeSynchronization": self.ctx.now().isoformat(),
            "configurationSynchronization": "requested",
        }
        if self.communicating:
            self.send(
                "Meter Management System",
                meter_message(
                    "RegistrationNotice",
                    self.role,
                    self.ctx.now(),
                    meters=[self.identity],
                    details=details,
                ),
            )
            physical(self.ctx).notify(self.ctx, "AMI System", "joined", meter=self.identity.mrid)
        else:
            self.send(
                "Field Tool",
                meter_message(
                    "LocalSync",
                    self.role,
                    self.ctx.now(),
                    order=order or None,
                    meters=[self.identity],
                    details=details,
                ),
            )
            self.programmed = True
            self.ctx.clock.call_later(timedelta(seconds=30), lambda: self._completion(order))

    def _completion(self, order: str) -> None:
        self.send(
            "Field Tool",
            meter_message(
                "CompletionInfo",
                self.role,
                self.ctx.now(),
                order=order or None,
                meters=[self.identity],
                details={
                    "selfTest": "fail" if self.failed else "pass",
                    "programmed": "yes" if self.programmed else "no",
                    "registerKWh": f"{self.kwh:.3f}",
                },
            ),
        )

    # --- messages --------------------------------------------------------------------------
    @on(mq("StatusCheck"))
    def on_status_check(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_meter_message(root)
        components = {
            "WAN": "failed" if "wan-communication" in self.failed else "ok",
            "HAN": "failed" if "han-communication" in self.failed else "ok",
            "metrology": "failed" if "metrology" in self.failed else "ok",
        }
        self.send(
            "Data Center Concentrator (DCC)",
            meter_message(
                "StatusCheckResponse",
                self.role,
                self.ctx.now(),
                meters=[self.identity],
                details={"route": msg.details.get("path", ""), **components},
            ),
        )

    def self_test(self) -> list[tuple[str, str]]:
        """An on-demand self-test: failures it finds are logged and answered to the requester
        (who handles them), not reported again."""
        for name, failure in self.failed.items():
            if name not in self.detected:
                self.detected.add(name)
                self.record(failure.code, "on-demand-self-test", failureClass=name)
        return [(f.code, f.name) for f in self.failed.values()]

    @on("get MeterReadings")
    def on_get_readings(self, root: etree._Element, exchange: Exchange) -> bytes:
        if not self.installed or queried_meter(root) not in ("", self.identity.mrid):
            err = ReplyError("2.4", "FATAL", "invalid meter", queried_meter(root))
            return reply(self, exchange, "MeterReadings", errors=[err])
        payload = meter_readings(
            self.identity.mrid, self.identity.serial, self.ctx.now(), self.kwh, self.self_test()
        )
        return reply(self, exchange, "MeterReadings", payload)

    @on(mq("FieldTest"))
    def on_field_test(self, root: etree._Element, exchange: Exchange) -> bytes:
        premise = physical(self.ctx).premise_of(self.identity.mrid)
        accuracy = 3.8 if "metrology" in self.failed else 0.2 + self.drift_percent
        bad = bool(self.failed) or accuracy > 2.0
        return meter_message(
            "FieldTestResult",
            self.role,
            self.ctx.now(),
            meters=[self.identity],
            details={
                "accuracyErrorPercent": f"{accuracy:.1f}",
                "communicating": "yes" if self.communicating else "no",
                "failures": ",".join(sorted(self.failed)),
                "tamperEvidence": "bypass" if premise is not None and premise.bypass else "none",
                "coverRemoved": "yes" if self.tampered else "no",
                "result": "fail" if bad else "pass",
            },
        )

    @on(mq("DownloadRequest"))
    def on_download_request(self, root: etree._Element, exchange: Exchange) -> None:
        order = read_meter_message(root).order

        def deliver() -> None:
            self.send(
                "Field Tool",
                meter_message(
                    "MeterDataDownload",
                    self.role,
                    self.ctx.now(),
                    order=order,
                    meters=[self.identity],
                    details={"registerKWh": f"{self.kwh:.3f}", "interval": "15-minute"},
                    records=self.records_kept(),
                ),
            )

        self.ctx.clock.call_later(self.download_time, deliver, "meter download")

    @on(mq("DownloadComplete"))
    def on_download_complete(self, root: etree._Element, exchange: Exchange) -> None:
        self.note("field tool download completed")

    @on(mq("UploadRequest"))
    def on_upload_request(self, root: etree._Element, exchange: Exchange) -> None:
        order = read_meter_message(root).order
        self.send(
            "AMI System",
            meter_message(
                "MeterDataUpload",
                self.role,
                self.ctx.now(),
                order=order,
                meters=[self.identity],
                details={"registerKWh": f"{self.kwh:.3f}"},
                records=self.records_kept(),
            ),
        )

    @on(mq("UploadComplete"))
    def on_upload_complete(self, root: etree._Element, exchange: Exchange) -> None:
        self.note("upload to AMI completed")

    @on(mq("MismatchAlert"))
    def on_mismatch(self, root: etree._Element, exchange: Exchange) -> None:
        self.record(None, "mismatch-alert", **read_meter_message(root).details)

    @on(mq("ProgramDownload"))
    def on_programs(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_meter_message(root)
        days = msg.details.get("metrologyCheckDays")
        if days:
            self.metrology_every = timedelta(days=float(days))
        self.programmed = True
        premise = physical(self.ctx).premise_of(self.identity.mrid)
        order = premise.session_order if premise else ""
        self.ctx.clock.call_later(timedelta(seconds=30), lambda: self._completion(str(order)))
