"""I2 Utility Manages End-to-End Lifecycle of the Meter System: provisioning, triggers, faults,
state observations and the checks of its requirements.

Every check reads observed traffic (the trace) or observed state (a store of an actor, the meter's
log, the physical world); none reads what an actor says it did. A meter-lifecycle scenario has a
*subject* meter (the one that fails, is tested or tampered with) and, where the document changes
the meter, a replacement carried by the person who changes it.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from amicert.cim.envelope import parse_datetime
from amicert.driver import Driver, KeyCheck
from amicert.findings import Blame, Finding, error
from amicert.trace import Exchange
from amicert.world import World
from reference_impl.ami_meter import AmiMeter
from reference_impl.ami_system import AmiSystem
from reference_impl.construction_maintenance_analyst import ConstructionMaintenanceAnalyst
from reference_impl.css import Css
from reference_impl.customer import Customer
from reference_impl.customer_representative import CustomerRepresentative
from reference_impl.data_retriever import DataRetriever
from reference_impl.dcc import Dcc
from reference_impl.field_dispatch import FieldDispatch
from reference_impl.field_tool import FieldTool
from reference_impl.installer import Installer
from reference_impl.mdms import MeterDataManagementSystem
from reference_impl.mdms_technician import MdmsTechnician
from reference_impl.meter_management_system import MeterManagementSystem
from reference_impl.meter_shop_technician import MeterShopTechnician
from reference_impl.revenue_protection_rep import RevenueProtectionRep
from reference_impl.tdbu import TdbuPlanning
from reference_impl.third_parties import ThirdParties
from usecases.meter_lifecycle import testcontrol
from usecases.meter_lifecycle.vocabulary import (
    FAILURE_CLASSES,
    METER_NS,
    TROUBLE_NS,
    Premise,
    read_meter_message,
    read_trouble_orders,
)

METER_LIFECYCLE = Driver(use_case="I2")
DRIVER = METER_LIFECYCLE
METER_LIFECYCLE.plays(
    AmiMeter,
    AmiSystem,
    Dcc,
    MeterManagementSystem,
    FieldDispatch,
    FieldTool,
    MeterDataManagementSystem,
    Css,
    ThirdParties,
    TdbuPlanning,
    Installer,
    RevenueProtectionRep,
    Customer,
    CustomerRepresentative,
    MdmsTechnician,
    DataRetriever,
    ConstructionMaintenanceAnalyst,
    MeterShopTechnician,
)
SUBJECT = "MTR-0001"
REPLACEMENT = "MTR-0002"
MANUFACTURER = "AMIC"


def _world_physical(world: World) -> Any:
    from usecases.meter_lifecycle.vocabulary import PhysicalWorld

    found = world.settings.get("physical")
    if not isinstance(found, PhysicalWorld):
        found = PhysicalWorld()
        world.settings["physical"] = found
    return found


def _row_key(world: World, number: str) -> str:
    return world.use_case.key(world.scenario, number)


# --- set-ups ---------------------------------------------------------------------------------


@METER_LIFECYCLE.on_setup(
    r'meter "(?P<meter>[^"]+)" of model "(?P<model>[^"]+)" serves account "(?P<account>[^"]+)" '
    r'at "(?P<address>[^"]+)"'
)
def provision(world: World, meter: str, model: str, account: str, address: str) -> None:
    world.add_device(
        meter,
        {
            "serial": f"SN-{meter}",
            "lot": "LOT-2025-07",
            "manufacturer": MANUFACTURER,
            "model": model,
            "module": "RF-900",
            "account": account,
            "kwh": 10250.0,
            "status": "installed",
            "age_years": 2,
            "history": [(f"2026-01-0{d}", 10200.0 + 11.5 * d) for d in range(1, 5)],
        },
    )
    world.settings.setdefault("accounts", {})[account] = {
        "address": address,
        "usage_point": f"UP-{account}",
        "meter": meter,
        "third_party": False,
        "bills": [612.0, 598.0, 640.0],
    }
    _world_physical(world).premises[account] = Premise(account, address, f"UP-{account}", meter)
    world.params["subject"] = meter
    world.params["account"] = account
    world.params["address"] = address
    world.horizon = max(world.horizon, timedelta(days=20))
    # the reference dispatcher works to the use case's service levels, as a product would be told
    world.settings.setdefault("sla_hours", sla_hours(world))


@METER_LIFECYCLE.on_setup(
    r"the (?P<who>Installer|Revenue Protection Rep) carries a replacement meter"
)
def replacement(world: World, who: str) -> None:
    subject = world.settings["meters"][world.params["subject"]]
    world.add_device(
        REPLACEMENT,
        {
            "serial": f"SN-{REPLACEMENT}",
            "lot": "LOT-2026-01",
            "manufacturer": MANUFACTURER,
            "model": subject["model"],
            "module": "RF-900",
            "account": "",
            "kwh": 0.0,
            "status": "stock",
        },
    )
    _world_physical(world).truck.setdefault(who, []).append(REPLACEMENT)


@METER_LIFECYCLE.on_setup(r"the account is read by a third-party energy supplier")
def third_party(world: World) -> None:
    world.settings["accounts"][world.params["account"]]["third_party"] = True


@METER_LIFECYCLE.on_setup(r"the account's last bill is twice its usual")
def high_bill(world: World) -> None:
    world.settings["accounts"][world.params["account"]]["bills"] = [612.0, 598.0, 1250.0]


@METER_LIFECYCLE.on_setup(r"the meter's metrology drifts by (?P<percent>\d+(?:\.\d+)?) percent")
def drift(world: World, percent: str) -> None:
    world.settings["meters"][world.params["subject"]]["drift_percent"] = float(percent)


@METER_LIFECYCLE.on_setup(
    r'the Meter Management System records serial "(?P<serial>[^"]+)" for the meter'
)
def wrong_serial(world: World, serial: str) -> None:
    world.settings["meters"][world.params["subject"]]["mms_serial"] = serial


@METER_LIFECYCLE.on_setup(
    r"the meter's reads have been flat for a week, beside (?P<n>\d+) meters of its lot"
)
def flat_reads(world: World, n: str) -> None:
    meters = world.settings["meters"]
    subject = meters[world.params["subject"]]
    subject["history"] = [(f"2025-12-{d:02d}", 10100.0) for d in range(25, 32)]
    for i in range(1, int(n) + 1):
        meters[f"MTR-01{i:02d}"] = {
            "serial": f"SN-MTR-01{i:02d}",
            "lot": subject["lot"],
            "manufacturer": MANUFACTURER,
            "model": subject["model"],
            "module": "RF-900",
            "account": f"ACC-20{i:02d}",
            "status": "installed",
            "history": [(f"2025-12-{d:02d}", 8000.0 + 9.0 * d + i) for d in range(25, 32)],
        }


@METER_LIFECYCLE.on_setup(r"the premise shows a meter bypass")
def bypass(world: World) -> None:
    _world_physical(world).premises[world.params["account"]].bypass = True


@METER_LIFECYCLE.on_setup(r"communications are down at the premise")
def comms_down(world: World) -> None:
    _world_physical(world).wan_down.add(REPLACEMENT)


@METER_LIFECYCLE.on_setup(r"the AMI System has logged (?P<n>\d+) earlier failures of the meter")
def earlier_failures(world: World, n: str) -> None:
    from usecases.meter_lifecycle.vocabulary import MeterRef

    world.start()
    ident = world.settings["meters"][world.params["subject"]]
    ami = world.actor("AMI System")
    ref = MeterRef(
        world.params["subject"],
        ident["serial"],
        ident["lot"],
        ident["manufacturer"],
        ident["model"],
        ident["module"],
        ident["account"],
    )
    for i in range(int(n)):
        ami.log_event(ref, "3.36.116.85", "time-sync", world.clock.now() - timedelta(days=2 + i))
    world.params["chronic_expected"] = True


@METER_LIFECYCLE.on_setup(r'the meter logged a "(?P<code>[\d.]+)" event (?P<days>\d+) days ago')
def aged_event(world: World, code: str, days: str) -> None:
    """Log the event now, then let the days pass on the virtual clock (periodic checks run)."""
    world.start()
    meter = world.actor("AMI Meter", world.params["subject"])
    rec = meter.record(code, "logged-event")
    world.params.setdefault("seeded", []).append((world.params["subject"], rec.at, code))
    world.horizon = world.horizon + timedelta(days=int(days))
    world.run_until(lambda: False, until=world.clock.now() + timedelta(days=int(days)))


@METER_LIFECYCLE.on_setup(
    r'the TDBU Maintenance Planning Organization announces a "(?P<kind>[^"]+)"'
)
def announced(world: World, kind: str) -> None:
    world.params["outage_kind"] = kind


# --- faults ------------------------------------------------------------------------------------


def _failure(name: str) -> Any:
    def inject(world: World) -> None:
        world.params["failure"] = name
        world.actor("AMI Meter", world.params["subject"]).fail(name)

    return inject


# an order raised or closed by people and the field is never the MMS's to refuse when it conforms
METER_LIFECYCLE.accepted_requests |= {"create TroubleOrders", "close TroubleOrders"}
METER_LIFECYCLE.key_checks["failure"] = KeyCheck(
    "PROFILE-I2-FAILURE-CLASS",
    lambda world: world.params.get("failure"),  # the class injected: what each hop must report
    "the failure class that happened (the one the meter detected), at every hop",
)
METER_LIFECYCLE.key_checks["order_meter"] = KeyCheck(
    "PROFILE-I2-METER",
    lambda world: world.params.get("subject"),
    "the meter in trouble (not another meter the utility knows, e.g. of the same lot)",
)


def _registry_serial(world: World) -> str | None:
    """The serial the utility's records hold for the meter in trouble (which may differ from
    its nameplate: the field tool's comparison is what finds such a mismatch)."""
    identity = world.settings.get("meters", {}).get(world.params.get("subject"), {})
    serial = identity.get("mms_serial") or identity.get("serial")
    return str(serial) if serial else None


