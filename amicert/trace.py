"""Exchange records, the ordered trace of a scenario, and matching it against the use case.

Every message that crosses an actor boundary becomes an :class:`Exchange`, byte for byte. The
matcher then decides, from the bytes alone, which step row each exchange is, and reports what is
missing, extra, out of order or uncorrelated, each finding naming its step.
"""

from __future__ import annotations

import copy
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from lxml import etree

from amicert.catalog import MessageSpec, Part, StepRow, UseCase
from amicert.findings import Blame, Finding, Severity, about_device, error

if TYPE_CHECKING:
    from amicert.cim.validate import MessageInfo

HEADER_KEYS = {
    "header:correlation_id": "correlation_id",
    "header:message_id": "message_id",
    "header:source": "source",
}


class BodyStore(Protocol):
    """Where a recorded message's bytes live once the exchange no longer holds them."""

    def read(self, seq: int) -> bytes: ...


_INTERNED = ("form", "kind", "namespace", "root", "verb", "noun", "source", "reply_address")
_INTERNED_MORE = ("result", "payload_root", "soap", "edition")


def compact_info(info: MessageInfo | None) -> MessageInfo | None:
    """``info`` with its repeated texts (namespaces, verbs, nouns, codes) shared between
    messages: a fleet keeps one MessageInfo per exchange, not one copy of each namespace."""
    if info is None:
        return None
    for name in (*_INTERNED, *_INTERNED_MORE):
        value = getattr(info, name)
        if isinstance(value, str):
            setattr(info, name, sys.intern(value))
    info.event_codes = [sys.intern(c) for c in info.event_codes]
    info.control_codes = [sys.intern(c) for c in info.control_codes]
    return info


