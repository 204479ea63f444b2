"""HTTP on the wire: a bounded client (zeep's transport) and a small threaded WSGI server.

Every call has a connect and a read timeout and a maximum body size; every failure comes back as
a finding with the rule that names it, never as an exception escaping into a step:
unreachable -> WIRE-UNREACHABLE (infrastructure: INCONCLUSIVE); timeout, dropped connection,
HTTP error, SOAP Fault, oversize body -> WIRE-* blamed on the system that answered (FAIL).
Secrets are redacted from every byte kept.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import requests
import zeep.transports
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from amicert.config import Security, Timeouts
from amicert.findings import Blame, Finding, error
from amicert.transport.soap import fault_text


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
    """``data`` with every secret replaced, so captured evidence never carries a credential.

    Covers the secret as written and as XML escapes it (``&amp;`` ``&lt;`` ``&gt;`` ``&quot;``,
    and numeric character references of its non-ASCII characters).
    """
    from xml.sax.saxutils import escape

    for secret in secrets:
        if not secret:
            continue
        forms = {
            secret,
            escape(secret),
            escape(secret, {'"': "&quot;", "'": "&apos;"}),
            escape(secret).encode("ascii", "xmlcharrefreplace").decode("ascii"),
        }
        for form in sorted(forms, key=len, reverse=True):
            for encoded in {form.encode("utf-8"), form.encode("ascii", "xmlcharrefreplace")}:
                data = data.replace(encoded, b"***")
    return data


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


class BoundedTransport(zeep.transports.Transport):
    """zeep's transport with (connect, read) timeouts and a cap on the response body."""

    def __init__(self, timeouts: Timeouts, security: Security) -> None:
        session = requests.Session()
        session.verify = str(security.ca_bundle) if security.ca_bundle else security.verify_tls
        if security.client_cert:
            session.cert = (
                (str(security.client_cert), str(security.client_key))
                if security.client_key
                else str(security.client_cert)
            )
        super().__init__(session=session, timeout=timeouts.connect_s)  # type: ignore[no-untyped-call]
        self.timeouts = timeouts

    def post(self, address: str, message: bytes, headers: dict[str, str]) -> requests.Response:
        response = self.session.post(
            address,
            data=message,
            headers=headers,
            timeout=(self.timeouts.connect_s, self.timeouts.read_s),
            stream=True,
            # per request: REQUESTS_CA_BUNDLE in the environment must not override the profile
            verify=self.session.verify,
        )
        limit = self.timeouts.max_body_bytes
        chunks: list[bytes] = []
        size = 0
        # read_s bounds each socket read; a peer dripping bytes is bounded by the whole reply too
        give_up = time.monotonic() + 4 * self.timeouts.read_s
        for chunk in response.iter_content(65536):
            if time.monotonic() > give_up:
                response.close()
                raise requests.exceptions.ReadTimeout("reply not complete within 4 x read_s")
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                response.close()
                raise BodyTooLarge(limit, b"".join(chunks)[:limit])
        response._content = b"".join(chunks)
        return response


class BodyTooLarge(Exception):
    def __init__(self, limit: int, head: bytes) -> None:
        super().__init__(f"response body over {limit} bytes")
        self.limit = limit
        self.head = head


class HttpClient:
    """Posts bytes to an endpoint and reports what happened as a WireResult."""

    def __init__(self, timeouts: Timeouts, security: Security) -> None:
        self.transport = BoundedTransport(timeouts, security)
        self.timeouts = timeouts
        self.security = security

    def post(self, url: str, body: bytes, headers: dict[str, str], *, peer: str) -> WireResult:
        """POST ``body``; ``peer`` is the actor answering (blamed for its wrong answers)."""
        secrets = self.security.secrets()
        result = WireResult(sent=redact(blank_passwords(body), secrets))
        if result.sent != body:
            result.notes.append("credentials redacted from the captured request")
        start = time.monotonic()
        try:
            response = self.transport.post(url, body, headers)
        except BodyTooLarge as exc:
            result.received = exc.head
            result.finding = error(
                "WIRE-BODY-TOO-LARGE",
                f"{peer} answered with a body over {exc.limit} bytes (kept: the first {exc.limit})",
                extra={"actor": peer},
            )
            return result
        except requests.exceptions.ConnectTimeout:
            result.finding = _unreachable(
                peer, url, f"no connection within {self.timeouts.connect_s} s"
            )
            return result
        except requests.exceptions.ReadTimeout:
            result.finding = error(
                "WIRE-TIMEOUT",
                f"{peer} sent no reply within the read timeout of {self.timeouts.read_s} s",
                extra={"actor": peer},
            )
            return result
        except requests.exceptions.SSLError as exc:
            result.finding = error(
                "WIRE-TLS", f"TLS with {peer} failed: {exc}", blame=Blame.INFRASTRUCTURE
            )
            return result
        except requests.exceptions.ConnectionError as exc:
            if _refused(exc):
                result.finding = _unreachable(peer, url, "connection refused")
            else:
                result.finding = error(
                    "WIRE-CONNECTION",
                    f"{peer} dropped the connection before the reply was complete: {_short(exc)}",
                    extra={"actor": peer},
                )
            return result
        except requests.exceptions.RequestException as exc:
            result.finding = error(
                "WIRE-CONNECTION",
                f"HTTP exchange with {peer} failed: {_short(exc)}",
                extra={"actor": peer},
            )
            return result
        finally:
            result.elapsed_s = time.monotonic() - start
        result.status = response.status_code
        result.received = redact(response.content, secrets)
        text = fault_text(response.content) if response.content else None
        if text is not None:
            result.finding = error(
                "WIRE-SOAP-FAULT",
                f"{peer} answered with a SOAP Fault: {text[:300]}",
                received=f"HTTP {response.status_code}",
                extra={"actor": peer},
            )
        elif response.status_code >= 400:
            result.finding = error(
                "WIRE-HTTP-STATUS",
                f"{peer} answered HTTP {response.status_code}",
                expected="2xx",
                received=str(response.status_code),
                extra={"actor": peer},
            )
        return result


def port_problem(host: str, port: int) -> str | None:
    """Why nothing can listen on host:port, or None when it is free."""
    import socket

    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
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


class HttpServer:
    """A threaded WSGI server on a loopback (or configured) interface, stopped cleanly."""

    def __init__(
        self,
        host: str,
        port: int,
        handler: Handler,
        max_body_bytes: int,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.max_body_bytes = max_body_bytes
        self.handler = handler
        self.scheme = "https" if ssl_context is not None else "http"
        try:
            self._server: BaseWSGIServer = make_server(
                host, port, self._app, threaded=True, ssl_context=ssl_context
            )
        except SystemExit:  # werkzeug exits on a port in use: report it as what it is
            raise OSError(f"cannot listen on {host}:{port}: address already in use") from None
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_port)

    @property
    def address(self) -> str:
        return f"{self.scheme}://{self._server.host}:{self.port}"

    def _app(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        request.max_content_length = self.max_body_bytes
        try:
            response = self.handler(request)
        except RequestEntityTooLarge:  # a chunked body that grew past the limit
            response = Response(f"body over {self.max_body_bytes} bytes", status=413)
        return response(environ, start_response)

    def start(self) -> HttpServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
