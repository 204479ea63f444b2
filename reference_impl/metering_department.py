"""Metering Department: the utility operators who load an image into the head-end (step 1.2).

An operator actor: automated here. The in-scope meters and the campaign window come from its
settings (``in_scope_meters``, ``window_days``), as a supervisor would decide them.
"""

from __future__ import annotations

from lxml import etree

from amicert.actors.base import Actor, on
from amicert.trace import Exchange
from usecases.firmware_upgrade import vocabulary as device


class MeteringDepartment(Actor):
    role = "Metering Department"

    def __init__(self, *args: object, **kw: object) -> None:
        super().__init__(*args, **kw)  # type: ignore[arg-type]
        self.images: list[device.FirmwareImage] = []
        self.campaigns: list[str] = []

    @on(device.qname("FirmwareImage"))
    def on_firmware_image(self, root: etree._Element, exchange: Exchange) -> None:
        image = device.read_image(root)
        self.images.append(image)
        meters = list(self.ctx.settings.get("in_scope_meters", []))
        window = int(self.ctx.settings.get("window_days", 7))
        campaign_id = self.ctx.new_id()
        self.campaigns.append(campaign_id)
        self.note(f"campaign {campaign_id}: image {image.label} to {len(meters)} meters")
        self.send(
            "AMI Head-End",
            device.firmware_campaign(campaign_id, "Metering Department", window, image, meters),
        )
