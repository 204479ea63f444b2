"""Builders and readers for the harness's own device protocol (urn:amicert:device:1).

The device-side rows of AEP 5.8 are proprietary in the use case; this protocol gives the
reference actors real bytes to exchange and the validator a schema to hold them to.
Specified in docs/device-protocol.md and cim_schemas/device/amicert-device.xsd.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from lxml import etree

DEVICE_NS = "urn:amicert:device:1"
_D = f"{{{DEVICE_NS}}}"


def qname(local: str) -> str:
    return f"{_D}{local}"


@dataclass(frozen=True)
class FirmwareImage:
    image_id: str
    manufacturer: str
    model: str
    version: int
    revision: int
    content: bytes
    sha256: str

    @classmethod
    def make(
        cls,
        image_id: str,
        manufacturer: str,
        model: str,
        version: int,
        revision: int,
        content: bytes,
    ) -> FirmwareImage:
        """An image whose digest matches its content, as a vendor releases it."""
        digest = hashlib.sha256(content).hexdigest()
        return cls(image_id, manufacturer, model, version, revision, content, digest)

    @property
    def label(self) -> str:
        return f"{self.version}.{self.revision}"

    def intact(self) -> bool:
        return hashlib.sha256(self.content).hexdigest() == self.sha256


def _sub(parent: etree._Element, local: str, text: str | None = None) -> etree._Element:
    el = etree.SubElement(parent, qname(local))
    if text is not None:
        el.text = text
    return el


def _image_into(parent: etree._Element, image: FirmwareImage) -> None:
    _sub(parent, "imageId", image.image_id)
    _sub(parent, "manufacturer", image.manufacturer)
    _sub(parent, "model", image.model)
    _sub(parent, "version", str(image.version))
    _sub(parent, "revision", str(image.revision))
    _sub(parent, "sha256", image.sha256)
    _sub(parent, "size", str(len(image.content)))
    _sub(parent, "content", base64.b64encode(image.content).decode("ascii"))


def _root(local: str) -> etree._Element:
    return etree.Element(qname(local), nsmap={"dev": DEVICE_NS})


def _bytes(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def firmware_image(image: FirmwareImage) -> bytes:
    root = _root("FirmwareImage")
    _image_into(root, image)
    return _bytes(root)


def firmware_campaign(
    campaign_id: str, requested_by: str, window_days: int, image: FirmwareImage, meters: list[str]
) -> bytes:
    root = _root("FirmwareCampaign")
    _sub(root, "campaignId", campaign_id)
    _sub(root, "requestedBy", requested_by)
    _sub(root, "windowDays", str(window_days))
    _image_into(_sub(root, "image"), image)
    for mrid in meters:
        _sub(root, "meter").set("mRID", mrid)
    return _bytes(root)


def firmware_download(campaign_id: str, meter: str, image: FirmwareImage) -> bytes:
    root = _root("FirmwareDownload")
    _sub(root, "campaignId", campaign_id)
    _sub(root, "meter").set("mRID", meter)
    _image_into(_sub(root, "image"), image)
    return _bytes(root)


def firmware_write(campaign_id: str, image: FirmwareImage) -> bytes:
    root = _root("FirmwareWrite")
    _sub(root, "campaignId", campaign_id)
    _image_into(_sub(root, "image"), image)
    return _bytes(root)


def firmware_update_response(
    campaign_id: str, meter: str, status: str, reason: str | None, st1: bytes
) -> bytes:
    root = _root("FirmwareUpdateResponse")
    _sub(root, "campaignId", campaign_id)
    _sub(root, "meter").set("mRID", meter)
    _sub(root, "status", status)
    if reason:
        _sub(root, "reason", reason)
    _sub(root, "standardTable1", st1.hex().upper())
    return _bytes(root)


# --- reading -------------------------------------------------------------------------------


def text(root: etree._Element, path: str) -> str:
    """Text at a dev:-prefixed path below root ('' when absent)."""
    found = root.find(path, namespaces={"dev": DEVICE_NS})
    return (found.text or "").strip() if found is not None else ""


def read_image(el: etree._Element) -> FirmwareImage:
    """The image inside a message; raises ValueError on content that cannot be an image."""
    try:
        content = base64.b64decode(text(el, "dev:content"), validate=True)
        return FirmwareImage(
            image_id=text(el, "dev:imageId"),
            manufacturer=text(el, "dev:manufacturer"),
            model=text(el, "dev:model"),
            version=int(text(el, "dev:version")),
            revision=int(text(el, "dev:revision")),
            content=content,
            sha256=text(el, "dev:sha256"),
        )
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not a firmware image: {exc}") from None


def meter_of(root: etree._Element) -> str:
    el = root.find("dev:meter", namespaces={"dev": DEVICE_NS})
    return el.get("mRID", "") if el is not None else ""
