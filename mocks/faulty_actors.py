"""Faulty variants of the reference actors: each breaks one rule a real product could break.

Bound with ``amicert run --actor "ROLE=mocks.faulty_actors:Class"``, each must turn a passing
scenario into a non-PASS verdict that names the step or rule it broke. The expected verdicts are
in tests/test_faulty_variants.py.
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import timedelta

from lxml import etree

from amicert.cim.envelope import Header, build_event
from amicert.cim.nouns import EndDeviceEventData, end_device_events
from amicert.trace import Exchange
from reference_impl.head_end import FIRMWARE_REPLACED, Campaign, HeadEnd
from reference_impl.mdm import Mdm
from reference_impl.meter_vendor import MeterVendor
from reference_impl.metrology_board import MetrologyBoard
from usecases.firmware_upgrade import vocabulary as device

EDE = "http://iec.ch/TC57/2011/EndDeviceEvents#"


class HeadEndNeverConfirms(HeadEnd):
    """Applies the campaign but never tells the MDM that a meter was upgraded."""

    def report(
        self, campaign: Campaign, meter: str, code: str, details: dict[str, str], reason: str
    ) -> None:
        if code != FIRMWARE_REPLACED:
            super().report(campaign, meter, code, details, reason)


class _HeadEndReportVariant(HeadEnd):
    """Encodes its reports with ``build`` instead of the correct encoding."""

    def encode_report(self, header: Header, event: EndDeviceEventData) -> bytes:
        return self.build(header, event)

    def build(self, header: Header, event: EndDeviceEventData) -> bytes:
        return build_event(header, end_device_events([event]))


class HeadEndWrongVerb(_HeadEndReportVariant):
    """Reports the upgrade with verb 'changed' instead of 'created'."""

    def build(self, header: Header, event: EndDeviceEventData) -> bytes:
        return build_event(dataclasses.replace(header, verb="changed"), end_device_events([event]))


class HeadEndOmitsCorrelation(_HeadEndReportVariant):
    """Leaves out the CorrelationID that ties the confirmation to the campaign."""

    def build(self, header: Header, event: EndDeviceEventData) -> bytes:
        return build_event(
            dataclasses.replace(header, correlation_id=None), end_device_events([event])
        )


class HeadEndGarblesCorrelation(_HeadEndReportVariant):
    """Sends a CorrelationID that matches no campaign (characters scrambled)."""

    def build(self, header: Header, event: EndDeviceEventData) -> bytes:
        garbled = (header.correlation_id or "")[::-1]
        return build_event(
            dataclasses.replace(header, correlation_id=garbled), end_device_events([event])
        )


class HeadEndWrongEventCode(_HeadEndReportVariant):
    """Reports 'firmware downloaded' (3.11.17.25) where 'firmware replaced' (3.11.17.52) is due."""

    def build(self, header: Header, event: EndDeviceEventData) -> bytes:
        wrong = dataclasses.replace(event, event_type="3.11.17.25")
        return build_event(header, end_device_events([wrong]))


class HeadEndInvalidPayload(_HeadEndReportVariant):
    """Sends an EndDeviceEvent without its mandatory createdDateTime (violates the noun XSD)."""

    def build(self, header: Header, event: EndDeviceEventData) -> bytes:
        payload = end_device_events([event])
        for el in payload.iter(f"{{{EDE}}}createdDateTime"):
            parent = el.getparent()
            assert parent is not None
            parent.remove(el)
        return build_event(header, payload)


class HeadEndConfirmsEarly(HeadEnd):
    """Confirms each meter to the MDM as soon as it sends the download, before the meter answered."""

    def download(self, campaign: Campaign, meter: str) -> None:
        super().download(campaign, meter)
        campaign.outcomes[meter] = "APPLIED"
        self.report(
            campaign,
            meter,
            FIRMWARE_REPLACED,
            {"firmwareVersion": campaign.image.label, "previousFirmwareVersion": ""},
            "Firmware replaced",
        )


class MetrologyConfirmsWithoutApplying(MetrologyBoard):
    """Answers APPLIED with a table claiming the new version, but keeps running the old one."""

    def apply(self, image: device.FirmwareImage) -> None:
        self.claimed = dataclasses.replace(
            self.table1, fw_version=image.version, fw_revision=image.revision
        )

    def on_write(self, root: etree._Element, exchange: Exchange) -> None:
        campaign_id = device.text(root, "dev:campaignId")
        image = device.read_image(root.find("dev:image", namespaces={"dev": device.DEVICE_NS}))  # type: ignore[arg-type]
        self.apply(image)
        claimed = self.claimed.encode()

        def finish() -> None:
            self.send(
                "NIC",
                device.firmware_update_response(
                    campaign_id, self.instance or "", "APPLIED", None, claimed
                ),
                receiver_id=self.instance,
            )

        self.ctx.clock.call_later(timedelta(minutes=3), finish)


class MetrologySkipsHashCheck(MetrologyBoard):
    """Applies any image for its model, whatever its digest says: a corrupted image gets flashed."""

    def check(self, image: device.FirmwareImage) -> str | None:
        intact = dataclasses.replace(image, sha256=hashlib.sha256(image.content).hexdigest())
        return super().check(intact)


class MdmReplyWithoutCorrelation(Mdm):
    """Answers with a reply whose CorrelationID is not the request's MessageID."""

    def _reply_header(self, exchange: Exchange, noun: str) -> Header:
        return dataclasses.replace(
            super()._reply_header(exchange, noun), correlation_id=self.ctx.new_id()
        )


