"""HTTP on the wire: a bounded client (zeep's transport) and a small threaded WSGI server.

Every call has a connect and a read timeout and a maximum body size; every failure comes back as
a finding with the rule that names it, never as an exception escaping into a step:
unreachable -> WIRE-UNREACHABLE (infrastructure: INCONCLUSIVE); timeout, dropped connection,
HTTP error, SOAP Fault, oversize body -> WIRE-* blamed on the system that answered (FAIL).
Secrets are redacted from every byte kept.
"""

from __future__ import annotations

import io
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import requests
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler
from werkzeug.wrappers import Request, Response

from amicert.config import Security, Timeouts
from amicert.findings import Blame, Finding, error
from amicert.transport.deadline import (
    BodyTooLarge,
    Deadline,
    DeadlineExceeded,
    Redirected,
    WireFailure,
    bounded_request,
    bounded_session,
)
from amicert.transport.redact import Redactor
from amicert.transport.soap import fault_text
from amicert.transport.tls import handshake_failure


@dataclass
class WireResult:
    """What crossed the wire for one call: the bytes sent and received, and any wire finding."""

    sent: bytes
    received: bytes | None = None
    status: int | None = None
    finding: Finding | None = None
    elapsed_s: float = 0.0
    notes: list[str] = field(default_factory=list)


def redact(data: bytes, secrets: Iterable[str]) -> bytes:
    """``data`` with every form of every secret replaced (see :mod:`amicert.transport.redact`)."""
    return Redactor(secrets).scrub(data)


def blank_passwords(data: bytes) -> bytes:
    """The message with the text of every WS-Security Password element replaced by ***."""
    from lxml import etree

    from amicert.cim.xmlsafe import XmlSafetyError, parse_xml
    from amicert.transport.soap import WSSE_NS

    if WSSE_NS.encode() not in data:
        return data
    try:
        root = parse_xml(data)
    except XmlSafetyError:
        return data
    for el in root.iter(f"{{{WSSE_NS}}}Password"):
        el.text = "***"
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def exchange_budget(timeouts: Timeouts) -> float:
    """The wall-clock budget of one exchange: connected within connect_s, answered within read_s."""
    return timeouts.connect_s + timeouts.read_s


def product_session(security: Security) -> requests.Session:
    """A bounded session with the profile's trust and client identity (mTLS)."""
    session = bounded_session()
    session.verify = str(security.ca_bundle) if security.ca_bundle else security.verify_tls
    if security.client_cert:
        session.cert = (
            (str(security.client_cert), str(security.client_key))
            if security.client_key
            else str(security.client_cert)
        )
    return session


def redactor_for(security: Security) -> Redactor:
    """The profile's secrets and the environment's, read now (the environment may change)."""
    return Redactor.from_environment(security.password())


