"""Budgets that hold while bytes trickle in, and redirects that are never followed.

A raw socket server plays the peer, so the bytes and their timing are exactly what a hostile
product would send; the bounds asserted are generous multiples of the budget.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest

from amicert.adapters.remote import TestControlAnswerError, TestControlClient, parse_json
from amicert.config import Security, Timeouts
from amicert.transport.http import HttpClient

TIMEOUTS = Timeouts(connect_s=0.5, read_s=0.5, max_body_bytes=4096)
BUDGET = TIMEOUTS.connect_s + TIMEOUTS.read_s

Behaviour = Callable[[socket.socket], None]


class RawPeer:
    """A one-behaviour TCP peer; records whether anything connected to it."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.behaviour = behaviour
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(5)
            _read_request(conn)  # all of it: closing on unread bytes would reset the connection
            self.behaviour(conn)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self.sock.close()


def _read_request(conn: socket.socket) -> bytes:
    """The whole request: headers, then as many body bytes as Content-Length says."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip() or 0)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def drip(head: bytes, body: bytes) -> Behaviour:
    def run(conn: socket.socket) -> None:
        conn.sendall(head)
        for i in range(len(body)):
            conn.sendall(body[i : i + 1])
            time.sleep(0.1)

    return run


def once(data: bytes) -> Behaviour:
    def run(conn: socket.socket) -> None:
        conn.sendall(data)

    return run


@pytest.fixture
def peer() -> Iterator[Callable[[Behaviour], RawPeer]]:
    made: list[RawPeer] = []

    def make(behaviour: Behaviour) -> RawPeer:
        made.append(RawPeer(behaviour))
        return made[-1]

    yield make
    for p in made:
        p.close()


BODY = b"<ok>" + b"x" * 200 + b"</ok>"
DRIP_BODY = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(BODY)


def test_a_reply_dripping_one_byte_at_a_time_is_cut_at_the_budget(peer: Callable) -> None:  # type: ignore[type-arg]
    slow = peer(drip(DRIP_BODY, BODY))
    start = time.monotonic()
    result = HttpClient(TIMEOUTS, Security()).post(slow.url + "/x", b"<r/>", {}, peer="MDM")
    assert time.monotonic() - start < 3 * BUDGET  # the drip alone would take 21 s
    assert result.finding is not None and result.finding.rule == "WIRE-TIMEOUT"
    assert "not complete within" in result.finding.message
    assert result.received is not None and result.received.startswith(b"<ok>xx")  # kept


def test_headers_dripping_are_cut_at_the_budget(peer: Callable) -> None:  # type: ignore[type-arg]
    slow = peer(drip(b"", b"HTTP/1.1 200 OK\r\nX-Slow: " + b"." * 200))
    start = time.monotonic()
    result = HttpClient(TIMEOUTS, Security()).post(slow.url + "/x", b"<r/>", {}, peer="MDM")
    assert time.monotonic() - start < 3 * BUDGET
    assert result.finding is not None and result.finding.rule == "WIRE-TIMEOUT"


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_a_finding_with_its_headers_and_is_never_followed(
    peer: Callable,  # type: ignore[type-arg]
    status: int,
) -> None:
    elsewhere = peer(once(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n<a/>"))
    mover = peer(
        once(
            b"HTTP/1.1 %d Moved\r\nLocation: %s/steal\r\nContent-Length: 5\r\n\r\nmoved"
            % (status, elsewhere.url.encode())
        )
    )
    result = HttpClient(TIMEOUTS, Security()).post(mover.url + "/x", b"<r/>", {}, peer="MDM")
    assert result.finding is not None and result.finding.rule == "WIRE-REDIRECT"
    assert result.status == status and result.received == b"moved"
    assert f"Location: {elsewhere.url}/steal" in (result.finding.received or "")
    time.sleep(0.2)
    assert elsewhere.connections == 0  # nothing went where the product pointed


def test_an_empty_200_is_no_reply_where_one_is_declared(peer: Callable) -> None:  # type: ignore[type-arg]
    empty = peer(once(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
    client = HttpClient(TIMEOUTS, Security())
    declared = client.post(empty.url + "/x", b"<r/>", {}, peer="MDM", expect_reply=True)
    assert declared.finding is not None and declared.finding.rule == "MSG-NO-REPLY"
    one_way = client.post(empty.url + "/x", b"<r/>", {}, peer="MDM", expect_reply=False)
    assert one_way.finding is None


def test_every_exchange_has_a_connection_of_its_own(peer: Callable) -> None:  # type: ignore[type-arg]
    """A connection the peer holds open after answering is never reused: a peer that answers
    once per connection answers every exchange."""

    def answer_and_hold(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n<a/>")
        time.sleep(3 * BUDGET)  # holds the connection open, silent

    holder = peer(answer_and_hold)
    client = HttpClient(TIMEOUTS, Security())
    for _ in range(3):
        result = client.post(holder.url + "/x", b"<r/>", {}, peer="MDM")
        assert result.finding is None and result.received == b"<a/>"
    assert holder.connections == 3


def test_a_connection_reset_mid_reply_keeps_what_came(peer: Callable) -> None:  # type: ignore[type-arg]
    cut = peer(once(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n<half-of-it>"))
    result = HttpClient(TIMEOUTS, Security()).post(cut.url + "/x", b"<r/>", {}, peer="MDM")
    assert result.finding is not None and result.finding.rule == "WIRE-CONNECTION"
    assert result.received == b"<half-of-it>"


def test_test_control_dripping_is_a_timeout_on_the_product(peer: Callable) -> None:  # type: ignore[type-arg]
    body = b'{"now": "2026-01-05T00:00:00+00:00"}'
    slow = peer(drip(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body), body))
    client = TestControlClient(slow.url, TIMEOUTS, Security())
    start = time.monotonic()
    with pytest.raises(TestControlAnswerError) as info:
        client.reset("AEP-5.8")
    assert time.monotonic() - start < 3 * BUDGET
    assert info.value.finding.rule == "WIRE-TIMEOUT" and info.value.head.startswith(b'{"')


def test_test_control_redirect_is_a_finding_and_not_followed(peer: Callable) -> None:  # type: ignore[type-arg]
    elsewhere = peer(once(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"))
    mover = peer(
        once(
            b"HTTP/1.1 307 Go\r\nLocation: %s/x\r\nContent-Length: 0\r\n\r\n"
            % elsewhere.url.encode()
        )
    )
    with pytest.raises(TestControlAnswerError) as info:
        TestControlClient(mover.url, TIMEOUTS, Security()).advance_to(datetime.now(UTC))
    assert info.value.finding.rule == "WIRE-REDIRECT"
    time.sleep(0.2)
    assert elsewhere.connections == 0


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested deeper"),
        (b'{"a": ' * 70 + b"1" + b"}" * 70, "nested deeper"),
        (b"<html>oops</html>", "not JSON"),
        (b'["a", "list"]', "not an object"),
        (b"\xff\xfe{}", "not UTF-8"),
    ],
)
def test_a_malformed_test_control_answer_is_a_finding_never_an_exception(
    peer: Callable,  # type: ignore[type-arg]
    answer: bytes,
    why: str,
) -> None:
    bad = peer(once(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(answer) + answer))
    client = TestControlClient(bad.url, Timeouts(connect_s=1, read_s=1), Security())
    with pytest.raises(TestControlAnswerError, match=why) as info:
        client.capabilities()
    assert info.value.finding.rule == "TEST-CONTROL-ANSWER"


def test_json_within_the_limits_parses_and_strings_do_not_count_as_nesting() -> None:
    assert parse_json(b'{"a": "[[[[[[[[[[", "b": [[1]]}') == {"a": "[[[[[[[[[[", "b": [[1]]}
    assert parse_json(b'{"q": "\\"[{"}') == {"q": '"[{'}
    with pytest.raises(ValueError, match="deeper than 3"):
        parse_json(b"[[[[1]]]]", max_depth=3)
