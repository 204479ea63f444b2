"""Verdicts: the five outcomes a scenario can have, decided from findings, never asserted."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from enum import StrEnum

from amicert.findings import Blame, Finding


class Verdict(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    INCONCLUSIVE = "INCONCLUSIVE"
    NOT_APPLICABLE = "NOT_APPLICABLE"
    ERROR = "ERROR"


@dataclass
class Outcome:
    """A verdict with the reason and the rule or step that decided it."""

    verdict: Verdict
    reason: str = ""
    rule: str | None = None
    step: str | None = None
    findings: list[Finding] = field(default_factory=list)


def decide(
    findings: list[Finding],
    *,
    harness_error: str | None = None,
    order: dict[str, int] | None = None,
    primary: Collection[str] = (),
) -> Outcome:
    """Turn a scenario's findings into its verdict.

    A harness exception is ERROR. Otherwise an error of the system under test is FAIL: it was
    observed, whatever else went wrong (reference actors relaying a faulty message deviate as a
    consequence, not as a defect) -- unless a reference actor went wrong at an earlier row of the
    scenario (``order``: row -> position) than anything the system under test did: then the
    harness broke first and the rest may be its consequence (ERROR). The reason given is the
    earliest of the deciding findings (see ``_rank``), except that a product error under one of
    the scenario's ``primary`` rules (those it is built to provoke, declared in the catalog)
    leads: the sequence deviations of a probe the product let through (a replay confirmed and
    relayed again) are that defect's symptoms, not a cause of their own. Errors blamed only on
    reference actors mean the harness broke (ERROR); errors of the infrastructure alone mean the
    system could not be judged (INCONCLUSIVE). Warnings never fail.
    """
    if harness_error:
        return Outcome(Verdict.ERROR, harness_error, "HARNESS", None, findings)
    errors = [f for f in findings if f.is_error]
    sut_errors = [f for f in errors if f.blame is Blame.SUT]
    if order and sut_errors and all((f.step or "") in order for f in sut_errors):
        # a reference actor that failed to act (not one relaying a deviation) at an earlier row
        # than anything the system under test did wrong: the harness broke first
        missing = [f for f in errors if f.blame is Blame.HARNESS and f.rule == "SEQ-MISSING"]
        ranked = sorted(
            ((order[f.step or ""], f) for f in missing if (f.step or "") in order),
            key=lambda pair: pair[0],
        )
        harness_first = ranked[0][1] if ranked else None
        harness_at = ranked[0][0] if ranked else len(order)
        sut_at = min(order[f.step or ""] for f in sut_errors)
        if harness_first is not None and harness_at < sut_at:
            reason = (
                f"the harness failed first, at step {harness_first.step}: {harness_first.message}"
            )
            return Outcome(Verdict.ERROR, reason, harness_first.rule, harness_first.step, findings)
    for blame, verdict in (
        (Blame.SUT, Verdict.FAIL),
        (Blame.HARNESS, Verdict.ERROR),
        (Blame.INFRASTRUCTURE, Verdict.INCONCLUSIVE),
    ):
        hit = [f for f in errors if f.blame is blame]
        if blame is Blame.SUT and primary:
            hit = [f for f in hit if f.rule in primary] or hit
        if hit:
            first = min(hit, key=lambda f: _rank(f, order)) if order else hit[0]
            return Outcome(verdict, first.message, first.rule, first.step, findings)
    return Outcome(Verdict.PASS, "", None, None, findings)


def _rank(finding: Finding, order: dict[str, int]) -> int:
    """When a finding arose, as far as the scenario's rows tell: its row's place; before every
    row when it came from setting the scenario up; after every row when it names none (end-of-
    scenario checks). The headline is the earliest: a later finding is often its consequence."""
    if finding.extra.get("phase") == "set-up":
        return -1
    if finding.step in order:
        return order[finding.step or ""]
    return len(order)
