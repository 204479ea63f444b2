"""AMI Head-End (I3, remote HAN upgrades): runs a campaign upgrading Utility HAN equipment.

Each device of the campaign that runs another firmware than the image gets a ``FirmwareUpgrade``
with the utility's choice to reset or preserve its configuration (I3FR3.1); up to
``han_simultaneous_upgrades`` run at once (I3NFR5), the next starting as each confirms.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from lxml import etree

from amicert.actors.base import Actor, ActorContext, on
from amicert.trace import Exchange
from usecases.han_provisioning.vocabulary import (
    DEV_NS,
    PRESERVE,
    HanImage,
    hq,
    read_firmware_image,
    read_han_message,
    upgrade_order,
)

SIMULTANEOUS = 500  # upgrades in progress at once, unless the scenario sets another figure


@dataclass
class Campaign:
    id: str
    image: HanImage
    configuration: str
    waiting: deque[str]
    running: set[str] = field(default_factory=set)
    confirmed: dict[str, dict[str, str]] = field(default_factory=dict)


class HanHeadEnd(Actor):
    role = "AMI Head-End"

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        self.campaigns: dict[str, Campaign] = {}

    def simultaneous(self) -> int:
        return int(self.ctx.settings.get("han_simultaneous_upgrades") or SIMULTANEOUS)

    @on(f"{{{DEV_NS}}}FirmwareImage")
    def on_image(self, root: etree._Element, exchange: Exchange) -> None:
        """U1: the vendor's image; U2: the campaign over the devices that need it."""
        image = read_firmware_image(root)
        if image is None:
            self.note(f"image #{exchange.seq} does not match its hash: no campaign")
            return
        running = self.ctx.settings.get("han_firmware") or {}
        devices = [
            d
            for d in self.ctx.settings.get("han_upgrade_devices") or []
            if running.get(d) != image.version
        ]
        option = str(self.ctx.settings.get("han_configuration") or PRESERVE)
        c = Campaign(self.ctx.new_id(), image, option, deque(devices))
        self.campaigns[c.id] = c
        self.note(f"campaign {c.id}: {len(devices)} devices, configuration {option}")
        self._fill(c)

    def _fill(self, c: Campaign) -> None:
        while c.waiting and len(c.running) < self.simultaneous():
            device = c.waiting.popleft()
            c.running.add(device)
            self.send(
                "Utility HAN",
                upgrade_order(c.image, device, c.configuration, self.role, c.id, self.ctx.now()),
                receiver_id=device,
            )

    @on(hq("UpgradeConfirmation"))
    def on_confirmation(self, root: etree._Element, exchange: Exchange) -> None:
        """U4: a device confirms; the next waiting device starts."""
        msg = read_han_message(root)
        c = self.campaigns.get(msg.session)
        if c is None:
            self.note(f"confirmation #{exchange.seq} for no campaign of mine: ignored")
            return
        for d in msg.devices:
            mrid = d.get("mRID", "")
            if mrid in c.running:
                c.running.discard(mrid)
                c.confirmed[mrid] = dict(msg.details)
        self._fill(c)
