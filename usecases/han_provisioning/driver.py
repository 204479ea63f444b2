"""I3 HAN provisioning: the premises, the call that starts it, the Bad Actor, and state checks.

Checks read state, never what an actor says it did: the Premises Gateway's network, the Utility
HAN devices' programs, the CCS's stored registrations, the tool's record of unrecognized
equipment.
"""

from __future__ import annotations

from datetime import timedelta

from amicert.driver import Driver
from amicert.findings import Blame, Finding, error
from amicert.trace import Exchange
from amicert.world import World
from reference_impl.bad_actor import BadActor
from reference_impl.customer_han_device import CustomerHanDevice
from reference_impl.han_ccs import HanCcs
from reference_impl.han_customer import HanCustomer
from reference_impl.han_customer_representative import HanCustomerRepresentative
from reference_impl.han_head_end import HanHeadEnd
from reference_impl.han_provisioning_tool import HanProvisioningTool
from reference_impl.han_testing_tool import HanTestingTool
from reference_impl.han_trust_center import HanTrustCenter
from reference_impl.han_upgrade_installer import HanUpgradeInstaller
from reference_impl.han_vendor import HanVendor
from reference_impl.premises_gateway import PremisesGateway
from reference_impl.utility_han_device import UtilityHanDevice
from usecases.han_provisioning import testcontrol, upgrade
from usecases.han_provisioning.vocabulary import HanDevice, HanPremises, read_han_message

DRIVER = Driver(use_case="I3")
DRIVER.plays(
    HanCustomer,
    HanCustomerRepresentative,
    HanCcs,
    HanProvisioningTool,
    PremisesGateway,
    HanTrustCenter,
    CustomerHanDevice,
    UtilityHanDevice,
    BadActor,
    HanVendor,
    HanHeadEnd,
    HanTestingTool,
    HanUpgradeInstaller,
)
TOOL = "Utility HAN Provisioning Tool"
KINDS = (
    ("thermostat", "Thermostat", "hallway"),
    ("in-home display", "In-home display", "kitchen"),
    ("load control device", "Pool pump controller", "garage"),
)
INTRUDER = "HAN-INTRUDER"


def _premises(world: World) -> HanPremises:
    premises = world.settings.get("physical")
    if not isinstance(premises, HanPremises):
        raise RuntimeError("no premises: add 'account ... has meter ...' to the set-up")
    return premises


@DRIVER.on_setup(
    r'account "(?P<account>[^"]+)" at "(?P<premise>[^"]+)" has meter "(?P<meter>[^"]+)" '
    r'whose HAN interface speaks "(?P<protocol>[^"]+)"'
)
def premises(world: World, account: str, premise: str, meter: str, protocol: str) -> None:
    world.settings["physical"] = HanPremises(account, meter, (protocol,))
    world.settings["accounts"] = {account: {"premise": premise, "meter": meter}}
    world.settings["han_meter"] = meter
    world.settings["meter_han_protocols"] = [protocol]
    world.settings.setdefault("han_models", {})
    world.settings.setdefault("han_install_codes", {})
    world.horizon = timedelta(days=2)


@DRIVER.on_setup(
    r'(?P<count>\d+) Customer HAN devices? of model "(?P<model>[^"]+)" speaking "(?P<protocol>[^"]+)" '
    r"(?:is|are) installed and commissioned with (?:its|their) install codes?"
)
def devices(world: World, count: str, model: str, protocol: str) -> None:
    """Steps 1 and 2 done by the customer: procured, installed, commissioned with the key
    printed on each device, whose install code the utility registered (pre-commissioning)."""
    premises = _premises(world)
    world.settings["han_models"][model] = protocol
    for i in range(1, int(count) + 1):
        mrid = f"HAN-{len(premises.devices) + 1:04d}"
        kind, name, room = KINDS[(i - 1) % len(KINDS)]
        code = f"{world.rng.getrandbits(64):016X}"
        premises.devices[mrid] = HanDevice(
            mrid,
            f"{name} {i}",
            kind,
            model,
            protocol,
            room,
            code,
            installed=True,
            commissioned_key=code,
        )
        world.settings["han_install_codes"][mrid] = code
        world.add_device(mrid, {"model": model, "kind": kind, "protocol": protocol})


