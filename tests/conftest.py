"""Shared fixtures for the project's own tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Many tests start `amicert` in a process of its own; where the environment forbids writing
# bytecode caches, each of them would compile the whole harness from source again.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A scratch copy of the use-case packages (and steps/) to break on purpose."""
    for name in ("usecases", "steps"):
        shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """Twice as many workers as cores for ``-n auto``: the slowest tests spend their time waiting
    (on child processes, sockets and the timeouts a hostile product provokes), not computing."""
    return 2 * len(os.sched_getaffinity(0))
