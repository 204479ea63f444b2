"""The validation pipeline: safe parse -> envelope XSD -> payload XSD -> envelope rules -> codes.

Every problem with the input becomes a :class:`~amicert.findings.Finding`; ``validate`` never
raises on bad bytes. Schemas are compiled once per schema directory and reused, and xmlschema is
never touched on the happy path, so a validation costs little more than lxml's own.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from amicert.cim import envelope as env
from amicert.cim.codes import Registries
from amicert.cim.model import MessageInfo, ValidationContext
from amicert.cim.rules import RuleContext, run_rules, xpath_of
from amicert.cim.schemas import SchemaError, SchemaStack, schema_stack
from amicert.cim.wrapper_schema import wrapper_schema
from amicert.cim.xmlsafe import (
    MAX_BYTES,
    SOAP_VERSIONS,
    XmlSafetyError,
    parse_xml,
    unwrap_soap,
)
from amicert.findings import Blame, Finding, Severity, error, warning

__all__ = [
    "MessageInfo",
    "PartResult",
    "ValidationContext",
    "ValidationResult",
    "Validator",
]

MAX_XSD_FINDINGS = 50


@dataclass
class PartResult:
    """One part of a message (envelope, payload, request query, device message) and whether a
    schema checked it: ``schema`` names the file, ``note`` says why nothing did."""

    part: str
    element: str
    checked: bool
    schema: str | None = None
    note: str | None = None
    node: etree._Element | None = field(default=None, repr=False, compare=False)

    @property
    def xpath(self) -> str | None:
        """Where the part is in the received document (computed on demand: it is rarely read)."""
        return None if self.node is None else xpath_of(self.node)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"part": self.part, "element": self.element}
        data["checked"] = self.checked
        for key in ("schema", "note", "xpath"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


@dataclass
class ValidationResult:
    """The findings of one message and what the message says about itself (None if unparsable).

    ``parts`` says, part by part, which schema checked what; a message none of whose parts a
    schema could check was judged by the header and code rules alone.
    """

    findings: list[Finding]
    info: MessageInfo | None
    parts: list[PartResult] = field(default_factory=list)

    @property
    def checked(self) -> bool:
        """True when a schema checked at least one part of the message."""
        return any(p.checked for p in self.parts)

    @property
    def ok(self) -> bool:
        return not any(f.is_error for f in self.findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def rule_ids(self) -> list[str]:
        return [f.rule for f in self.findings]


def _schema_findings(
    schema: etree.XMLSchema,
    element: etree._Element,
    rule_for: dict[str, str],
    default_rule: str,
    limit: int,
) -> list[Finding]:
    """Validate ``element`` as a document root; one finding per lxml error, paths made absolute.

    ``rule_for`` maps a namespace to the rule ID for errors on elements of that namespace (so
    that a noun error inside a wrapper is reported as a payload error).
    """
    if schema.validate(element):
        return []
    base = xpath_of(element)
    findings: list[Finding] = []
    log: Any = schema.error_log  # stubs do not declare _ErrorLog iterable
    entries = list(log)
    for entry in entries[:limit]:
        path = entry.path or "/*"
        step = path.find("/", 1)  # the path below the validated element's own (first) step
        rel = "" if step < 0 else path[step:]
        rule = _rule_for(entry.message, rule_for, default_rule)
        findings.append(
            error(rule, entry.message, xpath=base + rel, extra={"line": str(entry.line)})
        )
    if len(entries) > limit:
        findings.append(
            error(default_rule, f"{len(entries) - limit} further schema errors not listed")
        )
    return findings


_ELEMENT_NS = re.compile(r"^Element '\{([^}]*)\}")


def _rule_for(message: str, rule_for: dict[str, str], default: str) -> str:
    """The rule for an lxml error, from the namespace of the element it names."""
    match = _ELEMENT_NS.match(message)
    return rule_for.get(match.group(1), default) if match else default


def _foreign_children(
    parent: etree._Element, own: str | None = None
) -> list[tuple[etree._Element, str, str]]:
    """Element children outside ``own`` (default: the parent's namespace) and outside the
    61968-100 message namespaces: the payload documents (or Request queries) to check, each
    with its tag and namespace ("" for none)."""
    if own is None:
        own = env.namespace_of(parent.tag)
    found = []
    for item in parent:
        tag = item.tag
        if not isinstance(tag, str):
            continue
        ns = tag[1 : tag.index("}")] if tag[0] == "{" else ""
        if ns != own and not ns.endswith("/schema/message"):
            found.append((item, tag, ns))
    return found


def _unchecked(rule: str, message: str, xpath: str, namespace: str | None) -> Finding:
    return warning(rule, message, xpath=xpath, received=namespace or "(none)")


def _edition_warning(root: etree._Element, namespace: str) -> Finding:
    return warning(
        "ENV-EDITION",
        f"message namespace {namespace} names no published 61968-100 edition "
        "(2011 for Ed.1; 2017, 2019, 2021 or later for Ed.2); header rules still apply",
        xpath=xpath_of(root),
        received=namespace,
    )


@dataclass(frozen=True)
class _Plan:
    """The compiled schema of a namespace (None: no schema lists it), how results name it, and
    the rule for errors on elements of the namespaces it imports."""

    schema: etree.XMLSchema | None
    label: str | None
    rule_for: dict[str, str]


def _decompress(text: str, max_bytes: int) -> bytes:
    """Payload/Compressed: base64 of gzip (zlib accepted too), bounded against bombs."""
    raw = base64.b64decode("".join(text.split()), validate=True)
    inflater = zlib.decompressobj(wbits=47)
    out = inflater.decompress(raw, max_bytes + 1)
    if len(out) > max_bytes:
        raise ValueError(f"decompressed payload exceeds {max_bytes} bytes")
    return out


class Validator:
    """Validates 61968-100 messages (both forms, SOAP-wrapped or not) and device messages.

    ``schema_dir`` is one directory or several, looked up in order, followed by the harness's
    own schemas (None: the default directory alone).
    """

    def __init__(
        self,
        schema_dir: Path | Sequence[Path] | None = None,
        *,
        registries: Registries | None = None,
        max_bytes: int = MAX_BYTES,
    ) -> None:
        # Raises SchemaError when a directory or its catalog is missing: a harness problem.
        dirs = [schema_dir] if isinstance(schema_dir, Path) else list(schema_dir or ())
        self.schemas: SchemaStack = schema_stack(dirs)
        self.registries = registries or Registries.default()
        self.max_bytes = max_bytes
        self._plans: dict[tuple[str, bool], _Plan] = {}

    def validate(self, data: bytes, context: ValidationContext | None = None) -> ValidationResult:
        """All findings for one message. Never raises on bad input."""
        ctx = context if context is not None else ValidationContext()
        try:
            return self._validate(data, ctx)
        except Exception as exc:  # the harness broke, not the SUT: say so, do not crash
            return ValidationResult(
                [
                    Finding(
                        "HARNESS-INTERNAL",
                        Severity.ERROR,
                        f"validator failed: {type(exc).__name__}: {exc}",
                        blame=Blame.HARNESS,
                    )
                ],
                None,
            )

    # ------------------------------------------------------------ pipeline

    def _validate(self, data: bytes, ctx: ValidationContext) -> ValidationResult:
        try:
            doc = parse_xml(data, max_bytes=self.max_bytes)
        except XmlSafetyError as exc:
            return ValidationResult([error(exc.rule, exc.message)], None)
        root, soap = unwrap_soap(doc)
        if soap is not None and env.namespace_of(root.tag) in SOAP_VERSIONS:
            return self._soap_problem(root, soap)
        parts = env.children_by_name(root)
        fields = env.children_by_name(parts.get("Header"))
        payload_root = env.payload_root_element(parts.get("Payload"))
        scan = env.scan_payload(payload_root)
        info = env.read_header(root, soap=soap, parts=parts, fields=fields, scan=scan)
        ns = info.namespace
        if self.schemas.kind(ns) == "device":
            info.form = "device"
            result = ValidationResult([], info)
            result.findings = self._xsd(root, ns or "", "XSD-DEVICE", result, "device")
            return result
        iec = env.iec_namespace(ns)
        if iec is None or iec.role not in ("message", "wrapper"):
            return ValidationResult([self._not_a_message(root, etree.QName(root), iec)], info)
        result = ValidationResult([], info)
        message_ns = self._message_namespace(root, iec)
        edition_ns = env.iec_namespace(message_ns)
        info.edition = None if edition_ns is None else edition_ns.edition
        if edition_ns is not None and not edition_ns.draft and info.edition is None:
            result.findings.append(_edition_warning(root, message_ns or ""))
        if iec.role == "message":
            covered = self._generic_envelope(root, ns or "", result)
        else:
            covered = self._wrapper_envelope(root, ns or "", message_ns, result)
        payload = self._second_pass(parts, info, covered, result)
        raw: bytes | None = data
        known_scan: env.PayloadScan | None = scan
        if payload is not payload_root:  # the decompressed content of Payload/Compressed
            raw, known_scan = None, None
        rule_ctx = RuleContext(
            root, info, ctx, self.registries, payload, parts, fields, raw, known_scan
        )
        result.findings.extend(run_rules(rule_ctx, "envelope"))
        result.findings.extend(run_rules(rule_ctx, "code"))
        return result

    def _not_a_message(
        self, root: etree._Element, qname: etree.QName, iec: env.IecNamespace | None
    ) -> Finding:
        if iec is not None:
            return error(
                "MSG-BARE-PAYLOAD",
                f"root element {qname.text} is a bare payload document in an IEC namespace, "
                "not a 61968-100 message (RequestMessage ... or a <Noun>Message wrapper)",
                xpath=xpath_of(root),
                received=qname.text,
            )
        what = "a bare noun document" if self.schemas.kind(qname.namespace) == "noun" else None
        return error(
            "MSG-UNKNOWN-ROOT",
            f"root element {qname.text} is {what or 'not in an IEC or known namespace'}, "
            "not a message",
            xpath=xpath_of(root),
            received=qname.text,
        )

    @staticmethod
    def _message_namespace(root: etree._Element, iec: env.IecNamespace) -> str | None:
        """The 61968-100 message namespace: the root's, or in a wrapper that of the Header's
        (or a FaultMessage's Reply's) children."""
        if iec.role == "message":
            return iec.namespace
        for part in root:
            if isinstance(part.tag, str):
                for item in part:
                    if isinstance(item.tag, str):
                        return etree.QName(item).namespace
        return None

    def _generic_envelope(
        self, root: etree._Element, ns: str, result: ValidationResult
    ) -> set[str]:
        name = result.info.root if result.info is not None else None
        result.findings.extend(self._xsd(root, ns, "XSD-ENVELOPE", result, "envelope", name))
        return set()

    def _wrapper_envelope(
        self, root: etree._Element, ns: str, message_ns: str | None, result: ValidationResult
    ) -> set[str]:
        """Envelope XSD of a wrapper: the pack's own wrapper schema if it lists the namespace
        (its noun imports are then checked in the same pass), else one built on the envelope
        schema of the Header's message namespace."""
        if self.schemas.kind(ns) == "wrapper":
            result.findings.extend(self._xsd(root, ns, "XSD-ENVELOPE", result, "envelope"))
            if not result.parts[-1].checked:
                return set()
            return set(self.schemas.imports(ns))
        local = etree.QName(root).localname
        noun = env.noun_of_wrapper_namespace(ns) or ""
        kind, _verb = env.parse_wrapper_name(local, noun)
        entry = self.schemas.entry(message_ns)
        if kind is None or entry is None or entry.kind != "envelope":
            why = (
                f"{local} is not a wrapper element name"
                if kind is None
                else f"no envelope schema for message namespace {message_ns}"
            )
            result.parts.append(PartResult("envelope", etree.QName(root).text, False, note=why))
            result.findings.append(
                _unchecked(
                    "XSD-ENVELOPE-UNCHECKED",
                    f"envelope not checked: {why}",
                    xpath_of(root),
                    message_ns,
                )
            )
            return set()
        try:
            schema = wrapper_schema(ns, local, kind, entry.path)
        except SchemaError as exc:
            result.parts.append(
                PartResult("envelope", etree.QName(root).text, False, note=str(exc))
            )
            result.findings.append(
                Finding("HARNESS-SCHEMA", Severity.ERROR, str(exc), blame=Blame.HARNESS)
            )
            return set()
        result.parts.append(
            PartResult("envelope", etree.QName(root).text, True, schema=entry.label, node=root)
        )
        result.findings.extend(_schema_findings(schema, root, {}, "XSD-ENVELOPE", MAX_XSD_FINDINGS))
        return set()

    def _soap_problem(self, element: etree._Element, soap: str) -> ValidationResult:
        qname = etree.QName(element)
        info = MessageInfo(
            form="unknown", kind=None, namespace=qname.namespace, root=qname.text, soap=soap
        )
        if qname.localname == "Fault":
            text = " ".join(str(t).strip() for t in element.itertext() if str(t).strip())
            finding = error(
                "SOAP-FAULT", f"SOAP {soap} Fault: {text[:500]}", xpath=xpath_of(element)
            )
        else:
            finding = error(
                "SOAP-BODY",
                f"SOAP {soap} Envelope has no message in its Body",
                xpath=xpath_of(element),
            )
        return ValidationResult([finding], info)

    def _xsd(
        self,
        element: etree._Element,
        ns: str,
        rule: str,
        result: ValidationResult,
        part: str,
        name: str | None = None,
    ) -> list[Finding]:
        """Validate ``element`` (whose tag is ``name``, when the caller has it) against the
        schema of ``ns``; record the part either way."""
        if name is None:
            name = element.tag if isinstance(element.tag, str) else ""
        try:
            plan = self._plan(ns, part == "envelope")
        except SchemaError as exc:
            result.parts.append(PartResult(part, name, False, note=str(exc), node=element))
            return [Finding("HARNESS-SCHEMA", Severity.ERROR, str(exc), blame=Blame.HARNESS)]
        if plan.schema is None:
            note = f"no schema for namespace {ns or '(none)'}"
            result.parts.append(PartResult(part, name, False, note=note, node=element))
            unchecked = "XSD-ENVELOPE-UNCHECKED" if part == "envelope" else "XSD-PAYLOAD-UNCHECKED"
            where = xpath_of(element)
            return [_unchecked(unchecked, f"{part} {name} not checked: {note}", where, ns)]
        result.parts.append(PartResult(part, name, True, schema=plan.label, node=element))
        return _schema_findings(plan.schema, element, plan.rule_for, rule, MAX_XSD_FINDINGS)

    def _plan(self, ns: str, envelope: bool) -> _Plan:
        """How to check a part in ``ns``, worked out once per namespace (a run sees few).

        Raises SchemaError when the listed schema cannot be compiled (not kept: said each time).
        """
        key = (ns, envelope)
        plan = self._plans.get(key)
        if plan is None:
            owner = self.schemas.owner(ns)
            schema = None if owner is None else owner.schema_for_namespace(ns)
            if owner is None or schema is None:
                plan = _Plan(None, None, {})
            else:
                imports = owner.imports(ns) if envelope else ()
                rule_for = dict.fromkeys(imports, "XSD-PAYLOAD")
                plan = _Plan(schema, owner.entries[ns].label, rule_for)
            self._plans[key] = plan
        return plan

    def _second_pass(
        self,
        parts: dict[str, etree._Element],
        info: MessageInfo,
        covered: set[str],
        result: ValidationResult,
    ) -> etree._Element | None:
        """Each payload document (and Request query) against its own schema.

        The envelope schemas skip them (``processContents="skip"``), so without this pass any
        content under a payload namespace would pass. ``covered`` are namespaces the envelope
        pass already validated (a pack's wrapper schema importing its noun).
        """
        noun_root: etree._Element | None = None
        payload_el = parts.get("Payload")
        if payload_el is not None:
            own = env.namespace_of(payload_el.tag)
            documents = _foreign_children(payload_el, own)
            for item, tag, ns in documents:
                noun_root = noun_root if noun_root is not None else item
                self._document(item, tag, ns, "payload", covered, result)
            # children in the envelope's own namespace (Compressed, OperationSet), if any
            for item in payload_el if len(payload_el) > len(documents) else ():
                tag = item.tag
                if not isinstance(tag, str) or env.namespace_of(tag) != own:
                    continue
                local = tag.rpartition("}")[2]
                if local == "Compressed":
                    inner = self._compressed(item, info, result)
                    noun_root = inner if noun_root is None else noun_root
                elif local == "OperationSet":
                    for operation in item:
                        if isinstance(operation.tag, str):
                            for doc, tag, ns in _foreign_children(operation, own):
                                self._document(doc, tag, ns, "payload", covered, result)
        request_el = parts.get("Request")
        if request_el is not None:
            for item, tag, ns in _foreign_children(request_el):
                self._document(item, tag, ns, "request", covered, result)
        return noun_root

    def _document(
        self,
        item: etree._Element,
        tag: str,
        item_ns: str,
        part: str,
        covered: set[str],
        result: ValidationResult,
    ) -> None:
        if item_ns in covered:
            envelope = result.parts[0]
            result.parts.append(PartResult(part, tag, True, schema=envelope.schema, node=item))
            return
        result.findings.extend(self._xsd(item, item_ns, "XSD-PAYLOAD", result, part, tag))

    def _compressed(
        self, item: etree._Element, info: MessageInfo, result: ValidationResult
    ) -> etree._Element | None:
        try:
            inner = parse_xml(
                _decompress(item.text or "", self.max_bytes), max_bytes=self.max_bytes
            )
        except (ValueError, binascii.Error, zlib.error) as exc:
            result.findings.append(
                error("XSD-PAYLOAD", f"Compressed payload unreadable: {exc}", xpath=xpath_of(item))
            )
            return None
        except XmlSafetyError as exc:
            result.findings.append(
                error(exc.rule, f"Compressed payload: {exc.message}", xpath=xpath_of(item))
            )
            return None
        info.payload_root = etree.QName(inner).text
        scan = env.scan_payload(inner)
        info.event_codes = scan.codes["EndDeviceEventType"]
        info.control_codes = scan.codes["EndDeviceControlType"]
        inner_tag = str(inner.tag)
        inner_ns = env.namespace_of(inner_tag) or ""
        self._document(inner, inner_tag, inner_ns, "payload", set(), result)
        return inner
