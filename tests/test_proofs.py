"""Every proof in mocks/proofs.py holds: the faulty actor, in its scenario, gets a FAIL on the
product naming the rule at the row. Run headless (the judgement ``amicert run`` uses)."""

from __future__ import annotations

import pytest

from amicert.catalog import load_catalog
from amicert.cim.validate import Validator
from amicert.findings import Blame
from amicert.headless import cases, run_case
from amicert.verdicts import Verdict
from amicert.world import RunOptions
from mocks.proofs import PROOFS, Proof


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator()


@pytest.mark.parametrize("proof", PROOFS, ids=[p.id for p in PROOFS])
def test_the_faulty_actor_is_caught_by_its_rule(proof: Proof, validator: Validator) -> None:
    uc = load_catalog()[proof.use_case]
    [case] = [c for c in cases(uc) if c.id == proof.scenario]
    outcome, world = run_case(
        case, validator, RunOptions(actor_overrides={proof.role: proof.actor})
    )
    assert world.sut_roles == {proof.role}
    assert outcome.verdict is Verdict.FAIL, outcome
    assert outcome.reason and outcome.rule
    found = {(f.rule, f.step) for f in outcome.findings if f.blame is Blame.SUT}
    assert (proof.rule, proof.step) in found, found


def test_every_proof_names_a_scenario_that_exists() -> None:
    catalog = load_catalog()
    known = {(uc.id, c.id) for uc in catalog.values() for c in cases(uc)}
    assert [p for p in PROOFS if (p.use_case, p.scenario) not in known] == []
