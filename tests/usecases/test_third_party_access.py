"""C4's harness-added checks: the reference actors pass them as the document asks, and each
check's finding on a faulty actor says what rule, whose fault, what was expected and received."""

from __future__ import annotations

from datetime import datetime

import pytest

from amicert.catalog import load_catalog
from amicert.cim.validate import Validator
from amicert.findings import Blame
from amicert.headless import ScenarioCase, cases, run_case
from amicert.verdicts import Verdict
from amicert.world import RunOptions, World
from mocks.proofs import PROOFS, Proof
from usecases.third_party_access import judge
from usecases.third_party_access import vocabulary as v

STANDARD = "rate-limit[standard-24-576-13-4]"
OWN_RULES = {
    "NFR-C4NFR1",
    "NFR-C4NFR6",
    "NFR-C4NFR7",
    "PROFILE-C4-WARNING",
    "STATE-C4-UNAUTHORIZED-LOG",
    "STATE-C4-ALARM",
    "STATE-C4-SPG-ALARM",
    "STATE-C4-SPG-REPORT",
    "STATE-C4-SERVICE-ENDED",
    "STATE-C4-AUTHZ",
    "STATE-C4-AUTHN",
    "STATE-C4-HOSTILE",
    "PROFILE-C4-RELAY",
    "PROFILE-C4-ANSWER",
    "NFR-C4NFR4",
    "NFR-C4NFR5",
}
OWN_PROOFS = [p for p in PROOFS if p.use_case == "C4" and p.rule in OWN_RULES]


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator()


def case(scenario: str) -> ScenarioCase:
    [found] = [c for c in cases(load_catalog()["C4"]) if c.id == scenario]
    return found


def test_the_request_beyond_the_tier_is_rejected_and_warned_of(validator: Validator) -> None:
    outcome, world = run_case(case(STANDARD), validator)
    assert outcome.verdict is Verdict.PASS, outcome
    sent = judge.requests(world, "SP-0001")
    assert len(sent) == 13
    assert [r.result for r in sent] == ["OK"] * 12 + ["FAILED"]
    assert set(judge.relayed(world)) == {r.message_id for r in sent[:12]}
    [warning] = judge.tpa(world, "CCS", "Third Party", (v.tq("Warning"),))
    details = judge.read(warning).details
    last = sent[-1]
    assert details["reason"] == "LIMIT_EXCEEDED"
    assert details["messageId"] == last.message_id
    assert details["destination"] == "PUMP-0001"
    assert datetime.fromisoformat(details["receivedDateTime"].replace("Z", "+00:00")) == last.at


def test_the_alarm_comes_with_the_eleventh_attempt_in_the_hour(validator: Validator) -> None:
    outcome, world = run_case(case("unauthorized-alarm"), validator)
    assert outcome.verdict is Verdict.PASS, outcome
    attempts = judge.requests(world, "SP-0001")
    [alarm] = judge.tpa(world, "CCS", "Other Utility Systems", (v.tq("Alarm"),))
    assert len(attempts) == 11 and all(r.result == "FAILED" for r in attempts)
    assert alarm.virtual_time == attempts[-1].at
    assert judge.read(alarm).details["attempts"] == "11"


@pytest.mark.parametrize("proof", OWN_PROOFS, ids=[p.id for p in OWN_PROOFS])
def test_a_finding_names_rule_blame_expected_and_received(
    proof: Proof, validator: Validator
) -> None:
    outcome, _ = run_case(
        case(proof.scenario), validator, RunOptions(actor_overrides={proof.role: proof.actor})
    )
    assert outcome.verdict is Verdict.FAIL
    [finding, *_] = [f for f in outcome.findings if f.rule == proof.rule]
    assert finding.blame is Blame.SUT
    assert finding.message and finding.expected and finding.received, finding


def test_a_refusal_check_with_no_attempt_to_judge_is_not_measured() -> None:
    uc = load_catalog()["C4"]
    world = World(uc, uc.scenarios["cross-party-refused"], Validator())
    finding = judge.refused(world, "SP-0001", "EMC-B", "STATE-C4-AUTHZ")
    assert finding is not None and finding.rule == "NFR-NOT-MEASURED"
    assert finding.blame is Blame.INFRASTRUCTURE


