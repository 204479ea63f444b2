"""The ``amicert`` command: run, list, validate. Usage errors exit 2, failed verdicts exit 1."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from amicert.catalog import CatalogError, load_catalog, project_root


class UsageError(Exception):
    """A command-line problem the user can fix; printed without a traceback, exit 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="amicert", description="AMI use-case conformance harness (IEC 61968 CIM)."
    )
    parser.add_argument(
        "--version", action=_Version, nargs=0, help="print the harness and library versions"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the use-case scenarios and write reports")
    run.add_argument(
        "--use-case",
        action="append",
        default=[],
        metavar="ID",
        help="run only this use case (repeatable); default: all",
    )
    run.add_argument(
        "--report-dir",
        default="reports",
        type=Path,
        help="where allure-results/, junit.xml, summary.* and exchanges/ go",
    )
    run.add_argument(
        "--actor",
        action="append",
        default=[],
        metavar="ROLE=module:Class",
        help="bind an actor to an implementation other than the reference one",
    )
    run.add_argument(
        "--scenario",
        action="append",
        default=[],
        metavar="ID",
        help="run only this scenario, an id `amicert list` prints (USE_CASE/ID where two use "
        "cases share it); repeatable",
    )
    run.add_argument(
        "--rerun-failed",
        action="store_true",
        help="run again only the scenarios (and outline examples) that did not pass in the last "
        "run, read from the summary in --report-dir",
    )
    run.add_argument(
        "-k",
        dest="keyword",
        default=None,
        help="pytest keyword expression over scenario titles and ids, e.g. "
        "-k 'image-refused and downgrade'",
    )
    run.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="show each step row with its exchanges and findings, and pytest's own output",
    )
    run.add_argument(
        "--requirement-url",
        default=None,
        metavar="TEMPLATE",
        help="where requirement links in Allure point, {id} replaced; default: the coverage "
        "page of reports/index.html",
    )
    run.add_argument(
        "--fleet",
        type=int,
        default=None,
        metavar="N",
        help="scale every fleet-scalable scenario (see `amicert list`) to N meters",
    )
    run.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="worker processes validating the messages of large fleets (0: none; default: one "
        "less than the cores, at most 4)",
    )
    run.add_argument(
        "--parallel-from",
        type=int,
        default=None,
        metavar="METERS",
        help="scenarios with at least this many meters validate in the workers (default: 1000)",
    )
    run.add_argument(
        "--require-observed",
        type=_percent,
        default=None,
        metavar="PCT",
        help="a PASS must rest on at least PCT%% of its rows (certification runs: 100)",
    )
    run.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a scenario setting (e.g. meters_per_hour=600); the value is read as JSON, else text",
    )
    run.add_argument(
        "--operator-answers",
        type=Path,
        default=None,
        metavar="FILE",
        help="answers for the people of the use cases (docs/operators.md)",
    )
    run.add_argument(
        "--sut",
        type=Path,
        default=None,
        metavar="FILE",
        help="SUT profile: run with its boundary actors reached over the wire",
    )
    run.add_argument(
        "--certify",
        type=Path,
        default=None,
        metavar="KEYFILE",
        help="seal the reports into DIR/certification.zip, signed with this Ed25519 private key "
        "(PEM; `openssl genpkey -algorithm ed25519 -out key.pem`)",
    )
    run.set_defaults(handler=cmd_run)

    ver = sub.add_parser("verify", help="check a certification bundle: every byte, the signature")
    ver.add_argument("bundle", type=Path, metavar="BUNDLE", help="a certification.zip")
    ver.add_argument(
        "--pubkey", type=Path, default=None, metavar="FILE", help="the signer's public key (PEM)"
    )
    ver.set_defaults(handler=cmd_verify)

    srv = sub.add_parser("serve", help="serve the reference implementation of a profile's boundary")
    srv.add_argument("--sut", type=Path, metavar="FILE", help="SUT profile")
    srv.add_argument("--fault", default=None, help="misbehave in one named way (see --list-faults)")
    srv.add_argument("--list-faults", action="store_true", help="list the faults and exit")
    srv.set_defaults(handler=cmd_serve)

    chk = sub.add_parser("check-adapter", help="what a SUT profile covers, before a run")
    chk.add_argument("--sut", type=Path, required=True, metavar="FILE", help="SUT profile")
    chk.add_argument("--json", action="store_true", help="machine-readable output")
    chk.set_defaults(handler=cmd_check_adapter)

    lst = sub.add_parser("list", help="list use cases, scenarios and coverage")
    lst.add_argument("--coverage", action="store_true", help="steps and requirements covered")
    lst.add_argument("--json", action="store_true", help="machine-readable output")
    lst.set_defaults(handler=cmd_list)

    mut = sub.add_parser(
        "mutate", help="prove the checks: every exchange mutated must end in FAIL on the product"
    )
    mut.add_argument("--use-case", action="append", default=[], metavar="ID")
    mut.add_argument(
        "--kind", action="append", default=[], metavar="KIND", help="wrong-code, other-device, ..."
    )
    mut.add_argument("--json", action="store_true", help="machine-readable output")
    mut.set_defaults(handler=cmd_mutate)

    ext = sub.add_parser("extract", help="one captured exchange, byte for byte, from a report")
    ext.add_argument(
        "folder", type=Path, help="a scenario's evidence folder (reports/exchanges/...)"
    )
    ext.add_argument("seq", type=int, help="the exchange number (#N in reports)")
    ext.add_argument("--out", type=Path, default=None, help="write to FILE (default: stdout)")
    ext.set_defaults(handler=cmd_extract)

    rep = sub.add_parser("report", help="rebuild DIR/index.html from its summary and evidence")
    rep.add_argument("dir", type=Path, metavar="DIR", help="a report directory of amicert run")
    rep.set_defaults(handler=cmd_report)

    con = sub.add_parser("contract", help="the vendor contract of a SUT profile's boundary")
    con.add_argument("--sut", type=Path, required=True, metavar="FILE", help="SUT profile")
    con.add_argument("--format", choices=("md", "json"), default="md", help="default: md")
    con.add_argument("--out", type=Path, default=Path("contract"), metavar="DIR")
    con.set_defaults(handler=cmd_contract)

    crt = sub.add_parser("certs", help="demo certificates for mutual TLS (a CA, server, clients)")
    crt.add_argument("kind", choices=("demo",), help="demo: certificates for the mTLS examples")
    crt.add_argument("dir", type=Path, metavar="DIR", help="folder to write them into")
    crt.set_defaults(handler=cmd_certs)

    from amicert.cim import validate_cmd

    validate_cmd.add_parser(sub)  # also registers ``schemas``
    return parser


