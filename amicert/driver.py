"""The driver shape: what a use-case package gives the generic core.

Named domain operations (pre-conditions, set-ups, triggers, faults), state checks, the reference
actors that play each role, and the state queries a served actor answers through test-control.
Everything else (matching, validation, verdicts, the wire) is generic.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from amicert.findings import Finding

if TYPE_CHECKING:
    from amicert.actors.base import Actor
    from amicert.trace import Exchange
    from amicert.world import World

Operation = Callable[["World"], None]
StateCheck = Callable[["World", str | None], Finding | None]
DeviceCheck = Callable[..., Finding | None]
ArrivalCheck = Callable[["World", str | None, "Exchange"], Finding | None]


class DriverError(Exception):
    """A feature asked for an operation the driver does not have."""


class StateAnswerError(ValueError):
    """A test-control state answer that does not have the shape its query declares."""


@dataclass(frozen=True)
class StateQuery:
    """A named read of an actor's state, the same on both sides of the wire.

    The harness calls ``method`` on a remote actor of ``role``; the proxy asks the product's
    test-control interface for query ``name`` with the actor's instance as ``instance_arg`` and the
    call's positional arguments as ``args``. ``amicert serve`` answers it by calling ``method`` on
    its own actor and passing the result through ``encode``; the proxy turns the JSON answer back
    with ``decode``, which raises StateAnswerError on a malformed answer. ``answer_schema`` (JSON
    Schema) documents the answer in the vendor contract.
    """

    name: str
    role: str
    method: str
    args: tuple[str, ...] = ()
    instance_arg: str | None = None
    encode: Callable[[Any], dict[str, Any]] = field(default=lambda value: {"value": value})
    decode: Callable[[dict[str, Any]], Any] = field(default=lambda answer: answer.get("value"))
    answer_schema: dict[str, Any] = field(default_factory=dict)
    description: str = ""


@dataclass(frozen=True)
class Setting:
    """A scenario setting: sent to the product in test-control ``configure``, read by actors.

    Declared on the driver so the vendor contract lists every key with its JSON Schema instead of
    leaving a vendor to guess. ``timing`` marks a setting that drives a deadline or a window;
    ``read_by`` names the roles whose behaviour it changes.
    """

    name: str
    schema: dict[str, Any]
    description: str
    default: Any = None
    timing: bool = False
    read_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Inspectable:
    """State a check reads, or an action a trigger calls, on an actor by attribute name.

    On a remote actor it goes through test-control's generic ``inspect`` (a ``value`` comes back,
    or ``{"kind": "method"}``) and ``invoke`` (the method's result). ``answer_schema`` is the JSON
    Schema of the value or of the result, ``args`` the positional arguments of a method.
    """

    role: str
    name: str
    kind: str  # "value" or "method"
    answer_schema: dict[str, Any]
    args: tuple[tuple[str, dict[str, Any]], ...] = ()
    description: str = ""


@dataclass(frozen=True)
class ActorInput:
    """What a reference actor reads in a message it receives to decide what it does next.

    A product in the other role must set it as the reference actor expects, or the scenario takes
    another path; the vendor contract lists each one with the message it travels in.
    """

    role: str  # the reference actor that reads it
    message: str  # the catalog message it travels in
    field: str  # where, in the message
    meaning: str


@dataclass(frozen=True)
class Behaviour:
    """A choice the catalog leaves to an actor, answered: what the harness requires or accepts of
    ``role`` on ``topic`` and why (the document's ground). Published in the vendor contract, so a
    vendor reads the rule instead of guessing it from the reference actor."""

    role: str
    topic: str
    text: str


@dataclass(frozen=True)
class KeyCheck:
    """What a message key must say, given what happened in the scenario (``expect`` returns the
    value, or None when there is nothing to compare this time). ``meaning`` is the sentence the
    vendor contract prints beside the key."""

    rule: str
    expect: Callable[[World], str | None]
    meaning: str


@dataclass
class Driver:
    use_case: str
    preconditions: dict[str, Operation] = field(default_factory=dict)
    triggers: dict[str, Operation] = field(default_factory=dict)
    faults: dict[str, Operation] = field(default_factory=dict)
    states: dict[str, StateCheck] = field(default_factory=dict)
    device_checks: list[tuple[re.Pattern[str], DeviceCheck]] = field(default_factory=list)
    setups: list[tuple[re.Pattern[str], Callable[..., None]]] = field(default_factory=list)
    fleet_setups: set[str] = field(default_factory=set)  # patterns whose ``count`` --fleet sets
    fault_roles: dict[str, str] = field(default_factory=dict)  # fault -> the actor it acts on
    reference: dict[str, type[Actor]] = field(default_factory=dict)  # role -> reference actor
    state_queries: dict[str, StateQuery] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)  # settings a served world starts with
    # state checks that read only what the harness itself plays (people, the physical world):
    # rows checked by them are reported as such, never counted as covering the product
    harness_states: set[str] = field(default_factory=set)
    # key -> what the key must say in this world: e.g. the failure class the product reports at
    # each hop must be the one that happened; published in the vendor contract
    key_checks: dict[str, KeyCheck] = field(default_factory=dict)
    # message -> a state check run the moment that message is matched to its row, for the meter
    # it names: what a message claims must already be true when it is sent
    on_arrival: dict[str, ArrivalCheck] = field(default_factory=dict)
    settings: dict[str, Setting] = field(default_factory=dict)  # every key configure may carry
    inspectables: dict[tuple[str, str], Inspectable] = field(default_factory=dict)
    actor_inputs: list[ActorInput] = field(default_factory=list)
    behaviours: list[Behaviour] = field(default_factory=list)
    # requests ("verb Noun") a receiver must accept when they conform: a FAILED or PARTIAL reply
    # to one is the replier's finding (ENV-REPLY-FAILED); a use case where refusing is a valid
    # answer (authorization, rate limits) leaves its requests out
    accepted_requests: set[str] = field(default_factory=set)

    def plays(self, *classes: type[Actor]) -> None:
        """Register reference actors, each by the role it declares."""
        for cls in classes:
            self.reference[cls.role] = cls

    def query(self, query: StateQuery) -> StateQuery:
        self.state_queries[query.name] = query
        return query

    def setting(self, setting: Setting) -> Setting:
        self.settings[setting.name] = setting
        return setting

    def inspectable(self, item: Inspectable) -> Inspectable:
        self.inspectables[(item.role, item.name)] = item
        return item

    def _lookup(self, table: dict[str, Any], kind: str, name: str) -> Any:
        if name not in table:
            known = ", ".join(sorted(table)) or "none"
            raise DriverError(f"{self.use_case} has no {kind} {name!r} (known: {known})")
        return table[name]

    def precondition(self, world: World, text: str) -> None:
        self._lookup(self.preconditions, "pre-condition", text)(world)

    def trigger(self, world: World, number: str) -> None:
        self._lookup(self.triggers, "trigger for step", number)(world)

    def inject(self, world: World, fault: str) -> None:
        self._lookup(self.faults, "fault", fault)(world)

    def device_check(self, text: str) -> tuple[DeviceCheck, dict[str, str]]:
        for pattern, fn in self.device_checks:
            m = pattern.fullmatch(text)
            if m:
                return fn, m.groupdict()
        raise DriverError(f"{self.use_case} has no per-meter check {text!r}")

    def setup(self, world: World, text: str) -> None:
        for pattern, fn in self.setups:
            m = pattern.fullmatch(text)
            if m:
                args = m.groupdict()
                if pattern.pattern in self.fleet_setups and world.options.fleet:
                    args["count"] = str(world.options.fleet)
                fn(world, **args)
                return
        raise DriverError(f"{self.use_case} has no set-up {text!r}")

    def scales(self, text: str) -> bool:
        """Whether this set-up text is one ``--fleet`` resizes."""
        return any(p.pattern in self.fleet_setups and p.fullmatch(text) for p, _ in self.setups)

    def on_device(self, pattern: str) -> Callable[[DeviceCheck], DeviceCheck]:
        def register(fn: DeviceCheck) -> DeviceCheck:
            self.device_checks.append((re.compile(pattern), fn))
            return fn

        return register

    def on_setup(
        self, pattern: str, *, fleet: bool = False
    ) -> Callable[[Callable[..., None]], Callable[..., None]]:
        """Register a set-up; ``fleet=True`` marks one whose ``(?P<count>...)`` group is the
        number of meters in scope, which ``amicert run --fleet N`` replaces."""
        compiled = re.compile(pattern)
        if fleet:
            if "count" not in compiled.groupindex:
                raise ValueError(f"a fleet set-up needs a (?P<count>...) group: {pattern!r}")
            self.fleet_setups.add(pattern)

        def register(fn: Callable[..., None]) -> Callable[..., None]:
            self.setups.append((compiled, fn))
            return fn

        return register
