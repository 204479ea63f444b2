"""Meter Metrology Board: holds Standard Table 1 and applies firmware only when it is safe to.

Before applying an image it checks, in this order: the digest matches the content, the image is
for this manufacturer and model, and it is not a downgrade. A refused image leaves the table as
it was; either way the board answers with the table as it now reads.
"""

from __future__ import annotations

from datetime import timedelta

from lxml import etree

from amicert.actors.base import Actor, ActorContext, on
from amicert.c1219 import StandardTable1
from amicert.trace import Exchange
from usecases.firmware_upgrade import vocabulary as device

NS = {"dev": device.DEVICE_NS}
APPLY_TIME = timedelta(minutes=3)


class MetrologyBoard(Actor):
    role = "Meter Metrology Board"

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        identity = ctx.settings.get("meters", {}).get(instance, {})
        self.table1 = StandardTable1(
            manufacturer=identity.get("manufacturer", "AMIC"),
            model=identity.get("model", "AX-200"),
            hw_version=1,
            hw_revision=0,
            fw_version=int(identity.get("fw_version", 4)),
            fw_revision=int(identity.get("fw_revision", 1)),
            serial=identity.get("serial", instance or ""),
        )

    def read_table(self, table: int) -> bytes:
        """C12.19 table read; only Standard Table 1 is implemented."""
        if table != 1:
            raise ValueError(f"table {table} not implemented")
        return self.table1.encode()

    def check(self, image: device.FirmwareImage) -> str | None:
        """Why this image must not be applied, or None."""
        if not image.intact():
            return "IMAGE_HASH_MISMATCH"
        if image.manufacturer != self.table1.manufacturer:
            return "MANUFACTURER_MISMATCH"
        if image.model != self.table1.model:
            return "MODEL_MISMATCH"
        if (image.version, image.revision) < (self.table1.fw_version, self.table1.fw_revision):
            return "DOWNGRADE"
        return None

    def apply(self, image: device.FirmwareImage) -> None:
        t = self.table1
        self.table1 = StandardTable1(
            t.manufacturer,
            t.model,
            t.hw_version,
            t.hw_revision,
            image.version,
            image.revision,
            t.serial,
        )

    @on(device.qname("FirmwareWrite"))
    def on_write(self, root: etree._Element, exchange: Exchange) -> None:
        campaign_id = device.text(root, "dev:campaignId")
        try:
            image = device.read_image(root.find("dev:image", namespaces=NS))  # type: ignore[arg-type]
            reason = self.check(image)
        except ValueError:
            image, reason = None, "IMAGE_HASH_MISMATCH"
        meter = self.instance or ""

        def finish() -> None:
            if reason is None and image is not None:
                self.apply(image)
                self.note(f"applied firmware {image.label}")
                status = "APPLIED"
            else:
                self.note(f"refused image: {reason}")
                status = "REFUSED"
            self.send(
                "NIC",
                device.firmware_update_response(
                    campaign_id, meter, status, reason, self.read_table(1)
                ),
                receiver_id=self.instance,
            )

        self.ctx.clock.call_later(APPLY_TIME if reason is None else timedelta(seconds=5), finish)
