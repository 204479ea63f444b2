"""Code registries: EndDeviceEventType/ControlType, ReadingType and Reply error codes.

Codes differ between editions and vendors extend them, so a registry is per edition and can be
extended by a utility profile. A well-formed code the registry does not know is a warning (it may
be a legitimate extension, or a real annex code amicert's table lacks: the table holds the codes
of the event and control domains the use cases touch, not the whole annex); a malformed code is
an error.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from amicert.cim.annex import CONTROL_CODES_2013, EVENT_CODES_2013, describe_parts


class CodeStatus(StrEnum):
    KNOWN = "known"
    UNKNOWN = "unknown"
    MALFORMED = "malformed"


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of checking one code; ``meaning`` is set for known codes."""

    code: str
    status: CodeStatus
    message: str
    meaning: str | None = None


DEFAULT_EDITION = "61968-9:2013"

_FOUR_PART = re.compile(r"([0-9]+)\.([0-9]+)\.([0-9]+)\.([0-9]+)")
_FOUR_PART_OR_ANY = re.compile(r"([0-9]+|\*)\.[0-9]+\.[0-9]+\.[0-9]+")


class CodeRegistry:
    """Known 4-part codes of one kind (event or control) for one edition, extensible."""

    def __init__(self, kind: str, edition: str, codes: Mapping[str, str]) -> None:
        self.kind = kind
        self.edition = edition
        self._codes: dict[str, str] = dict(codes)
        self._checked: dict[str, CodeCheck] = {}
        self._known: set[str] = set()

    def extend(self, codes: Mapping[str, str]) -> None:
        """Add codes (a utility's or vendor's own); ``*`` as first part means any device type."""
        for code in codes:
            if not _FOUR_PART_OR_ANY.fullmatch(code):
                raise ValueError(f"not a 4-part code: {code!r}")
        self._codes.update(codes)
        self._checked.clear()
        self._known.clear()

    def copy(self) -> CodeRegistry:
        return CodeRegistry(self.kind, self.edition, self._codes)

    def lookup(self, code: str) -> str | None:
        """The code's meaning, or None when this registry does not know it."""
        if code in self._codes:
            return self._codes[code]
        head, _, rest = code.partition(".")
        return self._codes.get(f"*.{rest}") if head.isdigit() else None

    def check(self, code: str) -> CodeCheck:
        """Form, then table; results are kept (a batch repeats the same few codes)."""
        found = self._checked.get(code)
        if found is None:
            found = self._check(code)
            if len(self._checked) < 10_000:
                self._checked[code] = found
        return found

    def all_known(self, codes: list[str]) -> bool:
        """True when every code is a known one (a set test once the codes have been seen)."""
        if self._known.issuperset(codes):
            return True
        for code in codes:
            if self.check(code).status is not CodeStatus.KNOWN:
                return False
            self._known.add(code)
        return True

    def _check(self, code: str) -> CodeCheck:
        match = _FOUR_PART.fullmatch(code)
        if match is None:
            return CodeCheck(
                code,
                CodeStatus.MALFORMED,
                f"{self.kind} code {code!r} is not four dot-separated non-negative integers "
                "(type.domain.subdomain.eventOrAction)",
            )
        meaning = self.lookup(code)
        parts = describe_code(code)
        if meaning is not None:
            message = f"{self.kind} {code}: {meaning} ({parts})"
            return CodeCheck(code, CodeStatus.KNOWN, message, meaning)
        return CodeCheck(
            code,
            CodeStatus.UNKNOWN,
            f"{self.kind} code {code} ({parts}) is well-formed but not in amicert's code table "
            f"({self.edition} annex codes of the domains the use cases touch) or the profile's "
            "extensions; it may still be a valid code",
        )


def describe_code(code: str) -> str:
    """The annex names of the four parts of a code, for messages ("malformed" if it has not
    four numeric parts)."""
    return describe_parts(code)


_EDITIONS: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    DEFAULT_EDITION: (EVENT_CODES_2013, CONTROL_CODES_2013),
}


def register_edition(edition: str, events: Mapping[str, str], controls: Mapping[str, str]) -> None:
    """Make another edition's code tables available to :func:`event_types`/:func:`control_types`."""
    _EDITIONS[edition] = (dict(events), dict(controls))


def editions() -> list[str]:
    return sorted(_EDITIONS)


def event_types(edition: str = DEFAULT_EDITION) -> CodeRegistry:
    """A fresh EndDeviceEventType registry (extending it changes only this copy)."""
    return CodeRegistry("EndDeviceEventType", edition, _EDITIONS[edition][0])


def control_types(edition: str = DEFAULT_EDITION) -> CodeRegistry:
    """A fresh EndDeviceControlType registry."""
    return CodeRegistry("EndDeviceControlType", edition, _EDITIONS[edition][1])


# ---------------------------------------------------------------- ReadingType

READING_TYPE_FIELDS = (
    "macroPeriod",
    "aggregate",
    "measuringPeriod",
    "accumulation",
    "flowDirection",
    "commodity",
    "measurementKind",
    "interharmonicNumerator",
    "interharmonicDenominator",
    "argumentNumerator",
    "argumentDenominator",
    "tou",
    "cpp",
    "consumptionTier",
    "phases",
    "multiplier",
    "unit",
    "currency",
)
_MULTIPLIER = READING_TYPE_FIELDS.index("multiplier")
KNOWN_READING_TYPES: dict[str, str] = {
    "0.0.0.1.1.1.12.0.0.0.0.0.0.0.0.3.72.0": "bulk forward electricity energy, kWh",
    "0.0.2.4.1.1.12.0.0.0.0.0.0.0.0.3.72.0": "15-minute delta forward electricity energy, kWh",
}