METER_LIFECYCLE.key_checks["order_serial"] = KeyCheck(
    "PROFILE-I2-SERIAL",
    _registry_serial,
    "the serial the utility's records hold for the meter (configure: meters.<mRID>.mms_serial "
    "when given, else serial), not its nameplate",
)
METER_LIFECYCLE.harness_states.update(
    {  # read the harness's own people and physical world, never the product
        "meter_exchanged",
        "field_test_failed",
        "field_test_passed",
        "replacement_at_hand",
        "no_theft_meter_bad",
        "no_theft_meter_ok",
    }
)
METER_LIFECYCLE.faults["none"] = lambda world: None
for _name in FAILURE_CLASSES:
    METER_LIFECYCLE.faults[_name] = _failure(_name)


# --- preconditions and triggers ------------------------------------------------------------------


def _nothing(world: World) -> None:
    """The pre-conditions of I2's scenarios hold by construction of the set-ups that follow."""


def _detect(world: World) -> None:
    meter = world.actor("AMI Meter", world.params["subject"])
    world.params["detected_at"] = world.clock.now()
    meter.run_diagnostics()


def _dcc(world: World) -> None:
    world.actor("Data Center Concentrator (DCC)").unreachable(world.params["subject"])


def _customer(complaint: str, description: str) -> Any:
    def trigger(world: World) -> None:
        world.actor("Customer").report(
            complaint, world.params["account"], world.params["address"], description
        )

    return trigger


