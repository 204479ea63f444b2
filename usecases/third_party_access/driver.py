"""C4 third-party access: provisioning, triggers, faults, state observations and the timing
requirements, measured on the observed exchanges and the CCS's transaction log (read through a
state query, so a vendor's CCS answers it as the reference does)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from amicert.adapters.remote import TestControlError
from amicert.driver import Driver, DriverError, StateAnswerError, StateQuery
from amicert.findings import Blame, Finding, error, warning
from amicert.trace import Exchange
from amicert.world import World
from reference_impl.tpa_ccs import Ccs
from reference_impl.tpa_css import TpaCss
from reference_impl.tpa_customer import TpaCustomer
from reference_impl.tpa_customer_device import CustomerDevice
from reference_impl.tpa_customer_representative import TpaCustomerRepresentative
from reference_impl.tpa_han import Han
from reference_impl.tpa_mdms import TpaMdms
from reference_impl.tpa_other_utility_systems import OtherUtilitySystems
from reference_impl.tpa_service_point_gateway import ServicePointGateway
from reference_impl.tpa_third_party import ThirdParty
from usecases.third_party_access import judge, signature, testcontrol
from usecases.third_party_access import vocabulary as v

THIRD_PARTY_ACCESS = Driver(use_case="C4")
DRIVER = THIRD_PARTY_ACCESS
THIRD_PARTY_ACCESS.plays(
    ThirdParty,
    Ccs,
    ServicePointGateway,
    Han,
    CustomerDevice,
    TpaCustomer,
    TpaCustomerRepresentative,
    TpaCss,
    TpaMdms,
    OtherUtilitySystems,
)
ORGANIZATION = {"EMC-A": "Energy Management Co. A", "EMC-B": "Energy Management Co. B"}


def _log_answer(answer: dict[str, Any]) -> dict[str, Any] | None:
    if "record" not in answer or not isinstance(answer["record"], dict | None):
        raise StateAnswerError(f"expected {{'record': <log record or null>}}, got {answer!r}")
    record: dict[str, Any] | None = answer["record"]
    return record


THIRD_PARTY_ACCESS.query(
    StateQuery(
        "ccs_transaction_log",
        "CCS",
        "transaction_log",
        args=("transaction",),
        encode=lambda record: {"record": record},
        decode=_log_answer,
        answer_schema={
            "type": "object",
            "required": ["record"],
            "properties": {"record": testcontrol.TRANSACTION_LOG.answer_schema},
        },
        description="the CCS's transaction-log record of one third-party transaction (the "
        "fields and the values they take: inspectable CCS.transaction_log)",
    )
)

# --- set-ups ---------------------------------------------------------------------------------


@THIRD_PARTY_ACCESS.on_setup(
    r'service point "(?P<sp>[^"]+)" of account "(?P<account>[^"]+)" has customer device '
    r'"(?P<device>[^"]+)"'
)
def service_point(world: World, sp: str, account: str, device: str) -> None:
    _service_point(world, sp, account, [device])


@THIRD_PARTY_ACCESS.on_setup(
    r'service point "(?P<sp>[^"]+)" of account "(?P<account>[^"]+)" has customer devices '
    r'"(?P<device>[^"]+)" and "(?P<other>[^"]+)"'
)
def service_point_of_two(world: World, sp: str, account: str, device: str, other: str) -> None:
    """Two devices: the requests address the first; a man in the middle redirects one of them to
    the second (a device the third party may reach too, so only the signature can refuse it)."""
    _service_point(world, sp, account, [device, other])


def _service_point(world: World, sp: str, account: str, devices: list[str]) -> None:
    world.add_device(sp, {"account": account, "devices": list(devices)})
    world.settings.setdefault("accounts", {})[account] = {"service_point": sp}
    world.settings.setdefault("customer_devices", {})[sp] = list(devices)
    world.settings.setdefault("third_parties", dict(ORGANIZATION))
    world.params.update(service_point=sp, account=account, device=devices[0])
    world.horizon = timedelta(days=1)
    limits = world.use_case.limits
    world.settings.setdefault("tiers", {"standard": dict(v.DOCUMENT_TIER)})
    world.settings.setdefault("unauthorized_per_hour", limits["unauthorized_per_hour"])
    signature.provide(world)


@THIRD_PARTY_ACCESS.on_setup(
    r"(?P<count>\d+) service points? (?:is|are) in scope, each of its own account with one "
    r"customer device",
    fleet=True,
)
def service_points(world: World, count: str) -> None:
    """Service points SP-0001... of accounts ACC-2001..., one customer device each (--fleet)."""
    for i in range(1, int(count) + 1):
        service_point(world, f"SP-{i:04d}", f"ACC-{2000 + i}", f"PUMP-{i:04d}")


def _devices(world: World, sp: str) -> list[str]:
    return [str(d) for d in world.settings["customer_devices"][sp]]


def _device(world: World, sp: str) -> str:
    return _devices(world, sp)[0]


def _account(world: World, sp: str) -> str:
    return str(world.settings["meters"][sp]["account"])


@THIRD_PARTY_ACCESS.on_setup(
    r'third party "(?P<tp>[^"]+)" is enabled at every service point on tier "(?P<tier>[^"]+)"'
)
def enabled_everywhere(world: World, tp: str, tier: str) -> None:
    for sp in world.devices:
        _contract(world, tp, _account(world, sp))
        world.settings["contracts"][_account(world, sp)][tp]["tier"] = tier
        _enable(world, tp, sp, tier)


def _contract(world: World, third_party: str, account: str) -> None:
    contracts = world.settings.setdefault("contracts", {})
    contracts.setdefault(account, {})[third_party] = {"status": "signed", "tier": "standard"}
    world.params["third_party"] = third_party


def _enable(world: World, tp: str, sp: str, tier: str, *, gateway: bool = True) -> None:
    """The third party enabled at the CCS (and at the gateway) for every customer device of the
    service point; the judge keeps what was set up."""
    entry = {"tier": tier, "devices": _devices(world, sp)}
    world.settings.setdefault("access", {}).setdefault(sp, {})[tp] = dict(entry)
    world.params.setdefault("tier_of", {}).setdefault(sp, {})[tp] = tier
    if gateway:
        world.settings.setdefault("spg_access", {}).setdefault(sp, {})[tp] = dict(entry)
        world.params.setdefault("spg_enabled", {}).setdefault(sp, set()).add(tp)


@THIRD_PARTY_ACCESS.on_setup(
    r'third party "(?P<tp>[^"]+)" is enabled at service point "(?P<sp>[^"]+)"'
)
def enabled(world: World, tp: str, sp: str) -> None:
    _contract(world, tp, world.params["account"])
    _enable(world, tp, sp, "standard")


@THIRD_PARTY_ACCESS.on_setup(
    r'third party "(?P<tp>[^"]+)" is enabled at the CCS for service point "(?P<sp>[^"]+)" but '
    r"never provisioned at its gateway"
)
def enabled_at_ccs_only(world: World, tp: str, sp: str) -> None:
    _contract(world, tp, world.params["account"])
    _enable(world, tp, sp, "standard", gateway=False)


@THIRD_PARTY_ACCESS.on_setup(
    r'third party "(?P<tp>[^"]+)" serves only service point "(?P<sp>[^"]+)" of account '
    r'"(?P<account>[^"]+)"'
)
def serves_another(world: World, tp: str, sp: str, account: str) -> None:
    """Another customer's third party: enabled there, never at the service point in scope."""
    world.settings.setdefault("contracts", {}).setdefault(account, {})[tp] = {
        "status": "signed",
        "tier": "standard",
    }
    entry = {"tier": "standard", "devices": []}
    world.settings.setdefault("access", {}).setdefault(sp, {})[tp] = dict(entry)
    world.settings.setdefault("spg_access", {}).setdefault(sp, {})[tp] = dict(entry)
    world.params["intruder"] = tp


