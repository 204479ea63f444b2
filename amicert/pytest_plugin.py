"""pytest plugin: runs the Gherkin scenarios against bound actors and records verdicts and evidence.

Inert unless pytest-bdd scenarios of an amicert use case are collected. The verdict of a scenario
is decided from its findings (amicert.verdicts.decide); the pytest outcome is made to agree with
it, so JUnit, Allure and the certification summary never disagree.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from amicert.catalog import HARNESS_ADDED_TAG, UseCase, load_catalog, tag_value
from amicert.findings import Blame, error
from amicert.verdicts import Outcome, Verdict

if TYPE_CHECKING:  # the world pulls in lxml and the validator: import it only when a scenario runs
    from amicert.report.console import Console
    from amicert.report.summary import ScenarioResult
    from amicert.world import RunOptions, World

WORLD = pytest.StashKey["World"]()
CONSOLE: pytest.StashKey[Console] = pytest.StashKey()
ITEMS = pytest.StashKey[dict[str, pytest.Item]]()
RESULT = pytest.StashKey["ScenarioResult"]()
RESULTS = pytest.StashKey[list["ScenarioResult"]]()
CATALOG = pytest.StashKey[dict[str, UseCase]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("amicert", "AMI use-case conformance")
    group.addoption("--amicert-report-dir", default=None, help="write summary and evidence here")
    group.addoption(
        "--amicert-actor",
        action="append",
        default=[],
        metavar="ROLE=module:Class",
        help="bind an actor role to an implementation other than the reference one",
    )
    group.addoption(
        "--amicert-use-case", action="append", default=[], metavar="ID", help="run only these"
    )
    group.addoption(
        "--amicert-validation-workers",
        type=int,
        default=None,
        metavar="N",
        help="worker processes validating the messages of large fleets (0: none; default: one "
        "less than the cores, at most 4)",
    )
    group.addoption(
        "--amicert-parallel-from",
        type=int,
        default=None,
        metavar="METERS",
        help="scenarios with at least this many meters validate in the workers",
    )
    group.addoption("--amicert-sut", default=None, metavar="FILE", help="SUT profile (sut.toml)")
    group.addoption(
        "--amicert-fleet", type=int, default=None, metavar="N", help="scale scenarios to N meters"
    )
    group.addoption(
        "--amicert-set", action="append", default=[], metavar="KEY=VALUE", help="a setting"
    )
    group.addoption(
        "--amicert-require-observed",
        type=float,
        default=None,
        metavar="SHARE",
        help="a PASS must rest on at least this share (0..1) of its rows, else INCONCLUSIVE",
    )
    group.addoption(
        "--amicert-scenario",
        action="append",
        default=[],
        metavar="USE_CASE/ID[EXAMPLE]",
        help="run only these scenarios (an outline example when [EXAMPLE] is given)",
    )
    group.addoption(
        "--amicert-console",
        default=None,
        choices=["progress", "verbose"],
        help="print one line per scenario (verbose: and each step row) instead of pytest's output",
    )
    group.addoption(
        "--amicert-requirement-url",
        default=None,
        metavar="TEMPLATE",
        help="URL of a requirement in reports, {id} replaced (default: the HTML coverage page)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "amicert(tag): a use-case tag of an amicert scenario")
    config.stash[RESULTS] = []
    mode = config.getoption("amicert_console", None)
    if mode:
        import logging
        import sys

        from amicert.report.console import Console

        capture = config.pluginmanager.getplugin("capturemanager")
        config.stash[CONSOLE] = Console(sys.stdout, mode, capture)
        if mode != "verbose":  # HTTP servers' access lines are noise to a test engineer
            logging.getLogger("werkzeug").setLevel(logging.WARNING)


PROFILE = pytest.StashKey[Any]()
SERVER = pytest.StashKey[Any]()
CURRENT = pytest.StashKey[list[Any]]()


def _profile(config: pytest.Config) -> Any:
    """The SUT profile named by --amicert-sut (loaded once), or None."""
    if PROFILE not in config.stash:
        path = config.getoption("amicert_sut")
        profile = None
        if path:
            from amicert.config import ProfileError, load_profile

            actors = {a for uc in _catalog(config).values() for a in uc.actors}
            try:
                profile = load_profile(Path(path), actors)
            except ProfileError as exc:
                raise pytest.UsageError(str(exc)) from None
        config.stash[PROFILE] = profile
    return config.stash[PROFILE]


def _endpoint(config: pytest.Config) -> list[Any]:
    """The harness-hosted endpoint for messages the SUT sends (one server for the session)."""
    if CURRENT not in config.stash:
        current: list[Any] = [None]
        profile = _profile(config)
        if profile is not None and profile.remote_roles():
            from amicert.adapters.endpoint import Endpoint
            from amicert.config import server_context
            from amicert.transport.http import HttpServer, exchange_budget

            endpoint = Endpoint(
                lambda: current[0],
                max_body_bytes=profile.timeouts.max_body_bytes,
                secrets=lambda: _redactor(config),
            )
            try:
                server = endpoint.serve_on(
                    HttpServer(
                        profile.harness_host,
                        profile.harness_port,
                        endpoint,
                        profile.timeouts.max_body_bytes,
                        ssl_context=server_context(profile.harness_tls),
                        budget_s=exchange_budget(profile.timeouts),
                        socket_timeout_s=profile.timeouts.read_s,
                    )
                ).start()
            except OSError as exc:
                raise pytest.UsageError(
                    f"{profile.path}: harness.port: cannot listen on "
                    f"{profile.harness_host}:{profile.harness_port}: {exc.strerror or exc}"
                ) from None
            config.stash[SERVER] = server
        config.stash[CURRENT] = current
    return config.stash[CURRENT]


def pytest_unconfigure(config: pytest.Config) -> None:
    server = config.stash.get(SERVER, None)
    if server is not None:
        server.stop()
    run = config.stash.get(RUN_REPORT, None)
    if run is not None:
        # a final sweep for secrets over everything written, whoever wrote it
        run.redactor.scrub_tree(run.report_dir)


REDACTOR = pytest.StashKey[Any]()
RUN_REPORT = pytest.StashKey[Any]()
STARTED = pytest.StashKey[float]()


def _redactor(config: pytest.Config) -> Any:
    """The secrets of this run: the profile's password and the environment's (cached)."""
    if REDACTOR not in config.stash:
        from amicert.transport.redact import Redactor

        profile = _profile(config)
        password = profile.security.password() if profile is not None else None
        config.stash[REDACTOR] = Redactor.from_environment(password)
    return config.stash[REDACTOR]


def _run_report(config: pytest.Config) -> Any:
    """The run's reports written as it goes (None without --amicert-report-dir)."""
    if RUN_REPORT not in config.stash:
        report_dir = config.getoption("amicert_report_dir")
        if not report_dir:
            return None
        from amicert.report.summary import RunReport

        config.stash[RUN_REPORT] = RunReport(Path(report_dir), _redactor(config))
    return config.stash[RUN_REPORT]