def _maintenance(world: World) -> None:
    world.actor("Meter Management System").select_sample(1)


def _data_review(world: World) -> None:
    world.actor("Data Retriever").review(
        world.params["subject"], world.params["account"], world.params["address"]
    )


def _tamper(world: World) -> None:
    world.actor("AMI Meter", world.params["subject"]).detect_tamper()


def _outage(world: World) -> None:
    now = world.clock.now()
    meter = world.params["subject"]
    world.actor("TDBU Maintenance Planning Organization").announce(
        world.params.get("outage_kind", "planned outage"), [meter], now, now + timedelta(hours=4)
    )

    world.clock.call_later(
        timedelta(minutes=30), lambda: _detect(world), "failure during the outage"
    )


for _pre in (
    "Meter performs routine self-diagnostics.",
    'Data Center Concentrator (DCC) is unable to communicate with a meter or other component, and has confirmed that the meter is not currently part of a known service outage, planned maintenance event or active "trouble" order.',
    "Customer identifies problem",
    "Random sample of meters is selected for testing",
    "Customer complains of high bill.",
    "Data Retrievers routinely review data received from meters",
    "Meter Data Management System receives notification of meter tampering.",
):
    METER_LIFECYCLE.preconditions[_pre] = _nothing

METER_LIFECYCLE.triggers.update(
    {
        "3.1#1": _detect,
        "3.2#1": _dcc,
        "3.3#1": _customer("damage", "meter glass broken, display blank"),
        "3.4#1": _maintenance,
        "3.5#1": _customer("high-bill", "last bill twice the usual"),
        "3.6#1": _data_review,
        "3.7#1": _tamper,
        "O1": _outage,
    }
)


# --- observations --------------------------------------------------------------------------------


def _subject_only(world: World, meter: str | None) -> bool:
    return meter == world.params.get("subject") or meter is None


def _failure_logged(world: World, meter: str | None) -> Finding | None:
    if not _subject_only(world, meter):
        return None
    name = world.params.get("failure")
    actor = world.actor("AMI Meter", world.params["subject"])
    if any(r.details.get("failureClass") == name for r in actor.diagnostics):
        return None
    return error(
        "STATE-I2-FAILURE-LOG",
        f"meter {world.params['subject']}: the {name} failure is not in the meter's log",
        expected=f"a diagnostic-failure record of class {name}",
        received=", ".join(r.kind or "" for r in actor.diagnostics) or "(empty log)",
        blame=world.blame("AMI Meter"),
    )


def _meter_exchanged(world: World, meter: str | None) -> Finding | None:
    if not _subject_only(world, meter):
        return None
    premise = _world_physical(world).premises[world.params["account"]]
    if premise.socket == REPLACEMENT and premise.removed_meter == world.params["subject"]:
        return None
    return error(
        "STATE-I2-METER-CHANGE",
        "the meter in the socket was not changed for the replacement",
        expected=REPLACEMENT,
        received=str(premise.socket),
        blame=Blame.HARNESS,
    )