@THIRD_PARTY_ACCESS.on_setup(
    r'an impostor presents third party "(?P<tp>[^"]+)"\'s ID under organization "(?P<org>[^"]+)"'
)
def impostor(world: World, tp: str, org: str) -> None:
    world.params["impostor"] = (tp, org)


@THIRD_PARTY_ACCESS.on_setup(
    r'contract tier "(?P<tier>[^"]+)" allows (?P<per_hour>\d+) transactions per hour and '
    r"(?P<per_day>\d+) per day"
)
def tier(world: World, tier: str, per_hour: str, per_day: str) -> None:
    world.settings.setdefault("tiers", {})[tier] = {
        "transactions_per_hour": int(per_hour),
        "transactions_per_day": int(per_day),
    }


@THIRD_PARTY_ACCESS.on_setup(
    r'third party "(?P<tp>[^"]+)" sends (?P<count>\d+) monitoring requests?, '
    r"(?P<minutes>\d+) minutes apart"
)
def burst(world: World, tp: str, count: str, minutes: str) -> None:
    world.params["burst"] = (tp, int(count), 60 * int(minutes))


@THIRD_PARTY_ACCESS.on_setup(
    r"the service point gateway reports unauthorized attempts every (?P<minutes>\d+) minutes"
)
def report_every(world: World, minutes: str) -> None:
    world.settings["spg_report_s"] = 60 * int(minutes)