class Exchange:
    """One message from a producer actor to a receiver actor, as observed.

    The record is compact: once the message is judged and delivered, its bytes live in the
    evidence archive (``store``) and are read back from there when a report asks for them, and
    its parsed tree is dropped. ``info`` and ``findings`` may be settled later than the record
    (validation in worker processes): reading them waits for the verdict on this message.
    """

    __slots__ = (
        "_body",
        "_findings",
        "_info",
        "_memo",
        "_root",
        "awaiting_delivery",
        "content_type",
        "in_reply_to",
        "judged",
        "note",
        "producer",
        "producer_id",
        "provoked",
        "receiver",
        "receiver_id",
        "seq",
        "settle",
        "size",
        "step",
        "store",
        "transport",
        "virtual_time",
        "wall_time",
    )

    def __init__(
        self,
        seq: int,
        producer: str,
        receiver: str,
        body: bytes,
        virtual_time: datetime,
        wall_time: float,
        transport: str = "in-process",
        producer_id: str | None = None,
        receiver_id: str | None = None,
        in_reply_to: int | None = None,
        content_type: str = "application/xml",
    ) -> None:
        self.seq = seq
        self.producer = producer
        self.receiver = receiver
        self._body: bytes | None = body
        self.size = len(body)
        self.virtual_time = virtual_time
        self.wall_time = wall_time
        self.transport = transport
        self.producer_id = producer_id
        self.receiver_id = receiver_id
        self.in_reply_to = in_reply_to
        self.content_type = content_type
        self._info: MessageInfo | None = None
        self._findings: list[Finding] = []
        self.step: str | None = None
        self.note = ""
        self._root: Any = None
        self.awaiting_delivery = False
        # rules a harness actor broke on purpose to see how the product answers (a replayed or
        # malformed message): their findings on this exchange are evidence, not the harness's errors
        self.provoked: frozenset[str] = frozenset()
        self.judged = False
        self._memo: dict[Any, Any] | None = None
        # the evidence holding these exact bytes (None: they stay here)
        self.store: BodyStore | None = None
        # called before info or findings are read while their validation is still running
        self.settle: Callable[[Exchange], None] | None = None

    def __repr__(self) -> str:
        return f"Exchange(#{self.seq} {self.producer} -> {self.receiver}, step {self.step})"

    @property
    def body(self) -> bytes:
        """The message's bytes exactly as recorded (read back from the evidence when spilled)."""
        body = self._body  # read once: another thread may let go of it meanwhile
        if body is not None:
            return body
        assert self.store is not None
        return self.store.read(self.seq)

    @property
    def info(self) -> MessageInfo | None:
        if self.settle is not None:
            self.settle(self)
        return self._info

    @info.setter
    def info(self, value: MessageInfo | None) -> None:
        self._info = value

    @property
    def findings(self) -> list[Finding]:
        if self.settle is not None:
            self.settle(self)
        return self._findings

    @findings.setter
    def findings(self, value: list[Finding]) -> None:
        self._findings = value

    @property
    def memo(self) -> dict[Any, Any]:
        """Answers computed from the message (keys, deviations), kept so it is parsed once."""
        if self._memo is None:
            self._memo = {}
        return self._memo

    @property
    def label(self) -> str:
        info = self.info
        if info is None:
            return "unparsed message"
        if info.verb and info.noun:
            return f"{info.verb} {info.noun}"
        return etree.QName(info.root).localname if info.root else "message"

    def root(self) -> Any:
        """The parsed message (safe parser; SOAP unwrapped), or None when it does not parse."""
        if self._root is None:
            from amicert.cim.xmlsafe import XmlSafetyError, parse_xml, unwrap_soap

            try:
                message = unwrap_soap(parse_xml(self.body))[0]
                if message.getparent() is not None:
                    # a document of its own: the keys' absolute paths start at the message
                    message = copy.deepcopy(message)
                self._root = _expand_compressed(message)
            except XmlSafetyError:
                self._root = False
        return self._root if self._root is not False else None

    def forget_tree(self) -> None:
        """Drop the parsed message once it is both judged and delivered: the receiver and the
        matcher share one parse, and no DOM outlives its use (it is re-parsed if asked again).
        The bytes go too when the evidence holds them: what stays is the compact record."""
        if self.judged and not self.awaiting_delivery:
            if self._root is not False:
                self._root = None
            if self.store is not None and self.settle is None:
                self._body = None

    def keep_only(self, spec_name: str) -> None:
        """Forget what was worked out for other specs (the match tried them): only the keys
        of the message this exchange turned out to be are asked again."""
        if self._memo:
            self._memo = {
                k: v for k, v in self._memo.items() if k[0] == "keys" and k[1] == spec_name
            } or None

    def to_dict(self) -> dict[str, Any]:
        info = self.info
        return {
            "seq": self.seq,
            "step": self.step,
            "producer": self.producer,
            "receiver": self.receiver,
            "producer_id": self.producer_id,
            "receiver_id": self.receiver_id,
            "in_reply_to": self.in_reply_to,
            "transport": self.transport,
            "label": self.label,
            "message_id": info.message_id if info else None,
            "correlation_id": info.correlation_id if info else None,
            "virtual_time": self.virtual_time.isoformat(),
            "wall_time": self.wall_time,
            "bytes": self.size,
            "findings": [f.to_dict() for f in self.findings],
            "note": self.note,
            "provoked": sorted(self.provoked),  # rules the harness broke on purpose
        }


COMPRESSED_MAX_BYTES = 10 * 1024 * 1024


def _expand_compressed(root: Any) -> Any:
    """A 61968-100 Payload/Compressed (base64 gzip) replaced by the document it holds, so keys
    (meter, correlation) read the same whichever form the sender chose. What does not decompress
    or parse stays as sent: the validator reports it."""
    from amicert.cim.validate import _decompress
    from amicert.cim.xmlsafe import XmlSafetyError, parse_xml

    for el in list(root.iter("{*}Compressed")):
        parent = el.getparent()
        if parent is None or etree.QName(parent).localname != "Payload":
            continue
        try:
            inner = parse_xml(_decompress(el.text or "", COMPRESSED_MAX_BYTES))
        except (ValueError, zlib.error, XmlSafetyError):
            continue
        parent.replace(el, inner)
    return root


class Trace:
    """The ordered record of a scenario's exchanges. Nothing is ever dropped from it."""

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []
        self.on_record: list[Callable[[Exchange], None]] = []  # e.g. the evidence archive
        # applies the verdicts of messages validated elsewhere that are back (never waits)
        self.poll: Callable[[], None] | None = None

    def record(
        self,
        producer: str,
        receiver: str,
        body: bytes,
        virtual_time: datetime,
        **kw: Any,
    ) -> Exchange:
        exchange = Exchange(
            len(self.exchanges) + 1,
            producer,
            receiver,
            bytes(body),
            virtual_time,
            time.time(),
            **kw,
        )
        self.exchanges.append(exchange)
        for listener in self.on_record:
            listener(exchange)
        return exchange

    def __iter__(self) -> Iterator[Exchange]:
        return iter(self.exchanges)

    def __len__(self) -> int:
        return len(self.exchanges)