def _begin(request: pytest.FixtureRequest, use_case: UseCase, spec: Any, name: str) -> None:
    """The scenario is on disk as unfinished before anything of it runs."""
    request.node.stash[STARTED] = time.monotonic()
    run = _run_report(request.config)
    if run is not None:
        from amicert.report.summary import unfinished

        run.begin(unfinished(use_case.id, spec.id, name, spec.harness_added))


def run_options(config: pytest.Config) -> RunOptions:
    from amicert.world import RunOptions

    overrides: dict[str, str] = {}
    for item in config.getoption("amicert_actor") or []:
        role, sep, spec = item.partition("=")
        if not sep or not role.strip() or not spec.strip():
            raise pytest.UsageError(f"--amicert-actor expects ROLE=module:Class, got {item!r}")
        overrides[role.strip()] = spec.strip()
    settings: dict[str, Any] = {}
    for item in config.getoption("amicert_set") or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise pytest.UsageError(f"--amicert-set expects KEY=VALUE, got {item!r}")
        settings[key.strip()] = setting_value(value)
    if RUN_IDS not in config.stash:  # MessageIDs are unique across the whole run
        config.stash[RUN_IDS] = set()
    config.stash[RUN_COUNT] = config.stash.get(RUN_COUNT, 0) + 1
    return RunOptions(
        actor_overrides=overrides,
        profile=_profile(config),
        fleet=config.getoption("amicert_fleet"),
        settings=settings,
        require_observed=config.getoption("amicert_require_observed"),
        run_index=config.stash[RUN_COUNT],
        seen_message_ids=config.stash[RUN_IDS],
        validation_pool=_validation_pool(config),
    )


