"""Utility HAN vendor (I3): releases a new firmware image for its Utility HAN equipment (U1)."""

from __future__ import annotations

from amicert.actors.base import Actor
from usecases.han_provisioning.vocabulary import HanImage, firmware_image


class HanVendor(Actor):
    role = "Utility HAN vendor"

    def release(self) -> None:
        """Send the image the scenario's set-up gave the vendor to the AMI Head-End."""
        image = HanImage.from_setting(self.ctx.settings["han_image"])
        self.send("AMI Head-End", firmware_image(image))