@functools.lru_cache(maxsize=4096)
def check_reading_type(code: str) -> CodeCheck:
    """18 dot-separated integers; only the multiplier may be negative."""
    parts = code.split(".")
    if len(parts) != len(READING_TYPE_FIELDS):
        return CodeCheck(
            code,
            CodeStatus.MALFORMED,
            f"ReadingType {code!r} has {len(parts)} parts, not {len(READING_TYPE_FIELDS)}",
        )
    for index, (name, part) in enumerate(zip(READING_TYPE_FIELDS, parts, strict=True)):
        ok = re.fullmatch(r"-?[0-9]+" if index == _MULTIPLIER else r"[0-9]+", part) is not None
        if not ok:
            return CodeCheck(
                code, CodeStatus.MALFORMED, f"ReadingType {code!r}: {name} {part!r} is not valid"
            )
    meaning = KNOWN_READING_TYPES.get(code)
    if meaning is not None:
        return CodeCheck(code, CodeStatus.KNOWN, f"ReadingType {code}: {meaning}", meaning)
    return CodeCheck(code, CodeStatus.UNKNOWN, f"ReadingType {code} is well-formed")


# ---------------------------------------------------------------- Reply error codes

# Attribution uncertain (seen as one table in public AMI code, probably 61968-9 Ed.2): kept
# extensible through ErrorCodeRegistry.extend().
ERROR_CATEGORIES: dict[int, str] = {
    0: "OK",
    1: "bad or missing element",
    2: "invalid parameter",
    3: "too many values",
    4: "request aborted",
    5: "application error",
    6: "business rule",
    7: "security",
}
_ERROR_CODES: dict[str, str] = {
    "0.0": "no errors",
    "0.1": "partial result, more to follow",
    "0.2": "partial result, no more to follow",
    "0.3": "simple acknowledgement",
    "1.5": "mandatory Header elements missing",
    "1.6": "mandatory Request elements missing",
    "1.7": "mandatory Payload elements missing",
    "1.8": "does not validate against schema",
    "1.9": "unsupported Revision",
    "2.4": "invalid meter(s)",
    "2.5": "invalid noun",
    "2.6": "invalid ReadingType",
    "2.9": "invalid verb",
    "2.10": "unsupported ReadingType",
    "2.12": "invalid UsagePoint",
    "2.14": "invalid Source",
    "2.15": "invalid request ID",
    "3.1": "too many items",
    "3.2": "too many pending requests",
    "4.1": "request timed out",
    "5.1": "high system activity",
    "5.2": "not attempted",
    "5.3": "attempted and failed",
    "5.8": "mandatory fields missing",
    "6.1": "business rule: cancel",
    "6.2": "business rule: hold",
    "6.3": "business rule: release",
    "6.4": "business rule: reschedule",
    "6.5": "business rule: user cancel",
    "7.1": "temporary authentication failure",
    "7.2": "authentication required",
    "7.3": "authentication mechanism insufficient",
    "7.4": "authentication failure",
    "7.5": "action not authorized",
    "7.6": "encryption required",
    "7.7": "policy violation",
}
_ERROR_FORM = re.compile(r"([0-9]+)\.([0-9]+)")


class ErrorCodeRegistry:
    """Reply Error codes ``<category>.<number>``: unknown category is an error, unknown number a
    warning."""

    def __init__(self) -> None:
        self._codes = dict(_ERROR_CODES)
        self._categories = dict(ERROR_CATEGORIES)

    def extend(self, codes: Mapping[str, str]) -> None:
        for code in codes:
            match = _ERROR_FORM.fullmatch(code)
            if match is None or int(match.group(1)) not in self._categories:
                raise ValueError(f"not a code in a known category: {code!r}")
        self._codes.update(codes)

    def check(self, code: str) -> CodeCheck:
        match = _ERROR_FORM.fullmatch(code)
        if match is None:
            return CodeCheck(
                code, CodeStatus.MALFORMED, f"error code {code!r} is not <category>.<number>"
            )
        category = int(match.group(1))
        if category not in self._categories:
            return CodeCheck(
                code,
                CodeStatus.MALFORMED,
                f"error code {code}: category {category} is not one of {sorted(self._categories)}",
            )
        meaning = self._codes.get(f"{category}.{int(match.group(2))}")
        if meaning is not None:
            return CodeCheck(code, CodeStatus.KNOWN, f"error code {code}: {meaning}", meaning)
        return CodeCheck(
            code,
            CodeStatus.UNKNOWN,
            f"error code {code} is not a known code of category {category} "
            f"({self._categories[category]})",
        )


@dataclass
class Registries:
    """The code registries one validator uses."""

    events: CodeRegistry
    controls: CodeRegistry
    errors: ErrorCodeRegistry

    @classmethod
    def default(cls, edition: str = DEFAULT_EDITION) -> Registries:
        return cls(event_types(edition), control_types(edition), ErrorCodeRegistry())
