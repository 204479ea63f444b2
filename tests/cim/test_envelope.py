"""Envelope builders (both forms) and the tolerant header reader."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from lxml import etree

from amicert.cim import envelope as env
from amicert.cim.envelope import (
    MESSAGE_NS,
    Header,
    ReplyError,
    build_event,
    build_fault,
    build_request,
    build_response,
    read_header,
)
from amicert.cim.nouns import EndDeviceControlData, end_device_controls
from amicert.cim.validate import ValidationContext, Validator

from .conftest import T0, firmware_event

CONTROLS = end_device_controls([EndDeviceControlData("c-1", "0.15.0.54", ["meter-1"])])


def test_generic_event_shape() -> None:
    root = etree.fromstring(firmware_event())
    assert root.tag == f"{{{MESSAGE_NS}}}EventMessage"
    header = root.find(f"{{{MESSAGE_NS}}}Header")
    assert header is not None
    names = [etree.QName(c).localname for c in header]
    assert names == [
        "Verb",
        "Noun",
        "Revision",
        "Timestamp",
        "Source",
        "MessageID",
        "CorrelationID",
    ]


def test_output_is_utf8_with_declaration() -> None:
    assert firmware_event().startswith(b"<?xml version='1.0' encoding='UTF-8'?>")


def test_wrapper_event_shape() -> None:
    root = etree.fromstring(firmware_event(form="wrapper"))
    ns = "http://iec.ch/TC57/2011/EndDeviceEventsMessage"
    assert root.tag == f"{{{ns}}}CreatedEndDeviceEvents"
    assert [c.tag for c in root] == [f"{{{ns}}}Header", f"{{{ns}}}Payload"]
    assert root[0][0].tag == f"{{{MESSAGE_NS}}}Verb"


@pytest.mark.parametrize("form", ["generic", "wrapper"])
@pytest.mark.parametrize("verb", ["create", "change", "cancel", "close", "delete"])
def test_requests_validate(validator: Validator, form: str, verb: str) -> None:
    header = Header(
        verb, "EndDeviceControls", f"m-{verb}-{form}", T0, user_id="u", organization="o"
    )
    result = validator.validate(build_request(header, CONTROLS, form=form))
    assert result.ok, result.findings
    assert result.info is not None and result.info.kind == "RequestMessage"


def test_full_header_validates(validator: Validator) -> None:
    header = Header(
        "create",
        "EndDeviceControls",
        "m-full",
        T0,
        source="MDM",
        correlation_id="c",
        reply_address="https://mdm.example/reply",
        async_reply=True,
        user_id="operator",
        organization="utility",
        replay_nonce="n-1",
        replay_created=T0,
        comment="test",
    )
    data = build_request(header, CONTROLS)
    result = validator.validate(data, ValidationContext(now=T0))
    assert result.ok, result.findings
    assert result.info is not None and result.info.reply_address == "https://mdm.example/reply"


def test_get_request_with_query_element(validator: Validator) -> None:
    query = etree.Element("{urn:query}GetEndDeviceEvents")
    header = Header("get", "EndDeviceEvents", "m-get", T0)
    for form in ("generic", "wrapper"):
        root = etree.fromstring(build_request(header, None, query, form=form))
        request = env.child(root, "Request")
        assert request is not None and request[0].tag == "{urn:query}GetEndDeviceEvents"
        assert validator.validate(etree.tostring(root)).ok


def test_request_element_children_are_copied() -> None:
    request = etree.Element(f"{{{MESSAGE_NS}}}Request")
    etree.SubElement(request, f"{{{MESSAGE_NS}}}StartTime").text = "2024-05-01T00:00:00Z"
    root = etree.fromstring(
        build_request(Header("get", "EndDeviceEvents", "m", T0), None, request, form="wrapper")
    )
    req = env.child(root, "Request")
    assert req is not None and req.tag.endswith("EndDeviceEventsMessage}Request")
    assert env.child_text(req, "StartTime") == "2024-05-01T00:00:00Z"
    assert len(request) == 1  # caller's element untouched


@pytest.mark.parametrize("form", ["generic", "wrapper"])
def test_response_and_fault_validate(validator: Validator, form: str) -> None:
    errors = [ReplyError("2.4", "FATAL", "unknown meter", "meter-9", "//EndDevices[1]")]
    reply = build_response(
        Header("reply", "EndDeviceEvents", f"r-{form}", T0), "FAILED", errors, form=form
    )
    fault = build_fault("EndDeviceEvents", errors, form=form)
    for data in (reply, fault):
        result = validator.validate(data)
        assert result.ok, result.findings
    info = read_header(etree.fromstring(fault))
    assert (info.kind, info.result) == ("FaultMessage", "FAILED")


def test_wrapper_names() -> None:
    assert env.wrapper_element_name("created", "EndDeviceEvents") == "CreatedEndDeviceEvents"
    assert env.wrapper_element_name("reply", "X") == "XResponseMessage"
    assert env.wrapper_element_name("get", "X") == "GetX"
    assert env.wrapper_element_name("execute", "X") == "ExecuteX"
    with pytest.raises(ValueError):
        env.wrapper_element_name("show", "X")
    assert env.parse_wrapper_name("CanceledX", "X") == ("EventMessage", "canceled")
    assert env.parse_wrapper_name("CancelX", "X") == ("RequestMessage", "cancel")
    assert env.parse_wrapper_name("XFaultMessage", "X") == ("FaultMessage", None)
    assert env.parse_wrapper_name("ShowX", "X") == (None, None)
    assert env.parse_wrapper_name("Y", "X") == (None, None)


def test_namespaces() -> None:
    assert env.wrapper_namespace("MeterReadings") == "http://iec.ch/TC57/2011/MeterReadingsMessage"
    assert env.noun_namespace("MeterReadings") == "http://iec.ch/TC57/2011/MeterReadings#"
    assert env.noun_of_wrapper_namespace(MESSAGE_NS) is None
    assert env.noun_of_wrapper_namespace("urn:x") is None


def test_naive_timestamp_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        build_event(Header("created", "EndDeviceEvents", "m", datetime(2024, 1, 1)), None)


def test_offset_timestamp_is_kept() -> None:
    tz = timezone(timedelta(hours=2))
    assert env.format_datetime(datetime(2024, 1, 1, 8, tzinfo=tz)) == "2024-01-01T08:00:00+02:00"
    assert env.format_datetime(T0) == "2024-05-01T12:00:00Z"


def test_bad_result_and_form_are_refused() -> None:
    with pytest.raises(ValueError):
        build_response(Header("reply", "X", "m", T0), "MAYBE")
    with pytest.raises(ValueError):
        build_event(Header("created", "X", "m", T0), None, form="soap")


def test_read_header_generic() -> None:
    info = read_header(etree.fromstring(firmware_event()))
    assert info.form == "generic"
    assert info.kind == "EventMessage"
    assert (info.verb, info.noun, info.message_id) == ("created", "EndDeviceEvents", "msg-1")
    assert (info.source, info.correlation_id) == ("HeadEnd-A", "campaign-1")
    assert info.timestamp == T0
    assert info.payload_root == "{http://iec.ch/TC57/2011/EndDeviceEvents#}EndDeviceEvents"
    assert info.event_codes == ["3.11.17.52"]
    assert info.soap is None


def test_read_header_wrapper() -> None:
    info = read_header(etree.fromstring(firmware_event(form="wrapper")), soap="1.1")
    assert (info.form, info.kind, info.noun, info.soap) == (
        "wrapper",
        "EventMessage",
        "EndDeviceEvents",
        "1.1",
    )


def test_read_header_unknown_root() -> None:
    info = read_header(etree.fromstring(b"<x:a xmlns:x='urn:x'/>"))
    assert (info.form, info.kind, info.root, info.verb) == ("unknown", None, "{urn:x}a", None)


def test_unparsable_timestamp_reads_as_none() -> None:
    assert env.parse_datetime("yesterday") is None
    assert env.parse_datetime(None) is None


# ---------------------------------------------------------------- builders, byte for byte

DECL = b"<?xml version='1.0' encoding='UTF-8'?>\n"
WRAP = (
    b'xmlns="http://iec.ch/TC57/2011/EndDeviceEventsMessage" '
    b'xmlns:msg="http://iec.ch/TC57/2011/schema/message"'
)


def test_a_full_header_is_built_in_schema_order() -> None:
    header = Header(
        "create",
        "EndDeviceControls",
        "m-1",
        T0,
        source="S",
        correlation_id="c-1",
        reply_address="http://r",
        async_reply=False,
        revision="2.0",
        user_id="u",
        organization="o",
        replay_nonce="n",
        replay_created=T0 + timedelta(seconds=5),
        comment="hi",
    )
    payload = etree.fromstring(b'<p:EndDeviceControls xmlns:p="urn:p"/>')
    query = etree.fromstring(b'<q:GetX xmlns:q="urn:q"/>')
    assert build_request(header, payload, query) == DECL + (
        b'<RequestMessage xmlns="http://iec.ch/TC57/2011/schema/message"><Header>'
        b"<Verb>create</Verb><Noun>EndDeviceControls</Noun><Revision>2.0</Revision>"
        b"<ReplayDetection><Nonce>n</Nonce><Created>2024-05-01T12:00:05Z</Created>"
        b"</ReplayDetection><Timestamp>2024-05-01T12:00:00Z</Timestamp><Source>S</Source>"
        b"<AsyncReplyFlag>false</AsyncReplyFlag><ReplyAddress>http://r</ReplyAddress>"
        b"<User><UserID>u</UserID><Organization>o</Organization></User>"
        b"<MessageID>m-1</MessageID><CorrelationID>c-1</CorrelationID><Comment>hi</Comment>"
        b'</Header><Request><q:GetX xmlns:q="urn:q"/></Request>'
        b'<Payload><p:EndDeviceControls xmlns:p="urn:p"/></Payload></RequestMessage>'
    )


def test_a_wrapper_event_header_leaves_out_what_is_not_set() -> None:
    header = Header(
        "created",
        "EndDeviceEvents",
        "e",
        T0,
        revision=None,
        async_reply=True,
        user_id="u",
        replay_created=T0,
    )
    assert build_event(header, None, form="wrapper") == DECL + (
        b"<CreatedEndDeviceEvents " + WRAP + b"><Header><msg:Verb>created</msg:Verb>"
        b"<msg:Noun>EndDeviceEvents</msg:Noun><msg:ReplayDetection><msg:Nonce></msg:Nonce>"
        b"<msg:Created>2024-05-01T12:00:00Z</msg:Created></msg:ReplayDetection>"
        b"<msg:Timestamp>2024-05-01T12:00:00Z</msg:Timestamp>"
        b"<msg:AsyncReplyFlag>true</msg:AsyncReplyFlag><msg:User><msg:UserID>u</msg:UserID>"
        b"</msg:User><msg:MessageID>e</msg:MessageID></Header></CreatedEndDeviceEvents>"
    )


def test_a_replay_nonce_alone_is_stamped_with_the_timestamp() -> None:
    header = Header("create", "EndDeviceControls", "m", T0, revision=None, replay_nonce="n")
    assert b"<ReplayDetection><Nonce>n</Nonce><Created>2024-05-01T12:00:00Z</Created>" in (
        build_request(header, None)
    )


def test_a_reply_lists_every_error_field() -> None:
    errors = [ReplyError("2.4", "FATAL", "why", "more", "/a"), ReplyError("1.1")]
    data = build_response(Header("reply", "EndDeviceEvents", "r", T0), "FAILED", errors)
    assert data == DECL + (
        b'<ResponseMessage xmlns="http://iec.ch/TC57/2011/schema/message"><Header>'
        b"<Verb>reply</Verb><Noun>EndDeviceEvents</Noun><Revision>1.0</Revision>"
        b"<Timestamp>2024-05-01T12:00:00Z</Timestamp><MessageID>r</MessageID></Header>"
        b"<Reply><Result>FAILED</Result><Error><code>2.4</code><level>FATAL</level>"
        b"<reason>why</reason><details>more</details><xpath>/a</xpath></Error>"
        b"<Error><code>1.1</code></Error></Reply></ResponseMessage>"
    )


def test_a_wrapper_fault_is_named_for_its_noun() -> None:
    assert build_fault("EndDeviceEvents", [ReplyError("5.3")], form="wrapper") == DECL + (
        b"<EndDeviceEventsFaultMessage " + WRAP + b"><Reply><msg:Result>FAILED</msg:Result>"
        b"<msg:Error><msg:code>5.3</msg:code></msg:Error></Reply></EndDeviceEventsFaultMessage>"
    )


def test_a_request_element_gives_its_children_and_a_payload_follows() -> None:
    request = etree.fromstring(b'<Request xmlns="urn:r"><a/><b>1</b></Request>')
    payload = etree.fromstring(b"<EndDeviceControls/>")
    data = build_request(Header("get", "EndDeviceControls", "g", T0), payload, request)
    root = etree.fromstring(data)
    assert [etree.QName(el).localname for el in root] == ["Header", "Request", "Payload"]
    assert etree.tostring(root[1]) == (
        b'<Request xmlns="http://iec.ch/TC57/2011/schema/message">'
        b'<a xmlns="urn:r"/><b xmlns="urn:r">1</b></Request>'
    )
    assert len(request) == 2  # the caller's tree is left as it was


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: build_event(Header("created", "X", "m", T0), None, form="soap"),
            "form must be 'generic' or 'wrapper', not 'soap'",
        ),
        (
            lambda: build_response(Header("reply", "X", "m", T0), "MAYBE"),
            "Reply Result must be one of ('OK', 'PARTIAL', 'FAILED'), not 'MAYBE'",
        ),
        (
            lambda: build_request(Header("show", "X", "m", T0), None, form="wrapper"),
            "verb 'show' has no per-noun wrapper element; use the generic form",
        ),
        (
            lambda: build_event(Header("created", "X", "m", datetime(2024, 5, 1)), None),
            "datetime 2024-05-01T00:00:00 has no timezone",
        ),
    ],
)
def test_a_builder_refuses_what_it_cannot_build(call: Any, message: str) -> None:
    with pytest.raises(ValueError) as info:
        call()
    assert str(info.value) == message