@THIRD_PARTY_ACCESS.on_setup(
    r'third party "(?P<tp>[^"]+)" has a signed contract for account "(?P<account>[^"]+)"'
)
def contract(world: World, tp: str, account: str) -> None:
    _contract(world, tp, account)


@THIRD_PARTY_ACCESS.on_setup(
    r'a message of third party "(?P<tp>[^"]+)" for service point "(?P<sp>[^"]+)" is queued at the CCS'
)
def queued(world: World, tp: str, sp: str) -> None:
    """The CCS holds a message for the gateway and watches its delivery (C4FR43 health checks)."""
    world.settings["watch_delivery"] = True
    world.settings.setdefault("queued", []).append(
        {
            "transaction": world.bus_id(),
            "third_party": tp,
            "service_point": sp,
            "device": world.params["device"],
        }
    )


def _permission(world: World) -> None:
    """The pre-condition: the customer's permission is on record (a contract at the CSS)."""
    world.settings.setdefault("contracts", {})


THIRD_PARTY_ACCESS.preconditions[
    "The customer has provided the utility permission for the third party to access equipment at their site"
] = _permission

# --- triggers and faults ---------------------------------------------------------------------


def _tp(world: World) -> str:
    return str(world.params.get("third_party", "EMC-A"))


THIRD_PARTY_ACCESS.triggers.update(
    {
        "3.1#1": lambda w: w.actor("Third Party").monitor(
            _tp(w), w.params["service_point"], w.params["device"]
        ),
        "3.2#1": lambda w: w.actor("Third Party").control(
            _tp(w), w.params["service_point"], w.params["device"], "off"
        ),
        "3.3#1": lambda w: w.actor("Customer").request_access(
            _tp(w), w.params["service_point"], w.params["account"]
        ),
        "3.4#1": lambda w: w.actor("Third Party").report_problem(
            _tp(w), w.params["service_point"], w.params["account"]
        ),
        "3.4-ok#1": lambda w: w.actor("Third Party").report_problem(
            _tp(w), w.params["service_point"], w.params["account"]
        ),
        "3.5#1": lambda w: w.actor("CCS").deliver_queued(),
        "L1": lambda w: _burst(w),
        "A1": lambda w: _burst(w),
        "S1": lambda w: _burst(w),
        "U1": lambda w: w.actor("Third Party").monitor(
            _tp(w), w.params["service_point"], w.params["device"]
        ),
        "E1": lambda w: _end_service(w),
        "G1": lambda w: w.actor("CCS").retrieve_log(w.params["service_point"]),
        "X1": lambda w: _intrude(w),
        "H1": lambda w: w.actor("Third Party").probe(
            _tp(w), w.params["service_point"], w.params["device"]
        ),
        "W1": lambda w: _forge(w),
        "Y1": lambda w: w.actor("Third Party").monitor_as(
            *w.params["impostor"], w.params["service_point"], w.params["device"]
        ),
    }
)
AFTER_SERVICE_ENDED_S = 600  # the third party tries again ten minutes after the service ended


def _burst(world: World) -> None:
    """The third party's requests, to every service point in scope."""
    tp, count, spacing = world.params["burst"]
    for sp in world.devices:
        world.actor("Third Party").send_requests(tp, sp, _device(world, sp), count, spacing)