class HttpClient:
    """Posts bytes to an endpoint and reports what happened as a WireResult."""

    def __init__(self, timeouts: Timeouts, security: Security) -> None:
        self.session = product_session(security)
        self.timeouts = timeouts
        self.security = security

    def post(
        self,
        url: str,
        body: bytes,
        headers: dict[str, str],
        *,
        peer: str,
        expect_reply: bool = False,
    ) -> WireResult:
        """POST ``body``; ``peer`` is the actor answering (blamed for its wrong answers).

        ``expect_reply``: the operation declares a reply (a ResponseMessage), so a 2xx with an
        empty body is a request left unanswered (MSG-NO-REPLY).
        """
        redactor = redactor_for(self.security)
        result = WireResult(sent=redactor.scrub(blank_passwords(body)))
        if result.sent != body:
            result.notes.append("credentials redacted from the captured request")
        budget = exchange_budget(self.timeouts)
        start = time.monotonic()
        try:
            answer = bounded_request(
                self.session,
                "POST",
                url,
                connect_s=self.timeouts.connect_s,
                read_s=self.timeouts.read_s,
                budget_s=budget,
                max_bytes=self.timeouts.max_body_bytes,
                verify=self.session.verify,
                data=body,
                headers=headers,
            )
        except WireFailure as exc:
            result.received = redactor.scrub(exc.head) or None
            result.status = getattr(exc, "status", None)
            result.finding = _wire_finding(exc, peer, redactor, self.timeouts)
            return result
        except requests.exceptions.ConnectTimeout:
            result.finding = _unreachable(
                peer, url, f"no connection within {self.timeouts.connect_s} s"
            )
            return result
        except requests.exceptions.ReadTimeout:
            result.finding = error(
                "WIRE-TIMEOUT",
                f"{peer} sent nothing for the read timeout of {self.timeouts.read_s} s",
                extra={"actor": peer},
            )
            return result
        except requests.exceptions.SSLError as exc:
            result.finding = error(
                "WIRE-TLS",
                f"TLS with {peer} failed: "
                + redactor.scrub_text(
                    handshake_failure(exc, self.security.client_cert is not None)
                ),
                blame=Blame.INFRASTRUCTURE,
            )
            return result
        except requests.exceptions.ConnectionError as exc:
            if _refused(exc):
                result.finding = _unreachable(peer, url, "connection refused")
            else:
                result.finding = error(
                    "WIRE-CONNECTION",
                    f"{peer} dropped the connection before the reply was complete: "
                    + redactor.scrub_text(_short(exc)),
                    extra={"actor": peer},
                )
            return result
        except requests.exceptions.RequestException as exc:
            result.finding = error(
                "WIRE-CONNECTION",
                f"HTTP exchange with {peer} failed: {redactor.scrub_text(_short(exc))}",
                extra={"actor": peer},
            )
            return result
        finally:
            result.elapsed_s = time.monotonic() - start
        result.status = answer.status
        result.received = redactor.scrub(answer.body)
        text = fault_text(result.received) if result.received else None
        if text is not None:
            result.finding = error(
                "WIRE-SOAP-FAULT",
                f"{peer} answered with a SOAP Fault: {text[:300]}",
                received=f"HTTP {answer.status}",
                extra={"actor": peer},
            )
        elif answer.status >= 400:
            result.finding = error(
                "WIRE-HTTP-STATUS",
                f"{peer} answered HTTP {answer.status}",
                expected="2xx",
                received=str(answer.status),
                extra={"actor": peer},
            )
        elif expect_reply and not answer.body.strip():
            result.finding = error(
                "MSG-NO-REPLY",
                f"{peer} answered HTTP {answer.status} with an empty body where the operation "
                "declares a reply (ResponseMessage)",
                expected="a ResponseMessage",
                received=f"HTTP {answer.status}, {len(answer.body)} bytes",
                extra={"actor": peer},
            )
        return result


def _wire_finding(exc: WireFailure, peer: str, redactor: Redactor, timeouts: Timeouts) -> Finding:
    """The finding for an exchange that ended without a complete answer."""
    if isinstance(exc, Redirected):
        return error(
            "WIRE-REDIRECT",
            f"{peer} answered {exc} redirecting to {redactor.scrub_text(exc.location)!r}; "
            "redirects are never followed",
            expected="2xx",
            received=redactor.scrub_text(exc.header_text()),
            extra={"actor": peer, "location": redactor.scrub_text(exc.location)},
        )
    if isinstance(exc, BodyTooLarge):
        return error(
            "WIRE-BODY-TOO-LARGE",
            f"{peer} answered with a body over {exc.limit} bytes (kept: the first {exc.limit})",
            extra={"actor": peer},
        )
    if isinstance(exc, DeadlineExceeded):
        return error(
            "WIRE-TIMEOUT",
            f"{peer}'s answer was not complete within {exc.budget_s:g} s (connect_s + read_s): "
            f"{exc.phase}; {len(exc.head)} bytes of it arrived",
            extra={"actor": peer},
        )
    return error(
        "WIRE-CONNECTION",
        f"{peer} dropped the connection before the reply was complete: {exc} "
        f"({len(exc.head)} bytes of it arrived)",
        extra={"actor": peer},
    )