_POOL = pytest.StashKey[Any]()


def _validation_pool(config: pytest.Config) -> Any:
    """The run's validation workers, started when a scenario first needs them."""
    from amicert.validation_pool import PARALLEL_FROM_METERS, ValidationPool, default_workers

    if _POOL not in config.stash:
        workers = config.getoption("amicert_validation_workers")
        parallel_from = config.getoption("amicert_parallel_from")
        config.stash[_POOL] = ValidationPool(
            default_workers() if workers is None else workers,
            parallel_from=PARALLEL_FROM_METERS if parallel_from is None else parallel_from,
        )
    return config.stash[_POOL]


RUN_IDS = pytest.StashKey[set[str]]()
RUN_COUNT = pytest.StashKey[int]()


def setting_value(text: str) -> Any:
    """A ``--set`` value: JSON where it parses (numbers, booleans, lists), else the text itself."""
    import json

    try:
        return json.loads(text)
    except ValueError:
        return text


_LABELS = {"interface": "tag"}  # use case and scenario: set per scenario, with titles


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_apply_tag(tag: str, function: Any) -> Any:
    """``key:value`` tags become an amicert marker and, where they name one, an Allure label."""
    if ":" not in tag and tag != HARNESS_ADDED_TAG:
        return None
    marked = pytest.mark.amicert(tag)(function)
    key, _, value = tag.partition(":")
    if key in _LABELS:
        marked = pytest.mark.allure_label(value, label_type=_LABELS[key])(marked)
    if tag == HARNESS_ADDED_TAG:
        marked = pytest.mark.allure_label("harness-added", label_type="tag")(marked)
    return marked


def _tags(item: pytest.Item) -> set[str]:
    return {m.args[0] for m in item.iter_markers("amicert") if m.args}


def item_identity(item: pytest.Item) -> tuple[str | None, str | None, str]:
    """Use case id, scenario id and outline example (named by its parameters) of an item."""
    from amicert.report.console import example_text

    tags = _tags(item)
    callspec = getattr(item, "callspec", None)
    params = callspec.params.get("_pytest_bdd_example", {}) if callspec is not None else {}
    return tag_value(tags, "use_case"), tag_value(tags, "scenario"), example_text(params)


def _selected(wanted: list[str], use_case: str | None, scenario: str | None, example: str) -> bool:
    """Whether ``USE_CASE/ID`` or ``USE_CASE/ID[EXAMPLE]`` in ``wanted`` names this scenario."""
    for spec in wanted:
        found = re.fullmatch(r"([^/]+)/([^\[]+)(?:\[(.*)\])?", spec)
        if found is None:
            continue
        same = found.group(1) == use_case and found.group(2) == scenario
        if same and found.group(3) in (None, example):
            return True
    return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    use_cases = set(config.getoption("amicert_use_case") or [])
    scenarios = list(config.getoption("amicert_scenario") or [])
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        use_case, scenario, example = item_identity(item)
        if use_case is not None and scenario is not None:
            # -k matches the ids `amicert list` prints as well as the scenario titles
            item.extra_keyword_matches.update({use_case, scenario})
        wanted = use_case is None or (
            (not use_cases or use_case in use_cases)
            and (not scenarios or _selected(scenarios, use_case, scenario, example))
        )
        (keep if wanted else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_collection_finish(session: pytest.Session) -> None:
    console = session.config.stash.get(CONSOLE, None)
    if console is not None:
        console.total = len(session.items)
        session.config.stash[ITEMS] = {item.nodeid: item for item in session.items}


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    console = item.config.stash.get(CONSOLE, None)
    if console is not None:
        from amicert.report.console import short_example

        use_case, scenario, example = item_identity(item)
        name = (scenario or item.name) + (f" [{short_example(example)}]" if example else "")
        console.start(item.nodeid, use_case or "", name)


def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config) -> Any:
    """No pytest letters or dots when the amicert console reports progress."""
    if CONSOLE in config.stash and report.when == "call":
        return report.outcome, "", ""
    return None


