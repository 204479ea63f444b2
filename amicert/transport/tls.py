"""TLS for the wire: PEM checks, the served side's client authentication, and the probe that
proves a product demanding client certificates refuses the clients it must refuse.

Mutual TLS is half a promise until it is tested from the wrong side: a product configured to
require a client certificate must end the handshake (or the first read) for a client without
one, with an expired or revoked one, or with one from a CA it does not trust. The probe opens
such connections and asks for one HTTP answer; any answer at all means the product let the
client in (WIRE-MTLS-CLIENT-ACCEPTED, on the product).
"""

from __future__ import annotations

import socket
import ssl
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from amicert.findings import Finding, error

if TYPE_CHECKING:
    from amicert.config import SutProfile

PEM_KINDS = {
    "certificate": b"-----BEGIN CERTIFICATE-----",
    "key": b"PRIVATE KEY-----",
    "crl": b"-----BEGIN X509 CRL-----",
}


def pem_problem(path: Path, kind: str) -> str | None:
    """Why ``path`` is no readable PEM file of ``kind`` (certificate, key, crl); None when it is.

    Says nothing of what the file holds beyond its kind: a key's bytes never reach a message.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror or exc}"
    if PEM_KINDS[kind] not in data:
        return f"{path} holds no PEM {kind}"
    return None


def identity_problem(cert: Path, key: Path | None) -> str | None:
    """Why a certificate and its key cannot be presented together; None when they can."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        context.load_cert_chain(cert, key)
    except ssl.SSLError as exc:
        return f"the certificate and key do not load together ({exc.reason or 'bad PEM'})"
    except OSError as exc:
        return f"cannot read the certificate or key: {exc.strerror or exc}"
    return None


def trust_problem(bundle: Path) -> str | None:
    """Why a CA bundle cannot verify peers; None when it can."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        context.load_verify_locations(cafile=bundle)
    except ssl.SSLError as exc:
        return f"no usable CA certificate in {bundle} ({exc.reason or 'bad PEM'})"
    except OSError as exc:
        return f"cannot read {bundle}: {exc.strerror or exc}"
    return None


def handshake_failure(exc: Exception, presents_cert: bool) -> str:
    """What a failed TLS exchange means, in words a vendor can act on."""
    text = repr(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
        return "the peer's certificate is not trusted (security.ca_bundle, security.verify_tls)"
    alert = "alert certificate required" in text or "ALERT_CERTIFICATE_REQUIRED" in text
    if not presents_cert and (alert or "EOF occurred" in text or "UNEXPECTED_EOF" in text):
        return (
            "the peer ended the TLS connection: it demands a client certificate and the "
            "profile presents none (security.client_cert, security.client_key)"
        )
    if alert or "alert bad certificate" in text or "ALERT_UNKNOWN_CA" in text:
        return "the peer refused the client certificate the profile presents (security.client_cert)"
    first = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    return f"TLS failed: {first}"


@dataclass(frozen=True)
class ClientAuth:
    """How a served endpoint authenticates its clients."""

    ca: Path  # the CA bundle a client's certificate must chain to
    required: bool = True  # a client without a certificate is refused
    crl: Path | None = None  # revoked client certificates (PEM CRL), checked for the leaf


def server_context(
    pair: tuple[Path, Path], client_auth: ClientAuth | None = None
) -> ssl.SSLContext:
    """A server-side context: the endpoint's certificate and key, and its client authentication."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(pair[0], pair[1])
    if client_auth is not None:
        context.load_verify_locations(cafile=client_auth.ca)
        context.verify_mode = ssl.CERT_REQUIRED if client_auth.required else ssl.CERT_OPTIONAL
        if client_auth.crl is not None:
            context.load_verify_locations(cafile=client_auth.crl)
            context.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF
    return context


@dataclass(frozen=True)
class Identity:
    """A client identity the probe presents: none, or a certificate and key, and why it must
    be refused."""

    why: str
    cert: Path | None = None
    key: Path | None = None


@dataclass(frozen=True)
class ProbeResult:
    identity: Identity
    refused: bool
    detail: str  # how the product refused, or what it answered


def probe(
    url: str,
    identity: Identity,
    *,
    ca_bundle: Path | None,
    verify: bool,
    timeout_s: float,
) -> ProbeResult:
    """Connect to ``url`` as ``identity`` and ask for one HTTP answer."""
    parsed = urlparse(url)
    host = parsed.hostname or "127.0.0.1"
    port = parsed.port or 443
    context = ssl.create_default_context(cafile=str(ca_bundle) if ca_bundle else None)
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if identity.cert is not None:
        context.load_cert_chain(identity.cert, identity.key)
    request = (
        f"GET {parsed.path or '/'} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n"
    ).encode("ascii")
    try:
        with (
            socket.create_connection((host, port), timeout=timeout_s) as raw,
            context.wrap_socket(raw, server_hostname=host) as tls,
        ):
            tls.sendall(request)
            answer = tls.recv(256)
    except ssl.SSLError as exc:
        return ProbeResult(identity, True, f"TLS refused: {exc.reason or exc}")
    except (TimeoutError, ConnectionError, OSError) as exc:
        return ProbeResult(identity, True, f"connection closed: {exc.strerror or exc}")
    if not answer:
        return ProbeResult(identity, True, "connection closed without an answer")
    line = answer.split(b"\r\n", 1)[0].decode("latin-1", "replace")
    return ProbeResult(identity, False, f"answered {line!r}")


