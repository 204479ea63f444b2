"""Safe parsing: hostile bytes are refused quickly and nothing outside the message is read."""

from __future__ import annotations

import codecs
import time

import pytest
from lxml import etree

from amicert.cim.xmlsafe import SOAP11_NS, SOAP12_NS, XmlSafetyError, parse_xml, unwrap_soap

from .conftest import sample


def rule_of(data: bytes, **kw: int) -> str:
    with pytest.raises(XmlSafetyError) as info:
        parse_xml(data, **kw)
    return info.value.rule


def test_parses_a_valid_message() -> None:
    root = parse_xml(sample("valid/reply_ok.xml"))
    assert etree.QName(root).localname == "ResponseMessage"


@pytest.mark.parametrize("data", [b"", b"   \n\t"])
def test_empty_body(data: bytes) -> None:
    assert rule_of(data) == "XML-EMPTY"


def test_empty_sample_file() -> None:
    assert rule_of(sample("hostile/empty.xml")) == "XML-EMPTY"


def test_size_limit_is_checked_before_parsing() -> None:
    assert rule_of(b"<a>" + b"x" * 100 + b"</a>", max_bytes=50) == "XML-SIZE"


def test_default_limit_is_ten_mebibytes() -> None:
    big = b"<a>" + b"x" * (10 * 1024 * 1024) + b"</a>"
    started = time.perf_counter()
    assert rule_of(big) == "XML-SIZE"
    assert time.perf_counter() - started < 1.0


def test_xxe_is_refused_without_reading_the_file() -> None:
    data = sample("hostile/xxe_passwd.xml")
    with pytest.raises(XmlSafetyError) as info:
        parse_xml(data)
    assert info.value.rule == "XML-DOCTYPE"
    assert "root:" not in str(info.value)


def test_billion_laughs_is_refused_fast() -> None:
    started = time.perf_counter()
    assert rule_of(sample("hostile/billion_laughs.xml")) == "XML-DOCTYPE"
    assert time.perf_counter() - started < 0.5


def test_doctype_after_comment_and_pi_is_refused() -> None:
    data = b'<?xml version="1.0"?>\n<!-- c --><?pi x?>\n<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'
    assert rule_of(data) == "XML-DOCTYPE"


def test_doctype_in_utf16_is_refused() -> None:
    text = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a SYSTEM "file:///etc/passwd"><a/>'
    assert rule_of(codecs.BOM_UTF16_LE + text.encode("utf-16-le")) == "XML-DOCTYPE"


def test_doctype_text_inside_content_is_not_a_doctype() -> None:
    root = parse_xml(b"<a><!-- <!DOCTYPE x> --><![CDATA[<!DOCTYPE y>]]></a>")
    assert root.tag == "a"


def test_not_well_formed() -> None:
    assert rule_of(sample("hostile/not_well_formed.xml")) == "XML-SYNTAX"


def test_undeclared_entity_is_a_syntax_error() -> None:
    assert rule_of(b"<a>&xxe;</a>") == "XML-SYNTAX"


def test_error_carries_rule_and_message() -> None:
    err = XmlSafetyError("XML-SIZE", "too big")
    assert (err.rule, err.message) == ("XML-SIZE", "too big")


@pytest.mark.parametrize(("ns", "version"), [(SOAP11_NS, "1.1"), (SOAP12_NS, "1.2")])
def test_unwrap_soap_returns_first_body_child(ns: str, version: str) -> None:
    doc = parse_xml(
        f'<s:Envelope xmlns:s="{ns}"><s:Header/><s:Body><!-- c --><m/><n/></s:Body></s:Envelope>'.encode()
    )
    payload, found = unwrap_soap(doc)
    assert (payload.tag, found) == ("m", version)


def test_unwrap_soap_sample_files() -> None:
    for name, version in (("soap11", "1.1"), ("soap12", "1.2")):
        doc = parse_xml(sample(f"valid/{name}_created_enddeviceevents.xml"))
        payload, found = unwrap_soap(doc)
        assert etree.QName(payload).localname == "CreatedEndDeviceEvents"
        assert found == version


def test_unwrap_soap_leaves_other_documents_alone() -> None:
    doc = parse_xml(b"<a/>")
    assert unwrap_soap(doc) == (doc, None)


def test_unwrap_soap_returns_fault_as_is() -> None:
    doc = parse_xml(
        f'<e:Envelope xmlns:e="{SOAP11_NS}"><e:Body><e:Fault><faultcode>e:Server</faultcode>'
        f"</e:Fault></e:Body></e:Envelope>".encode()
    )
    payload, version = unwrap_soap(doc)
    assert payload.tag == f"{{{SOAP11_NS}}}Fault"
    assert version == "1.1"


def test_unwrap_soap_empty_body_returns_body() -> None:
    doc = parse_xml(f'<e:Envelope xmlns:e="{SOAP12_NS}"><e:Body/></e:Envelope>'.encode())
    payload, version = unwrap_soap(doc)
    assert payload.tag == f"{{{SOAP12_NS}}}Body"
    assert version == "1.2"
