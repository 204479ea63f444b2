"""Running the installed command as a user would, and the certificates TLS tests need."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

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


def built_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]
) -> Path:
    """A folder ``build`` fills once per test session, whichever xdist worker asks first; the
    others wait for it and read it. A run or a contract costs seconds: a module-scoped fixture
    would build it again on every worker its tests land on. Workers share the parent of their
    base temporary folder; a build that fails leaves no mark, so the next asker tries again."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    folder = root / f"built-once-{name}"
    with open(root / f"built-once-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (folder / ".built").exists():
                shutil.rmtree(folder, ignore_errors=True)
                folder.mkdir()
                build(folder)
                (folder / ".built").touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return folder