def _forge(world: World) -> None:
    """The forged requests: one signed for the service point's first device, redirected after
    signing to its second (every check but the signature's would admit it), one signed by an
    untrusted CA, one with an altered signature value, one unsigned."""
    sp = world.params["service_point"]
    devices = _devices(world, sp)
    if len(devices) < 2:
        raise DriverError(
            f"step W1 redirects a signed request to another customer device of {sp}, which has "
            f'only {devices}: set it up with \'has customer devices "A" and "B"\''
        )
    world.actor("Third Party").forge(_tp(world), sp, devices[0], devices[1])


def _end_service(world: World) -> None:
    world.actor("CSS").end_service(world.params["account"])
    world.actor("Third Party").send_requests(
        _tp(world),
        world.params["service_point"],
        world.params["device"],
        1,
        0,
        AFTER_SERVICE_ENDED_S,
    )


def _intrude(world: World) -> None:
    """Another customer's third party asks for this customer's data, then tries to control."""
    tp, sp, device = world.params["intruder"], world.params["service_point"], world.params["device"]
    party = world.actor("Third Party")
    party.monitor(tp, sp, device)
    world.clock.call_later(timedelta(minutes=1), lambda: party.control(tp, sp, device, "off"))


def _han_down(world: World) -> None:
    if world.inject_remote("Service Point Gateway", "spg-han-link-down"):
        return
    world.settings.setdefault("han_link_down", {})[world.params["service_point"]] = True


def _outage(seconds: int | None) -> Any:
    def inject(world: World) -> None:
        name = "spg-outage" if seconds is None else "spg-outage-brief"
        if world.inject_remote("Service Point Gateway", name):
            return
        span = world.horizon if seconds is None else timedelta(seconds=seconds)
        world.settings["spg_outage_until"] = world.start_time + span

    return inject


THIRD_PARTY_ACCESS.faults.update(
    {
        "none": lambda world: None,
        "spg-han-link-down": _han_down,
        "spg-outage-brief": _outage(30),
        "spg-outage": _outage(None),
    }
)
THIRD_PARTY_ACCESS.fault_roles.update(
    {
        "spg-han-link-down": "Service Point Gateway",
        "spg-outage-brief": "Service Point Gateway",
        "spg-outage": "Service Point Gateway",
    }
)

# --- the transaction log (C4FR9, C4FR17, C4FR18) --------------------------------------------------

INBOUND = ("third_party", "device", "received", "authorization")
PUSHED = ("pushed_to_spg", "spg_received", "pushed_to_han")
OUTBOUND = (
    "out_spg_received",
    "out_pushed_to_ccs",
    "out_received",
    "target_authorization",
)
SENT = ("out_pushed_to_tp",)
KNOWN_FIELDS = frozenset(testcontrol.LOG_RECORD["properties"])


def _transaction(world: World) -> str | None:
    """The MessageID of the third party's request: the transaction the log must hold."""
    for x in world.trace.exchanges:
        if x.producer == "Third Party" and x.receiver == "CCS" and x.info and x.info.message_id:
            return x.info.message_id
    return None


