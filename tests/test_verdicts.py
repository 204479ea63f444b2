"""Verdicts are decided from findings by blame; warnings never fail."""

from __future__ import annotations

from amicert.findings import Blame, error, warning
from amicert.verdicts import Verdict, decide


def test_no_errors_is_pass_even_with_warnings() -> None:
    assert decide([warning("CODE-UNKNOWN", "unknown code")]).verdict is Verdict.PASS


def test_an_error_of_the_system_under_test_is_fail_and_names_rule_and_step() -> None:
    outcome = decide([error("SEQ-MISSING", "never sent", step="1.11", blame=Blame.SUT)])
    assert (outcome.verdict, outcome.rule, outcome.step) == (Verdict.FAIL, "SEQ-MISSING", "1.11")
    assert outcome.reason == "never sent"


def test_a_sut_error_outranks_consequential_deviations_of_reference_actors() -> None:
    found = [
        error("PROFILE-CONTENT", "relayed", step="R1.9", blame=Blame.HARNESS),
        error("PROFILE-CONTENT", "sent", step="R1.8", blame=Blame.SUT),
    ]
    outcome = decide(found)
    assert (outcome.verdict, outcome.step) == (Verdict.FAIL, "R1.8")


def test_errors_of_reference_actors_alone_mean_the_harness_broke() -> None:
    assert decide([error("XSD-PAYLOAD", "bad", blame=Blame.HARNESS)]).verdict is Verdict.ERROR


def test_infrastructure_errors_alone_are_inconclusive() -> None:
    outcome = decide([error("WIRE-UNREACHABLE", "refused", blame=Blame.INFRASTRUCTURE)])
    assert outcome.verdict is Verdict.INCONCLUSIVE


def test_a_harness_exception_is_error_whatever_the_findings() -> None:
    outcome = decide([error("SEQ-MISSING", "x", blame=Blame.SUT)], harness_error="boom")
    assert outcome.verdict is Verdict.ERROR and outcome.reason == "boom"


ORDER = {"1.4": 0, "1.5": 1, "1.6": 2}


def test_a_consequence_after_the_sut_error_leaves_the_verdict_fail() -> None:
    found = [
        error("SEQ-MISSING", "network never relayed", step="1.5", blame=Blame.HARNESS),
        error("PROFILE-CONTENT", "relayed a deviation", step="1.4", blame=Blame.HARNESS),
        error("SEQ-MISSING", "head-end never sent", step="1.4", blame=Blame.SUT),
    ]
    outcome = decide(found, order=ORDER)
    assert (outcome.verdict, outcome.step) == (Verdict.FAIL, "1.4")


def test_a_harness_failure_before_any_sut_error_is_error() -> None:
    found = [
        error("SEQ-MISSING", "the Installer never sent", step="1.4", blame=Blame.HARNESS),
        error("SEQ-MISSING", "the vendor never answered", step="1.6", blame=Blame.SUT),
    ]
    outcome = decide(found, order=ORDER)
    assert outcome.verdict is Verdict.ERROR and outcome.step == "1.4"
    assert "the harness failed first" in outcome.reason


def test_a_finding_never_prints_none_for_what_it_lacks() -> None:
    from amicert.findings import error

    assert "None" not in str(error("R", "m", expected="a"))
    assert str(error("R", "m", expected="a")).endswith("(expected: a)")
    assert str(error("R", "m", received="b")).endswith("(received: b)")
    assert str(error("R", "m")) == "ERROR R: m"


def test_the_headline_is_the_earliest_product_finding_not_the_first_listed() -> None:
    from amicert.findings import error as err

    order = {"1": 0, "2": 1, "3": 2}
    late = err("SEQ-MISSING", "never sent", step="3")
    early = err("PROFILE-CONTENT", "wrong content", step="1")
    end = err("STATE-MDM-EVENT", "not stored")  # an end-of-scenario check names no row
    setup = err("TEST-CONTROL-ANSWER", "bad configure answer", extra={"phase": "set-up"})
    outcome = decide([late, end, early], order=order)
    assert (outcome.verdict, outcome.rule, outcome.step) == (Verdict.FAIL, "PROFILE-CONTENT", "1")
    assert decide([late, early, setup], order=order).rule == "TEST-CONTROL-ANSWER"
    assert decide([end, late], order=order).rule == "SEQ-MISSING"


def test_a_primary_rule_of_the_scenario_leads_over_earlier_sequence_findings() -> None:
    """A probe the product let through: the rule the scenario provokes names the defect; the
    deviations of the rows before its check are its symptoms."""
    order = {"H2": 0, "H3": 1, "H11": 2}
    symptom = error("SEQ-DUPLICATE", "confirmed again", step="H2")
    cause = error("STATE-C4-HOSTILE", "replay relayed", step="H11")
    other = error("SEQ-MISSING", "never refused", step="H3")
    led = decide([symptom, other, cause], order=order, primary={"STATE-C4-HOSTILE"})
    assert (led.verdict, led.rule, led.step) == (Verdict.FAIL, "STATE-C4-HOSTILE", "H11")
    # not declared, or not broken: the earliest product finding leads, as for any scenario
    assert decide([symptom, other, cause], order=order).rule == "SEQ-DUPLICATE"
    assert decide([other, symptom], order=order, primary={"STATE-C4-HOSTILE"}).step == "H2"
    # a primary rule leads the product's findings only: the harness failing first is still ERROR
    broke = error("SEQ-MISSING", "reference never sent", step="H2", blame=Blame.HARNESS)
    first = decide([broke, cause], order=order, primary={"STATE-C4-HOSTILE"})
    assert first.verdict is Verdict.ERROR and first.step == "H2"