def _problem_resolved(world: World, meter: str | None) -> Finding | None:
    if not _subject_only(world, meter):
        return None
    premise = _world_physical(world).premises[world.params["account"]]
    installed = world.actor("AMI Meter", premise.socket)
    if premise.socket != world.params["subject"] and not installed.failed and installed.programmed:
        return None
    return error(
        "STATE-I2-RESOLVED",
        f"the meter in the socket ({premise.socket}) is not a working, programmed meter",
        blame=world.blame("AMI Meter"),
    )


def _field_test(expected: str) -> Any:
    def check(world: World, meter: str | None) -> Finding | None:
        if not _subject_only(world, meter):
            return None
        jobs = list(world.actor("Field Tool").jobs.values())
        results = [j.test.get("result") for j in jobs if j.test]
        if expected in results:
            return None
        return error(
            "STATE-I2-FIELD-TEST",
            f"no field test of the meter came out '{expected}'",
            expected=expected,
            received=", ".join(str(r) for r in results) or "(no test)",
            blame=world.blame("Field Tool"),
        )

    return check


def _decided(role: str, question: str, answer: str) -> Any:
    def check(world: World, meter: str | None) -> Finding | None:
        if not _subject_only(world, meter):
            return None
        actor = world.actor(role)
        if any(d.question == question and d.answer == answer for d in actor.decisions):
            return None
        return error(
            "STATE-I2-DECISION",
            f"the {role} did not decide '{question}: {answer}'",
            received="; ".join(f"{d.question}: {d.answer}" for d in actor.decisions) or "(none)",
            blame=world.blame(role),
        )

    return check


def _suppressed(world: World, meter: str | None) -> Finding | None:
    if not _subject_only(world, meter):
        return None
    mms = world.actor("Meter Management System")
    subject = world.params["subject"]
    # the decision takes the MMS its own time: wait for it (bounded by a day and the horizon)
    world.run_until(
        lambda: any(d.meter == subject for d in mms.decisions) or bool(mms.orders_for(subject)),
        until=world.clock.now() + timedelta(days=1),
    )
    orders = mms.orders_for(subject)
    suppressed = [d for d in mms.decisions if d.meter == subject and d.outcome == "suppressed"]
    if suppressed and not orders:
        return None
    return error(
        "STATE-I2FR18",
        f"meter {subject}: a failure during a known {world.params.get('outage_kind')} was not "
        "suppressed",
        expected="no trouble report; the failure recorded as suppressed",
        received=f"{len(orders)} trouble orders; decisions: "
        + (", ".join(d.outcome for d in mms.decisions if d.meter == subject) or "none"),
        blame=world.blame("Meter Management System"),
    )


METER_LIFECYCLE.states.update(
    {
        "failure_logged": _failure_logged,
        "meter_exchanged": _meter_exchanged,
        "problem_resolved": _problem_resolved,
        "field_test_failed": _field_test("fail"),
        "field_test_passed": _field_test("pass"),
        "replacement_at_hand": _decided("Installer", "replacement meter at hand", "yes"),
        "no_theft_meter_bad": _decided("Revenue Protection Rep", "meter operating properly", "no"),
        "no_theft_meter_ok": _decided("Revenue Protection Rep", "meter operating properly", "yes"),
        "trouble_report_suppressed": _suppressed,
    }
)


# --- requirement checks ---------------------------------------------------------------------------


def _root_is(x: Exchange, local: str, ns: str = METER_NS) -> bool:
    return x.info is not None and x.info.root == f"{{{ns}}}{local}"


def _exchanges(world: World, local: str, **who: str | None) -> list[Exchange]:
    return [
        x
        for x in world.trace.exchanges
        if _root_is(x, local) and all(getattr(x, k) == v for k, v in who.items())
    ]


@METER_LIFECYCLE.on_device(
    r"a failure is reported to the AMI System within (?P<minutes>\d+) minutes of its detection"
)
def reported_within(world: World, meter: str, minutes: str) -> Finding | None:
    """I2NFR4 (and I2FR1's "immediately"): detection -> notice at the AMI System, on the trace."""
    if meter != world.params.get("subject"):
        return None
    detected: datetime = world.params["detected_at"]
    notices = [x for x in _exchanges(world, "FailureNotice", producer_id=meter)]
    step = _row_key(world, "2")
    if not notices:
        return error(
            "NFR-I2NFR4",
            f"meter {meter}: no failure notice reached the AMI System",
            step=step,
            blame=world.blame("AMI Meter"),
        )
    delay = notices[0].virtual_time - detected
    if delay <= timedelta(minutes=int(minutes)):
        return None
    return error(
        "NFR-I2NFR4",
        f"meter {meter}: the failure reached the AMI System {delay} after its detection",
        step=step,
        expected=f"within {minutes} minutes",
        received=str(delay),
        blame=world.blame("AMI Meter"),
    )