def _record_finding(
    world: World,
    rule: str,
    subject: str,
    record: dict[str, Any] | None,
    fields: tuple[str, ...],
    status: str,
) -> Finding | None:
    """The log record against what the row needs: each of ``fields`` present, the authorization
    fields saying ``status`` in the published vocabulary. Each problem names the field (the
    C4FR18 letter as reference); fields the contract does not name are reported once each, with
    the error (where they may be a misspelt field) or alone as a warning (C4FR18 asks for these
    fields "at a minimum": more is allowed, but no reader of the log can tell what it holds)."""
    expected = f"{', '.join(fields)}; authorization status {status!r}"
    if not record:
        return error(
            rule,
            f"the CCS's log holds no record of {subject}",
            expected=expected,
            received="(no record)",
            blame=world.blame("CCS"),
        )
    problems = [
        f"field {key} is missing ({v.LOG_FIELDS[key]})"
        for key in fields
        if not str(record.get(key) or "")
    ]
    for key in (k for k in fields if k.endswith("authorization") and record.get(k)):
        said = v.authorization_status(str(record[key]))
        if said != status:
            values = "" if said is not None else f"; {testcontrol.AUTHORIZATION_VALUES}"
            problems.append(
                f"field {key} says {str(record[key])[:80]!r}, not {status!r} "
                f"({v.LOG_FIELDS[key]}{values})"
            )
    warned: set[str] = world.params.setdefault("_c4_unknown_log_fields", set())
    unknown = sorted(set(record) - KNOWN_FIELDS)
    if problems:
        extra = f"; fields the contract does not name: {', '.join(unknown)}" if unknown else ""
        return error(
            rule,
            f"the CCS's log of {subject}: {'; '.join(problems)}{extra}",
            expected=expected,
            received=str(record)[:400],
            blame=world.blame("CCS"),
        )
    new = [key for key in unknown if key not in warned]
    if not new:
        return None
    warned.update(new)
    return warning(
        "STATE-C4-LOG-UNKNOWN-FIELD",
        f"the CCS's log of {subject} carries fields the contract does not name: {', '.join(new)}",
        expected=f"the fields the contract names: {', '.join(sorted(KNOWN_FIELDS))}",
        received=", ".join(f"{key}={str(record[key])[:60]!r}" for key in new),
        blame=world.blame("CCS"),
    )


def _log_has(fields: tuple[str, ...]) -> Any:
    def check(world: World, sp: str | None) -> Finding | None:
        transaction = _transaction(world)
        if transaction is None:
            return None  # no request was observed: the rows' own findings say so
        try:
            record = world.actor("CCS").transaction_log(transaction)
        except TestControlError as exc:
            return error("STATE-UNREADABLE", str(exc), blame=Blame.INFRASTRUCTURE)
        subject = f"transaction {transaction}"
        return _record_finding(world, "STATE-C4-LOG", subject, record, fields, v.AUTHORIZED)

    return check


def _controlled(world: World, sp: str | None) -> Finding | None:
    device = world.actor("Customer Device", sp)
    if device.executed:
        return None
    # the device that did not act, or the gateway that should have passed the command on
    role = "Customer Device" if "Customer Device" in world.sut_roles else "Service Point Gateway"
    return error(
        "STATE-C4-CONTROL",
        f"the customer device at {sp} carried out no control command",
        blame=world.blame(role),
    )


def _unauthorized_logged(world: World, sp: str | None) -> Finding | None:
    """C4FR24: every refused attempt is in the CCS's log, with its authorization status."""
    for r in judge.requests(world, sp):
        if r.result != "FAILED":
            continue
        try:
            record = world.actor("CCS").transaction_log(r.message_id)
        except TestControlError as exc:
            return error("STATE-UNREADABLE", str(exc), blame=Blame.INFRASTRUCTURE)
        subject = f"the refused attempt {r.message_id} of {r.third_party}"
        found = _record_finding(
            world, "STATE-C4-UNAUTHORIZED-LOG", subject, record, INBOUND, v.UNAUTHORIZED
        )
        if found is not None:
            return found
    return None


def _limits_kept(world: World, sp: str | None) -> Finding | None:
    """C4NFR1, C4FR4, C4FR32: judged on the whole run (every service point of a fleet has had
    its requests), once the scenario has run out."""
    world.settle()
    return judge.limits_kept(world, sp or world.params["service_point"])


def _hostile_refused(world: World, sp: str | None) -> Finding | None:
    """C4FR3, C4FR8: judged once the scenario has run out (the malformed request comes last)."""
    world.settle()
    return judge.hostile_refused(world, sp or world.params["service_point"])


def _service_ended(world: World, sp: str | None) -> Finding | None:
    """C4BR2: the third party's contract ended with the service; its attempts are rejected."""
    sp = sp or world.params["service_point"]
    return judge.refused(world, sp, _tp(world), "STATE-C4-SERVICE-ENDED")


