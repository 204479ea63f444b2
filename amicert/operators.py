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

The file is named by the run setting ``operator_answers`` or the environment variable
``AMICERT_OPERATOR_ANSWERS``. A question the file does not answer falls back to the automated
rule: a headless run never waits for a person. Every question, answer and where the answer came
from is kept in the actor's ``decisions`` so that the report can show who decided what.
See docs/operators.md.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from amicert.actors.base import Actor, ActorContext

ANSWERS_ENV = "AMICERT_OPERATOR_ANSWERS"
ANSWERS_SETTING = "operator_answers"


class AnswersError(Exception):
    """An operator-answers file that cannot be used: names the file and the problem."""


@dataclass(frozen=True)
class Decision:
    actor: str
    question: str
    answer: str
    source: str  # "answers file" or "automated"


class OperatorAnswers:
    """Answers by actor and question, from a YAML mapping ``actor -> question -> answer``."""

    def __init__(self, answers: dict[str, dict[str, str]] | None = None) -> None:
        self.answers = {
            actor: {_norm(q): str(a) for q, a in qs.items()}
            for actor, qs in (answers or {}).items()
        }

    @classmethod
    def load(cls, path: Path) -> OperatorAnswers:
        try:
            raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise AnswersError(f"{path}: cannot read: {exc.strerror or exc}") from None
        except yaml.YAMLError as exc:
            raise AnswersError(f"{path}: not valid YAML: {exc}") from None
        if raw is None:
            return cls()
        if not isinstance(raw, dict):
            raise AnswersError(f"{path}: expected a mapping actor -> question -> answer")
        for actor, qs in raw.items():
            if not isinstance(qs, dict):
                raise AnswersError(f"{path}: {actor}: expected a mapping question -> answer")
            for question, answer in qs.items():
                if not isinstance(answer, (str, int, float, bool)):
                    raise AnswersError(f"{path}: {actor}: {question}: the answer must be a scalar")
        return cls({str(a): {str(q): _scalar(v) for q, v in qs.items()} for a, qs in raw.items()})

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


def _norm(question: str) -> str:
    return " ".join(question.lower().split()).rstrip("?")


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


class OperatorActor(Actor):
    """Base of the people of a use case. ``ask`` never blocks."""

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        self.decisions: list[Decision] = []
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
        return self.ask(question, "yes" if automated else "no", ("yes", "no")) == "yes"

    def screen(self, role: str, instance: str | None = None) -> Any:
        """The system (or device on the bench) a person works at: what its screen shows, or what
        the person's hands find. Not an exchange of the use case."""
        return self.ctx.bus.actor(role, instance)
