"""The inbound side of the wire: SOAP services and the device protocol, dispatched into a World.

Every request body is recorded byte for byte as an exchange before anything else happens, and so
is every reply sent back, so the report always shows what crossed the wire. Which actors an
inbound message is between comes from the use case's rows: the service a CIM message arrives on
(Receive<Noun> ...) and the rows whose receiver is played on this side.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from amicert.cim.xmlsafe import XmlSafetyError, parse_xml, unwrap_soap
from amicert.findings import Finding, error
from amicert.transport.http import MAX_CONNECTIONS, HttpServer, blank_passwords, received_body
from amicert.transport.redact import Redactor
from amicert.transport.soap import envelope, fault, operation_for

if TYPE_CHECKING:
    from amicert.trace import Exchange
    from amicert.world import World

DEVICE_PATH = "/amicert/device"
CONTROL_PATH = "/amicert/test-control"
SOAP_XML = "text/xml; charset=utf-8"


@dataclass
class WireFaults:
    """How the served side misbehaves on purpose (``amicert serve --fault``)."""

    soap_fault: bool = False
    slow_reply_s: float = 0.0
    drop_connection: bool = False
    reply_hooks: list[Callable[[bytes], bytes]] = field(default_factory=list)


def routes(world: World) -> dict[str, tuple[str, str]]:
    """Service name -> (producer, receiver) for the CIM rows whose receiver is played here."""
    found: dict[str, tuple[str, str]] = {}
    for row in world.use_case.rows.values():
        for part in row.exchanges:
            if world.is_remote(part.receiver) or part.reply:
                continue
            spec = world.use_case.messages.get(part.message)
            if spec is None or not spec.cim:
                continue
            op = operation_for(str(spec.cim.get("verb")), str(spec.cim.get("noun")))
            found.setdefault(op.service, (part.producer, part.receiver))
    return found


class Endpoint:
    """WSGI handler: /<Service> (SOAP), /amicert/device, and optionally the test-control paths."""

    def __init__(
        self,
        current: Callable[[], World | None],
        *,
        control: Callable[[Request], Response] | None = None,
        faults: WireFaults | None = None,
        max_body_bytes: int = 10 * 1024 * 1024,
        secrets: Callable[[], Redactor] | None = None,
    ) -> None:
        self.current = current
        self.control = control
        self.faults = faults or WireFaults()
        self.max_body_bytes = max_body_bytes
        self.redactor = secrets or (lambda: Redactor.from_environment())
        self._refusals: dict[int, tuple[Exchange, int]] = {}

    def serve_on(self, server: HttpServer) -> HttpServer:
        """Report the connections ``server`` refuses or cuts off into the running scenario."""
        server.on_refused = self.refused
        server.on_abandoned = self.abandoned
        return server

    def __call__(self, request: Request) -> Response:
        path = request.path.rstrip("/")
        if path.startswith(CONTROL_PATH) and self.control is not None:
            return self.control(request)
        if request.method != "POST":
            return Response("POST only", status=405)
        world = self.current()
        if world is None:
            return Response(
                fault("Server", "no scenario is running"), status=503, content_type=SOAP_XML
            )
        length = request.content_length
        if length is not None and length > self.max_body_bytes:
            return self._oversize(world, path, f"{length} bytes", b"")
        # read one byte past the limit ourselves: a chunked body has no length to check first,
        # and werkzeug's own limit would cut it silently; a trickle is cut at the budget
        body, problem = received_body(request, self.max_body_bytes)
        body = self.clean(body)
        if len(body) > self.max_body_bytes:
            return self._oversize(world, path, "a chunked body", body[: self.max_body_bytes])
        if problem is not None:
            return self._incomplete(world, path, body, problem)
        if path == DEVICE_PATH:
            return self._device(world, request, body)
        return self._soap(world, path.rsplit("/", 1)[-1], body, dict(request.headers))

    def clean(self, body: bytes) -> bytes:
        """What is kept of an inbound body: WS-Security passwords and every secret redacted."""
        return self.redactor().scrub(blank_passwords(body))

    def _incomplete(self, world: World, path: str, head: bytes, why: str) -> Response:
        """A request that never arrived whole: its bytes are kept, the sender is blamed."""
        peer = next(iter(sorted(world.remote_roles)), "(unknown)")
        with world.lock:
            x = world.bus.record(peer, "(harness endpoint)", head, transport="http")
            x.note = f"POST {path}: request incomplete ({why}); {len(head)} bytes kept"
            _against_product(
                world,
                x,
                error(
                    "WIRE-SLOW-SENDER",
                    f"{peer} did not send its complete request to {path}: {why}",
                    received=f"{len(head)} bytes",
                    extra={"actor": peer},
                ),
            )
        return Response("request incomplete", status=408)

    def refused(self, count: int) -> None:
        """More connections at once than the harness serves: reported once, then counted."""
        world = self.current()
        if world is None:
            return
        peer = next(iter(sorted(world.remote_roles)), "(unknown)")
        with world.lock:
            marker = self._refusals.get(id(world))
            if marker is None:
                x = world.bus.record(peer, "(harness endpoint)", b"", transport="http")
                _against_product(
                    world,
                    x,
                    error(
                        "WIRE-CONCURRENCY",
                        f"{peer} opened more connections at once than the harness serves "
                        f"({MAX_CONNECTIONS}); the excess were answered 503",
                        extra={"actor": peer},
                    ),
                )
                self._refusals[id(world)] = marker = (x, count)
            x, first = marker
            x.note = (
                f"{count - first + 1} connections refused (503) while {MAX_CONNECTIONS} were open"
            )

    def abandoned(self, client: str, why: str) -> None:
        """A connection that never completed its request line and headers in time."""
        world = self.current()
        if world is None:
            return
        peer = next(iter(sorted(world.remote_roles)), "(unknown)")
        with world.lock:
            x = world.bus.record(peer, "(harness endpoint)", b"", transport="http")
            x.note = f"connection from {client}: {why}"
            _against_product(
                world,
                x,
                error(
                    "WIRE-SLOW-SENDER",
                    f"{peer} opened a connection ({client}) and sent {why}",
                    extra={"actor": peer},
                ),
            )

    def _device(self, world: World, request: Request, body: bytes) -> Response:
        producer = request.headers.get("X-Amicert-Producer", "")
        receiver = request.headers.get("X-Amicert-Receiver", "")
        receiver_id = request.headers.get("X-Amicert-Receiver-Id") or None
        actors = world.use_case.actors
        if not world.is_remote(producer) or receiver not in actors or world.is_remote(receiver):
            return self._refused(
                world,
                body,
                "WIRE-ROUTING",
                f"a device-protocol message claims {producer!r} -> {receiver!r}: the sender must "
                "be an actor of the vendor boundary and the receiver one the harness plays",
            )
        if self.faults.soap_fault:
            return self._faulted(world, producer, receiver, body)
        with world.lock:
            x = world.bus.record(
                producer, receiver, body, receiver_id=receiver_id, transport="http"
            )
            answer = world.bus.deliver_now(receiver, receiver_id, x)
            if answer is not None:  # a request of the harness protocol: its answer goes back
                world.bus.record(receiver, producer, answer, in_reply_to=x, transport="http")
        if answer is not None:
            return self._respond(answer, 200, "application/xml; charset=utf-8")
        return self._respond(b"", 202, "text/plain")

    def _soap(self, world: World, service: str, body: bytes, headers: dict[str, str]) -> Response:
        pair = routes(world).get(service)
        if pair is None:
            peer = next(iter(world.remote_roles), "(unknown)")
            with world.lock:
                x = world.bus.record(peer, "(harness endpoint)", body, transport="http")
                reply = fault("Client", f"no service {service!r} here")
                world.bus.record("(harness endpoint)", peer, reply, in_reply_to=x, transport="http")
            return Response(reply, status=404, content_type=SOAP_XML)
        producer, receiver = pair
        # several actors may send or host one service: the sender says who it is and for whom
        actors = world.use_case.actors
        claimed = (headers.get("X-Amicert-Producer"), headers.get("X-Amicert-Receiver"))
        impersonating = claimed[0] in actors and not world.is_remote(str(claimed[0]))
        if impersonating:
            return self._refused(
                world,
                body,
                "WIRE-IMPERSONATION",
                f"a message claims to come from {claimed[0]!r}, an actor the harness plays",
            )
        if claimed[0] in actors and claimed[1] in actors and not world.is_remote(str(claimed[1])):
            producer, receiver = str(claimed[0]), str(claimed[1])
        receiver_id = headers.get("X-Amicert-Receiver-Id") or None
        if self.faults.soap_fault:
            return self._faulted(world, producer, receiver, body)
        with world.lock:
            x = world.bus.record(
                producer, receiver, body, receiver_id=receiver_id, transport="http"
            )
            wrong_action = soap_action_problem(x, headers)
            if wrong_action is not None:
                x.findings.append(wrong_action)
            answer = world.bus.deliver_now(receiver, receiver_id, x)
            failed = any(f.rule == "MSG-UNPROCESSABLE" for f in x.findings) or (
                x.note.startswith(f"{receiver} could not")
            )
            if answer is None and not failed and x.info is not None and x.info.noun:
                answer = acknowledgement(world, receiver, x)
            if answer is None:
                reply = fault("Server", f"{receiver} could not process the message")
                status = 500
            else:
                for hook in self.faults.reply_hooks:
                    answer = hook(answer)
                reply = envelope(answer)
                status = 200
            world.bus.record(receiver, producer, reply, in_reply_to=x, transport="http")
        return self._respond(reply, status, SOAP_XML)

    def _refused(self, world: World, body: bytes, rule: str, why: str) -> Response:
        """Record what arrived against the vendor, with the finding, then refuse it (400)."""
        peer = next(iter(sorted(world.remote_roles)), "(unknown)")
        reply = fault("Client", why)
        with world.lock:
            x = world.bus.record(peer, "(harness endpoint)", body, transport="http")
            _against_product(world, x, error(rule, why, extra={"actor": peer}))
            world.bus.record("(harness endpoint)", peer, reply, in_reply_to=x, transport="http")
        return Response(reply, status=400, content_type=SOAP_XML)

    def _oversize(self, world: World, path: str, size: str, head: bytes) -> Response:
        """Refuse the body, but keep the record of it (its head, when read): nothing is lost."""
        peer = next(iter(sorted(world.remote_roles)), "(unknown)")
        with world.lock:
            x = world.bus.record(peer, "(harness endpoint)", head, transport="http")
            kept = f"first {len(head)} bytes kept" if head else "refused unread"
            x.note = f"POST {path}: {size} over the limit of {self.max_body_bytes}; {kept}"
            _against_product(
                world,
                x,
                error(
                    "WIRE-BODY-TOO-LARGE",
                    f"{peer} sent {size} to {path}, over the limit of {self.max_body_bytes} bytes",
                    extra={"actor": peer},
                ),
            )
        return Response(f"body over {self.max_body_bytes} bytes", status=413)

    def _faulted(self, world: World, producer: str, receiver: str, body: bytes) -> Response:
        reply = fault("Server", f"{receiver} is failing on purpose (served fault)")
        with world.lock:
            x = world.bus.record(producer, receiver, body, transport="http")
            world.bus.record(receiver, producer, reply, in_reply_to=x, transport="http")
        return self._respond(reply, 500, SOAP_XML)

    def _respond(self, body: bytes, status: int, content_type: str) -> Response:
        if self.faults.slow_reply_s:
            time.sleep(self.faults.slow_reply_s)
        if self.faults.drop_connection:
            sent = body or b"accepted"
            return Response(
                _half_then_drop(sent),
                status=status,
                content_type=content_type,
                headers={"Content-Length": str(len(sent))},
            )
        return Response(body, status=status, content_type=content_type)


def soap_action_problem(x: Exchange, headers: dict[str, str]) -> Finding | None:
    """WIRE-SOAPACTION: the SOAPAction header names, quoted, the operation the message's verb
    and noun travel under (the contract marks it required); None when it does."""
    if x.info is None or not x.info.verb or not x.info.noun:
        return None  # not a CIM message: its own findings say so
    expected = f'"{operation_for(x.info.verb, x.info.noun).soap_action}"'
    received = next((v for k, v in headers.items() if k.lower() == "soapaction"), None)
    if received is not None and received.strip() == expected:
        return None
    return error(
        "WIRE-SOAPACTION",
        f"{x.producer} sent {x.info.verb} {x.info.noun} with "
        + ("no SOAPAction header" if received is None else "another SOAPAction"),
        expected=expected,
        received="(none)" if received is None else received,
        extra={"actor": x.producer},
    )


def _against_product(world: World, x: Exchange, finding: Finding) -> None:
    """A finding on what arrived at the endpoint: on its exchange, and in the scenario's verdict.

    Such an exchange matches no step row, and the sequence matcher reports an unmatched exchange
    only as SEQ-EXTRA: the finding saying what was wrong with it must reach the verdict too.
    """
    x.findings.append(finding)
    world.findings.append(finding)


def acknowledgement(world: World, receiver: str, request: Exchange) -> bytes:
    """The 61968-100 answer to a one-way message: reply, Result OK, CorrelationID = MessageID."""
    from amicert.cim.envelope import Header, build_response

    info = request.info
    assert info is not None and info.noun
    header = Header(
        verb="reply",
        noun=info.noun,
        message_id=world.bus_id(),
        timestamp=world.clock.now(),
        source=receiver,
        correlation_id=info.message_id,
    )
    return build_response(header, "OK")


def _half_then_drop(body: bytes) -> Iterator[bytes]:
    yield body[: len(body) // 2]
    raise ConnectionAbortedError("connection dropped mid-reply (served fault)")


def sniff_message(body: bytes) -> bytes:
    """The message inside a SOAP body (for handing to an actor); the body itself otherwise."""
    try:
        root, _ = unwrap_soap(parse_xml(body))
    except XmlSafetyError:
        return body
    from lxml import etree

    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
