"""``amicert check-adapter``: what a SUT profile covers, told before a run.

Which endpoints answer, which test-control operations exist, and for every scenario whether it
will run, be NOT_APPLICABLE (and why), or be only partly observable (which rows sit inside the
vendor boundary, where no message can be captured).
"""

from __future__ import annotations

import json
import re
import socket
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from amicert.catalog import UseCase, tag_value
from amicert.config import SutProfile

FAULT_STEP = re.compile(r'fault "(?P<name>[^"]+)" is injected')


@dataclass
class ScenarioForecast:
    use_case: str
    scenario: str
    name: str
    forecast: str
    notes: list[str] = field(default_factory=list)


def probe(url: str, timeout: float) -> str | None:
    """None when something accepts TCP connections at ``url``'s host and port, else why not."""
    parsed = urlparse(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", port), timeout=timeout):
            return None
    except OSError as exc:
        return exc.strerror or str(exc)


def forecast(profile: SutProfile, use_case: UseCase) -> list[ScenarioForecast]:
    from pytest_bdd.feature import get_feature

    from amicert.packages import driver_for

    driver = driver_for(use_case.id)
    boundary = set(profile.boundary)
    out: list[ScenarioForecast] = []
    for path in sorted(use_case.features_dir.glob("*.feature")):
        feature = get_feature(str(path.parent), path.name)
        for template in feature.scenarios.values():
            tags = set(template.tags) | set(feature.tags)
            sid = tag_value(tags, "scenario") or "?"
            spec = use_case.scenarios.get(sid)
            result = ScenarioForecast(use_case.id, sid, template.name, "will run")
            missing = [
                t.split(":", 1)[1]
                for t in sorted(tags)
                if t.startswith("capability:") and not profile.claims(t.split(":", 1)[1])
            ]
            for step in template.steps:
                m = FAULT_STEP.fullmatch(step.name)
                if not m or driver is None:
                    continue
                names = [m.group("name")]
                if "<" in names[0]:  # an outline: every example's fault
                    names = (
                        [
                            row[template.examples[0].example_params.index(names[0].strip("<>"))]
                            for ex in template.examples
                            for row in ex.examples
                        ]
                        if template.examples
                        else []
                    )
                for name in names:
                    role = driver.fault_roles.get(name)
                    if role in boundary and not profile.claims("fault_injection"):
                        result.notes.append(f"fault {name!r} on {role} needs fault_injection")
            if missing:
                result.forecast = "NOT_APPLICABLE"
                result.notes.insert(0, f"not claimed: {', '.join(missing)}")
            elif spec is not None:
                hidden = [
                    n
                    for n in spec.steps
                    if not use_case.rows[n].internal
                    and use_case.rows[n].producer in boundary
                    and use_case.rows[n].receiver in boundary
                ]
                if hidden:
                    result.forecast = "partly observable"
                    result.notes.append(f"rows inside the boundary: {', '.join(hidden)}")
            out.append(result)
    return out


def check_adapter(profile: SutProfile, catalog: dict[str, UseCase], *, as_json: bool) -> int:
    report: dict[str, Any] = {"product": {"name": profile.name, "version": profile.version}}
    endpoints = {"services": profile.address}
    if profile.test_control:
        endpoints["test_control"] = profile.test_control
    answers = {k: probe(v, profile.timeouts.connect_s) for k, v in endpoints.items()}
    report["endpoints"] = {
        k: {"url": endpoints[k], "answers": why is None, "problem": why}
        for k, why in answers.items()
    }
    operations: list[str] = []
    if profile.test_control and answers.get("test_control") is None:
        from amicert.adapters.remote import (
            TestControlAnswerError,
            TestControlClient,
            TestControlError,
        )

        try:
            caps = TestControlClient(
                profile.test_control, profile.timeouts, profile.security
            ).capabilities()
            operations = [str(o) for o in caps.get("operations", [])]
        except (TestControlError, TestControlAnswerError) as exc:
            report["endpoints"]["test_control"]["problem"] = str(exc)
            report["endpoints"]["test_control"]["answers"] = False
    report["test_control_operations"] = operations
    relevant = [uc for uc in catalog.values() if set(profile.boundary) & set(uc.actors)]
    scenarios = [f for uc in relevant for f in forecast(profile, uc)]
    report["scenarios"] = [vars(s) for s in scenarios]
    ok = all(e["answers"] for e in report["endpoints"].values())
    if as_json:
        print(json.dumps(report, indent=2))
        return 0 if ok else 1
    print(f"product: {profile.name} {profile.version}; boundary: {', '.join(profile.boundary)}")
    for name, e in report["endpoints"].items():
        state = "answers" if e["answers"] else f"DOES NOT ANSWER ({e['problem']})"
        print(f"  {name:<13} {e['url']}  {state}")
    print(f"  test-control operations: {', '.join(operations) or '(none)'}")
    for s in scenarios:
        notes = f"  [{'; '.join(s.notes)}]" if s.notes else ""
        print(f"{s.use_case:<8} {s.scenario:<16} {s.forecast:<18}{notes}")
    return 0 if ok else 1
