"""Coverage that means something: a requirement is *checked* only when every rule that measures
it exists and has a test proving it fails on a faulty implementation; a row counts as covered
only when its check can see the product, not the harness's own people.

Proofs come from two places: the faulty actors of ``mocks/proofs.py`` (each run by the test
suite) and the mutations the catalog yields (``amicert.mutations``: every kind that applies to a
use case is run on every exchange by the test suite).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from amicert.catalog import INTERNAL, StepRow, UseCase, coverage
from amicert.packages import driver_for

STATUSES = ("checked", "traced", "not traced", "out of scope")


@dataclass(frozen=True)
class RuleProof:
    rule: str
    proven_by: tuple[str, ...]

    @property
    def proven(self) -> bool:
        return bool(self.proven_by)


@dataclass(frozen=True)
class RequirementCoverage:
    id: str
    text: str
    status: str
    traced_to: tuple[str, ...]
    rules: tuple[RuleProof, ...]
    why: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "traced_to": list(self.traced_to),
            "measured_by": [
                {"rule": r.rule, "proven": r.proven, "proven_by": list(r.proven_by)}
                for r in self.rules
            ],
            "why": self.why,
            "text": self.text,
        }


@dataclass
class UseCaseCoverage:
    id: str
    title: str
    scenarios: int
    rows_total: int
    rows_covered: int  # by a scenario, and checked on what the product does
    rows_harness_only: list[str] = field(default_factory=list)  # checks read the harness's own
    requirements: list[RequirementCoverage] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.requirements if r.status == status)

    @property
    def testable(self) -> int:
        return sum(1 for r in self.requirements if r.status != "out of scope")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "scenarios": self.scenarios,
            "steps_total": self.rows_total,
            "steps_covered": self.rows_covered,
            "steps_harness_only": self.rows_harness_only,
            "requirements_total": len(self.requirements),
            "requirements_checked": self.count("checked"),
            "requirements_traced_only": self.count("traced"),
            "requirements_not_traced": self.count("not traced"),
            "requirements_out_of_scope": self.count("out of scope"),
            "requirements": [r.to_dict() for r in self.requirements],
        }


def proven_rules(use_case: UseCase) -> dict[str, list[str]]:
    """Rule -> what proves it fails on a faulty implementation, for one use case."""
    from amicert.headless import cases
    from amicert.mutations import plan

    found: dict[str, list[str]] = {}
    for rule, actors in _faulty(use_case.id).items():
        found.setdefault(rule, []).extend(f"faulty actor {a}" for a in actors)
    # a delay is caught by its deadline's own rule: the rule is the mutation's, not the kind's
    proofs = sorted({(m.kind, m.expected_rule) for m in plan(list(cases(use_case)))})
    for kind, rule in proofs:
        found.setdefault(rule, []).append(f"mutation {kind}")
    return found


def _faulty(use_case: str) -> dict[str, list[str]]:
    try:
        from mocks.proofs import proven_rules
    except ImportError:  # an installation without the harness's own proofs
        return {}
    return proven_rules(use_case)


def harness_only(use_case: UseCase, row: StepRow) -> bool:
    """A row whose only check reads what the harness itself plays."""
    kinds = {a.name: a.kind for a in use_case.actors.values()}
    if row.internal:
        return row.observe.get("state", "") in driver_for(use_case.id).harness_states
    roles = {p.producer for p in row.exchanges} | {p.receiver for p in row.exchanges}
    return all(kinds.get(r) == "operator" for r in roles - {INTERNAL})


def use_case_coverage(use_case: UseCase) -> UseCaseCoverage:
    base = coverage(use_case)
    traced = _traced(use_case)
    proofs = proven_rules(use_case)
    own = [r.number for r in use_case.document_rows if harness_only(use_case, r)]
    result = UseCaseCoverage(
        use_case.id,
        use_case.title,
        base.scenarios,
        base.steps_total,
        base.steps_covered - len(own),
        own,
    )
    for req in use_case.requirements:
        if req.deleted:
            continue
        rules = tuple(RuleProof(r, tuple(proofs.get(r, ()))) for r in req.measured_by)
        if req.out_of_scope:
            status, why = "out of scope", req.out_of_scope
        elif req.id not in traced:
            status, why = "not traced", "no scenario row runs it"
        elif not rules:
            status, why = "traced", "no rule measures it"
        elif not all(r.proven for r in rules):
            unproven = ", ".join(r.rule for r in rules if not r.proven)
            status, why = "traced", f"no test proves {unproven} fails on a faulty implementation"
        else:
            status, why = "checked", ""
        result.requirements.append(
            RequirementCoverage(req.id, req.text, status, req.traced_to, rules, why)
        )
    return result


def _traced(use_case: UseCase) -> set[str]:
    from amicert.catalog import feature_steps

    steps = feature_steps(use_case)
    present = {(s.scenario_id, use_case.key(s.scenario_id, s.number)) for s in steps if s.number}
    out: set[str] = set()
    for req in use_case.requirements:
        refs = [
            (sc, use_case.key(sc, number))
            for sc, number in (t.split(":", 1) for t in req.traced_to if ":" in t)
        ]
        if refs and all(ref in present for ref in refs):
            out.add(req.id)
    return out
