"""Faults derived from the catalog: every exchange of every scenario, got wrong the ways a product
could get it wrong, must end in FAIL on the product with the rule that names the defect.

A conformance harness is only as good as the faults it catches. Hand-written faulty actors prove
the behaviour no message change expresses; these prove the message checks, for every row, without
anyone writing a variant: the reference actor that produces the row's exchange plays the product,
and the bus changes what it sends (one exchange: the row's first):

- ``wrong-code``: an event code the row allows replaced by another the use case uses;
- ``other-device``: the meter the message names replaced by one out of scope;
- ``wrong-correlation``: the correlation value (a campaign, a CorrelationID) replaced;
- ``duplicate``: the message sent twice;
- ``drop``: the message never sent;
- ``delay``: the message sent later than the row's deadline allows (only rows the catalog gives
  a deadline, ``limits.deadlines``, never a reference actor's pace), caught by the deadline's rule;
- ``reorder``: the message held back until the product has sent the next exchange the use case
  orders after it (the product's own next message, sent right after it), caught as ``SEQ-ORDER``
  at that next row.

Each mutation states what must follow (verdict FAIL, the rule, the row, blame on the product) and
:func:`verify` says what did not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from lxml import etree

from amicert.catalog import CatalogError, MessageSpec, Part, UseCase
from amicert.cim.nouns import END_DEVICE_EVENTS_NS
from amicert.cim.validate import ValidationContext, Validator
from amicert.cim.xmlsafe import XmlSafetyError, parse_xml
from amicert.findings import Blame
from amicert.trace import Exchange, content_deviations, extract_keys
from amicert.verdicts import Outcome, Verdict

if TYPE_CHECKING:
    from amicert.actors.base import Actor
    from amicert.headless import ScenarioCase
    from amicert.world import World

KINDS = ("wrong-code", "other-device", "wrong-correlation", "duplicate", "drop", "delay", "reorder")
# the kinds whose finding must also say what was expected and what was received
DETAILED = ("delay", "reorder")
LATE_BY = timedelta(minutes=1)  # how far past its deadline a delayed message arrives
OUT_OF_SCOPE = "OUT-OF-SCOPE-0001"
FOREIGN_CORRELATION = "00000000-0000-4000-8000-0000000c0ffe"

EXPECTED_RULE = {
    "wrong-code": "PROFILE-EVENT-CODE",
    "other-device": "SEQ-UNEXPECTED-DEVICE",
    "wrong-correlation": "SEQ-CORRELATION",
    "duplicate": "SEQ-DUPLICATE",
    "drop": "SEQ-MISSING",
    "reorder": "SEQ-ORDER",
}


@dataclass(frozen=True)
class Deadline:
    """A catalog deadline: ``message`` at row ``row`` is due within ``within`` (of whatever the
    row's use case measures it from), and ``rule`` is the check that holds it to that."""

    row: str
    message: str
    within: timedelta
    rule: str
    scenarios: tuple[str, ...] = ()  # the scenarios that measure it; empty: every one


def deadlines(uc: UseCase) -> list[Deadline]:
    """The deadlines ``limits.deadlines`` of the catalog declares; ``within_s`` is a number of
    seconds or the name of another limit that is one; ``scenarios``, where given, the only
    scenarios whose features measure it."""
    raw = uc.limits.get("deadlines") or []
    if not isinstance(raw, list):
        raise CatalogError(uc.path, "limits.deadlines", "expected a list")
    found: list[Deadline] = []
    for i, entry in enumerate(raw):
        where = f"limits.deadlines[{i}]"
        if not isinstance(entry, dict) or not {"row", "message", "within_s", "rule"} <= set(entry):
            raise CatalogError(uc.path, where, "expected row, message, within_s and rule")
        row, message = str(entry["row"]), str(entry["message"])
        if row not in uc.rows or message not in {p.message for p in uc.rows[row].exchanges}:
            raise CatalogError(uc.path, where, f"row {row} has no message {message!r}")
        within = entry["within_s"]
        seconds = uc.limits.get(within) if isinstance(within, str) else within
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds <= 0:
            raise CatalogError(uc.path, where, f"within_s {within!r} is no positive seconds")
        scenarios = tuple(str(x) for x in entry.get("scenarios") or ())
        if unknown := [x for x in scenarios if x not in uc.scenarios]:
            raise CatalogError(uc.path, where, f"no scenario {', '.join(unknown)}")
        found.append(
            Deadline(row, message, timedelta(seconds=seconds), str(entry["rule"]), scenarios)
        )
    return found


@dataclass(frozen=True)
class Mutation:
    """One exchange of one scenario, changed one way, and what the harness must then say."""

    case: ScenarioCase
    row: str
    part: int
    kind: str
    producer: str
    receiver: str
    message: str
    deadline: Deadline | None = None  # delay: the deadline the message misses
    then: Successor | None = None  # reorder: the exchange sent before this one

    @property
    def id(self) -> str:
        return f"{self.case.use_case.id}:{self.case.id}:{self.row}#{self.part}:{self.kind}"

    @property
    def expected_rule(self) -> str:
        if self.deadline is not None:
            return self.deadline.rule
        return EXPECTED_RULE[self.kind]

    @property
    def expected_step(self) -> str:
        """The row the finding must name: the next row, for an order broken by sending it first."""
        return self.then.row if self.then is not None else self.row


@dataclass(frozen=True)
class Successor:
    """The exchange a reorder sends first: the same producer's next one in the use case."""

    row: str
    receiver: str
    message: str


def plan(cases: list[ScenarioCase], kinds: tuple[str, ...] = KINDS) -> list[Mutation]:
    """Every mutation that applies to the exchanges of these scenarios."""
    found: list[Mutation] = []
    for case in cases:
        uc = case.use_case
        due = {(d.row, d.message): d for d in deadlines(uc)}
        # the scenario's exchanges in order; an internal row is a None: an action between them
        parts: list[tuple[str, int, Part | None, bool]] = [
            (row.number, i, p, row.repeatable)
            for row in (uc.row(n) for n in case.spec.steps)
            for i, p in (enumerate(row.exchanges) if not row.internal else [(0, None)])
        ]
        established: set[str] = set()  # correlation keys some earlier exchange carried
        for at, (number, i, part, repeatable) in enumerate(parts):
            if part is None:
                continue
            spec = uc.messages[part.message]
            then = _successor(parts, at)
            deadline = due.get((number, part.message))
            if (
                deadline is not None
                and deadline.scenarios
                and case.spec.id not in deadline.scenarios
            ):
                deadline = None
            for kind in kinds:
                if (kind == "delay" and deadline is None) or (kind == "reorder" and then is None):
                    continue
                if _applies(kind, uc, part, spec, established, repeatable):
                    found.append(
                        Mutation(
                            case,
                            number,
                            i,
                            kind,
                            part.producer,
                            part.receiver,
                            spec.name,
                            deadline if kind == "delay" else None,
                            then if kind == "reorder" else None,
                        )
                    )
            established.update(k for k in uc.correlation_keys if k in spec.keys)
    return found


def _successor(parts: list[tuple[str, int, Part | None, bool]], at: int) -> Successor | None:
    """The exchange right after ``parts[at]`` in the scenario, when the same producer sends it
    and nothing happens in between: a product can send it first (not what answers or follows
    from its message)."""
    part = parts[at][2]
    if part is None or at + 1 >= len(parts):
        return None
    number, _, nxt, again = parts[at + 1]
    if nxt is None or nxt.reply or nxt.producer != part.producer or nxt.per != part.per:
        return None
    if again or parts[at][3]:
        return None  # a repeatable row interleaves with its neighbours: no one order to break
    return Successor(number, nxt.receiver, nxt.message)


def _applies(
    kind: str,
    uc: UseCase,
    part: Part,
    spec: MessageSpec,
    established: set[str],
    repeatable: bool = False,
) -> bool:
    if part.reply:
        return False  # a synchronous answer is mutated with its request, never alone
    if repeatable and kind in ("duplicate", "drop"):
        return False  # the row may happen again: one more or one less of it is no defect
    if kind == "wrong-code":
        return bool(spec.cim.get("event_codes")) and bool(_wrong_codes(uc, spec))
    if kind == "other-device":
        return uc.device_key in spec.keys
    if kind == "wrong-correlation":
        return any(k in spec.keys and k in established for k in uc.correlation_keys)
    if kind == "drop":
        return not part.optional  # an optional exchange absent is a conforming reading
    return kind in ("duplicate", "delay", "reorder")


def _codes(uc: UseCase) -> list[str]:
    return sorted(
        {str(c) for spec in uc.messages.values() for c in spec.cim.get("event_codes", ())}
    )


def _wrong_codes(uc: UseCase, spec: MessageSpec) -> list[str]:
    """Codes the use case uses elsewhere that this message must not carry."""
    allowed = {str(c) for c in spec.cim.get("event_codes", ())}
    return [c for c in _codes(uc) if c not in allowed]


@dataclass
class Mutator:
    """The bus hook: recognises the mutation's exchange and changes it, once."""

    mutation: Mutation
    validator: Validator
    applied: list[str] = field(default_factory=list)
    inapplicable: list[str] = field(default_factory=list)  # seen, but nothing to change
    held: _Held | None = None  # reorder: the message waiting for the next one to go first
    _send: Callable[[_Held], None] = field(default=lambda msg: None, repr=False)

    def __call__(self, producer: str, receiver: str, body: bytes) -> list[bytes]:
        m = self.mutation
        if self.applied or m.kind in TIMED:
            return [body]  # the timed kinds act in :meth:`attach`, when a message is posted
        probe = self._probe(producer, receiver, body, m.receiver, m.message)
        if probe is None:
            return [body]  # another message
        spec = m.case.use_case.messages[m.message]
        changed = self._change(body, probe, spec)
        if changed is None:  # e.g. a customer's report names no meter to swap
            self.inapplicable.append(f"the message has nothing the {m.kind} mutation changes")
            return [body]
        self.applied.append(m.kind)
        return changed

    def _probe(
        self, producer: str, receiver: str, body: bytes, want_receiver: str, message: str
    ) -> Exchange | None:
        """The message as an exchange when it is ``message`` from the mutated producer to
        ``want_receiver``; None when it is another."""
        if producer != self.mutation.producer or receiver != want_receiver:
            return None
        probe = Exchange(0, producer, receiver, body, datetime.now(UTC), 0.0)
        probe.info = self.validator.validate(body, ValidationContext()).info
        if content_deviations(probe, self.mutation.case.use_case.messages[message]):
            return None
        return probe

    def attach(self, world: World) -> None:
        """The timed kinds change when a message goes out, so they sit on the bus's ``post``
        and ``call`` (a synchronous request cannot be sent late or held: its producer waits)."""
        if self.mutation.kind not in TIMED:
            return
        bus = world.bus
        post, call = bus.post, bus.call
        self._send = lambda msg: post(msg.producer, msg.receiver, msg.body, **msg.options())

        def timed_post(
            producer: Actor,
            receiver: str,
            body: bytes,
            *,
            receiver_id: str | None = None,
            delay: timedelta = timedelta(0),
        ) -> None:
            for sent in self._timed(_Held(producer, receiver, body, receiver_id, delay)):
                self._send(sent)

        def timed_call(
            producer: Actor, receiver: str, body: bytes, *, receiver_id: str | None = None
        ) -> bytes | None:
            held = self._timed_call(_Held(producer, receiver, body, receiver_id, timedelta(0)))
            if held is not None and held.delay:  # sent late: its answer comes too late to use

                def late() -> None:
                    call(producer, receiver, body, receiver_id=receiver_id)

                world.clock.call_later(held.delay, late, f"{producer.role} -> {receiver}")
                return None
            reply = call(producer, receiver, body, receiver_id=receiver_id)
            if held is not None:  # the successor went first, request and answer
                self._send(held)
            return reply

        bus.post = timed_post  # type: ignore[method-assign]
        bus.call = timed_call  # type: ignore[method-assign]

    def _timed(self, msg: _Held) -> list[_Held]:
        """What goes out, and when, for one posted message."""
        m = self.mutation
        if self.applied:
            return [msg]
        if self.held is None:
            probe = self._probe(msg.producer.role, msg.receiver, msg.body, m.receiver, m.message)
            if probe is None:
                return [msg]
            if m.deadline is not None:  # delay
                self.applied.append(m.kind)
                return [msg.later(msg.delay + m.deadline.within + LATE_BY)]
            self.held = msg.about(_device(probe, m.case.use_case, m.message))
            return []
        held = self._successor_of_held(msg)
        if held is None:
            return [msg]
        return [msg, held.later(max(held.delay, msg.delay))]  # the successor first

    def _timed_call(self, msg: _Held) -> _Held | None:
        """For a synchronous request: itself, delayed, when it is to be sent late; else the held
        message to send once it is answered, if it is the successor. A request cannot be held
        back for its successor: its producer waits for the answer."""
        m = self.mutation
        if self.applied:
            return None
        if self.held is None:
            if self._probe(msg.producer.role, msg.receiver, msg.body, m.receiver, m.message):
                if m.deadline is not None:
                    self.applied.append(m.kind)
                    return msg.later(m.deadline.within + LATE_BY)
                self.inapplicable.append(SYNCHRONOUS)
            return None
        return self._successor_of_held(msg)

    def _successor_of_held(self, msg: _Held) -> _Held | None:
        """The held message, released, when ``msg`` is the successor it waits for (same meter)."""
        m, held = self.mutation, self.held
        assert m.then is not None and held is not None
        probe = self._probe(
            msg.producer.role, msg.receiver, msg.body, m.then.receiver, m.then.message
        )
        if probe is None or _device(probe, m.case.use_case, m.then.message) != held.device:
            return None
        self.held = None
        self.applied.append(m.kind)
        return held

    def _change(self, body: bytes, probe: Exchange, spec: MessageSpec) -> list[bytes] | None:
        kind = self.mutation.kind
        if kind == "drop":
            return []
        if kind == "duplicate":
            return [body, body]
        keys = extract_keys(probe, spec)
        if kind == "other-device":
            device_key = self.mutation.case.use_case.device_key
            return _replace(body, (keys.get(device_key) or [""])[0], OUT_OF_SCOPE)
        if kind == "wrong-correlation":
            for key in self.mutation.case.use_case.correlation_keys:
                values = keys.get(key) or []
                if values:
                    return _replace(body, values[0], FOREIGN_CORRELATION)
            return None
        if kind == "wrong-code":
            return _other_code(body, _wrong_codes(self.mutation.case.use_case, spec))
        raise ValueError(f"unknown mutation {kind!r}")


TIMED = ("delay", "reorder")
SYNCHRONOUS = "a synchronous request: its producer waits for the answer, so cannot hold it back"


@dataclass(frozen=True)
class _Held:
    """One posted message, as the bus's ``post`` was given it."""

    producer: Actor
    receiver: str
    body: bytes
    receiver_id: str | None
    delay: timedelta
    device: str | None = None  # the meter it is about, where the message names one

    def later(self, delay: timedelta) -> _Held:
        return _Held(self.producer, self.receiver, self.body, self.receiver_id, delay, self.device)

    def about(self, device: str | None) -> _Held:
        return _Held(self.producer, self.receiver, self.body, self.receiver_id, self.delay, device)

    def options(self) -> dict[str, Any]:
        return {"receiver_id": self.receiver_id, "delay": self.delay}


def _device(probe: Exchange, uc: UseCase, message: str) -> str | None:
    """The meter a message names (its first), so a reorder swaps exchanges of one meter."""
    return next(iter(extract_keys(probe, uc.messages[message]).get(uc.device_key) or []), None)


def _replace(body: bytes, old: str, new: str) -> list[bytes] | None:
    if not old or old.encode() not in body:
        return None
    return [body.replace(old.encode(), new.encode())]


def _other_code(body: bytes, codes: list[str]) -> list[bytes] | None:
    try:
        root = parse_xml(body)
    except XmlSafetyError:
        return None
    changed = False
    for el in root.iter(f"{{{END_DEVICE_EVENTS_NS}}}EndDeviceEventType"):
        if codes:
            el.set("ref", codes[0])
            changed = True
    if not changed:
        return None
    return [bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))]


