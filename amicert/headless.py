"""Running a scenario without pytest: the same feature steps, the same world, the same verdict.

``amicert run`` goes through pytest-bdd for its reports. The harness's own proofs run many
variants of each scenario (every mutation of every exchange), where a pytest session per variant
would cost seconds: here a scenario is read from its feature file, rendered for each outline
example, and its steps dispatched on the generic step table in-process, in milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from amicert.catalog import ScenarioSpec, UseCase, tag_value
from amicert.cim.validate import Validator
from amicert.findings import Blame, error
from amicert.steps_support import dispatch
from amicert.verdicts import Outcome, Verdict
from amicert.world import RunOptions, StepCheckFailed, World


@dataclass(frozen=True)
class ScenarioCase:
    """One runnable scenario: a document scenario, or one example of an outline."""

    use_case: UseCase
    spec: ScenarioSpec
    name: str
    example: str | None
    steps: tuple[str, ...]

    @property
    def id(self) -> str:
        return self.spec.id + (f"[{self.example}]" if self.example else "")


def cases(use_case: UseCase) -> Iterator[ScenarioCase]:
    """Every scenario of the use case's features, outline examples rendered one by one."""
    from pytest_bdd.feature import get_feature

    for path in sorted(use_case.features_dir.glob("*.feature")):
        feature = get_feature(str(path.parent), path.name)
        for template in feature.scenarios.values():
            tags = set(template.tags) | set(feature.tags)
            scenario_id = tag_value(tags, "scenario")
            if scenario_id is None or scenario_id not in use_case.scenarios:
                continue
            contexts = [ctx for ex in template.examples for ctx in ex.as_contexts()] or [{}]
            for ctx in contexts:
                rendered = template.render(ctx)
                yield ScenarioCase(
                    use_case,
                    use_case.scenarios[scenario_id],
                    rendered.name,
                    "-".join(str(v) for v in ctx.values()) or None,
                    tuple(s.name for s in rendered.steps),
                )


def run_case(
    case: ScenarioCase,
    validator: Validator,
    options: RunOptions | None = None,
    *,
    prepare: Callable[[World], None] | None = None,
) -> tuple[Outcome, World]:
    """Run ``case`` to its verdict, judged exactly as ``amicert run`` judges it. ``prepare``
    sees the world before its first step (a self-test's hook on the bus)."""
    world = World(case.use_case, case.spec, validator, options)
    if prepare is not None:
        prepare(world)
    failed: StepCheckFailed | None = None
    try:
        for text in case.steps:
            dispatch(world, text)
    except StepCheckFailed as exc:  # a failed row ends the scenario, as in pytest-bdd
        failed = exc
    except pytest.skip.Exception as exc:
        return Outcome(Verdict.NOT_APPLICABLE, str(exc), "PICS"), world
    except Exception as exc:
        finding = error("HARNESS", f"{type(exc).__name__}: {exc}", blame=Blame.HARNESS)
        return Outcome(Verdict.ERROR, finding.message, "HARNESS", None, [finding]), world
    outcome, _ = world.finish()
    if failed is not None and outcome.verdict is Verdict.PASS:
        outcome = Outcome(
            Verdict.FAIL, str(failed), failed.findings[0].rule, failed.number, failed.findings
        )
    return outcome, world
