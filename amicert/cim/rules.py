"""Envelope and code rules: plain functions in a registry, each with a stable ID and a statement.

The XSDs say what a message may look like; these rules say what it must mean: a Verb that fits its
wrapper, a payload that is the Noun, a reply that echoes the request, codes that exist. Each rule
returns its :class:`~amicert.findings.Finding` objects and never raises on a well-formed tree.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree

from amicert.cim import envelope as env
from amicert.cim.codes import (
    CodeCheck,
    CodeRegistry,
    CodeStatus,
    Registries,
    check_reading_type,
)
from amicert.cim.model import MessageInfo, ValidationContext
from amicert.findings import Finding, Severity

RuleFunc = Callable[["RuleContext"], Iterable[Finding]]


@dataclass(frozen=True)
class RuleSpec:
    """A registered rule: ID, default severity, normative statement, source, stage, function."""

    rule_id: str
    severity: Severity
    statement: str
    source: str
    stage: str
    func: RuleFunc | None


@dataclass(slots=True)
class RuleContext:
    """What a rule sees: the message root (after SOAP unwrap), what it says, and the run.

    The parts every rule reads (Header and its fields, Reply, the payload's coded references)
    are found once, when the context is made, so that each rule is a few look-ups.
    """

    root: etree._Element
    info: MessageInfo
    context: ValidationContext
    registries: Registries
    # The noun document: the Payload's child, or the decompressed content of Payload/Compressed.
    payload_root: etree._Element | None = None
    # The root's and the Header's children by local name, when the caller already has them.
    known_parts: dict[str, etree._Element] | None = None
    known_fields: dict[str, etree._Element] | None = None
    # the bytes payload_root was parsed from, when the rules may pre-filter on them (a cheap
    # scan before a walk); None when the payload came from elsewhere (Payload/Compressed)
    raw: bytes | None = None
    # payload_root's coded references, when the caller already walked the payload for them
    known_scan: env.PayloadScan | None = None
    # the root's children by local name (Header, Request, Reply, Payload), the Header's children
    # by local name, and the payload's coded references
    parts: dict[str, etree._Element] = field(init=False)
    fields: dict[str, etree._Element] = field(init=False)
    header: etree._Element | None = field(init=False)
    reply: etree._Element | None = field(init=False)
    scan: env.PayloadScan = field(init=False)

    def __post_init__(self) -> None:
        parts = self.known_parts
        self.parts = parts if parts is not None else env.children_by_name(self.root)
        self.header = self.parts.get("Header")
        self.reply = self.parts.get("Reply")
        fields = self.known_fields
        self.fields = fields if fields is not None else env.children_by_name(self.header)
        scan = self.known_scan
        self.scan = scan if scan is not None else env.scan_payload(self.payload_root)


RULES: dict[str, RuleSpec] = {}
# parse, schema and profile findings come from the validator and profile checker; their IDs are
# declared here too so that every rule ID has one statement and one place in docs/rules.md.
STAGES = ("parse", "schema", "envelope", "code", "profile")


def declare(rule_id: str, severity: Severity, statement: str, *, source: str, stage: str) -> None:
    """Register a rule ID whose findings another function reports."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}")
    if rule_id in RULES:
        raise ValueError(f"rule {rule_id} registered twice")
    RULES[rule_id] = RuleSpec(rule_id, severity, statement, source, stage, None)


