"""The validator's whole answer for each kind of message it judges: what the message is, every
finding in full (rule, severity, message, where, expected, received, blame, extra), and which
schema checked each part."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from amicert.cim import validate as validate_mod
from amicert.cim.validate import Validator
from amicert.cim.xmlsafe import SOAP11_NS, SOAP12_NS

from .conftest import edited, firmware_event, sample
from .test_validate import DEVICE_OK, NOUN, _compressed

REPO = Path(__file__).resolve().parents[2]
GENERIC = sample("valid/created_enddeviceevents_generic.xml").decode()
PAYLOAD = GENERIC[GENERIC.index("<Payload>") + len("<Payload>") : GENERIC.index("</Payload>")]

CASES: dict[str, bytes] = {
    "soap_fault": f'<e:Envelope xmlns:e="{SOAP11_NS}"><e:Body><e:Fault><faultcode> e:Server </faultcode><faultstring>head-end down</faultstring></e:Fault></e:Body></e:Envelope>'.encode(),
    "soap_body": f'<e:Envelope xmlns:e="{SOAP12_NS}"><e:Body/></e:Envelope>'.encode(),
    "unknown_root": b"<x:Hello xmlns:x='urn:nobody'/>",
    "bare_noun": b'<EndDeviceEvents xmlns="http://iec.ch/TC57/2011/EndDeviceEvents#"/>',
    "vendor_noun": b'<TroubleOrders xmlns="urn:amicert:trouble:1"/>',
    "ed_2015": firmware_event().replace(b"/2011/schema/message", b"/2015/schema/message"),
    "ed2": firmware_event().replace(b"/2011/schema/message", b"/2021/schema/message"),
    "unknown_payload_ns": edited(
        "valid/created_enddeviceevents_generic.xml",
        "http://iec.ch/TC57/2011/EndDeviceEvents#",
        "urn:vendor:events",
    ),
    "noun_error": edited(
        "valid/created_enddeviceevents_generic.xml", '<EndDeviceEventType ref="3.11.17.52"/>', ""
    ),
    "wrong_order": sample("invalid/wrong_order.xml"),
    "wrapper_noun_error": edited(
        "valid/created_enddeviceevents_wrapper.xml",
        "<m:createdDateTime>2024-05-01T11:59:10+02:00</m:createdDateTime>",
        "",
    ),
    "compressed_ok": _compressed(NOUN),
    "compressed_garbage": GENERIC.replace(
        PAYLOAD, "<Compressed>bm90IGd6aXA=</Compressed>"
    ).encode(),
    "compressed_doctype": _compressed(b"<!DOCTYPE a [<!ENTITY e 'x'>]><a/>"),
    "device_bad": DEVICE_OK.replace(b"APPLIED", b"DONE"),
    "reply_ok": sample("valid/reply_ok.xml"),
    "wrapper_unknown_name": sample("valid/created_enddeviceevents_wrapper.xml")
    .decode()
    .replace("CreatedEndDeviceEvents", "ShowEndDeviceEvents")
    .encode(),
    "wrapper_no_env_schema": sample("valid/created_enddeviceevents_wrapper.xml").replace(
        b"/2011/schema/message", b"/2021/schema/message"
    ),
}

ENVELOPE_PART = {
    "checked": True,
    "element": "{http://iec.ch/TC57/2011/schema/message}EventMessage",
    "part": "envelope",
    "schema": "cim_schemas/message/Message.xsd",
    "xpath": "/*",
}
PAYLOAD_PART = {
    "checked": True,
    "element": "{http://iec.ch/TC57/2011/EndDeviceEvents#}EndDeviceEvents",
    "part": "payload",
    "schema": "cim_schemas/nouns/EndDeviceEvents.xsd",
    "xpath": "/*/*[2]/*",
}

EXPECTED: dict[str, tuple[Any, list[Any], list[dict[str, Any]]]] = {
    "bare_noun": (
        (
            "unknown",
            None,
            "{http://iec.ch/TC57/2011/EndDeviceEvents#}EndDeviceEvents",
            None,
            None,
            None,
        ),
        [
            (
                "MSG-BARE-PAYLOAD",
                "ERROR",
                "root element {http://iec.ch/TC57/2011/EndDeviceEvents#}EndDeviceEvents is a "
                "bare payload document in an IEC namespace, not a 61968-100 message "
                "(RequestMessage ... or a <Noun>Message wrapper)",
                "/*",
                None,
                "{http://iec.ch/TC57/2011/EndDeviceEvents#}EndDeviceEvents",
                "SUT",
                {},
            )
        ],
        [],
    ),
    "compressed_doctype": (
        (
            "generic",
            "EventMessage",
            "{http://iec.ch/TC57/2011/schema/message}EventMessage",
            "61968-100 Ed.1",
            None,
            None,
        ),
        [
            (
                "XML-DOCTYPE",
                "ERROR",
                "Compressed payload: a DOCTYPE declaration is not allowed",
                "/*/*[2]/*",
                None,
                None,
                "SUT",
                {},
            )
        ],
        [ENVELOPE_PART],
    ),
    "compressed_garbage": (
        (
            "generic",
            "EventMessage",
            "{http://iec.ch/TC57/2011/schema/message}EventMessage",
            "61968-100 Ed.1",
            None,
            None,
        ),
        [
            (
                "XSD-PAYLOAD",
                "ERROR",
                "Compressed payload unreadable: Error -3 while decompressing data: "
                "incorrect header check",
                "/*/*[2]/*",
                None,
                None,
                "SUT",
                {},
            )
        ],
        [ENVELOPE_PART],
    ),
    "compressed_ok": (
        (
            "generic",
            "EventMessage",
            "{http://iec.ch/TC57/2011/schema/message}EventMessage",
            "61968-100 Ed.1",
            "{http://iec.ch/TC57/2011/EndDeviceEvents#}EndDeviceEvents",
            None,
        ),
        [],
        [
            ENVELOPE_PART,
            {
                "checked": True,
                "element": "{http://iec.ch/TC57/2011/EndDeviceEvents#}EndDeviceEvents",
                "part": "payload",
                "schema": "cim_schemas/nouns/EndDeviceEvents.xsd",
                "xpath": "/*",
            },
        ],
    ),
    "device_bad": (
        ("device", None, "{urn:amicert:device:1}FirmwareUpdateResponse", None, None, None),
        [
            (
                "XSD-DEVICE",
                "ERROR",
                "Element '{urn:amicert:device:1}status': [facet 'enumeration'] The value "
                "'DONE' is not an element of the set {'APPLIED', 'REFUSED'}.",
                "/*/*[3]",
                None,
                None,
                "SUT",
                {"line": "2"},
            )
        ],
        [
            {
                "checked": True,
                "element": "{urn:amicert:device:1}FirmwareUpdateResponse",
                "part": "device",
                "schema": "cim_schemas/device/amicert-device.xsd",
                "xpath": "/*",
            }
        ],
    ),
    "ed2": (
        (
            "generic",
            "EventMessage",
            "{http://iec.ch/TC57/2021/schema/message}EventMessage",
            "61968-100 Ed.2",
            "{http://iec.ch/TC57/2011/EndDeviceEvents#}EndDeviceEvents",
            None,
        ),
        [
            (
                "XSD-ENVELOPE-UNCHECKED",
                "WARNING",
                "envelope {http://iec.ch/TC57/2021/schema/message}EventMessage not checked: no "
                "schema for namespace http://iec.ch/TC57/2021/schema/message",
                "/*",
                None,
                "http://iec.ch/TC57/2021/schema/message",
                "SUT",
                {},
            )
        ],
        [
            {
                "checked": False,
                "element": "{http://iec.ch/TC57/2021/schema/message}EventMessage",
                "note": "no schema for namespace http://iec.ch/TC57/2021/schema/message",
                "part": "envelope",
                "xpath": "/*",
            },
            PAYLOAD_PART,
        ],
    ),
    "ed_2015": (
        (
            "generic",
            "EventMessage",
            "{http://iec.ch/TC57/2015/schema/message}EventMessage",
            None,
            "{http://iec.ch/TC57/2011/EndDeviceEvents#}EndDeviceEvents",
            None,
        ),
        [
            (
                "ENV-EDITION",
                "WARNING",
                "message namespace http://iec.ch/TC57/2015/schema/message names no published "
                "61968-100 edition (2011 for Ed.1; 2017, 2019, 2021 or later for Ed.2); header "
                "rules still apply",
                "/*",
                None,
                "http://iec.ch/TC57/2015/schema/message",
                "SUT",
                {},
            ),
            (
                "XSD-ENVELOPE-UNCHECKED",
                "WARNING",
                "envelope {http://iec.ch/TC57/2015/schema/message}EventMessage not checked: no "
                "schema for namespace http://iec.ch/TC57/2015/schema/message",
                "/*",
                None,
                "http://iec.ch/TC57/2015/schema/message",
                "SUT",
                {},
            ),
        ],
        [
            {
                "checked": False,
                "element": "{http://iec.ch/TC57/2015/schema/message}EventMessage",
                "note": "no schema for namespace http://iec.ch/TC57/2015/schema/message",
                "part": "envelope",
                "xpath": "/*",
            },
            PAYLOAD_PART,
        ],
    ),
    "noun_error": (
        (
            "generic",
            "EventMessage",
            "{http://iec.ch/TC57/2011/schema/message}EventMessage",
            "61968-100 Ed.1",
            "{http://iec.ch/TC57/2011/EndDeviceEvents#}EndDeviceEvents",
            None,
        ),
        [
            (
                "XSD-PAYLOAD",
                "ERROR",
                "Element '{http://iec.ch/TC57/2011/EndDeviceEvents#}EndDeviceEvent': Missing "
                "child element(s). Expected is one of ( "
                "{http://iec.ch/TC57/2011/EndDeviceEvents#}EndDeviceEventDetails, "
                "{http://iec.ch/TC57/2011/EndDeviceEvents#}EndDeviceEventType ).",
                "/*/*[2]/*/*",
                None,
                None,
                "SUT",
                {"line": "15"},
            )
        ],
        [
            ENVELOPE_PART,
            PAYLOAD_PART,
        ],
    ),
    "reply_ok": (
        (
            "generic",
            "ResponseMessage",
            "{http://iec.ch/TC57/2011/schema/message}ResponseMessage",
            "61968-100 Ed.1",
            None,
            None,
        ),
        [],
        [
            {
                "checked": True,
                "element": "{http://iec.ch/TC57/2011/schema/message}ResponseMessage",
                "part": "envelope",
                "schema": "cim_schemas/message/Message.xsd",
                "xpath": "/*",
            }
        ],
    ),
    "soap_body": (
        ("unknown", None, "{http://www.w3.org/2003/05/soap-envelope}Body", None, None, "1.2"),
        [
            (
                "SOAP-BODY",
                "ERROR",
                "SOAP 1.2 Envelope has no message in its Body",
                "/e:Envelope/e:Body",
                None,
                None,
                "SUT",
                {},
            )
        ],
        [],
    ),
    "soap_fault": (
        ("unknown", None, "{http://schemas.xmlsoap.org/soap/envelope/}Fault", None, None, "1.1"),
        [
            (
                "SOAP-FAULT",
                "ERROR",
                "SOAP 1.1 Fault: e:Server head-end down",
                "/e:Envelope/e:Body/e:Fault",
                None,
                None,
                "SUT",
                {},
            )
        ],
        [],
    ),
    "unknown_payload_ns": (
        (
            "generic",
            "EventMessage",
            "{http://iec.ch/TC57/2011/schema/message}EventMessage",
            "61968-100 Ed.1",
            "{urn:vendor:events}EndDeviceEvents",
            None,
        ),
        [
            (
                "XSD-PAYLOAD-UNCHECKED",
                "WARNING",
                "payload {urn:vendor:events}EndDeviceEvents not checked: no schema "
                "for namespace urn:vendor:events",
                "/*/*[2]/*",
                None,
                "urn:vendor:events",
                "SUT",
                {},
            )
        ],
        [
            ENVELOPE_PART,
            {
                "checked": False,
                "element": "{urn:vendor:events}EndDeviceEvents",
                "note": "no schema for namespace urn:vendor:events",
                "part": "payload",
                "xpath": "/*/*[2]/*",
            },
        ],
    ),
    "unknown_root": (
        ("unknown", None, "{urn:nobody}Hello", None, None, None),
        [
            (
                "MSG-UNKNOWN-ROOT",
                "ERROR",
                "root element {urn:nobody}Hello is not in an IEC or known namespace, not a message",
                "/x:Hello",
                None,
                "{urn:nobody}Hello",
                "SUT",
                {},
            )
        ],
        [],
    ),
    "vendor_noun": (
        ("unknown", None, "{urn:amicert:trouble:1}TroubleOrders", None, None, None),
        [
            (
                "MSG-UNKNOWN-ROOT",
                "ERROR",
                "root element {urn:amicert:trouble:1}TroubleOrders is a bare noun document, "
                "not a message",
                "/*",
                None,
                "{urn:amicert:trouble:1}TroubleOrders",
                "SUT",
                {},
            )
        ],
        [],
    ),
    "wrapper_no_env_schema": (
        (
            "wrapper",
            "EventMessage",
            "{http://iec.ch/TC57/2011/EndDeviceEventsMessage}CreatedEndDeviceEvents",
            "61968-100 Ed.2",
            "{http://iec.ch/TC57/2011/EndDeviceEvents#}EndDeviceEvents",
            None,
        ),
        [
            (
                "XSD-ENVELOPE-UNCHECKED",
                "WARNING",
                "envelope not checked: no envelope schema for message namespace "
                "http://iec.ch/TC57/2021/schema/message",
                "/*",
                None,
                "http://iec.ch/TC57/2021/schema/message",
                "SUT",
                {},
            )
        ],
        [
            {
                "checked": False,
                "element": "{http://iec.ch/TC57/2011/EndDeviceEventsMessage}CreatedEndDeviceEvents",
                "note": "no envelope schema for message namespace "
                "http://iec.ch/TC57/2021/schema/message",
                "part": "envelope",
            },
            {
                "checked": True,
                "element": "{http://iec.ch/TC57/2011/EndDeviceEvents#}EndDeviceEvents",
                "part": "payload",
                "schema": "cim_schemas/nouns/EndDeviceEvents.xsd",
                "xpath": "/*/*[2]/m:EndDeviceEvents",
            },
        ],
    ),
    "wrapper_noun_error": (
        (
            "wrapper",
            "EventMessage",
            "{http://iec.ch/TC57/2011/EndDeviceEventsMessage}CreatedEndDeviceEvents",
            "61968-100 Ed.1",
            "{http://iec.ch/TC57/2011/EndDeviceEvents#}EndDeviceEvents",
            None,
        ),
        [
            (
                "XSD-PAYLOAD",
                "ERROR",
                "Element '{http://iec.ch/TC57/2011/EndDeviceEvents#}Assets': This "
                "element is not expected. Expected is ( "
                "{http://iec.ch/TC57/2011/EndDeviceEvents#}createdDateTime ).",
                "/*/*[2]/m:EndDeviceEvents/m:EndDeviceEvent/m:Assets",
                None,
                None,
                "SUT",
                {"line": "20"},
            )
        ],
        [
            {
                "checked": True,
                "element": "{http://iec.ch/TC57/2011/EndDeviceEventsMessage}CreatedEndDeviceEvents",
                "part": "envelope",
                "schema": "cim_schemas/message/Message.xsd",
                "xpath": "/*",
            },
            {
                "checked": True,
                "element": "{http://iec.ch/TC57/2011/EndDeviceEvents#}EndDeviceEvents",
                "part": "payload",
                "schema": "cim_schemas/nouns/EndDeviceEvents.xsd",
                "xpath": "/*/*[2]/m:EndDeviceEvents",
            },
        ],
    ),
    "wrapper_unknown_name": (
        (
            "wrapper",
            None,
            "{http://iec.ch/TC57/2011/EndDeviceEventsMessage}ShowEndDeviceEvents",
            "61968-100 Ed.1",
            "{http://iec.ch/TC57/2011/EndDeviceEvents#}EndDeviceEvents",
            None,
        ),
        [
            (
                "XSD-ENVELOPE-UNCHECKED",
                "WARNING",
                "envelope not checked: ShowEndDeviceEvents is not a wrapper element name",
                "/*",
                None,
                "http://iec.ch/TC57/2011/schema/message",
                "SUT",
                {},
            ),
            (
                "ENV-WRAPPER-NAME",
                "ERROR",
                "ShowEndDeviceEvents is not a wrapper element name for EndDeviceEvents",
                "/*",
                None,
                "ShowEndDeviceEvents",
                "SUT",
                {},
            ),
        ],
        [
            {
                "checked": False,
                "element": "{http://iec.ch/TC57/2011/EndDeviceEventsMessage}ShowEndDeviceEvents",
                "note": "ShowEndDeviceEvents is not a wrapper element name",
                "part": "envelope",
            },
            {
                "checked": True,
                "element": "{http://iec.ch/TC57/2011/EndDeviceEvents#}EndDeviceEvents",
                "part": "payload",
                "schema": "cim_schemas/nouns/EndDeviceEvents.xsd",
                "xpath": "/*/*[2]/m:EndDeviceEvents",
            },
        ],
    ),
    "wrong_order": (
        (
            "generic",
            "EventMessage",
            "{http://iec.ch/TC57/2011/schema/message}EventMessage",
            "61968-100 Ed.1",
            "{http://iec.ch/TC57/2011/EndDeviceEvents#}EndDeviceEvents",
            None,
        ),
        [
            (
                "XSD-PAYLOAD",
                "ERROR",
                "Element '{http://iec.ch/TC57/2011/EndDeviceEvents#}Assets': This element "
                "is not expected. Expected is ( "
                "{http://iec.ch/TC57/2011/EndDeviceEvents#}createdDateTime ).",
                "/*/*[2]/*/*/*[2]",
                None,
                None,
                "SUT",
                {"line": "17"},
            )
        ],
        [
            ENVELOPE_PART,
            PAYLOAD_PART,
        ],
    ),
}


def _relative(part: dict[str, Any]) -> dict[str, Any]:
    if "schema" in part:
        part["schema"] = str(Path(part["schema"]).relative_to(REPO))
    return part


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_validator_answers_in_full(validator: Validator, name: str) -> None:
    result = validator.validate(CASES[name])
    info = result.info and (
        result.info.form,
        result.info.kind,
        result.info.root,
        result.info.edition,
        result.info.payload_root,
        result.info.soap,
    )
    findings = [
        (f.rule, f.severity.name, f.message, f.xpath, f.expected, f.received, f.blame.name, f.extra)
        for f in result.findings
    ]
    assert (info, findings, [_relative(p.to_dict()) for p in result.parts]) == EXPECTED[name]


@pytest.mark.parametrize("name", ["wrong_order", "wrapper_noun_error", "device_bad"])
def test_a_schema_finding_points_at_the_element_it_names(validator: Validator, name: str) -> None:
    [finding] = validator.validate(CASES[name]).findings
    root = etree.fromstring(CASES[name])
    prefixes = {k: v for k, v in root.nsmap.items() if k is not None}
    assert finding.xpath is not None
    found: Any = root.getroottree().xpath(finding.xpath, namespaces=prefixes)
    assert [e.tag for e in found] == [finding.message.split("'")[1]]


TOY_XSD = b"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t"
    xmlns="urn:t" elementFormDefault="qualified">
  <xs:element name="r"><xs:complexType><xs:sequence>
    <xs:element name="n" type="xs:int" maxOccurs="unbounded"/>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>"""


