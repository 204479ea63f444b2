"""The harness-hosted endpoint: hostile or broken input from a vendor becomes recorded findings."""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from amicert.adapters.endpoint import Endpoint
from amicert.catalog import load_catalog
from amicert.cim.validate import Validator
from amicert.config import load_profile
from amicert.world import RunOptions, World

ROOT = Path(__file__).resolve().parents[2]
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
<EventMessage xmlns="http://iec.ch/TC57/2011/schema/message"><Header><Verb>created</Verb>
<Noun>EndDeviceEvents</Noun></Header><Payload>&x;</Payload></EventMessage>
</soapenv:Body></soapenv:Envelope>"""


@pytest.fixture
def world() -> World:
    catalog = load_catalog()
    uc = catalog["AEP-5.8"]
    profile = load_profile(ROOT / "examples" / "headend-over-soap.toml")
    w = World(uc, uc.scenario("normal"), Validator(), RunOptions(profile=profile))
    w.control = None  # no vendor to reset: the endpoint alone is under test
    w.start()
    return w


def post(endpoint: Endpoint, path: str, body: bytes) -> tuple[int, bytes]:
    env = EnvironBuilder(method="POST", path=path, data=body, content_type="text/xml").get_environ()
    response = endpoint(Request(env))
    return response.status_code, response.get_data()


def test_an_xxe_message_is_recorded_flagged_and_answered_with_a_fault(world: World) -> None:
    status, reply = post(Endpoint(lambda: world), "/ReceiveEndDeviceEvents", XXE)
    assert status == 500 and b"Fault" in reply
    request, answer = world.trace.exchanges
    assert request.body == XXE  # kept byte for byte
    assert [f.rule for f in request.findings] == ["XML-DOCTYPE"]
    assert b"root:" not in answer.body  # nothing was read from the local file system
    assert (request.producer, request.receiver) == ("AMI Head-End", "MDM")


def test_an_oversize_body_is_refused_unread_but_recorded(world: World) -> None:
    status, _ = post(
        Endpoint(lambda: world, max_body_bytes=100), "/ReceiveEndDeviceEvents", b"<a/>" * 100
    )
    assert status == 413
    [x] = world.trace.exchanges
    assert "WIRE-BODY-TOO-LARGE" in [f.rule for f in x.findings]
    assert "400 bytes over the limit" in x.note


def test_a_chunked_oversize_body_is_refused_with_its_head_kept(world: World) -> None:
    import io

    env = EnvironBuilder(
        method="POST",
        path="/ReceiveEndDeviceEvents",
        input_stream=io.BytesIO(b"<a/>" * 1000),
        headers={"Transfer-Encoding": "chunked"},
    ).get_environ()
    env.pop("CONTENT_LENGTH", None)
    env["wsgi.input_terminated"] = True
    response = Endpoint(lambda: world, max_body_bytes=1000)(Request(env))
    assert response.status_code == 413
    [x] = world.trace.exchanges
    assert len(x.body) == 1000 and "first 1000 bytes kept" in x.note
    assert "WIRE-BODY-TOO-LARGE" in [f.rule for f in x.findings]


def test_an_unknown_service_is_recorded_and_refused(world: World) -> None:
    status, reply = post(Endpoint(lambda: world), "/ExecuteToasters", b"<a/>")
    assert status == 404 and b"no service" in reply
    assert len(world.trace.exchanges) == 2


def test_no_running_scenario_is_a_clear_503() -> None:
    status, reply = post(Endpoint(lambda: None), "/ReceiveEndDeviceEvents", b"<a/>")
    assert status == 503 and b"no scenario is running" in reply


def test_a_vendor_claiming_to_be_a_harness_actor_is_recorded_as_impersonation(world: World) -> None:
    env = EnvironBuilder(
        method="POST",
        path="/ReceiveEndDeviceEvents",
        data=b"<a/>",
        content_type="text/xml",
        headers={"X-Amicert-Producer": "Meter Vendor", "X-Amicert-Receiver": "MDM"},
    ).get_environ()
    response = Endpoint(lambda: world)(Request(env))
    assert response.status_code == 400
    request = world.trace.exchanges[0]
    assert request.producer == "AMI Head-End"  # recorded against the real peer
    assert [f.rule for f in request.findings if f.rule.startswith("WIRE")] == ["WIRE-IMPERSONATION"]


def test_a_misrouted_device_message_is_recorded_not_dropped(world: World) -> None:
    env = EnvironBuilder(
        method="POST",
        path="/amicert/device",
        data=b"<a/>",
        content_type="application/xml",
        headers={"X-Amicert-Producer": "AMI Head-End", "X-Amicert-Receiver": "Toaster"},
    ).get_environ()
    response = Endpoint(lambda: world)(Request(env))
    assert response.status_code == 400
    [request, _] = world.trace.exchanges
    assert request.body == b"<a/>"
    assert "WIRE-ROUTING" in [f.rule for f in request.findings]


def test_an_inbound_password_and_echoed_secrets_never_reach_the_record(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    import base64

    from amicert.transport.soap import envelope, username_token

    secret = "inbound-Secret&<9>"
    monkeypatch.setenv("ACME_TOKEN", secret)  # a secret of the environment, named like one
    inner = f"<m xmlns='urn:x'>{base64.b64encode(secret.encode()).decode()}</m>".encode()
    body = envelope(inner, [username_token("vendor", "the-vendors-own-pw")])
    post(Endpoint(lambda: world), "/ReceiveEndDeviceEvents", body)
    recorded = world.trace.exchanges[0].body
    assert b"the-vendors-own-pw" not in recorded and b"<wsse:Password" in recorded
    assert base64.b64encode(secret.encode()) not in recorded


def test_a_finding_at_the_endpoint_reaches_the_verdict(world: World) -> None:
    post(Endpoint(lambda: world, max_body_bytes=100), "/ReceiveEndDeviceEvents", b"<a/>" * 100)
    assert [f.rule for f in world.findings] == ["WIRE-BODY-TOO-LARGE"]


EVENT = b"""<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
<EventMessage xmlns="http://iec.ch/TC57/2011/schema/message"><Header><Verb>created</Verb>
<Noun>EndDeviceEvents</Noun></Header></EventMessage></soapenv:Body></soapenv:Envelope>"""


@pytest.mark.parametrize(
    ("action", "wrong"),
    [
        ('"http://iec.ch/TC57/2011/EndDeviceEvents/CreatedEndDeviceEvents"', False),
        ('"ChangeTroubleOrders"', True),
        ("http://iec.ch/TC57/2011/EndDeviceEvents/CreatedEndDeviceEvents", True),  # unquoted
        (None, True),
    ],
)
def test_the_soap_action_of_what_the_product_sends_is_checked(
    world: World, action: str | None, wrong: bool
) -> None:
    headers = {} if action is None else {"SOAPAction": action}
    env = EnvironBuilder(
        method="POST",
        path="/ReceiveEndDeviceEvents",
        data=EVENT,
        content_type="text/xml",
        headers=headers,
    ).get_environ()
    Endpoint(lambda: world)(Request(env))
    found = [f for f in world.trace.exchanges[0].findings if f.rule == "WIRE-SOAPACTION"]
    assert bool(found) is wrong
    if found:
        assert found[0].expected == (
            '"http://iec.ch/TC57/2011/EndDeviceEvents/CreatedEndDeviceEvents"'
        )
        assert found[0].received == (action or "(none)")
