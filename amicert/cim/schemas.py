"""The schema catalog: which XSD validates which namespace, compiled once per process.

Compiling an XSD costs far more than validating a message, so each schema is compiled on first use
and cached per schema directory. xmlschema is imported only when an lxml message needs a better
explanation, never on the happy path.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from lxml import etree

SCHEMA_DIR_ENV = "AMICERT_SCHEMA_DIR"
CATALOG_FILE = "catalog.yaml"
KINDS = ("envelope", "wrapper", "noun", "device")


class SchemaError(Exception):
    """The schema directory or catalog is missing or broken (a harness problem, not the SUT's)."""


@dataclass(frozen=True)
class CatalogEntry:
    namespace: str
    path: Path
    kind: str


def default_schema_dir() -> Path:
    """``$AMICERT_SCHEMA_DIR`` when set, else the repository's ``cim_schemas/``."""
    env = os.environ.get(SCHEMA_DIR_ENV)
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "cim_schemas"


def load_catalog(schema_dir: Path) -> dict[str, CatalogEntry]:
    """Read ``catalog.yaml``: ``namespaces: {ns: {file: relative/path.xsd, kind: ...}}``."""
    path = schema_dir / CATALOG_FILE
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SchemaError(f"cannot read schema catalog {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise SchemaError(f"schema catalog {path} is not valid YAML: {exc}") from None
    namespaces = data.get("namespaces") if isinstance(data, dict) else None
    if not isinstance(namespaces, dict):
        raise SchemaError(f"schema catalog {path} has no 'namespaces' mapping")
    entries: dict[str, CatalogEntry] = {}
    for ns, spec in namespaces.items():
        if not isinstance(spec, dict) or "file" not in spec or spec.get("kind") not in KINDS:
            raise SchemaError(
                f"schema catalog {path}: entry {ns!r} needs 'file' and a kind {KINDS}"
            )
        entries[str(ns)] = CatalogEntry(str(ns), schema_dir / str(spec["file"]), str(spec["kind"]))
    return entries


class SchemaSet:
    """The catalog of one schema directory, with its compiled schemas cached."""

    def __init__(self, schema_dir: Path | None = None) -> None:
        self.schema_dir = (schema_dir or default_schema_dir()).resolve()
        if not self.schema_dir.is_dir():
            raise SchemaError(f"schema directory {self.schema_dir} does not exist")
        self.entries = load_catalog(self.schema_dir)
        self._compiled: dict[str, etree.XMLSchema] = {}
        self._lock = threading.Lock()

    def kind(self, namespace: str | None) -> str | None:
        entry = self.entries.get(namespace or "")
        return entry.kind if entry else None

    def schema_for_namespace(self, namespace: str) -> etree.XMLSchema | None:
        """The compiled schema for a namespace, or None when the catalog does not list it.

        Raises SchemaError when the listed XSD cannot be read or compiled.
        """
        cached = self._compiled.get(namespace)
        if cached is not None:
            return cached
        entry = self.entries.get(namespace)
        if entry is None:
            return None
        with self._lock:
            cached = self._compiled.get(namespace)
            if cached is None:
                cached = _compile(entry.path)
                self._compiled[namespace] = cached
        return cached

    def compile_all(self) -> None:
        """Compile every schema now (fail fast at start-up rather than mid-run)."""
        for ns in self.entries:
            self.schema_for_namespace(ns)

    def explain(self, namespace: str, element: etree._Element) -> list[str]:
        """xmlschema's reasons why ``element`` is invalid: richer than lxml's for some errors.

        Used only after lxml has already failed, so its cost never touches valid messages.
        """
        entry = self.entries.get(namespace)
        if entry is None:
            return []
        import xmlschema  # lazily: heavy import, only needed for diagnostics

        schema = _xmlschema_cache.get(entry.path)
        if schema is None:
            schema = xmlschema.XMLSchema(str(entry.path))
            _xmlschema_cache[entry.path] = schema
        return [str(err.reason or err.message) for err in schema.iter_errors(element)]


_xmlschema_cache: dict[Path, Any] = {}


def _compile(path: Path) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    try:
        return etree.XMLSchema(etree.parse(str(path), parser))
    except (OSError, etree.XMLSyntaxError, etree.XMLSchemaParseError) as exc:
        raise SchemaError(f"cannot compile schema {path}: {exc}") from None


_sets: dict[Path, SchemaSet] = {}
_sets_lock = threading.Lock()


def schema_set(schema_dir: Path | None = None) -> SchemaSet:
    """The shared SchemaSet of a directory (so every Validator reuses compiled schemas)."""
    key = (schema_dir or default_schema_dir()).resolve()
    with _sets_lock:
        found = _sets.get(key)
        if found is None:
            found = SchemaSet(key)
            _sets[key] = found
    return found


def schema_for_namespace(ns: str, schema_dir: Path | None = None) -> etree.XMLSchema | None:
    """The compiled schema for ``ns`` from the (default) catalog, or None when not listed."""
    return schema_set(schema_dir).schema_for_namespace(ns)
