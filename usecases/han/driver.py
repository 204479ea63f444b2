"""HAN installation, registration, diagnostics and maintenance: the premises, the events that
start each scenario, the Bad Actor, and state checks.

Checks read state, never what an actor says it did: the gateway's network and list of available
devices, the devices' links and programs, the CCS's records, the diagnostics application's
diagnosis, and the premises themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from amicert.driver import Driver, StateCheck
from amicert.findings import Finding, error
from amicert.trace import Exchange
from amicert.world import World
from reference_impl.customer_service_representative import CustomerServiceRepresentative
from reference_impl.han_device import HanDevice
from reference_impl.han_device_customer import HanDeviceCustomer
from reference_impl.han_field_tool import HanFieldTool
from reference_impl.han_install_bad_actor import HanInstallBadActor
from reference_impl.han_installer import Conclusion as OnSite
from reference_impl.han_installer import HanInstaller
from reference_impl.han_registration_app import HanRegistrationApp
from reference_impl.han_registration_ccs import HanRegistrationCcs
from reference_impl.han_registration_representative import HanRegistrationRepresentative
from reference_impl.remote_diagnostics_app import (
    FUNCTIONING,
    MALFUNCTIONING,
    UNREACHABLE,
    UNREGISTERED,
    RemoteDiagnosticsApp,
)
from reference_impl.utility_ami_gateway import UtilityAmiGateway
from usecases.han import testcontrol
from usecases.han.vocabulary import (
    ACCEPTED,
    SUBJECT_LINK,
    HanSite,
    SiteDevice,
    hq,
    read_han_message,
    subject_of,
)

DRIVER = Driver(use_case="HAN")
DRIVER.plays(
    HanDeviceCustomer,
    HanInstaller,
    HanDevice,
    UtilityAmiGateway,
    HanRegistrationRepresentative,
    HanRegistrationCcs,
    HanRegistrationApp,
    CustomerServiceRepresentative,
    RemoteDiagnosticsApp,
    HanFieldTool,
    HanInstallBadActor,
)
GATEWAY = "Utility AMI Gateway"
APP = "HAN Device Registration Application"
RDA = "Remote Diagnostics Application"
INSTALLER = "Customer or Installer"
KINDS = (
    ("thermostat", "Thermostat", "hallway"),
    ("in-home display", "In-home display", "kitchen"),
    ("load control device", "Pool pump controller", "garage"),
)
PROGRAMS = {"thermostat": "demand response", "load control device": "demand response"}
INTRUDER = "HAN-INTRUDER"
# what the remote diagnostics must conclude for each trouble a set-up gives a device
TROUBLES = {
    "has a failed radio": UNREACHABLE,
    "has lost its registration": UNREGISTERED,
    "no longer acts on control signals": MALFUNCTIONING,
    "sits out of HAN coverage": UNREACHABLE,
}


def _site(world: World) -> HanSite:
    site = world.settings.get("physical")
    if not isinstance(site, HanSite):
        raise RuntimeError("no premises: add 'account ... has gateway ...' to the set-up")
    return site


def _key(world: World) -> str:
    return f"{world.rng.getrandbits(64):016X}"


@DRIVER.on_setup(
    r'account "(?P<account>[^"]+)" at "(?P<premise>[^"]+)" has gateway "(?P<gateway>[^"]+)" '
    r"with a network key pre-placed"
)
def premises(world: World, account: str, premise: str, gateway: str) -> None:
    site = HanSite(account, premise, gateway, _key(world))
    world.settings["physical"] = site
    world.settings["han_accounts"] = {account: {"premise": premise}}
    world.settings["han_gateway"] = gateway
    world.settings["han_network_key"] = site.network_key
    world.horizon = timedelta(days=1)


@DRIVER.on_setup(r"(?P<count>\d+) HAN devices? (?:is|are) at the premises")
def devices(world: World, count: str) -> None:
    site = _site(world)
    for i in range(1, int(count) + 1):
        mrid = f"HAN-{len(site.devices) + 1:04d}"
        kind, name, room = KINDS[(i - 1) % len(KINDS)]
        site.devices[mrid] = SiteDevice(mrid, f"{name} {i}", kind, room, f"SN{i:06d}", _key(world))
        world.add_device(mrid, {"kind": kind, "location": room})


@DRIVER.on_setup(r"the HAN devices are installed and commissioned")
def commissioned(world: World) -> None:
    """The installation use case is done: every device is in the gateway's HAN."""
    site = _site(world)
    for d in site.devices.values():
        d.installed = True
    world.settings["han_commissioned"] = list(site.devices)


