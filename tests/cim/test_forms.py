"""Every 61968-100 header is checked whatever the noun, in every wrapper form and edition; what no
schema covers is reported as not checked, never passed silently nor rejected as unknown."""

from __future__ import annotations

import pytest

from amicert.cim.validate import Validator

from .msgtext import MSG_2011, generic, noun_doc, wrapped

WORK = noun_doc("WorkOrders", "<WorkOrder><mRID>w-1</mRID></WorkOrder>")
EVENTS = noun_doc(
    "EndDeviceEvents",
    "<EndDeviceEvent><createdDateTime>2024-05-01T11:00:00Z</createdDateTime>"
    '<EndDeviceEventType ref="3.26.0.85"/></EndDeviceEvent>',
)

# (wrapper element, verb, needs Reply, needs Payload)
FORMS = [
    ("CreateWorkOrders", "create", False, True),
    ("ChangeWorkOrders", "change", False, True),
    ("CancelWorkOrders", "cancel", False, False),
    ("CloseWorkOrders", "close", False, False),
    ("DeleteWorkOrders", "delete", False, False),
    ("ExecuteWorkOrders", "execute", False, True),
    ("GetWorkOrders", "get", False, False),
    ("CreatedWorkOrders", "created", False, True),
    ("ChangedWorkOrders", "changed", False, True),
    ("CanceledWorkOrders", "canceled", False, True),
    ("ClosedWorkOrders", "closed", False, True),
    ("DeletedWorkOrders", "deleted", False, True),
    ("ExecutedWorkOrders", "executed", False, True),
    ("WorkOrdersResponseMessage", "reply", True, True),
    ("WorkOrdersRequestMessage", "create", False, True),
    ("WorkOrdersEventMessage", "created", False, True),
]


@pytest.mark.parametrize(("local", "verb", "reply", "payload"), FORMS)
def test_every_wrapper_form_is_checked_whatever_the_noun(
    validator: Validator, local: str, verb: str, reply: bool, payload: bool
) -> None:
    data = wrapped(
        local,
        "WorkOrders",
        verb,
        "WorkOrders",
        WORK if payload else "",
        reply=reply,
        request=f'<ID xmlns="{MSG_2011}">w-1</ID>' if not payload else None,
    )
    result = validator.validate(data)
    assert result.ok, result.findings
    envelope = result.parts[0]
    assert (envelope.part, envelope.checked) == ("envelope", True)
    assert envelope.schema is not None and envelope.schema.endswith("Message.xsd")
    if payload:  # no schema for WorkOrders: said so, as a warning
        assert result.rule_ids == ["XSD-PAYLOAD-UNCHECKED"]
        assert [(p.part, p.checked) for p in result.parts[1:]] == [("payload", False)]


def test_fault_wrapper(validator: Validator) -> None:
    data = wrapped("WorkOrdersFaultMessage", "WorkOrders", None, "WorkOrders", reply=True)
    assert validator.validate(data).rule_ids == ["ENV-REPLY-RESULT"]  # a fault's Result is FAILED


def test_header_rules_apply_in_a_wrapper_without_noun_schema(validator: Validator) -> None:
    data = wrapped(
        "CreateWorkOrders", "WorkOrders", "Create", "WorkOrders", WORK, stamp="2024-05-01T12:00:00"
    )
    ids = validator.validate(data).rule_ids
    for rule in ("XSD-ENVELOPE", "ENV-VERB", "ENV-WRAPPER-NAME", "ENV-TIMESTAMP-ZONE"):
        assert rule in ids
    assert "MSG-UNKNOWN-ROOT" not in ids


def test_wrapper_content_follows_the_envelope_types(validator: Validator) -> None:
    assert validator.validate(
        wrapped("CanceledWorkOrders", "WorkOrders", "canceled", "WorkOrders")
    ).ok  # an event may carry nothing but its Header
    with_reply = wrapped("CreatedWorkOrders", "WorkOrders", "created", "WorkOrders", reply=True)
    result = validator.validate(with_reply)
    assert result.rule_ids == ["XSD-ENVELOPE"]
    assert "Reply" in result.findings[0].message
    no_reply = wrapped("WorkOrdersResponseMessage", "WorkOrders", "reply", "WorkOrders", WORK)
    assert "XSD-ENVELOPE" in validator.validate(no_reply).rule_ids


def test_kind_only_wrapper_name_checks_the_verb(validator: Validator) -> None:
    data = wrapped("WorkOrdersEventMessage", "WorkOrders", "create", "WorkOrders", WORK)
    assert "ENV-KIND-VERB" in validator.validate(data).rule_ids


def test_wrapper_noun_must_match_header(validator: Validator) -> None:
    data = wrapped("CreatedWorkOrders", "WorkOrders", "created", "MeterReadings", WORK)
    assert "ENV-WRAPPER-NAME" in validator.validate(data).rule_ids


GET_READINGS = noun_doc(
    "GetMeterReadings",
    '<EndDevice><mRID>m-1</mRID></EndDevice><ReadingType ref="0.0.0.1.1.1.12.0.0.0.0.0.0.0.0.3.72.0"/>',
)


