"""Field Tool (I2): the installer's wireless workstation. Receives orders, scans the meter at the
premise and alerts when it does not match the order, downloads the meter's data and logs over the
local port (within 10 s, I2NFR7) and has the meter upload them to AMI, runs field tests, takes
local time and configuration synchronization when communications are down, and at completion
uploads everything to the Meter Management System (I2FR25).

People work it through its screen: ``start_visit``, ``field_test``, ``complete`` are what an
installer presses; what the tool sends in answer is the traffic of the use case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from lxml import etree

from amicert.actors.base import Actor, ActorContext, on
from amicert.cim.envelope import build_request
from amicert.trace import Exchange
from usecases.meter_lifecycle.vocabulary import (
    MeterMessage,
    MeterRef,
    TroubleOrder,
    cim_header,
    meter_message,
    mq,
    physical,
    read_meter_message,
    read_trouble_orders,
    trouble_orders,
)


@dataclass
class Job:
    order: TroubleOrder
    scanned: str = ""
    mismatch: bool = False
    download: MeterMessage | None = None
    download_requested: datetime | None = None
    download_received: datetime | None = None
    test: dict[str, str] = field(default_factory=dict)
    completion: MeterMessage | None = None
    local_sync: MeterMessage | None = None
    theft: dict[str, str] = field(default_factory=dict)
    installed: str = ""
    removed: str = ""
    closed: bool = False


def user_of(order: TroubleOrder) -> str:
    return "Revenue Protection Rep" if order.kind == "revenueProtection" else "Installer"


FIELD_TEST_CODES = ("HIGH_BILL", "DATA_ANOMALY")  # orders on which the meter is tested first


def order_lacks(order: TroubleOrder) -> list[str]:
    """What a trouble order downloaded to the field lacks for a worker to act on it."""
    lacking = [what for what, value in (("mRID", order.mrid), ("kind", order.kind)) if not value]
    if order.kind != "revenueProtection" and not order.scheduled:  # investigations go at once
        lacking.append("scheduled time")
    if not order.premise:  # every worker, on every kind of order, must find the premise
        lacking.append("premise address")
    if order.kind not in ("revenueProtection", "maintenance"):
        installed = [m for m in order.meters if (m[3] or "installed") == "installed"]
        if not installed or not all(m[1] for m in installed):
            lacking.append("installed meter serial")
    if order.trouble_code in FIELD_TEST_CODES and order.details.get("fieldTestRequired") != "yes":
        lacking.append("fieldTestRequired")
    return lacking


class FieldTool(Actor):
    role = "Field Tool"

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        self.jobs: dict[str, Job] = {}

    def job_for_meter(self, meter: str) -> Job | None:
        return next(
            (j for j in self.jobs.values() if meter in (j.scanned, j.installed, j.removed)), None
        )

    # --- orders in --------------------------------------------------------------------------
    @on("created TroubleOrders")
    def on_order(self, root: etree._Element, exchange: Exchange) -> None:
        for order in read_trouble_orders(root):
            lacking = order_lacks(order)
            if lacking:  # a field worker cannot go out on it: the sender's defect
                self.refuse(
                    exchange,
                    "INPUT-INCOMPLETE",
                    f"trouble order {order.mrid or '(no mRID)'} lacks {', '.join(lacking)}",
                    expected="mRID, kind, premise address, installed meter and serial, "
                    "scheduled time (and fieldTestRequired on HIGH_BILL / DATA_ANOMALY orders)",
                    received=f"no {', '.join(lacking)}",
                )
                continue
            self.jobs[order.mrid] = Job(order)
            physical(self.ctx).notify(self.ctx, user_of(order), "order", order=order.mrid)

    # --- the screen ---------------------------------------------------------------------------
    def scan(self, order_id: str) -> str:
        """Scan the meter in the premise's socket; alert it when it is not the ordered one."""
        job = self.jobs[order_id]
        premise = physical(self.ctx).premise_for_account(job.order.account or "")
        meter = premise.socket if premise and premise.socket else ""
        job.scanned = meter
        ident = dict(self.ctx.settings.get("meters", {}).get(meter, {}))
        ordered = {m[0]: m[1] for m in job.order.meters}
        if meter not in ordered or (ordered[meter] or "") != ident.get("serial", ""):
            job.mismatch = True
            self.send(
                "AMI Meter",
                meter_message(
                    "MismatchAlert",
                    self.role,
                    self.ctx.now(),
                    order=order_id,
                    meters=[MeterRef(meter, ident.get("serial"))],
                    details={
                        "orderedMeter": ",".join(f"{k}/{v}" for k, v in ordered.items()),
                        "foundMeter": f"{meter}/{ident.get('serial', '')}",
                    },
                ),
                receiver_id=meter,
            )
        return meter

    def start_download(self, order_id: str) -> None:
        job = self.jobs[order_id]
        meter = job.scanned or self.scan(order_id)
        job.download_requested = self.ctx.now()
        self.send(
            "AMI Meter",
            meter_message(
                "DownloadRequest",
                self.role,
                self.ctx.now(),
                order=order_id,
                meters=[MeterRef(meter)],
            ),
            receiver_id=meter,
        )

    def field_test(self, order_id: str) -> dict[str, str]:
        """Test the meter over the local port; a failed test is reported to the MMS at once."""
        job = self.jobs[order_id]
        meter = job.scanned or self.scan(order_id)
        answer = self.call(
            "AMI Meter",
            meter_message(
                "FieldTest", self.role, self.ctx.now(), order=order_id, meters=[MeterRef(meter)]
            ),
            receiver_id=meter,
        )
        job.test = dict(read_meter_message(etree.fromstring(answer)).details) if answer else {}
        if job.test.get("result") == "fail":
            self.send(
                "Meter Management System",
                meter_message(
                    "FieldTestReport",
                    self.role,
                    self.ctx.now(),
                    order=order_id,
                    meters=[MeterRef(meter)],
                    details=dict(job.test),
                ),
            )
        return job.test

    def meter_changed(self, order_id: str, removed: str, installed: str) -> None:
        job = self.jobs[order_id]
        job.removed, job.installed = removed, installed

    def complete(self, order_id: str, resolution: str) -> None:
        """Complete the order: upload all related information to the MMS (I2FR25)."""
        job = self.jobs[order_id]
        order = job.order
        closing = TroubleOrder(**{**order.__dict__})
        closing.status = "completed"
        closing.resolution = resolution
        closing.details = {**order.details, **{f"test.{k}": v for k, v in job.test.items()}}
        if job.download is not None:
            closing.details["oldMeterRegisterKWh"] = job.download.details.get("registerKWh", "")
            closing.details["oldMeterLogRecords"] = str(len(job.download.records))
        meters: list[tuple[str, str | None, str | None, str | None]] = []
        if job.removed:
            meters.append((job.removed, None, None, "removed"))
        if job.installed:
            ident = dict(self.ctx.settings.get("meters", {}).get(job.installed, {}))
            meters.append((job.installed, ident.get("serial"), ident.get("lot"), "installed"))
            if job.completion is not None:
                closing.details["newMeterSelfTest"] = job.completion.details.get("selfTest", "")
        closing.meters = meters or order.meters
        job.closed = True
        self.call(
            "Meter Management System",
            build_request(cim_header(self, "close", "TroubleOrders"), trouble_orders([closing])),
        )

    def raise_replacement(self, order_id: str, need: MeterMessage) -> None:
        parent = self.jobs[order_id].order
        order = TroubleOrder(
            mrid=self.ctx.new_id(),
            kind="trouble",
            status="open",
            requested=self.ctx.now(),
            trouble_code="REPLACE_METER",
            source="Field Tool",
            parent=parent.mrid,
            comment=need.details.get("reason", "meter failed its field test"),
            meters=[(m[0], m[1], m[2], "installed") for m in parent.meters],
            account=parent.account,
        )
        self.call(
            "Meter Management System",
            build_request(cim_header(self, "create", "TroubleOrders"), trouble_orders([order])),
        )

    # --- messages from the meter and the people ---------------------------------------------------
    @on(mq("MeterDataDownload"))
    def on_download(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_meter_message(root)
        job = self.jobs.get(msg.order or "")
        if job is None:
            return
        job.download = msg
        job.download_received = self.ctx.now()
        for local in ("DownloadComplete", "UploadRequest"):
            self.send(
                "AMI Meter",
                meter_message(
                    local, self.role, self.ctx.now(), order=msg.order, meters=msg.meters[:1]
                ),
                receiver_id=msg.meter,
            )
        physical(self.ctx).notify(self.ctx, user_of(job.order), "downloaded", order=job.order.mrid)

    @on(mq("LocalSync"))
    def on_local_sync(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_meter_message(root)
        job = self.jobs.get(msg.order or "") or self.job_for_meter(msg.meter)
        if job is not None:
            job.local_sync = msg

    @on(mq("CompletionInfo"))
    def on_completion(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_meter_message(root)
        job = self.jobs.get(msg.order or "") or self.job_for_meter(msg.meter)
        if job is None:
            return
        job.completion = msg
        physical(self.ctx).notify(self.ctx, user_of(job.order), "completion", order=job.order.mrid)

    @on(mq("JobResult"))
    def on_job_result(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_meter_message(root)
        if msg.order in self.jobs:
            self.complete(msg.order or "", msg.details.get("resolution", "job completed"))

    @on(mq("ReplacementNeed"))
    def on_replacement_need(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_meter_message(root)
        if msg.order in self.jobs:
            self.raise_replacement(msg.order or "", msg)

    @on(mq("TheftReport"))
    def on_theft(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_meter_message(root)
        job = self.jobs.get(msg.order or "")
        if job is not None:
            job.theft = dict(msg.details)

    def download_seconds(self, order_id: str) -> float | None:
        job = self.jobs.get(order_id)
        if job is None or job.download_requested is None or job.download_received is None:
            return None
        return (job.download_received - job.download_requested) / timedelta(seconds=1)
