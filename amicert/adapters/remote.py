"""Actors on the other side of the wire: a proxy that sends what the bus gives it over HTTP.

The same proxy serves both directions: the harness uses it for the vendor's actors (SOAP to the
SUT's services, the device protocol to /amicert/device), and ``amicert serve`` uses it for the
harness's actors. State a check needs goes through the vendor test-control interface: the use
case's named state queries (``Driver.state_queries``) first, any other attribute by generic
inspection (docs/vendor-guide.md).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import requests

from amicert.actors.base import Actor, ActorContext
from amicert.cim.xmlsafe import XmlSafetyError, parse_xml, unwrap_soap
from amicert.config import Security, Timeouts
from amicert.driver import StateAnswerError, StateQuery
from amicert.findings import Finding, error
from amicert.transport.deadline import (
    BodyTooLarge,
    DeadlineExceeded,
    Redirected,
    WireFailure,
    bounded_request,
)
from amicert.transport.http import (
    HttpClient,
    WireResult,
    blank_passwords,
    exchange_budget,
    product_session,
    redactor_for,
)
from amicert.transport.soap import envelope, expects_reply, operation_for, username_token
from amicert.transport.tls import handshake_failure

DEVICE_PATH = "/amicert/device"
CONTROL_PATH = "/amicert/test-control"


class TestControlError(Exception):
    """The test-control interface refused or failed an operation (an infrastructure problem)."""


class TestControlAnswerError(TestControlError):
    """The product's test-control interface answered wrongly: a finding on the product (FAIL).

    Malformed, too deep, oversize, off its schema, too slow, cut off or redirected. It is a
    TestControlError, so a check that reads state catches it like any test-control failure; the
    finding is also kept in the client's ``answer_findings``, so a check that caught it cannot
    hide it from the verdict. ``head`` holds the offending bytes (redacted, up to the size cap).
    """

    __test__ = False  # a name pytest would otherwise try to collect

    def __init__(self, finding: Finding, head: bytes = b"") -> None:
        super().__init__(finding.message)
        self.finding = finding
        self.head = head


#: nesting deeper than this in a test-control answer is refused before parsing
MAX_JSON_DEPTH = 64
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_NESTING = re.compile(rb"[\[\]{}]")


def parse_json(raw: bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """JSON with a nesting limit: a hostile answer is a ValueError, never a RecursionError."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 JSON: {exc}") from None
    depth = deepest = 0
    for bracket in _JSON_NESTING.findall(_JSON_STRING.sub(b'""', raw)):
        depth += 1 if bracket in (b"[", b"{") else -1
        if depth > deepest:
            deepest = depth
            if deepest > max_depth:
                raise ValueError(f"JSON nested deeper than {max_depth} levels")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"not JSON: {str(exc)[:200]}") from None


@dataclass
class RemoteLink:
    """Where the other side is and how to talk to it."""

    address: str
    timeouts: Timeouts
    security: Security
    wsdl_dir: Any = None
    control: TestControlClient | None = None
    outgoing: list[Any] = field(default_factory=list)  # callables mutating or dropping bodies
    sync_clock: bool = False  # bring the other side's clock to ours before each message
    queries: dict[str, StateQuery] = field(default_factory=dict)  # the use case's named reads

    def __post_init__(self) -> None:
        self.client = HttpClient(self.timeouts, self.security)