@DRIVER.on_setup(r"the HAN devices are registered in programs")
def registered(world: World) -> None:
    """The registration use case is done: the gateway, the devices and the CCS know the program."""
    site = _site(world)
    programs = {m: PROGRAMS.get(d.kind, "pricing") for m, d in site.devices.items()}
    world.settings["han_registered"] = programs
    world.settings["han_ccs_registrations"] = {
        m: {"account": site.account, "name": d.name, "location": d.location, "program": programs[m]}
        for m, d in site.devices.items()
    }


@DRIVER.on_setup(
    r'the CCS holds device "(?P<device>[^"]+)" in program "(?P<held>[^"]+)" while the customer '
    r'enrolled it in "(?P<program>[^"]+)"'
)
def wrong_record(world: World, device: str, held: str, program: str) -> None:
    world.settings["han_ccs_registrations"][device]["program"] = held
    world.params["enrolled"] = {device: program}


@DRIVER.on_setup(r'device "(?P<device>[^"]+)" (?P<trouble>' + "|".join(TROUBLES) + ")")
def trouble(world: World, device: str, trouble: str) -> None:
    d = _site(world).devices[device]
    if trouble == "has a failed radio":
        d.radio_ok = False
    elif trouble == "has lost its registration":
        d.registration_lost = True
    elif trouble == "no longer acts on control signals":
        d.application_ok = False
    else:
        d.in_coverage = False
    world.params.setdefault("troubles", {})[device] = trouble


@DRIVER.on_setup(r'a Bad Actor holds a device "(?P<device>[^"]+)" without the network key')
def bad_actor(world: World, device: str) -> None:
    world.params["intruder"] = device


def _enrolled(world: World, device: str) -> str:
    """The program the customer took part in: what the registration set-up gave the device."""
    wrong: dict[str, str] = world.params.get("enrolled") or {}
    return wrong.get(device) or world.settings["han_registered"][device]


def _install(world: World) -> None:
    world.actor("Customer or Installer").install_all()


def _ready(world: World) -> None:
    world.actor("Customer").ready()


def _calls(world: World) -> None:
    for device in world.devices:
        world.actor("Customer").call_about(device, _enrolled(world, device))


def _isolated(world: World) -> None:
    for device in world.devices:
        world.actor("HAN Device", device).report_isolation()


def _intrude(world: World) -> None:
    intruder = str(world.params.get("intruder", INTRUDER))
    world.actor("Bad Actor").attempt(intruder, _key(world))


DRIVER.triggers.update(
    {"INST#1": _install, "REG#4": _ready, "RDT#1": _calls, "DM#1": _isolated, "X1": _intrude}
)
DRIVER.faults["none"] = lambda world: None
for text in (
    "Meter or other Utility AMI Gateway with two way communications capability is present.",
    "The Installation and Network Provisioning Use Cases have been successfully completed.",
    "The Installation and Network Provisioning and Registration Use Cases have been successfully "
    "completed.",
    "The Installation/Provisioning and Registration Use Cases have been successfully completed or "
    "attempted",
):
    DRIVER.preconditions[text] = lambda world: None


# --- state checks ---------------------------------------------------------------------------
def _network(gateway: Any) -> dict[str, str]:
    """The gateway's network, device -> key: a dict here, a record when read over test-control."""
    held = gateway.network
    found = vars(held) if isinstance(held, SimpleNamespace) else dict(held)
    return {str(k): str(v) for k, v in found.items()}