def _toy_findings(limit: int, rule_for: dict[str, str]) -> list[Any]:
    schema = etree.XMLSchema(etree.fromstring(TOY_XSD))
    doc = etree.fromstring(
        b'<w><t:r xmlns:t="urn:t"><t:n>x</t:n><t:n>1</t:n><t:n>y</t:n><t:n>z</t:n></t:r></w>'
    )
    findings = validate_mod._schema_findings(schema, doc[0], rule_for, "XSD-ENVELOPE", limit)
    return [(f.rule, f.message, f.xpath, f.extra) for f in findings]


def test_schema_errors_beyond_the_limit_are_counted_in_one_finding() -> None:
    def error_on(n: int, value: str) -> tuple[str, str, str, dict[str, str]]:
        return (
            "XSD-PAYLOAD",
            f"Element '{{urn:t}}n': '{value}' is not a valid value of the atomic type 'xs:int'.",
            f"/w/t:r/t:n[{n}]",
            {"line": "1"},
        )

    payload = {"urn:t": "XSD-PAYLOAD"}
    assert _toy_findings(3, payload) == [error_on(1, "x"), error_on(3, "y"), error_on(4, "z")]
    assert _toy_findings(2, payload) == [
        error_on(1, "x"),
        error_on(3, "y"),
        ("XSD-ENVELOPE", "1 further schema errors not listed", None, {}),
    ]
    assert [f[0] for f in _toy_findings(3, {})] == ["XSD-ENVELOPE"] * 3
    schema = etree.XMLSchema(etree.fromstring(TOY_XSD))
    valid = etree.fromstring(b'<t:r xmlns:t="urn:t"><t:n>1</t:n></t:r>')
    assert validate_mod._schema_findings(schema, valid, payload, "XSD-ENVELOPE", 3) == []


