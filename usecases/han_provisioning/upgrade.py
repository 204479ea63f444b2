"""I3 remote and on-site upgrades of Utility HAN equipment: set-ups, triggers and checks.

I3FR3.1 (reset or preserve the configuration), I3FR6.1 (remotely and at the site), I3FR7 and
I3FR8 (the equipment is upgraded and goes on operating) are read from the devices' state; I3NFR4
(5 minutes per device) and I3NFR5 (hundreds at once, 10,000 devices per hour) are measured from
the exchanges' times: the virtual clock on the reference, the wall clock against a product that
does not share the harness's clock. Every figure is recorded (``world.metrics``), met or not.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from amicert.driver import Driver, DriverError
from amicert.findings import Blame, Finding, error
from amicert.metrics import Metric
from amicert.trace import Exchange
from amicert.world import World
from usecases.han_provisioning.vocabulary import (
    CONFIGURATION_OPTIONS,
    HanImage,
    hq,
)

HEAD_END = "AMI Head-End"
UTILITY_HAN = "Utility HAN"
PROGRAMS = ("demand response", "pricing")
MANUFACTURER = "ACME"


def limit(world: World, name: str) -> float:
    """A limit of the document (catalog ``limits``), unless the run sets it (``--set``)."""
    given = {
        "remote_upgrade_minutes": world.settings.get("remote_upgrade_minutes"),
        "upgrades_per_hour": world.settings.get("upgrades_per_hour"),
        "simultaneous_upgrades": world.settings.get("simultaneous_upgrades"),
    }[name]
    try:
        value = float(world.use_case.limits[name] if given is None else given)
    except (TypeError, ValueError):
        raise DriverError(f"setting {name}={given!r} is not a number") from None
    if value <= 0:
        raise DriverError(f"setting {name}={given!r} must be above 0")
    return value


def _devices_in_han(world: World, count: str, model: str, firmware: str, site_only: bool) -> None:
    """Utility HAN devices provisioned earlier: joined, each running a program and settings."""
    for key in ("han_upgrade_devices", "han_site_devices"):
        world.settings.setdefault(key, [])
    for key in ("han_firmware", "han_programs", "han_device_settings", "han_network"):
        world.settings.setdefault(key, {})
    before: dict[str, dict[str, str]] = world.params.setdefault("han_config_before", {})
    for i in range(1, int(count) + 1):
        mrid = f"UHAN-{len(world.devices) + 1:05d}"
        program = PROGRAMS[i % len(PROGRAMS)]
        own = {"setpoint": str(68 + i % 8), "display": "on"}
        world.settings["han_firmware"][mrid] = firmware
        world.settings["han_programs"][mrid] = program
        world.settings["han_device_settings"][mrid] = own
        world.settings["han_network"][mrid] = hashlib.sha256(mrid.encode()).hexdigest()[:16]
        world.settings["han_site_devices" if site_only else "han_upgrade_devices"].append(mrid)
        before[mrid] = {**own, "program": program}
        world.add_device(mrid, {"model": model, "kind": "Utility HAN", "firmware": firmware})


def in_han(world: World, count: str, model: str, firmware: str) -> None:
    _devices_in_han(world, count, model, firmware, site_only=False)


def site_only(world: World, count: str, model: str, firmware: str) -> None:
    _devices_in_han(world, count, model, firmware, site_only=True)


def image(world: World, firmware: str, model: str) -> None:
    content = f"{MANUFACTURER} {model} firmware {firmware}".encode() * 8
    world.settings["han_image"] = HanImage(MANUFACTURER, model, firmware, content).to_setting()


def configuration(world: World, option: str) -> None:
    world.settings["han_configuration"] = option


def _release(world: World) -> None:
    world.actor("Utility HAN vendor").release()


def _send_installer(world: World) -> None:
    world.actor("Utility HAN Installer").visit(list(world.settings.get("han_site_devices") or []))


# --- timing ---------------------------------------------------------------------------------
@dataclass
class Timing:
    """Per device: when its upgrade began (the image sent to it) and ended (its confirmation)."""

    began: dict[str, datetime]
    ended: dict[str, datetime]
    clock: str


def _wall(world: World) -> bool:
    """Whether the product runs on its own clock: then only the wall clock measures it."""
    profile = world.profile
    return bool(world.remote_roles) and not (
        profile is not None and profile.claims("clock_control") and world.control is not None
    )


def _at(x: Exchange, wall: bool) -> datetime:
    return datetime.fromtimestamp(x.wall_time, UTC) if wall else x.virtual_time


def timing(world: World) -> Timing:
    """One pass over the trace, kept until it grows: every per-device check reads it."""
    cached = world.params.get("han_timing")
    if cached is not None and cached[0] == len(world.trace):
        return cached[1]  # type: ignore[no-any-return]
    wall = _wall(world)
    began: dict[str, datetime] = {}
    ended: dict[str, datetime] = {}
    upgrade, confirmation = hq("FirmwareUpgrade"), hq("UpgradeConfirmation")
    for x in world.trace.exchanges:
        root = x.info.root if x.info else None
        if root == upgrade and x.producer == HEAD_END and x.receiver_id:
            began.setdefault(x.receiver_id, _at(x, wall))
        elif root == confirmation and x.receiver == HEAD_END and x.producer_id:
            ended.setdefault(x.producer_id, _at(x, wall))
    found = Timing(began, ended, "wall" if wall else "virtual")
    world.params["han_timing"] = (len(world.trace), found)
    return found


def _row(world: World, number: str) -> str:
    return world.use_case.key(world.scenario, number)


def not_measured(world: World, device: str | None, requirement: str, why: str) -> Finding:
    """A requirement that could not be measured is said so (INCONCLUSIVE), never passed."""
    who = f"device {device}: " if device else ""
    return error(
        "NFR-NOT-MEASURED",
        f"{who}{requirement} could not be measured: {why}",
        blame=Blame.INFRASTRUCTURE,
    )


def _began(world: World, device: str | None, x: Exchange) -> Finding | None:
    """U2 matched: the device's upgrade began (kept for I3NFR4, checked on its confirmation)."""
    if device is not None and x.producer == HEAD_END:
        world.params.setdefault("han_began", {}).setdefault(device, _at(x, _wall(world)))
    return None


