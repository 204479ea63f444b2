"""Wall-clock budgets for HTTP exchanges, enforced while bytes trickle in.

A socket timeout bounds each read, so a peer that sends one byte a second never trips it. A
:class:`Deadline` shuts down the sockets of one exchange when its budget is spent: a blocked read
returns at once whatever the peer does, and the caller reports the exchange as too slow, keeping
the bytes that did arrive. Redirects are never followed: a 3xx comes back as :class:`Redirected`.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ReadTimeoutError

#: how much of a redirect's body is kept as evidence
REDIRECT_HEAD = 64 * 1024


class Deadline:
    """A watchdog over the sockets of one exchange; when it fires, they are shut down."""

    def __init__(self, budget_s: float, how: int = socket.SHUT_RDWR) -> None:
        self.budget_s = budget_s
        self.how = how  # SHUT_RD: stop reading, but leave the way open for an answer
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self.end = 0.0
        self.arm(budget_s)

    def arm(self, budget_s: float, how: int | None = None) -> None:
        """(Re)start the budget from now: a new phase of the exchange gets the full budget."""
        self.cancel()
        self.budget_s = budget_s
        self.expired = False
        if how is not None:
            self.how = how
        self.end = time.monotonic() + budget_s
        self._timer = threading.Timer(budget_s, self.fire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            if sock not in self._sockets:
                self._sockets.append(sock)
            late = self.expired
        if late:
            _shut(sock, self.how)

    def fire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock, self.how)

    def spent(self) -> bool:
        """True once the budget is over (the timer thread may not have run yet)."""
        return self.expired or time.monotonic() >= self.end

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def _shut(sock: socket.socket, how: int = socket.SHUT_RDWR) -> None:
    with contextlib.suppress(OSError):  # already closed: nothing left to interrupt
        sock.shutdown(how)


_current = threading.local()


@contextmanager
def deadline(budget_s: float) -> Iterator[Deadline]:
    """A deadline for the exchanges this thread makes inside the block."""
    found = Deadline(budget_s)
    previous = getattr(_current, "value", None)
    _current.value = found
    try:
        yield found
    finally:
        found.cancel()
        _current.value = previous


def _watch_current(sock: Any) -> None:
    current: Deadline | None = getattr(_current, "value", None)
    if current is not None and isinstance(sock, socket.socket):
        current.watch(sock)


class _WatchedHTTPConnection(HTTPConnection):
    """An HTTP connection whose socket the current deadline can shut down."""

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _watch_current(sock)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        _watch_current(self.sock)  # a reused connection
        super().request(*args, **kwargs)

    def getresponse(self) -> Any:
        _watch_current(self.sock)
        return super().getresponse()


class _WatchedHTTPSConnection(HTTPSConnection):
    """The TLS form: the raw socket is watched before the handshake, so a slow one is cut too."""

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _watch_current(sock)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        _watch_current(self.sock)
        super().request(*args, **kwargs)

    def getresponse(self) -> Any:
        _watch_current(self.sock)
        return super().getresponse()


class _OneExchangePerConnection(HTTPConnectionPool):
    """Every exchange on a connection of its own: none is kept for the next one.

    A product may close an idle keep-alive connection at any moment (HTTP/1.1 allows it); reusing
    one it has just closed fails as a reset that the product did not cause. A fresh connection
    per exchange keeps each exchange's evidence and blame its own.
    """

    def _put_conn(self, conn: Any) -> None:
        if conn is not None:
            conn.close()
        super()._put_conn(None)


class _Pool(_OneExchangePerConnection):
    ConnectionCls = _WatchedHTTPConnection


class _TlsPool(_OneExchangePerConnection, HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class DeadlineAdapter(HTTPAdapter):
    """requests' adapter on connections a :class:`Deadline` can interrupt."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _Pool, "https": _TlsPool}


class _NoRedirects(requests.Session):
    """A session that never even prepares a redirect.

    requests reads a 3xx body in full to prepare the next request, even when redirects are not
    followed: unbounded. Here the 3xx is answered to the caller as it is.
    """

    def get_redirect_target(self, resp: requests.Response) -> None:
        return None


def bounded_session() -> requests.Session:
    """A session for talking to a product: deadline-aware, and configured by the profile alone.

    ``trust_env`` is off: no proxy, CA bundle or ``.netrc`` credentials from the environment are
    ever used towards a product (a ``.netrc`` password would otherwise be sent to it).
    """
    session = _NoRedirects()
    session.trust_env = False
    adapter = DeadlineAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class WireFailure(Exception):
    """An exchange that did not end in a complete answer; ``head`` holds the bytes that came."""

    def __init__(self, message: str, head: bytes = b"") -> None:
        super().__init__(message)
        self.head = head