def test_at_fleet_scale_each_service_point_is_held_to_its_own_limit(validator: Validator) -> None:
    outcome, world = run_case(case(STANDARD), validator, RunOptions(fleet=3))
    assert outcome.verdict is Verdict.PASS, outcome
    assert world.devices == ["SP-0001", "SP-0002", "SP-0003"]
    for sp in world.devices:
        assert [r.result for r in judge.requests(world, sp)] == ["OK"] * 12 + ["FAILED"]
    assert len(judge.tpa(world, "CCS", "Third Party", (v.tq("Warning"),))) == 3


def test_at_fleet_scale_a_ccs_without_limit_fails_at_every_service_point(
    validator: Validator,
) -> None:
    options = RunOptions(fleet=3, actor_overrides={"CCS": "mocks.faulty_c4:CcsWithoutRateLimit"})
    outcome, _ = run_case(case(STANDARD), validator, options)
    assert outcome.verdict is Verdict.FAIL and outcome.rule == "NFR-C4NFR1"
    about = {f.extra.get("device") for f in outcome.findings if f.rule == "NFR-C4NFR1"}
    assert about == {"SP-0001", "SP-0002", "SP-0003"}


def test_the_harness_s_replay_and_malformed_request_are_warnings_marked_on_purpose(
    validator: Validator,
) -> None:
    outcome, world = run_case(case("hostile-refused"), validator)
    assert outcome.verdict is Verdict.PASS, outcome
    provoked = {f.rule: f for f in outcome.findings if f.message.startswith("on purpose")}
    assert set(provoked) == {"ENV-MESSAGE-ID-UNIQUE", "ENV-REPLAY", "XSD-PAYLOAD"}
    assert all(not f.is_error for f in provoked.values())
    probes = [r for r in judge.requests(world, "SP-0001") if r.exchange.provoked]
    assert [r.result for r in probes] == ["FAILED", "FAILED"]


def test_the_contract_names_the_transaction_log_fields_and_requires_none() -> None:
    """A vendor reads the log record's field names from the contract, not from the wire; each
    C4FR18 field is judged by its own check, so a record lacking one is no answer-form error."""
    from amicert.packages import driver_for

    log = driver_for("C4").inspectables[("CCS", "transaction_log")]
    record, null = log.answer_schema["anyOf"]
    assert null == {"type": "null"}
    assert record["required"] == []
    assert {"third_party", "device", "received", "authorization", "pushed_to_spg"} <= set(
        record["properties"]
    )


@pytest.mark.parametrize(
    ("mutation", "rule"),
    [
        ("C4:control:3.2#7#1:delay", "NFR-C4NFR4"),  # the command to the HAN, the receipt on time
        ("C4:failure-spg-answers:3.5#3#0:delay", "NFR-C4NFR5"),  # the CCS alerts on them too
    ],
)
def test_a_late_relay_to_the_han_and_late_test_results_fail_the_gateway(
    mutation: str, rule: str, validator: Validator
) -> None:
    from amicert.mutations import plan, run

    [m] = [m for m in plan(list(cases(load_catalog()["C4"])), ("delay",)) if m.id == mutation]
    result = run(m, validator)
    assert result.caught, result.problem
    assert result.outcome.verdict is Verdict.FAIL and result.outcome.rule == rule
    assert result.outcome.step == m.row and "Service Point Gateway" in result.outcome.reason


