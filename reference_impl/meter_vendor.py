"""Meter Vendor: releases firmware images to the utility's Metering Department (AEP 5.8 step 1.1)."""

from __future__ import annotations

from amicert.actors.base import Actor
from usecases.firmware_upgrade import vocabulary as device
from usecases.firmware_upgrade.vocabulary import FirmwareImage


class MeterVendor(Actor):
    role = "Meter Vendor"

    def release(self, image: FirmwareImage) -> None:
        self.note(f"released image {image.image_id} ({image.model} {image.label})")
        self.send("Metering Department", device.firmware_image(image))
