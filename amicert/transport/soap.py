"""SOAP 1.1 framing of IEC 61968-100 messages and the standard's service naming.

Services follow the naming used across public 61968-9 services: past-tense events go to
Receive<Noun>, requests to Execute<Noun>, queries to Get<Noun>, asynchronous results to
Reply<Noun>; the soapAction is http://iec.ch/TC57/2011/<Noun>/<Operation>. Where a WSDL for the
service exists (cim_schemas/wsdl/ or the vendor's), the action and operation come from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import etree

from amicert.cim.xmlsafe import SOAP11_NS, XmlSafetyError, parse_xml

ACTION_BASE = "http://iec.ch/TC57/2011"
PAST_TENSE = ("created", "changed", "canceled", "closed", "deleted", "executed")
REQUEST = ("create", "change", "cancel", "close", "delete", "execute")
DEFAULT_WSDL_DIR = Path(__file__).resolve().parents[2] / "cim_schemas" / "wsdl"


@dataclass(frozen=True)
class Operation:
    service: str
    operation: str
    soap_action: str


def operation_for(verb: str, noun: str, wsdl_dir: Path | None = None) -> Operation:
    """The service, operation and soapAction a message with this verb and noun travels under."""
    cap = verb[:1].upper() + verb[1:]
    if verb in PAST_TENSE:
        service, op = f"Receive{noun}", f"{cap}{noun}"
    elif verb in REQUEST:
        service, op = f"Execute{noun}", f"{cap}{noun}"
    elif verb == "get":
        service, op = f"Get{noun}", f"Get{noun}"
    elif verb == "reply":
        service, op = f"Reply{noun}", f"Reply{noun}"
    else:
        service, op = f"Execute{noun}", f"{cap}{noun}"
    declared = _wsdl_operation(str(wsdl_dir or DEFAULT_WSDL_DIR), service, op)
    action = declared[0] if declared else None
    return Operation(service, op, action or f"{ACTION_BASE}/{noun}/{op}")


@lru_cache(maxsize=64)
def _wsdl_operation(wsdl_dir: str, service: str, operation: str) -> tuple[str | None, bool] | None:
    """What a service's WSDL (parsed by zeep, once) declares for an operation: its soapAction
    and whether it has an output; None when there is no WSDL or no such operation."""
    path = Path(wsdl_dir) / f"{service}.wsdl"
    if not path.exists():
        return None
    import zeep

    client = zeep.Client(str(path))  # type: ignore[no-untyped-call]
    for svc in client.wsdl.services.values():
        for port in svc.ports.values():
            try:
                found = port.binding.get(operation)
            except (ValueError, KeyError):
                continue
            action = str(found.soapaction) if found.soapaction else None
            return action, found.output is not None and bool(found.output.body)
    return None


def expects_reply(op: Operation, wsdl_dir: Path | None = None) -> bool:
    """Whether a call of ``op`` is answered with a message (its WSDL declares an output).

    Without a WSDL for the service, the harness's own convention holds: every CIM message is
    answered with a ResponseMessage (see the harness endpoint's acknowledgements).
    """
    declared = _wsdl_operation(str(wsdl_dir or DEFAULT_WSDL_DIR), op.service, op.operation)
    return True if declared is None else declared[1]


def envelope(message: bytes, header_blocks: list[etree._Element] | None = None) -> bytes:
    """Wrap a CIM message (bytes) in a SOAP 1.1 envelope. A message that is an envelope already
    (signed by its sender) keeps it: the blocks join its Header, its Body is left as it is."""
    inner = parse_xml(message)
    if inner.tag == f"{{{SOAP11_NS}}}Envelope":
        return _with_blocks(inner, message, header_blocks or [])
    env = etree.Element(f"{{{SOAP11_NS}}}Envelope", nsmap={"soapenv": SOAP11_NS})
    if header_blocks:
        header = etree.SubElement(env, f"{{{SOAP11_NS}}}Header")
        for block in header_blocks:
            header.append(block)
    body = etree.SubElement(env, f"{{{SOAP11_NS}}}Body")
    body.append(inner)
    return bytes(etree.tostring(env, xml_declaration=True, encoding="UTF-8"))


def _with_blocks(env: etree._Element, original: bytes, blocks: list[etree._Element]) -> bytes:
    if not blocks:
        return original  # the very bytes: nothing to add
    header = env.find(f"{{{SOAP11_NS}}}Header")
    if header is None:
        header = etree.Element(f"{{{SOAP11_NS}}}Header")
        env.insert(0, header)
    for block in blocks:
        header.append(block)
    return bytes(etree.tostring(env, xml_declaration=True, encoding="UTF-8"))


def fault(code: str, reason: str, detail: bytes | None = None) -> bytes:
    """A SOAP 1.1 Fault (``soapenv:Server`` or ``soapenv:Client``), optionally with a CIM detail."""
    env = etree.Element(f"{{{SOAP11_NS}}}Envelope", nsmap={"soapenv": SOAP11_NS})
    body = etree.SubElement(env, f"{{{SOAP11_NS}}}Body")
    f = etree.SubElement(body, f"{{{SOAP11_NS}}}Fault")
    etree.SubElement(f, "faultcode").text = f"soapenv:{code}"
    etree.SubElement(f, "faultstring").text = reason
    if detail is not None:
        etree.SubElement(f, "detail").append(parse_xml(detail))
    return bytes(etree.tostring(env, xml_declaration=True, encoding="UTF-8"))


def fault_text(body: bytes) -> str | None:
    """The faultstring when ``body`` is a SOAP Fault, else None."""
    try:
        root = parse_xml(body)
    except XmlSafetyError:
        return None
    for el in root.iter():
        if isinstance(el.tag, str) and etree.QName(el).localname == "Fault":
            text = el.findtext("faultstring") or el.findtext(f"{{{SOAP11_NS}}}faultstring") or ""
            if not text:
                text = " ".join(str(t).strip() for t in el.itertext() if str(t).strip())
            return text or "SOAP Fault"
    return None


def body_message(body: bytes) -> bytes:
    """The first element inside a SOAP Body, as bytes (the message itself when not SOAP)."""
    root = parse_xml(body)
    if root.tag != f"{{{SOAP11_NS}}}Envelope" and etree.QName(root).localname != "Envelope":
        return body
    for child in root:
        if isinstance(child.tag, str) and etree.QName(child).localname == "Body":
            for el in child:
                if isinstance(el.tag, str):
                    return bytes(etree.tostring(el, xml_declaration=True, encoding="UTF-8"))
    raise XmlSafetyError("SOAP-BODY", "SOAP envelope without a message in its Body")


WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
PASSWORD_TEXT = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText"


def username_token(username: str, password: str) -> etree._Element:
    """A WS-Security UsernameToken header block (PasswordText: use it over TLS only)."""
    sec = etree.Element(f"{{{WSSE_NS}}}Security", nsmap={"wsse": WSSE_NS})
    token = etree.SubElement(sec, f"{{{WSSE_NS}}}UsernameToken")
    etree.SubElement(token, f"{{{WSSE_NS}}}Username").text = username
    pw = etree.SubElement(token, f"{{{WSSE_NS}}}Password", Type=PASSWORD_TEXT)
    pw.text = password
    return sec
