"""Findings: the one shape every check reports in, so reports and verdicts treat them alike."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How much a finding weighs: an error fails the exchange, a warning does not (unless strict)."""

    ERROR = "error"
    WARNING = "warning"


class Blame(StrEnum):
    """Who a finding is about: it decides FAIL (the system under test) from INCONCLUSIVE/ERROR."""

    SUT = "sut"
    INFRASTRUCTURE = "infrastructure"
    HARNESS = "harness"


@dataclass(frozen=True)
class Finding:
    """One observed deviation from a rule.

    ``rule`` is a stable identifier (``XSD-PAYLOAD``, ``ENV-CORRELATION``, ``SEQ-MISSING`` ...);
    ``step`` is the use-case step number the finding belongs to, where one applies.
    """

    rule: str
    severity: Severity
    message: str
    xpath: str | None = None
    step: str | None = None
    expected: str | None = None
    received: str | None = None
    blame: Blame = Blame.SUT
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def at_step(self, step: str) -> Finding:
        """The same finding attributed to a step (findings of a message learn their step late)."""
        return Finding(
            self.rule,
            self.severity,
            self.message,
            self.xpath,
            step,
            self.expected,
            self.received,
            self.blame,
            dict(self.extra),
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity.value
        data["blame"] = self.blame.value
        return {k: v for k, v in data.items() if v not in (None, {}, "")}

    def __str__(self) -> str:
        where = f" at step {self.step}" if self.step else ""
        path = f" [{self.xpath}]" if self.xpath else ""
        text = f"{self.severity.value.upper()} {self.rule}{where}: {self.message}{path}"
        if self.expected is not None or self.received is not None:
            text += f" (expected: {self.expected!s}; received: {self.received!s})"
        return text


def error(rule: str, message: str, **kw: Any) -> Finding:
    return Finding(rule, Severity.ERROR, message, **kw)


def warning(rule: str, message: str, **kw: Any) -> Finding:
    return Finding(rule, Severity.WARNING, message, **kw)


def has_errors(findings: list[Finding], *, strict: bool = False) -> bool:
    """True when any finding fails the check (warnings too when ``strict``)."""
    return any(f.is_error or strict for f in findings)