class MdmForgetsEvents(Mdm):
    """Acknowledges every event with OK but never stores it."""

    def on_events(self, root: etree._Element, exchange: Exchange) -> bytes:
        reply = super().on_events(root, exchange)
        self.events.clear()
        return reply


class MdmNeverAnswers(Mdm):
    """Takes the events but sends no synchronous reply."""

    def on_events(self, root: etree._Element, exchange: Exchange) -> bytes:
        super().on_events(root, exchange)
        return None  # type: ignore[return-value]


class HeadEndIgnoresCampaigns(HeadEnd):
    """Accepts the campaign and never executes it: nothing goes out to the meters."""

    def execute(self, campaign: Campaign) -> None:
        self.note("campaign accepted, not executed")


class HeadEndMisreportsVersion(_HeadEndReportVariant):
    """Reports the upgrade with the firmware version it was asked for, not the one the meter read."""

    def build(self, header: Header, event: EndDeviceEventData) -> bytes:
        details = dict(event.details, firmwareVersion="9.9")
        return build_event(header, end_device_events([dataclasses.replace(event, details=details)]))


class MetrologyShortTable(MetrologyBoard):
    """Answers a Standard Table 1 read with 31 octets instead of 32."""

    def read_table(self, table: int) -> bytes:
        return super().read_table(table)[:31]


class MeterVendorCrashes(MeterVendor):
    """A plugin whose own code raises: the run must say the harness side broke, not PASS or FAIL."""

    def release(self, image: device.FirmwareImage) -> None:
        raise RuntimeError("vendor plugin crashed")


class MdmStoresWrongVersion(Mdm):
    """Acknowledges each event but stores a firmware version other than the one reported."""

    def on_events(self, root: etree._Element, exchange: Exchange) -> bytes:
        reply = super().on_events(root, exchange)
        for event in self.events:
            if "firmwareVersion" in event.details:
                event.details["firmwareVersion"] = "0.0"
        return reply


class HeadEndGivesUpEarly(HeadEnd):
    """Reports a meter as never confirming three days into a seven-day window."""

    def execute(self, campaign: Campaign) -> None:
        super().execute(campaign)
        self.ctx.clock.call_later(timedelta(days=3), lambda: self.close_window(campaign))


class HeadEndCrashesAfterTheCampaign(HeadEnd):
    """Works the campaign correctly, then one of its scheduled actions breaks (a harness defect
    when it plays the reference: the run goes on and the verdict says so)."""

    def execute(self, campaign: Campaign) -> None:
        super().execute(campaign)

        def crash() -> None:
            raise RuntimeError("scheduled action broke")

        self.ctx.clock.call_later(timedelta(days=8), crash, "head-end housekeeping")
