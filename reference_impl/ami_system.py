"""AMI System (I2): the meter event log (by billing account, meter, and type/module/manufacturer,
I2FR10-12) with chronic-failure analysis (I2FR13); forwards failure notices to the Meter
Management System and tamper notices to the Meter Data Management System as 61968-9
EndDeviceEvents; takes meter data uploads; downloads programs to a meter that joins the network.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from lxml import etree

from amicert.actors.base import Actor, ActorContext, on
from amicert.cim.envelope import build_event
from amicert.cim.nouns import EndDeviceEventData, end_device_events
from amicert.trace import Exchange
from usecases.meter_lifecycle.vocabulary import (
    FAILURE_CLASSES,
    MeterRef,
    cim_header,
    meter_message,
    mq,
    physical,
    read_meter_message,
)


@dataclass(frozen=True)
class LoggedEvent:
    meter: str
    account: str
    manufacturer: str
    model: str
    module: str
    code: str
    failure_class: str
    at: datetime


class AmiSystem(Actor):
    role = "AMI System"

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        self.events: list[LoggedEvent] = []
        self.uploads: dict[str, list[dict[str, object]]] = {}
        self.chronic_threshold = int(ctx.settings.get("chronic_threshold", 3))
        self.chronic_window = timedelta(days=float(ctx.settings.get("chronic_window_days", 90)))
        physical(ctx).listen("AMI System", self._physical)

    # --- the event log (I2FR10-13) ---------------------------------------------------------
    def by_account(self, account: str) -> list[LoggedEvent]:
        return [e for e in self.events if e.account == account]

    def by_meter(self, meter: str) -> list[LoggedEvent]:
        return [e for e in self.events if e.meter == meter]

    def by_type(
        self, manufacturer: str, model: str | None = None, module: str | None = None
    ) -> list[LoggedEvent]:
        return [
            e
            for e in self.events
            if e.manufacturer == manufacturer
            and (model is None or e.model == model)
            and (module is None or e.module == module)
        ]

    def chronic(self) -> dict[str, int]:
        """Meters with at least ``chronic_threshold`` failures within the window, with counts."""
        since = self.ctx.now() - self.chronic_window
        counts: dict[str, int] = {}
        for e in self.events:
            if e.at >= since:
                counts[e.meter] = counts.get(e.meter, 0) + 1
        return {m: n for m, n in counts.items() if n >= self.chronic_threshold}

    def log_event(self, meter: MeterRef, code: str, failure: str, at: datetime) -> None:
        self.events.append(
            LoggedEvent(
                meter.mrid,
                meter.account or "",
                meter.manufacturer or "",
                meter.model or "",
                meter.module or "",
                code,
                failure,
                at,
            )
        )

    # --- messages --------------------------------------------------------------------------
    @on(mq("FailureNotice"))
    def on_failure(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_meter_message(root)
        if not msg.meters:
            return
        meter = msg.meters[0]
        failure = FAILURE_CLASSES.get(msg.details.get("failureClass", ""))
        code = (
            failure.code if failure else (msg.records[0].get("code") or "" if msg.records else "")
        )
        self.log_event(meter, str(code), failure.name if failure else "", self.ctx.now())
        event = EndDeviceEventData(
            mrid=self.ctx.new_id(),
            created=self.ctx.now(),
            event_type=str(code),
            asset_mrid=meter.mrid,
            reason=failure.description if failure else "Meter failure",
            severity=msg.details.get("priority"),
            details={
                "failureClass": msg.details.get("failureClass", ""),
                "component": msg.details.get("component", ""),
                "detectedDateTime": msg.details.get("detectedDateTime", ""),
                "account": meter.account or "",
            },
        )
        body = build_event(
            cim_header(self, "created", "EndDeviceEvents"), end_device_events([event])
        )
        self.call("Meter Management System", body)

    @on(mq("TamperNotice"))
    def on_tamper(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_meter_message(root)
        if not msg.meters:
            return
        meter = msg.meters[0]
        events = []
        for rec in msg.records or [{"code": "3.12.0.257"}]:
            code = str(rec.get("code") or "3.12.0.257")
            self.log_event(meter, code, "tamper", self.ctx.now())
            events.append(
                EndDeviceEventData(
                    mrid=self.ctx.new_id(),
                    created=self.ctx.now(),
                    event_type=code,
                    asset_mrid=meter.mrid,
                    reason="Meter tampering detected",
                    details={"account": meter.account or ""},
                )
            )
        body = build_event(
            cim_header(self, "created", "EndDeviceEvents"), end_device_events(events)
        )
        self.call("Meter Data Management System", body)

    @on(mq("MeterDataUpload"))
    def on_upload(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_meter_message(root)
        self.uploads.setdefault(msg.meter, []).extend(msg.records)
        self.send(
            "AMI Meter",
            meter_message(
                "UploadComplete",
                self.role,
                self.ctx.now(),
                order=msg.order,
                meters=msg.meters[:1],
                details={"records": str(len(msg.records))},
            ),
            receiver_id=msg.meter,
        )

    def _physical(self, what: str, data: dict[str, object]) -> None:
        if what == "joined":
            meter = str(data.get("meter", ""))
            self.send(
                "AMI Meter",
                meter_message(
                    "ProgramDownload",
                    self.role,
                    self.ctx.now(),
                    meters=[MeterRef(meter)],
                    details={
                        "touSchedule": "TOU-RES-1",
                        "readSchedule": "daily 00:00",
                        "metrologyCheckDays": str(self.ctx.settings.get("metrology_check_days", 1)),
                    },
                ),
                receiver_id=meter,
            )
