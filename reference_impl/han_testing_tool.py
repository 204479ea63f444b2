"""Utility HAN Testing Tool (I3): the manufacturer's tool that upgrades a Utility HAN device at
the site (I3FR6.1), when the installer connects it and presses upgrade."""

from __future__ import annotations

from lxml import etree

from amicert.actors.base import Actor, ActorContext, on
from amicert.trace import Exchange
from usecases.han_provisioning.vocabulary import HanImage, hq, read_han_message, upgrade_order


class HanTestingTool(Actor):
    role = "Utility HAN Testing Tool"

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        self.confirmed: dict[str, dict[str, str]] = {}

    def upgrade(self, device: str, configuration: str) -> None:
        """S2: load the image the tool carries into ``device``."""
        image = HanImage.from_setting(self.ctx.settings["han_image"])
        self.send(
            "Utility HAN",
            upgrade_order(
                image, device, configuration, self.role, self.ctx.new_id(), self.ctx.now()
            ),
            receiver_id=device,
        )

    @on(hq("UpgradeConfirmation"))
    def on_confirmation(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_han_message(root)
        for d in msg.devices:
            self.confirmed[d.get("mRID", "")] = dict(msg.details)