@pytest.mark.parametrize(
    ("scenario", "actor", "rule", "step", "expected", "received"),
    [
        (
            "monitoring",
            "CcsRelaysToAnotherDevice",
            "PROFILE-C4-RELAY",
            "3.1#5",
            "device PUMP-0001",
            "device PUMP-0001-X",
        ),
        (
            "control",
            "CcsRelaysAnotherCommand",
            "PROFILE-C4-RELAY",
            "3.2#6",
            "command off",
            "command on",
        ),
        (
            "control",
            "CcsAnswersAboutAnotherDevice",
            "PROFILE-C4-ANSWER",
            "3.2#17",
            "device PUMP-0001",
            "device PUMP-0001-X",
        ),
    ],
)
def test_what_the_ccs_passes_on_is_what_the_third_party_asked(
    scenario: str,
    actor: str,
    rule: str,
    step: str,
    expected: str,
    received: str,
    validator: Validator,
) -> None:
    """The requested device (or command) against the relayed one, blamed on the CCS, leading."""
    options = RunOptions(actor_overrides={"CCS": f"mocks.faulty_c4:{actor}"})
    outcome, _ = run_case(case(scenario), validator, options)
    assert (outcome.verdict, outcome.rule, outcome.step) == (Verdict.FAIL, rule, step)
    [finding] = [f for f in outcome.findings if f.rule == rule]
    assert (finding.expected, finding.received, finding.blame) == (expected, received, Blame.SUT)


def test_relays_and_answers_are_indexed_by_the_service_point_asked_for(
    validator: Validator,
) -> None:
    """Each meter of a fleet reads only its own requests' relays and answers."""
    outcome, world = run_case(case(STANDARD), validator, RunOptions(fleet=2))
    assert outcome.verdict is Verdict.PASS, outcome
    for sp in ("SP-0001", "SP-0002"):
        relays = judge._index(world).relays[sp]
        answers = judge._index(world).answers[sp]
        assert len(relays) == len(answers) == 12
        assert {r.service_point for r, _ in relays + answers} == {sp}


def test_the_contract_publishes_the_log_fields_meanings_and_authorization_values() -> None:
    """The state query a served CCS answers and the inspectable publish the same record: each
    field with what it holds, the authorization statuses as the package's vocabulary says."""
    from amicert.control_schema import answer_problem
    from amicert.packages import driver_for

    driver = driver_for("C4")
    query = driver.state_queries["ccs_transaction_log"].answer_schema["properties"]["record"]
    assert query == driver.inspectables[("CCS", "transaction_log")].answer_schema
    [record] = [s for s in query["anyOf"] if s.get("type") == "object"]
    assert set(record["properties"]) == set(v.LOG_FIELDS)
    assert "C4FR18 inbound b." in record["properties"]["device"]["description"]
    for name in ("authorization", "target_authorization"):
        published = record["properties"][name]
        assert published["pattern"] == v.AUTHORIZATION_PATTERN
        assert all(status in published["description"] for status in v.AUTHORIZATION_STATUSES)

    def problem(authorization: str) -> str | None:
        answer = {"record": {"transaction": "T1", "authorization": authorization}}
        request = {"query": "ccs_transaction_log", "transaction": "T1"}
        found = answer_problem("state", request, answer, "C4")
        return None if found is None else f"{found.rule} {found.xpath}"

    for said in ("authorized", "unauthorized: action not authorized", "authorized; refused: x", ""):
        assert problem(said) is None, said
    assert problem("granted") == "TEST-CONTROL-ANSWER $.record.authorization"


def test_a_log_field_the_contract_does_not_name_is_a_warning_naming_it_once(
    validator: Validator,
) -> None:
    """C4FR18's fields are a minimum: a record with more passes, and says what it added."""
    options = RunOptions(actor_overrides={"CCS": "mocks.faulty_c4:CcsLogsUnknownField"})
    outcome, _ = run_case(case("monitoring"), validator, options)
    assert outcome.verdict is Verdict.PASS, outcome
    [found] = [f for f in outcome.findings if f.rule == "STATE-C4-LOG-UNKNOWN-FIELD"]
    assert not found.is_error and found.blame is Blame.SUT and found.step == "3.1#4"
    assert found.message.endswith("does not name: vendor_note")
    assert found.received == "vendor_note='kept 30 days'"
    assert found.expected and "third_party" in found.expected


@pytest.mark.parametrize(
    ("actor", "scenario", "says"),
    [
        (
            "CcsLogsWithoutDestination",
            "monitoring",
            "field device is missing (C4FR18 inbound b. customer destination device ID",
        ),
        ("CcsMisspellsLogField", "monitoring", "field received is missing (C4FR18 inbound c."),
        ("CcsMisspellsLogField", "monitoring", "fields the contract does not name: recieved"),
        ("CcsLogsOwnAuthorizationWords", "control", "field authorization says 'granted', not "),
    ],
)
def test_a_log_finding_names_the_field_with_its_letter_as_reference(
    actor: str, scenario: str, says: str, validator: Validator
) -> None:
    options = RunOptions(actor_overrides={"CCS": f"mocks.faulty_c4:{actor}"})
    outcome, _ = run_case(case(scenario), validator, options)
    assert outcome.verdict is Verdict.FAIL and outcome.rule == "STATE-C4-LOG"
    assert says in outcome.reason