def _broken_envelope_schema(tmp_path: Path) -> Validator:
    (tmp_path / "catalog.yaml").write_text(
        'namespaces:\n  "http://iec.ch/TC57/2011/schema/message": {file: m.xsd, kind: envelope}\n'
    )
    (tmp_path / "m.xsd").write_text("<broken")
    return Validator(tmp_path)


def _answer(validator: Validator, data: bytes, directory: Path) -> tuple[list[Any], list[Any]]:
    result = validator.validate(data)
    findings = [
        (f.rule, f.severity.name, f.message.replace(str(directory), "DIR"), f.xpath, f.blame.name)
        for f in result.findings
    ]
    parts = [
        {k: v.replace(str(directory), "DIR") if isinstance(v, str) else v for k, v in p.items()}
        for p in (_relative(part.to_dict()) for part in result.parts)
    ]
    return findings, parts


BROKEN = "Couldn't find end of Start Tag broken line 1, line 1, column 8 (m.xsd, line 1)"


def test_a_schema_that_does_not_compile_is_the_harness_fault(tmp_path: Path) -> None:
    validator = _broken_envelope_schema(tmp_path)
    why = f"cannot compile schema DIR/m.xsd: {BROKEN}"
    assert _answer(validator, sample("valid/reply_ok.xml"), tmp_path) == (
        [("HARNESS-SCHEMA", "ERROR", why, None, "HARNESS")],
        [
            {
                "part": "envelope",
                "element": "{http://iec.ch/TC57/2011/schema/message}ResponseMessage",
                "checked": False,
                "note": why,
                "xpath": "/*",
            }
        ],
    )
    why = f"cannot read envelope schema DIR/m.xsd: {BROKEN}"
    assert _answer(validator, firmware_event(form="wrapper"), tmp_path) == (
        [("HARNESS-SCHEMA", "ERROR", why, None, "HARNESS")],
        [
            {
                "part": "envelope",
                "element": "{http://iec.ch/TC57/2011/EndDeviceEventsMessage}CreatedEndDeviceEvents",
                "checked": False,
                "note": why,
            },
            PAYLOAD_PART,
        ],
    )


