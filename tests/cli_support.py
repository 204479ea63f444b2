"""Running the installed command as a user would, and the certificates TLS tests need."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def amicert(*args: str, cwd: Path = ROOT, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``amicert ARGS`` in its own process (real process, real files), output captured."""
    return subprocess.run(
        [sys.executable, "-m", "amicert.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def self_signed_cert(folder: Path) -> tuple[Path, Path]:
    """A one-day certificate and key for 127.0.0.1 (the openssl CLI makes them)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


def amicert_here(capsys: Any, *args: str) -> tuple[int, str, str]:
    """``amicert ARGS`` in this process, for commands that end before any scenario runs (usage
    errors, verify, report): exit code, stdout, stderr. Much cheaper than a new interpreter."""
    from amicert.cli import main

    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err
