"""The whole pipeline on sample files and hostile input: findings, never exceptions."""

from __future__ import annotations

import base64
import gzip
import random
from pathlib import Path

import pytest

from amicert.cim import validate as validate_mod
from amicert.cim.envelope import MESSAGE_NS_ED2
from amicert.cim.validate import ValidationContext, ValidationResult, Validator
from amicert.cim.xmlsafe import SOAP11_NS, SOAP12_NS
from amicert.findings import Blame

from .conftest import DATA, edited, firmware_event, sample

VALID = sorted(p.name for p in (DATA / "valid").glob("*.xml"))
INVALID = {
    "wrong_order.xml": ["XSD-PAYLOAD"],
    "missing_created_datetime.xml": ["XSD-PAYLOAD"],
    "bad_event_code.xml": ["CODE-EVENT-TYPE"],
    "verb_wrapper_mismatch.xml": ["ENV-WRAPPER-NAME"],
    "draft_namespace.xml": ["XSD-ENVELOPE-UNCHECKED", "ENV-DRAFT-NS"],
    "draft_verb.xml": ["XSD-ENVELOPE", "ENV-VERB"],
    "timestamp_no_zone.xml": ["ENV-TIMESTAMP-ZONE"],
    "payload_noun_mismatch.xml": ["ENV-PAYLOAD-NOUN"],
    "reply_failed_without_error.xml": ["ENV-RESULT-ERROR"],
}
HOSTILE = {
    "xxe_passwd.xml": "XML-DOCTYPE",
    "billion_laughs.xml": "XML-DOCTYPE",
    "not_well_formed.xml": "XML-SYNTAX",
    "empty.xml": "XML-EMPTY",
}
DEVICE_OK = b"""<FirmwareUpdateResponse xmlns="urn:amicert:device:1">
  <campaignId>c-1</campaignId><meter mRID="meter-1"/><status>APPLIED</status>
  <standardTable1>00112233</standardTable1>
</FirmwareUpdateResponse>"""


def test_all_sample_directories_are_covered() -> None:
    assert sorted(p.name for p in (DATA / "invalid").glob("*.xml")) == sorted(INVALID)
    assert sorted(p.name for p in (DATA / "hostile").glob("*.xml")) == sorted(HOSTILE)


@pytest.mark.parametrize("name", VALID)
def test_valid_samples(validator: Validator, name: str) -> None:
    result = validator.validate(sample(f"valid/{name}"))
    assert result.findings == []
    assert result.ok
    assert result.info is not None and result.info.form in ("generic", "wrapper")


def test_soap_versions_are_reported(validator: Validator) -> None:
    for version in ("11", "12"):
        info = validator.validate(sample(f"valid/soap{version}_created_enddeviceevents.xml")).info
        assert info is not None
        assert info.soap == f"{version[0]}.{version[1]}"
        assert info.root.endswith("}CreatedEndDeviceEvents")


@pytest.mark.parametrize(("name", "expected"), sorted(INVALID.items()))
def test_invalid_samples(validator: Validator, name: str, expected: list[str]) -> None:
    result = validator.validate(sample(f"invalid/{name}"))
    assert result.rule_ids == expected
    assert not result.ok
    assert all(f.xpath for f in result.findings)


@pytest.mark.parametrize(("name", "rule"), sorted(HOSTILE.items()))
def test_hostile_samples(validator: Validator, name: str, rule: str) -> None:
    result = validator.validate(sample(f"hostile/{name}"))
    assert result.rule_ids == [rule]
    assert result.info is None
    assert "root:x:0:0" not in str(result.findings)


def test_oversized_body(validator: Validator) -> None:
    text = sample("valid/created_enddeviceevents_generic.xml").decode()
    padding = "<!--" + "x" * (10 * 1024 * 1024) + "-->"
    big = text.replace("<Header>", padding + "<Header>").encode()
    assert validator.validate(big).rule_ids == ["XML-SIZE"]
    assert Validator(max_bytes=100).validate(sample("valid/reply_ok.xml")).rule_ids == ["XML-SIZE"]


def test_wrong_order_points_at_the_element(validator: Validator) -> None:
    finding = validator.validate(sample("invalid/wrong_order.xml")).findings[0]
    assert finding.xpath == "/*/*[2]/*/*/*[2]"
    assert "createdDateTime" in finding.message


