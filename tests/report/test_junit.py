"""junit.xml says what the verdicts say: FAIL failure, ERROR error, the rest skipped with reason."""

from __future__ import annotations

from lxml import etree

from amicert.findings import error
from amicert.report.junit import junit_xml
from amicert.report.summary import ScenarioResult
from amicert.verdicts import Verdict


def result(verdict: Verdict, reason: str = "", example: str = "") -> ScenarioResult:
    return ScenarioResult(
        "AEP-5.8",
        f"s-{verdict.value.lower()}",
        "A scenario",
        False,
        verdict,
        reason,
        "RULE-X" if verdict is not Verdict.PASS else None,
        "1.2" if verdict is not Verdict.PASS else None,
        [error("RULE-X", "what went wrong \x00 here")] if verdict is not Verdict.PASS else [],
        example=example,
        duration_s=0.5,
    )


def test_each_verdict_has_its_junit_form_and_names_are_use_case_and_scenario() -> None:
    results = [result(v, f"because {v.value}") for v in Verdict]
    results.append(result(Verdict.PASS, example="case=downgrade, firmware=4.0"))
    suite = etree.fromstring(junit_xml(results)).find("testsuite")
    assert suite is not None
    assert (
        suite.get("tests"),
        suite.get("failures"),
        suite.get("errors"),
        suite.get("skipped"),
    ) == (
        "6",
        "1",
        "1",
        "2",
    )
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert all(c.get("classname") == "AEP-5.8" for c in cases.values())
    assert [child.tag for child in cases["s-pass: A scenario"]] == []
    fail = cases["s-fail: A scenario"].find("failure")
    assert fail is not None and fail.get("message") == "FAIL: because FAIL (RULE-X at step 1.2)"
    assert "what went wrong \ufffd here" in (fail.text or "")
    err = cases["s-error: A scenario"].find("error")
    assert err is not None and err.get("message", "").startswith("ERROR: because ERROR")
    for name in ("s-inconclusive: A scenario", "s-not_applicable: A scenario"):
        skipped = cases[name].find("skipped")
        assert skipped is not None and "because" in skipped.get("message", "")
        assert cases[name].find("failure") is None
    assert "s-pass: A scenario [case=downgrade, firmware=4.0]" in cases
    assert "Exception" not in junit_xml(results).decode()
