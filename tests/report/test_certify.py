"""The certification bundle: sealed by `amicert run --certify`, every byte checked by verify."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from cli_support import amicert, amicert_here, built_once
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from ports import free_port

from amicert.report.certify import MANIFEST, CertifyError, _zip, scrub, verify_bundle

ROOT = Path(__file__).resolve().parents[2]


def write_key(folder: Path, name: str = "key") -> tuple[Path, Path]:
    key = Ed25519PrivateKey.generate()
    private, public = folder / f"{name}.pem", folder / f"{name}.pub"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return private, public


@pytest.fixture(scope="module")
def sealed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A wire run against a profile, sealed: the bundle and the signer's public key (read only
    by the tests, so sealed once per session)."""
    folder = built_once(tmp_path_factory, "sealed-bundle", _seal)
    return folder / "reports" / "certification.zip", folder / "key.pub"


def _seal(folder: Path) -> None:
    private, _ = write_key(folder)
    text = (ROOT / "examples" / "headend-over-soap.toml").read_text()
    text = text.replace("port = 8712", f"port = {free_port()}")  # parallel workers never collide
    text = text.replace("127.0.0.1:8711", f"127.0.0.1:{free_port()}")  # nothing listens there
    profile = folder / "sut.toml"
    profile.write_text(
        text.replace(
            "[security]\n", '[security]\nusername = "op"\npassword_env = "AMICERT_TEST_PW"\n'
        )
    )
    proc = amicert(
        "run",
        "--sut",
        str(profile),
        "--use-case",
        "AEP-5.8",
        "--scenario",
        "never-confirms",
        "--report-dir",
        str(folder / "reports"),
        "--certify",
        str(private),
    )
    bundle = folder / "reports" / "certification.zip"
    assert bundle.is_file(), proc.stdout + proc.stderr
    assert json.loads((folder / "reports" / "summary.json").read_text())["scenarios"]


def members(bundle: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(bundle) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_the_bundle_holds_evidence_reports_profile_pics_and_versions(
    sealed: tuple[Path, Path],
) -> None:
    bundle, _ = sealed
    names = set(members(bundle))
    for required in (
        "report/summary.json",
        "report/junit.xml",
        "report/index.html",
        "report/run.json",
        "profile.json",
        "pics.json",
        "versions.json",
        MANIFEST,
        "SIGNATURE",
    ):
        assert required in names, required
    summary = json.loads(members(bundle)["report/summary.json"])
    index = json.loads(members(bundle)[f"report/{summary['scenarios'][0]['evidence']}/index.json"])
    assert all(f"report/{summary['scenarios'][0]['evidence']}/{e['file']}" in names for e in index)
    profile = json.loads(members(bundle)["profile.json"])
    assert profile["product"]["name"] == "amicert reference head-end"
    assert "password_env" not in profile["security"] and profile["security"]["username"] == "op"
    versions = json.loads(members(bundle)["versions.json"])
    assert versions["product"] == {"name": "amicert reference head-end", "version": "0.1.0"}
    assert "cryptography" in versions["packages"]
    assert json.loads(members(bundle)["pics.json"])


def test_verify_accepts_the_original(sealed: tuple[Path, Path]) -> None:
    bundle, public = sealed
    proc = amicert("verify", str(bundle), "--pubkey", str(public))  # the installed command, once
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"OK: {bundle}:")


