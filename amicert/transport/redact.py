"""Secrets out of everything the harness writes, in every form a product could echo them in.

A product that echoes a credential may do so as written, XML-escaped, URL-encoded, JSON-escaped
or base64-encoded (alone or inside a longer base64 text, at any of the three alignments). Each
form is replaced by ``***`` in captured bodies, finding texts and report files. Secrets are the
profile's (the WS-Security password) and the environment's (variables whose name says they hold
one).
"""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote, quote_plus
from xml.sax.saxutils import escape

MASK = "***"
#: environment variables whose value is a secret, by name
SECRET_NAME = re.compile(
    r"PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL", re.IGNORECASE
)
#: shorter values of such variables are too common words to redact without mangling evidence
MIN_ENV_SECRET = 6
#: a base64 fragment shorter than this could match unrelated base64 text (firmware images)
MIN_BASE64_FRAGMENT = 6


def env_secrets(environ: dict[str, str] | None = None) -> list[str]:
    """Values of environment variables named like secrets (``*PASSWORD*``, ``*TOKEN*`` ...)."""
    env = os.environ if environ is None else environ
    return [v for k, v in env.items() if SECRET_NAME.search(k) and len(v) >= MIN_ENV_SECRET]


def _base64_fragments(raw: bytes) -> set[str]:
    """The base64 characters that encode ``raw`` wherever it sits in a longer encoded text."""
    found: set[str] = set()
    n = len(raw)
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw + b"\0\0").decode("ascii")
        first = -(-8 * offset // 6)  # ceil: the first character made of the secret's bits only
        last = 8 * (offset + n) // 6  # floor: one past the last such character
        fragment = encoded[first:last]
        if len(fragment) >= MIN_BASE64_FRAGMENT:
            found.add(fragment)
            found.add(fragment.replace("+", "-").replace("/", "_"))
    whole = base64.b64encode(raw).decode("ascii")
    if len(whole) >= MIN_BASE64_FRAGMENT:
        found.update({whole, whole.rstrip("=")})
    return found


def forms(secret: str) -> set[str]:
    """Every written form of ``secret`` that redaction looks for."""
    plain = {
        secret,
        escape(secret),
        escape(secret, {'"': "&quot;", "'": "&apos;"}),
        escape(secret, {'"': "&#34;", "'": "&#39;"}),
    }
    found = set(plain)
    for form in plain:
        found.add(form.encode("ascii", "xmlcharrefreplace").decode("ascii"))
        found.add("".join(c if ord(c) < 128 else f"&#x{ord(c):x};" for c in form))
    encoded = {quote(secret, safe=""), quote_plus(secret, safe="")}
    for form in list(encoded):
        found.add(form)
        found.add(re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), form))
    found.add(json.dumps(secret)[1:-1])
    found.add(json.dumps(secret, ensure_ascii=False)[1:-1])
    found.add(_markdown(secret))
    # base64 of any of these forms: a product may encode what it received (an escaped
    # password inside an echoed request) as well as the secret itself
    for form in list(found):
        found |= _base64_fragments(form.encode("utf-8"))
    return {f for f in found if f}


def _markdown(text: str) -> str:
    """The form the Markdown summary writes text in (see :func:`amicert.report.escape.markdown`)."""
    from amicert.report.escape import markdown

    return markdown(text)


class Redactor:
    """Replaces every form of a set of secrets, in bytes and in text."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)
        text_forms: set[str] = set()
        for secret in self.secrets:
            text_forms |= forms(secret)
        self._text = sorted(text_forms, key=len, reverse=True)
        byte_forms: set[bytes] = set()
        for form in self._text:
            byte_forms.add(form.encode("utf-8"))
            for codec in ("utf-16-le", "utf-16-be", "latin-1"):
                try:
                    byte_forms.add(form.encode(codec))
                except UnicodeEncodeError:
                    continue
        self._bytes = sorted(byte_forms, key=len, reverse=True)

    @classmethod
    def from_environment(cls, *secrets: str | None) -> Redactor:
        """The given secrets (the profile's) and those the environment holds."""
        return cls([s for s in secrets if s] + env_secrets())

    def __bool__(self) -> bool:
        return bool(self.secrets)

    def scrub(self, data: bytes) -> bytes:
        for form in self._bytes:
            if form in data:
                data = data.replace(form, MASK.encode("ascii"))
        return data

    def scrub_text(self, data: str) -> str:
        for form in self._text:
            if form in data:
                data = data.replace(form, MASK)
        return data

    def found(self, data: bytes) -> list[str]:
        """The forms of a secret present in ``data`` (what a leak check reports)."""
        return [f.decode("utf-8", "replace") for f in self._bytes if f in data]

    def scrub_file(self, path: Path) -> bool:
        """Redact a written file in place (atomically); True when it held a secret."""
        try:
            data = path.read_bytes()
        except OSError:
            return False
        clean = self.scrub(data)
        if clean == data:
            return False
        tmp = path.with_name(path.name + ".redacting")
        tmp.write_bytes(clean)
        os.replace(tmp, path)
        return True

    def scrub_tree(self, root: Path) -> int:
        """Redact every file under ``root``; the number of files that held a secret."""
        if not self or not root.exists():
            return 0
        return sum(1 for p in sorted(root.rglob("*")) if p.is_file() and self.scrub_file(p))
