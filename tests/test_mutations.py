"""Faults derived from the catalog: every exchange of every scenario, mutated, is caught.

Each mutation (wrong code, another meter, a wrong correlation, a duplicate, a drop, a delay past
the row's deadline, a reorder) must end in FAIL on the product with the rule that names the
defect, at the row of the mutated exchange (a reorder: at the row sent first)."""

from __future__ import annotations

import json

import pytest
from cli_support import amicert

from amicert.catalog import CatalogError, load_catalog
from amicert.cim.validate import Validator
from amicert.findings import Blame, error
from amicert.headless import ScenarioCase, cases
from amicert.mutations import KINDS, SYNCHRONOUS, TIMED, deadlines, plan, run, verify
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
    changed = [r for r in results if r.mutation.kind not in TIMED]
    inapplicable = [r for r in changed if not r.applicable]
    assert len(inapplicable) <= max(1, len(changed) // 20)
    assert all(r.mutation.kind == "other-device" for r in inapplicable)
    # a timed mutation is not applicable only to a request its producer waits on: held back
    timed = [r for r in results if r.mutation.kind in TIMED and not r.applicable]
    assert all((r.mutation.kind, r.why) == ("reorder", SYNCHRONOUS) for r in timed)


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


def test_delay_and_reorder_apply_on_every_use_case_where_the_catalog_allows() -> None:
    catalog = load_catalog()
    planned = {uc.id: plan(list(cases(uc)), TIMED) for uc in catalog.values()}
    delayed = {u for u, ms in planned.items() if any(m.kind == "delay" for m in ms)}
    reordered = {u for u, ms in planned.items() if any(m.kind == "reorder" for m in ms)}
    assert reordered == set(catalog)
    # a delay only where the catalog gives the row a deadline (the HAN use case states none)
    assert delayed == {u for u, uc in catalog.items() if deadlines(uc)} == {"AEP-5.8", "I2", "C4"}
    for ms in planned.values():
        for m in (m for m in ms if m.kind == "delay"):
            assert m.deadline is not None and m.deadline.row == m.row
            assert m.expected_rule == m.deadline.rule
    # the order breaks at the next row, sent by the same producer; a row's reply is never one
    [m] = [m for m in planned["C4"] if m.id == "C4:monitoring:3.1#6#0:reorder"]
    assert m.then is not None and (m.expected_step, m.expected_rule) == ("3.1#7", "SEQ-ORDER")


def test_delay_and_reorder_end_in_fail_with_what_was_expected_and_received(
    validator: Validator,
) -> None:
    c4 = [c for c in cases(load_catalog()["C4"]) if c.id == "monitoring"]
    by_id = {m.id: m for m in plan(c4, TIMED)}
    late = run(by_id["C4:monitoring:3.1#5#0:delay"], validator)
    assert late.caught, late.problem
    [f] = [f for f in late.outcome.findings if f.rule == "NFR-C4NFR3"]
    assert (f.step, f.blame, f.expected) == ("3.1#5", Blame.SUT, "at most 60 s")
    assert f.received is not None and int(f.received.split()[0]) > 60
    swapped = run(by_id["C4:monitoring:3.1#6#0:reorder"], validator)
    assert swapped.caught, swapped.problem
    [f] = [f for f in swapped.outcome.findings if f.rule == "SEQ-ORDER"]
    assert (f.step, f.blame) == ("3.1#7", Blame.SUT)
    assert (f.expected, f.received) == ("after step 3.1#6", "before step 3.1#6")


def test_a_timing_or_order_check_switched_off_is_a_missed_mutation(
    validator: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from amicert import trace
    from amicert.packages import driver_for

    uc = load_catalog()["AEP-5.8"]
    never = [c for c in cases(uc) if c.id == "never-confirms"]
    arrival = driver_for("AEP-5.8").on_arrival
    monkeypatch.setitem(arrival, "no_confirmation_event", lambda *a: None)
    [late] = [run(m, validator) for m in plan(never, ("delay",))]
    assert late.applied and late.missed and "verdict PASS" in str(late.problem)
    monkeypatch.setattr(trace, "_order_findings", lambda *a, **k: [])
    swapped = [run(m, validator) for m in plan(never, ("reorder",))]
    assert swapped and all(r.applied and r.missed for r in swapped)


def test_verify_wants_a_timed_finding_to_say_what_was_expected_and_received() -> None:
    c4 = [c for c in cases(load_catalog()["C4"]) if c.id == "monitoring"]
    [m] = [m for m in plan(c4, ("reorder",)) if m.row == "3.1#6"]
    bare = error("SEQ-ORDER", "out of order", step="3.1#7")
    assert "does not say what was expected" in str(
        verify(m, Outcome(Verdict.FAIL, findings=[bare]), True)
    )
    told = error("SEQ-ORDER", "x", step="3.1#7", expected="after 3.1#6", received="before")
    assert verify(m, Outcome(Verdict.FAIL, findings=[told]), True) is None
    at_own_row = error("SEQ-ORDER", "x", step="3.1#6", expected="a", received="b")
    assert "no SEQ-ORDER error at step 3.1#7" in str(
        verify(m, Outcome(Verdict.FAIL, findings=[at_own_row]), True)
    )


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"row": "3.1#5", "message": "relayed_request", "rule": "R"}, "expected row, message"),
        ({"row": "9.9", "message": "x", "within_s": 1, "rule": "R"}, "row 9.9 has no message"),
        (
            {"row": "3.1#5", "message": "relayed_request", "within_s": "nope", "rule": "R"},
            "no positive seconds",
        ),
        (
            {"row": "3.1#5", "message": "relayed_request", "within_s": 0, "rule": "R"},
            "no positive seconds",
        ),
        (
            {
                "row": "3.1#5",
                "message": "relayed_request",
                "within_s": 1,
                "rule": "R",
                "scenarios": ["nowhere"],
            },
            "no scenario nowhere",
        ),
    ],
)
def test_a_malformed_deadline_is_a_catalog_error(entry: dict[str, object], problem: str) -> None:
    import copy

    uc = copy.copy(load_catalog()["C4"])
    uc.limits = {**uc.limits, "deadlines": [entry]}
    with pytest.raises(CatalogError, match=problem):
        deadlines(uc)
