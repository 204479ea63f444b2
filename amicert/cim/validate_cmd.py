"""``amicert validate FILE...``: the validation pipeline from the command line.

Exit 0 when every file is valid (warnings allowed unless ``--strict``), 1 when any is not, 2 on a
usage problem (missing file, bad option, missing schema directory), always without a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from amicert.cim.model import ValidationContext
from amicert.cim.schemas import SchemaError
from amicert.cim.validate import Validator
from amicert.cim.xmlsafe import MAX_BYTES
from amicert.findings import has_errors


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register the ``validate`` subcommand on the ``amicert`` parser."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "validate",
        help="validate CIM (IEC 61968-100) or device-protocol message files",
        description="Validate message files: safe parse, envelope and payload XSD, envelope "
        "and code rules. Exit 0 valid, 1 invalid, 2 usage error.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="message file(s) to validate")
    parser.add_argument("--strict", action="store_true", help="warnings fail too")
    parser.add_argument("--schema-dir", type=Path, help="schema directory with catalog.yaml")
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    parser.add_argument(
        "--now",
        help="check ReplayDetection freshness against this ISO 8601 time (with a zone); "
        "without it the freshness check is skipped for captured files",
    )
    parser.set_defaults(handler=run)
    return parser


def _usage(message: str) -> int:
    print(f"amicert validate: error: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    now: datetime | None = None
    if args.now is not None:
        try:
            now = datetime.fromisoformat(args.now)
        except ValueError:
            return _usage(f"--now {args.now!r} is not an ISO 8601 date-time")
        if now.tzinfo is None:
            return _usage("--now needs a timezone (e.g. 2024-05-01T12:00:00Z)")
    if args.schema_dir is not None and not args.schema_dir.is_dir():
        return _usage(f"schema directory {args.schema_dir} does not exist")
    contents: list[tuple[str, bytes]] = []
    for name in args.files:
        path = Path(name)
        if path.exists() and not path.is_file():
            return _usage(f"{name} is not a regular file")
        try:
            with path.open("rb") as handle:  # at most one byte past the limit: XML-SIZE says it
                contents.append((name, handle.read(MAX_BYTES + 1)))
        except OSError as exc:
            return _usage(f"cannot read {name}: {exc.strerror or exc}")
    try:
        validator = Validator(args.schema_dir)
    except SchemaError as exc:
        return _usage(str(exc))

    failed = False
    report: list[dict[str, Any]] = []
    for name, data in contents:
        context = ValidationContext(now=now, check_replay=now is not None)
        result = validator.validate(data, context)
        valid = not has_errors(result.findings, strict=args.strict)
        failed |= not valid
        if args.json:
            report.append(
                {
                    "file": name,
                    "valid": valid,
                    "findings": [f.to_dict() for f in result.findings],
                }
            )
            continue
        for finding in result.findings:
            print(f"{name}: {finding}")
        print(f"{name}: {'VALID' if valid else 'INVALID'}")
    if args.json:
        print(json.dumps(report, indent=2))
    return 1 if failed else 0
