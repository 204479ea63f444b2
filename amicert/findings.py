"""Findings: the one shape every check reports in, so reports and verdicts treat them alike."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
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
        pairs = (("expected", self.expected), ("received", self.received))
        shown = [f"{k}: {v}" for k, v in pairs if v is not None]
        if shown:  # never "expected: None"
            text += f" ({'; '.join(shown)})"
        return text


def about_device(finding: Finding, device: str | None) -> Finding:
    """``finding`` marked with the meter it is about (``extra["device"]``), for grouping."""
    if device is None or finding.extra.get("device") == device:
        return finding
    return replace(finding, extra={**finding.extra, "device": device})


GROUP_FROM = 6  # a finding repeated for this many meters or more is reported once, as a group
NAMED = 10  # meters named in a grouped finding's message (all are in extra["devices"])


def group_by_device(findings: list[Finding], *, least: int = GROUP_FROM) -> list[Finding]:
    """Findings that repeat per meter (same rule, step, severity and blame) as one finding each.

    The group keeps the first finding's message, names the first meters and counts them all;
    ``extra["devices"]`` lists every meter it covers, so nothing is lost. Order is kept: a group
    stands where its first finding stood. Findings about no meter are never grouped.
    """
    groups: dict[tuple[str, str | None, Severity, Blame], dict[str, Finding]] = {}
    for f in findings:
        if "device" in f.extra:  # one per meter: the first said it (another check may repeat it)
            groups.setdefault((f.rule, f.step, f.severity, f.blame), {}).setdefault(
                f.extra["device"], f
            )
    out: list[Finding] = []
    done: set[tuple[str, str | None, Severity, Blame]] = set()
    for f in findings:
        key = (f.rule, f.step, f.severity, f.blame)
        members = list(groups.get(key, {}).values()) if "device" in f.extra else []
        if len(members) < least:
            out.append(f)
            continue
        if key in done:
            continue
        done.add(key)
        devices = [m.extra["device"] for m in members]
        named = ", ".join(devices[:NAMED]) + (", ..." if len(devices) > NAMED else "")
        first = members[0]
        extra = {k: v for k, v in first.extra.items() if k != "device"}
        extra.update({"devices": ",".join(devices), "count": str(len(devices))})
        out.append(
            replace(
                first,
                message=f"{first.message} [the same for {len(devices)} meters: {named}]",
                extra=extra,
            )
        )
    return out


def error(rule: str, message: str, **kw: Any) -> Finding:
    return Finding(rule, Severity.ERROR, message, **kw)


def warning(rule: str, message: str, **kw: Any) -> Finding:
    return Finding(rule, Severity.WARNING, message, **kw)


def has_errors(findings: list[Finding], *, strict: bool = False) -> bool:
    """True when any finding fails the check (warnings too when ``strict``)."""
    return any(f.is_error or strict for f in findings)