@pytest.mark.parametrize(
    ("scenario", "actor", "rule", "step"),
    [
        ("hostile-refused", "CcsAcceptsReplays", "STATE-C4-HOSTILE", "H11"),
        ("hostile-refused", "CcsAcceptsMalformed", "STATE-C4-HOSTILE", "H11"),
        ("service-ended", "CcsIgnoresServiceEnd", "STATE-C4-SERVICE-ENDED", "E6"),
        ("service-ended", "CcsKeepsAccessAfterServiceEnds", "STATE-C4-SERVICE-ENDED", "E6"),
        ("cross-party-refused", "CcsAuthorizesAnyRegistered", "STATE-C4-AUTHZ", "X1"),
        ("spoofed-identity-refused", "CcsRefusesButRelays", "STATE-C4-AUTHN", "Y1"),
    ],
)
def test_a_probe_let_through_heads_the_verdict_with_the_security_rule(
    scenario: str, actor: str, rule: str, step: str, validator: Validator
) -> None:
    """The sequence findings a probe let through brings (a confirmation again, a row the relay
    was mistaken for) come earlier in the scenario; the rule it was built to provoke leads."""
    options = RunOptions(actor_overrides={"CCS": f"mocks.faulty_c4:{actor}"})
    outcome, _ = run_case(case(scenario), validator, options)
    assert (outcome.verdict, outcome.rule, outcome.step) == (Verdict.FAIL, rule, step)
    assert any(f.rule.startswith("SEQ-") and f.blame is Blame.SUT for f in outcome.findings)


@pytest.mark.parametrize(
    ("scenario", "actor", "rule", "step"),
    [
        ("hostile-refused", "CcsAcceptsReplays", "SEQ-DUPLICATE", "H2"),
        ("service-ended", "CcsIgnoresServiceEnd", "PROFILE-ROOT", "E2"),
        ("unauthorized-alarm", "CcsWithoutAlarm", "SEQ-MISSING", "A4"),  # declares none
    ],
)
def test_without_a_primary_rule_the_earliest_product_finding_leads(
    scenario: str, actor: str, rule: str, step: str, validator: Validator
) -> None:
    """The same runs, the scenario declaring no primary rule: an ordinary scenario, where a
    later step never hides the first cause."""
    from dataclasses import replace

    plain = replace(case(scenario), spec=replace(case(scenario).spec, primary_rules=()))
    options = RunOptions(actor_overrides={"CCS": f"mocks.faulty_c4:{actor}"})
    outcome, _ = run_case(plain, validator, options)
    assert (outcome.verdict, outcome.rule, outcome.step) == (Verdict.FAIL, rule, step)


def test_a_state_row_judged_late_that_cannot_be_read_is_said_so(
    validator: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The late judgement of a primary scenario's state row never loses the verdict: a state
    the product's test-control cannot give is reported at that row, the FAIL stands."""
    from amicert.adapters.remote import TestControlError
    from amicert.packages import driver_for

    def unreadable(world: World, sp: str | None) -> None:
        raise TestControlError("state service_ended_refused: HTTP 503")

    monkeypatch.setitem(driver_for("C4").states, "service_ended_refused", unreadable)
    options = RunOptions(actor_overrides={"CCS": "mocks.faulty_c4:CcsIgnoresServiceEnd"})
    outcome, _ = run_case(case("service-ended"), validator, options)
    assert (outcome.verdict, outcome.rule, outcome.step) == (Verdict.FAIL, "PROFILE-ROOT", "E2")
    [late] = [f for f in outcome.findings if f.rule == "STATE-UNREADABLE"]
    assert (late.step, late.blame) == ("E6", Blame.INFRASTRUCTURE) and "503" in late.message