def _listed(world: World, device: str | None) -> Finding | None:
    """Installation step 8: in the network with the pre-placed key, and on the available list."""
    if device is None:
        return None
    gateway = world.actor(GATEWAY)
    key = world.settings["han_network_key"]
    held = _network(gateway).get(device)
    if held == key and device in gateway.available:
        return None
    return error(
        "STATE-HANI-LISTED",
        f"device {device} is not in the gateway's HAN with the network key, or not on its list "
        "of available devices",
        expected="in the network, joined with the pre-placed network key, and listed",
        received=f"network: {'absent' if held is None else 'other key' if held != key else 'in'}; "
        f"listed: {'yes' if device in gateway.available else 'no'}",
        blame=world.blame(GATEWAY),
    )


def _intruder_out(world: World, _: str | None) -> Finding | None:
    """X4: the Bad Actor's device is neither in the network nor on the list."""
    intruder = str(world.params.get("intruder", INTRUDER))
    gateway = world.actor(GATEWAY)
    if intruder not in _network(gateway) and intruder not in gateway.available:
        return None
    return error(
        "STATE-HANI-INTRUDER",
        f"the Bad Actor's device {intruder} joined the HAN without the network key",
        expected=f"{intruder} kept out of the gateway's network and list of available devices",
        received=f"{intruder} admitted",
        blame=world.blame(GATEWAY),
    )


def _on_record(world: World, device: str | None) -> Finding | None:
    """RDT step 4: the account holds a registration for the device the customer calls about."""
    if device is None or world.actor("CCS").registration_of(device) is not None:
        return None
    return error(
        "STATE-HANI-ACCOUNT",
        f"the CCS holds no registration for device {device}, registered before the call",
        expected=f"a registration of {device}",
        received="(none)",
        blame=world.blame("CCS"),
    )


def _expected_diagnosis(world: World, device: str) -> str:
    troubles: dict[str, str] = world.params.get("troubles") or {}
    return TROUBLES[troubles[device]] if device in troubles else FUNCTIONING


def _diagnosis(world: World, device: str | None) -> Finding | None:
    """RDT 8b, 10, 11: the application's diagnosis is what is wrong with the device."""
    if device is None:
        return None
    want = _expected_diagnosis(world, device)
    got = world.actor(RDA).diagnosis(device)
    if got == want:
        return None
    return error(
        "STATE-HANI-DIAGNOSIS",
        f"device {device}: the remote diagnostics result is "
        f"{'missing' if got is None else repr(got)}, not {want!r}",
        expected=want,
        received=got or "(no diagnostics result)",
        blame=world.blame(RDA),
    )


def _found(world: World, device: str) -> OnSite | None:
    """The installer's conclusion about the device (the harness's own person)."""
    found: list[OnSite] = world.actor("Customer or Installer").conclusions
    return next((f for f in found if f.device == device), None)


def _onsite(rule_text: str, ok: Callable[[SiteDevice, OnSite, World], bool]) -> StateCheck:
    """A check of the installer's on-site conclusion (4a to 5b) against the premises."""

    def check(world: World, device: str | None) -> Finding | None:
        if device is None:
            return None
        site = _site(world)
        found = _found(world, device)
        if found is not None and ok(site.devices[device], found, world):
            return None
        return error(
            "STATE-HANI-ONSITE",
            f"device {device}: {rule_text}",
            expected=rule_text,
            received=f"{found.action if found else 'no conclusion'}",
            blame=world.blame(INSTALLER),
        )

    return check


def _operational(world: World, device: str | None) -> Finding | None:
    """DM step 6 and the post-condition: the device can reach the HAN again."""
    if device is None or _site(world).reaches(device):
        return None
    return error(
        "STATE-HANI-OPERATIONAL",
        f"device {device} is not returned to an operational state: the HAN does not reach it",
        expected="the device's radio working and within the HAN's coverage (or a bridge's)",
        received="still cut off",
        blame=world.blame(INSTALLER),
    )


DRIVER.states.update(
    {
        "device_listed": _listed,
        "intruder_kept_out": _intruder_out,
        "account_on_record": _on_record,
        "diagnosis_recorded": _diagnosis,
        "device_found_faulty": _onsite(
            "the installer found the device faulty", lambda d, f, w: f.faulty
        ),
        "coverage_found_marginal": _onsite(
            "the installer found the coverage marginal", lambda d, f, w: not f.coverage_adequate
        ),
        "device_replaced": _onsite(
            "the faulty device was replaced", lambda d, f, w: d.replaced > 0 and d.radio_ok
        ),
        "coverage_reported": _onsite(
            "the marginal coverage was reported",
            lambda d, f, w: d.mrid in w.actor(INSTALLER).coverage_reports,
        ),
        "device_operational": _operational,
    }
)


