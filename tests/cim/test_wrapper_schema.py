"""Per-noun wrapper schemas built on an envelope schema: what each kind of wrapper may hold.

Each test builds on its own copy of the envelope schema, so every schema here is built by the
test itself (none comes from what an earlier validation left in the cache).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import etree

from amicert.cim import envelope as env
from amicert.cim.schemas import SchemaError
from amicert.cim.wrapper_schema import wrapper_schema

from .msgtext import wrapped

REPO_SCHEMAS = Path(__file__).resolve().parents[2] / "cim_schemas"
WRAPPER_NS = "http://iec.ch/TC57/2011/EndDeviceEventsMessage"
EVENT = '<EndDeviceEvents xmlns="http://iec.ch/TC57/2011/EndDeviceEvents#"/>'


def envelope_copy(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(REPO_SCHEMAS / "message" / "Message.xsd", folder / "Message.xsd"))


def accepts(schema: etree.XMLSchema, data: bytes) -> bool:
    return bool(schema.validate(etree.fromstring(data)))


def message(
    local: str,
    *,
    verb: str | None = "created",
    request: str | None = None,
    reply: bool = False,
    payload: str = "",
) -> bytes:
    return wrapped(
        local,
        "EndDeviceEvents",
        verb,
        "EndDeviceEvents",
        payload,
        request=request,
        reply=reply,
    )


def test_an_event_wrapper_holds_a_header_and_an_optional_payload(tmp_path: Path) -> None:
    schema = wrapper_schema(
        WRAPPER_NS, "CreatedEndDeviceEvents", env.EVENT_MESSAGE, envelope_copy(tmp_path)
    )
    assert accepts(schema, message("CreatedEndDeviceEvents", payload=EVENT))
    assert accepts(schema, message("CreatedEndDeviceEvents"))
    assert not accepts(schema, message("CreatedEndDeviceEvents", verb=None, payload=EVENT))
    assert not accepts(schema, message("CreatedEndDeviceEvents", reply=True))
    assert not accepts(schema, message("ChangedEndDeviceEvents", payload=EVENT))


def test_a_response_wrapper_needs_its_reply(tmp_path: Path) -> None:
    schema = wrapper_schema(
        WRAPPER_NS, "EndDeviceEventsResponse", env.RESPONSE_MESSAGE, envelope_copy(tmp_path)
    )
    assert accepts(schema, message("EndDeviceEventsResponse", reply=True, payload=EVENT))
    assert not accepts(schema, message("EndDeviceEventsResponse", payload=EVENT))


def test_a_request_wrapper_may_name_its_objects_in_its_request(tmp_path: Path) -> None:
    schema = wrapper_schema(
        WRAPPER_NS, "GetEndDeviceEvents", env.REQUEST_MESSAGE, envelope_copy(tmp_path)
    )
    ids = '<ID xmlns="http://iec.ch/TC57/2011/schema/message">E1</ID>'
    assert accepts(schema, message("GetEndDeviceEvents", verb="get", request=ids))
    assert accepts(schema, message("GetEndDeviceEvents", verb="get"))
    assert not accepts(schema, message("GetEndDeviceEvents", verb="get", reply=True))


def test_a_fault_wrapper_holds_only_its_reply(tmp_path: Path) -> None:
    schema = wrapper_schema(
        WRAPPER_NS, "EndDeviceEventsFault", env.FAULT_MESSAGE, envelope_copy(tmp_path)
    )
    assert accepts(schema, message("EndDeviceEventsFault", verb=None, reply=True))
    assert not accepts(schema, message("EndDeviceEventsFault", reply=True))


def test_a_wrapper_schema_is_built_once_per_envelope_schema(tmp_path: Path) -> None:
    first, second = envelope_copy(tmp_path / "a"), envelope_copy(tmp_path / "b")
    local, kind = "CreatedEndDeviceEvents", env.EVENT_MESSAGE
    schema = wrapper_schema(WRAPPER_NS, local, kind, first)
    assert wrapper_schema(WRAPPER_NS, local, kind, first) is schema
    other = wrapper_schema(WRAPPER_NS, local, kind, second)
    assert other is not schema and wrapper_schema(WRAPPER_NS, local, kind, second) is other


def test_an_envelope_schema_without_the_envelope_types_is_a_schema_error(tmp_path: Path) -> None:
    bare = tmp_path / "Bare.xsd"
    bare.write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:bare"/>',
        encoding="utf-8",
    )
    with pytest.raises(SchemaError) as raised:
        wrapper_schema(WRAPPER_NS, "CreatedEndDeviceEvents", env.EVENT_MESSAGE, bare)
    assert str(raised.value).startswith(f"cannot build the wrapper schema on {bare}: ")
    missing = tmp_path / "Missing.xsd"
    with pytest.raises(SchemaError) as raised:
        wrapper_schema(WRAPPER_NS, "CreatedEndDeviceEvents", env.EVENT_MESSAGE, missing)
    assert str(raised.value).startswith(f"cannot read envelope schema {missing}: ")


def test_an_envelope_schema_is_read_without_its_dtd(tmp_path: Path) -> None:
    # the DTD would give the schema the message namespace: unread, the schema has none
    (tmp_path / "defs.dtd").write_text(
        '<!ATTLIST xs:schema targetNamespace CDATA "http://iec.ch/TC57/2011/schema/message">',
        encoding="utf-8",
    )
    bare = tmp_path / "NoNamespace.xsd"
    bare.write_text(
        '<!DOCTYPE xs:schema SYSTEM "defs.dtd">\n'
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>',
        encoding="utf-8",
    )
    with pytest.raises(SchemaError) as raised:
        wrapper_schema(WRAPPER_NS, "CreatedEndDeviceEvents", env.EVENT_MESSAGE, bare)
    assert "xmlns:msg: Empty XML namespace is not allowed" in str(raised.value)
