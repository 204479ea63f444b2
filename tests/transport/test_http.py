"""The wire client against a real loopback server: every failure becomes a named finding."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
import responses
from ports import free_port
from werkzeug.wrappers import Request, Response

from amicert.config import Security, Timeouts
from amicert.findings import Blame
from amicert.transport.http import HttpClient, HttpServer
from amicert.transport.soap import fault

TIMEOUTS = Timeouts(connect_s=1.0, read_s=0.5, max_body_bytes=4096)


def _half(body: bytes) -> Iterator[bytes]:
    yield body[: len(body) // 2]
    raise ConnectionAbortedError("dropped")


def handler(request: Request) -> Response:
    path = request.path
    if path == "/ok":
        return Response(b"<ok/>", content_type="text/xml")
    if path == "/fault":
        return Response(fault("Server", "broken on purpose"), status=500, content_type="text/xml")
    if path == "/slow":
        time.sleep(1.5)
        return Response(b"<late/>")
    if path == "/drop":
        return Response(_half(b"<x>" + b"a" * 100 + b"</x>"), headers={"Content-Length": "107"})
    if path == "/big":
        return Response(b"<x>" + b"a" * 10000 + b"</x>")
    if path == "/echo":
        return Response(request.get_data())
    return Response(b"nope", status=404)


@pytest.fixture(scope="module")
def server() -> Iterator[HttpServer]:
    srv = HttpServer("127.0.0.1", 0, handler, max_body_bytes=1024).start()
    yield srv
    srv.stop()


@pytest.fixture
def client() -> HttpClient:
    return HttpClient(TIMEOUTS, Security())


def post(client: HttpClient, server: HttpServer, path: str, body: bytes = b"<req/>") -> object:
    return client.post(server.address + path, body, {"Content-Type": "text/xml"}, peer="MDM")


def test_a_reply_is_received(client: HttpClient, server: HttpServer) -> None:
    result = post(client, server, "/ok")
    assert result.finding is None and result.received == b"<ok/>" and result.status == 200  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("path", "rule"),
    [
        ("/fault", "WIRE-SOAP-FAULT"),
        ("/slow", "WIRE-TIMEOUT"),
        ("/drop", "WIRE-CONNECTION"),
        ("/big", "WIRE-BODY-TOO-LARGE"),
        ("/missing", "WIRE-HTTP-STATUS"),
    ],
)
def test_a_wrong_answer_is_a_finding_against_the_peer(
    client: HttpClient, server: HttpServer, path: str, rule: str
) -> None:
    result = post(client, server, path)
    finding = result.finding  # type: ignore[attr-defined]
    assert finding is not None and finding.rule == rule
    assert finding.extra["actor"] == "MDM"  # the answering actor is blamed


def test_a_slow_peer_is_cut_at_the_read_timeout(client: HttpClient, server: HttpServer) -> None:
    start = time.monotonic()
    post(client, server, "/slow")
    assert time.monotonic() - start < 1.4


def test_nothing_listening_is_unreachable_and_inconclusive(client: HttpClient) -> None:
    result = client.post(f"http://127.0.0.1:{free_port()}/x", b"<r/>", {}, peer="MDM")
    assert result.finding is not None
    assert result.finding.rule == "WIRE-UNREACHABLE"
    assert result.finding.blame is Blame.INFRASTRUCTURE


def test_the_server_refuses_a_body_over_its_limit(client: HttpClient, server: HttpServer) -> None:
    result = post(client, server, "/echo", b"<x>" + b"a" * 2000 + b"</x>")
    assert result.status == 413  # type: ignore[attr-defined]


@responses.activate
def test_credentials_are_redacted_from_what_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PW", "hunter2")
    responses.add(responses.POST, "http://sut.example/x", body=b"<echo>hunter2</echo>")
    client = HttpClient(TIMEOUTS, Security(username="u", password_env="PW"))
    result = client.post("http://sut.example/x", b"<Password>hunter2</Password>", {}, peer="MDM")
    assert b"hunter2" not in result.sent and b"***" in result.sent
    assert result.received is not None and b"hunter2" not in result.received
    assert responses.calls[0].request.body == b"<Password>hunter2</Password>"  # sent for real
    assert "credentials redacted" in result.notes[0]


@pytest.mark.parametrize("password", ["hunter2", 's3cr&t<pw>"é', "päss'wörd"])
def test_a_ws_security_password_never_reaches_the_evidence(password: str) -> None:
    from amicert.transport.http import blank_passwords, redact
    from amicert.transport.soap import envelope, username_token

    wire = envelope(b"<m xmlns='urn:x'>1</m>", [username_token("harness", password)])
    kept = redact(blank_passwords(wire), [password])
    from xml.sax.saxutils import escape

    for form in (password, escape(password)):
        assert form.encode() not in kept
    assert b"<wsse:Password" in kept and b"***" in kept
    # a secret echoed elsewhere, escaped, is redacted too
    echoed = f"<echo>{escape(password)}</echo>".encode()
    assert escape(password).encode() not in redact(echoed, [password])


@responses.activate
def test_a_malformed_clock_answer_from_test_control_is_a_finding_on_the_product() -> None:
    from datetime import UTC, datetime

    from amicert.adapters.remote import TestControlAnswerError, TestControlClient

    client = TestControlClient("http://sut.example/tc", TIMEOUTS, Security())
    now = "2026-01-05T00:00:00+00:00"
    responses.add(
        responses.POST,
        "http://sut.example/tc/clock/advance",
        json={"now": now, "next_event": "soon"},
    )
    with pytest.raises(TestControlAnswerError, match=r"at \$\.next_event") as info:
        client.advance_to(datetime(2026, 1, 5, tzinfo=UTC))
    assert info.value.finding.rule == "TEST-CONTROL-ANSWER"
    assert info.value.finding.blame is Blame.SUT
    responses.replace(
        responses.POST,
        "http://sut.example/tc/clock/advance",
        json={"now": now, "next_event": "2026-01-05T01:00:00"},
    )
    with pytest.raises(TestControlAnswerError, match=r"at \$\.next_event"):
        client.advance_to(datetime(2026, 1, 5, tzinfo=UTC))
    responses.add(responses.GET, "http://sut.example/tc/capabilities", body=b"x" * 5000)
    with pytest.raises(TestControlAnswerError, match="answer over 4096 bytes") as big:
        client.capabilities()
    assert big.value.finding.rule == "TEST-CONTROL-ANSWER"
    assert big.value.head == b"x" * 4096  # the offending bytes, up to the cap


@responses.activate
def test_a_wrong_answer_while_setting_up_leads_the_verdict() -> None:
    """A malformed configure answer came before every row: it, not what follows, is the reason."""
    from amicert.adapters.remote import TestControlAnswerError, TestControlClient
    from amicert.findings import error as err
    from amicert.verdicts import Verdict, decide

    client = TestControlClient("http://sut.example/tc", TIMEOUTS, Security())
    client.use_case = "I2"
    responses.add(responses.POST, "http://sut.example/tc/configure", json={"meters": "all"})
    with pytest.raises(TestControlAnswerError):
        client.configure({"meters": {}})
    [finding] = client.answer_findings
    assert (finding.rule, finding.extra.get("phase")) == ("TEST-CONTROL-ANSWER", "set-up")
    later = err("SEQ-MISSING", "never sent", step="3.7#4")
    outcome = decide([later, finding], order={"3.7#1": 0, "3.7#4": 1})
    assert (outcome.verdict, outcome.rule) == (Verdict.FAIL, "TEST-CONTROL-ANSWER")
    responses.add(responses.POST, "http://sut.example/tc/state", json=[])  # a check's read
    with pytest.raises(TestControlAnswerError):
        client.state("mdm_events", meter="M-1")
    assert "phase" not in client.answer_findings[-1].extra  # read at a row: no set-up


def test_port_in_time_wait_is_free_to_listen() -> None:
    """A previous run's connection left in TIME_WAIT does not keep the next run's listener out."""

    from amicert.transport.http import port_problem

    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    served, _ = listener.accept()
    served.close()  # the listening side closes first: its end stays in TIME_WAIT
    client.close()
    listener.close()
    assert port_problem("127.0.0.1", port) is None
    with socket.socket() as holder:  # a port really in use is still reported
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        problem = port_problem("127.0.0.1", holder.getsockname()[1])
    assert problem is not None and "cannot listen" in problem