def test_get_noun_message_namespace(validator: Validator) -> None:
    data = wrapped(
        "GetMeterReadings", "GetMeterReadings", "get", "MeterReadings", request=GET_READINGS
    )
    result = validator.validate(data)
    assert result.findings == []
    request = [p for p in result.parts if p.part == "request"]
    assert (
        request
        and request[0].checked
        and (request[0].schema or "").endswith("GetMeterReadings.xsd")
    )
    reply = wrapped(
        "MeterReadingsResponseMessage", "GetMeterReadings", "reply", "MeterReadings", reply=True
    )
    assert validator.validate(reply).findings == []
    wrong = wrapped("GetMeterReadings", "GetMeterReadings", "get", "EndDeviceEvents")
    assert "ENV-WRAPPER-NAME" in validator.validate(wrong).rule_ids


def test_generic_request_junk_under_a_noun_namespace_fails(validator: Validator) -> None:
    junk = '<junk xmlns="http://iec.ch/TC57/2011/GetMeterReadings#">x</junk>'
    result = validator.validate(generic("RequestMessage", "get", "MeterReadings", request=junk))
    assert result.rule_ids == ["XSD-PAYLOAD"]
    assert "junk" in result.findings[0].message
    bad_query = GET_READINGS.replace("<EndDevice>", "<Meter>").replace("</EndDevice>", "</Meter>")
    result = validator.validate(
        generic("RequestMessage", "get", "MeterReadings", request=bad_query)
    )
    assert result.rule_ids == ["XSD-PAYLOAD"]


def test_generic_request_query_without_schema_is_reported_unchecked(validator: Validator) -> None:
    query = '<GetWorkOrders xmlns="urn:vendor:work"><mRID>w</mRID></GetWorkOrders>'
    result = validator.validate(generic("RequestMessage", "get", "WorkOrders", request=query))
    assert result.rule_ids == ["XSD-PAYLOAD-UNCHECKED"]
    assert [(p.part, p.checked) for p in result.parts] == [("envelope", True), ("request", False)]


@pytest.mark.parametrize("year", [2017, 2019, 2021, 2022, 2030])
def test_ed2_namespaces_are_recognized(validator: Validator, year: int) -> None:
    result = validator.validate(
        generic("EventMessage", "created", "EndDeviceEvents", EVENTS, year=year)
    )
    assert result.rule_ids == ["XSD-ENVELOPE-UNCHECKED"]
    assert result.info is not None and result.info.edition == "61968-100 Ed.2"
    assert [(p.part, p.checked) for p in result.parts] == [("envelope", False), ("payload", True)]


@pytest.mark.parametrize("year", [2017, 2021])
def test_ed2_header_rules_still_apply(validator: Validator, year: int) -> None:
    data = generic(
        "RequestMessage", "created", "EndDeviceEvents", EVENTS, year=year, stamp="2024-05-01T12:00"
    )
    ids = validator.validate(data).rule_ids
    assert "ENV-KIND-VERB" in ids and "ENV-TIMESTAMP-ZONE" in ids


def test_ed2_wrapper(validator: Validator) -> None:
    msg = "http://iec.ch/TC57/2017/schema/message"
    data = wrapped(
        "CreatedEndDeviceEvents",
        "EndDeviceEvents",
        "created",
        "EndDeviceEvents",
        EVENTS,
        year=2017,
        msg=msg,
    )
    result = validator.validate(data)
    assert result.rule_ids == ["XSD-ENVELOPE-UNCHECKED"]
    assert result.info is not None and result.info.edition == "61968-100 Ed.2"
    assert "no envelope schema" in result.findings[0].message


@pytest.mark.parametrize("year", [2009, 2015])
def test_a_year_no_edition_uses_is_a_warning(validator: Validator, year: int) -> None:
    result = validator.validate(
        generic("EventMessage", "created", "EndDeviceEvents", EVENTS, year=year)
    )
    assert result.rule_ids == ["ENV-EDITION", "XSD-ENVELOPE-UNCHECKED"]
    assert result.ok and str(year) in result.findings[0].message


def test_ed1_message_is_fully_checked(validator: Validator) -> None:
    result = validator.validate(generic("EventMessage", "created", "EndDeviceEvents", EVENTS))
    assert result.findings == [] and result.info is not None
    assert result.info.edition == "61968-100 Ed.1"
    assert all(p.checked for p in result.parts)


@pytest.mark.parametrize("year", [2011, 2021])
def test_unknown_element_in_a_message_namespace(validator: Validator, year: int) -> None:
    data = generic("EventMessage", "created", "EndDeviceEvents", EVENTS, year=year)
    data = data.replace(b"EventMessage", b"NoticeMessage")
    assert "ENV-ROOT" in validator.validate(data).rule_ids


def test_root_outside_iec_namespaces_is_unknown(validator: Validator) -> None:
    data = generic("EventMessage", "created", "EndDeviceEvents", EVENTS).replace(
        b"http://iec.ch/TC57/2011/schema/message", b"http://vendor.example/msg"
    )
    assert validator.validate(data).rule_ids == ["MSG-UNKNOWN-ROOT"]


@pytest.mark.parametrize("bad", ["", "3.26.0", "3.26.x.85"])
def test_a_malformed_code_among_known_ones_is_found(validator: Validator, bad: str) -> None:
    events = "".join(
        "<EndDeviceEvent><createdDateTime>2024-05-01T11:00:00Z</createdDateTime>"
        f'<EndDeviceEventType ref="{code}"/></EndDeviceEvent>'
        for code in ("3.26.0.85", bad, "3.26.0.216")
    )
    data = generic(
        "EventMessage", "created", "EndDeviceEvents", noun_doc("EndDeviceEvents", events)
    )
    result = validator.validate(data)
    assert result.rule_ids == ["CODE-EVENT-TYPE"]
    assert result.findings[0].xpath is not None and result.findings[0].received == bad
