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
    """Three workers a core for ``-n auto``: the slowest tests spend their time waiting (on child
    processes, sockets and the timeouts a hostile product provokes), not computing. Measured on a
    2-core machine: 4 workers 2 min 4 s, 5 workers 1 min 58 s, 6 workers 1 min 54 s."""
    return 3 * len(os.sched_getaffinity(0))


# Modules whose tests each wait on other processes for seconds (a run of the harness, a served
# product, a container): started first, so that the quick tests fill the workers' gaps around
# them rather than one of them starting last and holding the whole run up.
SLOW_FIRST = (
    "tests/test_wire.py",
    "tests/usecases/test_han_provisioning.py",
    "tests/test_wire_mtls.py",
    "tests/test_docker_engine.py",
    "tests/hostile/",
    "tests/usecases/test_han_over_wire.py",
    "tests/test_contract.py",
    "tests/usecases/test_han.py",
    "tests/test_console.py",
    "tests/test_run.py",
    "tests/test_mutations.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Slow tests first in every worker's share: the parallel run hands each worker one
    contiguous part of this order, so the slow tests are dealt out over the parts in turn."""

    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::")[0]
        return next((i for i, p in enumerate(SLOW_FIRST) if path.startswith(p)), len(SLOW_FIRST))

    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    ordered = sorted(items, key=rank)  # stable: the order within a module is kept
    slow = [i for i in ordered if rank(i) < len(SLOW_FIRST)]
    quick = ordered[len(slow) :]
    parts: list[list[pytest.Item]] = [slow[w::workers] for w in range(workers)]
    share = -(-len(items) // workers)  # each worker's part, rounded up
    for part in parts:
        while len(part) < share and quick:
            part.append(quick.pop(0))
    items[:] = [i for part in parts for i in part] + quick
