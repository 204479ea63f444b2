"""Operator actors: the people of a use case, automated in reference runs, answerable from a file.

A person in a use case (an installer, a customer representative, a meter-shop technician)
decides things: is the problem resolved, is this energy theft, repair or salvage. In a
reference run each decision is made by the actor's automated rule, from what the person can
observe. A certification run may instead supply the answers in an *operator-answers file*::

    # operators.yaml: actor -> question -> answer
    Installer:
      problem resolved: "yes"
    Meter Shop Meter Technician:
      repair, return to manufacturer or salvage: salvage

Answers for one scenario only go under ``scenarios: {<use case>/<scenario id>: {actor: ...}}``
and win over the file's general answers in that scenario. Every actor, question, answer and
scenario is checked against the questions the operator actors declare (``QUESTIONS``) before a run: a misspelling is an error
that lists the valid names, never an answer silently ignored.

The file is named by the run setting ``operator_answers`` or the environment variable
``AMICERT_OPERATOR_ANSWERS``. A question the file does not answer falls back to the automated
rule: a headless run never waits for a person. Every question, answer and where the answer came
from is kept in the actor's ``decisions`` so that the report can show who decided what.
See docs/operators.md.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import yaml

from amicert.actors.base import Actor, ActorContext
from amicert.findings import Blame, Finding, error

if TYPE_CHECKING:
    from amicert.trace import Exchange

ANSWERS_ENV = "AMICERT_OPERATOR_ANSWERS"
ANSWERS_SETTING = "operator_answers"
CONTRADICTION = "OPERATOR-CONTRADICTION"


SCENARIOS_KEY = "scenarios"
YES_NO = ("yes", "no")


class AnswersError(Exception):
    """An operator-answers file that cannot be used: names the file and the problem."""


class UnknownQuestion(Exception):
    """An operator asked a question its QUESTIONS do not list: a harness defect, never an answer."""


def questions_of(
    reference: Iterable[tuple[str, type[Actor]]],
) -> dict[str, dict[str, tuple[str, ...]]]:
    """Actor -> question -> answers, for the operator actors among ``(role, class)`` pairs."""
    found: dict[str, dict[str, tuple[str, ...]]] = {}
    for role, cls in reference:
        if isinstance(cls, type) and issubclass(cls, OperatorActor) and cls.all_questions():
            found.setdefault(role, {}).update(cls.all_questions())
    return found


@dataclass(frozen=True)
class Decision:
    actor: str
    question: str
    answer: str
    source: str  # "answers file" or "automated"


class OperatorAnswers:
    """Answers by actor and question, from a YAML mapping ``actor -> question -> answer``,
    with per-scenario answers under ``scenarios: {USE_CASE/ID: {actor -> question -> answer}}``."""

    def __init__(
        self,
        answers: dict[str, dict[str, str]] | None = None,
        scenarios: dict[str, dict[str, dict[str, str]]] | None = None,
    ) -> None:
        self.answers = _normed(answers or {})
        self.scenarios = {sid: _normed(a) for sid, a in (scenarios or {}).items()}

    @classmethod
    def load(cls, path: Path) -> OperatorAnswers:
        try:
            raw: Any = yaml.safe_load(path.read_bytes().decode("utf-8"))
        except OSError as exc:
            raise AnswersError(f"{path}: cannot read: {exc.strerror or exc}") from None
        except UnicodeDecodeError as exc:
            raise AnswersError(
                f"{path}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset "
                f"{exc.start}); save the file as UTF-8"
            ) from None
        except yaml.YAMLError as exc:
            raise AnswersError(f"{path}: not valid YAML: {exc}") from None
        if raw is None:
            return cls()
        if not isinstance(raw, dict):
            raise AnswersError(f"{path}: expected a mapping actor -> question -> answer")
        scoped = raw.pop(SCENARIOS_KEY, None) or {}
        if not isinstance(scoped, dict):
            raise AnswersError(f"{path}: {SCENARIOS_KEY}: expected a mapping USE_CASE/ID -> actor")
        general = _answers(path, "", raw)
        per_scenario = {}
        for sid, block in scoped.items():
            if not isinstance(block, dict):
                raise AnswersError(
                    f"{path}: {SCENARIOS_KEY}: {sid}: expected a mapping actor -> ..."
                )
            per_scenario[str(sid)] = _answers(path, f"{SCENARIOS_KEY}: {sid}: ", block)
        return cls(general, per_scenario)

    def check(
        self,
        path: Path,
        scenario_ids: list[str],
        asked: dict[str, dict[str, tuple[str, ...]]],
    ) -> None:
        """Every actor, question, answer and scenario named is a real one; else AnswersError
        listing the valid ones. ``asked``: actor -> question -> answers (``questions_of``)."""
        for sid in self.scenarios:
            if sid not in scenario_ids:
                raise AnswersError(
                    f"{path}: {SCENARIOS_KEY}: no scenario {sid!r}; known: {', '.join(scenario_ids)}"
                )
        blocks = [("", self.answers)] + [
            (f"{SCENARIOS_KEY}: {sid}: ", a) for sid, a in self.scenarios.items()
        ]
        for where, answers in blocks:
            for actor, questions in answers.items():
                if actor not in asked:
                    raise AnswersError(
                        f"{path}: {where}no operator actor {actor!r}; the actors that ask "
                        f"questions: {', '.join(asked)}"
                    )
                known = {_norm(q): q for q in asked[actor]}
                for question, answer in questions.items():
                    if question not in known:
                        raise AnswersError(
                            f"{path}: {where}{actor}: no question {question!r}; "
                            f"{actor} asks: {'; '.join(asked[actor])}"
                        )
                    choices = asked[actor][known[question]]
                    if answer not in choices:
                        raise AnswersError(
                            f"{path}: {where}{actor}: {known[question]}: {answer!r} is no answer; "
                            f"one of: {', '.join(choices)}"
                        )

    def for_scenario(self, scenario: str) -> OperatorAnswers:
        """The answers one scenario (``USE_CASE/ID``) uses: its own over the general ones."""
        merged = {actor: dict(qs) for actor, qs in self.answers.items()}
        for actor, qs in self.scenarios.get(scenario, {}).items():
            merged.setdefault(actor, {}).update(qs)
        return OperatorAnswers(merged)

    @classmethod
    def for_settings(cls, settings: dict[str, Any]) -> OperatorAnswers:
        """The answers a run uses: the ``operator_answers`` setting (a path or a mapping), else
        the file named by ``$AMICERT_OPERATOR_ANSWERS``, else none (all automated)."""
        given = settings.get(ANSWERS_SETTING)
        if isinstance(given, OperatorAnswers):
            return given
        if isinstance(given, dict):
            return cls(given)
        path = given if isinstance(given, (str, Path)) else os.environ.get(ANSWERS_ENV)
        return cls.load(Path(path)) if path else cls()

    def get(self, actor: str, question: str) -> str | None:
        return self.answers.get(actor, {}).get(_norm(question))


def _answers(path: Path, where: str, raw: dict[Any, Any]) -> dict[str, dict[str, str]]:
    for actor, qs in raw.items():
        if not isinstance(qs, dict):
            raise AnswersError(f"{path}: {where}{actor}: expected a mapping question -> answer")
        for question, answer in qs.items():
            if not isinstance(answer, (str, int, float, bool)):
                raise AnswersError(
                    f"{path}: {where}{actor}: {question}: the answer must be a scalar"
                )
    return {str(a): {str(q): _scalar(v) for q, v in qs.items()} for a, qs in raw.items()}


def _normed(answers: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    return {actor: {_norm(q): str(a) for q, a in qs.items()} for actor, qs in answers.items()}


def _norm(question: str) -> str:
    return " ".join(question.lower().split()).rstrip("?")


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


class OperatorActor(Actor):
    """Base of the people of a use case. ``ask`` never blocks.

    ``QUESTIONS`` (question -> the answers it takes) lists what this person asks, added up over
    the class's bases; ``ask`` refuses any other question, so an answers file can be checked
    against the list before a run and the list cannot fall behind the code.
    """

    QUESTIONS: ClassVar[dict[str, tuple[str, ...]]] = {}

    @classmethod
    def all_questions(cls) -> dict[str, tuple[str, ...]]:
        asked: dict[str, tuple[str, ...]] = {}
        for klass in reversed(cls.__mro__):
            asked.update(getattr(klass, "QUESTIONS", {}) if klass is not OperatorActor else {})
        return asked

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        self.decisions: list[Decision] = []
        self.unplaced: list[Finding] = []  # contradictions no exchange has carried yet
        cached = ctx.settings.get("_operator_answers")
        if not isinstance(cached, OperatorAnswers):
            cached = OperatorAnswers.for_settings(ctx.settings)
            ctx.settings["_operator_answers"] = cached
        self.answers = cached

    def ask(self, question: str, automated: str, choices: tuple[str, ...] = ()) -> str:
        """The answer to ``question``: from the answers file, else the automated rule's.

        An answer outside ``choices`` (when given) is not used: the automated one is, and the
        decision records why.
        """
        if _norm(question) not in {_norm(q) for q in self.all_questions()}:
            raise UnknownQuestion(
                f"{self.role} asks {question!r}, which {type(self).__name__}.QUESTIONS does not list"
            )
        given = self.answers.get(self.role, question)
        if given is not None and (not choices or given in choices):
            decision = Decision(self.role, question, given, "answers file")
        else:
            source = "automated" if given is None else f"automated (ignored {given!r})"
            decision = Decision(self.role, question, automated, source)
        self.decisions.append(decision)
        self.note(f"{question}? {decision.answer} ({decision.source})")
        return decision.answer

    def yes(self, question: str, automated: bool) -> bool:
        """A yes/no question asks what the person observes, and ``automated`` is what the
        observation shows: an answer from the file that says otherwise contradicts what happened,
        and is reported where it was given (what follows from it would only be a consequence)."""
        observed = "yes" if automated else "no"
        answer = self.ask(question, observed, YES_NO)
        if answer != observed:
            self._contradicted(question, observed, answer)
        return answer == "yes"

    def _contradicted(self, question: str, observed: str, answer: str) -> None:
        """An ``OPERATOR-CONTRADICTION`` on the last exchange observed when the answer was given:
        the matcher reports it at that exchange's row, blamed on this actor. Given before any
        exchange (a person reading a screen), it goes on the first exchange that follows."""
        bus = self.ctx.bus
        finding = error(
            CONTRADICTION,
            f"the {self.role} answered '{question}: {answer}', which contradicts what happened",
            expected=f"{observed} (what the {self.role} observes)",
            received=f"{answer} (answers file)",
            extra={"actor": self.role},
        )
        self.note(str(finding))
        with bus.lock:
            if bus.trace.exchanges:
                bus.trace.exchanges[-1].findings.append(finding)
                return
            self.unplaced.append(finding)  # the run reports it if no exchange ever follows

            def first(exchange: Exchange) -> None:
                exchange.findings.append(finding)
                self.unplaced.remove(finding)
                bus.trace.on_record.remove(first)

            bus.trace.on_record.append(first)

    def screen(self, role: str, instance: str | None = None) -> Any:
        """The system (or device on the bench) a person works at: what its screen shows, or what
        the person's hands find. Not an exchange of the use case."""
        return self.ctx.bus.actor(role, instance)


def unplaced(actors: Iterable[Actor], blame: Callable[[str], Blame]) -> list[Finding]:
    """Contradicting answers given when no exchange came before or after: a run reports them,
    each blamed as its actor is (``blame``: role -> blame)."""
    return [
        replace(f, blame=blame(a.role))
        for a in actors
        if isinstance(a, OperatorActor)
        for f in a.unplaced
    ]
