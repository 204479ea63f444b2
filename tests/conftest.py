"""Shared fixtures for the project's own tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A scratch copy of the use-case packages (and steps/) to break on purpose."""
    for name in ("usecases", "steps"):
        shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path