# --- recognising an exchange -----------------------------------------------------------------


def extract_keys(exchange: Exchange, spec: MessageSpec) -> dict[str, list[str]]:
    """Values of the spec's keys in this message (lists: one message may name several meters).

    Memoised per exchange and spec; the answer is shared, so callers must not change it."""
    memo = ("keys", spec.name, id(spec), exchange.info is not None)
    found = exchange.memo.get(memo)
    if found is None:
        found = exchange.memo[memo] = _extract_keys(exchange, spec)
    return found


def _extract_keys(exchange: Exchange, spec: MessageSpec) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    root = exchange.root()
    for key, expr in spec.keys.items():
        if expr in HEADER_KEYS:
            value = getattr(exchange.info, HEADER_KEYS[expr], None) if exchange.info else None
            values[key] = [value] if value else []
            continue
        if root is None:
            values[key] = []
            continue
        try:
            result = _compiled(expr, spec.namespaces)(root)
        except etree.XPathError:
            values[key] = []
            continue
        if isinstance(result, list):
            values[key] = [str(getattr(r, "text", r) or "").strip() for r in result]
            values[key] = [v for v in values[key] if v]
        else:
            text = str(result).strip()
            values[key] = [text] if text else []
    return values


_XPATHS: dict[tuple[str, tuple[tuple[str, str], ...]], etree.XPath] = {}


def _compiled(expr: str, namespaces: dict[str, str]) -> etree.XPath:
    """A key's XPath, compiled once per process (a fleet evaluates it for every message)."""
    key = (expr, tuple(sorted(namespaces.items())))
    found = _XPATHS.get(key)
    if found is None:
        found = _XPATHS[key] = etree.XPath(expr, namespaces=namespaces)
    return found


def content_deviations(exchange: Exchange, spec: MessageSpec) -> list[Finding]:
    """Why this exchange is not (exactly) the message the spec describes; empty when it is.

    Memoised per exchange and spec: the matcher asks the same question after every event."""
    memo = ("deviations", spec.name, id(spec), exchange.info is not None)
    memos = exchange.memo
    if memo not in memos:
        memos[memo] = _content_deviations(exchange, spec)
    return list(memos[memo])


def _content_deviations(exchange: Exchange, spec: MessageSpec) -> list[Finding]:
    from amicert.cim.profile import MessageExpectation, check_profile

    info = exchange.info
    if info is None:
        return [error("MSG-UNPARSED", "the message could not be parsed")]
    if spec.root:
        if info.root != spec.root:
            return [
                error(
                    "PROFILE-ROOT",
                    "unexpected message type",
                    expected=spec.root,
                    received=info.root,
                )
            ]
        found: list[Finding] = []
    else:
        cim = spec.cim
        expectation = MessageExpectation(
            verb=cim.get("verb"),
            noun=cim.get("noun"),
            kind=cim.get("kind"),
            event_codes=tuple(cim.get("event_codes", ())),
        )
        found = list(check_profile(info, expectation))
    keys = extract_keys(exchange, spec)
    for key, want in spec.expect_keys.items():
        got = keys.get(key, [])
        if got != [want]:
            found.append(
                error(
                    "PROFILE-CONTENT",
                    f"'{key}' is not what this step carries",
                    expected=want,
                    received=", ".join(got) or "(absent)",
                )
            )
    return found


# --- matching a trace against a scenario -----------------------------------------------------


@dataclass(slots=True)
class Expected:
    row: StepRow
    device: str | None
    exchange: Exchange | None = None
    part: int = 0

    @property
    def spec(self) -> Part:
        return self.row.exchanges[self.part]


@dataclass
class Analysis:
    """The outcome of matching: which exchange is which step, and every finding, by step."""

    expected: list[Expected]
    findings: list[Finding]
    unmatched: list[Exchange]
    by_row: dict[str, list[Expected]] = field(default_factory=dict)

    def for_step(self, number: str) -> list[Finding]:
        return [f for f in self.findings if f.step == number]

    def entries(self, number: str) -> list[Expected]:
        if self.by_row:
            return list(self.by_row.get(number, []))
        return [e for e in self.expected if e.row.number == number]

    def exchanges_for(self, number: str) -> list[Exchange]:
        seen: dict[int, Exchange] = {}
        for e in self.entries(number):
            if e.exchange is not None:
                seen[e.exchange.seq] = e.exchange
        return list(seen.values())

    def complete(self, number: str) -> bool:
        return all(e.exchange is not None or e.spec.optional for e in self.entries(number))