class RemoteActor(Actor):
    """Proxy for an actor reached over the wire; the bus hands it bytes to transmit."""

    remote = True
    link: RemoteLink

    def prepare(
        self, producer: str, receiver: str, receiver_id: str | None, body: bytes
    ) -> Prepared | None:
        """What will cross the wire for ``body``; None when a configured fault drops it.

        The bus records the prepared bytes before they are sent, so whatever the other side sends
        back while handling them is recorded after them, as it happened.
        """
        if self.link.sync_clock and self.link.control is not None:
            # the receiver must live at the sender's time, or its timers start early
            self.link.control.advance_to(self.ctx.now())
        for hook in self.link.outgoing:
            changed = hook(body)
            if changed is None:
                return None
            body = changed
        try:
            root, _ = unwrap_soap(parse_xml(body))
        except XmlSafetyError:
            root = None
        who = {"X-Amicert-Producer": producer, "X-Amicert-Receiver": receiver}
        if receiver_id:
            who["X-Amicert-Receiver-Id"] = receiver_id
        if root is None or "iec.ch/TC57" not in str(root.tag):
            # the harness's own protocols (device, meter, people): not CIM, no SOAP service
            headers = {"Content-Type": "application/xml; charset=utf-8", **who}
            return self._prepared(self.link.address + DEVICE_PATH, body, headers, receiver)
        from amicert.bus import message_key

        verb, _, noun = message_key(root).partition(" ")
        op = operation_for(verb, noun, self.link.wsdl_dir)
        blocks = []
        sec = self.link.security
        password = sec.password()
        if sec.username and password:
            blocks.append(username_token(sec.username, password))
        wire = envelope(body, blocks)
        headers = {
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": f'"{op.soap_action}"',
            **who,
        }
        prepared = self._prepared(f"{self.link.address}/{op.service}", wire, headers, receiver)
        return replace(prepared, expects_reply=expects_reply(op, self.link.wsdl_dir))

    def _prepared(self, url: str, body: bytes, headers: dict[str, str], peer: str) -> Prepared:
        kept = redactor_for(self.link.security).scrub(blank_passwords(body))
        notes = ["credentials redacted from the captured request"] if kept != body else []
        return Prepared(url, body, headers, peer, kept, notes)

    def put_on_wire(self, prepared: Prepared) -> WireResult:
        return self.link.client.post(
            prepared.url,
            prepared.body,
            prepared.headers,
            peer=prepared.peer,
            expect_reply=prepared.expects_reply,
        )

    # --- role-interface state, read through the test-control interface ----------------------
    def _control(self) -> TestControlClient:
        if self.link.control is None:
            raise TestControlError(f"{self.role}: state cannot be read: no test-control interface")
        return self.link.control

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name in ("link", "remote", "ctx", "instance", "log"):
            raise AttributeError(name)
        query = next(
            (q for q in self.link.queries.values() if q.role == self.role and q.method == name),
            None,
        )
        if query is not None:
            return functools.partial(_query, self, query)
        return _inspect(self, name)


def _query(actor: RemoteActor, query: StateQuery, *args: Any) -> Any:
    """A named state query of the use case, asked through test-control and decoded."""
    if len(args) != len(query.args):
        raise TypeError(f"{query.method} takes {len(query.args)} arguments ({query.args})")
    request = dict(zip(query.args, args, strict=True))
    if query.instance_arg:
        request[query.instance_arg] = actor.instance
    answer = actor._control().state(query.name, **request)
    try:
        return query.decode(answer)
    except StateAnswerError as exc:  # the product answered, wrongly: a finding on it
        shown = redactor_for(actor.link.security).scrub_text(str(exc)[:300])
        raise actor._control()._wrong(
            _malformed(f"state {query.name}: unusable answer: {shown}")
        ) from None


class RemoteValue:
    """A value read from a remote actor: JSON objects become attribute-bearing records."""

    @staticmethod
    def wrap(data: Any) -> Any:
        if isinstance(data, dict):
            return SimpleNamespace(**{k: RemoteValue.wrap(v) for k, v in data.items()})
        if isinstance(data, list):
            return [RemoteValue.wrap(v) for v in data]
        return data


def _inspect(actor: RemoteActor, name: str) -> Any:
    """State the harness reads from a remote actor that has no named query for it.

    Asks the test-control interface for ``name`` on this actor: a value comes back as records,
    a method as a callable that invokes it remotely. The use case's named state queries are
    preferred; this keeps any reference actor inspectable when served.
    """
    control = actor._control()
    answer = control.state("inspect", actor=actor.role, instance=actor.instance, name=name)
    if answer.get("kind") == "method":

        def invoke(*args: Any) -> Any:
            if actor.link.sync_clock:  # what it sets off is stamped at the harness's time
                control.advance_to(actor.ctx.now())
            result = control.state(
                "invoke", actor=actor.role, instance=actor.instance, name=name, args=list(args)
            )
            return RemoteValue.wrap(result.get("value"))

        return invoke
    return RemoteValue.wrap(answer.get("value"))


