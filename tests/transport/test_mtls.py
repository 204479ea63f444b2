"""Mutual TLS in process: the profile's TLS files are checked on load (file, key, problem, never
the key's bytes), a served endpoint demanding client certificates refuses the clients it must,
and the probe reports an endpoint that lets one in with rule, blame, expected and received."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.wrappers import Response

from amicert.config import ProfileError, load_profile
from amicert.findings import Blame
from amicert.transport.http import HttpServer
from amicert.transport.tls import (
    ClientAuth,
    Identity,
    accepted_findings,
    demo_certificates,
    handshake_failure,
    probe,
    server_context,
    untrusted_identity,
)

SUT = """
[product]
name = "P"
version = "1"
[boundary]
actors = ["CCS"]
[bindings]
"CCS" = { type = "soap" }
[sut]
address = "https://127.0.0.1:9000"
tls_cert = "certs/server.pem"
tls_key = "certs/server-key.pem"
client_ca = "certs/ca.pem"
require_client_cert = true
client_crl = "certs/crl.pem"
[security]
ca_bundle = "certs/ca.pem"
client_cert = "certs/client.pem"
client_key = "certs/client-key.pem"
refused_client_certs = [
  { why = "that has expired", cert = "certs/expired-client.pem", key = "certs/expired-client-key.pem" },
]
[pics]
third_party_access = true
"""


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("mtls") / "certs"
    demo_certificates(folder)
    return folder


def profile_at(certs: Path, text: str = SUT) -> Path:
    path = certs.parent / "sut.toml"
    path.write_text(text)
    return path


def test_the_profile_reads_client_authentication(certs: Path) -> None:
    profile = load_profile(profile_at(certs), {"CCS"})
    auth = profile.sut_client_auth
    assert auth is not None and auth.required and auth.crl == certs / "crl.pem"
    assert auth.ca == certs / "ca.pem"
    [expired] = profile.security.refused_clients
    assert expired.why == "with a certificate that has expired"


@pytest.mark.parametrize(
    ("change", "key", "problem"),
    [
        (
            ('ca_bundle = "certs/ca.pem"', 'ca_bundle = "certs/server-key.pem"'),
            "security.ca_bundle",
            "no usable CA certificate",
        ),
        (
            ('client_key = "certs/client-key.pem"', 'client_key = "certs/server-key.pem"'),
            "security.client_cert",
            "do not load together",
        ),
        (('client_cert = "certs/client.pem"\n', ""), "security.client_key", "needs client_cert"),
        (('client_ca = "certs/ca.pem"\n', ""), "sut.require_client_cert", "needs client_ca"),
        (
            ('client_crl = "certs/crl.pem"', 'client_crl = "certs/ca.pem"'),
            "sut.client_crl",
            "no PEM crl",
        ),
        (
            ('tls_key = "certs/server-key.pem"', 'tls_key = "certs/client-key.pem"'),
            "sut.tls_cert",
            "do not load together",
        ),
        (
            ('tls_cert = "certs/server.pem"\ntls_key = "certs/server-key.pem"\n', ""),
            "sut.client_ca",
            "needs tls_cert and tls_key",
        ),
        (
            ('key = "certs/expired-client-key.pem"', 'key = "certs/nothing.pem"'),
            "security.refused_client_certs[0].cert",
            "cannot read",
        ),
        (('client_cert = "', 'client_crt = "'), "security.client_crt", "unknown key"),
    ],
)
def test_a_bad_tls_file_is_a_profile_error_naming_the_key(
    certs: Path, change: tuple[str, str], key: str, problem: str
) -> None:
    assert change[0] in SUT
    with pytest.raises(ProfileError) as caught:
        load_profile(profile_at(certs, SUT.replace(change[0], change[1], 1)), {"CCS"})
    text = str(caught.value)
    assert key in text and problem in text, text
    assert "PRIVATE KEY" not in text and "BEGIN" not in text


@pytest.fixture(scope="module")
def endpoint(certs: Path) -> Iterator[str]:
    context = server_context(
        (certs / "server.pem", certs / "server-key.pem"),
        ClientAuth(certs / "ca.pem", required=True, crl=certs / "crl.pem"),
    )
    server = HttpServer("127.0.0.1", 0, lambda r: Response(b"<ok/>"), 4096, ssl_context=context)
    server.start()
    yield server.address
    server.stop()


def ask(url: str, identity: Identity, certs: Path) -> tuple[bool, str]:
    result = probe(url, identity, ca_bundle=certs / "ca.pem", verify=True, timeout_s=5)
    return result.refused, result.detail


def test_the_served_endpoint_lets_in_its_client_and_refuses_the_others(
    endpoint: str, certs: Path
) -> None:
    good = Identity("trusted", certs / "client.pem", certs / "client-key.pem")
    assert ask(endpoint, good, certs) == (False, "answered 'HTTP/1.1 200 OK'")
    for identity in (
        Identity("without a certificate"),
        untrusted_identity(certs.parent),
        Identity("expired", certs / "expired-client.pem", certs / "expired-client-key.pem"),
        Identity("revoked", certs / "revoked-client.pem", certs / "revoked-client-key.pem"),
        Identity("other CA", certs / "other-ca-client.pem", certs / "other-ca-client-key.pem"),
    ):
        refused, detail = ask(endpoint, identity, certs)
        assert refused, (identity.why, detail)


def test_an_endpoint_letting_in_a_client_without_a_certificate_is_a_finding(
    certs: Path,
) -> None:
    optional = ClientAuth(certs / "ca.pem", required=False)
    context = server_context((certs / "server.pem", certs / "server-key.pem"), optional)
    server = HttpServer("127.0.0.1", 0, lambda r: Response(b"<ok/>"), 4096, ssl_context=context)
    server.start()
    try:
        results = [
            probe(server.address, i, ca_bundle=certs / "ca.pem", verify=True, timeout_s=5)
            for i in (Identity("without a certificate"), untrusted_identity(certs.parent))
        ]
    finally:
        server.stop()
    [finding] = accepted_findings(server.address, results)
    assert finding.rule == "WIRE-MTLS-CLIENT-ACCEPTED" and finding.blame is Blame.SUT
    assert finding.expected == "the TLS connection refused for a client without a certificate"
    assert finding.received == "answered 'HTTP/1.1 200 OK'"


def test_a_refused_handshake_is_explained() -> None:
    eof = OSError("EOF occurred in violation of protocol (_ssl.c:2427)")
    assert "presents none (security.client_cert" in handshake_failure(eof, presents_cert=False)
    alert = OSError("[SSL: TLSV1_ALERT_UNKNOWN_CA] tlsv1 alert unknown ca ALERT_UNKNOWN_CA")
    assert "refused the client certificate" in handshake_failure(alert, presents_cert=True)
    untrusted = OSError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    assert "not trusted" in handshake_failure(untrusted, presents_cert=True)


def test_amicert_certs_demo_writes_the_certificates_or_says_why_not(tmp_path: Path) -> None:
    from cli_support import amicert

    proc = amicert("certs", "demo", str(tmp_path / "certs"))
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "certs" / "client-key.pem").stat().st_mode & 0o077 == 0
    assert "never use them in a product" in proc.stdout
    (tmp_path / "file").write_text("x")
    proc = amicert("certs", "demo", str(tmp_path / "file"))
    assert proc.returncode == 2 and "cannot write certificates" in proc.stderr
    assert "Traceback" not in proc.stderr
