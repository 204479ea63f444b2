"""Safe parsing: hostile bytes are refused before they are expanded, and nothing outside the message is read."""

from __future__ import annotations

import codecs
import threading

import pytest
from lxml import etree

from amicert.cim import xmlsafe
from amicert.cim.xmlsafe import (
    SOAP11_NS,
    SOAP12_NS,
    XmlSafetyError,
    parse_xml,
    soap_version,
    unwrap_soap,
)

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
    # not well-formed: one byte over the limit is refused for its size, before any parsing
    limit = 10 * 1024 * 1024
    assert rule_of(b"<a>" + b"x" * (limit - 2)) == "XML-SIZE"
    assert rule_of(b"<a>" + b"x" * (limit - 3)) == "XML-SYNTAX"


def test_xxe_is_refused_without_reading_the_file() -> None:
    data = sample("hostile/xxe_passwd.xml")
    with pytest.raises(XmlSafetyError) as info:
        parse_xml(data)
    assert info.value.rule == "XML-DOCTYPE"
    assert "root:" not in str(info.value)


def test_billion_laughs_is_refused_by_its_doctype() -> None:
    assert rule_of(sample("hostile/billion_laughs.xml")) == "XML-DOCTYPE"


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


def refusal(data: bytes, **kw: int) -> tuple[str, str, str]:
    with pytest.raises(XmlSafetyError) as info:
        parse_xml(data, **kw)
    return info.value.rule, info.value.message, str(info.value)


def test_size_refusal_names_both_sizes_and_the_limit_itself_is_allowed() -> None:
    assert refusal(b"<a>" + b"x" * 45 + b"</a>", max_bytes=50) == (
        "XML-SIZE",
        "message of 52 bytes exceeds 50 bytes",
        "XML-SIZE: message of 52 bytes exceeds 50 bytes",
    )
    assert parse_xml(b"<a>" + b"x" * 43 + b"</a>", max_bytes=50).text == "x" * 43


def test_empty_and_doctype_refusals_say_why() -> None:
    assert refusal(b"") == (
        "XML-EMPTY",
        "message body is empty",
        "XML-EMPTY: message body is empty",
    )
    assert refusal(b"<!DOCTYPE a><a/>")[1] == "a DOCTYPE declaration is not allowed"


def test_syntax_refusal_carries_the_parser_reason() -> None:
    rule, message, _ = refusal(b'<?xml version="1.0" encoding="foo"?><a/>')
    assert rule == "XML-SYNTAX"
    assert message.startswith("not well-formed XML: Unsupported encoding: foo")


# A DOCTYPE the parser would reject as malformed: refused as XML-DOCTYPE only when it is found
# before the parser sees the bytes (the parser itself would report XML-SYNTAX).
MALFORMED_DOCTYPE = "<!DOCTYPE a [<!ENTITY e>]><a/>"