HIGH_IMPORTANCE = ("critical", "safety/service")


def priority_of(failure: str | None) -> str:
    """The priority a failure notice carries for its class (I2FR16, glossary Failure Report
    Classes): critical (I2FR1's list), safety/service, or other (low importance: not reported at
    once, it travels with the next scheduled read)."""
    found = FAILURE_CLASSES.get(failure or "")
    if found is None or not (found.critical or found.safety):
        return "other"
    return "critical" if found.critical else "safety/service"


@METER_LIFECYCLE.on_device(r"the meter reports each failure with the priority of its class")
def prioritized(world: World, meter: str) -> Finding | None:
    """I2FR16: each failure notice carries its class's priority, and a failure of low importance
    is never reported at once as a high-importance one (it waits for the next scheduled read)."""
    if meter != world.params.get("subject"):
        return None
    world.analyse()  # attributes each exchange to its row
    for x in _exchanges(world, "FailureNotice", producer_id=meter):
        root = x.root()
        details = read_meter_message(root).details if root is not None else {}
        failure, said = details.get("failureClass"), details.get("priority")
        wanted = priority_of(failure)
        if wanted == "other" and said not in HIGH_IMPORTANCE:
            continue  # a low-importance failure sent with its read: nothing at once to judge
        if said == wanted:
            continue
        return error(
            "PROFILE-I2-PRIORITY",
            f"meter {meter}: the {failure} failure was reported with priority {said!r}",
            step=_row_key(world, "1"),
            expected=wanted
            if wanted != "other"
            else "no notice at once (low importance: with the next scheduled read)",
            received=f"{said} (exchange #{x.seq})",
            blame=world.blame("AMI Meter"),
        )
    return None


def _download(world: World, meter: str) -> tuple[Exchange, Exchange] | None:
    world.analyse()  # attributes each exchange to its row
    requests = [x for x in _exchanges(world, "DownloadRequest") if x.receiver_id == meter]
    answers = _exchanges(world, "MeterDataDownload", producer_id=meter)
    if not requests or not answers:
        return None
    return requests[0], answers[0]


def not_measured(world: World, meter: str, requirement: str, why: str) -> Finding:
    """A requirement that could not be measured is said so (INCONCLUSIVE), never passed."""
    return error(
        "NFR-NOT-MEASURED",
        f"meter {meter}: {requirement} could not be measured: {why}",
        blame=Blame.INFRASTRUCTURE,
    )


@METER_LIFECYCLE.on_device(r"the Field Tool download takes at most (?P<seconds>\d+) seconds")
def download_within(world: World, meter: str, seconds: str) -> Finding | None:
    """I2NFR7: request -> meter data at the field tool, from the two exchanges' times."""
    if not _subject_only(world, meter):
        return None  # the requirement concerns the meter the download was taken from
    pair = _download(world, meter)
    if pair is None:
        return not_measured(world, meter, "I2NFR7", "no field-tool download was observed")
    took = pair[1].virtual_time - pair[0].virtual_time
    if took <= timedelta(seconds=int(seconds)):
        return None
    return error(
        "NFR-I2NFR7",
        f"meter {meter}: the download into the field tool took {took.total_seconds():.0f} s",
        step=pair[0].step,
        expected=f"at most {seconds} s",
        received=f"{took.total_seconds():.0f} s",
        blame=world.blame("AMI Meter"),
    )


def _records(x: Exchange) -> list[dict[str, Any]]:
    root = x.root()
    return read_meter_message(root).records if root is not None else []


@METER_LIFECYCLE.on_device(
    r"the download holds every diagnostic event of the last (?P<days>\d+) days"
)
def retention(world: World, meter: str, days: str) -> Finding | None:
    """I2NFR5: each event the harness had the meter log within ``days`` is in the download."""
    if not _subject_only(world, meter):
        return None  # the requirement concerns the meter the download was taken from
    pair = _download(world, meter)
    seeded = [(at, code) for m, at, code in world.params.get("seeded", []) if m == meter]
    if not seeded:
        return error(
            "HARNESS-SETUP",
            f"meter {meter}: no aged event was seeded to look for",
            blame=Blame.HARNESS,
        )
    if pair is None:
        return not_measured(world, meter, "I2NFR5", "no field-tool download was observed")
    at_download = pair[1].virtual_time
    got = {(parse_datetime(r["at"]), r.get("code")) for r in _records(pair[1])}
    missing = [
        f"{code} of {at:%Y-%m-%d}"
        for at, code in seeded
        if at_download - at <= timedelta(days=int(days)) and (at, code) not in got
    ]
    if not missing:
        return None
    return error(
        "NFR-I2NFR5",
        f"meter {meter}: diagnostic events younger than {days} days are gone from its log",
        step=pair[1].step,
        expected=", ".join(missing),
        received=f"{len(got)} records",
        blame=world.blame("AMI Meter"),
    )


