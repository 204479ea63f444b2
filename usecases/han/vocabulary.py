"""The message vocabulary and premises of the HAN use cases.

Messages travel in three forms:

- the harness's HAN protocol (``urn:amicert:han:1``, cim_schemas/han/, the codec of
  :mod:`usecases.han_provisioning.vocabulary`) for what no public IEC 61968 profile covers: the
  HAN side (self-check reports, commissioning, joins, registration links, activation
  acknowledgements) and people's conversations. Its elements are few and generic, so each
  message here carries a ``subject`` detail that names what it is (``SUBJECT_*``);
- 61968-9 EndDeviceControls (the pairing window 0.10.73.298 that starts discovery; the
  registered control signal of a diagnostics check) and EndDeviceEvents (join results: PAN
  pairing succeeded 12.10.0.58, failed 12.10.0.85);
- 61968-9 EndDeviceConfig (the registration records pushed to the Utility AMI Gateway and stored
  in the CCS; the gateway's commissioning data).

:class:`HanSite` holds what is on no wire: the devices at the premises, their printed keys, their
radios, the network key pre-placed in the gateway.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from amicert.actors.base import ActorContext
from amicert.cim.envelope import Header
from usecases.han_provisioning.vocabulary import (
    HanMessage,
    Registration,
    end_device_config,
    han_message,
    hq,
    read_end_device_config,
    read_han_message,
)

PAIRING_WINDOW_OPEN = "0.10.73.298"
PAIRING_SUCCEEDED = "12.10.0.58"  # type 12: PAN device; *.10.0.58 PAN pairing succeeded
PAIRING_FAILED = "12.10.0.85"
COMMUNICATION_FAILED = "12.1.0.85"  # *.1.0.85 communication failed
DIAGNOSTIC_CONTROL = "0.15.0.54"  # load control start: the default registered control signal
ACCEPTED = "ACCEPTED"
REJECTED = "REJECTED"
ACTIVE = "ACTIVE"
NOT_REGISTERED = "NOT-REGISTERED"
FAULTY = "FAULTY"
NOT_AUTHORIZED = "7.5"  # reply error: action not authorized (the device is not registered)
ATTEMPTED_FAILED = "5.3"  # reply error: attempted and failed

SUBJECT = "subject"
SUBJECT_SELF_CHECK = "self-check"
SUBJECT_PRECOMMISSIONING = "pre-commissioning"
SUBJECT_COMMISSIONING = "commissioning"
SUBJECT_CONFIGURATION = "configuration"
SUBJECT_INSTALLED = "installation successful"
SUBJECT_REGISTRATION_INSTRUCTION = "registration instruction"
SUBJECT_READY = "ready for programs"
SUBJECT_REGISTRATION = "registration"
SUBJECT_REGISTRATION_INFO = "registration information"
SUBJECT_LINK = "authenticated link"
SUBJECT_TROUBLE = "device trouble"
SUBJECT_REMOTE_DIAGNOSTICS = "remote diagnostics"
SUBJECT_REGISTRATION_DIAGNOSTICS = "registration diagnostics"
SUBJECT_CONNECT = "connection attempt"
SUBJECT_CONTROL = "control signal"
SUBJECT_REACHABLE = "communication with the device"
SUBJECT_FUNCTIONING = "device functioning"
SUBJECT_ONSITE = "onsite maintenance scheduled"
SUBJECT_REREGISTER = "registration to be executed again"
SUBJECT_COMMUNICATION_FAILURE = "communication failure"
SUBJECT_FIELD_TEST = "field test"
SUBJECT_CONFIRMATION = "programs activated"
SUBJECT_DISCOVERED = "devices discovered"
SUBJECT_STORED = "registration stored"

__all__ = [
    "HanMessage",
    "Registration",
    "end_device_config",
    "hq",
    "read_end_device_config",
    "read_han_message",
]


@dataclass
class SiteDevice:
    """One HAN device at the premises, as it physically is."""

    mrid: str
    name: str
    kind: str
    location: str
    serial: str
    registration_key: str  # printed on the device, given to the utility at registration
    installed: bool = False
    self_check_ok: bool = True
    radio_ok: bool = True  # its radio works
    in_coverage: bool = True  # the gateway's HAN reaches where it sits
    application_ok: bool = True  # it acts on the control signals it receives
    replaced: int = 0  # how many times an installer replaced it
    registration_lost: bool = False  # reset: it no longer holds its program registration


@dataclass
class HanSite:
    """The premises: the account, the gateway (meter), its pre-placed network key, the devices."""

    account: str
    premise: str
    gateway: str
    network_key: str
    devices: dict[str, SiteDevice] = field(default_factory=dict)
    bridge: bool = False  # a bridging device carries the HAN to devices out of coverage

    def reaches(self, mrid: str) -> bool:
        """Whether the gateway's HAN can talk to the device right now."""
        d = self.devices.get(mrid)
        return d is not None and d.installed and d.radio_ok and (d.in_coverage or self.bridge)


def message(
    local: str,
    sender: str,
    now: datetime,
    subject: str,
    *,
    session: str | None = None,
    devices: list[dict[str, str]] | None = None,
    details: dict[str, str] | None = None,
) -> bytes:
    """A HAN-protocol message whose ``subject`` detail says what it is."""
    return han_message(
        local,
        sender,
        now,
        session=session,
        devices=devices or (),
        details={SUBJECT: subject, **(details or {})},
    )


def subject_of(msg: HanMessage) -> str:
    return msg.details.get(SUBJECT, "")


def site_ref(device: SiteDevice) -> dict[str, str]:
    return {
        "mRID": device.mrid,
        "name": device.name,
        "kind": device.kind,
        "location": device.location,
    }


def reply_error_codes(root: etree._Element) -> list[str]:
    """The Reply's Error codes of a 61968-100 response (either form), in order."""
    return [
        (code.text or "").strip()
        for error in root.iter()
        if isinstance(error.tag, str) and etree.QName(error).localname == "Error"
        for code in error
        if isinstance(code.tag, str) and etree.QName(code).localname == "code"
    ]


def cim_header(
    ctx: ActorContext, verb: str, noun: str, source: str, correlation: str | None = None
) -> Header:
    """A 61968-100 Header stamped now with a new MessageID."""
    return Header(
        verb=verb,
        noun=noun,
        message_id=ctx.new_id(),
        timestamp=ctx.now(),
        source=source,
        correlation_id=correlation,
    )