def _blame(role: str, sut_roles: frozenset[str]) -> Blame:
    return Blame.SUT if role in sut_roles else Blame.HARNESS


def _with(f: Finding, step: str, blame: Blame, sut_roles: frozenset[str] = frozenset()) -> Finding:
    """``f`` attributed to a step; a finding about another actor (extra["actor"]) blames that one."""
    if "actor" in f.extra:
        blame = _blame(f.extra["actor"], sut_roles)
    return Finding(
        f.rule, f.severity, f.message, f.xpath, step, f.expected, f.received, blame, f.extra
    )


def _provoked(x: Exchange, f: Finding) -> Finding:
    """A finding the harness provoked on purpose on its own message: kept, as a warning."""
    if f.rule not in x.provoked or f.blame is Blame.SUT or not f.is_error:
        return f
    return replace(f, severity=Severity.WARNING, message=f"on purpose: {f.message}")


class Matcher:
    """Matches each exchange once, in record order, into an index by row, part and device.

    Checks and waits query the index (``complete`` is a counter lookup); an :class:`Analysis` is
    built from it in one pass over the matched exchanges, so a scenario costs time linear in its
    exchanges, never a rescan per clock event. Validation findings are read from the exchanges
    when the analysis is built: the wire may add one after the match (a timeout, no reply).
    """

    def __init__(
        self,
        trace: Trace,
        use_case: UseCase,
        rows: list[StepRow],
        devices: list[str],
        sut_roles: frozenset[str],
        known: set[str] | None = None,
        eager: frozenset[str] = frozenset(),
    ) -> None:
        """``known``: meters the scenario knows besides those in scope (e.g. others of a lot),
        which a message may name too. ``eager``: messages whose arrival is checked the moment
        they are matched (against the world as it is then)."""
        self.trace = trace
        self.use_case = use_case
        self.rows = rows
        self.devices = list(devices)
        self.sut_roles = sut_roles
        self._in_scope = set(self.devices) | set(known or ())
        self.expected = [
            Expected(row, dev, part=i)
            for row in rows
            for i, part in enumerate(row.exchanges)
            for dev in (self.devices if part.per == "device" else [None])
        ]
        self._entry = {(e.row.number, e.part, e.device): e for e in self.expected}
        self._open: dict[tuple[str, int], int] = {}
        self._open_rows: dict[str, int] = {}
        self._open_devices: dict[str, int] = {}
        self._by_row: dict[str, list[Expected]] = {}
        for e in self.expected:
            self._open[(e.row.number, e.part)] = self._open.get((e.row.number, e.part), 0) + 1
            self._by_row.setdefault(e.row.number, []).append(e)
            if e.spec.optional:
                continue  # a row is complete without it
            self._open_rows[e.row.number] = self._open_rows.get(e.row.number, 0) + 1
            if e.device is not None:
                self._open_devices[e.device] = self._open_devices.get(e.device, 0) + 1
        self.devices_done = 0  # meters whose every per-meter exchange has been seen
        self._slots: dict[tuple[str, str, bool], list[tuple[StepRow, int, Part]]] = {}
        for row in rows:
            for i, part in enumerate(row.exchanges):
                key = (part.producer, part.receiver, part.reply)
                self._slots.setdefault(key, []).append((row, i, part))
        # what the exchanges not yet matched could be: rows they may fill, and how many may be
        # a message checked on arrival (see _catch_up)
        self._slot_rows = {k: frozenset(r.number for r, _, _ in v) for k, v in self._slots.items()}
        self._eager_keys = {
            k for k, v in self._slots.items() if any(p.message in eager for _, _, p in v)
        }
        self._waiting_rows: dict[str, int] = {}
        self._waiting_eager = 0
        self._scanned = 0
        self._matched: list[_Match] = []
        self._by_seq: dict[int, Exchange] = {}
        self.unmatched: list[Exchange] = []
        self.cursor = 0
        self._cached: tuple[tuple[bool, int, int], Analysis] | None = None
        # called as each exchange is matched to a row: (row, message name, exchange, device)
        self.on_match: Callable[[StepRow, str, Exchange, str | None], None] | None = None

    # --- the index -------------------------------------------------------------------------
    def sync(self) -> None:
        """Match the exchanges recorded since the last call (each exchange exactly once)."""
        exchanges = self.trace.exchanges
        while self.cursor < len(exchanges):
            self._match_next()

    def _match_next(self) -> None:
        x = self.trace.exchanges[self.cursor]
        if self.cursor < self._scanned:
            self._classify(x, -1)
        else:
            self._scanned = self.cursor + 1
        self.cursor += 1
        self._by_seq[x.seq] = x
        self._match(x)
        x.keep_only(self._spec_of(x))
        x.judged = True  # what the checks need is memoised: the DOM can go once delivered
        x.forget_tree()

    def _classify(self, x: Exchange, sign: int) -> None:
        key = (x.producer, x.receiver, x.in_reply_to is not None)
        for number in self._slot_rows.get(key, ()):
            self._waiting_rows[number] = self._waiting_rows.get(number, 0) + sign
        if key in self._eager_keys:
            self._waiting_eager += sign

    def _catch_up(self, number: str) -> None:
        """Match what can change whether row ``number`` is complete, and every message checked
        on arrival, now. With validation in worker processes, an exchange that can change
        neither waits to be matched until its verdict is back: matched in record order all the
        same, before anything else reads it (analysis), so nothing judged differs."""
        poll = self.trace.poll
        if poll is None:
            self.sync()
            return
        poll()
        exchanges = self.trace.exchanges
        while self._scanned < len(exchanges):
            self._classify(exchanges[self._scanned], +1)
            self._scanned += 1
        while self.cursor < len(exchanges) and exchanges[self.cursor].settle is None:
            self._match_next()
        if self.cursor < len(exchanges) and (
            self._waiting_eager > 0 or self._waiting_rows.get(number, 0) > 0
        ):
            self.sync()

    def _spec_of(self, x: Exchange) -> str:
        """The name of the message ``x`` was matched as ("" when it is no row's own)."""
        if self._matched and self._matched[-1].exchange is x:
            return self._matched[-1].message
        return ""

    def complete(self, number: str) -> bool:
        """Every exchange of row ``number`` seen, for every device it is expected for."""
        self._catch_up(number)
        return self._open_rows.get(number, 0) == 0

    def _fits(self, x: Exchange, slot: tuple[StepRow, int, Part]) -> bool:
        part = slot[2]
        return bool(part.message) and not content_deviations(
            x, self.use_case.messages[part.message]
        )

    def _match(self, x: Exchange) -> None:
        is_reply = x.in_reply_to is not None
        x.step = None
        pair = self._slots.get((x.producer, x.receiver, is_reply), [])
        if is_reply:
            # a reply is a row's own exchange only when its content is that row's message
            pair = [s for s in pair if self._fits(x, s)]
            if not pair:
                # a reply carries its request's step, and its own findings
                req = self._by_seq.get(x.in_reply_to or 0)
                x.step = req.step if req else None
                if x.step:
                    self._matched.append(_Match(x, x.step, _blame(x.producer, self.sut_roles)))
                return
        if not pair:
            self.unmatched.append(x)
            return
        blame = _blame(x.producer, self.sut_roles)
        strict = pair if is_reply else [s for s in pair if self._fits(x, s)]
        if not strict and not any(self._open.get((s[0].number, s[1]), 0) > 0 for s in pair):
            # another message of the same kind after its rows were all seen (an order of another
            # kind sent to the same receiver): no step of the scenario, not a wrong copy of one
            self.unmatched.append(x)
            return
        candidates = strict or pair
        row, index, part = next(
            (s for s in candidates if self._open.get((s[0].number, s[1]), 0) > 0),
            candidates[0],
        )
        spec = self.use_case.messages[part.message or ""]
        x.step = row.number
        match = _Match(x, row.number, blame, message=spec.name)
        if not strict:
            match.before = tuple(_with(f, row.number, blame) for f in content_deviations(x, spec))
        targets: list[str | None] = [None]
        named = extract_keys(x, spec).get(self.use_case.device_key) or []
        if part.per == "device":
            targets = list(named)
        if part.per == "device" and not targets:
            targets = [x.receiver_id or x.producer_id]
        if part.per == "device" and len(targets) == 1:
            match.device = targets[0]  # the message's findings are about this meter
            match.before = tuple(about_device(f, match.device) for f in match.before)
        after: list[Finding] = []
        if part.per != "device" and self.devices:
            # a campaign row naming a meter must name one in scope (a relay naming another)
            for other in [d for d in named if d not in self._in_scope]:
                after.append(
                    about_device(
                        error(
                            "SEQ-UNEXPECTED-DEVICE",
                            f"exchange #{x.seq} concerns {other!r}, which is not in scope of this "
                            "scenario",
                            step=row.number,
                            expected=_devices_text(self.devices),
                            received=other,
                            blame=blame,
                        ),
                        other,
                    )
                )
        for dev in targets:
            entry = self._entry.get((row.number, index, dev))
            if entry is None:
                after.append(
                    error(
                        "SEQ-UNEXPECTED-DEVICE",
                        f"exchange #{x.seq} concerns {dev!r}, which is not in scope of this scenario",
                        step=row.number,
                        expected=_devices_text(self.devices),
                        received=str(dev),
                        blame=blame,
                    )
                )
                after[-1] = about_device(after[-1], dev)
            elif entry.exchange is None:
                entry.exchange = x
                if self.on_match is not None:
                    self.on_match(row, part.message, x, dev)
                self._open[(row.number, index)] -= 1
                if not part.optional:  # an optional part was never counted open
                    self._open_rows[row.number] -= 1
                if dev is not None and not part.optional:
                    self._open_devices[dev] -= 1
                    self.devices_done += self._open_devices[dev] == 0
            else:
                after.append(
                    Finding(
                        "SEQ-DUPLICATE",
                        Severity.WARNING if row.repeatable else Severity.ERROR,
                        f"step {row.number} seen again for {dev or 'the campaign'} "
                        f"(#{x.seq}, first #{entry.exchange.seq})",
                        step=row.number,
                        blame=blame,
                    )
                )
        match.after = tuple(after)
        self._matched.append(match)

    # --- the analysis ----------------------------------------------------------------------
    def analysis(self, *, final: bool) -> Analysis:
        """Findings of everything matched so far; ``final`` adds what only the end can say:
        missing steps and extra exchanges. Built again only when something changed: a new
        exchange, or a finding the wire added to one (each step's check asks once)."""
        self.sync()
        state = (final, self.cursor, sum(len(m.exchange.findings) for m in self._matched))
        if self._cached is not None and self._cached[0] == state:
            return self._cached[1]
        analysis = self._analysis(final=final)
        self._cached = (state, analysis)
        return analysis

    def _analysis(self, *, final: bool) -> Analysis:
        findings: list[Finding] = []
        for m in self._matched:
            findings.extend(m.before)
            findings.extend(
                about_device(
                    _provoked(m.exchange, _with(f, m.step, m.blame, self.sut_roles)), m.device
                )
                for f in m.exchange.findings
            )
            findings.extend(m.after)
        findings.extend(_order_findings(self.expected, self.rows, self.devices, self.sut_roles))
        findings.extend(_correlation_findings(self.expected, self.use_case, self.sut_roles))
        if final:
            for e in self.expected:
                if e.exchange is None and not e.spec.optional:
                    who = f" for meter {e.device}" if e.device else ""
                    p = e.spec
                    missing = error(
                        "SEQ-MISSING",
                        f"step {e.row.number}: the {p.producer} never sent the "
                        f'"{p.information}" to the {p.receiver}{who}',
                        step=e.row.number,
                        blame=_blame(p.producer, self.sut_roles),
                    )
                    findings.append(about_device(missing, e.device))
            for x in self.unmatched:
                findings.append(
                    error(
                        "SEQ-EXTRA",
                        f"exchange #{x.seq} ({x.label}) from {x.producer} to {x.receiver} "
                        "is no step of this scenario",
                        blame=_blame(x.producer, self.sut_roles),
                    )
                )
        return Analysis(self.expected, findings, list(self.unmatched), self._by_row)