def confirmed_within(world: World, device: str | None, x: Exchange) -> Finding | None:
    """I3NFR4, as each confirmation reaches the head-end: no more than 5 minutes from the image
    sent to the device to its confirmation."""
    if device is None or x.receiver != HEAD_END:
        return None  # an upgrade at the site is no remote upgrade
    began = world.params.get("han_began", {}).get(device)
    if began is None:
        return None  # a confirmation of no upgrade: the sequence check reports it
    minutes = limit(world, "remote_upgrade_minutes")
    took = _at(x, _wall(world)) - began
    if took <= timedelta(minutes=minutes):
        return None
    return error(
        "NFR-I3NFR4",
        f"device {device}: its remote upgrade took {took.total_seconds() / 60:.1f} minutes",
        expected=f"at most {minutes:g} minutes from beginning to end",
        received=f"{took.total_seconds() / 60:.1f} minutes ({'wall' if _wall(world) else 'virtual'} clock)",
        blame=_system_blame(world),
    )


def _system_blame(world: World) -> Blame:
    """A campaign's time is the head-end's and the devices' together: the one that is the
    product answers for it."""
    for role in (HEAD_END, UTILITY_HAN):
        if role in world.sut_roles:
            return world.blame(role)
    return world.blame(HEAD_END)


def _record_longest(world: World, t: Timing, minutes: float) -> None:
    if world.params.get("han_longest_recorded") or not t.ended:
        return
    world.params["han_longest_recorded"] = True
    spans = [t.ended[d] - t.began[d] for d in t.ended if d in t.began]
    longest = max(spans, default=timedelta(0)).total_seconds()
    world.metrics.append(
        Metric(
            "I3NFR4",
            "longest remote upgrade",
            longest,
            "s",
            f"at most {minutes * 60:g} s ({minutes:g} minutes) each",
            longest <= minutes * 60,
            t.clock,
            f"{len(spans)} upgrades measured",
        )
    )


def peak(t: Timing) -> int:
    """The most upgrades in progress at one time (begun, not yet confirmed)."""
    edges = sorted(
        [(at, 1) for at in t.began.values()] + [(t.ended[d], -1) for d in t.ended if d in t.began],
        key=lambda e: (e[0], e[1]),  # an end and a start at one instant: the end first
    )
    running = most = 0
    for _, step in edges:
        running += step
        most = max(most, running)
    return most


def campaign_rate(world: World, device: str | None) -> Finding | None:
    """I3NFR5, once per campaign: N devices at R devices per hour need at most N/R hours, plus
    one upgrade's allowance (I3NFR4) for the first to finish; and min(N, hundreds) at once."""
    if device is not None and world.devices and device != world.devices[0]:
        return None
    t = timing(world)
    _record_longest(world, t, limit(world, "remote_upgrade_minutes"))
    done = [d for d in t.ended if d in t.began]
    if not done:
        return not_measured(world, None, "I3NFR5", "no remote upgrade was seen begin and end")
    per_hour = limit(world, "upgrades_per_hour")
    allowance = timedelta(minutes=limit(world, "remote_upgrade_minutes"))
    start = min(t.began.values())
    took = max(t.ended[d] for d in done) - start
    hours = max(took.total_seconds(), 1.0) / 3600
    rate = len(done) / hours
    allowed = timedelta(hours=len(done) / per_hour) + allowance
    at_once = peak(t)
    need_at_once = min(len(t.began), int(limit(world, "simultaneous_upgrades")))
    fast = took <= allowed
    wide = at_once >= need_at_once
    note = (
        f"{len(done)} devices in {took.total_seconds() / 60:.1f} min; allowed "
        f"{allowed.total_seconds() / 60:.1f} min (N / {per_hour:,.0f} per hour + "
        f"{allowance.total_seconds() / 60:g} min for the first upgrade)"
    )
    shows_rate = len(done) / per_hour > allowance.total_seconds() / 3600
    if not shows_rate:
        least = int(per_hour * allowance.total_seconds() / 3600) + 1
        note += f"; too few devices to show the rate ({least} or more needed: --fleet 10000)"
    world.metrics.append(
        Metric(
            "I3NFR5",
            "devices per hour",
            rate,
            "devices/h",
            f"{per_hour:,.0f}/h: {len(done)} devices within {allowed.total_seconds() / 60:.1f} min",
            fast,
            t.clock,
            note,
        )
    )
    world.metrics.append(
        Metric(
            "I3NFR5",
            "simultaneous upgrades (peak)",
            at_once,
            "devices",
            f"at least {need_at_once} at once",
            wide,
            t.clock,
        )
    )
    if fast and wide:
        return None
    what = []
    if not fast:
        what.append(f"{rate:,.0f} devices per hour")
    if not wide:
        what.append(f"at most {at_once} upgrades at once")
    return error(
        "NFR-I3NFR5",
        f"the campaign upgraded {len(done)} devices with {' and '.join(what)}",
        expected=f"{per_hour:,.0f} devices per hour (done within {allowed}) and "
        f"{need_at_once} or more at once",
        received=f"done within {took}; {at_once} at once ({t.clock} clock)",
        blame=_system_blame(world),
    )


