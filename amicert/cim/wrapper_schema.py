"""Envelope schemas for per-noun wrappers (``CreatedMeterReadings`` ...), whatever the noun.

Every ``http://iec.ch/TC57/<year>/<Noun>Message`` wrapper has the same shape: Header, Request,
Reply and Payload in the wrapper namespace, typed by the 61968-100 envelope types. So instead of
one hand-written XSD per noun, the harness writes the wrapper schema for the element it meets,
importing the envelope schema of the message namespace the Header uses. The payload stays
``processContents="skip"`` here and is validated in the second pass against its noun schema, as
in the generic form. A schema pack that lists the wrapper namespace itself takes precedence.
Only HeaderType, RequestType and ReplyType are taken from the envelope schema, so an official
61968-100 schema serves as well as the harness's own.
"""

from __future__ import annotations

import threading
from pathlib import Path

from lxml import etree

from amicert.cim import envelope as env
from amicert.cim.schemas import SchemaError

# Content per kind, following the 61968-9 per-noun message types, which keep the envelope's
# cardinalities: Payload is optional everywhere (a request may name its objects in Request/ID,
# a canceled or deleted event may carry nothing but its Header), Reply is required in a response.
_CONTENT = {
    env.REQUEST_MESSAGE: (
        '<xs:element name="Header" type="msg:HeaderType"/>'
        '<xs:element name="Request" type="msg:RequestType" minOccurs="0"/>'
        '<xs:element name="Payload" type="tns:PayloadType" minOccurs="0"/>'
    ),
    env.RESPONSE_MESSAGE: (
        '<xs:element name="Header" type="msg:HeaderType"/>'
        '<xs:element name="Reply" type="msg:ReplyType"/>'
        '<xs:element name="Payload" type="tns:PayloadType" minOccurs="0"/>'
    ),
    env.EVENT_MESSAGE: (
        '<xs:element name="Header" type="msg:HeaderType"/>'
        '<xs:element name="Payload" type="tns:PayloadType" minOccurs="0"/>'
    ),
    env.FAULT_MESSAGE: '<xs:element name="Reply" type="msg:ReplyType"/>',
}

_TEMPLATE = """<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:tns="{tns}" xmlns:msg="{msg}" targetNamespace="{tns}"
 elementFormDefault="qualified" attributeFormDefault="unqualified">
 <xs:import namespace="{msg}" schemaLocation="{location}"/>
 <xs:complexType name="PayloadType"><xs:sequence>
  <xs:choice>
   <xs:any namespace="##other" processContents="skip" maxOccurs="unbounded"/>
   <xs:element name="OperationSet"/>
   <xs:element name="Compressed" type="xs:base64Binary"/>
   <xs:element name="ID" maxOccurs="unbounded"/>
  </xs:choice>
  <xs:element name="Format" type="xs:string" minOccurs="0"/>
 </xs:sequence></xs:complexType>
 <xs:element name="{local}"><xs:complexType><xs:sequence>{content}</xs:sequence>
 </xs:complexType></xs:element>
</xs:schema>"""

_cache: dict[tuple[str, str, str, str], etree.XMLSchema] = {}
_lock = threading.Lock()


def wrapper_schema(wrapper_ns: str, local: str, kind: str, message_xsd: Path) -> etree.XMLSchema:
    """The schema of one wrapper element of ``kind``, built on the envelope XSD given.

    Raises SchemaError when the envelope schema cannot be imported (a harness or pack problem).
    """
    message_ns = _target_namespace(message_xsd)
    key = (wrapper_ns, local, kind, str(message_xsd))
    found = _cache.get(key)
    if found is not None:
        return found
    text = _TEMPLATE.format(
        tns=wrapper_ns,
        msg=message_ns,
        location=message_xsd.resolve().as_uri(),
        local=local,
        content=_CONTENT[kind],
    )
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    try:
        schema = etree.XMLSchema(etree.fromstring(text.encode("utf-8"), parser))
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
        raise SchemaError(f"cannot build the wrapper schema on {message_xsd}: {exc}") from None
    with _lock:
        _cache[key] = schema
    return schema


_targets: dict[str, str] = {}


def _target_namespace(path: Path) -> str:
    key = str(path)
    found = _targets.get(key)
    if found is None:
        parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
        try:
            found = etree.parse(key, parser).getroot().get("targetNamespace", "")
        except (OSError, etree.XMLSyntaxError) as exc:
            raise SchemaError(f"cannot read envelope schema {path}: {exc}") from None
        _targets[key] = found
    return found