MAX_FLEET = 1_000_000
MAX_WORKERS = 64


def _percent(text: str) -> float:
    """``--require-observed``: a percentage from 0 to 100 (a trailing % allowed), as a share."""
    try:
        value = float(text.rstrip("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a percentage, got {text!r}") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"expected a percentage from 0 to 100, got {text!r}")
    return value / 100


class _Version(argparse.Action):
    """``--version`` printed as is (argparse's own action re-wraps the line)."""

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        print(version_text())
        parser.exit(0)


def version_text() -> str:
    """Harness version and the versions that decide how scenarios run."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    from amicert import __version__

    parts = []
    for dist in ("pytest", "pytest-bdd", "allure-pytest-bdd", "lxml"):
        try:
            parts.append(f"{dist} {version(dist)}")
        except PackageNotFoundError:
            parts.append(f"{dist} not installed")
    return f"amicert {__version__} (Python {platform.python_version()}; {', '.join(parts)})"


def scenario_selection(
    catalog: dict[str, Any], wanted: list[str], use_cases: list[str]
) -> list[str]:
    """``--scenario`` values as ``USE_CASE/ID``; an unknown id is a usage error listing the known."""
    chosen: list[str] = []
    known = [
        (uc.id, sid)
        for uc in catalog.values()
        if not use_cases or uc.id in use_cases
        for sid in uc.scenarios
    ]
    for spec in wanted:
        uc_id, sep, sid = spec.rpartition("/")
        found = [(u, s) for u, s in known if s == sid and (not sep or u == uc_id)]
        if not found:
            listing = ", ".join(f"{u}/{s}" for u, s in known)
            raise UsageError(f"--scenario: no scenario {spec!r}; known: {listing}")
        if len(found) > 1:
            raise UsageError(
                f"--scenario: {spec!r} is a scenario of several use cases; name one of "
                + ", ".join(f"{u}/{s}" for u, s in found)
            )
        chosen.append(f"{found[0][0]}/{found[0][1]}")
    return chosen


def failed_selection(report_dir: Path) -> list[str]:
    """The scenarios (with their outline example) that did not pass in the last summary."""
    path = report_dir / "summary.json"
    if not path.is_file():
        raise UsageError(f"--rerun-failed: no summary.json in {report_dir}: run once first")
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
        scenarios = summary["scenarios"]
        return [
            f"{s['use_case']}/{s['scenario_id']}"
            + (f"[{s['example']}]" if s.get("example") else "")
            for s in scenarios
            if s["verdict"] not in ("PASS", "NOT_APPLICABLE")
        ]
    except (ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"--rerun-failed: {path} is not an amicert summary ({exc})") from None


def _catalog_or_usage() -> tuple[Path, dict]:  # type: ignore[type-arg]
    try:
        root = project_root()
        return root, load_catalog()
    except (FileNotFoundError, CatalogError) as exc:
        raise UsageError(str(exc)) from None


def cmd_list(args: argparse.Namespace) -> int:
    _, catalog = _catalog_or_usage()
    if args.coverage:
        from amicert.coverage import use_case_coverage

        found = [use_case_coverage(uc) for uc in catalog.values()]
        if args.json:
            print(json.dumps({"use_cases": [c.to_dict() for c in found]}, indent=2))
            return 0
        print(
            f"{'use case':<10} {'rows covered':>13} {'harness-only':>13} "
            f"{'requirements checked':>21} {'traced only':>12} {'out of scope':>13}  title"
        )
        for c in found:
            print(
                f"{c.id:<10} {c.rows_covered:>5}/{c.rows_total:<7} {len(c.rows_harness_only):>13} "
                f"{c.count('checked'):>12}/{c.testable:<8} {c.count('traced'):>12} "
                f"{c.count('out of scope'):>13}  {c.title}"
            )
            for r in c.requirements:
                if r.status not in ("checked", "out of scope"):
                    print(f"{'':<12}{r.id} {r.status}: {r.why}")
        return 0
    listing = [
        {
            "id": uc.id,
            "title": uc.title,
            "scenarios": [
                {
                    "id": s.id,
                    "name": s.name,
                    "harness_added": s.harness_added,
                    "fleet_scalable": s.id in _fleet_scalable(uc),
                }
                for s in uc.scenarios.values()
            ],
        }
        for uc in catalog.values()
    ]
    if args.json:
        print(json.dumps({"use_cases": listing}, indent=2))
        return 0
    for uc in listing:
        print(f"{uc['id']}  {uc['title']}")
        for s in uc["scenarios"]:
            added = "  (harness-added)" if s["harness_added"] else ""
            fleet = "  (scales with --fleet)" if s["fleet_scalable"] else ""
            print(f"    {s['id']:<16} {s['name']}{added}{fleet}")
    return 0


def _fleet_scalable(uc: Any) -> set[str]:
    """Scenarios with a set-up that ``--fleet N`` resizes (the driver marks such set-ups)."""
    from amicert.catalog import feature_steps
    from amicert.packages import driver_for

    driver = driver_for(uc.id)
    prefix = "set-up: "
    return {
        s.scenario_id
        for s in feature_steps(uc)
        if s.scenario_id and s.text.startswith(prefix) and driver.scales(s.text[len(prefix) :])
    }


def _profile_or_usage(path: Path, catalog: dict) -> Any:  # type: ignore[type-arg]
    from amicert.config import ProfileError, load_profile

    try:
        return load_profile(path, {a for uc in catalog.values() for a in uc.actors})
    except ProfileError as exc:
        raise UsageError(str(exc)) from None


def cmd_verify(args: argparse.Namespace) -> int:
    from amicert.report.certify import CertifyError, verify_bundle

    if not args.bundle.is_file():
        raise UsageError(f"{args.bundle}: no such bundle")
    try:
        verified = verify_bundle(args.bundle, args.pubkey)
    except CertifyError as exc:
        print(f"amicert: REJECTED: {exc}", file=sys.stderr)
        return 1
    print(f"OK: {args.bundle}: {verified.files} files intact, signed by {verified.signer}")
    if args.pubkey is None:
        print("note: checked with the bundle's own key; pass --pubkey to check who signed it")
    return 0


def seal(args: argparse.Namespace, report_dir: Path, key: Any, profile: Any) -> Path:
    """The certification bundle of a finished run."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    from amicert.report.certify import BUNDLE, build_bundle, profile_files

    packages = {}
    for dist in ("amicert", "pytest", "pytest-bdd", "lxml", "xmlschema", "zeep", "cryptography"):
        try:
            packages[dist] = version(dist)
        except PackageNotFoundError:
            packages[dist] = "not installed"
    versions = {
        "harness": version_text(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": packages,
        "product": None if profile is None else {"name": profile.name, "version": profile.version},
    }
    extra = profile_files(profile)
    extra["versions.json"] = json.dumps(versions, indent=2).encode() + b"\n"
    return build_bundle(report_dir, key, extra, report_dir / BUNDLE)


def cmd_report(args: argparse.Namespace) -> int:
    from amicert.report.html import ReportError, write_report

    _, catalog = _catalog_or_usage()
    if not args.dir.is_dir():
        raise UsageError(f"{args.dir}: no such report directory")
    try:
        path = write_report(args.dir, catalog)
    except ReportError as exc:
        raise UsageError(str(exc)) from None
    print(f"report: {path}")
    return 0


def run_description(args: argparse.Namespace, profile: Any) -> dict[str, Any]:
    """run.json: what ran, against what, with which harness; the report's header and the
    certification bundle read it."""
    from datetime import UTC, datetime

    described: dict[str, Any] = {
        "harness": version_text(),
        "started": datetime.now(UTC).isoformat(),
        "command": ["amicert", *sys.argv[1:]] if sys.argv[1:] else ["amicert", "run"],
        "profile": None,
    }
    if profile is not None:
        described["profile"] = {
            "path": str(profile.path),
            "name": profile.name,
            "version": profile.version,
            "boundary": list(profile.boundary),
            "bindings": {role: b.type for role, b in profile.bindings.items()},
            "address": profile.address,
            "pics": dict(profile.pics),
        }
    return described


def cmd_serve(args: argparse.Namespace) -> int:
    from amicert.serve import FAULTS, fault_applies, serve

    if args.list_faults:
        for fault in FAULTS.values():
            print(f"{fault.name:<18} {fault.description}")
        return 0
    if args.sut is None:
        raise UsageError("serve needs --sut FILE")
    if args.fault is not None and args.fault not in FAULTS:
        raise UsageError(f"unknown fault {args.fault!r}; known: {', '.join(FAULTS)}")
    _, catalog = _catalog_or_usage()
    profile = _profile_or_usage(args.sut, catalog)
    if args.fault is not None and not fault_applies(FAULTS[args.fault], profile, catalog):
        raise UsageError(
            f"fault {args.fault!r} cannot show on a boundary of {', '.join(profile.boundary)}: "
            "it sends no message that fault changes"
        )
    from urllib.parse import urlparse

    from amicert.transport.http import port_problem

    url = urlparse(profile.address)
    if not url.port:
        raise UsageError(f"{args.sut}: sut.address: serve needs an address with a port")
    problem = port_problem(url.hostname or "127.0.0.1", url.port)
    if problem:
        raise UsageError(f"{args.sut}: sut.address: {problem}")
    try:
        return serve(profile, catalog, args.fault, ready=lambda line: print(line, flush=True))
    except OSError as exc:
        raise UsageError(f"{args.sut}: sut.address: cannot listen: {exc.strerror or exc}") from None


def cmd_certs(args: argparse.Namespace) -> int:
    from amicert.transport.tls import demo_certificates

    try:
        written = demo_certificates(args.dir)
    except OSError as exc:
        raise UsageError(f"{args.dir}: cannot write certificates: {exc.strerror or exc}") from None
    for path in written:
        print(path)
    print("amicert: demo certificates only: the keys are unencrypted, never use them in a product")
    return 0


def cmd_mutate(args: argparse.Namespace) -> int:
    from amicert.cim.validate import Validator
    from amicert.headless import cases
    from amicert.mutations import KINDS, plan, run

    _, catalog = _catalog_or_usage()
    unknown = [u for u in args.use_case if u not in catalog]
    if unknown:
        raise UsageError(f"unknown use case {', '.join(unknown)}; known: {', '.join(catalog)}")
    bad = [k for k in args.kind if k not in KINDS]
    if bad:
        raise UsageError(f"unknown mutation {', '.join(bad)}; known: {', '.join(KINDS)}")
    kinds = tuple(args.kind) or KINDS
    validator = Validator()
    results = []
    for uc in catalog.values():
        if args.use_case and uc.id not in args.use_case:
            continue
        for m in plan(list(cases(uc)), kinds):
            results.append(run(m, validator))
    missed = [r for r in results if r.missed]
    results = [r for r in results if r.applicable]
    if args.json:
        print(
            json.dumps(
                {
                    "mutations": len(results),
                    "caught": len(results) - len(missed),
                    "results": [
                        {
                            "id": r.mutation.id,
                            "kind": r.mutation.kind,
                            "expected_rule": r.mutation.expected_rule,
                            "verdict": r.outcome.verdict.value,
                            "caught": r.caught,
                            "problem": r.problem,
                        }
                        for r in results
                    ],
                },
                indent=2,
            )
        )
    else:
        by_kind: dict[str, list[int]] = {}
        for r in results:
            counts = by_kind.setdefault(r.mutation.kind, [0, 0])
            counts[0] += 1
            counts[1] += r.caught
        for kind, (total, caught) in by_kind.items():
            print(f"{kind:<18} {caught:>5} / {total:<5} caught")
        for r in missed:
            print(f"MISSED {r.mutation.id}: {r.problem}")
        print(f"amicert: {len(results) - len(missed)} of {len(results)} mutations caught")
    return 0 if results and not missed else 1


def cmd_extract(args: argparse.Namespace) -> int:
    from amicert.report.evidence import EvidenceError, read_exchange

    try:
        body = read_exchange(args.folder, args.seq)
    except EvidenceError as exc:
        raise UsageError(str(exc)) from None
    if args.out is None:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    else:
        args.out.write_bytes(body)
    return 0


def cmd_contract(args: argparse.Namespace) -> int:
    from amicert.contract import ContractError, generate

    _, catalog = _catalog_or_usage()
    profile = _profile_or_usage(args.sut, catalog)
    if args.out.exists() and not args.out.is_dir():
        raise UsageError(f"--out {args.out} exists and is not a directory")
    try:
        return generate(profile, catalog, args.out, args.format)
    except ContractError as exc:
        print(f"amicert: contract: {exc}", file=sys.stderr)
        return 1


def cmd_check_adapter(args: argparse.Namespace) -> int:
    from amicert.check_adapter import check_adapter

    _, catalog = _catalog_or_usage()
    profile = _profile_or_usage(args.sut, catalog)
    return check_adapter(profile, catalog, as_json=args.json)


def cmd_run(args: argparse.Namespace) -> int:
    import pytest

    from amicert.world import BindingError, load_actor_class

    root, catalog = _catalog_or_usage()
    profile = _profile_or_usage(args.sut, catalog) if args.sut is not None else None
    if args.operator_answers is not None:
        import os

        from amicert.operators import ANSWERS_ENV, AnswersError, OperatorAnswers, questions_of

        try:
            from amicert.packages import driver_for

            OperatorAnswers.load(args.operator_answers).check(
                args.operator_answers,
                [f"{uc.id}/{sid}" for uc in catalog.values() for sid in uc.scenarios],
                questions_of(
                    (role, cls)
                    for uc in catalog.values()
                    for role, cls in driver_for(uc.id).reference.items()
                ),
            )
        except AnswersError as exc:
            raise UsageError(f"--operator-answers: {exc}") from None
        os.environ[ANSWERS_ENV] = str(args.operator_answers.resolve())
    unknown = [u for u in args.use_case if u not in catalog]
    if unknown:
        raise UsageError(
            f"unknown use case {', '.join(unknown)}; known: {', '.join(sorted(catalog))}"
        )
    for item in args.actor:
        role, sep, spec = item.partition("=")
        if not sep:
            raise UsageError(
                f"--actor expects ROLE=module:Class (or ROLE=entry-point), got {item!r}"
            )
        selected = [uc for uc in catalog.values() if not args.use_case or uc.id in args.use_case]
        if not any(role in uc.actors for uc in selected):
            where = "the selected use cases" if args.use_case else "any use case"
            raise UsageError(f"--actor: {role!r} is no actor of {where}")
        try:
            load_actor_class(role, spec)
        except BindingError as exc:
            raise UsageError(f"--actor: {exc}") from None
    key = None
    if args.certify is not None:
        from amicert.report.certify import CertifyError, load_private_key

        try:
            key = load_private_key(args.certify)
        except CertifyError as exc:
            raise UsageError(f"--certify: {exc}") from None
    report_dir: Path = args.report_dir.resolve()
    if report_dir.exists() and not report_dir.is_dir():
        raise UsageError(f"--report-dir {args.report_dir} exists and is not a directory")
    selection = scenario_selection(catalog, args.scenario, args.use_case)
    if args.rerun_failed:
        failed = failed_selection(report_dir)
        if not failed:
            print(f"amicert: nothing to re-run: every scenario in {report_dir}/summary.json passed")
            return 0
        selection += failed
    for stale in ("allure-results", "exchanges", "containers"):
        shutil.rmtree(report_dir / stale, ignore_errors=True)
    for stale in (
        "summary.json",
        "summary.md",
        "junit.xml",
        "index.html",
        "run.json",
        "certification.zip",
    ):
        (report_dir / stale).unlink(missing_ok=True)
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / "run.json").write_text(
        json.dumps(run_description(args, profile), indent=2), encoding="utf-8"
    )
    pytest_args = [
        str(root / "steps" / "test_use_cases.py"),
        "--rootdir",
        str(root),
        "-c",
        str(root / "pyproject.toml"),
        "--alluredir",
        str(report_dir / "allure-results"),
        "--amicert-report-dir",
        str(report_dir),
        "-p",
        "no:cacheprovider",
        "--assert=plain",  # no step asserts: rewriting every harness module is startup time lost
        # the run's plugins only: whatever else is installed (coverage, random order, the test
        # suite's parallel workers) neither costs start-up time nor changes the run
        "--disable-plugin-autoload",
        "-p",
        "no:unraisableexception",  # its collection of garbage at the end costs every run time
        "-p",
        "pytest_bdd.plugin",
        "-p",
        "allure_pytest_bdd.plugin",
        "-p",
        "amicert.pytest_plugin",
        "-o",
        "addopts=",  # the project's own test options (parallel workers) are not the run's
        "--amicert-console",
        "verbose" if args.verbose else "progress",
        "--amicert-requirement-url",
        args.requirement_url or (report_dir / "index.html").as_uri() + "#req-{id}",
    ]
    if args.verbose:  # pytest's own output too, without its dots
        pytest_args += ["-qq", "--tb=short", "-o", "console_output_style=classic"]
    else:  # nothing from pytest: the console prints progress, table and errors
        pytest_args += ["-p", "no:terminal"]
    for spec in selection:
        pytest_args += ["--amicert-scenario", spec]
    for use_case in args.use_case:
        pytest_args += ["--amicert-use-case", use_case]
    if args.require_observed is not None:
        pytest_args += ["--amicert-require-observed", str(args.require_observed)]
    if args.fleet is not None:
        if not 1 <= args.fleet <= MAX_FLEET:
            raise UsageError(f"--fleet expects a number of meters from 1 to {MAX_FLEET:,}")
        pytest_args += ["--amicert-fleet", str(args.fleet)]
    if args.workers is not None:
        if not 0 <= args.workers <= MAX_WORKERS:
            raise UsageError(f"--workers expects a number from 0 to {MAX_WORKERS}")
        pytest_args += ["--amicert-validation-workers", str(args.workers)]
    if args.parallel_from is not None:
        if args.parallel_from < 1:
            raise UsageError("--parallel-from expects a number of meters, at least 1")
        pytest_args += ["--amicert-parallel-from", str(args.parallel_from)]
    for item in args.set:
        name, sep, _ = item.partition("=")  # not ``key``: that is the certification key
        if not sep or not name.strip():
            raise UsageError(f"--set expects KEY=VALUE, got {item!r}")
        pytest_args += ["--amicert-set", item]
    for item in args.actor:
        pytest_args += ["--amicert-actor", item]
    if args.sut is not None:
        pytest_args += ["--amicert-sut", str(args.sut.resolve())]
    if args.keyword:
        pytest_args += ["-k", args.keyword]
    if profile is not None and profile.remote_roles():
        from amicert.transport.http import port_problem

        problem = port_problem(profile.harness_host, profile.harness_port)
        if problem:
            raise UsageError(f"{args.sut}: harness.port: {problem}")
    from amicert.adapters.docker import run_with_containers

    def run_scenarios() -> int:
        for line in endpoint_problems(profile, args.sut):
            print(f"amicert: {line}", file=sys.stderr)
        return int(pytest.main(pytest_args))

    ran = run_with_containers(profile, catalog, args.use_case, report_dir, run_scenarios)
    if ran is None:  # the product's containers are not up: every scenario INCONCLUSIVE
        return 1
    code = ran
    summary_path = report_dir / "summary.json"
    if int(code) in (4, 5) or not summary_path.exists():
        why = (
            "-k matched no scenario"
            if args.keyword
            else "no scenario was collected; see the lines above"
        )
        print(f"amicert: error: no scenario ran ({why}; pytest exit {int(code)})", file=sys.stderr)
        return 2
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    scenarios = summary["scenarios"]
    print()
    print(
        f"amicert: {len(scenarios)} scenarios: "
        + ", ".join(f"{v} {k}" for k, v in summary["totals"].items() if v)
    )
    print(f"report: {report_dir / 'index.html'}")
    print(f"also: {report_dir}/summary.md, summary.json, junit.xml, allure-results/, exchanges/")
    if key is not None and scenarios:  # nothing ran: nothing to certify
        bundle = seal(args, report_dir, key, profile)
        print(f"certification bundle: {bundle} (check with `amicert verify {bundle}`)")
    if not scenarios:
        return 1
    return 0 if summary["passed"] and int(code) == 0 else 1


