"""WS-Security signatures with real keys: a good one verifies, and each tampering fails with its
own reason (digest, signature value, certificate, coverage, wrapping, trust)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from amicert.cim.xmlsafe import SOAP11_NS
from amicert.transport.soap import envelope
from amicert.transport.tls import Authority
from amicert.transport.wssecurity import (
    DS_NS,
    STRANGER_CA,
    WSSE_NS,
    WSU_NS,
    Problem,
    Signer,
    altered_signature,
    demo_signer,
    sign,
    verify,
)

MESSAGE = (
    b'<m:RequestMessage xmlns:m="http://iec.ch/TC57/2011/schema/message">'
    b"<m:Header><m:Verb>get</m:Verb><m:Noun>MeterReadings</m:Noun></m:Header>"
    b"<m:Request><m:ID>PUMP-0001</m:ID></m:Request></m:RequestMessage>"
)


def _identity(folder: Path, ca: Authority, stem: str, *, expired: bool = False) -> Signer:
    cert, key, _ = ca.issue(folder, stem, f"signer {stem}", server=False, expired=expired)
    ca_pem = ca.cert.public_bytes(serialization.Encoding.PEM)  # type: ignore[attr-defined]
    return Signer(key.read_bytes(), cert.read_bytes(), (ca_pem,))


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Signer]:
    folder = tmp_path_factory.mktemp("pki")
    ca, other = Authority.create("test CA"), Authority.create("other CA")
    return {
        "signer": _identity(folder, ca, "signer"),
        "second": _identity(folder, ca, "second"),
        "expired": _identity(folder, ca, "expired", expired=True),
        "foreign": _identity(folder, other, "foreign"),
    }


def _signed(signer: Signer) -> bytes:
    return signer.sign(envelope(MESSAGE))


def _tree(data: bytes) -> etree._Element:
    return etree.fromstring(data)


def _bytes(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root))


def test_a_good_signature_verifies_and_has_the_standard_structure(pki: dict[str, Signer]) -> None:
    signer = pki["signer"]
    data = _signed(signer)
    result = verify(data, signer.trusted_pem)
    assert result.ok, str(result)
    assert "signer signer" in result.signer
    root = _tree(data)
    security = root.find(f"{{{SOAP11_NS}}}Header/{{{WSSE_NS}}}Security")
    assert security is not None
    token = security.find(f"{{{WSSE_NS}}}BinarySecurityToken")
    assert token is not None and token.get("ValueType", "").endswith("#X509v3")
    body = root.find(f"{{{SOAP11_NS}}}Body")
    assert body is not None
    [ref] = security.iter(f"{{{DS_NS}}}Reference")
    assert ref.get("URI") == f"#{body.get(f'{{{WSU_NS}}}Id')}"
    algorithms = {el.get("Algorithm") for el in security.iter() if el.get("Algorithm")}
    assert "http://www.w3.org/2001/10/xml-exc-c14n#" in algorithms
    assert "http://www.w3.org/2001/04/xmlenc#sha256" in algorithms
    assert "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256" in algorithms
    key_ref = security.find(
        f"{{{DS_NS}}}Signature/{{{DS_NS}}}KeyInfo/{{{WSSE_NS}}}SecurityTokenReference/"
        f"{{{WSSE_NS}}}Reference"
    )
    assert key_ref is not None and key_ref.get("URI") == f"#{token.get(f'{{{WSU_NS}}}Id')}"


def test_it_survives_reserialization_and_an_added_header_block(pki: dict[str, Signer]) -> None:
    """Exclusive C14N: what a transport adds outside the Body, or re-serializes, does not count."""
    root = _tree(_signed(pki["signer"]))
    header = root.find(f"{{{SOAP11_NS}}}Header")
    assert header is not None
    etree.SubElement(header, "{urn:other}Routing").text = "x"
    assert verify(_bytes(root), pki["signer"].trusted_pem).ok


def test_an_rsa_key_signs_with_rsa_sha256(tmp_path: Path) -> None:
    ca = Authority.create("rsa test CA")
    signer = _identity(tmp_path, ca, "ec")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = x509.load_pem_x509_certificate(signer.cert_pem)
    builder = (
        x509.CertificateBuilder()
        .subject_name(cert.subject)
        .issuer_name(cert.issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime.now(UTC) - timedelta(days=1))
        .not_valid_after(datetime.now(UTC) + timedelta(days=1))
    )
    from cryptography.hazmat.primitives import hashes

    rsa_cert = builder.sign(ca.key, hashes.SHA256())  # type: ignore[arg-type]
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    data = sign(envelope(MESSAGE), key_pem, rsa_cert.public_bytes(serialization.Encoding.PEM))
    assert b"xmldsig-more#rsa-sha256" in data
    assert verify(data, signer.trusted_pem).ok


def test_an_unsigned_message_has_no_signature(pki: dict[str, Signer]) -> None:
    result = verify(envelope(MESSAGE), pki["signer"].trusted_pem)
    assert result.problem is Problem.NO_SIGNATURE
    assert verify(MESSAGE, None).problem is Problem.NO_SIGNATURE


def test_one_byte_of_the_body_changed_is_a_digest_mismatch(pki: dict[str, Signer]) -> None:
    data = _signed(pki["signer"])
    assert data.count(b"PUMP-0001") == 1
    tampered = data.replace(b"PUMP-0001", b"PUMP-0002")
    result = verify(tampered, pki["signer"].trusted_pem)
    assert result.problem is Problem.DIGEST_MISMATCH, str(result)


def test_a_changed_signed_info_is_an_invalid_signature(pki: dict[str, Signer]) -> None:
    root = _tree(_signed(pki["signer"]))
    digest = next(root.iter(f"{{{DS_NS}}}DigestValue"))
    # a digest of other content: the SignedInfo no longer matches its signature value
    digest.text = base64.b64encode(b"\x00" * 32).decode()
    result = verify(_bytes(root), pki["signer"].trusted_pem)
    assert result.problem is Problem.SIGNATURE_INVALID, str(result)


def test_a_swapped_certificate_is_an_invalid_signature(pki: dict[str, Signer]) -> None:
    """Another certificate of the same trusted CA in the token: the signature is not its key's."""
    root = _tree(_signed(pki["signer"]))
    token = next(root.iter(f"{{{WSSE_NS}}}BinarySecurityToken"))
    other = x509.load_pem_x509_certificate(pki["second"].cert_pem)
    token.text = base64.b64encode(other.public_bytes(serialization.Encoding.DER)).decode()
    result = verify(_bytes(root), pki["signer"].trusted_pem)
    assert result.problem is Problem.SIGNATURE_INVALID, str(result)
    assert "second" in result.signer