@dataclass(frozen=True)
class Prepared:
    """A message ready for the wire: where, the exact bytes, and the copy kept as evidence."""

    url: str
    body: bytes
    headers: dict[str, str]
    peer: str
    kept: bytes
    notes: list[str]
    expects_reply: bool = False  # the operation declares a reply: an empty answer is none


def remote_actor_class(role: str) -> type[RemoteActor]:
    """A proxy class playing ``role``."""
    return type(f"Remote[{role}]", (RemoteActor,), {"role": role})


def bind_link(cls: type[RemoteActor], link: RemoteLink) -> type[RemoteActor]:
    return type(cls.__name__, (cls,), {"link": link})


def make_remote(
    role: str, link: RemoteLink, ctx: ActorContext, instance: str | None
) -> RemoteActor:
    return bind_link(remote_actor_class(role), link)(ctx, instance)


class TestControlClient:
    """JSON over HTTP to the vendor test-control interface (docs/vendor-guide.md).

    Every call is bounded like a SOAP call (per-read timeout, a budget for the whole answer, a
    size cap, no redirects) and its answer parsed with a depth limit. An interface that cannot be
    reached, or refuses an operation with an error answer, is TestControlError (INCONCLUSIVE); a
    product that answers wrongly (too slowly, redirected, cut off, malformed) is
    TestControlAnswerError, a finding on the product.
    """

    __test__ = False  # a name pytest would otherwise try to collect

    def __init__(self, base: str, timeouts: Timeouts, security: Security) -> None:
        self.base = base.rstrip("/")
        self.timeouts = timeouts
        self.use_case: str | None = None  # whose schemas the answers are checked against
        self.answer_findings: list[Finding] = []  # answers that broke their schema
        self._operation = ""  # the operation under way, for the findings it may raise
        self.security = security
        self.session = product_session(security)  # the same trust and mTLS identity as SOAP
        self.synced: datetime | None = None  # the time the product's clock was last advanced to

    def _call(
        self, method: str, path: str, payload: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        url = f"{self.base}/{path}"
        self._operation = path
        redactor = redactor_for(self.security)
        try:
            answer = bounded_request(
                self.session,
                method,
                url,
                connect_s=self.timeouts.connect_s,
                read_s=self.timeouts.read_s,
                budget_s=exchange_budget(self.timeouts),
                max_bytes=self.timeouts.max_body_bytes,
                verify=self.session.verify,
                json=payload,
            )
        except Redirected as exc:
            raise self._wrong(
                error(
                    "WIRE-REDIRECT",
                    f"test-control {path}: answered {exc} redirecting to "
                    f"{redactor.scrub_text(exc.location)!r}; redirects are never followed",
                    expected="2xx",
                    received=redactor.scrub_text(exc.header_text()),
                    extra={"actor": "test-control", "location": redactor.scrub_text(exc.location)},
                ),
                redactor.scrub(exc.head),
            ) from None
        except BodyTooLarge as exc:
            raise self._wrong(
                error(
                    "TEST-CONTROL-ANSWER",
                    f"test-control {path}: answer over {exc.limit} bytes",
                    extra={"actor": "test-control"},
                ),
                redactor.scrub(exc.head),
            ) from None
        except DeadlineExceeded as exc:
            raise self._wrong(
                error(
                    "WIRE-TIMEOUT",
                    f"test-control {path}: answer not complete within {exc.budget_s:g} s "
                    f"(connect_s + read_s): {exc.phase}; {len(exc.head)} bytes arrived",
                    extra={"actor": "test-control"},
                ),
                redactor.scrub(exc.head),
            ) from None
        except WireFailure as exc:
            raise self._wrong(
                error(
                    "WIRE-CONNECTION",
                    f"test-control {path}: {exc}",
                    extra={"actor": "test-control"},
                ),
                redactor.scrub(exc.head),
            ) from None
        except requests.exceptions.ReadTimeout:
            raise self._wrong(
                error(
                    "WIRE-TIMEOUT",
                    f"test-control {path}: nothing within the read timeout of "
                    f"{self.timeouts.read_s:g} s",
                    extra={"actor": "test-control"},
                )
            ) from None
        except requests.exceptions.SSLError as exc:
            why = handshake_failure(exc, self.security.client_cert is not None)
            raise TestControlError(f"test-control {path}: {redactor.scrub_text(why)}") from None
        except requests.RequestException as exc:
            raise TestControlError(
                f"test-control {path}: {redactor.scrub_text(str(exc).splitlines()[0][:200])}"
            ) from None
        raw = redactor.scrub(answer.body)
        try:
            data = parse_json(raw)
        except ValueError as exc:
            if answer.status >= 400:
                raise TestControlError(
                    f"test-control {path}: HTTP {answer.status}, not JSON"
                ) from None
            raise self._wrong(
                error(
                    "TEST-CONTROL-ANSWER",
                    f"test-control {path}: HTTP {answer.status}: {exc}",
                    extra={"actor": "test-control"},
                ),
                raw,
            ) from None
        if answer.status >= 400:
            shown = redactor.scrub_text(json.dumps(data)[:300])
            raise TestControlError(f"test-control {path}: HTTP {answer.status}: {shown}")
        if not isinstance(data, dict):
            raise self._wrong(
                error(
                    "TEST-CONTROL-ANSWER",
                    f"test-control {path}: the answer is a JSON {type(data).__name__}, "
                    "not an object",
                    extra={"actor": "test-control"},
                ),
                raw,
            )
        from amicert.control_schema import answer_problem

        problem = answer_problem(path, payload, data, self.use_case)
        if problem is not None:
            raise self._wrong(problem)
        return data

    def _wrong(self, finding: Finding, head: bytes = b"") -> TestControlAnswerError:
        """A wrong answer: remembered for the verdict, raised to stop the operation. One to an
        operation that sets the scenario up came before every row: the verdict leads with it."""
        if self._operation in SET_UP_OPERATIONS:
            finding = replace(finding, extra={**finding.extra, "phase": "set-up"})
        self.answer_findings.append(finding)
        return TestControlAnswerError(finding, head)

    def capabilities(self) -> dict[str, Any]:
        return self._call("GET", "capabilities")

    def reset(self, use_case: str) -> None:
        self.use_case = use_case
        self._call("POST", "reset", {"use_case": use_case})

    def configure(self, settings: dict[str, Any]) -> None:
        self._call("POST", "configure", {"settings": settings})

    def provision(self, meters: list[dict[str, Any]]) -> None:
        self._call("POST", "provision", {"meters": meters})

    def fault(self, name: str, meters: list[str]) -> None:
        self._call("POST", "fault", {"name": name, "meters": meters})

    def state(self, query: str, **args: Any) -> dict[str, Any]:
        return self._call("POST", "state", {"query": query, **args})

    def advance_to(self, when: datetime) -> datetime | None:
        """Run the SUT's clock up to ``when``; returns its next scheduled event, if any."""
        data = self._call("POST", "clock/advance", {"to": when.isoformat()})
        self.synced = when
        nxt = data.get("next_event")
        if not nxt:
            return None
        shown = redactor_for(self.security).scrub_text(repr(nxt)[:100])
        try:
            parsed = datetime.fromisoformat(str(nxt))
        except ValueError:
            raise self._wrong(
                _malformed(f"clock/advance: next_event {shown} is no ISO 8601 time")
            ) from None
        if parsed.tzinfo is None:
            raise self._wrong(_malformed(f"clock/advance: next_event {shown} has no timezone"))
        return parsed

    def clock(self) -> dict[str, Any]:
        return self._call("GET", "clock")


SET_UP_OPERATIONS = ("reset", "configure", "provision", "fault")


def _malformed(message: str) -> Finding:
    return error("TEST-CONTROL-ANSWER", message, extra={"actor": "test-control"})


def dumps(data: Any) -> bytes:
    return json.dumps(data).encode("utf-8")
