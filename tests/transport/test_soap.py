"""SOAP framing and the standard's service naming, from the harness's WSDL where one exists."""

from __future__ import annotations

import re
from pathlib import Path

from amicert.cim.xmlsafe import parse_xml
from amicert.transport.soap import (
    body_message,
    envelope,
    fault,
    fault_text,
    operation_for,
    username_token,
)


def test_events_go_to_receive_noun_with_the_wsdl_soap_action() -> None:
    op = operation_for("created", "EndDeviceEvents")
    assert op.service == "ReceiveEndDeviceEvents"
    assert op.operation == "CreatedEndDeviceEvents"
    assert op.soap_action == "http://iec.ch/TC57/2011/EndDeviceEvents/CreatedEndDeviceEvents"


def test_services_without_a_wsdl_follow_the_naming_rule() -> None:
    assert operation_for("create", "EndDeviceControls").service == "ExecuteEndDeviceControls"
    assert operation_for("get", "MeterReadings").soap_action == (
        "http://iec.ch/TC57/2011/MeterReadings/GetMeterReadings"
    )


def test_envelope_round_trip_and_fault_detection() -> None:
    wrapped = envelope(b"<m xmlns='urn:x'>1</m>", [username_token("u", "p")])
    assert parse_xml(wrapped).tag.endswith("Envelope")
    assert b"<m" in body_message(wrapped) and fault_text(wrapped) is None
    assert fault_text(fault("Client", "bad request")) == "bad request"


def test_an_envelope_already_made_by_its_sender_is_kept() -> None:
    """A signed request comes enveloped: wrapping it again would bury its signature; the
    transport's blocks join its Header, and with none its bytes go as they are."""
    inner = envelope(b"<m xmlns='urn:x'>1</m>")
    assert envelope(inner) == inner
    again = parse_xml(envelope(inner, [username_token("u", "p")]))
    assert [el.tag.rpartition("}")[2] for el in again] == ["Header", "Body"]
    assert [el.tag.rpartition("}")[2] for el in again[0]] == ["Security"]
    assert again[1][0].tag == "{urn:x}m"


def test_a_reply_is_expected_where_the_wsdl_declares_an_output(tmp_path: Path) -> None:
    from amicert.transport.soap import DEFAULT_WSDL_DIR, expects_reply, operation_for

    two_way = operation_for("created", "EndDeviceEvents")
    assert expects_reply(two_way) is True
    import shutil

    schemas = tmp_path / "cim_schemas"
    shutil.copytree(DEFAULT_WSDL_DIR.parent, schemas)  # the WSDL imports the wrapper schemas
    wsdl = schemas / "wsdl" / "ReceiveEndDeviceEvents.wsdl"
    text = wsdl.read_text()
    one_way = re.sub(r"\s*<wsdl:output[^>]*/>", "", text)
    assert one_way != text
    wsdl.write_text(one_way)
    assert expects_reply(two_way, schemas / "wsdl") is False