@METER_LIFECYCLE.on_device(r"metrology checks are logged between daily and monthly")
def metrology_cadence(world: World, meter: str) -> Finding | None:
    """I2NFR6: the downloaded log shows metrology checks no more than daily, no less than monthly."""
    if not _subject_only(world, meter):
        return None  # the requirement concerns the meter the download was taken from
    pair = _download(world, meter)
    if pair is None:
        return not_measured(world, meter, "I2NFR6", "no field-tool download was observed")
    times = sorted(
        t
        for t in (
            parse_datetime(r["at"]) for r in _records(pair[1]) if r.get("kind") == "metrology-check"
        )
        if t is not None
    )
    gaps = [b - a for a, b in itertools.pairwise(times)]
    first = times[0] - world.start_time if times else timedelta(0)
    bad = [g for g in [*gaps, first] if g > timedelta(days=31)] + [
        g for g in gaps if g < timedelta(hours=23, minutes=59)
    ]
    if times and not bad:
        return None
    return error(
        "NFR-I2NFR6",
        f"meter {meter}: metrology checks are not logged between daily and monthly",
        step=_row_key(world, "1"),
        expected="one check at least every 31 days and at most once a day",
        received=f"{len(times)} checks; out-of-range gaps: {', '.join(str(g) for g in bad) or 'none'}",
        blame=world.blame("AMI Meter"),
    )


@METER_LIFECYCLE.on_device(
    r"the AMI System logs the failure by account, by meter and by manufacturer"
)
def event_logs(world: World, meter: str) -> Finding | None:
    """I2FR10-12: each failure notice observed on the trace is in all three views of the log."""
    notices = _exchanges(world, "FailureNotice", producer_id=meter)
    if not notices:
        return None
    ident = world.settings["meters"][meter]
    ami = world.actor("AMI System")
    views = {
        "by billing account (I2FR10)": ami.by_account(ident["account"]),
        "by meter (I2FR11)": ami.by_meter(meter),
        "by type/module/manufacturer (I2FR12)": ami.by_type(
            ident["manufacturer"], ident["model"], ident["module"]
        ),
    }
    codes = [r.get("code") for x in notices for r in _records(x)]
    lacking = [view for view, found in views.items() if not set(codes) <= {e.code for e in found}]
    if not lacking:
        return None
    return error(
        "STATE-I2FR10-12",
        f"meter {meter}: the AMI System's event log lacks the reported failure "
        + ", ".join(lacking),
        step=_row_key(world, "2"),
        expected=", ".join(str(c) for c in codes),
        blame=world.blame("AMI System"),
    )


@METER_LIFECYCLE.on_device(r"the AMI System finds the meter's failures chronic")
def chronic(world: World, meter: str) -> Finding | None:
    """I2FR13: a meter with repeated failures in its history is flagged by the analysis."""
    if meter != world.params.get("subject") or not world.params.get("chronic_expected"):
        return None
    found = world.actor("AMI System").chronic()
    if meter in found:
        return None
    return error(
        "STATE-I2FR13",
        f"meter {meter}: repeated failures not found chronic by the event-log analysis",
        step=_row_key(world, "2"),
        received=", ".join(found) or "(none)",
        blame=world.blame("AMI System"),
    )


def _orders_on(world: World, producer: str, receiver: str) -> list[tuple[Exchange, Any]]:
    world.analyse()  # attributes each exchange to its row
    found: list[tuple[Exchange, Any]] = []
    for x in world.trace.exchanges:
        if x.producer == producer and x.receiver == receiver and x.in_reply_to is None:
            root = x.root()
            if root is not None and root.find(f".//{{{TROUBLE_NS}}}TroubleOrder") is not None:
                found.extend((x, o) for o in read_trouble_orders(root))
    return found


@METER_LIFECYCLE.on_device(r'the trouble report is routed to "(?P<org>[^"]+)"')
def routed(world: World, meter: str, org: str) -> Finding | None:
    """I2BR3: the trouble order issued for the meter names the organization for its failure."""
    if meter != world.params.get("subject"):
        return None
    issued = [
        (x, o)
        for x, o in _orders_on(
            world, "Meter Management System", "Field Force Planning and Dispatch System"
        )
        if any(m[0] == meter for m in o.meters)
    ]
    if not issued:
        return error(
            "BR-I2BR3",
            f"meter {meter}: no trouble report was issued",
            blame=world.blame("Meter Management System"),
        )
    x, order = issued[0]
    if order.organisation == org:
        return None
    return error(
        "BR-I2BR3",
        f"meter {meter}: the trouble report went to the wrong organization",
        step=x.step,
        expected=org,
        received=str(order.organisation),
        blame=world.blame("Meter Management System"),
    )


