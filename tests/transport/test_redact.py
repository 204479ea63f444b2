"""Secrets out of every written form: each form a product could echo is caught, and only those."""

from __future__ import annotations

import base64
import html
import json
import re
import urllib.parse
from pathlib import Path

import pytest

from amicert.transport.redact import MASK, Redactor, env_secrets

SECRET = 's3cr&t<pw>"é~Long+/='


def echoes(secret: str) -> list[bytes]:
    """The secret written the ways a product or a report might write it."""
    raw = secret.encode()
    return [
        raw,
        html.escape(secret).encode(),
        html.escape(secret).encode("ascii", "xmlcharrefreplace"),
        urllib.parse.quote(secret, safe="").encode(),
        re.sub(
            "%[0-9A-F]{2}", lambda m: m.group(0).lower(), urllib.parse.quote(secret, safe="")
        ).encode(),
        urllib.parse.quote_plus(secret).encode(),
        json.dumps(secret)[1:-1].encode(),
        base64.b64encode(raw),
        base64.urlsafe_b64encode(raw),
        secret.encode("utf-16-le"),
    ]


@pytest.mark.parametrize("index", range(10))
def test_every_form_of_the_secret_is_redacted(index: int) -> None:
    form = echoes(SECRET)[index]
    clean = Redactor([SECRET]).scrub(b"before " + form + b" after")
    assert form not in clean and clean.startswith(b"before ") and clean.endswith(b" after")


@pytest.mark.parametrize("prefix", [b"", b"u", b"us", b"user:", b"<Password>"])
def test_the_secret_inside_a_longer_base64_text_is_redacted_at_any_alignment(prefix: bytes) -> None:
    blob = base64.b64encode(prefix + SECRET.encode() + b"</Password> and more")
    clean = Redactor([SECRET]).scrub(blob)
    assert clean != blob and MASK.encode() in clean
    for start in range(4):  # no decoding of what is left gives the secret back
        part = clean.replace(MASK.encode(), b"")[start:]
        decoded = base64.b64decode(part[: len(part) - len(part) % 4] + b"")
        assert SECRET.encode() not in decoded


def test_an_escaped_secret_inside_an_echoed_base64_request_is_redacted() -> None:
    request = f"<wsse:Password>{html.escape(SECRET)}</wsse:Password>".encode()
    clean = Redactor([SECRET]).scrub(base64.b64encode(request))
    assert html.escape(SECRET).encode() not in base64.b64decode(clean.replace(b"***", b"AAAA"))


def test_text_without_a_secret_is_left_alone() -> None:
    text = b"<x>firmware 4.2 " + base64.b64encode(bytes(range(256))) + b"</x>"
    assert Redactor([SECRET]).scrub(text) == text
    assert Redactor([]).scrub(text) == text and not Redactor([])


def test_secrets_come_from_variables_named_like_secrets() -> None:
    env = {"ACME_PASSWORD": "hunter22", "API_TOKEN": "tok-123456", "HOME": "/root", "X_KEY": "k"}
    assert sorted(env_secrets(env)) == ["hunter22", "tok-123456"]
    assert env_secrets({"SHORT_SECRET": "abc"}) == []  # too short to redact safely


def test_a_written_tree_is_scrubbed_in_place(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "leak.json").write_text(json.dumps({"m": SECRET}))
    (tmp_path / "clean.txt").write_text("nothing here")
    assert Redactor([SECRET]).scrub_tree(tmp_path) == 1
    assert SECRET not in (tmp_path / "a" / "leak.json").read_text()
    assert json.loads((tmp_path / "a" / "leak.json").read_text())["m"] == MASK
