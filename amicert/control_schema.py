"""JSON Schemas of the test-control interface, and the check of every answer a product gives.

One source for both sides: the vendor contract (``amicert contract``) publishes these schemas, and
the harness validates each test-control answer against the same schema before using it. An answer
that does not match is the product's defect: a FAIL finding (``TEST-CONTROL-ANSWER``) naming the
operation, the place in the answer and the schema path, never an exception deep in a check.
Schemas of use-case state come from the drivers (state queries, inspectable attributes, settings,
faults); the shapes of reference-actor state are derived from their Python types.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import types
import typing
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import jsonschema

from amicert.adapters.remote import TestControlAnswerError, TestControlError
from amicert.findings import Blame, Finding, error
from amicert.verdicts import Outcome, Verdict

if TYPE_CHECKING:
    from amicert.driver import Driver, Inspectable, Setting

RULE = "TEST-CONTROL-ANSWER"
DATE_TIME = {
    "type": "string",
    "format": "date-time",
    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$",
    "description": "ISO 8601 date and time with a timezone (Z or +hh:mm)",
}
OPERATIONS = (
    "capabilities",
    "reset",
    "configure",
    "provision",
    "fault",
    "state",
    "clock",
    "clock/advance",
)


def core_settings() -> tuple[Setting, ...]:
    """Settings of every use case, whatever its driver declares."""
    from amicert.driver import Setting
    from amicert.operators import ANSWERS_SETTING

    return (
        Setting(
            ANSWERS_SETTING,
            {"type": ["string", "object"]},
            "answers for the people of the use case (docs/operators.md): a product may ignore it",
        ),
    )


# --- schemas from Python types -----------------------------------------------------------------


def schema_of(tp: Any) -> dict[str, Any]:
    """The JSON Schema of a value of type ``tp`` as test-control carries it (``amicert serve``
    sends dataclasses as objects, tuples and sets as arrays, datetimes as ISO 8601 text)."""
    if tp is Any or tp is object:
        return {}
    if tp is None or tp is type(None):
        return {"type": "null"}
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer"}
    if tp is float:
        return {"type": "number"}
    if tp is str:
        return {"type": "string"}
    if tp is bytes:
        return {"type": "string", "description": "bytes in hex"}
    if tp is dt.datetime:
        return dict(DATE_TIME)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return {"enum": [m.value for m in tp]}
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        hints = typing.get_type_hints(tp)
        fields = dataclasses.fields(tp)
        return {
            "type": "object",
            "required": [f.name for f in fields],
            "properties": {f.name: schema_of(hints[f.name]) for f in fields},
        }
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        return {"anyOf": [schema_of(a) for a in args]}
    if origin in (list, set, frozenset) or (origin is tuple and len(args) == 2 and args[1] is ...):
        return {"type": "array", "items": schema_of(args[0]) if args else {}}
    if origin is tuple:
        return {
            "type": "array",
            "prefixItems": [schema_of(a) for a in args],
            "minItems": len(args),
            "maxItems": len(args),
        }
    if origin is dict:
        return {"type": "object", "additionalProperties": schema_of(args[1]) if args else {}}
    raise TypeError(f"no JSON Schema for {tp!r}")


def _reads(
    schema: dict[str, Any],
    fields: tuple[str, ...] | None,
    values: Mapping[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """``schema`` requiring of its records only ``fields`` (what the checks read): a product
    may leave the rest of a reference actor's record out. ``values``: the schema of named record
    fields where the Python type says less than the use case (the values a field may take)."""
    if fields is None and not values:
        return schema

    def inner(part: dict[str, Any]) -> dict[str, Any]:
        return _reads(part, fields, values)

    if "anyOf" in schema:  # an optional record: the record's options, each read alike
        return {**schema, "anyOf": [inner(option) for option in schema["anyOf"]]}
    if schema.get("type") == "array" and "items" in schema:
        return {**schema, "items": inner(schema["items"])}
    if schema.get("type") == "object" and "properties" not in schema:
        items = schema.get("additionalProperties")
        if isinstance(items, dict):
            return {**schema, "additionalProperties": inner(items)}
    if schema.get("type") == "object":
        out = dict(schema)
        if fields is not None:
            out["required"] = list(fields)
        if values:
            out["properties"] = {**schema.get("properties", {}), **values}
        return out
    return schema


def method_of(
    cls: type,
    name: str,
    description: str,
    reads: tuple[str, ...] | None = None,
    answer: Any = None,
    values: Mapping[str, dict[str, Any]] | None = None,
) -> Inspectable:
    """An inspectable method of a reference actor: result and arguments from its type hints;
    ``reads`` names the result's record fields the checks use (the others are optional);
    ``answer`` is the result's type where the hint is looser (a record answered as a dict), so
    the contract names its fields; ``values`` publishes the values named fields may take (the
    use case's vocabulary, where the type is only a string)."""
    from amicert.driver import Inspectable

    hints = typing.get_type_hints(getattr(cls, name))
    args = tuple((n, schema_of(t)) for n, t in hints.items() if n != "return")
    role = str(getattr(cls, "role", ""))
    result = answer if answer is not None else hints.get("return", Any)
    answer_schema = _reads(schema_of(result), reads, values)
    return Inspectable(role, name, "method", answer_schema, args, description)


def value_of(
    cls: type, name: str, tp: Any, description: str, reads: tuple[str, ...] | None = None
) -> Inspectable:
    """An inspectable attribute of a reference actor, of type ``tp``."""
    from amicert.driver import Inspectable

    role = str(getattr(cls, "role", ""))
    return Inspectable(role, name, "value", _reads(schema_of(tp), reads), (), description)


# --- the operations ----------------------------------------------------------------------------


def _object(props: dict[str, Any], required: Iterable[str] = (), **more: Any) -> dict[str, Any]:
    return {"type": "object", "required": list(required), "properties": props, **more}


def _names(values: Iterable[str]) -> dict[str, Any]:
    found = sorted(set(values))
    return {"type": "string", "enum": found} if found else {"type": "string"}


def _clock_answer() -> dict[str, Any]:
    return _object(
        {"now": DATE_TIME, "next_event": {"anyOf": [DATE_TIME, {"type": "null"}]}},
        ["now", "next_event"],
    )


def _meter_identity(drivers: list[Driver]) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for d in drivers:
        meters = d.settings.get("meters")
        if meters is not None:
            props.update(meters.schema.get("additionalProperties", {}).get("properties", {}))
    return {"type": "object", "properties": props}


def _inspect_answer(drivers: list[Driver], invoke: bool) -> dict[str, Any]:
    """inspect: a value or ``{"kind": "method"}``; invoke: the method's result."""
    value = _object({"kind": {"const": "value"}, "value": {}}, ["kind", "value"])
    if invoke:
        return value
    return {"oneOf": [value, _object({"kind": {"const": "method"}}, ["kind"])]}


def request_schema(operation: str, drivers: list[Driver]) -> dict[str, Any] | None:
    """What the harness sends for ``operation`` (None: a GET without a body)."""
    if operation in ("capabilities", "clock"):
        return None
    if operation == "reset":
        return _object({"use_case": _names(d.use_case for d in drivers)}, ["use_case"])
    if operation == "configure":
        declared = [*core_settings(), *(s for d in drivers for s in d.settings.values())]
        settings = {s.name: s.schema for s in declared}
        return _object(
            {"settings": _object(settings, ["meters", "in_scope_meters"])},
            ["settings"],
        )
    if operation == "provision":
        identity = _meter_identity(drivers)
        identity = {
            **identity,
            "required": ["mRID"],
            "properties": {"mRID": {"type": "string"}, **identity["properties"]},
        }
        return _object({"meters": {"type": "array", "items": identity}}, ["meters"])
    if operation == "fault":
        names = (n for d in drivers for n in d.faults if n != "none")
        return _object(
            {"name": _names(names), "meters": {"type": "array", "items": {"type": "string"}}},
            ["name", "meters"],
        )
    if operation == "state":
        forms: list[dict[str, Any]] = []
        for d in drivers:
            for q in d.state_queries.values():
                props: dict[str, Any] = {"query": {"const": q.name}}
                if q.instance_arg:
                    props[q.instance_arg] = {"type": "string", "description": "the meter"}
                for a in q.args:
                    props[a] = {}
                forms.append(_object(props, ["query", *props.keys() - {"query"}]))
        generic = {
            "actor": {"type": "string"},
            "instance": {"type": ["string", "null"]},
            "name": {"type": "string"},
        }
        forms.append(
            _object({"query": {"const": "inspect"}, **generic}, ["query", "actor", "name"])
        )
        forms.append(
            _object(
                {"query": {"const": "invoke"}, **generic, "args": {"type": "array"}},
                ["query", "actor", "name", "args"],
            )
        )
        return {"oneOf": forms}
    if operation == "clock/advance":
        return {
            "oneOf": [
                _object({"to": DATE_TIME}, ["to"]),
                _object({"seconds": {"type": "number", "minimum": 0}}, ["seconds"]),
            ]
        }
    raise KeyError(operation)


def answer_schema(
    operation: str, drivers: list[Driver], request: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What the product must answer to ``operation`` (for ``state``: to that query)."""
    strings = {"type": "array", "items": {"type": "string"}}
    if operation == "capabilities":
        return _object(
            {
                "product": _object({"name": {"type": "string"}, "version": {"type": "string"}}),
                "actors": strings,
                "operations": strings,
                "faults": strings,
                "states": strings,
            },
            ["operations"],
        )
    if operation == "reset":
        return _object({"now": DATE_TIME}, ["now"])
    if operation in ("configure", "provision"):
        held = {
            **strings,
            "description": "the mRID of every meter the product holds after the call (the "
            "keys of settings.meters, or the meters provisioned, with those it held before): an "
            "acknowledgement, checked for its form only; the scenario's scope is "
            "settings.in_scope_meters, not this list",
        }
        return _object({"meters": held}, ["meters"])
    if operation == "fault":
        return _object({"injected": {"type": "string"}}, ["injected"])
    if operation in ("clock", "clock/advance"):
        return _clock_answer()
    if operation == "state":
        return state_answer_schema(drivers, request or {})
    raise KeyError(operation)


def state_answer_schema(drivers: list[Driver], request: dict[str, Any]) -> dict[str, Any]:
    """The answer schema of one state request: its named query's, or its inspected attribute's."""
    query = str(request.get("query"))
    for d in drivers:
        named = d.state_queries.get(query)
        if named is not None:
            return named.answer_schema
    if query not in ("inspect", "invoke"):
        return {}
    key = (str(request.get("actor")), str(request.get("name")))
    item = next((d.inspectables[key] for d in drivers if key in d.inspectables), None)
    if item is None:
        return _inspect_answer(drivers, query == "invoke")
    value = _object({"kind": {"const": "value"}, "value": item.answer_schema}, ["kind", "value"])
    if item.kind == "method":
        if query == "inspect":
            return _object({"kind": {"const": "method"}}, ["kind"])
        return value
    return value


# --- checking answers --------------------------------------------------------------------------


@functools.cache
def _drivers(use_case: str | None) -> tuple[Driver, ...]:
    from amicert.catalog import load_catalog
    from amicert.packages import driver_for

    ids = [use_case] if use_case else sorted(load_catalog())
    return tuple(driver_for(i) for i in ids)


def _where(path: Iterable[Any]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


def answer_problem(
    operation: str,
    request: dict[str, Any] | None,
    answer: dict[str, Any],
    use_case: str | None,
) -> Finding | None:
    """The finding for an answer that breaks its schema, or None when it conforms."""
    if operation not in OPERATIONS:
        return None
    drivers = list(_drivers(use_case))
    schema = answer_schema(operation, drivers, request)
    validator = jsonschema.Draft202012Validator(schema)
    found = jsonschema.exceptions.best_match(validator.iter_errors(answer))
    if found is None:
        return None
    what = operation
    if operation == "state" and request:
        what = f"state {request.get('query')}" + (
            f" {request.get('actor')}.{request.get('name')}"
            if request.get("query") in ("inspect", "invoke")
            else ""
        )
    at = "$" + _where(found.absolute_path)
    schema_path = "#/" + "/".join(str(p) for p in found.absolute_schema_path)
    received = repr(found.instance)
    return error(
        RULE,
        f"test-control {what}: the answer breaks its schema at {at} "
        f"(schema {schema_path}): {found.message[:300]}",
        xpath=at,
        expected=f"schema {schema_path}",
        received=received if len(received) <= 200 else received[:200] + "...",
        blame=Blame.SUT,
        extra={"operation": what, "schema_path": schema_path},
    )


def control_outcome(exc: TestControlError, seen: list[Finding]) -> Outcome:
    """The verdict of a scenario stopped by a test-control failure: a malformed answer is the
    product's (FAIL), a refused or failed operation could not be judged (INCONCLUSIVE)."""
    if isinstance(exc, TestControlAnswerError):
        f = exc.finding
        return Outcome(Verdict.FAIL, f.message, f.rule, f.step, seen if f in seen else [*seen, f])
    finding = error("TEST-CONTROL", str(exc), blame=Blame.INFRASTRUCTURE)
    return Outcome(Verdict.INCONCLUSIVE, str(exc), "TEST-CONTROL", None, [*seen, finding])