@DRIVER.on_device(
    r"the HAN device is linked by its own registration key and runs the program noted"
)
def linked(world: World, device: str) -> Finding | None:
    han = world.actor("HAN Device", device)
    want_key = _site(world).devices[device].registration_key
    want = world.actor("Customer Representative").program_noted(device)
    key_ok = han.linked_key == want_key
    if key_ok and want is not None and han.program == want:
        return None
    return error(
        "STATE-HANI-LINK",
        f"device {device} is not linked by its registration key, or does not run the noted program",
        expected=f"linked with its registration key; program {want or '(none noted)'}",
        received=f"{'linked' if key_ok else 'not linked'}; program {han.program or '(none)'}",
        blame=world.blame(APP) if APP in world.sut_roles else world.blame("HAN Device"),
    )


@DRIVER.on_device(r"the CCS holds its registration with device ID, name, location and program")
def stored(world: World, device: str) -> Finding | None:
    spec = _site(world).devices[device]
    want = world.actor("Customer Representative").program_noted(device)
    held = world.actor("CCS").registration_of(device)
    if held is not None and (held.name, held.location, held.program) == (
        spec.name,
        spec.location,
        want,
    ):
        return None
    return error(
        "STATE-HANI-RECORD",
        f"device {device}: the CCS does not hold its registration with ID, name, location and "
        "program",
        expected=f"{device}: {spec.name!r} in the {spec.location}, program {want!r}",
        received="(none)"
        if held is None
        else f"{held.device}: {held.name!r} in the {held.location}, program {held.program!r}",
        blame=world.blame(APP) if APP in world.sut_roles else world.blame("CCS"),
    )


@DRIVER.on_device(r"the CCS holds it in the program the customer enrolled it in")
def corrected(world: World, device: str) -> Finding | None:
    want = _enrolled(world, device)
    held = world.actor("CCS").registration_of(device)
    if held is not None and held.program == want:
        return None
    return error(
        "STATE-HANI-CORRECTED",
        f"device {device}: the CCS still holds the wrong program after the correction",
        expected=want,
        received=held.program if held is not None else "(no registration)",
        blame=world.blame("CCS"),
    )


@DRIVER.on_device(r"the Remote Diagnostics Application's diagnosis is what is wrong with it")
def diagnosed(world: World, device: str) -> Finding | None:
    return _diagnosis(world, device)


def _linked_before(world: World, device: str, before: Exchange) -> bool:
    """Whether the device accepted an authenticated link with the application before ``before``."""
    for x in world.trace:
        if x.seq >= before.seq:
            return False
        if x.producer != "HAN Device" or x.receiver != APP or x.in_reply_to is None:
            continue
        root = x.root()
        if root is None or root.tag != hq("CredentialResult"):
            continue
        msg = read_han_message(root)
        if (
            subject_of(msg) == SUBJECT_LINK
            and msg.details.get("result") == ACCEPTED
            and (x.producer_id == device or device in (d.get("mRID") for d in msg.devices))
        ):
            return True
    return False


def _registered_first(world: World, device: str | None, x: Exchange) -> Finding | None:
    """HANFR8: customer-specific communications (a program for the device) need the registration:
    the authenticated link made with the device's registration key (REG step 10) comes first."""
    if device is None or _linked_before(world, device, x):
        return None
    return error(
        "SEQ-HANI-UNREGISTERED",
        f"device {device} was sent its program (customer-specific communication) before any "
        "authenticated link with its registration key",
        expected="the device accepts the registration key's link (step 10), then its program",
        received="the program with no accepted link before it",
        blame=world.blame(APP),
    )


DRIVER.on_arrival["program_provisioning"] = _registered_first

__all__ = ["DRIVER"]

testcontrol.declare(DRIVER)
