"""Certification summary and evidence: what a utility hands to a vendor after a run.

summary.json is for machines, summary.md for people; exchanges/ keeps every captured message
byte for byte with its findings, so any verdict can be re-checked from the evidence.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from amicert import __version__
from amicert.findings import Blame, Finding, error
from amicert.report import escape as esc
from amicert.transport.redact import Redactor
from amicert.verdicts import Outcome, Verdict

if TYPE_CHECKING:
    from amicert.world import World


@dataclass
class ScenarioResult:
    use_case: str
    scenario_id: str
    scenario: str
    harness_added: bool
    verdict: Verdict
    reason: str = ""
    rule: str | None = None
    step: str | None = None
    findings: list[Finding] = field(default_factory=list)
    exchanges: int = 0
    sut_roles: list[str] = field(default_factory=list)
    virtual_duration_s: float = 0.0
    evidence: str | None = None
    not_observable: dict[str, str] = field(default_factory=dict)
    basis: dict[str, int] = field(default_factory=dict)  # rows by how they were observed
    example: str = ""  # an outline example, named by its parameters
    duration_s: float = 0.0  # wall time
    metrics: list[dict[str, Any]] = field(default_factory=list)  # figures measured, met or not

    @property
    def unseen(self) -> int:
        """Rows the verdict does not rest on (not observable, or never reached)."""
        return self.basis.get("rows", 0) - self.basis.get("observed", 0) if self.basis else 0

    wall_s: float = 0.0  # wall-clock time the scenario took

    @classmethod
    def from_world(cls, world: World, outcome: Outcome, name: str) -> ScenarioResult:
        result = cls(
            use_case=world.use_case.id,
            scenario_id=world.scenario.id,
            scenario=name,
            harness_added=world.scenario.harness_added,
            verdict=outcome.verdict,
            exchanges=len(world.trace),
            sut_roles=sorted(world.sut_roles),
            virtual_duration_s=(world.clock.now() - world.start_time).total_seconds(),
            not_observable=dict(world.not_observable),
            basis=world.basis(),
            metrics=[m.to_dict() for m in world.metrics],
        )
        result.apply(outcome)
        return result

    def apply(self, outcome: Outcome) -> None:
        self.verdict = outcome.verdict
        self.reason = outcome.reason
        self.rule = outcome.rule
        self.step = outcome.step
        self.findings = list(outcome.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "use_case": self.use_case,
            "scenario_id": self.scenario_id,
            "scenario": self.scenario,
            "harness_added": self.harness_added,
            "verdict": self.verdict.value,
            "reason": self.reason,
            "rule": self.rule,
            "step": self.step,
            "findings": [f.to_dict() for f in self.findings],
            "exchanges": self.exchanges,
            "sut_roles": self.sut_roles,
            "virtual_duration_s": self.virtual_duration_s,
            "evidence": self.evidence,
            "not_observable": self.not_observable,
            "basis": self.basis,
            "metrics": self.metrics,
            "example": self.example,
            "duration_s": round(self.duration_s, 3),
            "wall_s": round(self.wall_s, 3),
        }


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that a reader (or a killed run) sees the old or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _no_secrets(redactor: Redactor | None) -> Redactor:
    return redactor if redactor is not None else Redactor.from_environment()


def write_exchanges(
    report_dir: Path, result: ScenarioResult, world: World, redactor: Redactor | None = None
) -> None:
    """Every exchange of the scenario, byte for byte, with an index holding its findings.

    The bytes were streamed into the scenario's archive as they were recorded (``world.evidence``);
    a world without one (a scenario that failed before it began) writes its folder now."""
    from amicert.report import diagram
    from amicert.report.evidence import EvidenceError, EvidenceWriter, scenario_folder

    writer = world.evidence
    if writer is None:
        writer = EvidenceWriter(
            scenario_folder(report_dir / "exchanges", result.use_case, result.scenario_id, None),
            _no_secrets(redactor),
        )
        for x in world.trace.exchanges:
            writer.add(x)
    try:
        writer.finish(
            world.trace.exchanges, {"sequence.svg": diagram.for_world(world, result.findings)}
        )
    except EvidenceError as exc:  # the verdict cannot rest on evidence that was not kept
        from amicert.findings import Blame, error
        from amicert.verdicts import Outcome, Verdict

        finding = error("HARNESS-EVIDENCE", str(exc), blame=Blame.HARNESS)
        result.apply(
            Outcome(Verdict.ERROR, finding.message, finding.rule, None, [*result.findings, finding])
        )
    result.evidence = str(writer.folder.relative_to(report_dir))


def write_summary(
    report_dir: Path,
    results: list[ScenarioResult],
    *,
    complete: bool = True,
    redactor: Redactor | None = None,
) -> None:
    """summary.json and summary.md; ``complete`` False while (or when) the run did not finish."""
    redactor = _no_secrets(redactor)
    report_dir.mkdir(parents=True, exist_ok=True)
    counts = {v.value: sum(1 for r in results if r.verdict is v) for v in Verdict}
    data = {
        "tool": "amicert",
        "version": __version__,
        "generated": datetime.now(UTC).isoformat(),
        "complete": complete,
        "totals": counts,
        "passed": complete
        and bool(results)
        and all(r.verdict in (Verdict.PASS, Verdict.NOT_APPLICABLE) for r in results),
        "scenarios": [r.to_dict() for r in results],
    }
    text = redactor.scrub_text(json.dumps(data, indent=2))
    write_atomic(report_dir / "summary.json", text.encode("utf-8"))
    md = redactor.scrub_text(markdown(results, counts, complete=complete, redactor=redactor))
    write_atomic(report_dir / "summary.md", md.encode("utf-8"))


def markdown(
    results: list[ScenarioResult],
    counts: dict[str, int],
    *,
    complete: bool = True,
    redactor: Redactor | None = None,
) -> str:
    """The summary for people. Every text is escaped: a product cannot write into the report."""
    redactor = _no_secrets(redactor)

    def md(text: str | None, limit: int | None = None) -> str:
        return esc.markdown(redactor.scrub_text(text or ""), limit)

    lines = ["# amicert certification summary", ""]
    if not complete:
        lines += [
            "**The run did not finish**: scenarios still running when it ended are ERROR "
            f"({INCOMPLETE_RULE}).",
            "",
        ]
    lines += [
        "| use case | scenario | verdict | rule | step | reason |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        added = " (harness-added)" if r.harness_added else ""
        verdict = r.verdict.value
        if r.unseen:
            verdict += f" ({r.basis['observed']} of {r.basis['rows']} rows observed)"
        lines.append(
            f"| {md(r.use_case)} | {md(r.scenario)}{added} | **{verdict}** | {md(r.rule)} | "
            f"{md(r.step)} | {md(r.reason, 300)} |"
        )
    lines += ["", "Totals: " + ", ".join(f"{k} {v}" for k, v in counts.items() if v), ""]
    measured = [(r, m) for r in results for m in r.metrics]
    if measured:
        lines += [
            "## Measured figures",
            "",
            "| use case | scenario | requirement | figure | value | target | met | clock |",
            "|---|---|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {md(r.use_case)} | {md(r.scenario_id + (f' [{r.example}]' if r.example else ''))} | "
            f"{md(str(m.get('requirement')))} | "
            f"{md(str(m.get('name')))} | {float(m.get('value', 0)):,.1f} {md(str(m.get('unit')))} | "
            f"{md(str(m.get('target')))} | {'yes' if m.get('met') else '**no**'} | "
            f"{md(str(m.get('clock')))} |"
            for r, m in measured
        ]
        lines.append("")
    for r in results:
        if r.findings or r.not_observable:
            lines += [f"## {md(r.use_case)} — {md(r.scenario)}", ""]
            lines += [f"- {md(str(f), 2000)}" for f in r.findings]
            lines += [
                f"- step {md(n)} not observable: {md(why)}"
                for n, why in sorted(r.not_observable.items())
            ]
            lines.append("")
    return "\n".join(lines)


INCOMPLETE_RULE = "RUN-INCOMPLETE"


def unfinished(
    use_case: str, scenario_id: str, scenario: str, harness_added: bool
) -> ScenarioResult:
    """The entry of a scenario that has started: ERROR until it finishes and replaces it."""
    reason = "the run ended before this scenario finished (killed or interrupted)"
    return ScenarioResult(
        use_case,
        scenario_id,
        scenario,
        harness_added,
        Verdict.ERROR,
        reason,
        INCOMPLETE_RULE,
        None,
        [error(INCOMPLETE_RULE, reason, blame=Blame.HARNESS)],
    )


class RunReport:
    """The reports of a run, on disk as it goes.

    When a scenario starts it is written as ERROR (unfinished) with ``"complete": false``; when
    it ends its result replaces that entry. A run killed at any moment leaves a summary that says
    it did not finish and never says it passed.
    """

    def __init__(self, report_dir: Path, redactor: Redactor | None = None) -> None:
        self.report_dir = report_dir
        self.redactor = _no_secrets(redactor)
        self.results: list[ScenarioResult] = []
        self.running: ScenarioResult | None = None
        self.junit = True  # our own junit.xml while running; pytest's replaces it at the end

    def begin(self, placeholder: ScenarioResult) -> None:
        self.running = placeholder
        self.flush(complete=False)

    def end(self, result: ScenarioResult) -> None:
        self.running = None
        self.results.append(result)
        self.flush(complete=False)

    def entries(self) -> list[ScenarioResult]:
        return [*self.results, *([self.running] if self.running is not None else [])]

    def flush(self, *, complete: bool, junit: bool | None = None) -> None:
        entries = self.entries()
        complete = complete and self.running is None
        if self.junit if junit is None else junit:
            # JUnit first: whenever the summary lists a scenario, junit.xml already has it
            from amicert.report.junit import junit_xml

            xml = self.redactor.scrub(junit_xml(entries))
            write_atomic(self.report_dir / "junit.xml", xml)
        write_summary(self.report_dir, entries, complete=complete, redactor=self.redactor)