def _catalog(config: pytest.Config) -> dict[str, UseCase]:
    if CATALOG not in config.stash:
        config.stash[CATALOG] = load_catalog()
    return config.stash[CATALOG]


def _allure_attach(name: str, body: bytes | str, kind: str, redactor: Any = None) -> None:
    """Attach to the current Allure step: secrets redacted, the name made inert markup."""
    import allure

    from amicert.report.escape import label
    from amicert.transport.redact import Redactor

    redactor = redactor if redactor is not None else Redactor.from_environment()
    body = redactor.scrub(body) if isinstance(body, bytes) else redactor.scrub_text(body)
    attachment = {"xml": allure.attachment_type.XML, "svg": allure.attachment_type.SVG}.get(
        kind, allure.attachment_type.TEXT
    )
    allure.attach(body, name=label(redactor.scrub_text(name)), attachment_type=attachment)


def _attacher(config: pytest.Config) -> Any:
    redactor = _redactor(config)

    def attach(name: str, body: bytes | str, kind: str) -> None:
        _allure_attach(name, body, kind, redactor)

    return attach


@pytest.hookimpl(trylast=True)
def pytest_bdd_before_scenario(request: pytest.FixtureRequest, feature: Any, scenario: Any) -> None:
    from amicert.cim.validate import Validator
    from amicert.world import World

    tags = set(scenario.tags) | set(feature.tags)
    use_case_id = tag_value(tags, "use_case")
    scenario_id = tag_value(tags, "scenario")
    if use_case_id is None or scenario_id is None:
        return
    config = request.config
    use_case = _catalog(config)[use_case_id]
    spec = use_case.scenario(scenario_id)
    from amicert.world import BindingError

    _begin(request, use_case, spec, _display_name(request.node, scenario.name))
    try:
        world = World(use_case, spec, _validator(config, Validator), run_options(config))
    except Exception as exc:  # keep the record: the scenario is ERROR, with the reason
        from amicert.report.summary import ScenarioResult

        rule = "BINDING" if isinstance(exc, BindingError) else "HARNESS-SETUP"
        finding = error(rule, str(exc), blame=Blame.HARNESS)
        request.node.stash[RESULT] = ScenarioResult(
            use_case.id,
            spec.id,
            _display_name(request.node, scenario.name),
            spec.harness_added,
            Verdict.ERROR,
            str(exc),
            rule,
            None,
            [finding],
        )
        raise
    world.attach = _attacher(config)
    report_dir = config.getoption("amicert_report_dir")
    if report_dir:
        from amicert.report.evidence import EvidenceWriter, scenario_folder

        callspec = getattr(request.node, "callspec", None)
        world.evidence = EvidenceWriter(
            scenario_folder(
                Path(report_dir) / "exchanges",
                use_case.id,
                spec.id,
                callspec.id if callspec is not None else None,
            ),
            _redactor(config),
        )
        world.trace.on_record.append(world.evidence.add)
    _wire_progress(config, world)
    _scope_answers(config, world, f"{use_case_id}/{scenario_id}")
    request.node.stash[WORLD] = world
    _endpoint(config)[0] = world
    _allure_labels(request, use_case, spec.name, scenario_id)
    profile = world.profile
    if profile is not None:
        missing = [
            t.split(":", 1)[1]
            for t in sorted(tags)
            if t.startswith("capability:") and not profile.claims(t.split(":", 1)[1])
        ]
        if missing:
            world.na_reason = f"the product does not claim {', '.join(missing)} (PICS)"
            pytest.skip(f"NOT_APPLICABLE: {world.na_reason}")
        world.findings.extend(_client_auth_findings(config, profile))