def test_a_removed_reference_leaves_the_body_uncovered(pki: dict[str, Signer]) -> None:
    root = _tree(_signed(pki["signer"]))
    ref = next(root.iter(f"{{{DS_NS}}}Reference"))
    parent = ref.getparent()
    assert parent is not None
    parent.remove(ref)
    result = verify(_bytes(root), pki["signer"].trusted_pem)
    assert result.problem is Problem.BODY_NOT_COVERED, str(result)


def test_a_second_body_is_signature_wrapping(pki: dict[str, Signer]) -> None:
    root = _tree(_signed(pki["signer"]))
    forged = etree.SubElement(root, f"{{{SOAP11_NS}}}Body")
    forged.append(etree.fromstring(MESSAGE.replace(b"PUMP-0001", b"PUMP-0666")))
    result = verify(_bytes(root), pki["signer"].trusted_pem)
    assert result.problem is Problem.BODY_NOT_COVERED, str(result)
    assert "wrapping" in result.detail


def test_the_signed_body_moved_aside_for_another_leaves_the_body_uncovered(
    pki: dict[str, Signer],
) -> None:
    """The classic wrapping: the signed Body parked in the Header, an unsigned one in its place."""
    root = _tree(_signed(pki["signer"]))
    body = root.find(f"{{{SOAP11_NS}}}Body")
    header = root.find(f"{{{SOAP11_NS}}}Header")
    assert body is not None and header is not None
    root.remove(body)
    etree.SubElement(header, "{urn:wrap}Wrapper").append(body)
    forged = etree.SubElement(root, f"{{{SOAP11_NS}}}Body")
    forged.append(etree.fromstring(MESSAGE.replace(b"PUMP-0001", b"PUMP-0666")))
    result = verify(_bytes(root), pki["signer"].trusted_pem)
    assert result.problem is Problem.BODY_NOT_COVERED, str(result)