@dataclass(slots=True)
class _Match:
    """One matched exchange: its step, and the findings the match itself produced."""

    exchange: Exchange
    step: str
    blame: Blame
    before: tuple[Finding, ...] = ()  # content deviations
    after: tuple[Finding, ...] = ()  # device scope, duplicates
    device: str | None = None  # the one meter a per-meter message is about
    message: str = ""  # the name of the message it was matched as


def _devices_text(devices: list[str], shown: int = 20) -> str:
    """The in-scope devices for a message: all of a small fleet, the first ones of a large one."""
    if len(devices) <= shown:
        return ", ".join(devices)
    return ", ".join(devices[:shown]) + f" ... ({len(devices)} in all)"


def analyse(
    trace: Trace,
    use_case: UseCase,
    rows: list[StepRow],
    devices: list[str],
    sut_roles: frozenset[str],
    *,
    final: bool,
) -> Analysis:
    """Match the whole trace against ``rows`` (one scenario) for the in-scope ``devices``.

    Each exchange of a row (most rows have one) is matched on producer, receiver and content;
    a synchronous reply belongs to its request's step unless a row declares it as a ``reply``
    exchange of its own. ``final`` adds what can only be said at the end: missing steps and
    extra exchanges. One-shot form of :class:`Matcher`.
    """
    return Matcher(trace, use_case, rows, devices, sut_roles).analysis(final=final)


