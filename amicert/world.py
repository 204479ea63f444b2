"""The world of one scenario run: clock, bus, trace, bound actors, and the checks of each row.

Step definitions stay thin by calling into this object; it holds the logic of waiting (always
bounded), matching and judging.
"""

from __future__ import annotations

import importlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from amicert.actors.base import Actor, ActorContext
from amicert.bus import Bus
from amicert.catalog import ScenarioSpec, StepRow, UseCase
from amicert.cim.validate import Validator
from amicert.clock import MAX_EVENTS, VirtualClock
from amicert.findings import Blame, Finding, about_device, error, group_by_device
from amicert.metrics import Metric
from amicert.operators import unplaced
from amicert.packages import driver_for
from amicert.trace import Analysis, Exchange, Matcher, Trace, extract_keys
from amicert.verdicts import Outcome, Verdict, decide

if TYPE_CHECKING:
    from amicert.adapters.remote import RemoteLink, TestControlClient
    from amicert.config import SutProfile
    from amicert.report.evidence import EvidenceWriter
    from amicert.validation_pool import ValidationPool


class BindingError(Exception):
    """An actor binding that cannot be loaded: names the role and what is wrong."""


class NotApplicable(Exception):
    """The scenario needs a capability the product does not claim (PICS)."""


class StepCheckFailed(AssertionError):
    """A step row's check found errors; carries them so the report can show each one."""

    def __init__(self, number: str, findings: list[Finding]) -> None:
        self.number = number
        self.findings = findings
        lines = "\n".join(f"  - {f}" for f in group_by_device(findings))
        super().__init__(f"step {number} failed:\n{lines}")


ENTRY_POINT_GROUP = "amicert.actors"
ATTACH_ALL_UP_TO = 40  # a step with more exchanges (a fleet) attaches a sample to the report
ATTACH_SAMPLE = 10
EVENTS_PER_METER = 100  # the flood guard's allowance per meter in scope, beyond MAX_EVENTS


def load_actor_class(role: str, spec: str) -> type[Actor]:
    """``module:Class`` or the name of an ``amicert.actors`` entry point -> the actor class."""
    if ":" not in spec:
        from importlib.metadata import entry_points

        found = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == spec]
        if not found:
            raise BindingError(
                f"{role}: expected 'module:Class' or an installed {ENTRY_POINT_GROUP!r} "
                f"entry point, got {spec!r}"
            )
        spec = found[0].value
    module_name, _, class_name = spec.partition(":")
    if not module_name or not class_name:
        raise BindingError(f"{role}: expected 'module:Class', got {spec!r}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise BindingError(f"{role}: cannot import {module_name!r}: {exc}") from None
    cls = getattr(module, class_name, None)
    if not isinstance(cls, type) or not issubclass(cls, Actor):
        raise BindingError(f"{role}: {spec!r} is not an amicert Actor class")
    if cls.role != role:
        raise BindingError(f"{role}: {spec!r} plays {cls.role!r}, not {role!r}")
    return cls


@dataclass
class RunOptions:
    """How a run binds actors.

    ``actor_overrides``: role -> 'module:Class' (python binding). ``profile``: the SUT profile
    whose boundary actors are reached over the wire. ``served``: this World is the system side of
    ``amicert serve`` (its remote actors are the harness's). ``fleet``: the number of meters a
    fleet-scalable set-up puts in scope instead of the feature's. ``settings``: scenario settings
    the user gives (``--set``), applied before the set-up's defaults.
    """

    actor_overrides: dict[str, str] = field(default_factory=dict)
    seed: int = 58
    profile: SutProfile | None = None
    served: bool = False
    run_index: int = 0  # this scenario's place in the run: its identifiers differ from others'
    seen_message_ids: set[str] | None = None  # the run's MessageIDs, unique across scenarios
    fleet: int | None = None  # meters in scope for every fleet-scalable set-up
    require_observed: float | None = None  # share of rows a PASS must have observed (0..1)
    # worker processes validating the messages of scenarios with many meters (None: here)
    validation_pool: ValidationPool | None = None
    # a self-test: the bus changes what ``mutated_role`` sends, which then plays the product
    mutation: Callable[[str, str, bytes], list[bytes]] | None = None
    mutated_role: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)  # scenario settings from the user


