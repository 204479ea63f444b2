"""Faults derived from the catalog: every exchange of every scenario, mutated, is caught.

Each mutation (wrong code, another meter, a wrong correlation, a duplicate, a drop) must end in
FAIL on the product with the rule that names the defect, at the row of the mutated exchange."""

from __future__ import annotations

import json

import pytest
from cli_support import amicert

from amicert.catalog import load_catalog
from amicert.cim.validate import Validator
from amicert.findings import Blame, error
from amicert.headless import ScenarioCase, cases
from amicert.mutations import KINDS, plan, run, verify
from amicert.verdicts import Outcome, Verdict


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator()


def _exchanges(case: ScenarioCase) -> bool:
    return any(case.use_case.row(n).exchanges for n in case.spec.steps)


SCENARIOS = [(uc.id, c.id) for uc in load_catalog().values() for c in cases(uc) if _exchanges(c)]


def test_a_scenario_without_exchanges_has_no_mutations_and_only_internal_rows() -> None:
    quiet = [c for uc in load_catalog().values() for c in cases(uc) if not _exchanges(c)]
    assert [c.spec.id for c in quiet] == ["low-importance-failure"]
    assert plan(quiet) == []


def test_an_optional_exchange_is_never_dropped() -> None:
    [case] = [c for c in cases(load_catalog()["I2"]) if c.id == "maintenance-no-replacement"]
    kinds = {(m.row, m.part, m.kind) for m in plan([case])}
    assert ("3.4#5.2", 1, "duplicate") in kinds and ("3.4#5.2", 1, "drop") not in kinds
    assert ("3.4#5.2", 0, "drop") in kinds


@pytest.mark.parametrize(
    ("use_case", "scenario"), SCENARIOS, ids=[f"{u}:{c}" for u, c in SCENARIOS]
)
def test_every_mutation_of_every_exchange_is_caught(
    use_case: str, scenario: str, validator: Validator
) -> None:
    uc = load_catalog()[use_case]
    mutations = plan([c for c in cases(uc) if c.id == scenario])
    assert mutations, "a scenario with exchanges has mutations"
    results = [run(m, validator) for m in mutations]
    assert [(r.mutation.id, r.problem) for r in results if r.missed] == []
    # "not applicable" is rare and only where the exchange names nothing to change
    inapplicable = [r for r in results if not r.applicable]
    assert len(inapplicable) <= max(1, len(results) // 20)
    assert all(r.mutation.kind == "other-device" for r in inapplicable)


def test_the_plan_covers_each_kind_where_it_applies() -> None:
    aep = plan(list(cases(load_catalog()["AEP-5.8"])))
    assert {m.kind for m in aep} == set(KINDS)
    # a per-meter row: its meter can be swapped; the campaign's first message sets correlation
    normal = [m for m in aep if m.case.id == "normal"]
    assert ("1.9", "other-device") in {(m.row, m.kind) for m in normal}
    assert ("1.2", "wrong-correlation") not in {(m.row, m.kind) for m in normal}
    assert ("1.11", "wrong-code") in {(m.row, m.kind) for m in normal}


def test_verify_rejects_what_is_not_a_catch() -> None:
    [m] = [
        m
        for m in plan(list(cases(load_catalog()["AEP-5.8"])))
        if m.case.id == "normal" and m.row == "1.11" and m.kind == "wrong-code"
    ]
    right = error("PROFILE-EVENT-CODE", "wrong code", step="1.11")
    assert verify(m, Outcome(Verdict.FAIL, "x", findings=[right]), True) is None
    assert "never occurred" in str(verify(m, Outcome(Verdict.FAIL, findings=[right]), False))
    assert "verdict PASS" in str(verify(m, Outcome(Verdict.PASS), True))
    other_step = error("PROFILE-EVENT-CODE", "wrong code", step="1.9")
    assert "no PROFILE-EVENT-CODE error at step 1.11" in str(
        verify(m, Outcome(Verdict.FAIL, findings=[other_step]), True)
    )
    harness = error("PROFILE-EVENT-CODE", "wrong code", step="1.11", blame=Blame.HARNESS)
    assert "not blamed on the product" in str(
        verify(m, Outcome(Verdict.FAIL, findings=[harness]), True)
    )


def test_a_check_switched_off_is_a_missed_mutation(
    validator: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from amicert import trace

    monkeypatch.setattr(trace, "_correlation_findings", lambda *a, **k: [])
    uc = load_catalog()["AEP-5.8"]
    normal = [c for c in cases(uc) if c.id == "normal"]
    results = [run(m, validator) for m in plan(normal, ("wrong-correlation",))]
    assert results and not any(r.caught for r in results)


def test_the_command_reports_every_mutation() -> None:
    proc = amicert("mutate", "--use-case", "AEP-5.8", "--kind", "drop", "--json")
    assert proc.returncode == 0, proc.stdout[-2000:]
    data = json.loads(proc.stdout)
    assert data["mutations"] == data["caught"] > 0
    assert all(r["expected_rule"] == "SEQ-MISSING" for r in data["results"])
    bad = amicert("mutate", "--kind", "scramble")
    assert bad.returncode == 2 and "unknown mutation" in bad.stderr


def test_a_repeatable_row_is_neither_duplicated_nor_dropped() -> None:
    """The catalog allows the row again: one more or one less of it is no defect to catch."""
    uc = load_catalog()["C4"]
    alarm = {(m.row, m.kind) for m in plan([c for c in cases(uc) if c.id == "unauthorized-alarm"])}
    assert ("A1", "other-device") in alarm
    assert ("A1", "duplicate") not in alarm and ("A1", "drop") not in alarm
    assert {("A4", "duplicate"), ("A4", "drop")} <= alarm