@DRIVER.on_setup(r"the customer would rather have the utility install a new meter than a bridge")
def new_meter(world: World) -> None:
    """The other branch of 6.3: the customer's automated answer is the utility's new meter."""
    world.settings["han_customer_choice"] = "utility installs a new meter"


@DRIVER.on_setup(r'a Bad Actor holds a device "(?P<device>[^"]+)" the utility never registered')
def bad_actor(world: World, device: str) -> None:
    world.params["intruder"] = device


def _call(world: World) -> None:
    world.actor("Customer").phone_utility()


def _bad_actor_tries(world: World) -> None:
    """B1 and B2: the tool opens the window; a minute later the Bad Actor tries to join."""
    world.actor(TOOL).open_window(world.bus_id())
    bad = world.actor("Bad Actor")
    intruder = str(world.params.get("intruder", INTRUDER))
    guess = f"{world.rng.getrandbits(64):016X}"
    world.clock.call_later(timedelta(minutes=1), lambda: bad.attempt(intruder, guess))


DRIVER.triggers.update({"3.2#4": _call, "3.3#4": _call, "B1": _bad_actor_tries})
DRIVER.faults["none"] = lambda world: None
DRIVER.preconditions[
    "AMI meter is installed, AMI system is operational and AMI meter communications are fully "
    "working."
] = lambda world: None


# --- state checks ---------------------------------------------------------------------------
def _unrecognized(world: World, device: str | None) -> Finding | None:
    """6.1: the tool did not recognize this device's equipment before the bridge went in."""
    if device is None:
        return None
    if device in world.actor(TOOL).ever_unrecognized:
        return None
    return error(
        "STATE-HAN-UNRECOGNIZED",
        f"device {device}: its protocol is not the meter's, yet the tool did not report it "
        "unrecognized",
        expected="the device among the tool's unrecognized equipment",
        received="recognized",
        blame=world.blame(TOOL),
    )


def _intruder_out(world: World, _: str | None) -> Finding | None:
    """B5: the Bad Actor's device is not in the gateway's network."""
    intruder = str(world.params.get("intruder", INTRUDER))
    if intruder not in world.actor("Premises Gateway").network:
        return None
    return error(
        "STATE-HAN-INTRUDER",
        f"the Bad Actor's device {intruder} joined the HAN without valid credentials",
        expected=f"{intruder} kept out of the Premises Gateway's network",
        received=f"{intruder} in the network",
        blame=world.blame("Premises Gateway"),
    )


def _window_for_reachable(world: World, _: str | None, x: Exchange) -> Finding | None:
    """Step 7 starts discovery: equipment the meter's HAN interface cannot reach must have been
    reported unrecognized first (6.1), or the customer is never told about the bridge."""
    premises = world.settings.get("physical")
    if not isinstance(premises, HanPremises):
        return None
    reported = world.actor(TOOL).ever_unrecognized
    silent = [
        d.mrid
        for d in premises.devices.values()
        if d.mrid in world.devices and not premises.reaches_meter(d) and d.mrid not in reported
    ]
    if not silent:
        return None
    return error(
        "STATE-HAN-UNRECOGNIZED",
        f"discovery started for equipment the meter cannot reach ({', '.join(silent)}) that the "
        "tool never reported unrecognized",
        expected="the equipment reported unrecognized before discovery",
        received="discovery started without it",
        blame=world.blame(TOOL),
    )


def _shown(x: Exchange) -> set[str]:
    root = x.root()
    return (
        {d.get("mRID", "") for d in read_han_message(root).devices} if root is not None else set()
    )


def _display_differs(
    world: World, x: Exchange, rule: str, what: str, want: set[str]
) -> Finding | None:
    got = _shown(x)
    if got == want:
        return None
    return error(
        rule,
        f"the provisioning tool's display #{x.seq} does not show {what}",
        expected=", ".join(sorted(want)) or "(none)",
        received=", ".join(sorted(got)) or "(none)",
        blame=world.blame(TOOL),
    )