class World:
    """One scenario: everything a step needs, created fresh per scenario."""

    def __init__(
        self,
        use_case: UseCase,
        scenario: ScenarioSpec,
        validator: Validator,
        options: RunOptions | None = None,
        reference: dict[str, type[Actor]] | None = None,
    ) -> None:
        self.use_case = use_case
        self.scenario = scenario
        self.options = options or RunOptions()
        self.clock = VirtualClock()
        self.start_time = self.clock.now()
        self.trace = Trace()
        self.bus = Bus(self.clock, self.trace, validator)
        self.bus.accepted = frozenset(driver_for(use_case.id).accepted_requests)
        # every scenario of a run draws other identifiers: a repeat across scenarios is a replay
        self.rng = random.Random(f"{self.options.seed}:{self.options.run_index}")
        if self.options.seen_message_ids is not None:
            self.bus.context.seen_message_ids = self.options.seen_message_ids
        self.settings: dict[str, Any] = {
            **self.options.settings,
            "meters": {},
            "in_scope_meters": [],
        }
        self.devices: list[str] = []
        self.params: dict[str, Any] = {}
        self.horizon = timedelta(days=30)
        self.findings: list[Finding] = []
        self.metrics: list[Metric] = []  # figures the checks measured, met or not
        self.step_findings: dict[str, list[Finding]] = {}
        self.attach: Callable[[str, bytes | str, str], None] = lambda name, body, kind: None
        self._reference = (
            reference if reference is not None else dict(driver_for(use_case.id).reference)
        )
        self.classes: dict[str, type[Actor]] = {}
        profile = self.options.profile
        overrides = dict(self.options.actor_overrides)
        if profile is not None and not self.options.served:
            overrides.update(profile.python_bindings())
        overrides = {
            r: s for r, s in overrides.items() if r in use_case.actors
        }  # others: other use cases
        for role, spec in overrides.items():
            self.classes[role] = load_actor_class(role, spec)
        self.sut_roles = frozenset(overrides)
        if self.options.mutation is not None and self.options.mutated_role:
            self.bus.mutate = self.options.mutation
            self.sut_roles |= {self.options.mutated_role}
        self.remote_roles: frozenset[str] = frozenset()
        self.link: RemoteLink | None = None
        self.control: TestControlClient | None = None
        self.not_observable: dict[str, str] = {}
        self.observed: dict[str, str] = {}  # row -> how it was checked: message, state, effect
        self.na_reason = ""
        self._settled_at = -1
        self.profile: SutProfile | None = None
        if profile is not None:
            self._bind_profile(profile)
        self.lock = self.bus.lock
        self.clock.on_error = self._actor_failed
        self.evidence: EvidenceWriter | None = None  # set by a run that writes reports
        self._progress_done: Callable[[], None] = lambda: None
        self._matcher: Matcher | None = None
        self._arrivals: set[tuple[str, int, str | None]] = set()  # arrival checks already run
        self._matcher_key: tuple[int, int, frozenset[str]] | None = None
        self._ctx = ActorContext(self.clock, self.bus, self.rng, self.settings)
        self._started = False

    def _bind_profile(self, profile: SutProfile) -> None:
        from amicert.adapters.remote import RemoteLink, TestControlClient

        actors = set(self.use_case.actors)
        boundary = set(profile.boundary) & actors
        if self.options.served:
            self.remote_roles = frozenset(actors - boundary)
            address = profile.harness_address
        else:
            self.remote_roles = frozenset(profile.remote_roles() & actors)
            self.sut_roles = frozenset(boundary)
            address = profile.address
            if profile.test_control:
                self.control = TestControlClient(
                    profile.test_control, profile.timeouts, profile.security
                )
        self.link = RemoteLink(
            address,
            profile.timeouts,
            profile.security,
            profile.wsdl_dir,
            self.control,
            sync_clock=profile.claims("clock_control") and not self.options.served,
            queries=driver_for(self.use_case.id).state_queries,
        )
        if self.link.sync_clock and self.control is not None:
            control = self.control
            self.bus.product_clock = lambda: control.synced
        if not profile.claims("clock_control"):
            # the harness's clock is not the SUT's: a freshness check against it would be noise
            self.bus.context.check_replay = False
        self.profile = profile

    def _actor_failed(self, label: str, exc: Exception) -> None:
        """A reference actor's scheduled action broke. The harness's fault, unless the product
        did something wrong first: the verdict weighs it against the product's findings."""
        self.findings.append(
            error(
                "ACTOR-FAILED",
                f"{label or 'a scheduled action'} failed: {type(exc).__name__}: {exc}",
                blame=Blame.HARNESS,
            )
        )

    def bus_id(self) -> str:
        """A fresh message ID from this world's id source."""
        return self._ctx.new_id()

    def is_remote(self, role: str) -> bool:
        return role in self.remote_roles

    def inject_remote(self, role: str, fault: str) -> bool:
        """Inject ``fault`` through test-control when ``role`` is remote; False when it is local.

        A remote product that does not claim fault injection makes the scenario NOT_APPLICABLE.
        """
        if not self.is_remote(role):
            return False
        if (
            self.control is None
            or self.profile is None
            or not self.profile.claims("fault_injection")
        ):
            raise NotApplicable(f"fault {fault!r} needs the fault_injection capability (PICS)")
        self.start()
        self.control.fault(fault, list(self.devices))
        return True

    # --- actors ------------------------------------------------------------------------------
    def start(self) -> None:
        """Bind every actor of the use case: one instance, or one per in-scope meter for devices."""
        if self._started:
            return
        self._started = True
        self._use_pool()
        if self.control is not None:
            # the SUT starts from the same scenario settings (meters, accounts ...) as the harness
            self.control.reset(self.use_case.id)
            self.control.configure(jsonable(self.settings))
        for name, actor in self.use_case.actors.items():
            if actor.kind == "device":
                for dev in self.devices:
                    self.bus.bind(self._class(name)(self._ctx, dev))
            else:
                self.bus.bind(self._class(name)(self._ctx, None))

    def _use_pool(self) -> None:
        """Validate in the run's workers once the fleet in scope is large enough; the flood
        guard's budget of events grows with the fleet (a loop still trips it)."""
        self.clock.max_events = max(
            self.clock.max_events, MAX_EVENTS + EVENTS_PER_METER * len(self.devices)
        )
        pool = self.options.validation_pool
        if self.bus.pool is None and pool is not None and pool.wanted(len(self.devices)):
            self.bus.pool = pool
            self.trace.poll = pool.poll

    def show_progress(self, emit: Callable[[str, bool], None], *, interactive: bool) -> None:
        """Report progress while a large scenario runs (from the first message on)."""
        from amicert.report.progress import SHOW_FROM_METERS, Progress

        label = f"{self.use_case.id} {self.scenario.id}"
        state: dict[str, Progress] = {}

        def on_record(_: Exchange) -> None:
            if "p" not in state:
                if len(self.devices) < SHOW_FROM_METERS:
                    return
                state["p"] = Progress(label, len(self.devices), emit, interactive)
            done = self._matcher.devices_done if self._matcher is not None else 0
            state["p"].tick(len(self.trace), done)

        self.trace.on_record.append(on_record)

        def finished() -> None:
            if "p" in state:
                done = self._matcher.devices_done if self._matcher is not None else 0
                state["p"].messages, state["p"].meters_done = len(self.trace), done
                state["p"].done()

        self._progress_done = finished

    def add_device(self, mrid: str, identity: dict[str, Any]) -> None:
        """Put a meter in scope; its device actors (NIC, metrology board ...) are bound for it."""
        self.devices.append(mrid)
        self.settings["meters"][mrid] = identity
        self.settings["in_scope_meters"] = list(self.devices)
        if self._started:
            self._use_pool()
            if self.control is not None:
                self.control.provision([self._identity(mrid)])
            for name, actor in self.use_case.actors.items():
                if actor.kind == "device":
                    self.bus.bind(self._class(name)(self._ctx, mrid))

    def _identity(self, mrid: str) -> dict[str, Any]:
        return {"mRID": mrid, **self.settings["meters"][mrid]}

    def _class(self, role: str) -> type[Actor]:
        if role in self.remote_roles and self.link is not None:
            from amicert.adapters.remote import bind_link, remote_actor_class

            return bind_link(remote_actor_class(role), self.link)
        cls = self.classes.get(role) or self._reference.get(role)
        if cls is None:
            raise BindingError(f"{role}: no reference implementation and no binding")
        return cls

    def actor(self, role: str, instance: str | None = None) -> Any:
        self.start()
        return self.bus.actor(role, instance)

    def deadline(self) -> datetime:
        return self.start_time + self.horizon

    # --- matching ----------------------------------------------------------------------------
    @property
    def rows(self) -> list[StepRow]:
        """The scenario's rows that can be observed: not those between two remote actors."""
        return [
            self.use_case.row(n)
            for n in self.scenario.steps
            if self.observable(self.use_case.row(n))
        ]

    def observable(self, row: StepRow) -> bool:
        if row.internal:
            return True
        return not (row.producer in self.remote_roles and row.receiver in self.remote_roles)

    def matcher(self) -> Matcher:
        """The scenario's index of matched exchanges; rebuilt only when the meters in scope
        change (set-up), so every exchange is otherwise matched exactly once."""
        meters = self.settings.get("meters") or {}
        key = (len(self.devices), len(meters), self.sut_roles)  # O(1): asked after every event
        if self._matcher is None or self._matcher_key != key:
            known = set(meters)
            self._matcher = Matcher(
                self.trace,
                self.use_case,
                self.rows,
                self.devices,
                self.sut_roles,
                known,
                eager=frozenset(driver_for(self.use_case.id).on_arrival),
            )
            self._matcher.on_match = self._arrived
            self._matcher_key = key
        return self._matcher

    def _arrived(self, row: StepRow, message: str, x: Exchange, device: str | None) -> None:
        """The use case's check of what a message claims, run the moment it is matched."""
        check = driver_for(self.use_case.id).on_arrival.get(message)
        if check is None or (row.number, x.seq, device) in self._arrivals:
            return
        self._arrivals.add((row.number, x.seq, device))
        found = check(self, device, x)
        if found is not None:
            self.findings.append(about_device(found.at_step(row.number), device))

    def analyse(self, *, final: bool = False) -> Analysis:
        with self.lock:
            if self.bus.pool is not None:
                self.bus.pool.drain()  # every verdict in, the run's history applied
            return self.matcher().analysis(final=final)

    def wait_for(self, number: str) -> bool:
        """Run until row ``number`` is complete for every meter; bounded by the horizon."""
        self.start()

        def complete() -> bool:
            with self.lock:
                return self.matcher().complete(number)

        done = self.run_until(complete)
        if self.trace.poll is not None:
            with self.lock:  # what follows (state checks) sees every exchange matched
                self.matcher().sync()
        return done

    def run_until(self, done: Callable[[], bool], until: datetime | None = None) -> bool:
        """Advance time until ``done()``: the local clock, and the SUT's clock when it has one.

        With clock control both clocks move together, event by event (the SUT reports its next
        scheduled event), so days pass in milliseconds on both sides. Without it, the harness waits
        on the wall clock, bounded by the profile's scenario_wall_s.
        """
        deadline = min(until, self.deadline()) if until is not None else self.deadline()
        if self.profile is None or not self.remote_roles:
            return self.clock.run_until(done, deadline)
        wall_end = time.monotonic() + self.profile.timeouts.scenario_wall_s
        if self.control is None or not self.profile.claims("clock_control"):
            while not self.clock.run_until(done, deadline):
                if time.monotonic() > wall_end:
                    return False
                time.sleep(0.05)
            return True
        while not done():
            if self.clock.now() >= deadline or time.monotonic() > wall_end:
                return done()
            remote_next = self.control.advance_to(self.clock.now())
            if done():
                return True
            upcoming = [t for t in (self.clock.next_at(), remote_next) if t is not None]
            self.clock.run_until(done, min([*upcoming, deadline]))
        return True

    def settle(self) -> None:
        """Let the scenario run out to its horizon (bounded), on both sides of the wire.

        Without control of the SUT's clock, "run out" means quiet: nothing new on the wire for
        a quiet period (twice the read timeout, at least one second), within scenario_wall_s.
        """
        self.start()
        if (
            self.profile is None
            or not self.remote_roles
            or (self.control is not None and self.profile.claims("clock_control"))
        ):
            self.run_until(lambda: False)
            return
        if self._settled_at == len(self.trace):
            return  # settled before, and nothing crossed the wire since
        quiet = max(1.0, 2 * self.profile.timeouts.read_s)
        wall_end = time.monotonic() + self.profile.timeouts.scenario_wall_s
        seen, since = -1, time.monotonic()
        while time.monotonic() < wall_end:
            self.clock.run_until(lambda: False, self.deadline())
            if len(self.trace) != seen:
                seen, since = len(self.trace), time.monotonic()
            elif time.monotonic() - since >= quiet:
                self._settled_at = len(self.trace)
                return
            time.sleep(0.05)

    def blame(self, role: str) -> Blame:
        return Blame.SUT if role in self.sut_roles else Blame.HARNESS

    def check_row(
        self, number: str, state_checks: dict[str, Callable[..., Finding | None]]
    ) -> None:
        """The check of one step row. Raises StepCheckFailed when it found errors."""
        row = self.use_case.row(number)
        if number not in self.scenario.steps:
            raise StepCheckFailed(
                number,
                [
                    error(
                        "FEATURE-ROW",
                        f"step {number} is not a row of scenario {self.scenario.id}",
                        blame=Blame.HARNESS,
                    )
                ],
            )
        found: list[Finding] = []
        if not self.observable(row):
            self._not_observable(row, "both actors are inside the vendor boundary")
        elif row.internal:
            found = self._check_internal(row, state_checks)
            if number not in self.not_observable:
                self.observed[number] = "effect" if "effect_of" in row.observe else "state"
        else:
            self.observed[number] = "message"
            complete = self.wait_for(number)
            analysis = self.analyse()
            found = analysis.for_step(number)
            found.extend(self._key_checks(analysis, number))
            self.attach_exchanges(self._exchanges_of(analysis, number))
            if not complete:
                for e in analysis.entries(number):
                    if e.exchange is None and not e.spec.optional:
                        who = f" for meter {e.device}" if e.device else ""
                        missing = error(
                            "SEQ-MISSING",
                            f'the {row.producer} never sent the "{row.information}" to the '
                            f"{row.receiver}{who} within {self.horizon.days} days",
                            step=number,
                            blame=self.blame(row.producer),
                        )
                        found.append(about_device(missing, e.device))
        self.step_findings[number] = found
        if any(f.is_error for f in found):
            raise StepCheckFailed(number, [f for f in found if f.is_error])

    def _key_checks(self, analysis: Analysis, number: str) -> list[Finding]:
        """What the row's messages say against what happened (the use case's key checks)."""
        checks = driver_for(self.use_case.id).key_checks
        found: list[Finding] = []
        for e in analysis.entries(number) if checks else []:
            spec = self.use_case.messages.get(e.spec.message)
            if e.exchange is None or spec is None:
                continue
            for key, check in checks.items():
                rule = check.rule
                want = check.expect(self) if key in spec.keys else None
                if want is None:
                    continue
                got = extract_keys(e.exchange, spec).get(key) or []
                if got != [want]:
                    found.append(
                        error(
                            rule,
                            f"exchange #{e.exchange.seq} from the {e.spec.producer} reports "
                            f"{key} {', '.join(got) or '(none)'}, not what happened",
                            step=number,
                            expected=want,
                            received=", ".join(got) or "(absent)",
                            blame=self.blame(e.spec.producer),
                        )
                    )
        return found

    def _exchanges_of(self, analysis: Analysis, number: str) -> list[Exchange]:
        picked = analysis.exchanges_for(number)
        seqs = {x.seq for x in picked}
        replies = [x for x in self.trace.exchanges if x.in_reply_to in seqs]
        return sorted(picked + replies, key=lambda x: x.seq)

    def _not_observable(self, row: StepRow, why: str) -> None:
        """Reported, never silently passed: the summary and the report list these rows."""
        self.not_observable[row.number] = why
        self.attach(f"step {row.number}: not observable", f"not observable: {why}", "text")

    def _check_internal(
        self, row: StepRow, state_checks: dict[str, Callable[..., Finding | None]]
    ) -> list[Finding]:
        observe = row.observe
        if "effect_of" in observe:
            effect = observe["effect_of"]
            if not self.observable(self.use_case.row(effect)):
                self._not_observable(
                    row, f"its effect, step {effect}, is inside the vendor boundary"
                )
                return []
            if self.wait_for(effect):
                return []
            return [
                error(
                    "SEQ-NO-EFFECT",
                    f"step {row.number} ({row.description}) shows no observable effect: "
                    f"step {effect} never happened",
                    step=row.number,
                    blame=self.blame(row.producer),
                )
            ]
        if "state" in observe:
            if row.producer in self.remote_roles and self.control is None:
                self._not_observable(
                    row,
                    "its state is inside the vendor boundary and no test-control interface is declared",
                )
                return []
            after = observe.get("after")
            if after and self.observable(self.use_case.row(after)):
                self.wait_for(after)
            elif after:
                self.settle()
            check = state_checks.get(observe["state"])
            if check is None:
                return [
                    error(
                        "HARNESS-STATE",
                        f"no state check {observe['state']!r}",
                        step=row.number,
                        blame=Blame.HARNESS,
                    )
                ]
            found = []
            scopes: list[str | None] = list(self.devices) or [None]
            for dev in scopes:
                f = check(self, dev)
                if f is not None:
                    found.append(about_device(f.at_step(row.number), dev))
            return found
        return [
            error(
                "STEP-NOT-OBSERVABLE",
                f"step {row.number} has no message and no declared observation",
                step=row.number,
                blame=Blame.INFRASTRUCTURE,
            )
        ]

    def _judge_states_left(self) -> None:
        """The state rows an earlier failed row kept from being judged, judged now on the whole
        run: in a scenario built to provoke a rule (``primary_rules``), whether the probe got
        through must not depend on where the sequence broke first."""
        from amicert.adapters.remote import TestControlError

        states = driver_for(self.use_case.id).states
        for number in self.scenario.steps:
            row = self.use_case.row(number)
            if number in self.step_findings or not row.internal or "state" not in row.observe:
                continue
            if not self.observable(row):
                continue
            try:
                found = self._check_internal(row, states)
            except TestControlError as exc:  # a wrong answer reaches the verdict on its own
                found = [error("STATE-UNREADABLE", str(exc), blame=Blame.INFRASTRUCTURE)]
            self.step_findings[number] = [f if f.step else f.at_step(number) for f in found]
            if number not in self.not_observable:
                self.observed[number] = "state"

    # --- the end -----------------------------------------------------------------------------
    def finish(self) -> tuple[Outcome, Analysis]:
        """Let the scenario run out (bounded), match the whole trace, and decide the verdict."""
        self.settle()
        if self.bus.pool is not None:
            self.bus.pool.drain()
        if self.scenario.primary_rules:
            self._judge_states_left()
        analysis = self.analyse(final=True)
        self._progress_done()
        every = list(analysis.findings)
        for found in self.step_findings.values():
            every.extend(found)
        every.extend(self.findings)
        actors = [a for role in self.use_case.actors for a in self.bus.instances(role)]
        every.extend(unplaced(actors, self.blame))
        order = {n: i for i, n in enumerate(self.scenario.steps)}
        outcome = decide(_unique(every), order=order, primary=self.scenario.primary_rules)
        outcome.findings = group_by_device(outcome.findings)
        return self._sufficient(outcome), analysis

    def basis(self) -> dict[str, int]:
        """What a verdict rests on: the scenario's rows by how each was observed."""
        counts = {"rows": len(self.scenario.steps), "message": 0, "state": 0, "effect": 0}
        for how in self.observed.values():
            counts[how] += 1
        counts["not_observable"] = len(self.not_observable)
        counts["not_checked"] = (
            counts["rows"] - sum(counts[k] for k in ("message", "state", "effect"))
        ) - counts["not_observable"]
        counts["observed"] = counts["message"] + counts["state"] + counts["effect"]
        return counts

    def _sufficient(self, outcome: Outcome) -> Outcome:
        """A PASS below the run's required share of observed rows cannot certify: INCONCLUSIVE."""
        need = self.options.require_observed
        basis = self.basis()
        if need is None or outcome.verdict is not Verdict.PASS or not basis["rows"]:
            return outcome
        share = basis["observed"] / basis["rows"]
        if share + 1e-9 >= need:
            return outcome
        finding = error(
            "EVIDENCE-INSUFFICIENT",
            f"only {basis['observed']} of {basis['rows']} rows were observed "
            f"({basis['not_observable']} not observable at this boundary); "
            f"the run requires {need:.0%}",
            expected=f"at least {need:.0%} of the rows observed",
            received=f"{share:.0%}",
            blame=Blame.INFRASTRUCTURE,
        )
        return Outcome(
            Verdict.INCONCLUSIVE,
            finding.message,
            finding.rule,
            None,
            [*outcome.findings, finding],
        )

    def attach_exchanges(self, exchanges: list[Exchange]) -> None:
        """Attach a step's exchanges to the report: all of them when few; for a fleet, a sample
        (the first ones and those with errors) and a note: every one is in the evidence."""
        if len(exchanges) <= ATTACH_ALL_UP_TO:
            for x in exchanges:
                self.attach_exchange(x)
            return
        faulty = [x for x in exchanges if any(f.is_error for f in x.findings)]
        sample = {x.seq: x for x in [*exchanges[:ATTACH_SAMPLE], *faulty[:ATTACH_SAMPLE]]}
        for x in sorted(sample.values(), key=lambda x: x.seq):
            self.attach_exchange(x)
        where = f" in {self.evidence.folder}" if self.evidence is not None else ""
        self.attach(
            f"{len(exchanges)} exchanges, {len(sample)} attached",
            f"{len(exchanges)} exchanges at this step ({len(faulty)} with errors); "
            f"{len(sample)} are attached here. Every one is kept in the evidence{where}: "
            "`amicert extract FOLDER N` gives exchange #N byte for byte.",
            "text",
        )

    def attach_exchange(self, x: Exchange) -> None:
        arrow = f"#{x.seq} {x.producer} -> {x.receiver}"
        who = f" [{x.producer_id or x.receiver_id}]" if (x.producer_id or x.receiver_id) else ""
        self.attach(f"{arrow}: {x.label}{who}", x.body, "xml")
        if x.findings:
            self.attach(f"#{x.seq} findings", "\n".join(str(f) for f in x.findings), "text")


def jsonable(value: Any) -> Any:
    """The JSON-representable part of ``value`` (objects such as a physical world are left out)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items() if _is_plain(v)}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value if _is_plain(v)]
    return value


def _is_plain(value: Any) -> bool:
    if isinstance(value, (dict, list, tuple)):
        return True
    return value is None or isinstance(value, (str, int, float, bool))


def _unique(findings: list[Finding]) -> list[Finding]:
    """Each finding once (a step's check and the final analysis may both report it); the same
    words about two meters are two findings."""
    seen: set[tuple[str, str | None, str, str | None]] = set()
    out = []
    for f in findings:
        key = (f.rule, f.step, f.message, f.extra.get("device"))
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
