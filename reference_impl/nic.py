"""NIC: the meter's network interface card; relays between the AMI network and the metrology board."""

from __future__ import annotations

from lxml import etree

from amicert.actors.base import Actor, on
from amicert.trace import Exchange
from usecases.firmware_upgrade import vocabulary as device

NS = {"dev": device.DEVICE_NS}


class Nic(Actor):
    role = "NIC"

    @on(device.qname("FirmwareDownload"))
    def on_download(self, root: etree._Element, exchange: Exchange) -> None:
        campaign_id = device.text(root, "dev:campaignId")
        image = device.read_image(root.find("dev:image", namespaces=NS))  # type: ignore[arg-type]
        self.send(
            "Meter Metrology Board",
            device.firmware_write(campaign_id, image),
            receiver_id=self.instance,
        )

    @on(device.qname("FirmwareUpdateResponse"))
    def on_response(self, root: etree._Element, exchange: Exchange) -> None:
        self.send("AMI Network", etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
