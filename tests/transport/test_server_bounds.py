"""The harness's own server against slow and numerous senders: bounded, reported, never stuck."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from werkzeug.wrappers import Request, Response

from amicert.transport.http import MAX_CONNECTIONS, HttpServer, received_body

BUDGET = 1.0
seen: list[tuple[bytes, str | None]] = []


def handler(request: Request) -> Response:
    seen.append(received_body(request, 4096))
    return Response(b"<ok/>")


@pytest.fixture
def server() -> Iterator[HttpServer]:
    seen.clear()
    srv = HttpServer(
        "127.0.0.1", 0, handler, 4096, budget_s=BUDGET, socket_timeout_s=BUDGET, max_connections=4
    )
    refused: list[int] = []
    abandoned: list[str] = []
    srv.on_refused = refused.append
    srv.on_abandoned = lambda peer, why: abandoned.append(why)
    srv.refused_log = refused  # type: ignore[attr-defined]
    srv.abandoned_log = abandoned  # type: ignore[attr-defined]
    srv.start()
    yield srv
    srv.stop()


def connect(server: HttpServer) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=10)


def test_a_body_trickling_in_is_cut_at_the_budget_with_what_came(server: HttpServer) -> None:
    body = b"<x>" + b"a" * 100 + b"</x>"
    with connect(server) as sock:
        sock.sendall(b"POST /in HTTP/1.1\r\nHost: h\r\nContent-Length: %d\r\n\r\n" % len(body))
        start = time.monotonic()
        for i in range(len(body)):
            try:
                sock.sendall(body[i : i + 1])
            except OSError:
                break  # cut off by the server
            time.sleep(0.05)
            if time.monotonic() - start > 3 * BUDGET:
                break
        answer = sock.recv(100)
    assert answer.startswith(b"HTTP/1.1 200")  # the handler decided, on what had arrived
    [(got, why)] = seen
    assert why is not None and "not complete within 1 s" in why
    assert got.startswith(b"<x>aa") and len(got) < len(body)


def test_headers_trickling_in_are_cut_and_reported(server: HttpServer) -> None:
    with connect(server) as sock:
        start = time.monotonic()
        for ch in b"POST /in HTTP/1.1\r\nX-Slow: " + b"." * 200:
            try:
                sock.sendall(bytes([ch]))
            except OSError:
                break
            time.sleep(0.05)
            if time.monotonic() - start > 3 * BUDGET:
                break
    deadline = time.monotonic() + 3 * BUDGET
    while not server.abandoned_log and time.monotonic() < deadline:  # type: ignore[attr-defined]
        time.sleep(0.05)
    assert server.abandoned_log == [  # type: ignore[attr-defined]
        "no complete request line and headers within 1 s"
    ]
    assert seen == []


def test_connections_over_the_cap_are_refused_with_503_and_counted(server: HttpServer) -> None:
    held = [connect(server) for _ in range(4)]  # idle: each holds a slot until its budget ends
    time.sleep(0.2)
    with connect(server) as extra:
        assert extra.recv(100).startswith(b"HTTP/1.1 503")
    time.sleep(0.2)  # the count is reported right after the answer
    assert server.refused_log == [1]  # type: ignore[attr-defined]
    for sock in held:
        sock.close()
    time.sleep(BUDGET + 0.5)  # the slots come back
    with connect(server) as sock:
        sock.sendall(b"GET /again HTTP/1.1\r\nHost: h\r\n\r\n")
        assert sock.recv(100).startswith(b"HTTP/1.1 200")


def test_the_default_cap_is_the_documented_one() -> None:
    text = (__import__("pathlib").Path(__file__).parents[2] / "docs" / "rules.md").read_text()
    assert f"at most {MAX_CONNECTIONS} connections" in text


def test_a_request_without_a_body_is_answered_at_once(server: HttpServer) -> None:
    with connect(server) as sock:
        start = time.monotonic()
        sock.sendall(b"GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
        assert sock.recv(100).startswith(b"HTTP/1.1 200")
        assert time.monotonic() - start < BUDGET  # not waiting for a body that never comes
    assert seen == [(b"", None)]


def test_many_parallel_senders_are_all_answered_or_refused(server: HttpServer) -> None:
    statuses: list[bytes] = []

    def send() -> None:
        try:
            with connect(server) as sock:
                sock.sendall(b"POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\n<a/>")
                statuses.append(sock.recv(12))
        except OSError:
            statuses.append(b"reset")

    threads = [threading.Thread(target=send) for _ in range(60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(statuses) == 60
    assert all(s.startswith((b"HTTP/1.1 200", b"HTTP/1.1 503")) or s == b"reset" for s in statuses)