@pytest.mark.parametrize("where", ["first", "member", "manifest", "signature", "directory", "last"])
def test_verify_rejects_one_changed_byte_anywhere(
    sealed: tuple[Path, Path], tmp_path: Path, where: str, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle, public = sealed
    data = bytearray(bundle.read_bytes())
    spots = {
        "first": 0,
        "member": data.index(b'"verdict"') + 2,
        "manifest": data.index(b'"algorithm"') + 3,
        "signature": data.rindex(b"PUBLIC KEY") - 40,
        "directory": data.rindex(b"PK\x01\x02") + 12,
        "last": len(data) - 1,
    }
    data[spots[where]] ^= 0x01
    tampered = tmp_path / "tampered.zip"
    tampered.write_bytes(bytes(data))
    code, _, err = amicert_here(capsys, "verify", str(tampered), "--pubkey", str(public))
    assert code == 1, where
    assert err.startswith("amicert: REJECTED: ")


def test_verify_rejects_an_added_or_removed_byte(sealed: tuple[Path, Path], tmp_path: Path) -> None:
    bundle, public = sealed
    data = bundle.read_bytes()
    for variant in (data + b"\x00", data[:-1], data[:100] + data[101:]):
        path = tmp_path / "variant.zip"
        path.write_bytes(variant)
        with pytest.raises(CertifyError):
            verify_bundle(path, public)


def test_verify_rejects_an_added_or_removed_file_even_in_a_well_formed_zip(
    sealed: tuple[Path, Path], tmp_path: Path
) -> None:
    bundle, public = sealed
    original = members(bundle)
    added = dict(original, **{"report/extra.xml": b"<x/>"})
    removed = {n: d for n, d in original.items() if n != "report/junit.xml"}
    for variant, words in ((added, "not in the manifest"), (removed, "are missing")):
        path = tmp_path / "variant.zip"
        path.write_bytes(_zip(variant))
        with pytest.raises(CertifyError, match=words):
            verify_bundle(path, public)


def test_a_bundle_re_signed_by_another_key_fails_with_the_right_public_key(
    sealed: tuple[Path, Path], tmp_path: Path
) -> None:
    bundle, public = sealed
    other_private, _ = write_key(tmp_path, "other")
    key = serialization.load_pem_private_key(other_private.read_bytes(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    forged = members(bundle)
    forged["report/summary.json"] = forged["report/summary.json"].replace(b"INCONCLUSIVE", b"PASS")
    import base64
    import hashlib

    manifest = json.loads(forged[MANIFEST])
    manifest["files"]["report/summary.json"] = hashlib.sha256(
        forged["report/summary.json"]
    ).hexdigest()
    forged[MANIFEST] = json.dumps(manifest, indent=2).encode() + b"\n"
    forged["SIGNATURE"] = base64.b64encode(key.sign(forged[MANIFEST])) + b"\n"
    forged["public_key.pem"] = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    path = tmp_path / "forged.zip"
    path.write_bytes(_zip(forged))
    with pytest.raises(CertifyError, match="does not verify with the key in"):
        verify_bundle(path, public)
    assert verify_bundle(path).signer != verify_bundle(bundle).signer  # the fingerprint tells


def test_bad_keys_and_bundles_are_clear_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_text("not a key")
    code, _, err = amicert_here(
        capsys, "run", "--certify", str(bad), "--report-dir", str(tmp_path / "r")
    )
    assert code == 2 and "not a PEM private key" in err
    assert "openssl genpkey -algorithm ed25519" in err
    assert not (tmp_path / "r").exists(), "a bad key is refused before the run"
    code, _, err = amicert_here(capsys, "verify", str(tmp_path / "missing.zip"))
    assert code == 2 and "no such bundle" in err
    code, _, err = amicert_here(capsys, "verify", str(bad))
    assert code == 1 and "not a readable zip" in err


def test_scrub_removes_secret_entries_and_values() -> None:
    cleaned = scrub(
        {
            "security": {"password_env": "PW", "client_key": "k.pem", "username": "op"},
            "note": "x s3cret",
        },
        ["s3cret"],
    )
    assert cleaned == {"security": {"username": "op"}, "note": "x [REDACTED]"}


def test_the_sealed_form_is_deterministic() -> None:
    a = _zip({"b": b"2", "a": b"1"})
    assert a == _zip({"a": b"1", "b": b"2"})
    assert zipfile.ZipFile(io.BytesIO(a)).namelist() == ["a", "b"]
