"""The message vocabulary and premises of use case I3's HAN provisioning.

Three kinds of message cross the actors:

- the harness's HAN protocol (``urn:amicert:han:1``, cim_schemas/han/) for what no public IEC
  61968 profile covers: the HAN side (join requests, program provisioning, activation
  acknowledgements), the Trust Center's credential check, and people's conversations;
- 61968-9 EndDeviceControls (the pairing window, 0.10.73.298) and EndDeviceEvents (join
  results: PAN pairing succeeded 12.10.0.58, failed 12.10.0.85);
- 61968-9 EndDeviceConfig (the registration record the provisioning tool stores in the CCS).

:class:`HanPremises` holds what is on no wire: the devices the customer owns and installed, the
keys they were commissioned with, a bridge, and the radio the gateway's pairing window reaches.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from amicert.cim.envelope import format_datetime, noun_namespace, nsmap

HAN_NS = "urn:amicert:han:1"
EDC_NS = noun_namespace("EndDeviceConfig")
PAIRING_WINDOW_OPEN = "0.10.73.298"
PAIRING_SUCCEEDED = "12.10.0.58"  # type 12: PAN device; *.10.0.58 PAN pairing succeeded
PAIRING_FAILED = "12.10.0.85"
ACCEPTED = "ACCEPTED"
REJECTED = "REJECTED"


def hq(local: str) -> str:
    """Clark name of a HAN protocol element."""
    return f"{{{HAN_NS}}}{local}"


@dataclass
class HanDevice:
    """One piece of customer HAN equipment, as it sits in the home."""

    mrid: str
    name: str
    kind: str
    model: str
    protocol: str
    location: str
    install_code: str  # the key material printed on the device and registered with the utility
    enroll: bool = True  # the customer wants it in a utility program
    installed: bool = False
    commissioned_key: str | None = None  # the key the customer entered at step 2


@dataclass
class HanPremises:
    """The customer's home: HAN equipment, an optional bridge, the account it belongs to."""

    account: str
    meter: str
    meter_protocols: tuple[str, ...]
    devices: dict[str, HanDevice] = field(default_factory=dict)
    bridge: bool = False  # a customer-installed bridge carries other protocols to the meter

    def reaches_meter(self, device: HanDevice) -> bool:
        """Whether the meter's HAN interface can talk to the device (directly or by the bridge)."""
        return device.protocol in self.meter_protocols or self.bridge


@dataclass(frozen=True)
class HanMessage:
    kind: str
    sender: str
    session: str
    devices: list[dict[str, str]]
    details: dict[str, str]


def han_message(
    local: str,
    sender: str,
    now: datetime,
    *,
    session: str | None = None,
    devices: Iterable[dict[str, str]] = (),
    details: dict[str, str] | None = None,
) -> bytes:
    root = etree.Element(hq(local), nsmap=nsmap(HAN_NS))
    etree.SubElement(root, hq("sender")).text = sender
    etree.SubElement(root, hq("sentDateTime")).text = format_datetime(now)
    if session is not None:
        etree.SubElement(root, hq("sessionId")).text = session
    for d in devices:
        etree.SubElement(root, hq("device"), {k: v for k, v in d.items() if v is not None})
    for name, value in (details or {}).items():
        etree.SubElement(root, hq("detail"), name=name).text = value
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def read_han_message(root: etree._Element) -> HanMessage:
    return HanMessage(
        kind=etree.QName(root).localname,
        sender=root.findtext(hq("sender")) or "",
        session=root.findtext(hq("sessionId")) or "",
        devices=[
            {str(k): str(v) for k, v in el.attrib.items()} for el in root.findall(hq("device"))
        ],
        details={el.get("name", ""): el.text or "" for el in root.findall(hq("detail"))},
    )


def device_ref(device: HanDevice, *, with_code: str | None = None) -> dict[str, str]:
    ref = {
        "mRID": device.mrid,
        "name": device.name,
        "model": device.model,
        "kind": device.kind,
        "location": device.location,
    }
    if with_code is not None:
        ref["installCode"] = with_code
    return ref


@dataclass(frozen=True)
class Registration:
    """One Utility HAN device as the CCS stores it (EndDeviceConfig/EndDevice)."""

    device: str
    name: str
    location: str
    program: str
    account: str


