"""Envelope builders (both forms) and the tolerant header reader."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo
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
from amicert.cim.model import MessageInfo
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


# ---------------------------------------------------------------- names and namespaces


@pytest.mark.parametrize(
    ("namespace", "parts", "edition"),
    [
        (
            "http://iec.ch/TC57/2011/schema/message",
            (2011, False, "message", None),
            "61968-100 Ed.1",
        ),
        (
            "https://www.iec.ch/TC57/2021/schema/message",
            (2021, True, "message", None),
            "61968-100 Ed.2",
        ),
        (
            "http://iec.ch/TC57/2017/schema/message",
            (2017, False, "message", None),
            "61968-100 Ed.2",
        ),
        ("http://iec.ch/TC57/2015/schema/message", (2015, False, "message", None), None),
        (
            "http://iec.ch/TC57/2011/EndDeviceEvents#",
            (2011, False, "noun", "EndDeviceEvents"),
            "61968-100 Ed.1",
        ),
        ("http://iec.ch/TC57/2011/#", (2011, False, "noun", None), "61968-100 Ed.1"),
        (
            "http://iec.ch/TC57/2011/GetMeterReadingsMessage",
            (2011, False, "wrapper", "GetMeterReadings"),
            "61968-100 Ed.1",
        ),
        ("http://iec.ch/TC57/2011/foo/bar", (2011, False, "other", None), "61968-100 Ed.1"),
    ],
)
def test_an_iec_namespace_is_read_into_its_parts(
    namespace: str, parts: tuple[int, bool, str, str | None], edition: str | None
) -> None:
    found = env.iec_namespace(namespace)
    assert found == env.IecNamespace(namespace, *parts)
    assert found.edition == edition


@pytest.mark.parametrize("namespace", ["urn:x", "http://iec.ch/TC57/x/schema/message", "", None])
def test_other_namespaces_are_not_iec_ones(namespace: str | None) -> None:
    assert env.iec_namespace(namespace) is None


@pytest.mark.parametrize(
    ("namespace", "noun"),
    [
        ("http://www.iec.ch/TC57/2011/EndDeviceEventsMessage", "EndDeviceEvents"),
        ("https://iec.ch/TC57/2021/GetMeterReadingsMessage", "GetMeterReadings"),
        ("http://iec.ch/TC57/2011/schema/message", None),
        ("http://iec.ch/TC57/2011/X.Message", None),
        ("http://iec.ch/TC57/2011/EndDeviceEvents#", None),
        ("", None),
        (None, None),
    ],
)
def test_the_noun_of_a_wrapper_namespace(namespace: str | None, noun: str | None) -> None:
    assert env.noun_of_wrapper_namespace(namespace) == noun


@pytest.mark.parametrize(
    ("local", "noun", "implied"),
    [
        ("GetMeterReadings", "GetMeterReadings", ("RequestMessage", "get")),
        ("MeterReadingsResponseMessage", "GetMeterReadings", ("ResponseMessage", "reply")),
        ("GetMeterReadingsResponseMessage", "GetMeterReadings", ("ResponseMessage", "reply")),
        ("EndDeviceEventsEventMessage", "EndDeviceEvents", ("EventMessage", None)),
        ("EndDeviceEventsFaultMessage", "EndDeviceEvents", ("FaultMessage", None)),
        ("EndDeviceEventsRequestMessage", "EndDeviceEvents", ("RequestMessage", None)),
        ("ExecutedEndDeviceControls", "EndDeviceControls", ("EventMessage", "executed")),
        ("ExecuteEndDeviceControls", "EndDeviceControls", ("RequestMessage", "execute")),
        ("CanceledEndDeviceControls", "EndDeviceControls", ("EventMessage", "canceled")),
        ("EndDeviceControls", "EndDeviceControls", (None, None)),
        ("XEndDeviceControls", "EndDeviceControls", (None, None)),
        ("EndDeviceControlsMessage", "EndDeviceControls", (None, None)),
        ("Get", "Get", ("RequestMessage", "get")),
    ],
)
def test_a_wrapper_name_implies_a_kind_and_verb(
    local: str, noun: str, implied: tuple[str | None, str | None]
) -> None:
    assert env.parse_wrapper_name(local, noun) == implied


def test_wrapper_nouns_and_kinds_of_verbs() -> None:
    assert env.wrapper_nouns("GetMeterReadings") == ("MeterReadings", "GetMeterReadings")
    assert env.wrapper_nouns("Get") == ("Get",)
    assert env.wrapper_nouns("EndDeviceEvents") == ("EndDeviceEvents",)
    assert [env.kind_for_verb(v) for v in ("reply", "created", "get", "executed", "execute")] == [
        "ResponseMessage",
        "EventMessage",
        "RequestMessage",
        "EventMessage",
        "RequestMessage",
    ]
    assert env.wrapper_element_name("execute", "EndDeviceControls") == "ExecuteEndDeviceControls"
    assert env.wrapper_element_name("reply", "MeterReadings") == "MeterReadingsResponseMessage"
    assert env.wrapper_namespace("X") == "http://iec.ch/TC57/2011/XMessage"
    assert env.noun_namespace("X") == "http://iec.ch/TC57/2011/X#"


def test_a_date_time_keeps_its_offset_and_utc_reads_as_z() -> None:
    plus_two = datetime(2024, 5, 1, 12, tzinfo=timezone(timedelta(hours=2)))
    assert env.format_datetime(plus_two) == "2024-05-01T12:00:00+02:00"
    assert env.format_datetime(T0) == "2024-05-01T12:00:00Z"
    assert env.parse_datetime("2024-05-01T12:00:00+02:00") == plus_two
    assert env.parse_datetime("") is None


# ---------------------------------------------------------------- reading


def test_every_header_field_is_read() -> None:
    header = Header(
        "reply",
        "EndDeviceControls",
        " m-1 ",
        T0,
        source="S",
        correlation_id="c-1",
        reply_address="http://r",
    )
    payload = etree.fromstring(
        b'<EndDeviceControls xmlns="http://iec.ch/TC57/2011/EndDeviceControls#">'
        b'<EndDeviceControl><EndDeviceControlType ref="0.15.0.54"/></EndDeviceControl>'
        b'<EndDeviceControl><EndDeviceControlType/><EndDeviceControlType ref="1.2.3.4"/>'
        b"</EndDeviceControl></EndDeviceControls>"
    )
    data = build_response(header, "PARTIAL", [ReplyError("2.4")], payload)
    info = read_header(etree.fromstring(data), soap="1.2")
    assert info == MessageInfo(
        form="generic",
        kind="ResponseMessage",
        namespace=MESSAGE_NS,
        root=f"{{{MESSAGE_NS}}}ResponseMessage",
        verb="reply",
        noun="EndDeviceControls",
        message_id="m-1",
        correlation_id="c-1",
        timestamp=T0,
        source="S",
        reply_address="http://r",
        result="PARTIAL",
        payload_root="{http://iec.ch/TC57/2011/EndDeviceControls#}EndDeviceControls",
        event_codes=[],
        control_codes=["0.15.0.54", "1.2.3.4"],
        soap="1.2",
    )


def test_a_wrapper_without_a_header_noun_takes_the_namespace_noun() -> None:
    data = (
        b'<MeterReadingsResponseMessage xmlns="http://iec.ch/TC57/2011/GetMeterReadingsMessage">'
        b"<Header><Verb>reply</Verb><MessageID/></Header></MeterReadingsResponseMessage>"
    )
    info = read_header(etree.fromstring(data))
    assert (info.form, info.kind, info.noun, info.verb, info.message_id) == (
        "wrapper",
        "ResponseMessage",
        "MeterReadings",
        "reply",
        None,
    )


def test_a_generic_root_that_is_no_message_kind_has_no_kind() -> None:
    info = read_header(etree.fromstring(f'<Note xmlns="{MESSAGE_NS}"/>'.encode()))
    assert (info.form, info.kind, info.noun, info.payload_root) == ("generic", None, None, None)


def test_the_payload_document_is_the_first_child_in_another_namespace() -> None:
    payload = etree.fromstring(
        f'<p:Payload xmlns:p="urn:p" xmlns:m="{MESSAGE_NS}"><!-- c --><p:Format/>'
        f'<m:Compressed/><n:Doc xmlns:n="urn:n"/><n:Other xmlns:n="urn:n"/></p:Payload>'.encode()
    )
    found = env.payload_root_element(payload)
    assert found is not None and found.tag == "{urn:n}Doc"
    assert env.payload_root_element(etree.fromstring(b"<Payload><Doc/></Payload>")) is None
    assert env.payload_root_element(None) is None


def test_children_are_found_by_local_name_in_any_namespace() -> None:
    parent = etree.fromstring(
        b'<r xmlns:a="urn:a"><!-- c --><a:x>1</a:x><x>2</x><y> 3 </y><z/></r>'
    )
    first = env.child(parent, "x")
    assert first is not None and first.text == "1"
    assert env.child(parent, "q") is None
    assert env.child(None, "x") is None
    assert {k: v.text for k, v in env.children_by_name(parent).items()} == {
        "x": "1",
        "y": " 3 ",
        "z": None,
    }
    assert env.children_by_name(None) == {}
    assert env.child_text(parent, "y") == "3"
    assert env.child_text(parent, "z") is None
    assert env.child_text(parent, "q") is None
    assert env.namespace_of("{urn:a}x") == "urn:a"
    assert env.namespace_of("x") is None
    assert env.namespace_of(None) is None
    assert env.local_name(parent[1]) == "x"


def test_a_payload_scan_finds_every_coded_reference_in_order() -> None:
    root = etree.fromstring(
        b'<P xmlns:a="urn:a"><a:EndDeviceEventType ref="1"/><ReadingType ref="r"/>'
        b'<EndDeviceEventType ref="2"/><EndDeviceEventType/><a:EndDeviceControlType ref="c"/></P>'
    )
    scan = env.scan_payload(root)
    assert scan.root is root
    assert scan.codes == {
        "EndDeviceEventType": ["1", "2"],
        "EndDeviceControlType": ["c"],
        "ReadingType": ["r"],
    }
    assert [el.get("ref") for el in scan.elements["EndDeviceEventType"]] == ["1", "2"]
    assert [el.get("ref") for el in scan.elements["ReadingType"]] == ["r"]
    empty = env.scan_payload(None)
    assert (empty.root, empty.codes, empty.elements["ReadingType"]) == (
        None,
        {"EndDeviceEventType": [], "EndDeviceControlType": [], "ReadingType": []},
        [],
    )
    assert env.codes_in(root, "EndDeviceEventType") == ["1", "2"]
    assert env.codes_in(None, "EndDeviceEventType") == []


def test_a_get_namespace_noun_of_one_letter_is_still_split() -> None:
    assert env.wrapper_nouns("GetX") == ("X", "GetX")


def test_a_zone_that_gives_no_offset_is_refused() -> None:
    class NoOffset(tzinfo):
        def utcoffset(self, dt: datetime | None) -> timedelta | None:
            return None

        def dst(self, dt: datetime | None) -> timedelta | None:
            return None

        def tzname(self, dt: datetime | None) -> str | None:
            return None

    with pytest.raises(ValueError, match=r"^datetime 2024-05-01T12:00:00 has no timezone$"):
        env.format_datetime(datetime(2024, 5, 1, 12, tzinfo=NoOffset()))


def test_a_wrapper_needs_a_verb() -> None:
    with pytest.raises(ValueError) as info:
        build_request(Header("", "EndDeviceControls", "m", T0), None, form="wrapper")
    assert str(info.value) == "verb '' has no per-noun wrapper element; use the generic form"


def test_a_response_carries_its_payload_after_the_reply() -> None:
    payload = etree.fromstring(b'<p:MeterReadings xmlns:p="urn:p"/>')
    data = build_response(
        Header("reply", "MeterReadings", "r", T0, revision=None), "OK", (), payload
    )
    assert data == DECL + (
        b'<ResponseMessage xmlns="http://iec.ch/TC57/2011/schema/message"><Header>'
        b"<Verb>reply</Verb><Noun>MeterReadings</Noun><Timestamp>2024-05-01T12:00:00Z</Timestamp>"
        b"<MessageID>r</MessageID></Header><Reply><Result>OK</Result></Reply>"
        b'<Payload><p:MeterReadings xmlns:p="urn:p"/></Payload></ResponseMessage>'
    )