@dataclass(frozen=True)
class Result:
    mutation: Mutation
    outcome: Outcome
    applied: bool
    problem: str | None  # None: caught as it must be (or not applicable)
    applicable: bool = True  # False: the exchange has nothing this mutation changes
    why: str = ""  # why it was not applicable

    @property
    def caught(self) -> bool:
        return self.applicable and self.problem is None

    @property
    def missed(self) -> bool:
        return self.applicable and self.problem is not None


def verify(mutation: Mutation, outcome: Outcome, applied: bool) -> str | None:
    """Why the outcome is not the one the mutation demands; None when it is."""
    if not applied:
        return "the exchange never occurred, so it could not be changed"
    if outcome.verdict is not Verdict.FAIL:
        return f"verdict {outcome.verdict.value} ({outcome.rule}: {outcome.reason[:200]})"
    rule, step = mutation.expected_rule, mutation.expected_step
    hits = [f for f in outcome.findings if f.rule == rule and f.step == step and f.is_error]
    if not hits:
        seen = sorted({f"{f.rule}@{f.step}" for f in outcome.findings if f.is_error})
        return f"no {rule} error at step {step} (errors: {seen})"
    hits = [f for f in hits if f.blame is Blame.SUT]
    if not hits:
        return f"{rule} at step {step} is not blamed on the product"
    if mutation.kind in DETAILED and not any(f.expected and f.received for f in hits):
        return f"{rule} at step {step} does not say what was expected and what was received"
    return None


def run(mutation: Mutation, validator: Validator) -> Result:
    """Run the mutated scenario and judge whether the harness caught the mutation."""
    from amicert.headless import run_case
    from amicert.world import RunOptions

    mutator = Mutator(mutation, validator)
    options = RunOptions(mutation=mutator, mutated_role=mutation.producer)
    outcome, _ = run_case(mutation.case, validator, options, prepare=mutator.attach)
    applied = bool(mutator.applied)
    if not applied and mutator.inapplicable:
        return Result(mutation, outcome, False, None, False, mutator.inapplicable[0])
    if mutator.held is not None:
        then = mutation.then.row if mutation.then else "?"
        problem = f"held back, but the exchange of step {then} never came to be sent first"
        return Result(mutation, outcome, False, problem)
    return Result(mutation, outcome, applied, verify(mutation, outcome, applied))


def run_all(mutations: list[Mutation], validator: Validator) -> Iterator[Result]:
    for m in mutations:
        yield run(m, validator)
