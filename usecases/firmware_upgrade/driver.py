"""AEP 5.8 Remote Meter Firmware Upgrade: provisioning, trigger, faults and state observations.

Firmware versions are read from each meter's C12.19 Standard Table 1 and MDM contents from the
MDM's store: the observed state, never what the head-end reported.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

from amicert.adapters.remote import TestControlError
from amicert.c1219 import StandardTable1, TableError
from amicert.driver import Driver, KeyCheck, StateAnswerError, StateQuery
from amicert.findings import Blame, Finding, error
from amicert.trace import Exchange
from amicert.world import World
from reference_impl.ami_network import AmiNetwork
from reference_impl.head_end import HeadEnd
from reference_impl.mdm import EventRecord, Mdm
from reference_impl.meter_vendor import MeterVendor
from reference_impl.metering_department import MeteringDepartment
from reference_impl.metrology_board import MetrologyBoard
from reference_impl.nic import Nic
from usecases.firmware_upgrade import testcontrol
from usecases.firmware_upgrade.vocabulary import FirmwareImage

FIRMWARE_UPGRADE = Driver(use_case="AEP-5.8")
DRIVER = FIRMWARE_UPGRADE
FIRMWARE_UPGRADE.defaults["window_days"] = 7
FIRMWARE_UPGRADE.plays(
    MeterVendor, MeteringDepartment, HeadEnd, AmiNetwork, Nic, MetrologyBoard, Mdm
)


def _table_answer(answer: dict[str, Any]) -> bytes:
    try:
        return bytes.fromhex(str(answer["hex"]))
    except (KeyError, ValueError) as exc:
        raise StateAnswerError(f"expected {{'hex': <table bytes in hex>}}, got {answer!r}") from exc


def _events_answer(answer: dict[str, Any]) -> list[EventRecord]:
    try:
        return [EventRecord(**e) for e in answer["events"]]
    except (KeyError, TypeError) as exc:
        raise StateAnswerError(f"expected {{'events': [event records]}}, got {answer!r}") from exc


FIRMWARE_UPGRADE.query(
    StateQuery(
        "standard_table",
        "Meter Metrology Board",
        "read_table",
        args=("table",),
        instance_arg="meter",
        encode=lambda data: {"hex": data.hex()},
        decode=_table_answer,
        answer_schema={
            "type": "object",
            "required": ["hex"],
            "properties": {"hex": {"type": "string", "pattern": "^([0-9a-fA-F]{2})*$"}},
        },
        description="a C12.19 table of one meter, as its metrology board reads it (bytes in hex)",
    )
)
FIRMWARE_UPGRADE.query(
    StateQuery(
        "mdm_events",
        "MDM",
        "events_for",
        args=("meter",),
        encode=lambda events: {"events": [dataclasses.asdict(e) for e in events]},
        decode=_events_answer,
        answer_schema={
            "type": "object",
            "required": ["events"],
            "properties": {
                "events": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["meter", "code", "created", "correlation_id"],
                        "properties": {
                            "meter": {"type": "string", "description": "Assets/mRID"},
                            "code": {"type": "string", "description": "EndDeviceEventType/@ref"},
                            "created": {"type": "string", "description": "createdDateTime"},
                            "correlation_id": {
                                "type": "string",
                                "description": "Header/CorrelationID of the message carrying it",
                            },
                            "details": {
                                "type": "object",
                                "additionalProperties": {"type": "string"},
                                "description": "EndDeviceEventDetails, name -> value",
                            },
                        },
                    },
                }
            },
        },
        description="the device events the MDM holds for one meter",
    )
)
MANUFACTURER = "AMIC"


def _version(text: str) -> tuple[int, int]:
    major, _, minor = text.partition(".")
    return int(major), int(minor or 0)


@FIRMWARE_UPGRADE.on_setup(
    r'(?P<count>\d+) meters? of model "(?P<model>[^"]+)" running firmware (?P<firmware>\d+\.\d+) '
    r"(?:is|are) in scope",
    fleet=True,
)
def provision(world: World, count: str, model: str, firmware: str) -> None:
    """Provision meters in the head-end registry and build their NIC and metrology board."""
    version, revision = _version(firmware)
    for i in range(1, int(count) + 1):
        world.add_device(
            f"MTR-{i:04d}",
            {
                "manufacturer": MANUFACTURER,
                "model": model,
                "fw_version": version,
                "fw_revision": revision,
                "serial": f"SN{i:08d}",
                "firmware": firmware,
            },
        )
    world.params["initial_firmware"] = firmware
    world.settings.setdefault("window_days", 7)
    world.horizon = timedelta(days=int(world.settings["window_days"]) + 3)


@FIRMWARE_UPGRADE.on_setup(
    r'the Meter Vendor has an image of firmware (?P<firmware>\d+\.\d+) for model "(?P<model>[^"]+)"'
)
def prepare_image(world: World, firmware: str, model: str) -> None:
    version, revision = _version(firmware)
    content = bytes((i * 31 + version) % 256 for i in range(4096))
    world.params["image"] = FirmwareImage.make(
        f"IMG-{model}-{firmware}", MANUFACTURER, model, version, revision, content
    )


def _network_up(world: World) -> None:
    """Local network: no fault left over. A vendor network is reset through test-control."""
    if not world.is_remote("AMI Network"):
        world.actor("AMI Network").unreachable.clear()


def _trigger_release(world: World) -> None:
    image = world.params.get("image")
    if image is None:
        raise RuntimeError("no image prepared: add 'the Meter Vendor has an image of firmware ...'")
    world.actor("Meter Vendor").release(image)


def _corrupt_in_transit(world: World) -> None:
    if world.inject_remote("AMI Network", "image-corrupted-in-transit"):
        return
    world.actor("AMI Network").corrupt_images_for.update(world.devices)


def _nic_offline(world: World) -> None:
    if world.inject_remote("AMI Network", "nic-offline"):
        return
    world.actor("AMI Network").unreachable.update(world.devices)


FIRMWARE_UPGRADE.fault_roles.update(
    {"image-corrupted-in-transit": "AMI Network", "nic-offline": "AMI Network"}
)
FIRMWARE_UPGRADE.preconditions["AMI Network communications are in place"] = _network_up
FIRMWARE_UPGRADE.triggers["1.1"] = _trigger_release
FIRMWARE_UPGRADE.faults.update(
    {
        "none": lambda world: None,
        "image-corrupted-in-transit": _corrupt_in_transit,
        "nic-offline": _nic_offline,
    }
)


def read_table1(world: World, meter: str) -> StandardTable1 | Finding:
    """Standard Table 1 as the meter's metrology board reads it now."""
    try:
        board = world.actor("Meter Metrology Board", meter)
        return StandardTable1.decode(board.read_table(1))
    except TestControlError as exc:
        return error("STATE-UNREADABLE", str(exc), blame=Blame.INFRASTRUCTURE)
    except (TableError, ValueError) as exc:
        return error(
            "STATE-TABLE1",
            f"meter {meter}: Standard Table 1 unreadable: {exc}",
            blame=world.blame("Meter Metrology Board"),
        )