def _display_unrecognized(world: World, _: str | None, x: Exchange) -> Finding | None:
    """6.2: the tool shows exactly the equipment the meter's HAN interface cannot reach."""
    premises = _premises(world)
    want = {d.mrid for d in premises.devices.values() if d.enroll and not premises.reaches_meter(d)}
    return _display_differs(world, x, "STATE-HAN-UNRECOGNIZED", "the unrecognized equipment", want)


def _display_discovered(world: World, _: str | None, x: Exchange) -> Finding | None:
    """8: the tool shows exactly the customer's devices that joined the HAN."""
    network = world.actor("Premises Gateway").network
    want = {m for m in _premises(world).devices if m in network}
    return _display_differs(world, x, "STATE-HAN-DISPLAY", "the devices that joined", want)


def _display_provisioned(world: World, _: str | None, x: Exchange) -> Finding | None:
    """15: the tool shows as active exactly the devices running a program, each with its own."""
    root = x.root()
    details = read_han_message(root).details if root is not None else {}
    running = {m: world.actor("Utility HAN", m).program for m in _premises(world).devices}
    active = {m for m, program in running.items() if program}
    wrong = sorted(m for m in _shown(x) & active if details.get(f"program:{m}") != running[m])
    if wrong:
        return error(
            "STATE-HAN-DISPLAY",
            f"the provisioning tool's display #{x.seq} lists programs the devices do not run",
            expected=", ".join(f"{m}: {running[m]}" for m in wrong),
            received=", ".join(f"{m}: {details.get(f'program:{m}', '(none)')}" for m in wrong),
            blame=world.blame(TOOL),
        )
    return _display_differs(world, x, "STATE-HAN-DISPLAY", "the devices running a program", active)


DRIVER.on_arrival.update(
    {
        "pairing_window": _window_for_reachable,
        "display_unrecognized": _display_unrecognized,
        "display_discovered": _display_discovered,
        "display_provisioned": _display_provisioned,
    }
)
DRIVER.states.update({"equipment_unrecognized": _unrecognized, "intruder_kept_out": _intruder_out})


@DRIVER.on_device(r"the Premises Gateway has it in the HAN with the install code registered for it")
def joined(world: World, device: str) -> Finding | None:
    network = world.actor("Premises Gateway").network
    want = world.settings["han_install_codes"].get(device)
    if network.get(device) == want:
        return None
    return error(
        "STATE-HAN-JOINED",
        f"device {device} is not in the HAN with its registered credentials",
        expected="in the network, joined with its registered install code",
        received="not in the network" if device not in network else "joined with another key",
        blame=world.blame("Premises Gateway"),
    )


@DRIVER.on_device(r"the Utility HAN device runs the program noted for it")
def runs_program(world: World, device: str) -> Finding | None:
    noted = world.actor("Customer Representative").calls
    want = next((c.noted[device] for c in noted.values() if device in c.noted), None)
    got = world.actor("Utility HAN", device).program
    if want is not None and got == want:
        return None
    return error(
        "STATE-HAN-PROGRAM",
        f"device {device} does not run the program the representative noted",
        expected=want or "(no program noted)",
        received=got or "(none)",
        # the device's own state: the tool is to blame only when it is the product
        blame=world.blame(TOOL) if TOOL in world.sut_roles else world.blame("Utility HAN"),
    )


@DRIVER.on_device(r"the CCS holds its registration with device ID, name and location")
def registered(world: World, device: str) -> Finding | None:
    spec = _premises(world).devices[device]
    held = world.actor("CCS").registrations_for(device)
    if len(held) == 1 and (held[0].name, held[0].location) == (spec.name, spec.location):
        return None
    blame = world.blame(TOOL) if TOOL in world.sut_roles else world.blame("CCS")
    return error(
        "STATE-HAN-REGISTRATION",
        f"device {device}: the CCS does not hold one registration with its ID, name and location",
        expected=f"one record {device}: {spec.name!r} in the {spec.location}",
        received=", ".join(f"{r.device or '(no ID)'}: {r.name!r} {r.location!r}" for r in held)
        or "(none)",
        blame=blame,
    )


__all__ = ["DRIVER", "Blame"]


upgrade.register(DRIVER)
testcontrol.declare(DRIVER)