def endpoint_problems(profile: Any, path: Path | None) -> list[str]:
    """Each endpoint of the profile that does not accept a connection, as one line with its fix.

    Probed before the run so that a product that is not started is said once, plainly, rather
    than as the HTTP library's text in every scenario (which still ends INCONCLUSIVE)."""
    import socket
    from urllib.parse import urlparse

    if profile is None or not profile.remote_roles():
        return []
    endpoints = [("sut.address", profile.address)]
    if profile.test_control:
        endpoints.append(("sut.test_control", profile.test_control))
    problems: list[str] = []
    seen: set[tuple[str, int]] = set()
    for key, url in endpoints:
        parsed = urlparse(url)
        host = parsed.hostname or "127.0.0.1"
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        if (host, port) in seen:
            continue
        seen.add((host, port))
        try:
            with socket.create_connection((host, port), timeout=profile.timeouts.connect_s):
                pass
        except socket.gaierror as exc:
            problems.append(
                f"{path}: {key}: cannot resolve host {host!r} ({exc.strerror or exc}): "
                "correct the address"
            )
        except OSError as exc:
            why = (
                "nothing listens on"
                if isinstance(exc, ConnectionRefusedError)
                else "no answer from"
            )
            detail = "" if isinstance(exc, ConnectionRefusedError) else f" ({exc.strerror or exc})"
            problems.append(
                f"{why} {host}:{port}{detail} ({key} of {path}): start the product, or "
                f"`amicert serve --sut {path}` to stand the reference in for it; its scenarios "
                "will be INCONCLUSIVE"
            )
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors; keep that contract
        return int(exc.code or 0)
    try:
        return int(args.handler(args))
    except UsageError as exc:
        print(f"amicert: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (`amicert list | head`): nothing to report
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