CLIENT_AUTH = pytest.StashKey[list[Any]]()


def _client_auth_findings(config: pytest.Config, profile: Any) -> list[Any]:
    """What the product's TLS endpoint let in that it had to refuse (probed once a run): a
    finding in every scenario, since every scenario trusts the product's client authentication."""
    if CLIENT_AUTH not in config.stash:
        from amicert.transport.tls import accepted_findings, client_auth_probe

        config.stash[CLIENT_AUTH] = accepted_findings(profile.address, client_auth_probe(profile))
    found: list[Any] = config.stash[CLIENT_AUTH]
    return list(found)


_ANSWERS = pytest.StashKey[Any]()


def _scope_answers(config: pytest.Config, world: World, scenario: str) -> None:
    """The operator answers of this scenario: its own (``scenarios:``) over the file's general."""
    import os

    from amicert.operators import ANSWERS_ENV, ANSWERS_SETTING, OperatorAnswers

    path = os.environ.get(ANSWERS_ENV)
    if not path or ANSWERS_SETTING in world.settings:
        return
    if _ANSWERS not in config.stash:
        config.stash[_ANSWERS] = OperatorAnswers.load(Path(path))
    world.settings[ANSWERS_SETTING] = config.stash[_ANSWERS].for_scenario(scenario)


def _allure_labels(
    request: pytest.FixtureRequest, use_case: UseCase, name: str, scenario_id: str
) -> None:
    """Allure groups by use case, then scenario; an outline example is named by its
    parameters; requirement links point at the coverage page (or --amicert-requirement-url)."""
    import allure

    _, _, example = item_identity(request.node)
    title = f"{use_case.id} {use_case.title}"
    scenario_title = f"{scenario_id}: {name}"
    for kind, value in (
        ("epic", title),
        ("parentSuite", title),
        ("feature", scenario_title),
        ("suite", scenario_title),
    ):
        allure.dynamic.label(kind, value)  # type: ignore[no-untyped-call]
    if example:
        allure.dynamic.label("subSuite", example)  # type: ignore[no-untyped-call]
    allure.dynamic.title(f"{name} [{example}]" if example else name)  # type: ignore[no-untyped-call]
    template = request.config.getoption("amicert_requirement_url") or "index.html#req-{id}"
    for req in use_case.requirements:
        if any(t.startswith(f"{scenario_id}:") for t in req.traced_to):
            allure.dynamic.link(  # type: ignore[no-untyped-call]
                template.replace("{id}", req.id), link_type="requirement", name=req.id
            )
    lifecycle = _allure_lifecycle(request.config)
    if lifecycle is not None:  # the tree follows use case and scenario, not feature folders
        with lifecycle.update_test_case() as result:
            if result is not None:
                result.titlePath = [title, scenario_title]


def _allure_lifecycle(config: pytest.Config) -> Any:
    for plugin in config.pluginmanager.get_plugins():
        if type(plugin).__name__ == "PytestBDDListener":
            return getattr(plugin, "lifecycle", None)
    return None


@pytest.hookimpl(trylast=True)
def pytest_bdd_before_step_call(
    request: pytest.FixtureRequest,
    feature: Any,
    scenario: Any,
    step: Any,
    step_func: Any,
    step_func_args: dict[str, Any],
) -> None:
    """The ``world`` fixture is no parameter of a step: keep its repr out of Allure."""
    lifecycle = _allure_lifecycle(request.config)
    if lifecycle is None or "world" not in step_func_args:
        return
    from allure_pytest_bdd.steps import get_step_uuid  # type: ignore[import-untyped]

    with lifecycle.update_step(uuid=get_step_uuid(step)) as result:
        if result is not None:
            result.parameters = [p for p in result.parameters if p.name != "world"]


