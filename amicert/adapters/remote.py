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
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import requests

from amicert.actors.base import Actor, ActorContext
from amicert.cim.xmlsafe import XmlSafetyError, parse_xml, unwrap_soap
from amicert.config import Security, Timeouts
from amicert.driver import StateAnswerError, StateQuery
from amicert.findings import Finding
from amicert.transport.http import HttpClient, WireResult, blank_passwords, redact
from amicert.transport.soap import envelope, operation_for, username_token

DEVICE_PATH = "/amicert/device"
CONTROL_PATH = "/amicert/test-control"


class TestControlError(Exception):
    """The test-control interface refused or failed an operation (an infrastructure problem)."""


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
        return self._prepared(f"{self.link.address}/{op.service}", wire, headers, receiver)

    def _prepared(self, url: str, body: bytes, headers: dict[str, str], peer: str) -> Prepared:
        kept = redact(blank_passwords(body), self.link.security.secrets())
        notes = ["credentials redacted from the captured request"] if kept != body else []
        return Prepared(url, body, headers, peer, kept, notes)

    def put_on_wire(self, prepared: Prepared) -> WireResult:
        return self.link.client.post(
            prepared.url, prepared.body, prepared.headers, peer=prepared.peer
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
    except StateAnswerError as exc:
        raise TestControlError(f"state {query.name}: unusable answer: {exc}") from None


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
    """JSON over HTTP to the vendor test-control interface (docs/vendor-guide.md)."""

    def __init__(self, base: str, timeouts: Timeouts, security: Security) -> None:
        self.base = base.rstrip("/")
        self.timeouts = timeouts
        self.use_case: str | None = None  # whose schemas the answers are checked against
        self.answer_findings: list[Finding] = []  # answers that broke their schema
        self.session = requests.Session()
        self.session.verify = str(security.ca_bundle) if security.ca_bundle else security.verify_tls
        if security.client_cert:  # the same mTLS identity as the SOAP calls
            self.session.cert = (
                (str(security.client_cert), str(security.client_key))
                if security.client_key
                else str(security.client_cert)
            )

    def _call(
        self, method: str, path: str, payload: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        url = f"{self.base}/{path}"
        try:
            response = self.session.request(
                method,
                url,
                json=payload,
                timeout=(self.timeouts.connect_s, self.timeouts.read_s),
                stream=True,
                verify=self.session.verify,  # the profile's trust, not the environment's
            )
            raw = response.raw.read(self.timeouts.max_body_bytes + 1, decode_content=True)
        except requests.RequestException as exc:
            raise TestControlError(
                f"test-control {path}: {str(exc).splitlines()[0][:200]}"
            ) from None
        if len(raw) > self.timeouts.max_body_bytes:
            raise TestControlError(
                f"test-control {path}: answer over {self.timeouts.max_body_bytes} bytes"
            )
        try:
            data = json.loads(raw)
        except ValueError:
            raise TestControlError(
                f"test-control {path}: HTTP {response.status_code}, not JSON"
            ) from None
        if response.status_code >= 400 or not isinstance(data, dict):
            raise TestControlError(f"test-control {path}: HTTP {response.status_code}: {data}")
        from amicert.control_schema import check_answer

        return check_answer(path, payload, data, self.use_case, self.answer_findings)

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
        nxt = data.get("next_event")
        if not nxt:
            return None
        try:
            parsed = datetime.fromisoformat(str(nxt))
        except ValueError:
            raise TestControlError(
                f"clock/advance: next_event {nxt!r} is no ISO 8601 time"
            ) from None
        if parsed.tzinfo is None:
            raise TestControlError(f"clock/advance: next_event {nxt!r} has no timezone")
        return parsed

    def clock(self) -> dict[str, Any]:
        return self._call("GET", "clock")


def dumps(data: Any) -> bytes:
    return json.dumps(data).encode("utf-8")
