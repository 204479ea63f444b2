"""The use-case catalog: usecase.yaml transcriptions, their feature files, and traceability.

The catalog is the single source of what a use case expects (actors, step rows, messages,
requirements). Features are checked against it, so a Gherkin step can never drift from the row it
claims to transcribe.
"""

from __future__ import annotations

import functools
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml

from amicert.errors import FileKeyError

INTERNAL = "Internal"
# the envelopes any message may come in; each catalog adds the prefixes of its own nouns
ENVELOPE_NAMESPACES = {
    "msg": "http://iec.ch/TC57/2011/schema/message",
    "soap11": "http://schemas.xmlsoap.org/soap/envelope/",
    "soap12": "http://www.w3.org/2003/05/soap-envelope",
}
HARNESS_ADDED_TAG = "harness_added"
STEP_TEXT = re.compile(r"^step (?P<number>[A-Za-z]?\d+(?:\.\d+)*[a-z]?): (?P<text>.+)$")


# libyaml's loader where it is installed (several times faster), the pure-Python one otherwise
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CatalogError(FileKeyError):
    """A usecase.yaml that cannot be used: names the file, the key and the problem."""


@dataclass(frozen=True)
class Actor:
    name: str
    kind: str
    description: str


@dataclass(frozen=True)
class MessageSpec:
    """How an exchange is recognised and what it must carry.

    ``root`` (Clark name) identifies device-protocol messages; ``cim`` holds kind/verb/noun/event
    codes for CIM messages; ``keys`` are XPath expressions extracting correlation values;
    ``expect_keys`` are values those keys must have for the message to be this one.
    """

    name: str
    root: str | None = None
    cim: dict[str, Any] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    expect_keys: dict[str, str] = field(default_factory=dict)
    namespaces: dict[str, str] = field(default_factory=dict)  # prefixes the keys' XPaths use


@dataclass(frozen=True)
class Part:
    """One exchange of a step row. Most rows have one; a row whose information-exchange table
    lists several (request, download, notice ...) has them in order. ``reply`` marks an exchange
    observed as the synchronous reply to the request of an earlier part or row."""

    producer: str
    receiver: str
    information: str
    message: str
    per: str = "campaign"
    reply: bool = False
    # the document leaves open whether this exchange happens within the scenario (two conforming
    # readings): absent, it is no finding; present, it is judged like any other
    optional: bool = False


@dataclass(frozen=True)
class StepRow:
    """One row of a step table. ``number`` is the row's key in the catalog: the document's
    number, qualified as ``<table>#<number>`` when the use case has several step tables whose
    numbers repeat; ``label`` is the number exactly as the document writes it."""

    number: str
    description: str
    information: str
    producer: str
    receiver: str
    message_type: str = ""
    trigger: str = ""
    message: str | None = None
    per: str = "campaign"
    observe: dict[str, str] = field(default_factory=dict)
    harness_added: bool = False
    label: str = ""
    table: str = ""
    parts: tuple[Part, ...] = ()
    reply: bool = False
    repeatable: bool = False  # the document allows the row to happen again (else: an error)

    @property
    def internal(self) -> bool:
        return self.receiver == INTERNAL

    @property
    def shown(self) -> str:
        """The row number as the document writes it."""
        return self.label or self.number

    @functools.cached_property
    def exchanges(self) -> tuple[Part, ...]:
        """The exchanges that make up this row, in order (none for an internal row)."""
        if self.internal:
            return ()
        if self.parts:
            return self.parts
        return (
            Part(
                self.producer,
                self.receiver,
                self.information,
                self.message or "",
                self.per,
                self.reply,
            ),
        )

    def text(self) -> str:
        """The Gherkin text of this row: the one form features must use."""
        if self.internal:
            return f'step {self.shown}: the {self.producer} acts internally: "{self.description}"'
        return (
            f'step {self.shown}: the {self.producer} sends the "{self.information}" '
            f"to the {self.receiver}"
        )


@dataclass(frozen=True)
class ScenarioSpec:
    id: str
    name: str
    steps: tuple[str, ...]
    harness_added: bool = False
    table: str = ""
    # the rules the scenario is built to provoke (a security probe): a failure of one names the
    # defect, so it heads the verdict over the sequence deviations that come with it
    primary_rules: tuple[str, ...] = ()


