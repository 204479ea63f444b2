"""Verdicts: the five outcomes a scenario can have, decided from findings, never asserted."""

from __future__ import annotations

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


def decide(findings: list[Finding], *, harness_error: str | None = None) -> Outcome:
    """Turn a scenario's findings into its verdict.

    A harness exception is ERROR. Otherwise an error of the system under test is FAIL: it was
    observed, whatever else went wrong (reference actors relaying a faulty message deviate as a
    consequence, not as a defect). Errors blamed only on reference actors mean the harness broke
    (ERROR); errors of the infrastructure alone mean the system could not be judged
    (INCONCLUSIVE). Warnings never fail.
    """
    if harness_error:
        return Outcome(Verdict.ERROR, harness_error, "HARNESS", None, findings)
    errors = [f for f in findings if f.is_error]
    for blame, verdict in (
        (Blame.SUT, Verdict.FAIL),
        (Blame.HARNESS, Verdict.ERROR),
        (Blame.INFRASTRUCTURE, Verdict.INCONCLUSIVE),
    ):
        hit = [f for f in errors if f.blame is blame]
        if hit:
            return Outcome(verdict, hit[0].message, hit[0].rule, hit[0].step, findings)
    return Outcome(Verdict.PASS, "", None, None, findings)