def test_a_signer_from_another_ca_is_untrusted(pki: dict[str, Signer]) -> None:
    data = _signed(pki["foreign"])
    assert verify(data, pki["foreign"].trusted_pem).ok
    result = verify(data, pki["signer"].trusted_pem)
    assert result.problem is Problem.UNTRUSTED_SIGNER, str(result)


def test_an_expired_signer_is_refused(pki: dict[str, Signer]) -> None:
    result = verify(_signed(pki["expired"]), pki["expired"].trusted_pem)
    assert result.problem is Problem.EXPIRED_SIGNER, str(result)


def test_a_pinned_signer_certificate_is_trusted(pki: dict[str, Signer]) -> None:
    signer = pki["signer"]
    assert verify(_signed(signer), [signer.cert_pem]).ok
    assert verify(_signed(signer), [pki["second"].cert_pem]).problem is Problem.UNTRUSTED_SIGNER


def test_a_token_that_is_no_certificate_is_malformed(pki: dict[str, Signer]) -> None:
    root = _tree(_signed(pki["signer"]))
    next(root.iter(f"{{{WSSE_NS}}}BinarySecurityToken")).text = "bm90IGEgY2VydA=="
    result = verify(_bytes(root), pki["signer"].trusted_pem)
    assert result.problem is Problem.MALFORMED, str(result)


def test_integrity_only_when_no_trust_is_given(pki: dict[str, Signer]) -> None:
    data = _signed(pki["foreign"])
    assert verify(data, None).ok
    assert verify(data.replace(b"PUMP-0001", b"PUMP-0002"), None).problem is Problem.DIGEST_MISMATCH


def test_only_a_soap_envelope_can_be_signed(pki: dict[str, Signer]) -> None:
    with pytest.raises(ValueError, match="SOAP Envelope"):
        pki["signer"].sign(MESSAGE)


def test_the_key_never_shows_in_a_repr(pki: dict[str, Signer]) -> None:
    assert "PRIVATE" not in repr(pki["signer"])


def test_an_altered_signature_value_keeps_its_digest_and_fails_its_value(
    pki: dict[str, Signer],
) -> None:
    signed = _signed(pki["signer"])
    altered = altered_signature(signed)
    trusted = pki["signer"].trusted_pem
    assert verify(altered, trusted).problem is Problem.SIGNATURE_INVALID
    assert _tree(altered).findtext(f".//{{{DS_NS}}}DigestValue") == _tree(signed).findtext(
        f".//{{{DS_NS}}}DigestValue"
    )


def test_only_a_signed_message_can_have_its_value_altered() -> None:
    with pytest.raises(ValueError, match="no one ds:SignatureValue"):
        altered_signature(envelope(MESSAGE))


def test_the_stranger_signer_is_sound_but_not_trusted_by_the_demo_ca() -> None:
    stranger, own = demo_signer(STRANGER_CA), demo_signer()
    signed = stranger.sign(envelope(MESSAGE))
    assert verify(signed, stranger.trusted_pem).ok
    assert verify(signed, own.trusted_pem).problem is Problem.UNTRUSTED_SIGNER
