"""TLS on loopback: the profile's CA bundle is honoured, and an untrusted server is INCONCLUSIVE."""

from __future__ import annotations

import shutil
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_support import self_signed_cert
from werkzeug.wrappers import Request, Response

from amicert.config import Security, Timeouts
from amicert.findings import Blame
from amicert.transport.http import HttpClient, HttpServer

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl CLI not installed")


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[HttpServer, Path]]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = self_signed_cert(folder)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server = HttpServer(
        "127.0.0.1", 0, lambda r: Response(b"<ok/>"), 4096, ssl_context=context
    ).start()
    yield server, cert
    server.stop()


def test_a_server_signed_by_the_profiles_ca_bundle_is_trusted(
    tls_server: tuple[HttpServer, Path],
) -> None:
    server, cert = tls_server
    assert server.address.startswith("https://")
    client = HttpClient(Timeouts(connect_s=2, read_s=2), Security(ca_bundle=cert))
    result = client.post(server.address + "/x", b"<r/>", {}, peer="MDM")
    assert result.finding is None and result.received == b"<ok/>"


def test_an_untrusted_server_certificate_is_a_tls_finding_and_inconclusive(
    tls_server: tuple[HttpServer, Path],
) -> None:
    server, _ = tls_server
    client = HttpClient(Timeouts(connect_s=2, read_s=2), Security(verify_tls=True))
    result = client.post(server.address + "/x", b"<r/>", {}, peer="MDM")
    assert result.finding is not None and result.finding.rule == "WIRE-TLS"
    assert result.finding.blame is Blame.INFRASTRUCTURE


def _unused(request: Request) -> Response:  # pragma: no cover - keeps the handler type visible
    return Response(b"")