def test_a_validator_failure_names_the_exception(
    validator: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: object) -> None:
        raise KeyError("lost")

    monkeypatch.setattr(validate_mod, "run_rules", boom)
    [finding] = validator.validate(sample("valid/reply_ok.xml")).findings
    assert (finding.rule, finding.severity.name, finding.message, finding.blame.name) == (
        "HARNESS-INTERNAL",
        "ERROR",
        "validator failed: KeyError: 'lost'",
        "HARNESS",
    )


def test_each_operation_of_an_operation_set_is_checked_against_its_noun_schema(
    validator: Validator,
) -> None:
    noun = NOUN.decode()
    bad = noun.replace("<createdDateTime>2024-05-01T00:00:00Z</createdDateTime>", "")
    head = "<operationId>{}</operationId><noun>EndDeviceEvents</noun><verb>created</verb>"
    operations = (
        f"<OperationSet><Operation>{head.format(1)}{noun}</Operation><!-- c -->"
        f"<Operation>{head.format(2)}{bad}</Operation></OperationSet><Format>XML</Format>"
    )
    result = validator.validate(GENERIC.replace(PAYLOAD, operations).encode())
    assert [(f.rule, f.xpath) for f in result.findings] == [
        ("XSD-PAYLOAD", "/*/*[2]/*[1]/*[2]/*[4]/*/*")
    ]
    assert [_relative(p.to_dict()) for p in result.parts] == [
        ENVELOPE_PART,
        PAYLOAD_PART | {"xpath": "/*/*[2]/*[1]/*[1]/*[4]"},
        PAYLOAD_PART | {"xpath": "/*/*[2]/*[1]/*[2]/*[4]"},
    ]