def _wire_progress(config: pytest.Config, world: World) -> None:
    """Progress lines of a large scenario go to the terminal, past pytest's output capture."""
    capman = config.pluginmanager.getplugin("capturemanager")
    reporter = config.pluginmanager.getplugin("terminalreporter")
    console = config.stash.get(CONSOLE, None)
    if reporter is None and console is not None:  # amicert run: the console has the terminal
        world.show_progress(lambda line, final: console.line(f"    {line}"), interactive=False)
        return
    if capman is None or reporter is None:
        return
    interactive = bool(getattr(reporter, "isatty", False))

    def emit(line: str, final: bool) -> None:
        with capman.global_and_fixture_disabled():
            if interactive:
                reporter.write("\r" + line + ("\n" if final else ""), flush=True)
            else:
                reporter.write_line(line)

    world.show_progress(emit, interactive=interactive)


_VALIDATOR = pytest.StashKey[Any]()


def _validator(config: pytest.Config, factory: Any) -> Any:
    if _VALIDATOR not in config.stash:
        config.stash[_VALIDATOR] = factory()
    return config.stash[_VALIDATOR]


@pytest.fixture
def world(request: pytest.FixtureRequest) -> World:
    """The running scenario's world (created by the before-scenario hook from its tags)."""
    try:
        found: World = request.node.stash[WORLD]
        return found
    except KeyError:
        raise RuntimeError("scenario has no @use_case:<id> and @scenario:<id> tags") from None


def pytest_bdd_after_scenario(request: pytest.FixtureRequest, feature: Any, scenario: Any) -> None:
    from amicert.report.summary import ScenarioResult

    world = request.node.stash.get(WORLD, None)
    if world is None:
        return
    if world.na_reason:
        request.node.stash[RESULT] = ScenarioResult.from_world(
            world,
            Outcome(Verdict.NOT_APPLICABLE, world.na_reason, "PICS"),
            _display_name(request.node, scenario.name),
        )
        return
    from amicert.adapters.remote import TestControlAnswerError, TestControlError
    from amicert.control_schema import control_outcome

    if world.control is not None:  # malformed answers count, even those a check caught
        world.findings.extend(world.control.answer_findings)
    try:
        outcome, analysis = world.finish()
    except Exception as exc:  # judging failed: keep every finding seen so far
        seen = [f for found in world.step_findings.values() for f in found] + world.findings
        if isinstance(exc, TestControlAnswerError):
            _answer_evidence(world, exc)  # the offending bytes, kept with the finding
        if isinstance(exc, TestControlError):
            outcome = control_outcome(exc, seen)
        else:
            finding = error("HARNESS", f"harness error while judging: {exc!r}", blame=Blame.HARNESS)
            outcome = Outcome(Verdict.ERROR, finding.message, "HARNESS", None, [*seen, finding])
    world.attach_exchanges(analysis.unmatched if "analysis" in locals() else [])
    from amicert.report import diagram

    current = request.config.stash.get(CURRENT, None)
    if current is not None and current[0] is world:
        current[0] = None  # late messages must not land in a finished scenario
    attach = _attacher(request.config)
    attach("observed sequence", _sequence_text(world), "text")
    attach("sequence: expected and observed", diagram.for_world(world, outcome.findings), "svg")
    request.node.stash[RESULT] = ScenarioResult.from_world(
        world, outcome, _display_name(request.node, scenario.name)
    )


def _answer_evidence(world: World, exc: Any) -> Any:
    """Keep a wrong test-control answer as an exchange from the product, with its finding."""
    from amicert.findings import Finding

    finding: Finding = exc.finding
    if not exc.head:
        return finding  # nothing arrived to keep: the finding says what was wrong
    peer = next(iter(sorted(world.remote_roles)), "(unknown)")
    with world.lock:
        x = world.bus.record(peer, "(harness endpoint)", exc.head, transport="http")
        x.note = f"test-control answer: {finding.message[:200]}"
        x.findings.append(finding)
    return finding


def _display_name(node: Any, name: str) -> str:
    callspec = getattr(node, "callspec", None)
    return f"{name} [{callspec.id}]" if callspec is not None else name


