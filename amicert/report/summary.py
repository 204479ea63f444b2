"""Certification summary and evidence: what a utility hands to a vendor after a run.

summary.json is for machines, summary.md for people; exchanges/ keeps every captured message
byte for byte with its findings, so any verdict can be re-checked from the evidence.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from amicert import __version__
from amicert.findings import Finding
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

    @property
    def unseen(self) -> int:
        """Rows the verdict does not rest on (not observable, or never reached)."""
        return self.basis.get("rows", 0) - self.basis.get("observed", 0) if self.basis else 0

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
            "example": self.example,
            "duration_s": round(self.duration_s, 3),
        }


def write_exchanges(report_dir: Path, result: ScenarioResult, world: World) -> None:
    """Every exchange of the scenario, byte for byte, with an index holding its findings.

    The bytes were streamed into the scenario's archive as they were recorded (``world.evidence``);
    a world without one (a scenario that failed before it began) writes its folder now."""
    from amicert.report import diagram
    from amicert.report.evidence import EvidenceWriter, scenario_folder

    writer = world.evidence
    if writer is None:
        writer = EvidenceWriter(
            scenario_folder(report_dir / "exchanges", result.use_case, result.scenario_id, None)
        )
        for x in world.trace.exchanges:
            writer.add(x)
    writer.finish(
        world.trace.exchanges, {"sequence.svg": diagram.for_world(world, result.findings)}
    )
    result.evidence = str(writer.folder.relative_to(report_dir))


def write_summary(report_dir: Path, results: list[ScenarioResult]) -> None:
    report_dir.mkdir(parents=True, exist_ok=True)
    counts = {v.value: sum(1 for r in results if r.verdict is v) for v in Verdict}
    data = {
        "tool": "amicert",
        "version": __version__,
        "generated": datetime.now(UTC).isoformat(),
        "totals": counts,
        "passed": bool(results)
        and all(r.verdict in (Verdict.PASS, Verdict.NOT_APPLICABLE) for r in results),
        "scenarios": [r.to_dict() for r in results],
    }
    (report_dir / "summary.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    (report_dir / "summary.md").write_text(markdown(results, counts), encoding="utf-8")


def markdown(results: list[ScenarioResult], counts: dict[str, int]) -> str:
    lines = [
        "# amicert certification summary",
        "",
        "| use case | scenario | verdict | rule | step | reason |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        added = " (harness-added)" if r.harness_added else ""
        reason = r.reason.replace("|", "\\|").replace("\n", " ")[:300]
        verdict = r.verdict.value
        if r.unseen:
            verdict += f" ({r.basis['observed']} of {r.basis['rows']} rows observed)"
        lines.append(
            f"| {r.use_case} | {r.scenario}{added} | **{verdict}** | {r.rule or ''} | "
            f"{r.step or ''} | {reason} |"
        )
    lines += ["", "Totals: " + ", ".join(f"{k} {v}" for k, v in counts.items() if v), ""]
    for r in results:
        if r.findings or r.not_observable:
            lines += [f"## {r.use_case} — {r.scenario}", ""]
            lines += [f"- {f}" for f in r.findings]
            lines += [
                f"- step {n} not observable: {why}" for n, why in sorted(r.not_observable.items())
            ]
            lines.append("")
    return "\n".join(lines)