def rule(
    rule_id: str, severity: Severity, statement: str, *, source: str, stage: str = "envelope"
) -> Callable[[RuleFunc], RuleFunc]:
    """Register a rule function under a stable ID."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}")

    def register(func: RuleFunc) -> RuleFunc:
        declare(rule_id, severity, statement, source=source, stage=stage)
        RULES[rule_id] = RuleSpec(rule_id, severity, statement, source, stage, func)
        return func

    return register


_by_stage: dict[str, tuple[int, list[RuleFunc]]] = {}


def _stage_funcs(stage: str) -> list[RuleFunc]:
    """The rule functions of a stage, in registration order (recomputed when rules are added)."""
    cached = _by_stage.get(stage)
    if cached is None or cached[0] != len(RULES):
        funcs = [s.func for s in RULES.values() if s.stage == stage and s.func is not None]
        cached = (len(RULES), funcs)
        _by_stage[stage] = cached
    return cached[1]


def run_rules(ctx: RuleContext, stage: str) -> list[Finding]:
    """All findings of the rules of one stage, in registration order."""
    findings: list[Finding] = []
    for func in _stage_funcs(stage):
        findings.extend(func(ctx))
    return findings


def xpath_of(element: etree._Element) -> str:
    return element.getroottree().getpath(element)


def _finding(
    rule_id: str,
    message: str,
    element: etree._Element | None,
    *,
    expected: str | None = None,
    received: str | None = None,
) -> Finding:
    where = None if element is None else xpath_of(element)
    return Finding(
        rule_id, RULES[rule_id].severity, message, where, expected=expected, received=received
    )


def _header_el(ctx: RuleContext, local: str) -> etree._Element | None:
    return ctx.fields.get(local)


_S100 = "IEC 61968-100 Ed.1"
_S9 = "IEC 61968-9"

# ---------------------------------------------------------------- pipeline findings

_PIPELINE = (
    (
        "XML-SIZE",
        "parse",
        "A message body is at most the configured size (10 MiB by default).",
        "harness safety limit",
    ),
    ("XML-EMPTY", "parse", "A message body is not empty.", "XML 1.0"),
    (
        "XML-DOCTYPE",
        "parse",
        "A message carries no DOCTYPE (no DTD, no entity declarations, no external entities).",
        "harness safety policy; 61968-100 messages need no DTD",
    ),
    ("XML-SYNTAX", "parse", "A message is well-formed XML.", "XML 1.0"),
    (
        "SOAP-FAULT",
        "parse",
        "A SOAP Body carries a 61968-100 message, not a SOAP Fault.",
        "SOAP 1.1 / 1.2; 61968-100 reports errors in Reply/Error",
    ),
    (
        "SOAP-BODY",
        "parse",
        "A SOAP Envelope has a Body that holds a message element.",
        "SOAP 1.1 / 1.2",
    ),
    (
        "MSG-UNKNOWN-ROOT",
        "schema",
        "The message root is in a namespace the schema catalog knows as a message or device root.",
        "cim_schemas/catalog.yaml",
    ),
    (
        "FILE-UNREADABLE",
        "parse",
        "A path given to amicert validate can be read as a regular file.",
        "harness (command line)",
    ),
    (
        "MSG-BARE-PAYLOAD",
        "schema",
        "A root element in an IEC namespace is a 61968-100 message (RequestMessage, "
        "ResponseMessage, EventMessage, FaultMessage or a <Noun>Message wrapper), not a bare "
        "payload document.",
        f"{_S100} (messages carry payloads in an envelope)",
    ),
    (
        "XSD-ENVELOPE",
        "schema",
        "The envelope (generic or per-noun wrapper) validates against its schema.",
        f"{_S100} envelope schema as authored in cim_schemas/",
    ),
    (
        "XSD-PAYLOAD",
        "schema",
        "The payload noun document validates against its noun schema.",
        f"{_S9} noun schemas as authored in cim_schemas/nouns/",
    ),
    (
        "XSD-DEVICE",
        "schema",
        "A device-protocol message validates against the device schema.",
        "docs/device-protocol.md; cim_schemas/device/",
    ),
    (
        "HARNESS-SCHEMA",
        "schema",
        "The harness's own schemas load and compile.",
        "harness self-check",
    ),
    ("HARNESS-INTERNAL", "schema", "The validator completes on any input.", "harness self-check"),
)
for _id, _stage, _statement, _source in _PIPELINE:
    declare(_id, Severity.ERROR, _statement, source=_source, stage=_stage)
for _id, _statement, _source in (
    (
        "ENV-EDITION",
        "The message namespace's year names a published 61968-100 edition: 2011 (Ed.1), or "
        "2017, 2019, 2021 or later (Ed.2).",
        f"{_S100}; IEC 61968-100 Ed.2",
    ),
    (
        "XSD-ENVELOPE-UNCHECKED",
        "The envelope could be checked against a schema for its message namespace (otherwise "
        "only the header rules judged it).",
        "cim_schemas/catalog.yaml and any --schema-dir pack",
    ),
    (
        "XSD-PAYLOAD-UNCHECKED",
        "Every payload document (and Request query) could be checked against a schema for its "
        "namespace.",
        "cim_schemas/catalog.yaml and any --schema-dir pack",
    ),
):
    declare(_id, Severity.WARNING, _statement, source=_source, stage="schema")

# ---------------------------------------------------------------- envelope rules


@rule(
    "ENV-DRAFT-NS",
    Severity.ERROR,
    "Messages use the published IEC namespaces (http://iec.ch/TC57/...), not the pre-standard "
    "draft ones under www.iec.ch.",
    source=f"{_S100} (namespaces); draft namespaces are pre-standard",
)
def draft_namespace(ctx: RuleContext) -> Sequence[Finding]:
    info = ctx.info
    header = ctx.header
    tags = (info.root, None if header is None else header.tag, info.payload_root)
    if not any(tag is not None and "://www.iec.ch/" in tag for tag in tags):
        return ()
    seen: set[str] = set()
    found: list[Finding] = []
    for el in (ctx.root, header, ctx.payload_root):
        if el is None or "://www.iec.ch/" not in str(el.tag):
            continue
        ns = env.namespace_of(el.tag) or ""
        if "://www.iec.ch/" in ns and ns not in seen:
            seen.add(ns)
            found.append(
                _finding(
                    "ENV-DRAFT-NS",
                    f"pre-standard draft namespace {ns}",
                    el,
                    expected=ns.replace("://www.iec.ch/", "://iec.ch/"),
                    received=ns,
                )
            )
    return found


@rule(
    "ENV-ROOT",
    Severity.ERROR,
    "A root element in a 61968-100 message namespace is RequestMessage, ResponseMessage, "
    "EventMessage or FaultMessage.",
    source=f"{_S100} message kinds",
)
def generic_root(ctx: RuleContext) -> Sequence[Finding]:
    if ctx.info.form != "generic" or ctx.info.kind is not None:
        return ()
    local = etree.QName(ctx.root).localname
    return [
        _finding(
            "ENV-ROOT",
            f"{local} is not a 61968-100 message kind",
            ctx.root,
            expected=", ".join(env.MESSAGE_KINDS),
            received=local,
        )
    ]


@rule(
    "ENV-VERB",
    Severity.ERROR,
    "Header/Verb is one of the Ed.1 verbs: create, change, cancel, close, delete, execute, get, "
    "reply, created, changed, canceled, closed, deleted, executed.",
    source=f"{_S100} Header.Verb",
)
def verb_known(ctx: RuleContext) -> Sequence[Finding]:
    verb = ctx.info.verb
    if ctx.header is None or verb is None or verb in env.VERBS:
        return ()
    why = "a pre-standard draft verb" if verb in env.DRAFT_VERBS else "not an Ed.1 verb"
    return [
        _finding(
            "ENV-VERB",
            f"Verb {verb!r} is {why}",
            _header_el(ctx, "Verb"),
            expected=", ".join(env.VERBS),
            received=verb,
        )
    ]


@rule(
    "ENV-KIND-VERB",
    Severity.ERROR,
    "A RequestMessage carries a request verb, an EventMessage a past-tense verb, a "
    "ResponseMessage the verb reply.",
    source=f"{_S100} message exchange patterns",
)
def kind_fits_verb(ctx: RuleContext) -> Sequence[Finding]:
    info = ctx.info
    if info.verb not in env.VERBS or info.kind in (None, env.FAULT_MESSAGE):
        return ()
    if info.form == "wrapper" and _wrapper_verb(ctx) is not None:
        return ()  # the wrapper name implies the verb: ENV-WRAPPER-NAME says it
    if info.form not in ("generic", "wrapper"):
        return ()
    expected_kind = env.kind_for_verb(info.verb)
    if info.kind != expected_kind:
        return [
            _finding(
                "ENV-KIND-VERB",
                f"{info.kind} carries Verb {info.verb!r}, which belongs in a {expected_kind}",
                _header_el(ctx, "Verb"),
                expected=expected_kind,
                received=info.kind or "",
            )
        ]
    return ()


def _wrapper_verb(ctx: RuleContext) -> str | None:
    """The verb a wrapper element name implies (None for kind-only names and non-wrappers)."""
    ns_noun = env.noun_of_wrapper_namespace(ctx.info.namespace)
    if ns_noun is None:
        return None
    return env.parse_wrapper_name(etree.QName(ctx.root).localname, ns_noun)[1]


@rule(
    "ENV-WRAPPER-NAME",
    Severity.ERROR,
    "A per-noun wrapper element agrees with Header Verb and Noun (CreatedEndDeviceEvents carries "
    "Verb created and Noun EndDeviceEvents; <Noun>ResponseMessage carries Verb reply).",
    source="61968-9 WSDL naming of per-noun messages",
)
def wrapper_name(ctx: RuleContext) -> Sequence[Finding]:
    info = ctx.info
    if info.form != "wrapper":
        return ()
    local = etree.QName(ctx.root).localname
    ns_noun = env.noun_of_wrapper_namespace(info.namespace) or ""
    nouns = env.wrapper_nouns(ns_noun)
    header_noun = env.child_text(ctx.header, "Noun")
    found: list[Finding] = []
    if header_noun is not None and header_noun not in nouns:
        found.append(
            _finding(
                "ENV-WRAPPER-NAME",
                f"wrapper namespace is for {nouns[0]} but Header/Noun is {header_noun!r}",
                _header_el(ctx, "Noun"),
                expected=nouns[0],
                received=header_noun,
            )
        )
    kind, verb = env.parse_wrapper_name(local, ns_noun)
    if kind is None:
        found.append(
            _finding(
                "ENV-WRAPPER-NAME",
                f"{local} is not a wrapper element name for {ns_noun}",
                ctx.root,
                received=local,
            )
        )
        return found
    if verb is None or info.verb is None:
        return found  # a kind-only name (<Noun>RequestMessage ...): ENV-KIND-VERB checks the verb
    if verb != info.verb:
        try:
            expected = env.wrapper_element_name(info.verb, nouns[0])
        except ValueError:
            expected = f"no wrapper for verb {info.verb!r}"
        found.append(
            _finding(
                "ENV-WRAPPER-NAME",
                f"wrapper {local} implies Verb {verb!r} but Header/Verb is {info.verb!r}",
                _header_el(ctx, "Verb"),
                expected=expected,
                received=local,
            )
        )
    return found


@rule(
    "ENV-PAYLOAD-NOUN",
    Severity.ERROR,
    "The payload root element's local name equals Header/Noun.",
    source=f"{_S100} Header.Noun names the payload",
)
def payload_is_noun(ctx: RuleContext) -> Sequence[Finding]:
    payload = ctx.payload_root
    noun = ctx.info.noun
    if payload is None or noun is None:
        return ()
    local = str(payload.tag).rpartition("}")[2]
    if local != noun:
        return [
            _finding(
                "ENV-PAYLOAD-NOUN",
                f"payload root is {local} but Header/Noun is {noun!r}",
                payload,
                expected=noun,
                received=local,
            )
        ]
    return ()


@rule(
    "ENV-REQUEST-NOUN",
    Severity.ERROR,
    "A query in Request named Get<Noun> (GetMeterReadings ...) asks for the noun Header/Noun "
    "names.",
    source=f"{_S100} Header.Noun names what the request is about; {_S9} Get<Noun> queries",
)
def request_is_for_noun(ctx: RuleContext) -> Sequence[Finding]:
    request = ctx.parts.get("Request")
    noun = ctx.info.noun
    if request is None or noun is None:
        return ()
    own = env.namespace_of(request.tag)
    found: list[Finding] = []
    for query in request:
        tag = query.tag
        if not isinstance(tag, str) or env.namespace_of(tag) == own:
            continue
        local = tag.rpartition("}")[2]
        if local.startswith("Get") and local != f"Get{noun}":
            found.append(
                _finding(
                    "ENV-REQUEST-NOUN",
                    f"Request query {local} is not for Header/Noun {noun!r}",
                    query,
                    expected=f"Get{noun}",
                    received=local,
                )
            )
    return found


@rule(
    "ENV-REPLY-VERB",
    Severity.ERROR,
    "A ResponseMessage (or <Noun>ResponseMessage) carries Verb reply.",
    source=f"{_S100} request/reply pattern",
)
def response_verb(ctx: RuleContext) -> Sequence[Finding]:
    info = ctx.info
    if info.kind != env.RESPONSE_MESSAGE or info.verb is None or info.verb == "reply":
        return ()
    if info.form == "wrapper":
        return ()  # ENV-WRAPPER-NAME already says it
    return [
        _finding(
            "ENV-REPLY-VERB",
            f"ResponseMessage carries Verb {info.verb!r}",
            _header_el(ctx, "Verb"),
            expected="reply",
            received=info.verb,
        )
    ]


@rule(
    "ENV-REPLY-RESULT",
    Severity.ERROR,
    "A ResponseMessage or FaultMessage carries Reply/Result (OK, PARTIAL or FAILED); a "
    "FaultMessage's Result is FAILED.",
    source=f"{_S100} ReplyType",
)
def reply_result(ctx: RuleContext) -> Sequence[Finding]:
    info = ctx.info
    if info.kind not in (env.RESPONSE_MESSAGE, env.FAULT_MESSAGE):
        return ()
    reply = ctx.reply
    found: list[Finding] = []
    if reply is None or env.child(reply, "Result") is None:
        found.append(
            _finding(
                "ENV-REPLY-RESULT",
                f"{info.kind} has no Reply/Result",
                reply if reply is not None else ctx.root,
                expected="Reply/Result",
                received="none",
            )
        )
        return found
    if info.result not in env.RESULTS:
        why, expected = (
            f"Reply/Result {info.result!r} is not OK, PARTIAL or FAILED",
            "OK | PARTIAL | FAILED",
        )
    elif info.kind == env.FAULT_MESSAGE and info.result != "FAILED":
        why, expected = f"FaultMessage carries Result {info.result}", "FAILED"
    else:
        return found
    where = env.child(reply, "Result")
    found.append(
        _finding("ENV-REPLY-RESULT", why, where, expected=expected, received=info.result or "")
    )
    return found


@rule(
    "ENV-RESULT-ERROR",
    Severity.ERROR,
    "A Reply whose Result is FAILED or PARTIAL carries at least one Error saying why.",
    source=f"{_S100} ReplyType/Error",
)
def failed_has_error(ctx: RuleContext) -> Sequence[Finding]:
    reply = ctx.reply
    result = env.child_text(reply, "Result")
    if reply is None or result not in ("FAILED", "PARTIAL"):
        return ()
    if env.child(reply, "Error") is None:
        return [
            _finding(
                "ENV-RESULT-ERROR",
                f"Result {result} without any Reply/Error",
                reply,
                expected="at least one Error",
                received="none",
            )
        ]
    return ()


@rule(
    "ENV-REPLY-FAILED",
    Severity.ERROR,
    "A reply to a conforming request (no error finding, neither mutated nor sent to provoke a "
    "finding) of a kind its use case says must be accepted (the driver's `accepted_requests`, "
    "e.g. I2's create and close TroubleOrders) carries Result OK: refusing it is the replier's "
    "defect.",
    source=f"{_S100} ReplyType/Result",
)
def conforming_refused(ctx: RuleContext) -> Sequence[Finding]:
    reply = ctx.reply
    result = env.child_text(reply, "Result")
    if not ctx.context.request_conforming or result not in ("FAILED", "PARTIAL"):
        return ()
    said = "; ".join(
        " ".join(str(t).strip() for t in err.itertext() if str(t).strip())
        for err in (reply if reply is not None else ())
        if isinstance(err.tag, str) and etree.QName(err).localname == "Error"
    )
    return [
        _finding(
            "ENV-REPLY-FAILED",
            f"Result {result} in reply to a conforming request",
            env.child(reply, "Result"),
            expected="OK",
            received=f"{result}: {said or '(no Reply/Error)'}",
        )
    ]


@rule(
    "ENV-CORRELATION",
    Severity.ERROR,
    "A reply's Header/CorrelationID equals the MessageID of the request it answers.",
    source=f"{_S100} request/reply correlation",
)
def correlation(ctx: RuleContext) -> Sequence[Finding]:
    expected = ctx.context.request_message_id
    if expected is None or ctx.info.kind not in (env.RESPONSE_MESSAGE, env.EVENT_MESSAGE):
        return ()
    received = ctx.info.correlation_id
    found: list[Finding] = []
    if received != expected:
        where = _header_el(ctx, "CorrelationID")
        found.append(
            _finding(
                "ENV-CORRELATION",
                "CorrelationID does not echo the request's MessageID"
                if received
                else "CorrelationID is missing",
                where if where is not None else ctx.header,
                expected=expected,
                received=received or "none",
            )
        )
    return found


_ZONE = re.compile(r"(Z|[+-][0-9]{2}:[0-9]{2})\Z")


@rule(
    "ENV-TIMESTAMP-ZONE",
    Severity.ERROR,
    "Header date-times (Timestamp, ReplayDetection/Created) carry a timezone.",
    source=f"{_S100} Header.Timestamp (xs:dateTime); a zone-less time is ambiguous",
)
def timestamp_zone(ctx: RuleContext) -> Sequence[Finding]:
    replay = _header_el(ctx, "ReplayDetection")
    stamps = (
        _header_el(ctx, "Timestamp"),
        None if replay is None else env.child(replay, "Created"),
    )
    found: list[Finding] = []
    for el in stamps:
        if el is None:
            continue
        text = (el.text or "").strip()
        if not text.endswith("Z") and not _ZONE.search(text):
            found.append(
                _finding(
                    "ENV-TIMESTAMP-ZONE",
                    f"{etree.QName(el).localname} {text!r} has no timezone",
                    el,
                    expected="Z or +hh:mm",
                    received=text,
                )
            )
    return found


@rule(
    "ENV-TIMESTAMP-SKEW",
    Severity.WARNING,
    "Header/Timestamp lies within the replay window of the receiver's current time, when the "
    "sender's clock is synchronized with it.",
    source=f"{_S100} Header.Timestamp: the time the message was sent; a warning, as a product "
    "whose clock the harness moves in steps may send an event stamped at the step it fell due",
)
def timestamp_skew(ctx: RuleContext) -> Sequence[Finding]:
    if not ctx.context.check_replay or ctx.context.now is None:
        return ()  # offline validation, or a sender whose clock the harness does not drive
    el = _header_el(ctx, "Timestamp")
    stamped = env.parse_datetime((el.text or "").strip()) if el is not None else None
    if el is None or stamped is None or stamped.tzinfo is None:
        return ()  # absent, or reported by XSD-ENVELOPE / ENV-TIMESTAMP-ZONE
    now = _aware(ctx.context.now)
    # a message sent while the clock is advanced across an interval may carry any time in it
    since = min(now, _aware(ctx.context.since)) if ctx.context.since else now
    window = ctx.context.replay_window_s
    if since.timestamp() - window <= stamped.timestamp() <= now.timestamp() + window:
        return ()
    off = (stamped - (since if stamped < since else now)).total_seconds()
    what = "behind" if off < 0 else "ahead of"
    rule_id = "ENV-TIMESTAMP-CLOCK" if ctx.context.clock_controlled else "ENV-TIMESTAMP-SKEW"
    between = (
        f"{env.format_datetime(since)} .. {env.format_datetime(now)}"
        if since < now
        else env.format_datetime(now)
    )
    return [
        _finding(
            rule_id,
            f"Header/Timestamp is {abs(off):.0f} s {what} the synchronized clock; "
            f"window is {window:.0f} s",
            el,
            expected=f"within {window:.0f} s of {between}",
            received=(el.text or "").strip(),
        )
    ]


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


declare(
    "ENV-TIMESTAMP-CLOCK",
    Severity.ERROR,
    "A product whose clock the harness controls stamps Header/Timestamp within the replay window "
    "of the interval its clock is being advanced across (from the time it was last advanced to, "
    "up to the harness's current time).",
    source=f"{_S100} Header.Timestamp; clock control (docs/vendor-guide.md)",
    stage="envelope",
)


# a text ending in minutes or seconds with nothing after ("...T11:58:30<"): the only way a
# zone-less date-time can end. A cheap scan of the bytes; a zone "+01:00<" matches too and
# is then told apart by the walk.
_NAIVE_IN_BYTES = re.compile(rb":\d\d(?:\.\d+)?\s*<")
_DATETIME = re.compile(r"\A\s*\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*\Z")


@rule(
    "PAYLOAD-DATETIME-ZONE",
    Severity.ERROR,
    "Every date-time in the payload carries a timezone, as the header's must.",
    source=f"{_S9} date-time attributes (xs:dateTime); a zone-less time is ambiguous",
)
def payload_datetime_zone(ctx: RuleContext) -> Sequence[Finding]:
    payload = ctx.payload_root
    if payload is None:
        return ()
    raw = ctx.raw
    if raw is not None and not _NAIVE_IN_BYTES.search(raw):
        return ()  # the bytes hold no zone-less date-time: no need to walk the tree
    found: list[Finding] = []
    for el in payload.iter():
        if not isinstance(el.tag, str) or len(el):
            continue
        text = el.text or ""
        if _DATETIME.match(text) and not _ZONE.search(text.strip()):
            found.append(
                _finding(
                    "PAYLOAD-DATETIME-ZONE",
                    f"{etree.QName(el).localname} {text.strip()!r} has no timezone",
                    el,
                    expected="Z or +hh:mm",
                    received=text.strip(),
                )
            )
    return found


@rule(
    "ENV-MESSAGE-ID",
    Severity.WARNING,
    "Header/MessageID is present, so that replies and events can be correlated.",
    source=f"{_S100} Header.MessageID",
)
def message_id_present(ctx: RuleContext) -> Sequence[Finding]:
    if ctx.header is None or ctx.info.message_id:
        return ()
    return [_finding("ENV-MESSAGE-ID", "Header has no MessageID", ctx.header)]


@rule(
    "ENV-MESSAGE-ID-UNIQUE",
    Severity.ERROR,
    "A MessageID is used once within a run.",
    source=f"{_S100} Header.MessageID (unique identifier of the message)",
)
def message_id_unique(ctx: RuleContext) -> Sequence[Finding]:
    message_id = ctx.info.message_id
    if not message_id:
        return ()
    seen = ctx.context.seen_message_ids
    if message_id not in seen:
        seen.add(message_id)
        return ()
    return [
        _finding(
            "ENV-MESSAGE-ID-UNIQUE",
            f"MessageID {message_id!r} was already used in this run: a replayed or re-sent "
            "message, or identifiers that repeat",
            _header_el(ctx, "MessageID"),
            received=message_id,
        )
    ]


@rule(
    "ENV-REPLAY",
    Severity.ERROR,
    "ReplayDetection/Created lies within the replay window of the receiver's current time.",
    source=f"{_S100} Header.ReplayDetection",
)
def replay_fresh(ctx: RuleContext) -> Sequence[Finding]:
    replay = _header_el(ctx, "ReplayDetection")
    if not ctx.context.check_replay or replay is None:
        return ()
    created_el = env.child(replay, "Created")
    created = env.parse_datetime(env.child_text(replay, "Created"))
    if created_el is None or created is None or created.tzinfo is None:
        return ()  # absent, or already reported by XSD-ENVELOPE / ENV-TIMESTAMP-ZONE
    now = ctx.context.now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    age = (now - created).total_seconds()
    window = ctx.context.replay_window_s
    found: list[Finding] = []
    if abs(age) > window:
        what = "old" if age > 0 else "in the future"
        found.append(
            _finding(
                "ENV-REPLAY",
                f"ReplayDetection/Created is {abs(age):.0f} s {what}; window is {window:.0f} s",
                created_el,
                expected=f"within {window:.0f} s of {env.format_datetime(now)}",
                received=(created_el.text or "").strip(),
            )
        )
    return found


_WSSE = b"oasis-200401-wss-wssecurity-secext-1.0.xsd"


@rule(
    "SOAP-WSS-SIGNATURE",
    Severity.ERROR,
    "A message carrying a WS-Security signature verifies: one soap:Body, covered by a Reference "
    "of the SignedInfo, its SHA-256 digest and the signature value under the signer's "
    "BinarySecurityToken (trust in the signer is the receiver's to judge).",
    source="OASIS WS-Security 1.1 SOAP Message Security, X.509 Token Profile; W3C XML-DSig",
)
def signature_verifies(ctx: RuleContext) -> Sequence[Finding]:
    raw = ctx.raw
    if raw is None or _WSSE not in raw or b"xmldsig#" not in raw:
        return ()  # unsigned (or compressed: the envelope's bytes are not at hand)
    from amicert.transport.wssecurity import Problem, verify

    result = verify(raw, None)
    if result.ok or result.problem is Problem.NO_SIGNATURE:
        return ()
    return [
        _finding(
            "SOAP-WSS-SIGNATURE",
            f"the WS-Security signature does not verify: {result}",
            None,
            expected="a signature covering the one soap:Body, with matching digest and value",
            received=str(result)[:300],
        )
    ]


# ---------------------------------------------------------------- code rules


def _code_findings(
    check: CodeCheck, error_id: str, warning_id: str | None, element: etree._Element
) -> Iterator[Finding]:
    if check.status is CodeStatus.MALFORMED:
        yield _finding(error_id, check.message, element, received=check.code)
    elif check.status is CodeStatus.UNKNOWN and warning_id is not None:
        yield _finding(warning_id, check.message, element, received=check.code)


def _coded(
    ctx: RuleContext, local: str, registry: CodeRegistry, error_id: str, warning_id: str
) -> Sequence[Finding]:
    """Findings for every ``<local ref="...">`` of the payload; none to look at one by one when
    every code is a known one (a set test once the codes have been seen)."""
    codes = ctx.scan.codes[local]
    if not codes or registry.all_known(codes):
        return ()
    found: list[Finding] = []
    for el, code in zip(ctx.scan.elements[local], codes, strict=True):
        found.extend(_code_findings(registry.check(code), error_id, warning_id, el))
    return found


@rule(
    "CODE-EVENT-TYPE",
    Severity.ERROR,
    "EndDeviceEventType/@ref is a four-part code type.domain.subdomain.eventOrAction.",
    source=f"{_S9} Annex (EndDeviceEventType)",
    stage="code",
)
def event_type_form(ctx: RuleContext) -> Sequence[Finding]:
    events = ctx.registries.events
    return _coded(ctx, "EndDeviceEventType", events, "CODE-EVENT-TYPE", "CODE-EVENT-TYPE-UNKNOWN")


declare(
    "CODE-EVENT-TYPE-UNKNOWN",
    Severity.WARNING,
    "EndDeviceEventType/@ref is a code of amicert's code table or of the profile's extensions (a "
    "well-formed code missing from the table may still be a real one).",
    source=f"{_S9} Annex (EndDeviceEventType); profile extensions",
    stage="code",
)


@rule(
    "CODE-CONTROL-TYPE",
    Severity.ERROR,
    "EndDeviceControlType/@ref is a four-part code type.domain.subdomain.eventOrAction.",
    source=f"{_S9} Annex (EndDeviceControlType)",
    stage="code",
)
def control_type_form(ctx: RuleContext) -> Sequence[Finding]:
    controls = ctx.registries.controls
    return _coded(
        ctx, "EndDeviceControlType", controls, "CODE-CONTROL-TYPE", "CODE-CONTROL-TYPE-UNKNOWN"
    )


declare(
    "CODE-CONTROL-TYPE-UNKNOWN",
    Severity.WARNING,
    "EndDeviceControlType/@ref is a code of amicert's code table or of the profile's extensions "
    "(a well-formed code missing from the table may still be a real one).",
    source=f"{_S9} Annex (EndDeviceControlType); profile extensions",
    stage="code",
)


@rule(
    "CODE-READING-TYPE",
    Severity.ERROR,
    "ReadingType/@ref is 18 dot-separated integers; only the multiplier may be negative.",
    source=f"{_S9} Annex (ReadingType)",
    stage="code",
)
def reading_type_form(ctx: RuleContext) -> Sequence[Finding]:
    scan = ctx.scan
    codes = scan.codes["ReadingType"]
    if not codes:
        return ()
    found: list[Finding] = []
    for el, code in zip(scan.elements["ReadingType"], codes, strict=True):
        found.extend(_code_findings(check_reading_type(code), "CODE-READING-TYPE", None, el))
    return found


@rule(
    "CODE-ERROR",
    Severity.ERROR,
    "Reply/Error/code is <category>.<number> with a category 0 to 7.",
    source=f"{_S9} reply error codes (attribution uncertain)",
    stage="code",
)
def error_code_form(ctx: RuleContext) -> Sequence[Finding]:
    reply = ctx.reply
    if reply is None:
        return ()
    found: list[Finding] = []
    for error_el in reply:
        if not isinstance(error_el.tag, str) or etree.QName(error_el).localname != "Error":
            continue
        code_el = env.child(error_el, "code")
        if code_el is None:
            continue
        check = ctx.registries.errors.check((code_el.text or "").strip())
        found.extend(_code_findings(check, "CODE-ERROR", "CODE-ERROR-UNKNOWN", code_el))
    return found


declare(
    "CODE-ERROR-UNKNOWN",
    Severity.WARNING,
    "Reply/Error/code is a known code of its category.",
    source=f"{_S9} reply error codes (attribution uncertain)",
    stage="code",
)