@METER_LIFECYCLE.on_device(
    r"the trouble order downloaded to the field tool names premise, equipment, type, schedule and material"
)
def order_content(world: World, meter: str) -> Finding | None:
    """I2FR21, I2FR23 and the section 5.1 content of the order downloaded to the field tool."""
    if meter != world.params.get("subject"):
        return None
    downloads = _orders_on(world, "Meter Management System", "Field Tool")
    if not downloads:  # nothing to check is a finding, never a silent pass
        return error(
            "PROFILE-I2FR21",
            f"meter {meter}: no trouble order was downloaded to the field tool",
            expected="a trouble order naming premise, equipment, type, schedule and material",
            received="(none)",
            blame=world.blame("Meter Management System"),
        )
    x, order = downloads[0]
    unrecorded = _unrecorded(world, meter, order.mrid, x.step)
    if unrecorded is not None:
        return unrecorded
    if order.scheduled is not None and _aware(x.virtual_time) > _aware(order.scheduled):
        # the worker cannot work an order he does not have: it must be on the tool by the visit
        return error(
            "BR-I2-DOWNLOAD-LATE",
            f"trouble order {order.mrid} reached the field tool after its scheduled visit",
            step=x.step,
            expected=f"downloaded by {_aware(order.scheduled).isoformat()}",
            received=_aware(x.virtual_time).isoformat(),
            blame=world.blame("Meter Management System"),
        )
    lacking = [
        what
        for what, value in (
            ("premise address", order.premise),
            ("installed equipment", order.meters and order.meters[0][1]),
            ("order type", order.kind),
            ("scheduled time", order.scheduled),
            ("material code", order.material),
        )
        if not value
    ]
    if not lacking:
        return None
    return error(
        "PROFILE-I2FR21",
        f"the trouble order downloaded to the field tool lacks {', '.join(lacking)}",
        step=x.step,
        blame=world.blame("Meter Management System"),
    )


def _unrecorded(world: World, meter: str, order: str | None, step: str | None) -> Finding | None:
    """The order downloaded to the field is on the MMS's record of the meter's orders (read
    through test-control when the MMS is the product: its answer is checked against its schema
    there, so an order record of the wrong form is a finding too)."""
    if world.is_remote("Meter Management System") and world.control is None:
        return None  # no test-control to read the product's records through
    held = [str(o.mrid) for o in world.actor("Meter Management System").orders_for(meter)]
    if order in held:
        return None
    return error(
        "STATE-I2-ORDER-RECORD",
        f"meter {meter}: the Meter Management System holds no record of the order it "
        "downloaded to the field tool",
        step=step,
        expected=f"order {order} among the meter's orders",
        received=", ".join(held) or "(none)",
        blame=world.blame("Meter Management System"),
    )


def sla_hours(world: World) -> dict[int, float]:
    """I2BR1's service levels: the catalog's, overridden by the run's settings."""
    limits = {**world.use_case.limits.get("sla_hours", {}), **world.settings.get("sla_hours", {})}
    return {int(k): float(v) for k, v in limits.items()}


def issue_minutes(world: World) -> float:
    """The minutes the Meter Management System has to issue its trouble order: the catalog's
    limit, overridden by the run's settings."""
    return float(
        world.settings.get("trouble_order_minutes", world.use_case.limits["trouble_order_minutes"])
    )


@METER_LIFECYCLE.on_device(
    r"the Meter Management System issues the trouble order within its deadline"
)
def issued_in_time(world: World, meter: str) -> Finding | None:
    """The Meter Management System issues its trouble order (3.1 row 4, 3.2 row 3) within
    limits.trouble_order_minutes (15) of the failure event reaching it (row 2): the document
    gives row 4 no figure of its own, so the harness holds it to I2NFR4's 15 minutes for the
    same report and to the glossary's "immediately" for high importance failures; the I2BR1
    service level is counted from the order's request, so a late request would hide the delay."""
    if meter != world.params.get("subject"):
        return None
    mms = "Meter Management System"
    world.analyse()  # attributes each exchange to its row
    row = _row_key(world, "2")
    events = [x for x in world.trace.exchanges if x.receiver == mms and x.step == row]
    issued = [
        x
        for x, o in _orders_on(world, mms, "Field Force Planning and Dispatch System")
        if any(m[0] == meter for m in o.meters)
    ]
    if not events:
        return not_measured(world, meter, "the trouble order deadline", "no failure event")
    limit = timedelta(minutes=issue_minutes(world))
    if not issued:
        return error(
            "BR-I2-ISSUE-DEADLINE",
            f"meter {meter}: no trouble order was issued for the failure",
            step=row,
            expected=f"a trouble order within {limit} of the failure event",
            received="(none)",
            blame=world.blame(mms),
        )
    took = issued[0].virtual_time - events[0].virtual_time
    if took <= limit:
        return None
    return error(
        "BR-I2-ISSUE-DEADLINE",
        f"meter {meter}: the trouble order was issued {took} after the failure event reached "
        "the Meter Management System",
        step=issued[0].step,
        expected=f"within {limit} (limits.trouble_order_minutes)",
        received=str(took),
        blame=world.blame(mms),
    )


