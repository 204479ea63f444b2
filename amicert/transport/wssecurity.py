"""WS-Security message signing (OASIS WS-Security 1.1 SOAP Message Security, X.509 Token
Profile): a wsse:Security header holding the signer's certificate as a BinarySecurityToken and a
ds:Signature (exclusive C14N, SHA-256 digests, ECDSA-SHA256 or RSA-SHA256) whose one Reference
covers the soap:Body by its wsu:Id, and whose KeyInfo names the token by a
SecurityTokenReference.

A receiver that only checks "some signature verifies" can be fooled: the signed Body moved
aside and another put in its place (signature wrapping), a Reference removed, a certificate
swapped. ``verify`` names which of these went wrong, so that a refusal can say why.
The XML-DSig computation itself (canonicalization, digests, signature values) is signxml's.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache

from cryptography import x509
from cryptography.exceptions import InvalidSignature as BadIssuerSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from lxml import etree
from signxml.algorithms import (
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureConstructionMethod,
    SignatureMethod,
)
from signxml.exceptions import InvalidDigest, InvalidInput, InvalidSignature
from signxml.signer import XMLSigner
from signxml.verifier import SignatureConfiguration, XMLVerifier

from amicert.cim.xmlsafe import SOAP_VERSIONS, XmlSafetyError, parse_xml

WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
X509V3 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
BASE64 = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
)
BODY_ID = "id-body"
TOKEN_ID = "id-signer"


class Problem(StrEnum):
    """Why a signed message does not verify."""

    NO_SIGNATURE = "no WS-Security signature"
    MALFORMED = "malformed WS-Security header"
    BODY_NOT_COVERED = "the soap:Body is not covered by the signature"
    DIGEST_MISMATCH = "digest mismatch (the signed content was changed)"
    SIGNATURE_INVALID = "the signature value does not verify"
    UNTRUSTED_SIGNER = "the signer's certificate is not trusted"
    EXPIRED_SIGNER = "the signer's certificate is not valid now"


@dataclass(frozen=True)
class Verification:
    """What ``verify`` found: no problem (the message verifies), or the first one, with detail."""

    problem: Problem | None
    detail: str = ""
    signer: str = ""  # the signer certificate's subject, when one was found

    @property
    def ok(self) -> bool:
        return self.problem is None

    def __str__(self) -> str:
        if self.problem is None:
            return f"signature verified (signer {self.signer})"
        return f"{self.problem.value}: {self.detail}" if self.detail else self.problem.value


@dataclass(frozen=True)
class Signer:
    """A signing identity: PEM private key and certificate. Kept out of any repr (the key) and
    out of the settings a product receives (not plain data)."""

    key_pem: bytes = field(repr=False)
    cert_pem: bytes
    trusted_pem: tuple[bytes, ...] = ()  # what a receiver must trust to verify it

    def sign(self, envelope: bytes) -> bytes:
        return sign(envelope, self.key_pem, self.cert_pem)


def _soap_ns(root: etree._Element) -> str | None:
    ns = etree.QName(root).namespace
    if etree.QName(root).localname != "Envelope" or ns not in SOAP_VERSIONS:
        return None
    return ns


def _algorithms(key: object) -> SignatureMethod:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return SignatureMethod.ECDSA_SHA256
    if isinstance(key, rsa.RSAPrivateKey):
        return SignatureMethod.RSA_SHA256
    raise ValueError(f"unsupported signing key type {type(key).__name__} (EC or RSA)")


def sign(envelope: bytes, key_pem: bytes, cert_pem: bytes) -> bytes:
    """``envelope`` (a SOAP Envelope) with a wsse:Security header signing its Body."""
    root = parse_xml(envelope)
    ns = _soap_ns(root)
    if ns is None:
        raise ValueError("only a SOAP Envelope can be signed")
    body = root.find(f"{{{ns}}}Body")
    if body is None:
        raise ValueError("the SOAP Envelope has no Body")
    body_id = body.get(f"{{{WSU_NS}}}Id") or BODY_ID
    body.set(f"{{{WSU_NS}}}Id", body_id)
    header = root.find(f"{{{ns}}}Header")
    if header is None:
        header = etree.Element(f"{{{ns}}}Header")
        root.insert(0, header)
    security = etree.SubElement(
        header, f"{{{WSSE_NS}}}Security", nsmap={"wsse": WSSE_NS, "wsu": WSU_NS}
    )
    security.set(f"{{{ns}}}mustUnderstand", "1")
    cert = x509.load_pem_x509_certificate(cert_pem)
    token = etree.SubElement(
        security, f"{{{WSSE_NS}}}BinarySecurityToken", EncodingType=BASE64, ValueType=X509V3
    )
    token.set(f"{{{WSU_NS}}}Id", TOKEN_ID)
    token.text = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode("ascii")
    key_info = etree.Element(f"{{{DS_NS}}}KeyInfo", nsmap={"ds": DS_NS})
    etree.SubElement(
        etree.SubElement(key_info, f"{{{WSSE_NS}}}SecurityTokenReference"),
        f"{{{WSSE_NS}}}Reference",
        URI=f"#{TOKEN_ID}",
        ValueType=X509V3,
    )
    key = serialization.load_pem_private_key(key_pem, password=None)
    signer = XMLSigner(
        method=SignatureConstructionMethod.detached,
        signature_algorithm=_algorithms(key),
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    signature = signer.sign(root, key=key, reference_uri=[f"#{body_id}"], key_info=key_info)  # type: ignore[arg-type]
    security.append(signature)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def verify(
    envelope: bytes, trusted: Sequence[bytes] | None, at: datetime | None = None
) -> Verification:
    """Whether ``envelope``'s WS-Security signature covers its one Body and verifies under a
    signer certificate that is, or is directly issued by, one of ``trusted`` (PEM) and valid at
    ``at`` (now by default). ``trusted`` None: integrity only, trust is not judged."""
    try:
        root = parse_xml(envelope)
    except XmlSafetyError as exc:
        return Verification(Problem.MALFORMED, exc.message)
    ns = _soap_ns(root)
    if ns is None:
        return Verification(Problem.NO_SIGNATURE, "the message is not a SOAP Envelope")
    bodies = root.findall(f"{{{ns}}}Body")
    signatures = root.findall(f"{{{ns}}}Header/{{{WSSE_NS}}}Security/{{{DS_NS}}}Signature")
    if not signatures:
        return Verification(Problem.NO_SIGNATURE, "no wsse:Security/ds:Signature in the Header")
    if len(signatures) > 1:
        return Verification(Problem.MALFORMED, f"{len(signatures)} signatures in the Header")
    if len(bodies) != 1:
        return Verification(
            Problem.BODY_NOT_COVERED, f"{len(bodies)} soap:Body elements (signature wrapping)"
        )
    signature = signatures[0]
    body_id = bodies[0].get(f"{{{WSU_NS}}}Id")
    uris = [r.get("URI") or "" for r in signature.iter(f"{{{DS_NS}}}Reference")]
    if body_id is None or f"#{body_id}" not in uris:
        return Verification(
            Problem.BODY_NOT_COVERED,
            f"no Reference to the Body (wsu:Id {body_id or '(none)'}; references {uris})",
        )
    cert_or_problem = _signer_certificate(signature)
    if isinstance(cert_or_problem, Verification):
        return cert_or_problem
    cert = cert_or_problem
    subject = cert.subject.rfc4514_string()
    if trusted is not None:
        untrusted = _trust_problem(cert, trusted, at or datetime.now(UTC))
        if untrusted is not None:
            return _signed_by(untrusted, subject)
    return _signed_by(_check_signature(root, cert, len(uris)), subject)


def _signed_by(v: Verification, subject: str) -> Verification:
    return Verification(v.problem, v.detail, subject)


def _signer_certificate(signature: etree._Element) -> x509.Certificate | Verification:
    """The certificate the KeyInfo's SecurityTokenReference names, or a Verification saying why
    there is none."""
    ref = signature.find(
        f"{{{DS_NS}}}KeyInfo/{{{WSSE_NS}}}SecurityTokenReference/{{{WSSE_NS}}}Reference"
    )
    uri = "" if ref is None else ref.get("URI") or ""
    if not uri.startswith("#"):
        return Verification(Problem.MALFORMED, "KeyInfo names no security token in the message")
    security = signature.getparent()
    tokens = [
        t
        for t in (security if security is not None else [])
        if t.tag == f"{{{WSSE_NS}}}BinarySecurityToken" and t.get(f"{{{WSU_NS}}}Id") == uri[1:]
    ]
    if len(tokens) != 1:
        return Verification(Problem.MALFORMED, f"no one BinarySecurityToken with wsu:Id {uri[1:]}")
    try:
        return x509.load_der_x509_certificate(base64.b64decode(tokens[0].text or ""))
    except ValueError as exc:
        return Verification(Problem.MALFORMED, f"the BinarySecurityToken is no certificate: {exc}")


def _trust_problem(
    leaf: x509.Certificate, trusted: Sequence[bytes], at: datetime
) -> Verification | None:
    if not leaf.not_valid_before_utc <= at <= leaf.not_valid_after_utc:
        return Verification(
            Problem.EXPIRED_SIGNER,
            f"valid {leaf.not_valid_before_utc.isoformat()} to "
            f"{leaf.not_valid_after_utc.isoformat()}, checked at {at.isoformat()}",
        )
    for anchor in _anchors(tuple(trusted)):
        if anchor == leaf:
            return None
        try:
            leaf.verify_directly_issued_by(anchor)
        except (ValueError, TypeError, BadIssuerSignature):  # not issued by this one
            continue
        return None
    return Verification(
        Problem.UNTRUSTED_SIGNER,
        f"{leaf.subject.rfc4514_string()} (issued by {leaf.issuer.rfc4514_string()}) is neither "
        "trusted nor issued by a trusted certificate",
    )


@lru_cache(maxsize=16)
def _anchors(trusted: tuple[bytes, ...]) -> tuple[x509.Certificate, ...]:
    found: list[x509.Certificate] = []
    for pem in trusted:
        found.extend(x509.load_pem_x509_certificates(pem))
    return tuple(found)


def _check_signature(root: etree._Element, cert: x509.Certificate, references: int) -> Verification:
    config = SignatureConfiguration(
        require_x509=False,
        expect_references=references,
        signature_methods=frozenset({SignatureMethod.ECDSA_SHA256, SignatureMethod.RSA_SHA256}),
        digest_algorithms=frozenset({DigestAlgorithm.SHA256}),
    )
    try:
        XMLVerifier().verify(root, x509_cert=cert, expect_config=config)
    except InvalidDigest as exc:
        return Verification(Problem.DIGEST_MISMATCH, str(exc))
    except InvalidSignature as exc:
        return Verification(Problem.SIGNATURE_INVALID, str(exc) or "signature mismatch")
    except InvalidInput as exc:
        return Verification(Problem.MALFORMED, str(exc))
    return Verification(None)


def altered_signature(signed: bytes) -> bytes:
    """``signed`` with one bit of its ds:SignatureValue flipped: the digest still matches, the
    signature value no longer verifies."""
    root = parse_xml(signed)
    values = list(root.iter(f"{{{DS_NS}}}SignatureValue"))
    if len(values) != 1 or not (values[0].text or "").strip():
        raise ValueError("the message carries no one ds:SignatureValue to alter")
    raw = bytearray(base64.b64decode(values[0].text or ""))
    raw[len(raw) // 2] ^= 0x01
    values[0].text = base64.b64encode(bytes(raw)).decode("ascii")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


STRANGER_CA = "amicert untrusted signing CA"


@lru_cache(maxsize=2)
def demo_signer(ca_name: str = "amicert signing CA") -> Signer:
    """A signing identity made up for this process: a CA named ``ca_name`` and a certificate it
    issued, in memory only. For runs whose profile names no signing identity, and (under
    STRANGER_CA) for a signer no receiver was told to trust."""
    import tempfile
    from pathlib import Path

    from amicert.transport.tls import Authority

    ca = Authority.create(ca_name)
    with tempfile.TemporaryDirectory(prefix="amicert-sign-") as folder:
        cert, key, _ = ca.issue(Path(folder), "signer", "amicert harness signer", server=False)
        key_pem, cert_pem = key.read_bytes(), cert.read_bytes()
    ca_pem = ca.cert.public_bytes(serialization.Encoding.PEM)  # type: ignore[attr-defined]
    return Signer(key_pem, cert_pem, (ca_pem,))