THIRD_PARTY_ACCESS.states.update(
    {
        "unauthorized_logged": _unauthorized_logged,
        "limits_kept": _limits_kept,
        "hostile_refused": _hostile_refused,
        "service_ended_refused": _service_ended,
        "signature_refused": signature.state,
        "inbound_logged": _log_has(INBOUND),
        "outbound_logged": _log_has(INBOUND + PUSHED + OUTBOUND),
        "sent_logged": _log_has(INBOUND + PUSHED + OUTBOUND + SENT),
        "device_controlled": _controlled,
    }
)
THIRD_PARTY_ACCESS.harness_states.add("device_controlled")

# --- timing requirements on the virtual clock ----------------------------------------------------


def _first(world: World, row: str) -> Exchange | None:
    """The row's first exchange; ``row`` may be ``number>Receiver``: its exchange to that
    receiver only (3.2 row 7 sends a receipt to the CCS and the command to the HAN)."""
    number, _, receiver = row.partition(">")
    key = world.use_case.key(world.scenario, number)
    found = [
        e.exchange
        for e in world.analyse().entries(key)
        if e.exchange is not None and receiver in ("", e.spec.receiver)
    ]
    return min(found, key=lambda x: x.seq) if found else None


def _not_measured(requirement: str, why: str) -> Finding:
    return error(
        "NFR-NOT-MEASURED",
        f"{requirement} could not be measured: {why}",
        blame=Blame.INFRASTRUCTURE,
    )


def _within(
    world: World, rule: str, role: str, legs: list[tuple[str, str, str]], limit: timedelta
) -> Finding | None:
    for start, end, what in legs:
        a, b = _first(world, start), _first(world, end)
        row = end.partition(">")[0]
        if a is None or b is None:
            return _not_measured(rule, f"step {start} or {row} was not observed")
        took = b.virtual_time - a.virtual_time
        if took > limit:
            return error(
                rule,
                f"the {role} took {took.total_seconds():.0f} s to {what}",
                step=world.use_case.key(world.scenario, row),
                expected=f"at most {limit.total_seconds():.0f} s",
                received=f"{took.total_seconds():.0f} s",
                blame=world.blame(role),
            )
    return None


CCS_LEGS = {
    "monitoring": [
        ("1", "5", "pass the request to the gateway"),
        ("11", "16", "send the data to the third party"),
    ],
    "control": [
        ("3", "6", "pass the command to the gateway"),
        ("12", "17", "send the confirmation to the third party"),
    ],
}
SPG_LEGS = {
    "monitoring": [
        ("5", "7", "pass the request to the HAN"),
        ("9", "11", "pass the data to the CCS"),
    ],
    "control": [
        ("6", "7>HAN", "pass the command to the HAN"),
        ("10", "12", "pass the confirmation to the CCS"),
    ],
}


def _limit(world: World, key: str) -> timedelta:
    return timedelta(seconds=float(world.settings.get(key, world.use_case.limits[key])))


@THIRD_PARTY_ACCESS.on_device(r"the CCS delivers each way within 60 seconds")
def ccs_delivers(world: World, meter: str) -> Finding | None:
    """C4NFR3: inbound to the gateway and outbound to the third party, each within the limit."""
    legs = CCS_LEGS[world.scenario.id]
    return _within(world, "NFR-C4NFR3", "CCS", legs, _limit(world, "delivery_s"))


@THIRD_PARTY_ACCESS.on_device(r"the Service Point Gateway delivers each way within 60 seconds")
def spg_delivers(world: World, meter: str) -> Finding | None:
    """C4NFR4: inbound to the HAN and outbound back towards the third party."""
    legs = SPG_LEGS[world.scenario.id]
    return _within(world, "NFR-C4NFR4", "Service Point Gateway", legs, _limit(world, "delivery_s"))


@THIRD_PARTY_ACCESS.on_device(r"the test results reach the CCS within 60 seconds")
def test_results_within(world: World, meter: str) -> Finding | None:
    """C4NFR5: the test command to the gateway -> its results at the CCS."""
    start, end = ("2", "3") if world.scenario.table == "3.5" else ("4", "5")
    legs = [(start, end, "return the test results")]
    return _within(
        world, "NFR-C4NFR5", "Service Point Gateway", legs, _limit(world, "test_results_s")
    )