def _order_findings(
    expected: list[Expected], rows: list[StepRow], devices: list[str], sut_roles: frozenset[str]
) -> list[Finding]:
    """Per meter, the rows (and the exchanges of a row) must be observed in table order.

    A meter's chain is the campaign's exchanges and its own, so the cost is linear in meters."""
    findings: list[Finding] = []
    reported: set[tuple[str, str | None]] = set()
    scopes: list[str | None] = list(devices) or [None]
    order = {r.number: i for i, r in enumerate(rows)}
    campaign: list[Expected] = []
    own: dict[str | None, list[Expected]] = {}
    for e in expected:
        if e.exchange is not None:
            (campaign if e.device is None else own.setdefault(e.device, [])).append(e)
    for dev in scopes:
        chain = campaign + own.get(dev, []) if dev is not None else list(campaign)
        chain.sort(key=lambda e: (order[e.row.number], e.part))
        latest: Expected | None = None
        for e in chain:
            assert e.exchange is not None
            if (
                latest is not None
                and latest.exchange is not None
                and e.exchange.seq < latest.exchange.seq
                and (e.row.number, dev) not in reported
            ):
                reported.add((e.row.number, dev))
                who = f" for meter {dev}" if dev else ""
                order_finding = error(
                    "SEQ-ORDER",
                    f"step {e.row.number}{who} (#{e.exchange.seq}) was observed before "
                    f"step {latest.row.number} (#{latest.exchange.seq}), which precedes it",
                    step=e.row.number,
                    expected=f"after step {latest.row.number}",
                    received=f"before step {latest.row.number}",
                    blame=_blame(e.spec.producer, sut_roles),
                )
                findings.append(about_device(order_finding, dev))
                continue
            latest = e
    return findings


