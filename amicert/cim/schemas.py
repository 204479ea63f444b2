"""The schema catalog: which XSD validates which namespace, compiled once per process.

Compiling an XSD costs far more than validating a message, so each schema is compiled on first use
and cached per schema directory. xmlschema is imported only when an lxml message needs a better
explanation, never on the happy path.

Several directories can be layered (a utility's official IEC set, a vendor's pack, then the
harness's own ``cim_schemas/``): the first directory that lists a namespace decides it. A directory
without ``catalog.yaml`` is scanned for XSDs and WSDLs (see :mod:`amicert.cim.packs`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from lxml import etree

SCHEMA_DIR_ENV = "AMICERT_SCHEMA_DIR"
CATALOG_FILE = "catalog.yaml"
KINDS = ("envelope", "wrapper", "noun", "device")
XS_NS = "http://www.w3.org/2001/XMLSchema"


class SchemaError(Exception):
    """The schema directory or catalog is missing or broken (a harness problem, not the SUT's)."""


@dataclass(frozen=True)
class CatalogEntry:
    """One namespace of a catalog. ``schema_index`` picks an inline schema of a WSDL file."""

    namespace: str
    path: Path
    kind: str
    year: int | None = None
    schema_index: int | None = None
    also: tuple[Path, ...] = field(default=())

    @property
    def label(self) -> str:
        """How results name this schema: the file, and the inline schema of a WSDL."""
        suffix = f"#schema{self.schema_index}" if self.schema_index is not None else ""
        return f"{self.path}{suffix}"


def default_schema_dir() -> Path:
    """``$AMICERT_SCHEMA_DIR`` when set, else the repository's ``cim_schemas/``."""
    env = os.environ.get(SCHEMA_DIR_ENV)
    if env:
        return Path(env)
    return builtin_schema_dir()


def builtin_schema_dir() -> Path:
    """The harness's own schemas (``cim_schemas/`` of the repository)."""
    return Path(__file__).resolve().parents[2] / "cim_schemas"


def _entry(schema_dir: Path, ns: str, spec: Any, path: Path) -> CatalogEntry:
    if not isinstance(spec, dict) or "file" not in spec or spec.get("kind") not in KINDS:
        raise SchemaError(f"schema catalog {path}: entry {ns!r} needs 'file' and a kind {KINDS}")
    year = spec.get("year")
    index = spec.get("schema")
    return CatalogEntry(
        str(ns),
        schema_dir / str(spec["file"]),
        str(spec["kind"]),
        int(year) if isinstance(year, int) else None,
        int(index) if isinstance(index, int) else None,
    )


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
    return {str(ns): _entry(schema_dir, str(ns), spec, path) for ns, spec in namespaces.items()}


def _load_entries(schema_dir: Path) -> dict[str, CatalogEntry]:
    """The catalog file when there is one, else a scan of the folder's XSDs and WSDLs."""
    if (schema_dir / CATALOG_FILE).exists():
        return load_catalog(schema_dir)
    from amicert.cim.packs import scan  # a pack without catalog: built in memory

    entries = scan(schema_dir).entries
    if not entries:
        raise SchemaError(
            f"cannot read schema catalog {schema_dir / CATALOG_FILE}: no such file, and no "
            "XSD or WSDL with a targetNamespace in the directory"
        )
    return entries


class SchemaSet:
    """The catalog of one schema directory, with its compiled schemas cached."""

    def __init__(self, schema_dir: Path | None = None) -> None:
        self.schema_dir = (schema_dir or default_schema_dir()).resolve()
        if not self.schema_dir.is_dir():
            raise SchemaError(f"schema directory {self.schema_dir} does not exist")
        self.entries = _load_entries(self.schema_dir)
        self._compiled: dict[str, etree.XMLSchema] = {}
        self._imports: dict[str, frozenset[str]] = {}
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
                doc = _schema_document(entry)
                self._imports[namespace] = _imported_namespaces(doc)
                cached = _compile_doc(doc, entry.label)
                self._compiled[namespace] = cached
        return cached

    def imports(self, namespace: str) -> frozenset[str]:
        """Namespaces the schema of ``namespace`` imports (validated in the same pass)."""
        self.schema_for_namespace(namespace)
        return self._imports.get(namespace, frozenset())

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


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)