SEQUENCE_LINES = 2000  # the observed sequence as text; a fleet's full list is in its index.json


def _sequence_text(world: World) -> str:
    lines = []
    exchanges = world.trace.exchanges
    if len(exchanges) > SEQUENCE_LINES:
        lines.append(
            f"(first {SEQUENCE_LINES} of {len(exchanges)} exchanges; all are in the evidence index)"
        )
    for x in exchanges[:SEQUENCE_LINES]:
        arrow = "<--" if x.in_reply_to else "-->"
        step = f"step {x.step}" if x.step else "no step"
        lines.append(
            f"#{x.seq:<3} {x.virtual_time.isoformat()}  {x.producer} {arrow} {x.receiver}: "
            f"{x.label} ({step}; {len(x.findings)} findings)"
        )
    return "\n".join(lines) or "(no exchange observed)"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    from amicert.report.summary import write_exchanges
    from amicert.world import StepCheckFailed

    report = yield
    console = item.config.stash.get(CONSOLE, None)
    if call.when == "setup" and report.failed and console is not None:
        console.end(item.nodeid, "ERROR", f"set-up failed: {report.longreprtext}")
    if call.when != "call":
        return report
    result = item.stash.get(RESULT, None)
    world = item.stash.get(WORLD, None)
    if result is None and world is not None and world.na_reason:
        from amicert.report.summary import ScenarioResult

        result = ScenarioResult.from_world(
            world, Outcome(Verdict.NOT_APPLICABLE, world.na_reason, "PICS"), item.name
        )
    if result is None:
        return report
    exc = call.excinfo.value if call.excinfo is not None else None
    from amicert.adapters.remote import TestControlAnswerError, TestControlError

    if isinstance(exc, TestControlError):
        from amicert.control_schema import control_outcome

        if isinstance(exc, TestControlAnswerError) and world is not None:
            _answer_evidence(world, exc)  # the offending bytes, kept with the finding
        if not (isinstance(exc, TestControlAnswerError) and result.verdict is Verdict.FAIL):
            result.apply(control_outcome(exc, list(result.findings)))
    elif (
        exc is not None
        and not isinstance(exc, (AssertionError, pytest.skip.Exception))
        and result.rule != "BINDING"
    ):
        seen = list(result.findings)
        finding = error("HARNESS", f"{type(exc).__name__}: {exc}", blame=Blame.HARNESS)
        result.apply(Outcome(Verdict.ERROR, finding.message, "HARNESS", None, [*seen, finding]))
    if result.verdict is not Verdict.PASS and report.passed:
        report.outcome = "failed"
        report.longrepr = f"{result.verdict.value}: {result.reason}"
    if result.verdict is Verdict.PASS and report.failed and isinstance(exc, StepCheckFailed):
        # a step saw an error the final judgement did not keep: keep the stricter outcome
        result.apply(
            Outcome(Verdict.FAIL, str(exc), exc.findings[0].rule, exc.number, exc.findings)
        )
    if result.basis:  # what the verdict rests on, for JUnit readers too
        basis = result.basis
        item.user_properties.append(("rows observed", f"{basis['observed']}/{basis['rows']}"))
        item.user_properties.append(("rows not observable", str(basis["not_observable"])))
    _, _, result.example = item_identity(item)
    if console is not None:
        console.end(item.nodeid, result.verdict.value, result.reason)
        result.duration_s = console.durations.get(item.nodeid, 0.0)
    started = item.stash.get(STARTED, None)
    if started is not None:
        result.wall_s = time.monotonic() - started
    item.config.stash[RESULTS].append(result)
    run = _run_report(item.config)
    if run is not None:
        world = item.stash.get(WORLD, None)
        if world is not None:
            write_exchanges(run.report_dir, result, world, run.redactor)
        run.end(result)  # the scenario's entry, JUnit case and evidence are on disk now
    return report


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    pool = session.config.stash.get(_POOL, None)
    if pool is not None:
        pool.close()
    run = _run_report(session.config)
    if run is not None:
        complete = int(exitstatus) != int(pytest.ExitCode.INTERRUPTED) and run.running is None
        run.flush(complete=complete, junit=True)
        _write_html(session.config, run.report_dir)
    console = session.config.stash.get(CONSOLE, None)
    if console is not None:
        console.table(session.config.stash[RESULTS])