def _correlation_findings(
    expected: list[Expected], use_case: UseCase, sut_roles: frozenset[str]
) -> list[Finding]:
    """Each declared correlation key must carry, in every exchange that has it, the first value."""
    findings: list[Finding] = []
    for key in use_case.correlation_keys:
        findings.extend(_correlation_of(key, expected, use_case, sut_roles))
    return findings


def _correlation_of(
    key: str, expected: list[Expected], use_case: UseCase, sut_roles: frozenset[str]
) -> list[Finding]:
    findings: list[Finding] = []
    established: tuple[str, str] | None = None
    seen: set[int] = set()
    for e in expected:
        x = e.exchange
        if x is None or x.seq in seen or not e.spec.message:
            continue
        seen.add(x.seq)
        spec = use_case.messages[e.spec.message]
        if key not in spec.keys:
            continue
        values = extract_keys(x, spec).get(key, [])
        blame = _blame(x.producer, sut_roles)
        if established is None:
            if values:
                established = (values[0], e.row.number)
            continue
        if not values:
            findings.append(
                error(
                    "SEQ-CORRELATION",
                    f"step {e.row.number} (#{x.seq}) carries no {key} correlation to the "
                    f"exchange of step {established[1]}",
                    step=e.row.number,
                    expected=established[0],
                    received="(absent)",
                    blame=blame,
                )
            )
        elif values[0] != established[0]:
            findings.append(
                error(
                    "SEQ-CORRELATION",
                    f"step {e.row.number} (#{x.seq}) correlates to another {key} than the one "
                    f"of step {established[1]}",
                    step=e.row.number,
                    expected=established[0],
                    received=values[0],
                    blame=blame,
                )
            )
    return findings