@dataclass(frozen=True)
class Requirement:
    id: str
    text: str
    traced_to: tuple[str, ...] = ()
    out_of_scope: str | None = None
    deleted: bool = False
    measured_by: tuple[str, ...] = ()  # the rule IDs whose checks tell right from wrong here


@dataclass
class UseCase:
    id: str
    title: str
    path: Path
    features_dir: Path
    actors: dict[str, Actor]
    rows: dict[str, StepRow]
    messages: dict[str, MessageSpec]
    scenarios: dict[str, ScenarioSpec]
    requirements: list[Requirement]
    preconditions: list[str] = field(default_factory=list)
    postconditions: list[str] = field(default_factory=list)
    integration_points: list[dict[str, Any]] = field(default_factory=list)
    summary: str = ""
    correlation_keys: tuple[str, ...] = ()
    namespaces: dict[str, str] = field(default_factory=dict)  # prefixes of the keys' XPaths
    device_key: str = "device"  # the key naming the meter (device) a message concerns
    limits: dict[str, Any] = field(
        default_factory=dict
    )  # deadlines and service levels the judge uses
    capabilities: dict[str, str] = field(default_factory=dict)  # PICS keys this use case defines

    @property
    def document_rows(self) -> list[StepRow]:
        return [r for r in self.rows.values() if not r.harness_added]

    def key(self, scenario: ScenarioSpec | str | None, number: str) -> str:
        """The catalog key of row ``number`` as a feature of ``scenario`` writes it."""
        spec = self.scenarios.get(scenario) if isinstance(scenario, str) else scenario
        if spec is not None and spec.table and "#" not in number:
            qualified = f"{spec.table}#{number}"
            if qualified in self.rows:
                return qualified
        return number

    def row(self, number: str) -> StepRow:
        try:
            return self.rows[number]
        except KeyError:
            raise KeyError(f"{self.id} has no step {number}") from None

    def scenario(self, scenario_id: str) -> ScenarioSpec:
        try:
            return self.scenarios[scenario_id]
        except KeyError:
            raise KeyError(f"{self.id} has no scenario {scenario_id!r}") from None


def _require(data: dict[str, Any], key: str, path: Path, where: str, kind: type = str) -> Any:
    if key not in data:
        raise CatalogError(path, f"{where}.{key}" if where else key, "missing")
    value = data[key]
    if not isinstance(value, kind):
        raise CatalogError(
            path, f"{where}.{key}" if where else key, f"expected {kind.__name__}, got {value!r}"
        )
    return value


def _part(data: dict[str, Any], path: Path, where: str) -> Part:
    return Part(
        producer=_require(data, "producer", path, where),
        receiver=_require(data, "receiver", path, where),
        information=_require(data, "information", path, where),
        message=_require(data, "message", path, where),
        per=str(data.get("per", "campaign")),
        reply=bool(data.get("reply", False)),
        optional=bool(data.get("optional", False)),
    )


def _qualify(table: str, number: str) -> str:
    return f"{table}#{number}" if table and "#" not in number else number


def _row(
    data: dict[str, Any], path: Path, where: str, harness_added: bool, table: str = ""
) -> StepRow:
    parts = tuple(
        _part(p, path, f"{where}.exchanges[{i}]") for i, p in enumerate(data.get("exchanges") or [])
    )
    if parts:
        # the first exchange is the row's own, unless the row says otherwise
        first = parts[0]
        data = {
            "producer": first.producer,
            "receiver": first.receiver,
            "information": first.information,
            "message": first.message,
            **data,
        }
    label = str(_require(data, "number", path, where))
    observe = {
        k: _qualify(table, str(v)) if k in ("effect_of", "after") else str(v)
        for k, v in (data.get("observe") or {}).items()
    }
    return StepRow(
        number=_qualify(table, label),
        description=" ".join(str(_require(data, "description", path, where)).split()),
        information=_require(data, "information", path, where),
        producer=_require(data, "producer", path, where),
        receiver=_require(data, "receiver", path, where),
        message_type=str(data.get("message_type") or ""),
        trigger=" ".join(str(data.get("trigger") or "").split()),
        message=data.get("message"),
        per=str(data.get("per", "campaign")),
        observe=observe,
        harness_added=harness_added,
        label=label if table else "",
        table=table,
        parts=parts,
        reply=bool(data.get("reply", False)),
        repeatable=bool(data.get("repeatable", False)),
    )


_LOADED: dict[tuple[str, int, int], UseCase] = {}


