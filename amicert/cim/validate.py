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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from amicert.cim import envelope as env
from amicert.cim.codes import Registries
from amicert.cim.model import MessageInfo, ValidationContext
from amicert.cim.rules import RuleContext, run_rules, xpath_of
from amicert.cim.schemas import SchemaError, SchemaSet, schema_set
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
    "ValidationContext",
    "ValidationResult",
    "Validator",
]

MAX_XSD_FINDINGS = 50


@dataclass
class ValidationResult:
    """The findings of one message and what the message says about itself (None if unparsable)."""

    findings: list[Finding]
    info: MessageInfo | None

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
        rel = (entry.path or "/*")[2:]
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


def _decompress(text: str, max_bytes: int) -> bytes:
    """Payload/Compressed: base64 of gzip (zlib accepted too), bounded against bombs."""
    raw = base64.b64decode("".join(text.split()), validate=True)
    inflater = zlib.decompressobj(wbits=47)
    out = inflater.decompress(raw, max_bytes + 1)
    if len(out) > max_bytes:
        raise ValueError(f"decompressed payload exceeds {max_bytes} bytes")
    return out


class Validator:
    """Validates 61968-100 messages (both forms, SOAP-wrapped or not) and device messages."""

    def __init__(
        self,
        schema_dir: Path | None = None,
        *,
        registries: Registries | None = None,
        max_bytes: int = MAX_BYTES,
    ) -> None:
        # Raises SchemaError when the directory or its catalog is missing: a harness problem.
        self.schemas: SchemaSet = schema_set(schema_dir)
        self.registries = registries or Registries.default()
        self.max_bytes = max_bytes

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
        qname = etree.QName(root)
        ns = qname.namespace
        if soap is not None and ns in SOAP_VERSIONS:
            return self._soap_problem(root, soap)
        info = env.read_header(root, soap=soap)
        if ns and "://www.iec.ch/" in ns:
            # Pre-standard namespace: no schema applies, but the rules still read the message.
            return ValidationResult(self._rules(root, info, ctx, None), info)
        if ns == env.MESSAGE_NS_ED2:
            finding = error(
                "ENV-EDITION",
                "61968-100 Ed.2 envelope: this profile validates Ed.1 messages only",
                xpath=xpath_of(root),
                expected=env.MESSAGE_NS,
                received=ns,
            )
            return ValidationResult([finding], info)
        kind = self.schemas.kind(ns)
        if kind == "device":
            info.form = "device"
            return ValidationResult(self._xsd(root, ns or "", "XSD-DEVICE", {}), info)
        if kind not in ("envelope", "wrapper"):
            what = "a bare noun document, not a message" if kind == "noun" else "not known"
            finding = error(
                "MSG-UNKNOWN-ROOT",
                f"root element {qname.text} is {what}",
                xpath=xpath_of(root),
                received=qname.text,
            )
            return ValidationResult([finding], info)
        findings, payload = self._payload_pass(root, info, kind, ns or "")
        findings.extend(self._rules(root, info, ctx, payload))
        return ValidationResult(findings, info)

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
        self, element: etree._Element, ns: str, rule: str, rule_for: dict[str, str]
    ) -> list[Finding]:
        try:
            schema = self.schemas.schema_for_namespace(ns)
        except SchemaError as exc:
            return [Finding("HARNESS-SCHEMA", Severity.ERROR, str(exc), blame=Blame.HARNESS)]
        if schema is None:
            return [warning("XSD-PAYLOAD-UNKNOWN", f"no schema for namespace {ns}")]
        return _schema_findings(schema, element, rule_for, rule, MAX_XSD_FINDINGS)

    def _payload_pass(
        self, root: etree._Element, info: MessageInfo, kind: str, ns: str
    ) -> tuple[list[Finding], etree._Element | None]:
        """Envelope XSD, then each payload document against its noun schema.

        The wrapper schemas already include the noun, so the second pass there only covers a
        compressed payload.
        """
        nouns = {n: "XSD-PAYLOAD" for n, e in self.schemas.entries.items() if e.kind == "noun"}
        findings = self._xsd(root, ns, "XSD-ENVELOPE", nouns)
        payload_el = env.child(root, "Payload")
        if payload_el is None:
            return findings, None
        own = etree.QName(payload_el).namespace
        noun_root: etree._Element | None = None
        for item in payload_el:
            if not isinstance(item.tag, str):
                continue
            item_q = etree.QName(item)
            if item_q.namespace == own:
                if item_q.localname == "Compressed":
                    found, noun_root = self._compressed(item, info)
                    findings.extend(found)
                continue
            noun_root = noun_root if noun_root is not None else item
            if kind == "envelope":
                findings.extend(self._noun_pass(item))
        return findings, noun_root

    def _noun_pass(self, item: etree._Element) -> list[Finding]:
        item_ns = etree.QName(item).namespace or ""
        if self.schemas.kind(item_ns) != "noun":
            return [
                warning(
                    "XSD-PAYLOAD-UNKNOWN",
                    f"no noun schema for payload {etree.QName(item).text}; payload not validated",
                    xpath=xpath_of(item),
                    received=item_ns,
                )
            ]
        return self._xsd(item, item_ns, "XSD-PAYLOAD", {})

    def _compressed(
        self, item: etree._Element, info: MessageInfo
    ) -> tuple[list[Finding], etree._Element | None]:
        try:
            inner = parse_xml(
                _decompress(item.text or "", self.max_bytes), max_bytes=self.max_bytes
            )
        except (ValueError, binascii.Error, zlib.error) as exc:
            return [
                error("XSD-PAYLOAD", f"Compressed payload unreadable: {exc}", xpath=xpath_of(item))
            ], None
        except XmlSafetyError as exc:
            return [
                error(exc.rule, f"Compressed payload: {exc.message}", xpath=xpath_of(item))
            ], None
        info.payload_root = etree.QName(inner).text
        info.event_codes = env.codes_in(inner, "EndDeviceEventType")
        info.control_codes = env.codes_in(inner, "EndDeviceControlType")
        return self._noun_pass(inner), inner

    def _rules(
        self,
        root: etree._Element,
        info: MessageInfo,
        ctx: ValidationContext,
        payload: etree._Element | None,
    ) -> list[Finding]:
        if payload is None:
            payload = env.payload_root_element(env.child(root, "Payload"))
        rule_ctx = RuleContext(root, info, ctx, self.registries, payload)
        return run_rules(rule_ctx, "envelope") + run_rules(rule_ctx, "code")
