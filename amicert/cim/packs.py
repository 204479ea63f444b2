"""Schema packs: a folder of XSDs and WSDLs (the official IEC set a utility holds, a vendor's)
turned into a catalog, so that ``--schema-dir`` can check messages against it.

Each schema is filed under its targetNamespace; the namespace says its role (an
``iec.ch/TC57/<year>/schema/message`` envelope, a ``<Noun>Message`` wrapper, a ``<Noun>#`` payload)
and its year. WSDLs contribute the schemas inlined in their ``types``. When two files declare the
same namespace, the one declaring more global elements wins and the others are listed as ``also``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from lxml import etree

from amicert.cim import envelope as env
from amicert.cim.schemas import CATALOG_FILE, XS_NS, CatalogEntry

_ROLE_KIND = {"message": "envelope", "wrapper": "wrapper", "noun": "noun", "other": "noun"}
SUFFIXES = (".xsd", ".wsdl")


@dataclass
class Pack:
    """The catalog entries found in a folder, and notes on what was skipped or chosen."""

    directory: Path
    entries: dict[str, CatalogEntry] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def catalog(self) -> dict[str, Any]:
        """The ``catalog.yaml`` content (paths relative to the folder)."""
        namespaces: dict[str, Any] = {}
        for ns in sorted(self.entries):
            entry = self.entries[ns]
            spec: dict[str, Any] = {
                "file": entry.path.relative_to(self.directory).as_posix(),
                "kind": entry.kind,
            }
            if entry.year is not None:
                spec["year"] = entry.year
            if entry.schema_index is not None:
                spec["schema"] = entry.schema_index
            if entry.also:
                spec["also"] = [p.relative_to(self.directory).as_posix() for p in entry.also]
            namespaces[ns] = spec
        return {"version": 1, "namespaces": namespaces}

    def write(self, target: Path | None = None) -> Path:
        """Write the catalog (default: ``catalog.yaml`` in the folder); returns its path."""
        path = target or self.directory / CATALOG_FILE
        header = "# Built by `amicert schemas import`: namespace -> schema file, kind and year.\n"
        body = yaml.safe_dump(self.catalog(), sort_keys=False, allow_unicode=True)
        path.write_text(header + body, encoding="utf-8")
        return path


def _schemas_in(path: Path) -> list[tuple[int | None, etree._Element]]:
    """(inline index, schema element) of an XSD file, or of each inline schema of a WSDL."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    root = etree.parse(str(path), parser).getroot()
    if etree.QName(root).namespace == XS_NS and etree.QName(root).localname == "schema":
        return [(None, root)]
    return list(enumerate(root.iter(f"{{{XS_NS}}}schema")))


def _weight(schema: etree._Element) -> int:
    return sum(
        1 for el in schema if isinstance(el.tag, str) and etree.QName(el).localname == "element"
    )


def scan(directory: Path) -> Pack:
    """Every schema under ``directory`` (recursively), filed by namespace."""
    directory = directory.resolve()
    pack = Pack(directory)
    weights: dict[str, int] = {}
    for path in sorted(p for p in directory.rglob("*") if p.suffix.lower() in SUFFIXES):
        if not path.is_file():
            continue
        try:
            found = _schemas_in(path)
        except (OSError, etree.XMLSyntaxError) as exc:
            pack.notes.append(f"skipped {path.relative_to(directory)}: {exc}")
            continue
        for index, schema in found:
            ns = schema.get("targetNamespace")
            if not ns:
                continue
            iec = env.iec_namespace(ns)
            kind = _ROLE_KIND[iec.role] if iec is not None else "noun"
            entry = CatalogEntry(ns, path, kind, iec.year if iec else None, index)
            weight = _weight(schema)
            previous = pack.entries.get(ns)
            if previous is None:
                pack.entries[ns], weights[ns] = entry, weight
            elif weight > weights[ns]:
                pack.entries[ns] = _with_also(entry, (*previous.also, previous.path))
                weights[ns] = weight
            else:
                pack.entries[ns] = _with_also(previous, (*previous.also, path))
    for ns, entry in sorted(pack.entries.items()):
        if entry.also:
            others = ", ".join(str(p.relative_to(directory)) for p in entry.also)
            pack.notes.append(
                f"{ns}: chose {entry.path.relative_to(directory)} over {others} "
                "(more global elements)"
            )
    return pack


def _with_also(entry: CatalogEntry, also: tuple[Path, ...]) -> CatalogEntry:
    return CatalogEntry(
        entry.namespace, entry.path, entry.kind, entry.year, entry.schema_index, also
    )