def load_use_case(path: Path) -> UseCase:
    """Read one usecase.yaml, checking every cross-reference so errors surface at load time.

    Parsed once per process and file version (the path, its size and modification time)."""
    try:
        stat = path.stat()
    except OSError as exc:
        raise CatalogError(path, "(file)", f"cannot read: {exc.strerror or exc}") from None
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _LOADED:
        _LOADED[key] = _load_use_case(path)
    # each caller its own copy, so no one's edit reaches another (a pickle round trip: the same
    # deep copy as copy.deepcopy for these plain dataclasses, in a third of the time)
    return cast(UseCase, pickle.loads(pickle.dumps(_LOADED[key], pickle.HIGHEST_PROTOCOL)))


def _load_use_case(path: Path) -> UseCase:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise CatalogError(path, "(document)", f"not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise CatalogError(path, "(document)", "expected a mapping at the top level")
    uc_id = _require(raw, "id", path, "")
    actors = {
        a["name"]: Actor(
            a["name"], a.get("kind", "system"), " ".join(a.get("description", "").split())
        )
        for a in _require(raw, "actors", path, "", list)
    }
    prefixes = {**ENVELOPE_NAMESPACES, **_string_map(raw, "namespaces", path)}
    messages = {
        name: MessageSpec(
            name=name,
            root=spec.get("root"),
            cim=dict(spec.get("cim") or {}),
            keys={k: str(v) for k, v in (spec.get("keys") or {}).items()},
            expect_keys={k: str(v) for k, v in (spec.get("expect_keys") or {}).items()},
            namespaces=prefixes,
        )
        for name, spec in (raw.get("messages") or {}).items()
    }
    rows: dict[str, StepRow] = {}
    sections: list[tuple[str, bool, str, list[Any]]] = [
        ("steps", False, "", raw.get("steps") or []),
    ]
    for t, table in enumerate(raw.get("tables") or []):
        table_id = str(_require(table, "id", path, f"tables[{t}]"))
        sections.append((f"tables[{t}].steps", False, table_id, table.get("steps") or []))
    sections.append(("harness_steps", True, "", raw.get("harness_steps") or []))
    for section, added, table_id, items in sections:
        for i, item in enumerate(items):
            row = _row(item, path, f"{section}[{i}]", added, table_id)
            if row.number in rows:
                raise CatalogError(path, f"{section}[{i}].number", f"duplicate step {row.number}")
            for role in (row.producer, row.receiver):
                if role != INTERNAL and role not in actors:
                    raise CatalogError(path, f"{section}[{i}]", f"unknown actor {role!r}")
            for part in row.parts:
                for role in (part.producer, part.receiver):
                    if role not in actors:
                        raise CatalogError(
                            path, f"{section}[{i}].exchanges", f"unknown actor {role!r}"
                        )
            for name in [row.message, *(p.message for p in row.parts)]:
                if name and name not in messages:
                    raise CatalogError(path, f"{section}[{i}].message", f"unknown message {name!r}")
            if any(p not in ("campaign", "device") for p in [row.per, *(x.per for x in row.parts)]):
                raise CatalogError(path, f"{section}[{i}].per", "expected 'campaign' or 'device'")
            if not row.internal and not row.message:
                raise CatalogError(
                    path, f"{section}[{i}].message", "an exchange row needs a message"
                )
            rows[row.number] = row
    scenarios: dict[str, ScenarioSpec] = {}
    for i, item in enumerate(_require(raw, "scenarios", path, "", list)):
        table_id = str(item.get("table") or "")
        spec = ScenarioSpec(
            id=_require(item, "id", path, f"scenarios[{i}]"),
            name=_require(item, "name", path, f"scenarios[{i}]"),
            steps=tuple(
                _qualify(table_id, str(s)) if _qualify(table_id, str(s)) in rows else str(s)
                for s in _require(item, "steps", path, f"scenarios[{i}]", list)
            ),
            harness_added=bool(item.get("harness_added", False)),
            table=table_id,
            primary_rules=tuple(str(x) for x in item.get("primary_rules") or ()),
        )
        for number in spec.steps:
            if number not in rows:
                raise CatalogError(path, f"scenarios[{i}].steps", f"unknown step {number}")
            if rows[number].harness_added and not spec.harness_added:
                raise CatalogError(
                    path, f"scenarios[{i}].steps", f"harness step {number} in a document scenario"
                )
        scenarios[spec.id] = spec
    requirements = [
        Requirement(
            id=_require(r, "id", path, f"requirements[{i}]"),
            text=" ".join(str(r.get("text", "")).split()),
            traced_to=tuple(r.get("traced_to") or ()),
            out_of_scope=r.get("out_of_scope"),
            deleted=bool(r.get("deleted", False)),
            measured_by=tuple(str(x) for x in (r.get("measured_by") or ())),
        )
        for i, r in enumerate(raw.get("requirements") or [])
    ]
    measured = {rule for r in requirements for rule in r.measured_by}
    for i, spec in enumerate(scenarios.values()):
        if unknown := [rule for rule in spec.primary_rules if rule not in measured]:
            raise CatalogError(
                path,
                f"scenarios[{i}].primary_rules",
                f"{', '.join(unknown)} measures no requirement (measured_by) of this use case",
            )
    return UseCase(
        id=uc_id,
        title=_require(raw, "title", path, ""),
        path=path,
        features_dir=path.parent,
        actors=actors,
        rows=rows,
        messages=messages,
        scenarios=scenarios,
        requirements=requirements,
        preconditions=list(raw.get("preconditions") or []),
        postconditions=list(raw.get("postconditions") or []),
        integration_points=list(raw.get("integration_points") or []),
        summary=" ".join(str(raw.get("summary", "")).split()),
        correlation_keys=tuple(raw.get("correlation_keys") or ()),
        namespaces=prefixes,
        device_key=str(raw.get("device_key") or "device"),
        limits=_mapping(raw, "limits", path),
        capabilities={
            k: " ".join(v.split()) for k, v in _string_map(raw, "capabilities", path).items()
        },
    )


def _mapping(raw: dict[str, Any], key: str, path: Path) -> dict[str, Any]:
    value = raw.get(key) or {}
    if not isinstance(value, dict):
        raise CatalogError(path, key, "expected a mapping")
    return dict(value)


def _string_map(raw: dict[str, Any], key: str, path: Path) -> dict[str, str]:
    value = raw.get(key) or {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise CatalogError(path, key, "expected a mapping of names to strings")
    return dict(value)


def load_catalog(root: Path | None = None) -> dict[str, UseCase]:
    """Every use case, by id: those of the installed use-case packages, or those below ``root``
    (one folder per use case, each with a usecase.yaml and its features)."""
    if root is None:
        from amicert.packages import packages

        paths = [p.catalog_path for p in packages()]
    else:
        paths = sorted(root.glob("*/usecase.yaml"))
    catalog: dict[str, UseCase] = {}
    for path in paths:
        uc = load_use_case(path)
        if uc.id in catalog:
            raise CatalogError(path, "id", f"duplicate use case id {uc.id}")
        catalog[uc.id] = uc
    return catalog


# --- features and traceability -------------------------------------------------------------


@dataclass(frozen=True)
class FeatureStep:
    feature: str
    scenario_id: str | None
    scenario_name: str
    harness_added: bool
    line: int
    text: str
    number: str | None


def tag_value(tags: set[str] | frozenset[str], key: str) -> str | None:
    """Value of a ``key:value`` tag, or None."""
    for tag in tags:
        if tag.startswith(f"{key}:"):
            return tag.split(":", 1)[1]
    return None


def feature_steps(use_case: UseCase) -> list[FeatureStep]:
    """Every step of every scenario in the use case's feature files (parsed by pytest-bdd)."""
    from pytest_bdd.feature import get_feature

    found: list[FeatureStep] = []
    for path in sorted(use_case.features_dir.glob("*.feature")):
        feature = get_feature(str(path.parent), path.name)
        for template in feature.scenarios.values():
            tags = set(template.tags) | set(feature.tags)
            scenario_id = tag_value(tags, "scenario")
            added = HARNESS_ADDED_TAG in tags
            for step in template.steps:
                m = STEP_TEXT.match(step.name)
                found.append(
                    FeatureStep(
                        path.name,
                        scenario_id,
                        template.name,
                        added,
                        step.line_number,
                        step.name,
                        m.group("number") if m else None,
                    )
                )
    return found


def traceability_problems(use_case: UseCase) -> list[str]:
    """Everything that breaks the row <-> feature-step correspondence, as readable sentences."""
    problems: list[str] = []
    steps = feature_steps(use_case)
    by_scenario: dict[str, list[FeatureStep]] = {}
    for s in steps:
        where = f"{s.feature}:{s.line}"
        if s.number is None:
            continue
        if s.scenario_id is None:
            problems.append(f"{where}: scenario {s.scenario_name!r} has no @scenario:<id> tag")
            continue
        by_scenario.setdefault(s.scenario_id, []).append(s)
        row = use_case.rows.get(use_case.key(s.scenario_id, s.number))
        if row is None:
            problems.append(f"{where}: step {s.number} is not a row of {use_case.id}")
            continue
        if row.harness_added and not s.harness_added:
            problems.append(
                f"{where}: harness step {s.number} in a scenario not tagged @harness_added"
            )
        if s.text != row.text():
            problems.append(f"{where}: text differs from the catalog row: expected {row.text()!r}")
    for scenario_id, found in by_scenario.items():
        spec = use_case.scenarios.get(scenario_id)
        if spec is None:
            problems.append(f"scenario {scenario_id!r} is not in {use_case.path.name}")
            continue
        numbers = tuple(use_case.key(spec, s.number) for s in found if s.number)
        # A Scenario Outline repeats no steps in the template; compare the template's rows.
        if numbers != spec.steps:
            problems.append(
                f"scenario {scenario_id!r}: feature rows {list(numbers)} != catalog rows {list(spec.steps)}"
            )
    covered = {
        use_case.key(s.scenario_id, s.number) for s in steps if s.number and not s.harness_added
    }
    for row in use_case.document_rows:
        if row.number not in covered:
            problems.append(
                f"step {row.number} of {use_case.id} is in no (document) feature scenario"
            )
    for row in use_case.rows.values():
        for key in ("effect_of", "after"):
            ref = row.observe.get(key)
            if ref is not None and ref not in use_case.rows:
                problems.append(f"step {row.number}: observe {key} names no row ({ref})")
    for scenario_id, spec in use_case.scenarios.items():
        if scenario_id not in by_scenario:
            problems.append(f"catalog scenario {scenario_id!r} has no feature scenario")
        elif spec.harness_added != all(s.harness_added for s in by_scenario[scenario_id]):
            problems.append(
                f"scenario {scenario_id!r}: @harness_added tag disagrees with the catalog"
            )
    return problems


@dataclass(frozen=True)
class CoverageRow:
    id: str
    title: str
    steps_total: int
    steps_covered: int
    requirements_total: int
    requirements_traced: int
    requirements_out_of_scope: int
    scenarios: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "steps_total": self.steps_total,
            "steps_covered": self.steps_covered,
            "requirements_total": self.requirements_total,
            "requirements_traced": self.requirements_traced,
            "requirements_out_of_scope": self.requirements_out_of_scope,
            "scenarios": self.scenarios,
        }


def coverage(use_case: UseCase) -> CoverageRow:
    """How much of the document the features cover: rows, and requirements traced to run steps."""
    steps = feature_steps(use_case)
    present = {(s.scenario_id, use_case.key(s.scenario_id, s.number)) for s in steps if s.number}
    covered_rows = {
        use_case.key(s.scenario_id, s.number)
        for s in steps
        if s.number
        and not s.harness_added
        and use_case.key(s.scenario_id, s.number) in use_case.rows
    }
    live = [r for r in use_case.requirements if not r.deleted]
    traced = 0
    for req in live:
        if req.out_of_scope:
            continue
        refs = [
            (sc, use_case.key(sc, number))
            for sc, number in (t.split(":", 1) for t in req.traced_to if ":" in t)
        ]
        if refs and all(ref in present for ref in refs):
            traced += 1
    return CoverageRow(
        id=use_case.id,
        title=use_case.title,
        steps_total=len(use_case.document_rows),
        steps_covered=sum(1 for r in use_case.document_rows if r.number in covered_rows),
        requirements_total=len(live),
        requirements_traced=traced,
        requirements_out_of_scope=sum(1 for r in live if r.out_of_scope),
        scenarios=len({s.scenario_id for s in steps if s.scenario_id}),
    )


def project_root(start: Path | None = None) -> Path:
    """The folder holding steps/ (the generic step definitions pytest-bdd binds): the working
    directory upwards, then the installed package's."""
    candidates = []
    here = (start or Path.cwd()).resolve()
    candidates.extend([here, *here.parents])
    candidates.append(Path(__file__).resolve().parents[1])
    for c in candidates:
        if (c / "steps" / "generic.py").is_file():
            return c
    raise FileNotFoundError("no amicert project (a folder with steps/generic.py) found")