def test_soap_paths_point_into_the_envelope(validator: Validator) -> None:
    data = sample("valid/soap11_created_enddeviceevents.xml").replace(
        b"<m:createdDateTime>2024-05-01T11:59:10+02:00</m:createdDateTime>", b""
    )
    finding = validator.validate(data).findings[0]
    assert finding.rule == "XSD-PAYLOAD"
    assert finding.xpath is not None and finding.xpath.startswith("/soap:Envelope/soap:Body/")


@pytest.mark.parametrize("ns", [SOAP11_NS, SOAP12_NS])
def test_soap_fault(validator: Validator, ns: str) -> None:
    data = (
        f'<e:Envelope xmlns:e="{ns}"><e:Body><e:Fault><faultcode>e:Server</faultcode>'
        f"<faultstring>head-end down</faultstring></e:Fault></e:Body></e:Envelope>"
    ).encode()
    result = validator.validate(data)
    assert result.rule_ids == ["SOAP-FAULT"]
    assert "head-end down" in result.findings[0].message
    assert result.info is not None and result.info.root == f"{{{ns}}}Fault"


def test_soap_without_body_content(validator: Validator) -> None:
    data = f'<e:Envelope xmlns:e="{SOAP11_NS}"><e:Body/></e:Envelope>'.encode()
    assert validator.validate(data).rule_ids == ["SOAP-BODY"]
    data = f'<e:Envelope xmlns:e="{SOAP11_NS}"><e:Header/></e:Envelope>'.encode()
    assert validator.validate(data).rule_ids == ["SOAP-BODY"]


def test_device_message(validator: Validator) -> None:
    result = validator.validate(DEVICE_OK)
    assert result.ok and result.findings == []
    assert result.info is not None
    assert (result.info.form, result.info.root) == (
        "device",
        "{urn:amicert:device:1}FirmwareUpdateResponse",
    )
    bad = DEVICE_OK.replace(b"APPLIED", b"DONE")
    assert validator.validate(bad).rule_ids == ["XSD-DEVICE"]


def test_unknown_root(validator: Validator) -> None:
    result = validator.validate(b"<x:Hello xmlns:x='urn:nobody'/>")
    assert result.rule_ids == ["MSG-UNKNOWN-ROOT"]
    assert result.info is not None and result.info.form == "unknown"
    assert validator.validate(b"<Hello/>").rule_ids == ["MSG-UNKNOWN-ROOT"]


def test_bare_noun_document_is_not_a_message(validator: Validator) -> None:
    data = b'<EndDeviceEvents xmlns="http://iec.ch/TC57/2011/EndDeviceEvents#"/>'
    result = validator.validate(data)
    assert result.rule_ids == ["MSG-BARE-PAYLOAD"]
    assert "bare payload" in result.findings[0].message


def test_bare_vendor_noun_document_is_an_unknown_root(validator: Validator) -> None:
    data = b'<TroubleOrders xmlns="urn:amicert:trouble:1"/>'
    result = validator.validate(data)
    assert result.rule_ids == ["MSG-UNKNOWN-ROOT"]
    assert "bare noun document" in result.findings[0].message


def test_ed2_envelope_without_schema_is_judged_by_the_header_rules(validator: Validator) -> None:
    data = firmware_event().replace(b"/2011/schema/message", b"/2021/schema/message")
    result = validator.validate(data)
    assert result.rule_ids == ["XSD-ENVELOPE-UNCHECKED"]
    assert result.findings[0].received == MESSAGE_NS_ED2
    assert result.ok and result.info is not None
    assert result.info.edition == "61968-100 Ed.2"
    assert [(p.part, p.checked) for p in result.parts] == [("envelope", False), ("payload", True)]


def test_unknown_payload_namespace_is_a_warning(validator: Validator) -> None:
    data = edited(
        "valid/created_enddeviceevents_generic.xml",
        "http://iec.ch/TC57/2011/EndDeviceEvents#",
        "urn:vendor:events",
    )
    result = validator.validate(data)
    assert result.rule_ids == ["XSD-PAYLOAD-UNCHECKED"]
    assert "not checked" in result.findings[0].message
    assert result.ok
    assert [(p.part, p.checked) for p in result.parts] == [("envelope", True), ("payload", False)]


def test_generic_payload_second_pass_catches_noun_errors(validator: Validator) -> None:
    data = edited(
        "valid/created_enddeviceevents_generic.xml", '<EndDeviceEventType ref="3.11.17.52"/>', ""
    )
    assert validator.validate(data).rule_ids == ["XSD-PAYLOAD"]


