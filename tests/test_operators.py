"""Operator answers: from a file when given, the automated rule otherwise; never blocking."""

from __future__ import annotations

from pathlib import Path

import pytest

from amicert.bus import Bus
from amicert.catalog import load_catalog
from amicert.cim.validate import Validator
from amicert.findings import Blame
from amicert.headless import cases, run_case
from amicert.operators import (
    CONTRADICTION,
    AnswersError,
    OperatorAnswers,
    UnknownQuestion,
    questions_of,
)
from amicert.trace import Trace
from amicert.verdicts import Outcome, Verdict
from amicert.world import RunOptions, World


def test_answers_are_found_by_actor_and_question_whatever_the_case(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text("Installer:\n  Problem resolved?: no\n  replacement meter at hand: true\n")
    answers = OperatorAnswers.load(path)
    assert answers.get("Installer", "problem resolved") == "no"
    assert answers.get("Installer", "Replacement meter at hand?") == "yes"
    assert answers.get("Customer", "problem resolved") is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("- a list\n", "expected a mapping"),
        ("Installer: yes\n", "expected a mapping question -> answer"),
        ("Installer:\n  q: [1, 2]\n", "the answer must be a scalar"),
        ("Installer: [\n", "not valid YAML"),
    ],
)
def test_a_broken_answers_file_names_file_and_problem(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text(text)
    with pytest.raises(AnswersError) as info:
        OperatorAnswers.load(path)
    assert problem in str(info.value) and str(path) in str(info.value)


def test_the_environment_names_the_file_when_the_run_does_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text("Customer:\n  q: a\n")
    monkeypatch.setenv("AMICERT_OPERATOR_ANSWERS", str(path))
    assert OperatorAnswers.for_settings({}).get("Customer", "q") == "a"
    assert (
        OperatorAnswers.for_settings({"operator_answers": {"Customer": {"q": "b"}}}).get(
            "Customer", "q"
        )
        == "b"
    )


def test_an_operator_uses_the_file_or_its_automated_rule_and_records_which() -> None:
    import random

    from amicert.actors.base import ActorContext
    from amicert.clock import VirtualClock
    from reference_impl.installer import Installer

    settings = {
        "operator_answers": {
            "Installer": {"problem resolved": "no", "replacement meter at hand": "maybe"}
        }
    }
    clock = VirtualClock()
    bus = Bus(clock, Trace(), None)  # type: ignore[arg-type]  # nothing is sent
    ctx = ActorContext(clock, bus, random.Random(1), settings)
    person = Installer(ctx)
    assert person.yes("problem resolved", True) is False
    assert person.yes("meter accurate and communicating", True) is True
    assert person.yes("replacement meter at hand", False) is False  # 'maybe' is not used
    assert [d.source for d in person.decisions] == [
        "answers file",
        "automated",
        "automated (ignored 'maybe')",
    ]
    # the file's "no" contradicts what the installer observed; no exchange yet to carry it
    assert [(f.rule, f.expected, f.received) for f in person.unplaced] == [
        (CONTRADICTION, "yes (what the Installer observes)", "no (answers file)")
    ]
    with pytest.raises(UnknownQuestion, match="QUESTIONS does not list"):
        person.ask("x", "no", ("yes", "no"))


SCENARIOS = ["I2/tamper-theft", "I2/maintenance-replaced"]


def i2_questions() -> dict[str, dict[str, tuple[str, ...]]]:
    from amicert.packages import driver_for

    return questions_of(driver_for("I2").reference.items())


def test_the_questions_are_those_the_operator_actors_declare() -> None:
    asked = i2_questions()
    assert asked["Installer"]["problem resolved"] == ("yes", "no")  # from the field-worker base
    assert asked["Meter Shop Meter Technician"]["repair, return to manufacturer or salvage"] == (
        "repair",
        "return to manufacturer",
        "salvage",
    )
    assert "Customer" not in asked  # asks nothing


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "Instaler:\n  problem resolved: 'no'\n",
            "no operator actor 'Instaler'; the actors that ask questions: Installer, Revenue",
        ),
        (
            "Installer:\n  problem solved: 'no'\n",
            "Installer: no question 'problem solved'; Installer asks: problem resolved; meter accurate",
        ),
        (
            "Installer:\n  problem resolved: maybe\n",
            "Installer: problem resolved: 'maybe' is no answer; one of: yes, no",
        ),
        (
            "Meter Shop Meter Technician:\n  repair, return to manufacturer or salvage: burn\n",
            "one of: repair, return to manufacturer, salvage",
        ),
        (
            "scenarios:\n  I2/tamper-thief:\n    Installer: {}\n",
            "no scenario 'I2/tamper-thief'; known: I2/tamper-theft",
        ),
        (
            "scenarios:\n  I2/tamper-theft:\n    Installer:\n      q: 'no'\n",
            "scenarios: I2/tamper-theft: Installer: no question 'q'",
        ),
    ],
)
def test_unknown_actors_questions_answers_and_scenarios_are_errors_listing_the_valid_ones(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text(text)
    with pytest.raises(AnswersError) as info:
        OperatorAnswers.load(path).check(path, SCENARIOS, i2_questions())
    assert problem in str(info.value)


def test_answers_scoped_to_a_scenario_win_there_only(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text(
        "Installer:\n  problem resolved: 'yes'\n  replacement meter at hand: 'yes'\n"
        "scenarios:\n  I2/maintenance-replaced:\n    Installer:\n      replacement meter at hand: 'no'\n"
    )
    answers = OperatorAnswers.load(path)
    answers.check(path, SCENARIOS, i2_questions())
    scoped = answers.for_scenario("I2/maintenance-replaced")
    assert scoped.get("Installer", "replacement meter at hand") == "no"
    assert scoped.get("Installer", "problem resolved") == "yes"
    assert (
        answers.for_scenario("I2/tamper-theft").get("Installer", "replacement meter at hand")
        == "yes"
    )


def test_a_file_that_is_not_utf8_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    path.write_bytes("Installer:\n  problem resolved: 'n\u00e9'\n".encode("latin-1"))
    with pytest.raises(
        AnswersError, match=r"not UTF-8 text \(byte 0xe9 at offset 33\); save the file as UTF-8"
    ):
        OperatorAnswers.load(path)


def _run_i2(scenario: str, answers: dict[str, dict[str, str]]) -> tuple[Outcome, World]:
    [case] = [c for c in cases(load_catalog()["I2"]) if c.id == scenario]
    return run_case(case, Validator(), RunOptions(settings={"operator_answers": answers}))


def test_an_answer_contradicting_what_happened_is_reported_where_it_was_given() -> None:
    # the field test shows a bypass; the file says no theft: reported at the field test's row
    outcome, _ = _run_i2(
        "tamper-theft", {"Revenue Protection Rep": {"energy theft occurred": "no"}}
    )
    [f] = [f for f in outcome.findings if f.rule == CONTRADICTION]
    assert f.step == "3.7#5" and f.blame is Blame.HARNESS  # a person the harness plays
    assert f.expected == "yes (what the Revenue Protection Rep observes)"
    assert f.received == "no (answers file)"
    assert "energy theft occurred: no" in f.message
    # it leads the verdict: what went wrong downstream is its consequence
    assert (outcome.verdict, outcome.rule, outcome.step) == (
        Verdict.ERROR,
        CONTRADICTION,
        "3.7#5",
    )


def test_an_answer_agreeing_with_what_happened_is_no_finding() -> None:
    outcome, world = _run_i2(
        "tamper-theft", {"Revenue Protection Rep": {"energy theft occurred": "yes"}}
    )
    assert outcome.verdict is Verdict.PASS
    rep = world.actor("Revenue Protection Rep")
    assert ("energy theft occurred", "answers file") in {
        (d.question, d.source) for d in rep.decisions
    }


def test_a_contradiction_before_any_exchange_is_still_reported() -> None:
    # the data retriever reads the MDMS screen before anything is sent; nothing follows a "no"
    outcome, _ = _run_i2("data-trouble", {"Data Retriever": {"anomaly in meter data": "no"}})
    [f] = [f for f in outcome.findings if f.rule == CONTRADICTION]
    assert (f.expected, f.received, f.blame) == (
        "yes (what the Data Retriever observes)",
        "no (answers file)",
        Blame.HARNESS,
    )


def documented_questions(section: str) -> dict[str, set[str]]:
    """The (actor, question) rows of one "The questions of ..." table of docs/operators.md."""
    text = (Path(__file__).resolve().parents[1] / "docs" / "operators.md").read_text()
    body = text.split(f"## The questions of {section}\n", 1)[1].split("\n## ", 1)[0]
    found: dict[str, set[str]] = {}
    for line in body.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or cells[0] in ("actor", "---"):
            continue
        for actor in cells[0].split(", "):
            found.setdefault(actor, set()).add(cells[1])
    return found


def test_the_documented_han_questions_are_those_the_han_package_asks() -> None:
    from amicert.packages import driver_for

    asked = questions_of(driver_for("HAN").reference.items())
    assert documented_questions("HAN") == {a: set(q) for a, q in asked.items()}