def _schema_document(entry: CatalogEntry) -> etree._ElementTree:
    """The XSD document of an entry: the file, or one inline schema of a WSDL."""
    try:
        doc = etree.parse(str(entry.path), _safe_parser())
    except (OSError, etree.XMLSyntaxError) as exc:
        raise SchemaError(f"cannot compile schema {entry.label}: {exc}") from None
    if entry.schema_index is None:
        return doc
    inline = list(doc.iter(f"{{{XS_NS}}}schema"))
    if entry.schema_index >= len(inline):
        raise SchemaError(f"cannot compile schema {entry.label}: no such inline schema")
    text = etree.tostring(inline[entry.schema_index])
    return etree.ElementTree(etree.fromstring(text, _safe_parser(), base_url=str(entry.path)))


def _imported_namespaces(doc: etree._ElementTree) -> frozenset[str]:
    found = {el.get("namespace", "") for el in doc.getroot().iter(f"{{{XS_NS}}}import")}
    return frozenset(ns for ns in found if ns)


def _compile_doc(doc: etree._ElementTree, label: str) -> etree.XMLSchema:
    try:
        return etree.XMLSchema(doc)
    except etree.XMLSchemaParseError as exc:
        raise SchemaError(f"cannot compile schema {label}: {exc}") from None


class SchemaStack:
    """Several schema directories, looked up in order: the first that lists a namespace wins."""

    def __init__(self, sets: Sequence[SchemaSet]) -> None:
        if not sets:
            raise SchemaError("no schema directory")
        self.sets = list(sets)
        self._owner: dict[str, SchemaSet | None] = {}

    def owner(self, namespace: str | None) -> SchemaSet | None:
        """The schema set that decides ``namespace`` (None when no set lists it)."""
        ns = namespace or ""
        if ns in self._owner:
            return self._owner[ns]
        found = next((s for s in self.sets if ns in s.entries), None)
        self._owner[ns] = found
        return found

    def entry(self, namespace: str | None) -> CatalogEntry | None:
        owner = self.owner(namespace)
        return None if owner is None else owner.entries[namespace or ""]

    def kind(self, namespace: str | None) -> str | None:
        entry = self.entry(namespace)
        return None if entry is None else entry.kind

    def schema_for_namespace(self, namespace: str) -> etree.XMLSchema | None:
        owner = self.owner(namespace)
        return None if owner is None else owner.schema_for_namespace(namespace)

    def imports(self, namespace: str) -> frozenset[str]:
        owner = self.owner(namespace)
        return frozenset() if owner is None else owner.imports(namespace)

    def namespaces(self) -> Iterable[str]:
        seen: set[str] = set()
        for schema_set in self.sets:
            for ns in schema_set.entries:
                if ns not in seen:
                    seen.add(ns)
                    yield ns

    @property
    def schema_dir(self) -> Path:
        """The first directory (for messages that name one)."""
        return self.sets[0].schema_dir


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


def schema_stack(schema_dirs: Sequence[Path] = (), *, builtin: bool = True) -> SchemaStack:
    """The given directories in order, then (unless ``builtin`` is False) the default one."""
    dirs = [d.resolve() for d in schema_dirs]
    if builtin or not dirs:
        default = default_schema_dir().resolve()
        if default not in dirs:
            dirs.append(default)
    return SchemaStack([schema_set(d) for d in dirs])


def schema_for_namespace(ns: str, schema_dir: Path | None = None) -> etree.XMLSchema | None:
    """The compiled schema for ``ns`` from the (default) catalog, or None when not listed."""
    return schema_set(schema_dir).schema_for_namespace(ns)