# --- device state -----------------------------------------------------------------------------
def _device(world: World, device: str) -> Any:
    return world.actor(UTILITY_HAN, device)


def _device_blame(world: World) -> Blame:
    """The device's own state: the head-end or testing tool is to blame only as the product."""
    for role in (HEAD_END, "Utility HAN Testing Tool"):
        if role in world.sut_roles:
            return world.blame(role)
    return world.blame(UTILITY_HAN)


def runs_firmware(world: World, device: str, firmware: str | None = None) -> Finding | None:
    """I3FR6.1, I3FR7: the device runs the image's firmware."""
    want = firmware or str((world.settings.get("han_image") or {}).get("version", ""))
    got = _device(world, device).firmware
    if got == want:
        return None
    return error(
        "STATE-HAN-FIRMWARE",
        f"device {device} does not run the new firmware",
        expected=want,
        received=str(got or "(none)"),
        blame=_device_blame(world),
    )


def applied(world: World, device: str | None) -> Finding | None:
    """U3 and S3: the device applied the image."""
    return None if device is None else runs_firmware(world, device)


def configuration_as_asked(world: World, device: str) -> Finding | None:
    """I3FR3.1: preserved means the same program and settings as before; reset means the
    factory's (none)."""
    option = str(world.settings.get("han_configuration", ""))
    if option not in CONFIGURATION_OPTIONS:
        return error(
            "HARNESS-SETUP",
            f"no configuration option asked ({option!r})",
            blame=Blame.HARNESS,
        )
    before = world.params.get("han_config_before", {}).get(device, {})
    want = before if option == "preserve" else {}
    got = _device(world, device).configuration()
    if got == want:
        return None
    return error(
        "STATE-HAN-CONFIG",
        f"device {device}: asked to {option} its configuration, it holds another",
        expected=_show(want),
        received=_show(got),
        blame=_device_blame(world),
    )


def _show(config: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(config.items())) or "(factory configuration)"


def operates(world: World, device: str) -> Finding | None:
    """I3FR8: after its upgrade the device is still in the HAN and operating."""
    dev = _device(world, device)
    joined = device in world.actor("Premises Gateway").network
    if dev.operating and joined:
        return None
    return error(
        "STATE-HAN-CONTINUES",
        f"device {device} does not go on operating in the HAN after its upgrade",
        expected="operating, and in the Premises Gateway's network",
        received=f"{'operating' if dev.operating else 'not operating'}, "
        f"{'in' if joined else 'not in'} the network",
        blame=_device_blame(world),
    )


def register(driver: Driver) -> None:
    """Put the upgrade set-ups, triggers and checks on the I3 driver."""
    devices = r'(?P<count>\d+) Utility HAN devices? of model "(?P<model>[^"]+)" running firmware "(?P<firmware>[^"]+)"'
    driver.on_setup(devices + r" (?:is|are) in the Utility HAN", fleet=True)(in_han)
    driver.on_setup(devices + r" takes? upgrades only at the site")(site_only)
    driver.on_setup(
        r'the Utility HAN vendor has firmware "(?P<firmware>[^"]+)" for model "(?P<model>[^"]+)"'
    )(image)
    driver.on_setup(r"the upgrade is to (?P<option>preserve|reset) the devices' configuration")(
        configuration
    )
    driver.triggers.update({"U1": _release, "S1": _send_installer})
    driver.states.update({"han_firmware_applied": applied, "han_campaign_rate": campaign_rate})
    driver.on_device(r'the Utility HAN device runs firmware "(?P<firmware>[^"]+)"')(runs_firmware)
    driver.on_device(
        r"the Utility HAN device's configuration is reset or preserved as the upgrade asked"
    )(configuration_as_asked)
    driver.on_device(r"the Utility HAN device still operates in the HAN")(operates)
    driver.on_arrival.update({"firmware_upgrade": _began, "upgrade_confirmation": confirmed_within})