def _firmware_is(
    world: World, meter: str | None, expected: str, rule: str, what: str
) -> Finding | None:
    if meter is None:
        return error("STATE-NO-METER", "no meter in scope", blame=Blame.HARNESS)
    table = read_table1(world, meter)
    if isinstance(table, Finding):
        return table
    if table.firmware == expected:
        return None
    return error(
        rule,
        f"meter {meter}: {what}",
        expected=f"Standard Table 1 firmware {expected}",
        received=f"Standard Table 1 firmware {table.firmware}",
        blame=world.blame("Meter Metrology Board"),
    )


def _updated(world: World, meter: str | None) -> Finding | None:
    image = world.params["image"]
    return _firmware_is(
        world,
        meter,
        image.label,
        "STATE-FIRMWARE",
        "the metrology board is not running the new firmware",
    )


def _unchanged(world: World, meter: str | None) -> Finding | None:
    return _firmware_is(
        world,
        meter,
        world.params["initial_firmware"],
        "STATE-FIRMWARE-CHANGED",
        "the metrology board applied an image it had to refuse",
    )


FIRMWARE_UPGRADE.states.update({"firmware_updated": _updated, "firmware_unchanged": _unchanged})


def _image_version(world: World) -> str | None:
    image = world.params.get("image")
    return image.label if image is not None else None


# what the events to the MDM must say (cim_schemas/PROFILE.md): the version now running, and the
# one before; a refusal names the version still running
def _initial_firmware(world: World) -> str | None:
    return world.params.get("initial_firmware")