def _write_html(config: pytest.Config, report_dir: Path) -> None:
    """index.html beside the summary; a failure to draw it never loses the summary."""
    from amicert.report.html import ReportError, write_report

    try:
        write_report(report_dir, _catalog(config))
    except (ReportError, OSError) as exc:
        import sys

        print(f"amicert: error: index.html not written: {exc}", file=sys.stderr)


def pytest_collectreport(report: pytest.CollectReport) -> None:
    """A feature or step module that cannot load is one clear line, even without pytest's output."""
    if report.failed:
        import sys

        text = report.longreprtext.strip().splitlines()
        print(f"amicert: error: cannot load {report.nodeid or 'the scenarios'}:", file=sys.stderr)
        for line in text[-5:]:
            print(f"    {line}", file=sys.stderr)


def pytest_bdd_after_step(
    request: pytest.FixtureRequest,
    feature: Any,
    scenario: Any,
    step: Any,
    step_func: Any,
    step_func_args: dict[str, Any],
) -> None:
    _print_step(request, step, None)


def pytest_bdd_step_error(
    request: pytest.FixtureRequest,
    feature: Any,
    scenario: Any,
    step: Any,
    step_func: Any,
    step_func_args: dict[str, Any],
    exception: Exception,
) -> None:
    _print_step(request, step, exception)


def _print_step(request: pytest.FixtureRequest, step: Any, exception: Exception | None) -> None:
    """With -v: the step row, the exchanges it saw and its findings (the console decides)."""
    console = request.config.stash.get(CONSOLE, None)
    world = request.node.stash.get(WORLD, None)
    if console is None or not console.verbose or world is None:
        return
    from amicert.report.console import step_number
    from amicert.report.evidence import file_name as exchange_file_name
    from amicert.world import StepCheckFailed

    findings = list(exception.findings) if isinstance(exception, StepCheckFailed) else []
    number = step_number(step.name)
    key = world.use_case.key(world.scenario, number) if number is not None else None
    if key is not None and not findings:
        findings = world.step_findings.get(key, [])
    if key is not None and "is triggered" not in step.name:
        matched = {x.seq for x in world.trace.exchanges if x.step == key}
        shown = [x for x in world.trace.exchanges if x.seq in matched or x.in_reply_to in matched]
    elif step.name == "the observed sequence matches the use case":
        shown = [x for x in world.trace.exchanges if x.step is None]  # matched to no row
    else:
        shown = []
    text = f"{step.keyword} {step.name}"
    status = "ok" if exception is None else "FAIL"
    if isinstance(exception, pytest.skip.Exception):
        status = "n/a"
    elif exception is not None and not findings:
        text += f"  ({type(exception).__name__}: {exception})"
    console.step(
        request.node.nodeid,
        text,
        status,
        shown,
        findings,
        exchange_file_name,
    )


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    results = config.stash.get(RESULTS, [])
    if not results or CONSOLE in config.stash:  # the console prints its own table
        return
    terminalreporter.section("amicert verdicts")
    for r in results:
        where = f" [{r.rule or ''}{' @ step ' + r.step if r.step else ''}]" if r.rule else ""
        hidden = f" ({r.basis['observed']} of {r.basis['rows']} rows observed)" if r.unseen else ""
        terminalreporter.write_line(
            f"{r.verdict.value:<14} {r.use_case:<8} {r.scenario}{where}{hidden}"
        )
        if r.reason and r.verdict is not Verdict.PASS:
            terminalreporter.write_line(f"{'':<15}{_first_line(r.reason)}")


def _first_line(text: str) -> str:
    return re.split(r"\n", text.strip(), maxsplit=1)[0][:200]


__all__ = ["world"]
