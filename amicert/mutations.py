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
- ``drop``: the message never sent.

Each mutation states what must follow (verdict FAIL, the rule, the row, blame on the product) and
:func:`verify` says what did not.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from lxml import etree

from amicert.catalog import MessageSpec, Part, UseCase
from amicert.cim.nouns import END_DEVICE_EVENTS_NS
from amicert.cim.validate import ValidationContext, Validator
from amicert.cim.xmlsafe import XmlSafetyError, parse_xml
from amicert.findings import Blame
from amicert.trace import Exchange, content_deviations, extract_keys
from amicert.verdicts import Outcome, Verdict

if TYPE_CHECKING:
    from amicert.headless import ScenarioCase

KINDS = ("wrong-code", "other-device", "wrong-correlation", "duplicate", "drop")
OUT_OF_SCOPE = "OUT-OF-SCOPE-0001"
FOREIGN_CORRELATION = "00000000-0000-4000-8000-0000000c0ffe"

EXPECTED_RULE = {
    "wrong-code": "PROFILE-EVENT-CODE",
    "other-device": "SEQ-UNEXPECTED-DEVICE",
    "wrong-correlation": "SEQ-CORRELATION",
    "duplicate": "SEQ-DUPLICATE",
    "drop": "SEQ-MISSING",
}


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

    @property
    def id(self) -> str:
        return f"{self.case.use_case.id}:{self.case.id}:{self.row}#{self.part}:{self.kind}"

    @property
    def expected_rule(self) -> str:
        return EXPECTED_RULE[self.kind]


def plan(cases: list[ScenarioCase], kinds: tuple[str, ...] = KINDS) -> list[Mutation]:
    """Every mutation that applies to the exchanges of these scenarios."""
    found: list[Mutation] = []
    for case in cases:
        uc = case.use_case
        rows = [uc.row(n) for n in case.spec.steps]
        established: set[str] = set()  # correlation keys some earlier exchange carried
        for row in rows:
            for i, part in enumerate(row.exchanges):
                spec = uc.messages[part.message]
                for kind in kinds:
                    if _applies(kind, uc, part, spec, established, row.repeatable):
                        found.append(
                            Mutation(
                                case, row.number, i, kind, part.producer, part.receiver, spec.name
                            )
                        )
                established.update(k for k in uc.correlation_keys if k in spec.keys)
    return found


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
    return kind == "duplicate"


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

    def __call__(self, producer: str, receiver: str, body: bytes) -> list[bytes]:
        m = self.mutation
        if self.applied or producer != m.producer or receiver != m.receiver:
            return [body]
        spec = m.case.use_case.messages[m.message]
        probe = Exchange(0, producer, receiver, body, datetime.now(UTC), 0.0)
        probe.info = self.validator.validate(body, ValidationContext()).info
        if content_deviations(probe, spec):
            return [body]  # another message between the same actors
        changed = self._change(body, probe, spec)
        if changed is None:  # e.g. a customer's report names no meter to swap
            self.inapplicable.append(m.kind)
            return [body]
        self.applied.append(m.kind)
        return changed

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
    hits = [
        f
        for f in outcome.findings
        if f.rule == mutation.expected_rule and f.step == mutation.row and f.is_error
    ]
    if not hits:
        seen = sorted({f"{f.rule}@{f.step}" for f in outcome.findings if f.is_error})
        return f"no {mutation.expected_rule} error at step {mutation.row} (errors: {seen})"
    if not any(f.blame is Blame.SUT for f in hits):
        return f"{mutation.expected_rule} at step {mutation.row} is not blamed on the product"
    return None


def run(mutation: Mutation, validator: Validator) -> Result:
    """Run the mutated scenario and judge whether the harness caught the mutation."""
    from amicert.headless import run_case
    from amicert.world import RunOptions

    mutator = Mutator(mutation, validator)
    options = RunOptions(mutation=mutator, mutated_role=mutation.producer)
    outcome, _ = run_case(mutation.case, validator, options)
    applied = bool(mutator.applied)
    if not applied and mutator.inapplicable:
        return Result(mutation, outcome, False, None, applicable=False)
    return Result(mutation, outcome, applied, verify(mutation, outcome, applied))


def run_all(mutations: list[Mutation], validator: Validator) -> Iterator[Result]:
    for m in mutations:
        yield run(m, validator)
