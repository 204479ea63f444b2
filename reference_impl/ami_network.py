"""AMI Network: carries messages between the head-end and each meter's NIC, with hop latency.

Network faults a test can inject: a NIC that cannot be reached, and an image corrupted in
transit (one octet flipped, digest untouched, as a bad radio link would leave it).
"""

from __future__ import annotations

import base64
from datetime import timedelta

from lxml import etree

from amicert.actors.base import Actor, on
from amicert.trace import Exchange
from usecases.firmware_upgrade import vocabulary as device

NS = {"dev": device.DEVICE_NS}


class AmiNetwork(Actor):
    role = "AMI Network"

    def __init__(self, *args: object, **kw: object) -> None:
        super().__init__(*args, **kw)  # type: ignore[arg-type]
        self.unreachable: set[str] = set()
        self.corrupt_images_for: set[str] = set()
        self.latency = timedelta(seconds=float(self.ctx.settings.get("hop_latency_s", 45)))

    @on(device.qname("FirmwareDownload"))
    def on_download(self, root: etree._Element, exchange: Exchange) -> None:
        meter = device.meter_of(root)
        if meter in self.unreachable:
            self.note(f"NIC of {meter} unreachable; download dropped")
            return
        if meter in self.corrupt_images_for:
            _flip_one_octet(root)
        body = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        self.ctx.bus.post(self, "NIC", body, receiver_id=meter, delay=self.latency)

    @on(device.qname("FirmwareUpdateResponse"))
    def on_response(self, root: etree._Element, exchange: Exchange) -> None:
        body = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        self.ctx.bus.post(self, "AMI Head-End", body, delay=self.latency)


def _flip_one_octet(root: etree._Element) -> None:
    content = root.find("dev:image/dev:content", namespaces=NS)
    if content is None or not content.text:
        return
    data = bytearray(base64.b64decode(content.text))
    if data:
        data[len(data) // 2] ^= 0xFF
    content.text = base64.b64encode(bytes(data)).decode("ascii")