@pytest.mark.parametrize(
    ("bom", "encoding", "declared"),
    [
        (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
        (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
        (codecs.BOM_UTF8, "utf-8", "UTF-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
        (b"", "utf-16-le", "UTF-16"),
        (b"", "utf-16-be", "UTF-16"),
    ],
)
def test_doctype_is_found_before_parsing_in_every_encoding(
    bom: bytes, encoding: str, declared: str
) -> None:
    text = f'<?xml version="1.0" encoding="{declared}"?>{MALFORMED_DOCTYPE}'
    assert rule_of(bom + text.encode(encoding)) == "XML-DOCTYPE"
    plain = f'<?xml version="1.0" encoding="{declared}"?><a>!</a>'
    assert parse_xml(bom + plain.encode(encoding)).text == "!"


@pytest.mark.parametrize(
    "prolog",
    [
        "",
        " \n\t",
        "<?pi x?>",
        "<!-- c -->",
        " <?pi x?> <!-- c -->\n ",
        "<!-- c --><!-- d -->",
        "<?xml version='1.0'?><!---->",
    ],
)
def test_doctype_after_any_prolog_is_found_before_parsing(prolog: str) -> None:
    assert rule_of(f"{prolog}{MALFORMED_DOCTYPE}".encode()) == "XML-DOCTYPE"
    assert rule_of(f"{prolog}{MALFORMED_DOCTYPE.replace('DOCTYPE', 'doctype')}".encode()) == (
        "XML-DOCTYPE"
    )


@pytest.mark.parametrize(
    "data",
    [
        b"<!-- never closed " + MALFORMED_DOCTYPE.encode(),
        b"<?pi never closed " + MALFORMED_DOCTYPE.encode(),
        b"<a>!</a><!DOCTYPE a>",
    ],
)
def test_doctype_inside_an_open_comment_or_after_the_root_is_a_syntax_error(data: bytes) -> None:
    assert rule_of(data) == "XML-SYNTAX"


def test_doctype_beyond_the_scanned_prolog_is_still_refused() -> None:
    long_comment = b"<!-- " + b"x" * 70_000 + b" -->"
    assert rule_of(long_comment + b"<!DOCTYPE a><a/>") == "XML-DOCTYPE"
    assert parse_xml(long_comment + b"<a/>").tag == "a"


def test_comments_and_instructions_stay_in_the_tree() -> None:
    root = parse_xml(b"<a><!--c--><?p x?><b/></a>")
    assert [etree.tostring(child) for child in root] == [b"<!--c-->", b"<?p x?>", b"<b/>"]


def test_a_parser_is_reused_within_a_thread() -> None:
    assert parse_xml(b"<a/>").tag == "a"
    assert parse_xml(b"<b><!--!--></b>").tag == "b"
    assert xmlsafe._local.parser is xmlsafe._parser()


@pytest.mark.parametrize(
    "data",
    [
        b"<Envelope/>",
        b'<x:Envelope xmlns:x="urn:x"><x:Body><m/></x:Body></x:Envelope>',
        f'<e:Envelopes xmlns:e="{SOAP11_NS}"><e:Body><m/></e:Body></e:Envelopes>'.encode(),
    ],
)
def test_only_a_soap_envelope_is_unwrapped(data: bytes) -> None:
    doc = parse_xml(data)
    assert soap_version(doc) is None
    assert unwrap_soap(doc) == (doc, None)


def test_an_envelope_without_a_body_of_its_version_comes_back_as_is() -> None:
    doc = parse_xml(
        f'<e:Envelope xmlns:e="{SOAP11_NS}" xmlns:f="{SOAP12_NS}"><f:Body><m/></f:Body>'
        f"</e:Envelope>".encode()
    )
    assert unwrap_soap(doc) == (doc, "1.1")


def _in_a_new_thread(data: bytes) -> object:
    """parse_xml's answer (the root's tag, or the refusal's rule) in a thread of its own, which
    builds its own parser."""
    answer: list[object] = []

    def work() -> None:
        try:
            answer.append(parse_xml(data))
        except XmlSafetyError as exc:
            answer.append(exc.rule)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    return answer[0]


def test_each_thread_builds_a_parser_with_the_same_settings() -> None:
    root = _in_a_new_thread(b"<a><!--c--><b/></a>")
    assert isinstance(root, etree._Element)
    assert [etree.tostring(child) for child in root] == [b"<!--c-->", b"<b/>"]
    too_deep = b"<a>" * 300 + b"</a>" * 300  # beyond libxml2's depth limit without huge_tree
    assert _in_a_new_thread(too_deep) == "XML-SYNTAX"


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8 + b"<a>\xff<!DOCTYPE x></a>",
        codecs.BOM_UTF16_LE + "<a/>".encode("utf-16-le") + b"\x00",
        "<?xml version='1.0' encoding='UTF-16'?><a/>".encode("utf-16-le") + b"\x00",
        codecs.BOM_UTF16_LE + "<?xml version='1.0' encoding='UTF-16'?> ".encode("utf-16-le"),
        b"<!-- <!DOCTYPE x> -->",
    ],
)
def test_undecodable_or_rootless_bytes_are_a_syntax_error(data: bytes) -> None:
    assert rule_of(data) == "XML-SYNTAX"


def test_doctype_between_comments_is_found_before_parsing() -> None:
    assert rule_of(f"<!-- c -->{MALFORMED_DOCTYPE[:-4]}<!-- d --><a/>".encode()) == "XML-DOCTYPE"


def test_doctype_the_scan_cannot_read_is_refused_after_parsing() -> None:
    # UTF-32 without a byte order mark: the prolog scan does not decode it, the parser does
    assert refusal("<!DOCTYPE a><a/>".encode("utf-32-le"))[:2] == (
        "XML-DOCTYPE",
        "a DOCTYPE declaration is not allowed",
    )
    long_comment = b"<!-- " + b"x" * 70_000 + b" -->"
    assert refusal(long_comment + b"<!DOCTYPE a><a/>")[:2] == (
        "XML-DOCTYPE",
        "a DOCTYPE declaration is not allowed",
    )


@pytest.mark.parametrize(
    "doctype",
    [
        b'<!DOCTYPE a [<!ENTITY e SYSTEM "/no/such/file">]><a>&e;</a>',  # an entity not resolved
        b'<!DOCTYPE a SYSTEM "http://127.0.0.1:9/a.dtd"><a/>',  # a DTD not loaded
    ],
)
def test_a_doctype_past_the_scan_is_neither_loaded_nor_resolved(doctype: bytes) -> None:
    data = b"<!-- " + b"x" * 70_000 + b" -->" + doctype
    assert rule_of(data) == "XML-DOCTYPE"
    assert _in_a_new_thread(data) == "XML-DOCTYPE"