def _compressed(document: bytes, form: str = "generic") -> bytes:
    encoded = base64.b64encode(gzip.compress(document)).decode()
    template = sample(f"valid/created_enddeviceevents_{form}.xml").decode()
    start = template.index("<Payload>") + len("<Payload>")
    end = template.index("</Payload>")
    return (template[:start] + f"<Compressed>{encoded}</Compressed>" + template[end:]).encode()


NOUN = (
    b'<EndDeviceEvents xmlns="http://iec.ch/TC57/2011/EndDeviceEvents#"><EndDeviceEvent>'
    b"<createdDateTime>2024-05-01T00:00:00Z</createdDateTime>"
    b'<EndDeviceEventType ref="3.11.17.52"/></EndDeviceEvent></EndDeviceEvents>'
)


@pytest.mark.parametrize("form", ["generic", "wrapper"])
def test_compressed_payload_is_validated(validator: Validator, form: str) -> None:
    result = validator.validate(_compressed(NOUN, form))
    assert result.findings == []
    assert result.info is not None and result.info.event_codes == ["3.11.17.52"]
    broken = NOUN.replace(b"<createdDateTime>2024-05-01T00:00:00Z</createdDateTime>", b"")
    assert validator.validate(_compressed(broken, form)).rule_ids == ["XSD-PAYLOAD"]
    bad_code = NOUN.replace(b"3.11.17.52", b"firmware")
    assert validator.validate(_compressed(bad_code, form)).rule_ids == ["CODE-EVENT-TYPE"]


def test_compressed_bomb_and_garbage(validator: Validator) -> None:
    bomb = b"<a>" + b" " * (20 * 1024 * 1024) + b"</a>"
    [finding] = validator.validate(_compressed(bomb)).findings
    assert (finding.rule, finding.message) == (
        "XSD-PAYLOAD",
        "Compressed payload unreadable: decompressed payload exceeds 10485760 bytes",
    )
    template = sample("valid/created_enddeviceevents_generic.xml").decode()
    start = template.index("<Payload>") + len("<Payload>")
    end = template.index("</Payload>")
    data = (template[:start] + "<Compressed>bm90IGd6aXA=</Compressed>" + template[end:]).encode()
    assert validator.validate(data).rule_ids == ["XSD-PAYLOAD"]
    doctype = b"<!DOCTYPE a [<!ENTITY e 'x'>]><a/>"
    assert validator.validate(_compressed(doctype)).rule_ids == ["XML-DOCTYPE"]


def test_never_raises_on_mutated_input(validator: Validator) -> None:
    rng = random.Random(61968)
    base = sample("valid/created_enddeviceevents_wrapper.xml")
    for _ in range(300):
        data = bytearray(base)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        result = validator.validate(bytes(data), ValidationContext())
        assert isinstance(result, ValidationResult)
        assert "HARNESS-INTERNAL" not in result.rule_ids


def test_internal_failure_becomes_a_harness_finding(
    validator: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(validate_mod, "run_rules", boom)
    result = validator.validate(sample("valid/reply_ok.xml"))
    assert result.rule_ids == ["HARNESS-INTERNAL"]
    assert result.findings[0].blame is Blame.HARNESS


def test_broken_schema_is_a_harness_finding(tmp_path: Path) -> None:
    (tmp_path / "catalog.yaml").write_text(
        'namespaces:\n  "http://iec.ch/TC57/2011/schema/message": {file: m.xsd, kind: envelope}\n'
    )
    (tmp_path / "m.xsd").write_text("<broken")
    result = Validator(tmp_path).validate(sample("valid/reply_ok.xml"))
    assert "HARNESS-SCHEMA" in result.rule_ids
    assert result.findings[0].blame is Blame.HARNESS


def test_schema_dir_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from amicert.cim.schemas import SchemaError

    monkeypatch.setenv("AMICERT_SCHEMA_DIR", str(tmp_path / "missing"))
    with pytest.raises(SchemaError):
        Validator()


def test_context_defaults() -> None:
    context = ValidationContext()
    assert context.replay_window_s == 300
    assert context.seen_message_ids == set()
    assert context.request_message_id is None and context.now is None


def test_schemas_are_not_recompiled_per_call(
    validator: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from amicert.cim import schemas

    for name in VALID:  # first calls compile (whatever ran before in this worker process)
        validator.validate(sample(f"valid/{name}"))

    def no_compile(doc: object, label: str) -> None:
        raise AssertionError(f"recompiled {label}")

    monkeypatch.setattr(schemas, "_compile_doc", no_compile)
    for name in VALID:
        assert validator.validate(sample(f"valid/{name}")).ok
