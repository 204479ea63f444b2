"""AMI Head-End: runs firmware campaigns over days and reports every outcome to the MDM.

The campaign is self-managing: downloads are paced (``meters_per_hour``; by default the whole fleet
is spread over the first half of the campaign window, whatever its size), each
confirmation or refusal from a meter is reported to the MDM as a CIM EndDeviceEvents message
correlated to the campaign, and when the window closes every meter that never answered is
reported too: no meter is ever left unaccounted for.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from lxml import etree

from amicert.actors.base import Actor, ActorContext, on
from amicert.c1219 import StandardTable1, TableError
from amicert.cim.envelope import Header, build_event
from amicert.cim.nouns import EndDeviceEventData, end_device_events
from amicert.trace import Exchange
from usecases.firmware_upgrade import vocabulary as device

NS = {"dev": device.DEVICE_NS}
FIRMWARE_REPLACED = "3.11.17.52"
FIRMWARE_INVALID = "3.11.124.35"
COMMUNICATION_FAILED = "3.1.0.85"


@dataclass
class Campaign:
    campaign_id: str
    image: device.FirmwareImage
    meters: list[str]
    window_days: int
    started: datetime
    outcomes: dict[str, str] = field(default_factory=dict)


class HeadEnd(Actor):
    role = "AMI Head-End"

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        pace = ctx.settings.get("meters_per_hour")
        self.meters_per_hour = float(pace) if pace else None
        self.registry: dict[str, dict[str, str]] = {}  # its own record of each meter
        self.campaigns: dict[str, Campaign] = {}
        self.message_form = str(ctx.settings.get("message_form", "generic"))

    def identity(self, meter: str) -> dict[str, str]:
        """The head-end's record of a meter, taken from provisioning when first needed (meters
        may be provisioned after the head-end came up)."""
        if meter not in self.registry:
            self.registry[meter] = dict(self.ctx.settings.get("meters", {}).get(meter, {}))
        return self.registry[meter]

    # --- step 1.2 in, 1.3 and 1.4 out ------------------------------------------------------
    @on(device.qname("FirmwareCampaign"))
    def on_campaign(self, root: etree._Element, exchange: Exchange) -> None:
        image = device.read_image(root.find("dev:image", namespaces=NS))  # type: ignore[arg-type]
        campaign = Campaign(
            campaign_id=device.text(root, "dev:campaignId"),
            image=image,
            meters=[m.get("mRID", "") for m in root.findall("dev:meter", namespaces=NS)],
            window_days=int(device.text(root, "dev:windowDays") or 7),
            started=self.ctx.now(),
        )
        self.campaigns[campaign.campaign_id] = campaign
        self.note(f"executing campaign {campaign.campaign_id} over {len(campaign.meters)} meters")
        self.execute(campaign)

    def execute(self, campaign: Campaign) -> None:
        """Step 1.3: schedule the paced downloads and the window's close."""
        window = timedelta(days=campaign.window_days)
        if self.meters_per_hour:
            interval = timedelta(hours=1) / self.meters_per_hour
        else:  # fits any fleet: every download starts within the first half of the window
            interval = window / 2 / max(1, len(campaign.meters))
        for i, meter in enumerate(campaign.meters):
            self.ctx.clock.call_later(
                interval * i, functools.partial(self.download, campaign, meter)
            )
        self.ctx.clock.call_later(window, lambda: self.close_window(campaign))

    def download(self, campaign: Campaign, meter: str) -> None:
        self.send(
            "AMI Network", device.firmware_download(campaign.campaign_id, meter, campaign.image)
        )

    # --- step 1.10 in, 1.11 out ------------------------------------------------------------
    @on(device.qname("FirmwareUpdateResponse"))
    def on_response(self, root: etree._Element, exchange: Exchange) -> None:
        campaign = self.campaigns.get(device.text(root, "dev:campaignId"))
        meter = device.meter_of(root)
        if campaign is None or meter not in campaign.meters:
            self.note(f"response for unknown campaign or meter {meter}; ignored")
            return
        if meter in campaign.outcomes:
            self.note(f"duplicate response from {meter}; ignored")
            return
        status = device.text(root, "dev:status")
        campaign.outcomes[meter] = status
        try:
            table = StandardTable1.decode(bytes.fromhex(device.text(root, "dev:standardTable1")))
            reported = table.firmware
        except (ValueError, TableError):
            reported = ""
        previous = self.identity(meter).get("firmware", "")
        if status == "APPLIED":
            self.identity(meter)["firmware"] = reported
            self.report(
                campaign,
                meter,
                FIRMWARE_REPLACED,
                {"firmwareVersion": reported, "previousFirmwareVersion": previous},
                "Firmware replaced",
            )
        else:
            reason = device.text(root, "dev:reason") or "UNSPECIFIED"
            self.report(
                campaign,
                meter,
                FIRMWARE_INVALID,
                {"refusalReason": reason, "firmwareVersion": reported},
                "Firmware update refused by the meter",
            )

    def close_window(self, campaign: Campaign) -> None:
        for meter in campaign.meters:
            if meter not in campaign.outcomes:
                campaign.outcomes[meter] = "NO_CONFIRMATION"
                self.report(
                    campaign,
                    meter,
                    COMMUNICATION_FAILED,
                    {"failure": "NO_CONFIRMATION"},
                    f"No firmware update confirmation within {campaign.window_days} days",
                )

    def report(
        self, campaign: Campaign, meter: str, code: str, details: dict[str, str], reason: str
    ) -> None:
        now = self.ctx.now()
        event = EndDeviceEventData(
            mrid=self.ctx.new_id(),
            created=now,
            event_type=code,
            asset_mrid=meter,
            reason=reason,
            details=details,
        )
        header = Header(
            verb="created",
            noun="EndDeviceEvents",
            message_id=self.ctx.new_id(),
            timestamp=now,
            source="AMI Head-End",
            correlation_id=campaign.campaign_id,
        )
        self.call("MDM", self.encode_report(header, event))

    def encode_report(self, header: Header, event: EndDeviceEventData) -> bytes:
        """The CIM bytes of one report (created EndDeviceEvents, cim_schemas/PROFILE.md)."""
        return build_event(header, end_device_events([event]), form=self.message_form)