@THIRD_PARTY_ACCESS.on_device(r'the Service Point Gateway admits third party "(?P<tp>[^"]+)"')
def spg_admits(world: World, meter: str, tp: str) -> Finding | None:
    """Post-condition of 3.3: the gateway was provisioned to accept the third party's messages."""
    if world.actor("Service Point Gateway", meter).admits(tp):
        return None
    return error(
        "STATE-C4-ACCESS",
        f"the gateway of {meter} does not admit third party {tp} after the access command",
        blame=world.blame("Service Point Gateway"),
    )


# --- limits, warnings, alarms and refusals (harness-added scenarios) ---------------------------


@THIRD_PARTY_ACCESS.on_device(
    r"the CCS warns the third party of each (?P<what>rejected|undeliverable) message with its "
    r"message ID, destination ID and time received"
)
def warned(world: World, meter: str, what: str) -> Finding | None:
    """C4FR4, C4FR38 (limit exceeded), C4FR20, C4FR30 (undeliverable)."""
    reason = "LIMIT_EXCEEDED" if what == "rejected" else "UNDELIVERABLE"
    return judge.warnings_name_requests(world, meter, reason)


@THIRD_PARTY_ACCESS.on_device(r"the CCS warns the third party within 15 minutes")
def warned_in_time(world: World, meter: str) -> Finding | None:
    """C4NFR7: the request received -> the warning that it cannot be delivered."""
    legs = [("U1", "U4", "warn the third party of the undeliverable message")]
    return _within(world, "NFR-C4NFR7", "CCS", legs, _limit(world, "warning_s"))


@THIRD_PARTY_ACCESS.on_device(
    r"the CCS raises an alarm once unauthorized attempts exceed the limit in an hour, not before"
)
def ccs_alarm(world: World, meter: str) -> Finding | None:
    """C4FR27."""
    return judge.ccs_alarm(world, meter)


@THIRD_PARTY_ACCESS.on_device(
    r"the Service Point Gateway alarms the CCS once unauthorized attempts exceed the limit in an "
    r"hour, not before"
)
def spg_alarm(world: World, meter: str) -> Finding | None:
    """C4FR28."""
    return judge.gateway_alarm(world, meter)


@THIRD_PARTY_ACCESS.on_device(
    r"the Service Point Gateway reports every unauthorized attempt to the CCS within the "
    r"configured period"
)
def spg_reports(world: World, meter: str) -> Finding | None:
    """C4FR25, C4FR26."""
    return judge.gateway_reports(world, meter)


@THIRD_PARTY_ACCESS.on_device(
    r'the CCS refuses third party "(?P<tp>[^"]+)" and passes nothing of it to the gateway'
)
def refuses(world: World, meter: str, tp: str) -> Finding | None:
    """C4FR6, C4FR23: another customer's third party reaches nothing here."""
    return judge.refused(world, meter, tp, "STATE-C4-AUTHZ")


@THIRD_PARTY_ACCESS.on_device(
    r"the CCS refuses the impostor and passes nothing of it to the gateway"
)
def refuses_impostor(world: World, meter: str) -> Finding | None:
    """C4FR6, C4FR23 (authentication), C4FR3 (spoofing): the requests under a borrowed ID."""
    return judge.refused(world, meter, world.params["impostor"][0], "STATE-C4-AUTHN")


@THIRD_PARTY_ACCESS.on_device(
    r"the CCS passes each request on to the device it addresses and answers it about that device"
)
def passes_on_as_asked(world: World, meter: str) -> Finding | None:
    """C4FR1, C4FR15, C4FR6: each relay to the gateway carries the requesting third party's ID,
    the service point and the device it addressed, and a control's command (PROFILE-C4-RELAY);
    each answer correlated to a request is about that service point and device
    (PROFILE-C4-ANSWER)."""
    return judge.relays_carry_requests(world, meter) or judge.answers_carry_requests(world, meter)


@THIRD_PARTY_ACCESS.on_device(r"the gateway log reaches the CCS within 60 seconds")
def log_in_time(world: World, meter: str) -> Finding | None:
    """C4NFR6: the log request -> the gateway's log at the CCS."""
    legs = [("G1", "G2", "send its communications log")]
    return _within(world, "NFR-C4NFR6", "Service Point Gateway", legs, _limit(world, "log_s"))


testcontrol.declare(THIRD_PARTY_ACCESS)
