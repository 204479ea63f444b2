"""``amicert validate PATH...`` and ``amicert schemas import DIR``: validation from the command line.

Exit codes of ``validate``: 0 every file valid (warnings allowed unless ``--strict``), 1 any file
invalid or unreadable, 3 no file invalid but nothing in any file could be checked against a
schema, 2 a usage problem (bad option, no file to validate, a schema directory that cannot be
used). Directories are searched recursively for ``*.xml``. Never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from amicert.cim.model import ValidationContext
from amicert.cim.packs import scan
from amicert.cim.schemas import SchemaError
from amicert.cim.validate import ValidationResult, Validator
from amicert.cim.xmlsafe import MAX_BYTES
from amicert.findings import Finding, error, has_errors

EXIT_VALID, EXIT_INVALID, EXIT_USAGE, EXIT_UNCHECKED = 0, 1, 2, 3


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register the ``validate`` subcommand on the ``amicert`` parser."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "validate",
        help="validate CIM (IEC 61968-100) or device-protocol message files",
        description="Validate message files: safe parse, envelope and payload XSD, envelope "
        "and code rules. Exit 0 valid, 1 invalid or unreadable, 3 nothing could be checked "
        "against a schema, 2 usage error.",
    )
    parser.add_argument(
        "files", nargs="+", metavar="PATH", help="message file(s), or directories (*.xml inside)"
    )
    parser.add_argument("--strict", action="store_true", help="warnings fail too")
    parser.add_argument(
        "--schema-dir",
        type=Path,
        action="append",
        default=[],
        help="schema directory (catalog.yaml, or XSDs/WSDLs to scan); repeatable, first wins; "
        "the harness's own schemas are used after them",
    )
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    parser.add_argument(
        "--now",
        help="check ReplayDetection freshness against this ISO 8601 time (with a zone); "
        "without it the freshness check is skipped for captured files",
    )
    parser.set_defaults(handler=run)
    add_schemas_parser(subparsers)
    return parser


def add_schemas_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``amicert schemas import DIR``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "schemas", help="manage schema packs (official IEC XSDs, a vendor's)"
    )
    actions = parser.add_subparsers(dest="schemas_command", required=True)
    imp = actions.add_parser(
        "import",
        help="build catalog.yaml for a folder of XSDs/WSDLs",
        description="Scan DIR for XSDs and WSDLs, file each schema by targetNamespace (kind and "
        "year from the namespace) and write DIR/catalog.yaml (or --output).",
    )
    imp.add_argument("directory", type=Path, metavar="DIR")
    imp.add_argument("--output", type=Path, help="where to write the catalog")
    imp.add_argument("--json", action="store_true", help="print the catalog as JSON instead")
    imp.set_defaults(handler=run_import)
    return parser


def _usage(command: str, message: str) -> int:
    print(f"amicert {command}: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def run_import(args: argparse.Namespace) -> int:
    directory: Path = args.directory
    if not directory.is_dir():
        return _usage("schemas import", f"{directory} is not a directory")
    pack = scan(directory)
    for note in pack.notes:
        print(f"note: {note}", file=sys.stderr)
    if not pack.entries:
        return _usage("schemas import", f"no XSD or WSDL with a targetNamespace under {directory}")
    if args.json:
        print(json.dumps(pack.catalog(), indent=2))
        return EXIT_VALID
    try:
        path = pack.write(args.output)
    except OSError as exc:
        return _usage("schemas import", f"cannot write the catalog: {exc.strerror or exc}")
    for ns, entry in sorted(pack.entries.items()):
        year = f" {entry.year}" if entry.year else ""
        print(f"{entry.kind:<8}{year:<5} {ns} -> {entry.path.relative_to(pack.directory)}")
    print(f"wrote {path} ({len(pack.entries)} namespaces)")
    return EXIT_VALID


@dataclass
class FileResult:
    """One path's outcome: VALID, INVALID, UNCHECKED (valid as far as the rules go, but no schema
    checked any part) or UNREADABLE."""

    name: str
    verdict: str
    findings: list[Finding]
    parts: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.name,
            "verdict": self.verdict,
            "valid": self.verdict in ("VALID", "UNCHECKED"),
            "checked": any(p["checked"] for p in self.parts),
            "parts": self.parts,
            "findings": [f.to_dict() for f in self.findings],
        }


def _paths(names: list[str]) -> list[Path]:
    """Files as given, directories expanded to the ``*.xml`` under them (sorted)."""
    found: list[Path] = []
    for name in names:
        path = Path(name)
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.suffix.lower() == ".xml" and p.is_file())
            )
        else:
            found.append(path)
    return found


def _read(path: Path) -> bytes | Finding:
    """The file's bytes (at most one past the limit, so XML-SIZE can say it), or why not."""
    if path.exists() and not path.is_file():
        return error("FILE-UNREADABLE", f"{path} is not a regular file")
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_BYTES + 1)
    except OSError as exc:
        return error("FILE-UNREADABLE", f"cannot read {path}: {exc.strerror or exc}")


def _verdict(result: ValidationResult, strict: bool) -> str:
    if has_errors(result.findings, strict=strict):
        return "INVALID"
    return "VALID" if result.checked else "UNCHECKED"


def _exit_code(results: list[FileResult]) -> int:
    verdicts = {r.verdict for r in results}
    if verdicts & {"INVALID", "UNREADABLE"}:
        return EXIT_INVALID
    return EXIT_UNCHECKED if verdicts == {"UNCHECKED"} else EXIT_VALID


def run(args: argparse.Namespace) -> int:
    now: datetime | None = None
    if args.now is not None:
        try:
            now = datetime.fromisoformat(args.now)
        except ValueError:
            return _usage("validate", f"--now {args.now!r} is not an ISO 8601 date-time")
        if now.tzinfo is None:
            return _usage("validate", "--now needs a timezone (e.g. 2024-05-01T12:00:00Z)")
    for directory in args.schema_dir:
        if not directory.is_dir():
            return _usage("validate", f"schema directory {directory} does not exist")
    paths = _paths(args.files)
    if not paths:
        return _usage("validate", "no *.xml file under " + ", ".join(args.files))
    try:
        validator = Validator(args.schema_dir or None)
    except SchemaError as exc:
        return _usage("validate", str(exc))

    results: list[FileResult] = []
    for path in paths:
        data = _read(path)
        if isinstance(data, Finding):
            results.append(FileResult(str(path), "UNREADABLE", [data]))
            continue
        context = ValidationContext(now=now, check_replay=now is not None)
        result = validator.validate(data, context)
        parts = [p.to_dict() for p in result.parts]
        results.append(FileResult(str(path), _verdict(result, args.strict), result.findings, parts))
    if args.json:
        print(json.dumps([r.to_dict() for r in results], indent=2))
    else:
        for r in results:
            for part in r.parts:
                how = (
                    f"checked by {part['schema']}"
                    if part["checked"]
                    else f"NOT CHECKED ({part.get('note', 'no schema')})"
                )
                print(f"{r.name}: {part['part']} {part['element']}: {how}")
            for finding in r.findings:
                print(f"{r.name}: {finding}")
            print(f"{r.name}: {r.verdict}")
    return _exit_code(results)