def end_device_config(records: Iterable[Registration]) -> etree._Element:
    """An EndDeviceConfig document: one EndDevice per registered Utility HAN device."""
    q = f"{{{EDC_NS}}}"
    root = etree.Element(q + "EndDeviceConfig", nsmap=nsmap(EDC_NS))
    for r in records:
        el = etree.SubElement(root, q + "EndDevice")
        if r.device:
            etree.SubElement(el, q + "mRID").text = r.device
        etree.SubElement(el, q + "name").text = r.name
        etree.SubElement(el, q + "description").text = r.location
        etree.SubElement(el, q + "isPan").text = "true"
        for name_type, value in (("program", r.program), ("account", r.account)):
            names = etree.SubElement(el, q + "Names")
            etree.SubElement(names, q + "name").text = value
            etree.SubElement(etree.SubElement(names, q + "NameType"), q + "name").text = name_type
    return root


def read_end_device_config(root: etree._Element) -> list[Registration]:
    q = f"{{{EDC_NS}}}"
    found = []
    for el in root.iter(q + "EndDevice"):
        names = {
            (n.findtext(f"{q}NameType/{q}name") or ""): (n.findtext(q + "name") or "")
            for n in el.findall(q + "Names")
        }
        found.append(
            Registration(
                device=el.findtext(q + "mRID") or "",
                name=el.findtext(q + "name") or "",
                location=el.findtext(q + "description") or "",
                program=names.get("program", ""),
                account=names.get("account", ""),
            )
        )
    return found


# --- upgrades of Utility HAN equipment (harness rows U1 to U5, S1 to S4) ---------------------
DEV_NS = "urn:amicert:device:1"
PRESERVE = "preserve"
RESET = "reset"
CONFIGURATION_OPTIONS = (PRESERVE, RESET)
APPLIED = {PRESERVE: "preserved", RESET: "reset"}  # what the confirmation says was done


@dataclass(frozen=True)
class HanImage:
    """A Utility HAN firmware image as its vendor releases it."""

    manufacturer: str
    model: str
    version: str  # "major.minor"
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def image_id(self) -> str:
        return f"{self.manufacturer}-{self.model}-{self.version}"

    def to_setting(self) -> dict[str, str]:
        """The image as the scenario setting ``han_image`` carries it (JSON)."""
        return {
            "manufacturer": self.manufacturer,
            "model": self.model,
            "version": self.version,
            "content": base64.b64encode(self.content).decode("ascii"),
        }

    @classmethod
    def from_setting(cls, value: dict[str, str]) -> HanImage:
        return cls(
            value["manufacturer"],
            value["model"],
            value["version"],
            base64.b64decode(value["content"]),
        )


def firmware_image(image: HanImage) -> bytes:
    """The vendor's release (device protocol ``FirmwareImage``): version split major/minor."""
    major, _, minor = image.version.partition(".")
    root = etree.Element(f"{{{DEV_NS}}}FirmwareImage", nsmap=nsmap(DEV_NS))
    for name, value in (
        ("imageId", image.image_id),
        ("manufacturer", image.manufacturer),
        ("model", image.model),
        ("version", major),
        ("revision", minor or "0"),
        ("sha256", image.sha256),
        ("size", str(len(image.content))),
        ("content", base64.b64encode(image.content).decode("ascii")),
    ):
        etree.SubElement(root, f"{{{DEV_NS}}}{name}").text = value
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def read_firmware_image(root: etree._Element) -> HanImage | None:
    """The image of a ``FirmwareImage``, or None when its content does not match its hash."""

    def text(name: str) -> str:
        return root.findtext(f"{{{DEV_NS}}}{name}") or ""

    try:
        content = base64.b64decode(text("content"), validate=True)
    except ValueError:
        return None
    image = HanImage(
        text("manufacturer"), text("model"), f"{text('version')}.{text('revision')}", content
    )
    return image if image.sha256 == text("sha256") else None


def upgrade_order(
    image: HanImage, device: str, configuration: str, sender: str, campaign: str, now: datetime
) -> bytes:
    """``FirmwareUpgrade``: one device, the image, and whether to reset or keep its set-up."""
    return han_message(
        "FirmwareUpgrade",
        sender,
        now,
        session=campaign,
        devices=[{"mRID": device}],
        details={
            "image": image.image_id,
            "model": image.model,
            "version": image.version,
            "sha256": image.sha256,
            "content": base64.b64encode(image.content).decode("ascii"),
            "configuration": configuration,
        },
    )
