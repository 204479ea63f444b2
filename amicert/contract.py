"""``amicert contract``: what a product must do on the wire, generated, never kept by hand.

For a SUT profile's boundary and each use case it takes part in, the contract lists every row the
product sends or receives with what crosses the wire (URL path, SOAPAction, headers, HTTP method
and status, root or verb and noun), a real example taken from a run of the scenarios on the
reference implementation (validated before it is written), the reply form and the timing; and the
test-control interface with a JSON Schema for each request and answer (the schemas the harness
checks answers against). The URL and headers come from the proxy that really sends them
(``RemoteActor.prepare``), so the contract cannot drift from the harness.
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from lxml import etree

from amicert import __version__
from amicert.catalog import INTERNAL, MessageSpec, Part, StepRow, UseCase, project_root
from amicert.cim.model import ValidationContext
from amicert.cim.validate import Validator
from amicert.clock import EPOCH
from amicert.config import SutProfile
from amicert.control_schema import OPERATIONS, answer_schema, core_settings, request_schema
from amicert.driver import Driver, DriverError
from amicert.packages import driver_for
from amicert.trace import Exchange, content_deviations

FORMATS = ("md", "json")


class ContractError(Exception):
    """The contract cannot be generated (the reference run failed): names why."""


@dataclass
class Sample:
    """One exchange of the reference run, with its reply when it had one."""

    scenario: str
    entry: dict[str, Any]
    body: bytes
    reply: tuple[dict[str, Any], bytes] | None
    offset_s: float  # virtual seconds since the scenario's first exchange


@dataclass
class Reference:
    """Every exchange of a reference run, by use case, scenario order kept."""

    samples: dict[str, list[Sample]] = field(default_factory=dict)
    duration_s: dict[str, dict[str, float]] = field(default_factory=dict)


# --- the reference run -----------------------------------------------------------------------


def reference_run(use_cases: Iterable[str], work: Path | None = None) -> Reference:
    """Run the use cases' scenarios on the reference implementation (in its own process, as a
    user would) and read every captured exchange back from the evidence."""
    ids = sorted(set(use_cases))
    with tempfile.TemporaryDirectory(prefix="amicert-contract-") as tmp:
        out = Path(work or tmp) / "reference"
        cmd = [sys.executable, "-m", "amicert.cli", "run", "--report-dir", str(out)]
        for uc in ids:
            cmd += ["--use-case", uc]
        proc = subprocess.run(
            cmd, cwd=project_root(), capture_output=True, text=True, timeout=1800, check=False
        )
        summary_path = out / "summary.json"
        if not summary_path.exists():
            raise ContractError(f"the reference run wrote no summary: {proc.stderr[-500:]}")
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        failed = [s for s in summary["scenarios"] if s["verdict"] != "PASS"]
        if failed:
            names = ", ".join(f"{s['use_case']} {s['scenario_id']} {s['verdict']}" for s in failed)
            raise ContractError(f"the reference implementation does not pass: {names}")
        ref = Reference()
        for s in summary["scenarios"]:
            folder = out / s["evidence"]
            index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
            bodies = {e["seq"]: (folder / e["file"]).read_bytes() for e in index}
            start = datetime.fromisoformat(index[0]["virtual_time"]) if index else None
            samples = ref.samples.setdefault(s["use_case"], [])
            for e in index:
                reply = next((r for r in index if r["in_reply_to"] == e["seq"]), None)
                offset = (
                    (datetime.fromisoformat(e["virtual_time"]) - start).total_seconds()
                    if start
                    else 0.0
                )
                samples.append(
                    Sample(
                        s["scenario_id"],
                        e,
                        bodies[e["seq"]],
                        (reply, bodies[reply["seq"]]) if reply else None,
                        offset,
                    )
                )
            ref.duration_s.setdefault(s["use_case"], {})[s["scenario_id"]] = float(
                s.get("virtual_duration_s") or 0.0
            )
        return ref


# --- rows crossing the boundary --------------------------------------------------------------


@dataclass(frozen=True)
class Crossing:
    """One exchange of a row that crosses the boundary, product on one side."""

    row: StepRow
    index: int  # which exchange of the row (0-based)
    part: Part

    @property
    def key(self) -> str:
        return f"{self.row.number}/{self.index + 1}"


def crossings(use_case: UseCase, boundary: Iterable[str]) -> list[Crossing]:
    """Every exchange of every row (document and harness-added) with exactly one side inside."""
    inside = set(boundary)
    return [
        Crossing(row, i, part)
        for row in use_case.rows.values()
        for i, part in enumerate(row.exchanges)
        if (part.producer in inside) != (part.receiver in inside)
    ]


def _message_label(spec: MessageSpec) -> str:
    if spec.root:
        return etree.QName(spec.root).localname
    return f"{spec.cim.get('verb')} {spec.cim.get('noun')}"


def _is_this(sample: Sample, crossing: Crossing, spec: MessageSpec, validator: Validator) -> bool:
    e, part = sample.entry, crossing.part
    if e["step"] != crossing.row.number or e["producer"] != part.producer:
        return False
    if e["receiver"] != part.receiver or (e["in_reply_to"] is not None) != part.reply:
        return False
    x = Exchange(0, part.producer, part.receiver, sample.body, datetime.now().astimezone(), 0.0)
    x.info = validator.validate(sample.body, ValidationContext(check_replay=False)).info
    return not content_deviations(x, spec)


# --- the wire form of a message --------------------------------------------------------------


def _wire(
    profile: SutProfile, crossing: Crossing, body: bytes, receiver_id: str | None, sends: bool
) -> dict[str, Any]:
    """URL, headers and bytes exactly as the proxy prepares them (credentials left out)."""
    from amicert.actors.base import ActorContext
    from amicert.adapters.remote import RemoteLink, make_remote
    from amicert.clock import VirtualClock

    security = dataclasses.replace(profile.security, username=None, password_env=None)
    address = profile.harness_address if sends else profile.address
    link = RemoteLink(address, profile.timeouts, security, profile.wsdl_dir)
    ctx = ActorContext(VirtualClock(), None, random.Random(0))  # type: ignore[arg-type]
    proxy = make_remote(crossing.part.receiver, link, ctx, receiver_id)
    prepared = proxy.prepare(crossing.part.producer, crossing.part.receiver, receiver_id, body)
    assert prepared is not None  # no outgoing hook: nothing is dropped
    path = prepared.url[len(address) :]
    action = prepared.headers.get("SOAPAction", "").strip('"') or None
    return {
        "protocol": "soap" if action else "device",
        "method": "POST",
        "url": prepared.url,
        "path": path,
        "soap_action": action,
        "headers": dict(prepared.headers),
        "body": prepared.body,
    }


def _validated(
    body: bytes,
    validator: Validator,
    request_id: str | None = None,
    on_purpose: Iterable[str] = (),
) -> list[str]:
    """The errors of an example, apart from the rules the harness broke in it on purpose."""
    context = ValidationContext(check_replay=False, request_message_id=request_id)
    result = validator.validate(body, context)
    allowed = set(on_purpose)
    return [str(f) for f in result.findings if f.is_error and f.rule not in allowed]


def _acknowledgement(request: bytes, receiver: str, validator: Validator) -> bytes | None:
    """The 61968-100 acknowledgement a SOAP endpoint gives a one-way CIM message (as the
    harness's own endpoints and ``amicert serve`` do)."""
    from amicert.cim.envelope import Header, build_response
    from amicert.transport.soap import envelope

    info = validator.validate(request, ValidationContext(check_replay=False)).info
    if info is None or not info.noun:
        return None
    header = Header(
        verb="reply",
        noun=info.noun,
        message_id="00000000-0000-4000-8000-000000000001",
        timestamp=info.timestamp or datetime.now().astimezone(),
        source=receiver,
        correlation_id=info.message_id,
    )
    return envelope(build_response(header, "OK"))


# --- the contract ----------------------------------------------------------------------------


def _requirements(use_case: UseCase, row: StepRow) -> list[dict[str, str]]:
    return [
        {"id": r.id, "text": r.text}
        for r in use_case.requirements
        if not r.deleted
        and not r.out_of_scope
        and any(t.split(":", 1)[-1] in (row.number, row.shown) for t in r.traced_to)
    ]


def _scenarios(use_case: UseCase, row: StepRow) -> list[str]:
    return [s.id for s in use_case.scenarios.values() if row.number in s.steps]


def _checked(use_case: UseCase, spec: MessageSpec) -> list[dict[str, str]]:
    """What the harness checks this message's content against, beyond its form: the use case's
    key checks (what a key must say, given what happened) and checks run when it arrives."""
    driver = driver_for(use_case.id)
    found = [
        {"key": key, "xpath": spec.keys[key], "must_be": check.meaning, "rule": check.rule}
        for key, check in driver.key_checks.items()
        if key in spec.keys
    ]
    arrival = driver.on_arrival.get(spec.name)
    if arrival is not None:
        doc = " ".join((arrival.__doc__ or "").split())
        found.append({"key": "", "xpath": "", "must_be": doc, "rule": ""})
    return found


def _spec_dict(spec: MessageSpec) -> dict[str, Any]:
    found: dict[str, Any] = {"name": spec.name}
    if spec.root:
        found["root"] = spec.root
    else:
        found.update({k: v for k, v in spec.cim.items() if k in ("kind", "verb", "noun")})
        if spec.cim.get("event_codes"):
            found["event_codes"] = list(spec.cim["event_codes"])
    if spec.expect_keys:
        found["must_carry"] = dict(spec.expect_keys)
    if spec.keys:
        found["keys"] = dict(spec.keys)
    return found


def _reply_form(
    crossing: Crossing,
    wire: dict[str, Any],
    sample: Sample | None,
    profile: SutProfile,
    validator: Validator,
    sends: bool,
) -> dict[str, Any]:
    """What comes back on the same HTTP exchange, with an example when there is one."""
    from amicert.transport.soap import envelope

    answerer = "the harness" if sends else "the product"
    within = f"within timeouts.read_s ({profile.timeouts.read_s:g} s)"
    if wire["protocol"] == "soap":
        reply = sample.reply if sample else None
        body = envelope(reply[1]) if reply else None
        if body is None and sample is not None:
            body = _acknowledgement(sample.body, crossing.part.receiver, validator)
        request_id = None
        if sample is not None:
            info = validator.validate(sample.body, ValidationContext(check_replay=False)).info
            request_id = info.message_id if info else None
        form = {
            "status": 200,
            "content_type": "text/xml; charset=utf-8",
            "form": (
                f"{answerer} answers {within}: HTTP 200, a SOAP 1.1 envelope holding a "
                "61968-100 ResponseMessage (or <Noun>ResponseMessage): Verb reply, the same "
                "Noun, Reply/Result OK (FAILED with Reply/Error when refused), CorrelationID = "
                "the request's MessageID. A SOAP Fault or HTTP 4xx/5xx is a failure of "
                + ("the harness." if sends else "the product (WIRE-SOAP-FAULT, WIRE-HTTP-STATUS).")
            ),
        }
        if body is not None:
            problems = _validated(body, validator, request_id)
            form["example"] = body.decode("utf-8")
            form["example_valid"] = not problems
            form["example_problems"] = problems
        return form
    answer = sample.reply if sample else None
    if answer is not None:
        return {
            "status": 200,
            "content_type": "application/xml; charset=utf-8",
            "form": f"{answerer} answers {within}: HTTP 200 with the answer message as the "
            "body (the next exchange of this row)",
            "example": answer[1].decode("utf-8"),
            "example_valid": not _validated(answer[1], validator),
            "example_problems": _validated(answer[1], validator),
        }
    return {
        "status": 202,
        "content_type": None,
        "form": f"{answerer} answers {within}: HTTP 202 with an empty body "
        "(one-way message; 200 is accepted too)",
    }


def _row_entry(
    use_case: UseCase,
    crossing: Crossing,
    profile: SutProfile,
    samples: list[Sample],
    validator: Validator,
) -> dict[str, Any]:
    boundary = set(profile.boundary)
    row, part = crossing.row, crossing.part
    spec = use_case.messages[part.message]
    sends = part.producer in boundary
    sample = next((s for s in samples if _is_this(s, crossing, spec, validator)), None)
    entry: dict[str, Any] = {
        "use_case": use_case.id,
        "row": row.number,
        "label": row.shown,
        "exchange": f"{crossing.index + 1} of {len(row.exchanges)}",
        "key": crossing.key,
        "harness_added": row.harness_added,
        "scenarios": _scenarios(use_case, row),
        "description": row.description,
        "information": part.information,
        "producer": part.producer,
        "receiver": part.receiver,
        "direction": "product sends" if sends else "product receives",
        "per": "each in-scope meter" if part.per == "device" else "once per scenario",
        "optional": part.optional,
        "message": _spec_dict(spec),
        "checked": _checked(use_case, spec),
        "requirements": _requirements(use_case, row),
    }
    receiver_kind = use_case.actors[part.receiver].kind
    if part.reply:
        entry["wire"] = {
            "protocol": "reply",
            "form": "the HTTP answer to the previous exchange of this row, on the same "
            "connection (no request of its own)",
        }
    if sample is None:
        entry["example"] = None
        entry["missing_example"] = "no scenario of the reference run carries this exchange"
        return entry
    entry["reference"] = {
        "scenario": sample.scenario,
        "after_s": sample.offset_s,
        "receiver_id": sample.entry.get("receiver_id"),
    }
    if part.reply:
        problems = _validated(sample.body, validator)
        entry["example"] = sample.body.decode("utf-8")
        entry["example_valid"] = not problems
        entry["example_problems"] = problems
        return entry
    receiver_id = sample.entry.get("receiver_id") if receiver_kind == "device" else None
    wire = _wire(profile, crossing, sample.body, receiver_id, sends)
    body: bytes = wire.pop("body")
    on_purpose = list(sample.entry.get("provoked") or [])
    problems = _validated(body, validator, on_purpose=on_purpose)
    if on_purpose:
        entry["broken_on_purpose"] = on_purpose  # the product must refuse it
    entry["wire"] = wire
    entry["headers_required"] = _required_headers(wire, receiver_kind, sends)
    entry["example"] = body.decode("utf-8")
    entry["example_valid"] = not problems
    entry["example_problems"] = problems
    entry["reply"] = _reply_form(crossing, wire, sample, profile, validator, sends)
    return entry


def _required_headers(wire: dict[str, Any], receiver_kind: str, sends: bool) -> dict[str, str]:
    """Why each header is there, and whether the product may leave it out."""
    found = {"Content-Type": "required"}
    if wire["protocol"] == "soap":
        found["SOAPAction"] = "required (the quoted action)"
    who = (
        "required: the harness routes what you send by it (several rows share one service)"
        if sends
        else "always sent: route the message to your actor by it"
    )
    found["X-Amicert-Producer"] = who
    found["X-Amicert-Receiver"] = who
    if receiver_kind == "device":
        found["X-Amicert-Receiver-Id"] = (
            "required: the mRID of the meter whose device actor receives it"
            if sends
            else "always sent: the mRID of the meter whose device actor receives it"
        )
    return found


def _settings(drivers: list[Driver], boundary: set[str]) -> list[dict[str, Any]]:
    declared = [*core_settings(), *(s for d in drivers for s in d.settings.values())]
    return [
        {
            "name": s.name,
            "schema": s.schema,
            "default": s.default,
            "timing": s.timing,
            "read_by": list(s.read_by),
            "drives_the_product": bool(boundary & set(s.read_by)),
            "description": s.description,
        }
        for s in declared
    ]


def _test_control(
    use_cases: list[UseCase], drivers: list[Driver], profile: SutProfile
) -> dict[str, Any]:
    boundary = set(profile.boundary)
    operations = []
    for op in OPERATIONS:
        method = "GET" if op in ("capabilities", "clock") else "POST"
        answer = (
            answer_schema(op, drivers, {"query": "(see state_queries)"})
            if op != "state"
            else {
                "description": "the schema of the query asked: state_queries and inspectables below"
            }
        )
        operations.append(
            {
                "operation": op,
                "method": method,
                "path": f"/{op}",
                "request_schema": request_schema(op, drivers),
                "answer_schema": answer,
            }
        )
    queries = [
        {
            "query": q.name,
            "role": q.role,
            "request": {
                "query": q.name,
                **({q.instance_arg: "<meter mRID>"} if q.instance_arg else {}),
                **{a: f"<{a}>" for a in q.args},
            },
            "answer_schema": q.answer_schema,
            "description": q.description,
            "asked": q.role in boundary,
        }
        for d in drivers
        for q in d.state_queries.values()
    ]
    inspectables = [
        {
            "role": i.role,
            "name": i.name,
            "kind": i.kind,
            "args": [{"name": n, "schema": s} for n, s in i.args],
            "inspect_answer": (
                {"kind": "method"} if i.kind == "method" else {"kind": "value", "value": "..."}
            ),
            "answer_schema": answer_schema(
                "state",
                drivers,
                {
                    "query": "invoke" if i.kind == "method" else "inspect",
                    "actor": i.role,
                    "name": i.name,
                },
            ),
            "description": i.description,
        }
        for d in drivers
        for i in d.inspectables.values()
        if i.role in boundary
    ]
    faults = [
        {"name": n, "acts_on": d.fault_roles[n], "use_case": d.use_case}
        for d in drivers
        for n in d.faults
        if n != "none" and d.fault_roles.get(n) in boundary
    ]
    return {
        "base": profile.test_control,
        "claimed": {
            k: profile.claims(k) for k in ("test_control", "fault_injection", "clock_control")
        },
        "content_type": "application/json",
        "errors": 'an operation the product cannot do answers HTTP 4xx with {"error": "..."}: '
        "the scenario is INCONCLUSIVE (TEST-CONTROL). An answer with HTTP 200 that breaks its "
        "schema is a FAIL of the product (TEST-CONTROL-ANSWER), naming the place and the "
        "schema path.",
        "sequence": [
            "once per scenario, before its first message: POST reset {use_case}, then POST "
            "configure {settings} (every meter of the scenario is in settings.meters; those "
            "listed in in_scope_meters are in scope)",
            "a meter put in scope later (a replacement carried to the premise): POST provision",
            "a fault the scenario needs inside the boundary: POST fault {name, meters}",
            "state checks and triggers of boundary actors: POST state (named queries, or "
            "inspect then invoke)",
        ],
        "operations": operations,
        "state_queries": queries,
        "inspectables": inspectables,
        "faults": faults,
        "clock": _clock_semantics(profile),
    }


def _clock_semantics(profile: SutProfile) -> list[str]:
    if profile.claims("clock_control"):
        return [
            "The harness runs on a virtual clock and moves the product's clock with it: before "
            "every message it sends to the product it calls POST clock/advance {to: its own "
            "now}, so the product's timers start when the message was sent.",
            "While it waits for the product it calls POST clock/advance {to} and reads "
            "next_event: the product runs everything due up to `to` (sending what falls due), "
            "then answers {now, next_event} with its next scheduled event or null. The harness "
            "then jumps both clocks to the earlier of its own and the product's next event, so "
            "days pass in milliseconds.",
            "Every time the product writes (Timestamp, createdDateTime, scheduledDateTime ...) "
            "is its virtual clock's, with a timezone.",
            f"Each scenario's virtual clock starts at {EPOCH.isoformat()}: after reset, the "
            "first clock/advance brings the product there (set your clock to `to` even when it "
            "is earlier than your own now); within a scenario `to` never goes back.",
        ]
    return [
        "The product does not claim clock_control: the harness waits on the wall clock, each "
        f"wait bounded by timeouts.scenario_wall_s ({profile.timeouts.scenario_wall_s:g} s); "
        "configure short windows (window_days ...) on the product for such runs.",
    ]


def _checks(use_case: UseCase) -> list[dict[str, Any]]:
    """The set-ups, faults and state checks of the scenarios (the feature steps that are not
    rows), each with the scenarios using it: what the product's state is held to."""
    from amicert.catalog import feature_steps

    found: dict[str, list[str]] = {}
    for step in feature_steps(use_case):
        if step.number is None and step.scenario_id and not step.text.startswith("pre-condition"):
            users = found.setdefault(step.text, [])
            if step.scenario_id not in users:
                users.append(step.scenario_id)
    return [
        {"step": text, "scenarios": users, "judged": _judged(use_case, text)}
        for text, users in found.items()
    ]


def _judged(use_case: UseCase, text: str) -> str:
    """How a per-meter check judges: its docstring (the use case's own words), when it has one."""
    prefix = "for every in-scope meter, "
    if not text.startswith(prefix):
        return ""
    try:
        check, _ = driver_for(use_case.id).device_check(text[len(prefix) :])
    except DriverError:
        return ""  # an outline placeholder (<...>) no pattern matches as written
    return " ".join((check.__doc__ or "").split())


def _timing(use_case: UseCase, ref: Reference, drivers: list[Driver]) -> dict[str, Any]:
    durations = ref.duration_s.get(use_case.id, {})
    return {
        "scenario_horizon_days": {
            s: round(v / 86400, 2) for s, v in sorted(durations.items()) if v
        },
        "rule": "every row must happen within the scenario's horizon (virtual time from its "
        "start); rows in order, correlated; requirements traced to a row state its deadline",
        "settings": [s.name for d in drivers for s in d.settings.values() if s.timing],
        "limits": dict(use_case.limits),
    }


def build(profile: SutProfile, catalog: dict[str, UseCase], ref: Reference) -> dict[str, Any]:
    """The contract of the profile's boundary, as plain data (JSON-ready)."""
    boundary = set(profile.boundary)
    validator = Validator()
    claimed = [uc for uc in catalog.values() if boundary & set(uc.actors)]
    parts = []
    for uc in claimed:
        driver = driver_for(uc.id)
        samples = ref.samples.get(uc.id, [])
        rows = [_row_entry(uc, c, profile, samples, validator) for c in crossings(uc, boundary)]
        inside = [
            {
                "row": r.number,
                "producer": p.producer,
                "receiver": p.receiver,
                "information": p.information,
                "checked": "not observable on the wire: through test-control state, a later "
                "boundary message, or reported as not observable",
            }
            for r in uc.rows.values()
            for p in r.exchanges
            if p.producer in boundary and p.receiver in boundary
        ] + [
            {
                "row": r.number,
                "producer": r.producer,
                "receiver": INTERNAL,
                "information": r.description,
                "checked": f"observed as {', '.join(f'{k} {v}' for k, v in r.observe.items())}",
            }
            for r in uc.rows.values()
            if r.internal and r.producer in boundary
        ]
        parts.append(
            {
                "checks": _checks(uc),
                "id": uc.id,
                "title": uc.title,
                "capabilities": {k: profile.claims(k) for k in uc.capabilities},
                "scenarios": [
                    {"id": s.id, "name": s.name, "harness_added": s.harness_added}
                    for s in uc.scenarios.values()
                ],
                "rows": rows,
                "inside_boundary": inside,
                "settings": _settings([driver], boundary),
                "actor_inputs": [
                    dataclasses.asdict(a)
                    for a in driver.actor_inputs
                    if a.role not in boundary
                    and any(
                        c.part.message == a.message and c.part.producer in boundary
                        for c in crossings(uc, boundary)
                    )
                ],
                "timing": _timing(uc, ref, [driver]),
                "behaviours": [
                    dataclasses.asdict(b) for b in driver.behaviours if b.role in boundary
                ],
            }
        )
    drivers = [driver_for(uc.id) for uc in claimed]
    return {
        "contract": "amicert vendor contract",
        "amicert_version": __version__,
        "product": {"name": profile.name, "version": profile.version},
        "profile": str(profile.path),
        "boundary": list(profile.boundary),
        "endpoints": {
            "product_services": profile.address + "/<Service>",
            "product_device_protocol": profile.address + "/amicert/device",
            "harness_services": profile.harness_address + "/<Service>",
            "harness_device_protocol": profile.harness_address + "/amicert/device",
            "test_control": profile.test_control,
        },
        "wire": {
            "soap": "SOAP 1.1 POST, Content-Type text/xml; charset=utf-8, SOAPAction quoted; the "
            "body is a 61968-100 message (generic EventMessage/RequestMessage/ResponseMessage, "
            "or the per-noun wrapper form) as the first child of the Body "
            "(cim_schemas/PROFILE.md).",
            "device": "POST of the bare XML message (no SOAP), Content-Type application/xml; "
            "charset=utf-8 (docs/device-protocol.md, cim_schemas/meter/amicert-meter.xsd).",
            "security": "with [security].username, each SOAP request carries a WS-Security "
            "UsernameToken header block (PasswordText); TLS and mTLS as the profile says.",
            "signature": _signature_text(profile),
            "read_timeout_s": profile.timeouts.read_s,
            "max_body_bytes": profile.timeouts.max_body_bytes,
        },
        "use_cases": parts,
        "test_control": _test_control(claimed, drivers, profile),
    }


def _signature_text(profile: SutProfile) -> str:
    """What a product verifying the harness's WS-Security signatures must check, and against
    which certificates."""
    security = profile.security
    trust = (
        f"they hold {security.signing_ca} ([security].signing_ca), the CA of the harness's "
        f"signing certificate {security.signing_cert}"
        if security.signing_cert and security.signing_ca
        else "the harness makes up its signing CA per run, so they hold that CA (read it from "
        "the settings, never pin it; set [security].signing_cert, signing_key and signing_ca "
        "to sign with your own PKI; signing_ca alone names the CA of a Third Party product's "
        "own signatures)"
    )
    return (
        "a request the harness signs carries a wsse:Security header (OASIS WS-Security 1.1, X.509 "
        "Token Profile): the signer's certificate as a BinarySecurityToken (X509v3, Base64Binary) "
        "and a ds:Signature (exclusive C14N, SHA-256 digest, ECDSA-SHA256 or RSA-SHA256) whose "
        "KeyInfo names the token by a SecurityTokenReference and whose one Reference covers the "
        "soap:Body by its wsu:Id. A receiver verifying it must check: exactly one Body, covered "
        "by the Reference; the digest; the signature value under the token's key; the signer's "
        "certificate issued directly by one of the trusted CA certificates (no intermediate: a "
        "chain of length 1) or equal to one, and valid at the wall-clock time of receipt (not "
        "the scenario's virtual time); and a request without a signature is refused whenever "
        "certificates to trust are given. The certificates to trust come with every scenario's "
        "settings while the harness plays the Third Party (wss_trusted, a list of PEM "
        "certificates; an empty list: verify nothing); " + trust + ". A request that fails is "
        "refused: a CIM reply with Result FAILED (not a SOAP Fault; the error code is not "
        "judged, the reference answers 7.4 authentication failure), nothing of it passed on, "
        "and its record in the ccs_transaction_log state query (by its MessageID) has an "
        "authorization field containing 'unauthorized'. The security pack sends four such "
        "requests, each under a fresh MessageID (changed after signing, signed by an untrusted "
        "CA, altered signature value, unsigned): whether a refused one consumes its MessageID, "
        "and whether it counts toward the unauthorized-attempt alarm, is not judged there."
    )


def problems(contract: dict[str, Any]) -> list[str]:
    """What makes a generated contract incomplete: rows without a valid example."""
    found = []
    for uc in contract["use_cases"]:
        for r in uc["rows"]:
            where = f"{uc['id']} row {r['label']} ({r['producer']} -> {r['receiver']})"
            if r.get("example") is None:
                found.append(f"{where}: {r.get('missing_example')}")
            elif not r.get("example_valid"):
                found.append(f"{where}: example does not validate: {r['example_problems'][:2]}")
            reply = r.get("reply") or {}
            if "example" in reply and not reply.get("example_valid"):
                found.append(f"{where}: reply example does not validate")
    return found


def generate(profile: SutProfile, catalog: dict[str, UseCase], out: Path, fmt: str) -> int:
    """The ``contract`` command: 0 when complete, 1 when a row lacks a valid example."""
    boundary = set(profile.boundary)
    ids = [uc.id for uc in catalog.values() if boundary & set(uc.actors)]
    if not ids:
        raise ContractError(f"no use case has an actor of the boundary {sorted(boundary)}")
    contract = build(profile, catalog, reference_run(ids))
    written = write(contract, out, fmt)
    rows = sum(len(uc["rows"]) for uc in contract["use_cases"])
    print(
        f"amicert: contract of {', '.join(profile.boundary)}: {rows} boundary exchanges in "
        f"{', '.join(ids)}; {written[0]} and {len(written) - 1} example files"
    )
    missing = problems(contract)
    for line in missing:
        print(f"amicert: contract incomplete: {line}", file=sys.stderr)
    return 1 if missing else 0


# --- writing ---------------------------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-")


def write(contract: dict[str, Any], out: Path, fmt: str) -> list[Path]:
    """The contract in ``out``: contract.md or contract.json, and every example as a file."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for uc in contract["use_cases"]:
        for r in uc["rows"]:
            if r.get("example"):
                path = (
                    out
                    / "examples"
                    / _slug(uc["id"])
                    / (
                        f"{_slug(r['row'])}-{r['key'].rsplit('/', 1)[1]}-{_slug(r['producer'])}"
                        f"-to-{_slug(r['receiver'])}.xml"
                    )
                )
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(r["example"], encoding="utf-8")
                r["example_file"] = str(path.relative_to(out))
                written.append(path)
    target = out / f"contract.{fmt}"
    if fmt == "json":
        target.write_text(json.dumps(contract, indent=2), encoding="utf-8")
    else:
        target.write_text(markdown(contract), encoding="utf-8")
    return [target, *written]


def _json_block(data: Any) -> str:
    return "```json\n" + json.dumps(data, indent=2) + "\n```\n"


def _xml_block(text: str) -> str:
    return "```xml\n" + text.strip() + "\n```\n"


def markdown(c: dict[str, Any]) -> str:
    """The contract for people: the same content as the JSON form, in reading order."""
    out: list[str] = []
    w = out.append
    w(f"# Vendor contract: {c['product']['name']} {c['product']['version']}\n")
    w(
        f"Generated by amicert {c['amicert_version']} from the use-case catalog and the profile "
        f"`{c['profile']}` (`amicert contract --sut FILE`); regenerate it rather than edit it. "
        f"Boundary (the actors the product plays): {', '.join(c['boundary'])}.\n"
    )
    w("## Endpoints and wire\n")
    w("| what | where |\n|---|---|")
    for k, v in c["endpoints"].items():
        w(f"| {k.replace('_', ' ')} | `{v}` |")
    w("")
    for k in ("soap", "device", "security", "signature"):
        w(f"- **{k}**: {c['wire'][k]}")
    w(
        f"- every HTTP answer within {c['wire']['read_timeout_s']:g} s (timeouts.read_s); bodies "
        f"up to {c['wire']['max_body_bytes']} bytes.\n"
    )
    for uc in c["use_cases"]:
        w(f"## {uc['id']} {uc['title']}\n")
        caps = ", ".join(f"{k} = {str(v).lower()}" for k, v in uc["capabilities"].items())
        w(
            f"Capabilities (PICS): {caps or 'none'}. Scenarios: "
            + ", ".join(f"`{s['id']}`" for s in uc["scenarios"])
            + ".\n"
        )
        w("### Rows crossing the boundary\n")
        w("| row | exchange | direction | producer -> receiver | message | path | SOAPAction |")
        w("|---|---|---|---|---|---|---|")
        for r in uc["rows"]:
            wire = r.get("wire") or {}
            msg = r["message"]
            label = msg.get("root", "").split("}")[-1] or f"{msg.get('verb')} {msg.get('noun')}"
            w(
                f"| {r['row']} | {r['exchange']} | {r['direction']} | {r['producer']} -> "
                f"{r['receiver']} | {label} | `{wire.get('path', wire.get('protocol', ''))}` | "
                f"{('`' + wire['soap_action'] + '`') if wire.get('soap_action') else ''} |"
            )
        w("")
        for r in uc["rows"]:
            _row_markdown(w, uc, r)
        _table(
            w,
            "Rows inside the boundary",
            ["row", "producer -> receiver", "how it is checked"],
            [
                [r["row"], f"{r['producer']} -> {r['receiver']}", r["checked"]]
                for r in uc["inside_boundary"]
            ],
        )
        w("### Settings (test-control configure)\n")
        w(
            "Sent in `configure` at the start of every scenario (keys a scenario does not set "
            "are absent: use the default). `--set KEY=VALUE` adds keys; ignore keys you do not "
            "know.\n"
        )
        w("| key | schema | default | timing | read by | description |\n|---|---|---|---|---|---|")
        for s in uc["settings"]:
            mark = " **(your product)**" if s["drives_the_product"] else ""
            w(
                f"| `{s['name']}` | `{json.dumps(s['schema'])[:120]}` | "
                f"`{json.dumps(s['default'])}` | {'yes' if s['timing'] else ''} | "
                f"{', '.join(s['read_by'])}{mark} | {s['description']} |"
            )
        w("")
        for s in uc["settings"]:
            if len(json.dumps(s["schema"])) > 120:
                w(f"Schema of `{s['name']}`:\n")
                w(_json_block(s["schema"]))
        _table(
            w,
            "What the harness's actors read in your messages",
            ["reader", "message", "field", "what it does"],
            [
                [a["role"], a["message"], f"`{a['field']}`", a["meaning"]]
                for a in uc["actor_inputs"]
            ],
        )
        _table(
            w,
            "Set-ups, faults and checks of the scenarios",
            ["step", "scenarios", "how it is judged"],
            [
                [f"`{k['step']}`", ", ".join(k["scenarios"]), k.get("judged", "")]
                for k in uc["checks"]
            ],
        )
        _table(
            w,
            "What your actors decide, as the harness reads it",
            ["actor", "topic", "what the harness requires or accepts"],
            [[b["role"], b["topic"], b["text"]] for b in uc.get("behaviours", [])],
        )
        t = uc["timing"]
        w("### Timing\n")
        w(f"- {t['rule']}.")
        horizons = ", ".join(f"{k} {v} days" for k, v in t["scenario_horizon_days"].items())
        w(f"- scenario horizons in the reference run: {horizons}.")
        limits = ", ".join(f"`{k}` {json.dumps(v)}" for k, v in t.get("limits", {}).items())
        if limits:
            w(
                f"- deadlines and service levels the judge uses (catalog limits; --set overrides): "
                f"{limits}."
            )
        w(f"- settings that drive timing: {', '.join(f'`{n}`' for n in t['settings'])}.\n")
    _control_markdown(w, c["test_control"])
    return "\n".join(out) + "\n"


def _table(w: Any, heading: str, columns: list[str], lines: list[list[str]]) -> None:
    """A titled Markdown table; nothing at all when there are no lines."""
    if not lines:
        return
    w(f"### {heading}\n")
    w("| " + " | ".join(columns) + " |\n|" + "---|" * len(columns))
    for line in lines:
        w("| " + " | ".join(line) + " |")
    w("")


def _row_markdown(w: Any, uc: dict[str, Any], r: dict[str, Any]) -> None:
    w(f"#### {uc['id']} row {r['label']} ({r['exchange']}): {r['information']}\n")
    w(
        f"{r['description']} Scenarios: {', '.join(r['scenarios'])}. "
        f"{r['producer']} -> {r['receiver']}, {r['direction']}, {r['per']}.\n"
    )
    msg = r["message"]
    if r.get("optional"):
        w(
            "- optional: the document leaves open whether this exchange happens in the scenario; "
            "absent it is no finding, sent it is judged like any other"
        )
    w("- message: " + ", ".join(f"{k} `{v}`" for k, v in msg.items() if k != "keys"))
    if msg.get("keys"):
        w("- correlation keys (XPath): " + ", ".join(f"{k} `{v}`" for k, v in msg["keys"].items()))
    for c in r.get("checked") or []:
        if not c["xpath"]:
            w(f"- checked when it arrives: {c['must_be']}")
            continue
        w(f"- checked: {c['key']} (`{c['xpath']}`) must be {c['must_be']} [{c['rule']}]")
    wire = r.get("wire") or {}
    if wire.get("protocol") == "reply":
        w(f"- on the wire: {wire['form']}")
    elif wire:
        w(f"- on the wire: {wire['method']} `{wire['url']}`")
        for h, v in wire["headers"].items():
            w(f"  - header `{h}: {v}` ({r['headers_required'].get(h, '')})")
    for req in r["requirements"]:
        w(f"- requirement {req['id']}: {req['text']}")
    ref = r.get("reference")
    if ref:
        w(
            f"- reference run: scenario `{ref['scenario']}`, {ref['after_s']:g} s of virtual "
            f"time after the scenario's first message"
        )
    if r.get("broken_on_purpose"):
        rules = ", ".join(f"`{rule}`" for rule in r["broken_on_purpose"])
        w(f"- broken on purpose ({rules}): the receiving product must refuse it")
    if r.get("example"):
        w(f"\nExample (validated; `{r.get('example_file', '')}`):\n")
        w(_xml_block(r["example"]))
    else:
        w(f"\n**No example**: {r.get('missing_example')}\n")
    reply = r.get("reply")
    if reply:
        w(f"Reply: {reply['form']}\n")
        if reply.get("example"):
            w(_xml_block(reply["example"]))


def _control_markdown(w: Any, tc: dict[str, Any]) -> None:
    w("## Test-control interface\n")
    w(
        f"Base URL `{tc['base']}`, JSON both ways. Claimed: "
        + ", ".join(f"{k} = {str(v).lower()}" for k, v in tc["claimed"].items())
        + ".\n"
    )
    w(f"{tc['errors']}\n")
    for step in tc["sequence"]:
        w(f"- {step}")
    w("")
    w("### Clock\n")
    for line in tc["clock"]:
        w(f"- {line}")
    w("")
    w("### Operations\n")
    for op in tc["operations"]:
        w(f"#### {op['method']} {op['path']}\n")
        if op["request_schema"] is not None:
            w("Request schema:\n")
            w(_json_block(op["request_schema"]))
        w("Answer schema:\n")
        w(_json_block(op["answer_schema"]))
    w("### State queries (POST state)\n")
    for q in tc["state_queries"]:
        asked = "asked of your product" if q["asked"] else "not asked of your product"
        w(f"#### `{q['query']}` ({q['role']}; {asked})\n\n{q['description']}\n")
        w("Request:\n")
        w(_json_block(q["request"]))
        w("Answer schema:\n")
        w(_json_block(q["answer_schema"]))
    w("### Named state of your actors (POST state inspect / invoke)\n")
    w(
        'The harness asks `{"query": "inspect", "actor": ROLE, "instance": null, '
        '"name": NAME}`; a value answers `{"kind": "value", "value": ...}`, a method '
        '`{"kind": "method"}`, and then `{"query": "invoke", ..., "args": [...]}` '
        'answers `{"kind": "value", "value": <result>}`. Record fields outside an answer '
        "schema's `required` may be left out.\n"
    )
    for i in tc["inspectables"]:
        args = ", ".join(f"{a['name']}: {json.dumps(a['schema'])}" for a in i["args"])
        w(f"#### {i['role']}: `{i['name']}` ({i['kind']}{'(' + args + ')' if args else ''})\n")
        w(f"{i['description']}\n")
        w(_json_block(i["answer_schema"]))
    if tc["faults"]:
        w("### Faults (POST fault)\n")
        for f in tc["faults"]:
            w(f"- `{f['name']}` on the {f['acts_on']} ({f['use_case']})")
        w("")