class Redirected(WireFailure):
    """The peer answered 3xx: never followed, reported with its status line and headers."""

    def __init__(self, status: int, reason: str, headers: dict[str, str], head: bytes) -> None:
        super().__init__(f"HTTP {status} {reason}".strip(), head)
        self.status = status
        self.reason = reason
        self.headers = headers

    @property
    def location(self) -> str:
        return next((v for k, v in self.headers.items() if k.lower() == "location"), "")

    def header_text(self) -> str:
        lines = [f"HTTP {self.status} {self.reason}".strip()]
        lines += [f"{k}: {v}" for k, v in self.headers.items()]
        return "\n".join(lines)


class BodyTooLarge(WireFailure):
    """The answer grew past the size cap; its first ``limit`` bytes are kept."""

    def __init__(self, limit: int, head: bytes) -> None:
        super().__init__(f"response body over {limit} bytes", head)
        self.limit = limit


class Dropped(WireFailure):
    """The peer closed or reset the connection before its answer was complete."""


class DeadlineExceeded(WireFailure):
    """The answer was not complete within the exchange's budget."""

    def __init__(self, budget_s: float, head: bytes, phase: str, status: int | None) -> None:
        super().__init__(f"answer not complete within {budget_s:g} s ({phase})", head)
        self.budget_s = budget_s
        self.phase = phase
        self.status = status


@dataclass
class Answer:
    """A complete answer to one exchange."""

    status: int
    reason: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


def bounded_request(
    session: requests.Session,
    method: str,
    url: str,
    *,
    connect_s: float,
    read_s: float,
    budget_s: float,
    max_bytes: int,
    verify: Any = True,
    **kwargs: Any,
) -> Answer:
    """One HTTP exchange, bounded in time (per read and in total) and in size, never redirected.

    Raises :class:`Redirected`, :class:`BodyTooLarge`, :class:`DeadlineExceeded`, or the requests
    exception of a failure the deadline did not cause (refused, reset, TLS ...).
    """
    with deadline(budget_s) as watch:
        try:
            response = session.request(
                method,
                url,
                timeout=(connect_s, read_s),
                stream=True,
                allow_redirects=False,
                verify=verify,  # per request: the environment must never override the profile
                **kwargs,
            )
        except requests.RequestException:
            if watch.spent():
                raise DeadlineExceeded(
                    budget_s, b"", "no complete status line and headers", None
                ) from None
            raise
        chunks: list[bytes] = []
        size = 0
        cap = min(max_bytes, REDIRECT_HEAD) if 300 <= response.status_code < 400 else max_bytes
        try:
            while True:
                if watch.spent():
                    raise DeadlineExceeded(budget_s, b"".join(chunks), "body", response.status_code)
                chunk = response.raw.read1(65536, decode_content=True)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
                if size > cap:
                    break
        except DeadlineExceeded:
            raise
        except Exception as exc:
            if _is_timeout(exc):
                raise DeadlineExceeded(
                    budget_s,
                    b"".join(chunks),
                    f"silent for the read timeout of {read_s:g} s within the body",
                    response.status_code,
                ) from None
            if watch.spent():
                raise DeadlineExceeded(
                    budget_s, b"".join(chunks), "body", response.status_code
                ) from None
            raise Dropped(
                f"connection broken after {size} bytes of the answer", b"".join(chunks)
            ) from None
        finally:
            response.close()
        if watch.expired and size <= cap:  # a close-delimited body ends at the shutdown too
            raise DeadlineExceeded(budget_s, b"".join(chunks), "body", response.status_code)
    body = b"".join(chunks)
    headers = dict(response.headers)
    if 300 <= response.status_code < 400:
        raise Redirected(response.status_code, response.reason or "", headers, body[:cap])
    if size > max_bytes:
        raise BodyTooLarge(max_bytes, body[:max_bytes])
    return Answer(response.status_code, response.reason or "", headers, body)


def _is_timeout(exc: BaseException) -> bool:
    """A socket-level read timeout, however urllib3 or requests wrapped it."""
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return False
        if isinstance(seen, (TimeoutError, socket.timeout, ReadTimeoutError)):
            return True
        if isinstance(seen, requests.exceptions.ReadTimeout):
            return True
        seen = (
            seen.__cause__
            or seen.__context__
            or (seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else None)
        )
    return False
