"""Use-case packages: the core knows no use case; it finds them here.

Each use case is one Python package holding everything about it: ``usecase.yaml`` (the catalog),
its ``*.feature`` files, a ``driver`` module defining ``DRIVER`` (provisioning, triggers, faults,
state checks, reference actors, state queries) and its vocabulary (the message builders of its
protocols). The built-in ones live under the ``usecases`` package; any other installed package is
declared in the ``amicert.usecases`` entry-point group, its value the package's module name. Adding a
use case therefore adds a package and edits nothing in ``amicert``.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING

from amicert.errors import FileKeyError

if TYPE_CHECKING:
    from amicert.driver import Driver

ENTRY_POINT_GROUP = "amicert.usecases"
BUILT_IN = "usecases"
CATALOG_FILE = "usecase.yaml"


class PackageError(FileKeyError):
    """A use-case package that cannot be used: names its folder and what is wrong."""


@dataclass(frozen=True)
class UseCasePackage:
    """One use case as an installable unit: its folder and its module."""

    module: str
    root: Path

    @property
    def catalog_path(self) -> Path:
        return self.root / CATALOG_FILE

    def driver(self) -> Driver:
        """The package's driver (imported on first use: listing needs only the catalog)."""
        from amicert.driver import Driver

        try:
            mod = importlib.import_module(f"{self.module}.driver")
        except ImportError as exc:
            raise PackageError(
                self.root, "driver", f"cannot import {self.module}.driver: {exc}"
            ) from None
        found = getattr(mod, "DRIVER", None)
        if not isinstance(found, Driver):
            raise PackageError(self.root, "driver.DRIVER", "missing, or not an amicert Driver")
        return found


def _folder(module: str) -> Path | None:
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return None
    paths = list(getattr(mod, "__path__", []))
    return Path(paths[0]) if paths else None


@functools.cache
def packages() -> tuple[UseCasePackage, ...]:
    """Every use-case package: the built-in ones, then those declared by entry point."""
    found: dict[str, UseCasePackage] = {}
    base = _folder(BUILT_IN)
    if base is not None:
        for info in sorted(pkgutil.iter_modules([str(base)]), key=lambda i: i.name):
            root = base / info.name
            if info.ispkg and (root / CATALOG_FILE).is_file():
                found[f"{BUILT_IN}.{info.name}"] = UseCasePackage(f"{BUILT_IN}.{info.name}", root)
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        module = ep.value.split(":", 1)[0]
        if module in found:
            continue
        folder = _folder(module)
        if folder is None or not (folder / CATALOG_FILE).is_file():
            raise PackageError(
                Path(module), ENTRY_POINT_GROUP, f"entry point {ep.name!r}: no {CATALOG_FILE} found"
            )
        found[module] = UseCasePackage(module, folder)
    return tuple(found.values())


@functools.cache
def _by_id() -> dict[str, UseCasePackage]:
    from amicert.catalog import load_use_case

    return {load_use_case(p.catalog_path).id: p for p in packages()}


def package_for(use_case_id: str) -> UseCasePackage:
    try:
        return _by_id()[use_case_id]
    except KeyError:
        known = ", ".join(sorted(_by_id())) or "none"
        raise KeyError(f"no use-case package for {use_case_id} (known: {known})") from None


def driver_for(use_case_id: str) -> Driver:
    """The driver of the use case ``use_case_id``."""
    return package_for(use_case_id).driver()
