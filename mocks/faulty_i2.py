"""Faulty variants of the I2 (meter lifecycle) reference actors: each breaks one requirement.

Bound with ``amicert run --use-case I2 --actor "ROLE=mocks.faulty_i2:Class"``; the verdict each
must yield, and the rule and step it must name, are in mocks/proofs.py.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta

from lxml import etree

from amicert.cim.envelope import ReplyError
from amicert.trace import Exchange
from reference_impl.ami_meter import AmiMeter
from reference_impl.ami_system import AmiSystem
from reference_impl.field_dispatch import FieldDispatch
from reference_impl.field_tool import FieldTool
from reference_impl.mdms import MeterDataManagementSystem
from reference_impl.meter_management_system import MeterManagementSystem, MeterRecord, Window
from usecases.meter_lifecycle.vocabulary import (
    FailureClass,
    Record,
    TroubleOrder,
    mq,
    physical,
    reply,
)


class MmsIgnoresOutages(MeterManagementSystem):
    """Issues trouble reports for failures during announced outages and planned maintenance."""

    def in_window(self, meter: str, at: datetime) -> Window | None:
        return None


class MmsRoutesEverythingToIt(MeterManagementSystem):
    """Sends every trouble report to IT, whatever failed."""

    def new_order(self, *args: object, **kw: object) -> TroubleOrder:
        order = super().new_order(*args, **kw)  # type: ignore[arg-type]
        order.organisation = "IT"
        return order


class MmsOrderWithoutMaterial(MeterManagementSystem):
    """Downloads trouble orders that name no material for the job."""

    def download(self, order: TroubleOrder) -> None:
        order.material = None
        super().download(order)


class MeterReportsLate(AmiMeter):
    """Holds critical failures for its next scheduled read, four hours later."""

    def run_diagnostics(self) -> list[Record]:
        self.report_delay = timedelta(hours=4)
        return super().run_diagnostics()


class MeterPrunesAt30Days(AmiMeter):
    """Keeps diagnostic records for 30 days only."""

    def prune(self) -> None:
        limit = self.ctx.now() - timedelta(days=30)
        self.diagnostics = [r for r in self.diagnostics if r.at >= limit]


class MeterSlowDownload(AmiMeter):
    """Takes 25 s to deliver its data and logs to the field tool."""

    def on_download_request(self, root: object, exchange: object) -> None:
        self.download_time = timedelta(seconds=25)
        super().on_download_request(root, exchange)  # type: ignore[arg-type]


class MeterMetrologyEvery40Days(AmiMeter):
    """Runs its metrology check every 40 days, beyond the monthly minimum."""

    def _metrology_check(self) -> None:
        self.metrology_every = timedelta(days=40)
        super()._metrology_check()


class FieldToolNoMismatchAlert(FieldTool):
    """Never alerts when the meter at the premise differs from the order."""

    def scan(self, order_id: str) -> str:
        job = self.jobs[order_id]
        premise = physical(self.ctx).premise_for_account(job.order.account or "")
        job.scanned = premise.socket if premise and premise.socket else ""
        return job.scanned


class MdmsSilentToThirdParties(MeterDataManagementSystem):
    """Never tells third parties of data issues."""

    def notify_third_parties(self, meter: str, account: str, issue: str, interval: str) -> None:
        self.note(f"data issue of {meter} kept to itself")


class AmiSystemLogsByMeterOnly(AmiSystem):
    """Keeps its event log by meter, but the account and type views find nothing."""

    def by_account(self, account: str) -> list:  # type: ignore[type-arg]
        return []

    def by_type(
        self, manufacturer: str, model: str | None = None, module: str | None = None
    ) -> list:  # type: ignore[type-arg]
        return []


class AmiSystemNoChronicAnalysis(AmiSystem):
    """Reports no chronic failures, whatever the log holds."""

    def chronic(self) -> dict[str, int]:
        return {}


class DispatchBeyondSla(FieldDispatch):
    """Schedules every order a week out."""

    def slot(self, crew: str, earliest: datetime) -> datetime:
        return super().slot(crew, earliest + timedelta(days=7))


class DispatchClaimsAPromise(FieldDispatch):
    """Schedules every order a week out and writes the customer's "promise" to match it."""

    def schedule(self, order: TroubleOrder) -> None:
        when = self.slot(f"{order.organisation}-crew", self.ctx.now() + timedelta(days=7))
        order.details["promisedDateTime"] = when.isoformat()
        super().schedule(order)


class MeterReportsEveryFailureAsChecksum(AmiMeter):
    """Detects the right failure but reports every one as a checksum error."""

    def report(self, rec: Record) -> None:
        # its own log keeps the truth; only what it sends is wrong
        super().report(
            Record(rec.at, rec.code, rec.kind, {**rec.details, "failureClass": "checksum"})
        )


class AmiSystemRelaysAsTimeSync(AmiSystem):
    """Relays each meter's failure to the Meter Management System as a time-sync failure."""

    def on_failure(self, root: etree._Element, exchange: Exchange) -> None:
        for el in root.iter(mq("detail")):
            if el.get("name") == "failureClass":
                el.text = "time-sync"
        super().on_failure(root, exchange)


class AmiSystemRelaysAnotherMeter(AmiSystem):
    """Relays each failure naming a meter the utility never installed at that premise."""

    def on_failure(self, root: etree._Element, exchange: Exchange) -> None:
        for el in root.iter(mq("meter")):
            el.set("mRID", "MTR-7777")
        super().on_failure(root, exchange)