def test_a_payload_document_without_a_namespace_is_named_as_such(validator: Validator) -> None:
    result = validator.validate(GENERIC.replace(PAYLOAD, '<Doc xmlns=""><x>1</x></Doc>').encode())
    assert [(f.rule, f.message, f.xpath, f.received) for f in result.findings[1:]] == [
        (
            "XSD-PAYLOAD-UNCHECKED",
            "payload Doc not checked: no schema for namespace (none)",
            "/*/*[2]/Doc",
            "(none)",
        ),
        (
            "ENV-PAYLOAD-NOUN",
            "payload root is Doc but Header/Noun is 'EndDeviceEvents'",
            "/*/*[2]/Doc",
            "Doc",
        ),
    ]
    assert result.findings[0].rule == "XSD-ENVELOPE"  # Payload takes elements of other namespaces
    assert [p.to_dict() for p in result.parts][1] == {
        "part": "payload",
        "element": "Doc",
        "checked": False,
        "note": "no schema for namespace (none)",
        "xpath": "/*/*[2]/Doc",
    }


def test_a_schema_error_on_the_checked_element_itself_points_at_it() -> None:
    schema = etree.XMLSchema(etree.fromstring(TOY_XSD))
    doc = etree.fromstring(b'<w><t:r xmlns:t="urn:t"/></w>')
    findings = validate_mod._schema_findings(schema, doc[0], {}, "XSD-ENVELOPE", 3)
    assert [(f.rule, f.message, f.xpath) for f in findings] == [
        (
            "XSD-ENVELOPE",
            "Element '{urn:t}r': Missing child element(s). Expected is ( {urn:t}n ).",
            "/w/t:r",
        )
    ]