#: how far an order's requestDateTime may lie outside the scenario's own time (the 61968-100
#: replay window the harness holds Header/Timestamp to)
REQUEST_TIME_TOLERANCE = timedelta(minutes=5)


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _stale_request(world: World, issued: list[tuple[Exchange, Any]]) -> Finding | None:
    """An order requested before the scenario's first step happened, or after it was issued: the
    product's clock or stamping is wrong, and a service level measured from that time would
    blame the dispatcher."""
    began = [_aware(x.virtual_time) for x in world.trace.exchanges if x.step is not None]
    if not began:
        return None
    for x, order in issued:
        if order.requested is None:
            continue
        asked, sent = _aware(order.requested), _aware(x.virtual_time)
        earliest, latest = min(began) - REQUEST_TIME_TOLERANCE, sent + REQUEST_TIME_TOLERANCE
        if earliest <= asked <= latest:
            continue
        return error(
            "PROFILE-I2-REQUEST-TIME",
            f"order {order.mrid}: requestDateTime lies "
            + (
                f"{earliest - asked} before the scenario's first step"
                if asked < earliest
                else f"{asked - latest} after the order was issued"
            )
            + " (does the product follow the harness's clock?)",
            step=x.step,
            expected=f"between {earliest.isoformat()} and {latest.isoformat()}",
            received=asked.isoformat(),
            blame=world.blame("Meter Management System"),
        )
    return None


@METER_LIFECYCLE.on_device(r"the order is scheduled within its service level")
def within_sla(world: World, meter: str) -> Finding | None:
    """I2BR1: each order comes back scheduled within its priority's service level.

    The time it was asked for is the Meter Management System's request; a promise to the customer
    counts only when the request carried it (a dispatcher cannot excuse itself by writing one)."""
    if meter != world.params.get("subject"):
        return None
    dispatch = "Field Force Planning and Dispatch System"
    blame = world.blame(dispatch)
    issued = _orders_on(world, "Meter Management System", dispatch)
    requests = {o.mrid: o for _, o in issued}
    stale = _stale_request(world, issued)
    if stale is not None:  # the service level runs from a time the product got wrong
        return stale
    scheduled = _orders_on(world, dispatch, "Meter Management System")
    if not requests or not scheduled:
        return error(
            "BR-I2BR1",
            f"meter {meter}: no trouble order came back scheduled: nothing to hold to its SLA",
            expected="a scheduled trouble order",
            received=f"{len(requests)} requested, {len(scheduled)} scheduled",
            blame=blame if requests else world.blame("Meter Management System"),
        )
    limits = sla_hours(world)
    for x, order in scheduled:
        asked = requests.get(order.mrid)
        if asked is None or order.scheduled is None:
            return error(
                "BR-I2BR1",
                f"order {order.mrid} comes back without "
                + ("a request it answers" if asked is None else "a scheduled time"),
                step=x.step,
                blame=blame,
            )
        promised = parse_datetime(asked.details.get("promisedDateTime"))
        if promised is not None and promised == order.scheduled:
            continue  # the customer's appointment, carried by the request, applies
        limit = timedelta(hours=limits.get(order.priority or 4, max(limits.values())))
        if order.scheduled - asked.requested > limit:
            return error(
                "BR-I2BR1",
                f"order {order.mrid} is scheduled {order.scheduled - asked.requested} after its "
                "request",
                step=x.step,
                expected=f"within {limit}",
                received=str(order.scheduled - asked.requested),
                blame=blame,
            )
    return None


@METER_LIFECYCLE.on_device(
    r"the Meter Data Management System holds the meter's data as untrustworthy"
)
def untrustworthy(world: World, meter: str) -> Finding | None:
    if meter != world.params.get("subject"):
        return None
    if world.actor("Meter Data Management System").is_untrustworthy(meter):
        return None
    return error(
        "STATE-I2-UNTRUSTWORTHY",
        f"meter {meter}: its data is not marked untrustworthy",
        step=_row_key(world, "11.3"),
        blame=world.blame("Meter Data Management System"),
    )


testcontrol.declare(METER_LIFECYCLE)