def accepted_findings(url: str, results: list[ProbeResult]) -> list[Finding]:
    """One finding per identity the product let in where it had to refuse it."""
    return [
        error(
            "WIRE-MTLS-CLIENT-ACCEPTED",
            f"{url} let in a client {r.identity.why}; a product demanding client "
            "certificates must refuse it during the TLS handshake",
            expected=f"the TLS connection refused for a client {r.identity.why}",
            received=r.detail,
            extra={"actor": "(TLS endpoint)", "address": url},
        )
        for r in results
        if not r.refused
    ]


def client_auth_probe(profile: SutProfile) -> list[ProbeResult]:
    """Probe a product that demands client certificates (its profile presents one over https)
    with the clients it must refuse: none, one from an untrusted CA, and the profile's
    ``refused_client_certs``. Empty when the profile presents no client certificate."""
    security = profile.security
    if not profile.address.startswith("https://") or security.client_cert is None:
        return []
    timeout = profile.timeouts.connect_s + profile.timeouts.read_s
    with tempfile.TemporaryDirectory(prefix="amicert-probe-") as folder:  # its key goes with it
        identities = [
            Identity("without a certificate"),
            untrusted_identity(Path(folder)),
            *security.refused_clients,
        ]
        return [
            probe(
                profile.address,
                identity,
                ca_bundle=security.ca_bundle,
                verify=security.verify_tls,
                timeout_s=timeout,
            )
            for identity in identities
        ]


# --- certificates ------------------------------------------------------------------------


def _name(common_name: str) -> object:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


@dataclass
class Authority:
    """A certificate authority held in memory, issuing the certificates of a demo or a test."""

    name: str
    key: object
    cert: object

    @classmethod
    def create(cls, name: str) -> Authority:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec

        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(name))  # type: ignore[arg-type]
            .issuer_name(_name(name))  # type: ignore[arg-type]
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(key, hashes.SHA256())
        )
        return cls(name, key, cert)

    def issue(
        self, folder: Path, stem: str, common_name: str, *, server: bool, expired: bool = False
    ) -> tuple[Path, Path, int]:
        """Write ``stem``.pem and ``stem``-key.pem; returns their paths and the serial."""
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import ExtendedKeyUsageOID

        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(UTC)
        start, end = (
            (now - timedelta(days=30), now - timedelta(days=1))
            if expired
            else (now - timedelta(days=1), now + timedelta(days=365))
        )
        serial = x509.random_serial_number()
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name))  # type: ignore[arg-type]
            .issuer_name(self.cert.subject)  # type: ignore[attr-defined]
            .public_key(key.public_key())
            .serial_number(serial)
            .not_valid_before(start)
            .not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.ExtendedKeyUsage(
                    [ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH]
                ),
                critical=False,
            )
        )
        if server:
            import ipaddress

            builder = builder.add_extension(
                x509.SubjectAlternativeName(
                    [
                        x509.DNSName("localhost"),
                        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    ]
                ),
                critical=False,
            )
        cert = builder.sign(self.key, hashes.SHA256())  # type: ignore[arg-type]
        cert_path, key_path = folder / f"{stem}.pem", folder / f"{stem}-key.pem"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.touch(mode=0o600)
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        return cert_path, key_path, serial

    def write(self, path: Path) -> Path:
        from cryptography.hazmat.primitives import serialization

        path.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))  # type: ignore[attr-defined]
        return path

    def crl(self, path: Path, revoked: list[int]) -> Path:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization

        now = datetime.now(UTC)
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.cert.subject)  # type: ignore[attr-defined]
            .last_update(now - timedelta(minutes=5))
            .next_update(now + timedelta(days=30))
        )
        for serial in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(serial)
                .revocation_date(now - timedelta(minutes=5))
                .build()
            )
        crl = builder.sign(self.key, hashes.SHA256())  # type: ignore[arg-type]
        path.write_bytes(crl.public_bytes(serialization.Encoding.PEM))
        return path


DEMO_FILES = (
    "ca.pem",
    "server.pem",
    "server-key.pem",
    "client.pem",
    "client-key.pem",
    "expired-client.pem",
    "expired-client-key.pem",
    "revoked-client.pem",
    "revoked-client-key.pem",
    "other-ca-client.pem",
    "other-ca-client-key.pem",
    "crl.pem",
)


def demo_certificates(folder: Path) -> list[Path]:
    """A CA, a server certificate for 127.0.0.1/localhost, a client certificate, and the clients
    a product demanding client certificates must refuse (expired, revoked, from another CA),
    with the CRL revoking one. Keys are written unencrypted, readable by the owner only: for
    demos and tests, never for a product."""
    folder.mkdir(parents=True, exist_ok=True)
    ca = Authority.create("amicert demo CA")
    other = Authority.create("amicert untrusted CA")
    ca.write(folder / "ca.pem")
    ca.issue(folder, "server", "localhost", server=True)
    ca.issue(folder, "client", "amicert harness", server=False)
    ca.issue(folder, "expired-client", "amicert expired client", server=False, expired=True)
    _, _, revoked = ca.issue(folder, "revoked-client", "amicert revoked client", server=False)
    other.issue(folder, "other-ca-client", "amicert client of another CA", server=False)
    ca.crl(folder / "crl.pem", [revoked])
    return [folder / name for name in DEMO_FILES]


def untrusted_identity(folder: Path) -> Identity:
    """A client certificate (written into ``folder``) from a CA made up on the spot, which no
    product can trust."""
    cert, key, _ = Authority.create("amicert probe CA").issue(
        folder, "client", "amicert probe client", server=False
    )
    return Identity("with a certificate from a CA the product does not trust", cert, key)