def port_problem(host: str, port: int) -> str | None:
    """Why nothing can listen on host:port, or None when it is free.

    Probed with SO_REUSEADDR, as the server listens: connections of a previous run still in
    TIME_WAIT do not keep the next run from listening."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host, port))
    except OSError as exc:
        return f"cannot listen on {host}:{port}: {exc.strerror or exc}"
    return None


def _unreachable(peer: str, url: str, why: str) -> Finding:
    return error(
        "WIRE-UNREACHABLE",
        f"{peer} endpoint {url} unreachable: {why}",
        blame=Blame.INFRASTRUCTURE,
    )


def _refused(exc: Exception) -> bool:
    text = repr(exc)
    return "Connection refused" in text or "NewConnectionError" in text or "Errno 111" in text


def _short(exc: Exception) -> str:
    return str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__


# --- server ------------------------------------------------------------------------------

Handler = Callable[[Request], Response]


#: connections the harness serves at once; more are refused with 503 and reported
MAX_CONNECTIONS = 32
DEADLINE_KEY = "amicert.deadline"
BODY_KEY = "amicert.body"


class _BoundedHandler(WSGIRequestHandler):
    """One connection, bounded: per-read socket timeout, and a budget for the whole request.

    The budget runs while the request line, headers and body arrive (the application stops it
    once it has the body, :func:`read_body`) and again while the answer is written, so a sender
    or reader trickling bytes holds a thread for at most the budget.
    """

    budget_s: float = 30.0
    abandoned: Callable[[str, str], None] | None = None
    wsgi_started = False

    def setup(self) -> None:
        # reading stops at the budget; the way back stays open for the answer saying so
        self.watch = Deadline(self.budget_s, socket.SHUT_RD)
        self.watch.watch(self.request)
        super().setup()

    def handle(self) -> None:
        try:
            if isinstance(self.connection, ssl.SSLSocket):
                self.connection.do_handshake()  # here, bounded, not in the accepting thread
            super().handle()
        except (OSError, ssl.SSLError):
            pass  # the peer went away or was cut off: nothing left to answer
        finally:
            self.watch.cancel()
            if self.watch.expired and not self.wsgi_started and self.abandoned is not None:
                peer = f"{self.client_address[0]}:{self.client_address[1]}"
                self.abandoned(
                    peer, f"no complete request line and headers within {self.budget_s:g} s"
                )

    def make_environ(self) -> dict[str, Any]:
        self.wsgi_started = True
        environ = super().make_environ()
        environ[DEADLINE_KEY] = self.watch
        return environ


class _BoundedServer(ThreadedWSGIServer):
    """werkzeug's threaded server with a cap on the connections served at once."""

    allow_reuse_address = True  # SO_REUSEADDR: a previous run's TIME_WAIT connections are no clash

    def __init__(self, *args: Any, max_connections: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.slots = threading.BoundedSemaphore(max_connections)
        self.max_connections = max_connections
        self.refused = 0
        self.on_refused: Callable[[int], None] | None = None

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.slots.acquire(blocking=False):
            self.refused += 1
            if not isinstance(request, ssl.SSLSocket):
                try:
                    request.setblocking(False)
                    request.send(BUSY)
                except OSError:
                    pass
            self.shutdown_request(request)
            if self.on_refused is not None:
                self.on_refused(self.refused)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()


BUSY = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


def received_body(request: Request, limit: int) -> tuple[bytes, str | None]:
    """The request body as the server read it (or read now), and why it is incomplete, if so."""
    found: tuple[bytes, str | None] | None = request.environ.get(BODY_KEY)
    return found if found is not None else read_body(request, limit)


def read_body(request: Request, limit: int) -> tuple[bytes, str | None]:
    """Read a request body, at most ``limit`` + 1 bytes, within the connection's budget.

    Returns the bytes and, when the sender did not finish in time or dropped the connection,
    why. Reads as bytes come (a trickle is kept, up to the limit), never waiting for a full
    buffer, so the budget holds while bytes trickle in.
    """
    environ = request.environ
    watch: Deadline | None = environ.get(DEADLINE_KEY)
    stream = environ["wsgi.input"]
    length = request.content_length
    if length is None and not environ.get("wsgi.input_terminated"):
        return b"", None  # neither a length nor chunked: the request has no body
    want = limit + 1 if length is None else min(length, limit + 1)
    reader = getattr(stream, "read1", None) or stream.read
    chunks: list[bytes] = []
    size = 0
    problem: str | None = None
    while size < want:
        try:
            piece = reader(min(65536, want - size))
        except (OSError, ValueError) as exc:
            piece = b""
            problem = f"the connection failed: {exc}"
        if not piece:
            if watch is not None and watch.expired:
                problem = f"not complete within {watch.budget_s:g} s"
            elif length is not None and problem is None:
                problem = f"the sender closed after {size} of {length} bytes"
            break
        chunks.append(piece)
        size += len(piece)
        if watch is not None and watch.spent():
            problem = f"not complete within {watch.budget_s:g} s"
            break
    if watch is not None:
        watch.cancel()
    return b"".join(chunks), problem


class HttpServer:
    """A threaded WSGI server on a loopback (or configured) interface, stopped cleanly.

    Slow and concurrent senders are bounded: each read waits at most ``socket_timeout_s``, each
    request gets ``budget_s`` to arrive and its answer as long to leave, and at most
    ``max_connections`` are served at once (more are answered 503 and reported).
    """

    def __init__(
        self,
        host: str,
        port: int,
        handler: Handler,
        max_body_bytes: int,
        ssl_context: ssl.SSLContext | None = None,
        *,
        budget_s: float = 30.0,
        socket_timeout_s: float | None = None,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        self.max_body_bytes = max_body_bytes
        self.handler = handler
        self.scheme = "https" if ssl_context is not None else "http"
        self.budget_s = budget_s
        request_handler = type(
            "BoundedHandler",
            (_BoundedHandler,),
            {
                "budget_s": budget_s,
                "timeout": socket_timeout_s if socket_timeout_s is not None else budget_s,
                "abandoned": staticmethod(self._abandoned),
            },
        )
        try:
            self._server = _BoundedServer(
                host, port, self._app, request_handler, max_connections=max_connections
            )
        except SystemExit:  # werkzeug exits on a port in use: report it as what it is
            raise OSError(f"cannot listen on {host}:{port}: address already in use") from None
        if ssl_context is not None:
            # the handshake happens in the connection's thread, under its budget, never in the
            # thread that accepts (a peer stalling its handshake would stop the whole server)
            self._server.socket = ssl_context.wrap_socket(
                self._server.socket, server_side=True, do_handshake_on_connect=False
            )
            self._server.ssl_context = ssl_context
        self._server.on_refused = self._refused
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.on_refused: Callable[[int], None] | None = None
        self.on_abandoned: Callable[[str, str], None] | None = None

    def _refused(self, count: int) -> None:
        if self.on_refused is not None:
            self.on_refused(count)

    def _abandoned(self, peer: str, why: str) -> None:
        if self.on_abandoned is not None:
            self.on_abandoned(peer, why)

    @property
    def port(self) -> int:
        return int(self._server.server_port)

    @property
    def address(self) -> str:
        return f"{self.scheme}://{self._server.host}:{self.port}"

    def _app(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        watch: Deadline | None = environ.get(DEADLINE_KEY)
        if watch is not None and watch.expired:  # the headers were cut off: no request to serve
            peer = f"{environ.get('REMOTE_ADDR')}:{environ.get('REMOTE_PORT')}"
            self._abandoned(
                peer, f"no complete request line and headers within {self.budget_s:g} s"
            )
            watch.arm(self.budget_s, socket.SHUT_RDWR)
            return Response("request incomplete", status=408)(environ, start_response)
        request = Request(environ)
        length = request.content_length
        if length is None or length <= self.max_body_bytes:
            # the body arrives under the budget, before any handler runs; handlers read it from
            # memory and take the time they need (the budget restarts for the answer)
            body, problem = read_body(request, self.max_body_bytes)
            environ[BODY_KEY] = (body, problem)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            environ.pop("wsgi.input_terminated", None)
            request = Request(environ)
        request.max_content_length = self.max_body_bytes
        try:
            response = self.handler(request)
        except RequestEntityTooLarge:  # a chunked body that grew past the limit
            response = Response(f"body over {self.max_body_bytes} bytes", status=413)
        if watch is not None:
            watch.arm(self.budget_s, socket.SHUT_RDWR)  # the answer gets its own budget to leave
        return response(environ, start_response)

    def start(self) -> HttpServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
