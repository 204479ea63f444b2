"""The sealed certification bundle: one zip a utility can archive and anyone can check.

It holds the whole report directory (every exchange byte for byte, the summary, JUnit, Allure
results, index.html), the SUT profile with secrets removed, the PICS, the harness and product
versions, a SHA-256 manifest of all of it and an Ed25519 signature over the manifest. The zip is
written deterministically (sorted names, fixed times, stored, no comment), so ``verify`` rebuilds
it from its own members and compares byte for byte: any changed, added or removed byte, inside a
member or in the zip's own structure, is caught, not only those the manifest names.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

MANIFEST = "MANIFEST.json"
SIGNATURE = "SIGNATURE"
PUBLIC_KEY = "public_key.pem"
BUNDLE = "certification.zip"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
SECRET_KEY = re.compile(r"password|secret|token|private|(^|_)key$", re.IGNORECASE)


class CertifyError(Exception):
    """A key or bundle problem a user can act on; the message names the file and the fix."""


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """The signing key: an unencrypted Ed25519 private key in PEM (``openssl genpkey``)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CertifyError(f"{path}: cannot read the signing key: {exc.strerror or exc}") from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise CertifyError(f"{path}: the key is encrypted; give an unencrypted one") from None
    except ValueError:
        raise CertifyError(
            f"{path}: not a PEM private key; make one with "
            "`openssl genpkey -algorithm ed25519 -out key.pem`"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CertifyError(f"{path}: an Ed25519 key is needed, not {type(key).__name__}")
    return key


def load_public_key(data: bytes, where: str) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        raise CertifyError(f"{where}: not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise CertifyError(f"{where}: an Ed25519 public key is needed")
    return key


def public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def fingerprint(key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key: what a person compares with the signer's."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "SHA256:" + base64.b64encode(hashlib.sha256(raw).digest()).decode().rstrip("=")


def scrub(value: Any, secrets: list[str]) -> Any:
    """A profile table without the entries that hold or point at secrets, nor secret values."""
    if isinstance(value, dict):
        return {k: scrub(v, secrets) for k, v in value.items() if not SECRET_KEY.search(str(k))}
    if isinstance(value, list):
        return [scrub(v, secrets) for v in value]
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, "[REDACTED]")
    return value


def profile_files(profile: Any) -> dict[str, bytes]:
    """profile.json (secrets removed) and pics.json, from a loaded SUT profile."""
    if profile is None:
        return {
            "profile.json": b'{"product": "the embedded reference implementation"}\n',
            "pics.json": b"{}\n",
        }
    raw = tomllib.loads(Path(profile.path).read_text(encoding="utf-8"))
    cleaned = scrub(raw, profile.security.secrets())
    return {
        "profile.json": json.dumps(cleaned, indent=2, sort_keys=True).encode() + b"\n",
        "pics.json": json.dumps(dict(profile.pics), indent=2, sort_keys=True).encode() + b"\n",
    }


def _zip(members: dict[str, bytes]) -> bytes:
    """The deterministic zip of ``members``: the same members give the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.create_system = 3
            z.writestr(info, members[name])
    return out.getvalue()


def _manifest(members: dict[str, bytes]) -> bytes:
    files = {name: hashlib.sha256(data).hexdigest() for name, data in sorted(members.items())}
    return json.dumps({"algorithm": "sha256", "files": files}, indent=2).encode() + b"\n"


def build_bundle(
    report_dir: Path, key: Ed25519PrivateKey, extra: dict[str, bytes], out: Path
) -> Path:
    """Seal every file under ``report_dir`` (but ``out``) and ``extra`` into ``out``."""
    members: dict[str, bytes] = {}
    for path in sorted(report_dir.rglob("*")):
        if path.is_file() and path.resolve() != out.resolve():
            members["report/" + path.relative_to(report_dir).as_posix()] = path.read_bytes()
    members.update(extra)
    manifest = _manifest(members)
    members[MANIFEST] = manifest
    members[SIGNATURE] = base64.b64encode(key.sign(manifest)) + b"\n"
    members[PUBLIC_KEY] = public_pem(key.public_key())
    out.write_bytes(_zip(members))
    return out


@dataclass
class Verified:
    files: int
    signer: str


def verify_bundle(path: Path, pubkey: Path | None = None) -> Verified:
    """Check a bundle; raises CertifyError naming the first thing that is wrong."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CertifyError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = [i.filename for i in z.infolist()]
            if len(names) != len(set(names)):
                raise CertifyError(f"{path}: a file name appears twice in the bundle")
            members = {name: z.read(name) for name in names}
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        EOFError,
        ValueError,  # a damaged offset
        RuntimeError,  # an encrypted member
        NotImplementedError,  # an unknown compression
    ) as exc:
        raise CertifyError(f"{path}: not a readable zip: {exc}") from None
    for required in (MANIFEST, SIGNATURE, PUBLIC_KEY):
        if required not in members:
            raise CertifyError(f"{path}: {required} is missing")
    try:
        manifest = json.loads(members[MANIFEST])
        listed: dict[str, str] = dict(manifest["files"])
    except (ValueError, KeyError, TypeError):
        raise CertifyError(f"{path}: {MANIFEST} is not a manifest") from None
    if pubkey is not None:
        try:
            given = pubkey.read_bytes()
        except OSError as exc:
            raise CertifyError(f"{pubkey}: cannot read: {exc.strerror or exc}") from None
        key = load_public_key(given, str(pubkey))
    else:
        key = load_public_key(members[PUBLIC_KEY], f"{path}: {PUBLIC_KEY}")
    try:
        signature = base64.b64decode(members[SIGNATURE].strip(), validate=True)
        key.verify(signature, members[MANIFEST])
    except (InvalidSignature, ValueError):
        who = f"the key in {pubkey}" if pubkey else "the bundle's own public key"
        raise CertifyError(
            f"{path}: the signature over {MANIFEST} does not verify with {who}"
        ) from None
    content = {n: d for n, d in members.items() if n not in (MANIFEST, SIGNATURE, PUBLIC_KEY)}
    added = sorted(set(content) - set(listed))
    removed = sorted(set(listed) - set(content))
    if added:
        raise CertifyError(f"{path}: files not in the manifest: {', '.join(added[:5])}")
    if removed:
        raise CertifyError(f"{path}: files of the manifest are missing: {', '.join(removed[:5])}")
    for name, digest in sorted(listed.items()):
        if hashlib.sha256(content[name]).hexdigest() != digest:
            raise CertifyError(f"{path}: {name} was changed (its SHA-256 differs)")
    if _zip(members) != data:
        raise CertifyError(
            f"{path}: the zip's bytes differ from the sealed form (changed, added or removed "
            "bytes outside the listed files)"
        )
    return Verified(len(listed), fingerprint(key))
