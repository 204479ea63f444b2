"""The IEC 61968-100 Ed.1 envelope: names, builders and a tolerant header reader.

Builders emit both forms seen in real traffic: the generic one (RequestMessage, EventMessage ...)
and the per-noun wrapper one (CreatedEndDeviceEvents, EndDeviceEventsResponseMessage ...). The
reader works on local names, so a message in a draft namespace still tells what it claims to be.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree

from amicert.cim.model import MessageInfo

MESSAGE_NS = "http://iec.ch/TC57/2011/schema/message"
MESSAGE_NS_ED2 = "http://iec.ch/TC57/2021/schema/message"
CIM_BASE = "http://iec.ch/TC57/2011/"

REQUEST_VERBS = ("create", "change", "cancel", "close", "delete", "execute", "get")
EVENT_VERBS = ("created", "changed", "canceled", "closed", "deleted", "executed")
VERBS = (*REQUEST_VERBS, "reply", *EVENT_VERBS)
DRAFT_VERBS = ("show", "subscribe", "unsubscribe", "report", "stop", "terminate")
PAST_TENSE = dict(zip(REQUEST_VERBS[:-1], EVENT_VERBS, strict=True))
RESULTS = ("OK", "PARTIAL", "FAILED")
ERROR_LEVELS = ("INFORM", "WARNING", "FATAL", "CATASTROPHIC")

REQUEST_MESSAGE = "RequestMessage"
RESPONSE_MESSAGE = "ResponseMessage"
EVENT_MESSAGE = "EventMessage"
FAULT_MESSAGE = "FaultMessage"
MESSAGE_KINDS = (REQUEST_MESSAGE, RESPONSE_MESSAGE, EVENT_MESSAGE, FAULT_MESSAGE)

# Wrapper element prefixes per verb; verbs absent here have no per-noun wrapper element.
WRAPPER_PREFIX = {
    "create": "Create",
    "change": "Change",
    "cancel": "Cancel",
    "close": "Close",
    "delete": "Delete",
    "get": "Get",
    "created": "Created",
    "changed": "Changed",
    "canceled": "Canceled",
    "closed": "Closed",
    "deleted": "Deleted",
}
WRAPPER_PREFIX_EXTRA = {"execute": "Execute", "executed": "Executed"}
_PREFIX_VERB = {prefix: verb for verb, prefix in (WRAPPER_PREFIX | WRAPPER_PREFIX_EXTRA).items()}
# <Noun>RequestMessage, <Noun>EventMessage ...: wrapper names that give the kind, not the verb.
_KIND_SUFFIX = {
    "RequestMessage": REQUEST_MESSAGE,
    "ResponseMessage": RESPONSE_MESSAGE,
    "EventMessage": EVENT_MESSAGE,
    "FaultMessage": FAULT_MESSAGE,
}
_WRAPPER_NS = re.compile(r"^https?://(?:www\.)?iec\.ch/TC57/\d{4}/(\w+)Message$")
_IEC_NS = re.compile(r"^https?://(www\.)?iec\.ch/TC57/(\d{4})/(.+)$")

ED1 = "61968-100 Ed.1"
ED2 = "61968-100 Ed.2"
ED1_YEAR = 2011
# 61968-100 Ed.2 message namespaces: 2017, 2019, 2021 and any later year.
ED2_FIRST_YEAR = 2017


@dataclass(frozen=True)
class IecNamespace:
    """What an IEC TC57 namespace says: its year, whether it is a draft (www.iec.ch), its role.

    ``role`` is "message" (``<year>/schema/message``), "wrapper" (``<year>/<Noun>Message``),
    "noun" (``<year>/<Noun>#``) or "other"; ``noun`` is the noun a wrapper or noun namespace
    names.
    """

    namespace: str
    year: int
    draft: bool
    role: str
    noun: str | None

    @property
    def edition(self) -> str | None:
        """The 61968-100 edition of a message namespace's year (None when no edition uses it)."""
        if self.year == ED1_YEAR:
            return ED1
        return ED2 if self.year >= ED2_FIRST_YEAR else None


@functools.lru_cache(maxsize=1024)
def iec_namespace(namespace: str | None) -> IecNamespace | None:
    """The parts of an ``http://iec.ch/TC57/<year>/...`` namespace; None for other namespaces."""
    match = _IEC_NS.match(namespace or "")
    if match is None:
        return None
    draft, year, rest = match.group(1) is not None, int(match.group(2)), match.group(3)
    if rest == "schema/message":
        return IecNamespace(namespace or "", year, draft, "message", None)
    if rest.endswith("#"):
        return IecNamespace(namespace or "", year, draft, "noun", rest[:-1] or None)
    wrapper = re.fullmatch(r"(\w+)Message", rest)
    if wrapper is not None:
        return IecNamespace(namespace or "", year, draft, "wrapper", wrapper.group(1))
    return IecNamespace(namespace or "", year, draft, "other", None)


def nsmap(default: str, **prefixes: str) -> Any:
    """A namespace map with a default namespace (typed Any: the lxml stubs reject a None key)."""
    return {None: default, **prefixes}


def wrapper_namespace(noun: str) -> str:
    """``http://iec.ch/TC57/2011/<Noun>Message``."""
    return f"{CIM_BASE}{noun}Message"


def noun_namespace(noun: str) -> str:
    """``http://iec.ch/TC57/2011/<Noun>#``."""
    return f"{CIM_BASE}{noun}#"


def noun_of_wrapper_namespace(namespace: str | None) -> str | None:
    """The noun a wrapper namespace names, or None when it is not a wrapper namespace."""
    if not namespace or namespace.endswith("/schema/message"):
        return None
    match = _WRAPPER_NS.match(namespace)
    return match.group(1) if match else None


def wrapper_element_name(verb: str, noun: str) -> str:
    """The wrapper element for a verb and noun (``created`` + ``EndDeviceEvents`` ->
    ``CreatedEndDeviceEvents``; ``reply`` -> ``<Noun>ResponseMessage``)."""
    if verb == "reply":
        return f"{noun}ResponseMessage"
    prefix = WRAPPER_PREFIX.get(verb) or WRAPPER_PREFIX_EXTRA.get(verb)
    if prefix is None:
        raise ValueError(f"verb {verb!r} has no per-noun wrapper element; use the generic form")
    return f"{prefix}{noun}"


def wrapper_nouns(namespace_noun: str) -> tuple[str, ...]:
    """The nouns a wrapper namespace may carry: ``GetMeterReadingsMessage`` carries
    ``MeterReadings`` (and is named ``GetMeterReadings`` itself)."""
    if namespace_noun.startswith("Get") and len(namespace_noun) > 3:
        return namespace_noun[3:], namespace_noun
    return (namespace_noun,)


def parse_wrapper_name(local: str, noun: str) -> tuple[str | None, str | None]:
    """(kind, verb) a wrapper element name implies for ``noun``; (None, None) for none.

    Accepted: ``<Verb><Noun>`` for every verb with a wrapper form (Create, Execute, Get, Created,
    Executed ...), ``<Noun>ResponseMessage`` (verb reply), and ``<Noun>RequestMessage``,
    ``<Noun>EventMessage``, ``<Noun>FaultMessage`` (kind only, verb None). ``noun`` may be the
    wrapper namespace's own noun, including a ``Get<Noun>`` one.
    """
    for candidate in wrapper_nouns(noun):
        if local.startswith(candidate):
            kind = _KIND_SUFFIX.get(local[len(candidate) :])
            if kind is not None:
                return kind, ("reply" if kind == RESPONSE_MESSAGE else None)
        if local.endswith(candidate):
            verb = _PREFIX_VERB.get(local[: -len(candidate)])
            if verb is not None:
                return (EVENT_MESSAGE if verb in EVENT_VERBS else REQUEST_MESSAGE), verb
        if local == candidate and candidate.startswith("Get"):
            return REQUEST_MESSAGE, "get"
    return None, None


def kind_for_verb(verb: str) -> str:
    """The generic message kind that carries ``verb``."""
    if verb == "reply":
        return RESPONSE_MESSAGE
    if verb in EVENT_VERBS:
        return EVENT_MESSAGE
    return REQUEST_MESSAGE


@dataclass(frozen=True)
class Header:
    """The Header fields the harness sets. Datetimes must be timezone-aware."""

    verb: str
    noun: str
    message_id: str
    timestamp: datetime
    source: str | None = None
    correlation_id: str | None = None
    reply_address: str | None = None
    async_reply: bool | None = None
    revision: str | None = "1.0"
    user_id: str | None = None
    organization: str | None = None
    replay_nonce: str | None = None
    replay_created: datetime | None = None
    comment: str | None = None


@dataclass(frozen=True)
class ReplyError:
    """One Reply/Error: a ``<category>.<number>`` code with optional level and explanations."""

    code: str
    level: str | None = None
    reason: str | None = None
    details: str | None = None
    xpath: str | None = None


def format_datetime(value: datetime) -> str:
    """xs:dateTime text with a zone; naive datetimes are refused, a zone is mandatory here."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"datetime {value.isoformat()} has no timezone")
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    child = etree.SubElement(parent, tag)
    if text is not None:
        child.text = text
    return child


def _opt(parent: etree._Element, tag: str, text: str | None) -> None:
    if text is not None:
        _sub(parent, tag, text)


def _header(parent: etree._Element, ns: str, header: Header) -> None:
    m = f"{{{MESSAGE_NS}}}"
    el = _sub(parent, f"{{{ns}}}Header")
    _sub(el, m + "Verb", header.verb)
    _sub(el, m + "Noun", header.noun)
    _opt(el, m + "Revision", header.revision)
    if header.replay_nonce is not None or header.replay_created is not None:
        replay = _sub(el, m + "ReplayDetection")
        _sub(replay, m + "Nonce", header.replay_nonce or "")
        _sub(replay, m + "Created", format_datetime(header.replay_created or header.timestamp))
    _sub(el, m + "Timestamp", format_datetime(header.timestamp))
    _opt(el, m + "Source", header.source)
    if header.async_reply is not None:
        _sub(el, m + "AsyncReplyFlag", "true" if header.async_reply else "false")
    _opt(el, m + "ReplyAddress", header.reply_address)
    if header.user_id is not None:
        user = _sub(el, m + "User")
        _sub(user, m + "UserID", header.user_id)
        _opt(user, m + "Organization", header.organization)
    _sub(el, m + "MessageID", header.message_id)
    _opt(el, m + "CorrelationID", header.correlation_id)
    _opt(el, m + "Comment", header.comment)


def _reply(parent: etree._Element, ns: str, result: str, errors: Iterable[ReplyError]) -> None:
    if result not in RESULTS:
        raise ValueError(f"Reply Result must be one of {RESULTS}, not {result!r}")
    m = f"{{{MESSAGE_NS}}}"
    reply = _sub(parent, f"{{{ns}}}Reply")
    _sub(reply, m + "Result", result)
    for err in errors:
        el = _sub(reply, m + "Error")
        _sub(el, m + "code", err.code)
        _opt(el, m + "level", err.level)
        _opt(el, m + "reason", err.reason)
        _opt(el, m + "details", err.details)
        _opt(el, m + "xpath", err.xpath)


def _payload(parent: etree._Element, ns: str, payload: etree._Element | None) -> None:
    if payload is not None:
        _sub(parent, f"{{{ns}}}Payload").append(_copy(payload))


def _request(parent: etree._Element, ns: str, request: etree._Element | None) -> None:
    if request is None:
        return
    if etree.QName(request).localname == "Request":
        el = _sub(parent, f"{{{ns}}}Request")
        el.extend(_copy(child) for child in request)
    else:  # a query element (Get<Noun>) that sits inside Request
        _sub(parent, f"{{{ns}}}Request").append(_copy(request))


def _copy(element: etree._Element) -> etree._Element:
    # Copy so that a caller's tree is never moved into ours.
    return etree.fromstring(etree.tostring(element))


def _root(kind: str, noun: str, verb: str | None, form: str) -> tuple[etree._Element, str]:
    """The message root and the namespace of its Header/Request/Reply/Payload children."""
    if form == "generic":
        return etree.Element(f"{{{MESSAGE_NS}}}{kind}", nsmap=nsmap(MESSAGE_NS)), MESSAGE_NS
    if form != "wrapper":
        raise ValueError(f"form must be 'generic' or 'wrapper', not {form!r}")
    ns = wrapper_namespace(noun)
    if kind == FAULT_MESSAGE:
        local = f"{noun}FaultMessage"
    else:
        local = wrapper_element_name(verb or "", noun)
    return etree.Element(f"{{{ns}}}{local}", nsmap=nsmap(ns, msg=MESSAGE_NS)), ns


def _bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def build_request(
    header: Header,
    payload: etree._Element | None,
    request: etree._Element | None = None,
    *,
    form: str = "generic",
) -> bytes:
    """A request (create, change, cancel, close, delete, execute, get).

    ``request`` is either a ``Request`` element (its children are copied) or a query element
    such as ``Get<Noun>`` that is placed inside a new Request.
    """
    root, ns = _root(REQUEST_MESSAGE, header.noun, header.verb, form)
    _header(root, ns, header)
    _request(root, ns, request)
    _payload(root, ns, payload)
    return _bytes(root)


def build_event(header: Header, payload: etree._Element | None, *, form: str = "generic") -> bytes:
    """An event or asynchronous completion (created, changed ...)."""
    root, ns = _root(EVENT_MESSAGE, header.noun, header.verb, form)
    _header(root, ns, header)
    _payload(root, ns, payload)
    return _bytes(root)


def build_response(
    header: Header,
    result: str,
    errors: Iterable[ReplyError] = (),
    payload: etree._Element | None = None,
    *,
    form: str = "generic",
) -> bytes:
    """A synchronous reply; Header.verb should be ``reply``."""
    root, ns = _root(RESPONSE_MESSAGE, header.noun, header.verb, form)
    _header(root, ns, header)
    _reply(root, ns, result, errors)
    _payload(root, ns, payload)
    return _bytes(root)


def build_fault(header_noun: str, errors: Iterable[ReplyError], *, form: str = "generic") -> bytes:
    """A FaultMessage (Reply with Result FAILED); the noun only names the wrapper element."""
    root, ns = _root(FAULT_MESSAGE, header_noun, None, form)
    _reply(root, ns, "FAILED", errors)
    return _bytes(root)


# ---------------------------------------------------------------- reading


def local_name(element: etree._Element) -> str:
    return etree.QName(element).localname


def child(parent: etree._Element | None, local: str) -> etree._Element | None:
    """First element child with this local name, whatever its namespace."""
    if parent is None:
        return None
    suffix = "}" + local
    for el in parent:
        tag = el.tag
        # string checks rather than QName objects: this runs on every message, many times
        if isinstance(tag, str) and (tag.endswith(suffix) or tag == local):
            return el
    return None


def children_by_name(parent: etree._Element | None) -> dict[str, etree._Element]:
    """First element child per local name, in one pass (cheaper than repeated lookups)."""
    found: dict[str, etree._Element] = {}
    if parent is None:
        return found
    for el in parent:
        tag = el.tag
        if isinstance(tag, str):
            found.setdefault(tag.rpartition("}")[2], el)
    return found


def _text(element: etree._Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    return element.text.strip()


def child_text(parent: etree._Element | None, local: str) -> str | None:
    el = child(parent, local)
    if el is None or el.text is None:
        return None
    return el.text.strip()


def parse_datetime(text: str | None) -> datetime | None:
    """An xs:dateTime as a datetime (aware when the text has a zone); None when unparsable."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def payload_root_element(payload: etree._Element | None) -> etree._Element | None:
    """The noun document in a Payload: its first child outside the Payload's own namespace and
    the 61968-100 message namespaces."""
    if payload is None:
        return None
    own = namespace_of(payload.tag)
    for el in payload:
        tag = el.tag
        if isinstance(tag, str):
            ns = namespace_of(tag)
            if ns != own and not (ns or "").endswith("/schema/message"):
                return el
    return None


def namespace_of(tag: object) -> str | None:
    """The namespace of a Clark tag (``{ns}local``), None when it has none or is not a tag.

    String work rather than QName objects: this runs many times on every message."""
    if isinstance(tag, str) and tag[:1] == "{":
        return tag[1 : tag.index("}")]
    return None


@functools.lru_cache(maxsize=1024)
def _form_and_kind(tag: str) -> tuple[str, str | None, str | None]:
    """(form, kind, wrapper noun) from the root element's tag alone (a run sees few)."""
    ns = namespace_of(tag) or ""
    local = tag.rpartition("}")[2]
    if ns.endswith("/schema/message"):
        kind = local if local in MESSAGE_KINDS else None
        return "generic", kind, None
    noun = noun_of_wrapper_namespace(ns)
    if noun is not None:
        kind, _verb = parse_wrapper_name(local, noun)
        return "wrapper", kind, wrapper_nouns(noun)[0]
    return "unknown", None, None


def codes_in(payload_root: etree._Element | None, local: str) -> list[str]:
    if payload_root is None:
        return []
    codes: list[str] = []
    for el in payload_root.iter(f"{{*}}{local}"):
        ref = el.get("ref")
        if ref is not None:
            codes.append(ref)
    return codes


# The coded references the header reader and the code rules need, found in one walk.
_CODED = ("EndDeviceEventType", "EndDeviceControlType", "ReadingType")
_CODED_TAGS = tuple(f"{{*}}{local}" for local in _CODED)


@dataclass
class PayloadScan:
    """Every coded reference of a payload (``<... ref="code"/>``) by kind: the elements and, in
    the same order, their codes.

    One walk of the tree serves the header reader (the codes a message carries) and every code
    rule, so that a large payload is walked once however many rules read it.
    """

    root: etree._Element | None
    elements: dict[str, list[etree._Element]]
    codes: dict[str, list[str]]


def scan_payload(payload_root: etree._Element | None) -> PayloadScan:
    """The payload's coded references (an empty scan for no payload)."""
    elements: dict[str, list[etree._Element]] = {local: [] for local in _CODED}
    codes: dict[str, list[str]] = {local: [] for local in _CODED}
    if payload_root is None:
        return PayloadScan(payload_root, elements, codes)
    last_tag = ""
    found_elements: list[etree._Element] = []
    found_codes: list[str] = []
    for el in payload_root.iter(*_CODED_TAGS):
        ref = el.get("ref")
        if ref is None:
            continue
        tag = el.tag
        if tag != last_tag:  # references of one kind come in runs: look the kind up per run
            local = str(tag).rpartition("}")[2]
            found_elements, found_codes, last_tag = elements[local], codes[local], str(tag)
        found_elements.append(el)
        found_codes.append(ref)
    return PayloadScan(payload_root, elements, codes)


def read_header(
    root: etree._Element,
    *,
    soap: str | None = None,
    parts: dict[str, etree._Element] | None = None,
    fields: dict[str, etree._Element] | None = None,
    scan: PayloadScan | None = None,
) -> MessageInfo:
    """What the message says about itself; never raises on a well-formed element.

    ``parts`` (the root's children by local name), ``fields`` (the Header's) and ``scan`` (the
    payload document and its coded references), when the caller already has them.
    """
    tag = str(root.tag)
    form, kind, wrapper_noun = _form_and_kind(tag)
    if parts is None:
        parts = children_by_name(root)
    if fields is None:
        fields = children_by_name(parts.get("Header"))
    if scan is None:
        scan = scan_payload(payload_root_element(parts.get("Payload")))
    payload_root = scan.root
    noun = _text(fields.get("Noun")) or wrapper_noun
    return MessageInfo(
        form=form,
        kind=kind,
        namespace=namespace_of(tag),
        root=tag,
        verb=_text(fields.get("Verb")),
        noun=noun,
        message_id=_text(fields.get("MessageID")),
        correlation_id=_text(fields.get("CorrelationID")),
        timestamp=parse_datetime(_text(fields.get("Timestamp"))),
        source=_text(fields.get("Source")),
        reply_address=_text(fields.get("ReplyAddress")),
        result=child_text(parts.get("Reply"), "Result"),
        payload_root=None if payload_root is None else str(payload_root.tag),
        event_codes=scan.codes["EndDeviceEventType"],
        control_codes=scan.codes["EndDeviceControlType"],
        soap=soap,
    )