FIRMWARE_UPGRADE.key_checks.update(
    {
        "new_firmware": KeyCheck(
            "PROFILE-FIRMWARE-DETAIL", _image_version, "the version the meter now runs"
        ),
        "previous_firmware": KeyCheck(
            "PROFILE-FIRMWARE-DETAIL", _initial_firmware, "the version it ran before the update"
        ),
        "running_firmware": KeyCheck(
            "PROFILE-FIRMWARE-DETAIL", _initial_firmware, "the version still running (refused)"
        ),
    }
)


def _applied_when_confirmed(world: World, meter: str | None, _: Exchange) -> Finding | None:
    """Step 1.11 claims the meter runs the new image: it must, when the claim is made."""
    expected = _image_version(world)
    if meter is None or expected is None:
        return None
    table = read_table1(world, meter)
    if isinstance(table, Finding):
        return table
    if table.firmware == expected:
        return None
    return error(
        "STATE-FIRMWARE-AT-CONFIRMATION",
        f"meter {meter}: success was reported while its metrology board still ran {table.firmware}",
        expected=f"Standard Table 1 firmware {expected} when the success is reported",
        received=f"Standard Table 1 firmware {table.firmware}",
        blame=world.blame("AMI Head-End"),
    )


FIRMWARE_UPGRADE.on_arrival["firmware_confirmation"] = _applied_when_confirmed

WINDOW_TOLERANCE = timedelta(hours=1)  # a report is due when the window closes, give or take


def _reported_when_window_closes(world: World, meter: str | None, x: Exchange) -> Finding | None:
    """T1.11: a meter that never confirmed is reported when the campaign window closes (the
    campaign's windowDays after the Metering Department handed it over), not any time before
    or long after."""
    if "campaign_started" not in world.params:  # looked up once, not per meter reported
        world.params["campaign_started"] = next(
            (c.virtual_time for c in world.trace.exchanges if c.step == "1.2"), None
        )
    started = world.params["campaign_started"]
    if started is None:
        return None  # no campaign seen: the row's own SEQ findings say so
    due = started + timedelta(days=int(world.settings.get("window_days", 7)))
    off = x.virtual_time - due
    if abs(off) <= WINDOW_TOLERANCE:
        return None
    return error(
        "SEQ-TIMING",
        f"meter {meter}: the missing confirmation was reported "
        f"{abs(off)} {'before' if off < timedelta(0) else 'after'} the campaign window closed",
        expected=f"at {due.isoformat()} (window close, within {WINDOW_TOLERANCE})",
        received=x.virtual_time.isoformat(),
        blame=world.blame("AMI Head-End"),
    )


FIRMWARE_UPGRADE.on_arrival["no_confirmation_event"] = _reported_when_window_closes


@FIRMWARE_UPGRADE.on_device(r"Standard Table 1 reads firmware (?P<firmware>\d+\.\d+)")
def table1_reads(world: World, meter: str, firmware: str) -> Finding | None:
    return _firmware_is(world, meter, firmware, "STATE-FIRMWARE", "unexpected firmware version")


@FIRMWARE_UPGRADE.on_device(
    r'the MDM holds one "(?P<code>\d+\.\d+\.\d+\.\d+)" event(?: with (?P<key>\w+) "(?P<value>[^"]*)")?'
)
def mdm_holds(
    world: World, meter: str, code: str, key: str | None = None, value: str | None = None
) -> Finding | None:
    mdm = world.actor("MDM")
    try:
        held = list(mdm.events_for(meter))
    except TestControlError as exc:
        return error("STATE-UNREADABLE", str(exc), blame=Blame.INFRASTRUCTURE)
    events = [e for e in held if e.code == code]
    blame = world.blame("AMI Head-End") if "AMI Head-End" in world.sut_roles else world.blame("MDM")
    if len(events) != 1:
        return error(
            "STATE-MDM-EVENT",
            f"meter {meter}: the MDM holds {len(events)} events {code}",
            expected=f"exactly one {code} event",
            received=", ".join(e.code for e in held) or "(none)",
            blame=blame,
        )
    if key and events[0].details.get(key) != value:
        return error(
            "STATE-MDM-DETAIL",
            f"meter {meter}: event {code} detail {key!r} is not as expected",
            expected=value,
            received=events[0].details.get(key, "(absent)"),
            blame=blame,
        )
    return None


testcontrol.declare(FIRMWARE_UPGRADE)
