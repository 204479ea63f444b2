"""Operator answers: from a file when given, the automated rule otherwise; never blocking."""

from __future__ import annotations

from pathlib import Path

import pytest

from amicert.operators import AnswersError, OperatorAnswers


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

    settings = {"operator_answers": {"Installer": {"problem resolved": "no", "x": "maybe"}}}
    ctx = ActorContext(VirtualClock(), None, random.Random(1), settings)  # type: ignore[arg-type]
    person = Installer(ctx)
    assert person.yes("problem resolved", True) is False
    assert person.yes("replacement meter at hand", True) is True
    assert person.ask("x", "no", ("yes", "no")) == "no"  # an answer outside the choices is not used
    assert [d.source for d in person.decisions] == [
        "answers file",
        "automated",
        "automated (ignored 'maybe')",
    ]