class MmsOrderWithoutPremise(MeterManagementSystem):
    """Downloads trouble orders that say nothing about where the meter is."""

    def download(self, order: TroubleOrder) -> None:
        order.premise = None
        super().download(order)


class MmsOrderWithoutFieldTestFlag(MeterManagementSystem):
    """Never asks for a field test, even on a high-bill complaint."""

    def download(self, order: TroubleOrder) -> None:
        order.details.pop("fieldTestRequired", None)
        super().download(order)


class MeterUploadsBeforeLocalDownload(AmiMeter):
    """Lets its AMI upload pre-empt the field tool's local session: it uploads to the AMI System
    as soon as the local download is asked for, before the field tool has its data."""

    def on_download_request(self, root: etree._Element, exchange: Exchange) -> None:
        self.on_upload_request(root, exchange)
        super().on_download_request(root, exchange)


class MmsOrderNamesAnotherMeter(MeterManagementSystem):
    """Issues the trouble order for another meter of the same lot than the one in trouble."""

    def issue(self, order: TroubleOrder) -> None:
        others = sorted(m for m in self.registry if m not in {x[0] for x in order.meters})
        if others and order.meters:
            order.meters = [(others[0], *order.meters[0][1:])]
        super().issue(order)


class MmsIgnoresItsRecords(MeterManagementSystem):
    """Downloads each order with the meter's nameplate serial instead of the one on record."""

    def download(self, order: TroubleOrder) -> None:
        nameplate = {
            m: ident.get("serial") for m, ident in self.ctx.settings.get("meters", {}).items()
        }
        order.meters = [(m, nameplate.get(m, s), lot, role) for m, s, lot, role in order.meters]
        super().download(order)


class MmsIssuesLate(MeterManagementSystem):
    """Decides at once but issues each trouble order three hours later (stamped when sent)."""

    def issue(self, order: TroubleOrder) -> None:
        def late() -> None:
            order.requested = self.ctx.now()
            MeterManagementSystem.issue(self, order)

        self.ctx.clock.call_later(timedelta(hours=3), late, "late trouble order")


class MeterTreatsEveryFailureAsCritical(AmiMeter):
    """Reports every failure at once as critical, a display fault as much as a checksum error."""

    def run_diagnostics(self) -> list[Record]:
        found = super().run_diagnostics()
        for rec in [r for r in self.pending if r in found]:
            self.pending.remove(rec)
            self.ctx.clock.call_later(self.report_delay, functools.partial(self.report, rec))
        return found

    def priority(self, failure: FailureClass) -> str:
        return "critical"


class MeterMarksCriticalFailuresOther(AmiMeter):
    """Reports a critical failure at once, but marks it of low importance ("other")."""

    def priority(self, failure: FailureClass) -> str:
        return "other"


class MmsIssuesReplacementForAnotherMeter(MeterManagementSystem):
    """Issues a replacement raised from the field for a meter other than the one that failed its
    test."""

    def replacement(self, order: TroubleOrder) -> None:
        order.meters = [("MTR-7777", *m[1:]) for m in order.meters]
        super().replacement(order)


class MmsHoldsReplacementForMaterial(MeterManagementSystem):
    """Not faulty: the other conforming reading of 3.4 row 5.2, holding the replacement raised
    from the field until its material is at hand instead of issuing it (the run must PASS)."""

    def replacement(self, order: TroubleOrder) -> None:
        order.status = "awaitingMaterial"


class MmsIssuesReplacementAsSampleTest(MeterManagementSystem):
    """Issues a replacement raised from the field as another sample test (kind maintenance)
    instead of a trouble order to replace the meter."""

    def replacement(self, order: TroubleOrder) -> None:
        order.kind = "maintenance"
        super().replacement(order)


class MmsRefusesEveryOrder(MeterManagementSystem):
    """Answers every order request Result FAILED, then acts on it anyway."""

    def on_create(self, root: etree._Element, exchange: Exchange) -> bytes:
        super().on_create(root, exchange)
        return reply(self, exchange, "TroubleOrders", errors=[ReplyError("2.4", "ERROR", "busy")])


class MmsListsOtherLots(MeterManagementSystem):
    """Answers the lot query with the meters of every other lot."""

    def same_lot(self, meter: str) -> list[MeterRecord]:
        lot = self.registry[meter].lot if meter in self.registry else ""
        return [m for m in self.registry.values() if m.lot != lot]


class MmsPriorityOutOfRange(MeterManagementSystem):
    """Issues trouble orders with priority 7, outside the 1..4 the contract allows."""

    def issue(self, order: TroubleOrder) -> None:
        order.priority = 7
        super().issue(order)


class MmsForgetsDownloadedOrders(MeterManagementSystem):
    """Downloads orders to the field but keeps no record of them for the meter."""

    def orders_for(self, meter: str) -> list[TroubleOrder]:
        return []


class MmsClockStandsStill(MeterManagementSystem):
    """Stamps every order it issues with the time its clock was set, never moving on."""

    def issue(self, order: TroubleOrder) -> None:
        order.requested = self.ctx.now() - timedelta(days=43)
        super().issue(order)


class MmsDownloadsAfterTheVisit(MeterManagementSystem):
    """Downloads each order to the field tool two days after it was assigned, past its visit."""

    def download(self, order: TroubleOrder) -> None:
        later = functools.partial(MeterManagementSystem.download, self, order)
        self.ctx.clock.call_later(timedelta(days=2), later)


class MmsDownloadsTheReplacement(MeterManagementSystem):
    """Downloads the replacement raised in the field to the field tool, though no replacement
    meter is at hand to work it with."""

    def replacement(self, order: TroubleOrder) -> None:
        super().replacement(order)
        self.download(order)
