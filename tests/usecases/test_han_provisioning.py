"""I3 HAN provisioning and Utility HAN upgrades: fleets, measured figures, operators, branches
and the declarations the vendor contract is generated from."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from amicert.catalog import load_catalog
from amicert.cim.validate import Validator
from amicert.clock import EPOCH
from amicert.coverage import use_case_coverage
from amicert.headless import ScenarioCase, cases, run_case
from amicert.packages import driver_for
from amicert.report.html import write_report
from amicert.report.summary import ScenarioResult, write_summary
from amicert.verdicts import Outcome, Verdict
from amicert.world import RunOptions, World
from tests.cli_support import amicert
from tests.ports import free_ports
from tests.test_contract import _actor_reads
from tests.test_wire import Served
from usecases.han_provisioning.upgrade import Timing, peak

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "usecases" / "han_provisioning"


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator()


def _case(case_id: str) -> ScenarioCase:
    [case] = [c for c in cases(load_catalog()["I3"]) if c.id == case_id]
    return case


def _run(validator: Validator, case_id: str, **options: object) -> tuple[Outcome, World]:
    return run_case(_case(case_id), validator, RunOptions(**options))  # type: ignore[arg-type]


def _metric(world: World, name: str) -> dict[str, object]:
    [found] = [m.to_dict() for m in world.metrics if m.name == name]
    return found


def test_a_fleet_of_50_is_upgraded_at_once_and_its_rate_is_reported(validator: Validator) -> None:
    outcome, world = _run(validator, "han-remote-upgrade[preserve]", fleet=50)
    assert outcome.verdict is Verdict.PASS, outcome
    assert len(world.devices) == 50
    rate = _metric(world, "devices per hour")
    assert rate["requirement"] == "I3NFR5" and rate["met"] is True
    assert rate["value"] == pytest.approx(50 / (2 / 60))  # 50 devices, one 2-minute wave
    assert "too few devices to show the rate" in str(rate["note"])
    assert _metric(world, "simultaneous upgrades (peak)")["value"] == 50
    assert _metric(world, "longest remote upgrade")["value"] == pytest.approx(120.0)
    assert {world.actor("Utility HAN", d).firmware for d in world.devices} == {"2.1"}


def test_tighter_limits_fail_with_the_figures_not_met(validator: Validator) -> None:
    """The reference head-end as the product: held to 1 minute, its 2-minute upgrades fail."""
    outcome, world = _run(
        validator,
        "han-remote-upgrade[reset]",
        settings={"remote_upgrade_minutes": 1, "simultaneous_upgrades": 100},
        actor_overrides={"AMI Head-End": "reference_impl.han_head_end:HanHeadEnd"},
    )
    assert outcome.verdict is Verdict.FAIL
    rules = {(f.rule, f.step) for f in outcome.findings}
    assert ("NFR-I3NFR4", "U4") in rules and ("NFR-I3NFR5", "U5") in rules
    nfr4 = next(f for f in outcome.findings if f.rule == "NFR-I3NFR4")
    assert nfr4.expected == "at most 1 minutes from beginning to end"
    assert nfr4.received == "2.0 minutes (virtual clock)"
    assert _metric(world, "longest remote upgrade")["met"] is False
    assert _metric(world, "devices per hour")["met"] is False


def test_the_figures_reach_summary_and_html(validator: Validator, tmp_path: Path) -> None:
    outcome, world = _run(validator, "han-remote-upgrade[preserve]")
    result = ScenarioResult.from_world(world, outcome, "remote upgrade")
    result.example = "configuration=preserve"
    write_summary(tmp_path, [result])
    summary = json.loads((tmp_path / "summary.json").read_text())
    names = [m["name"] for m in summary["scenarios"][0]["metrics"]]
    assert names == ["longest remote upgrade", "devices per hour", "simultaneous upgrades (peak)"]
    md = (tmp_path / "summary.md").read_text()
    assert "## Measured figures" in md and "devices per hour" in md and "10,000/h" in md
    (tmp_path / "run.json").write_text("{}")
    html = write_report(tmp_path, load_catalog()).read_text()
    assert "measured figures" in html and "devices/h" in html


def test_peak_counts_an_end_before_a_start_at_the_same_instant() -> None:
    t0 = EPOCH
    t = Timing(
        began={"a": t0, "b": t0 + timedelta(minutes=2), "c": t0},
        ended={"a": t0 + timedelta(minutes=2), "b": t0 + timedelta(minutes=4)},
        clock="virtual",
    )
    assert peak(t) == 2


def test_the_installer_answers_from_the_file_in_a_witnessed_run(validator: Validator) -> None:
    answers = {"Utility HAN Installer": {"reset or preserve the configuration": "reset"}}
    outcome, world = _run(validator, "han-site-upgrade", settings={"operator_answers": answers})
    assert outcome.verdict is Verdict.PASS, outcome
    [decision] = world.actor("Utility HAN Installer").decisions
    assert (decision.answer, decision.source) == ("reset", "answers file")
    [device] = world.devices
    assert world.actor("Utility HAN", device).configuration() == {}


def test_the_installer_decides_alone_in_a_headless_run(validator: Validator) -> None:
    outcome, world = _run(validator, "han-site-upgrade")
    assert outcome.verdict is Verdict.PASS, outcome
    [decision] = world.actor("Utility HAN Installer").decisions
    assert (decision.answer, decision.source) == ("preserve", "automated")
    [device] = world.devices
    assert world.actor("Utility HAN", device).configuration()["program"]


def test_the_new_meter_branch_takes_the_utilitys_meter(validator: Validator) -> None:
    outcome, world = _run(validator, "unrecognized-new-meter")
    assert outcome.verdict is Verdict.PASS, outcome
    [decision] = world.actor("Customer").decisions
    assert decision.answer == "utility installs a new meter"
    premises = world.settings["physical"]
    assert not premises.bridge and "Z-Wave" in premises.meter_protocols


def test_every_row_of_the_document_is_covered_and_every_requirement_checked() -> None:
    cov = use_case_coverage(load_catalog()["I3"])
    assert (cov.rows_covered, cov.rows_total) == (29, 33)
    # conversations between the customer and the representative alone
    assert cov.rows_harness_only == ["3.2#4", "3.2#9", "3.3#4", "3.3#9"]
    assert [r.id for r in cov.requirements if r.status != "checked"] == []


def test_every_actor_attribute_the_driver_reads_is_inspectable() -> None:
    driver = driver_for("I3")
    declared = set(driver.inspectables) | {
        (q.role, q.method) for q in driver.state_queries.values()
    }
    reads = _actor_reads(PACKAGE / "driver.py") | _actor_reads(PACKAGE / "upgrade.py")
    # the harness's own people, never a product
    people = {
        ("Customer", "phone_utility"),
        ("Customer Representative", "calls"),
        ("Bad Actor", "attempt"),
        ("Utility HAN Installer", "visit"),
    }
    assert reads
    for role, attr in reads - people:
        if role is None:
            assert any(a == attr for _, a in declared), attr
        else:
            assert (role, attr) in declared, (role, attr)


def test_a_fleet_run_with_a_setting_reports_its_figures(tmp_path: Path) -> None:
    """``--fleet`` and ``--set`` from the command line: the figures in the console and summary."""
    proc = amicert(
        "run",
        "--use-case",
        "I3",
        "--scenario",
        "han-remote-upgrade",
        "--fleet",
        "50",
        "--set",
        "han_simultaneous_upgrades=25",
        "--set",
        "simultaneous_upgrades=25",
        "--report-dir",
        str(tmp_path),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    # 25 at once, 2 minutes each: 50 devices in 4 minutes, within the 5.3 allowed
    assert "I3NFR5 devices per hour 750.0 devices/h (target 10,000/h: 50 devices" in proc.stdout
    assert "simultaneous upgrades (peak) 25.0 devices (target at least 25 at once; met" in (
        proc.stdout
    )


def test_a_limit_that_is_no_number_is_said_so(validator: Validator) -> None:
    outcome, _ = _run(
        validator, "han-remote-upgrade[preserve]", settings={"upgrades_per_hour": "x"}
    )
    assert outcome.verdict is Verdict.ERROR
    assert "setting upgrades_per_hour='x' is not a number" in outcome.reason


def test_over_the_wire_the_figures_are_on_the_wall_clock(tmp_path: Path) -> None:
    """The AMI Head-End as a product served over SOAP, without clock control: I3NFR4 and I3NFR5
    are measured on the wall clock."""
    sut, harness = free_ports(2)
    profile = tmp_path / "i3-head-end.toml"
    profile.write_text(
        f"""
[product]
name = "reference head-end"
version = "1"

[boundary]
actors = ["AMI Head-End"]

[bindings]
"AMI Head-End" = {{ type = "soap" }}

[sut]
address = "http://127.0.0.1:{sut}"
test_control = "http://127.0.0.1:{sut}/amicert/test-control"

[harness]
host = "127.0.0.1"
port = {harness}

[timeouts]
connect_s = 2
read_s = 3
scenario_wall_s = 60

[pics]
test_control = true
"""
    )
    served = Served(profile)
    try:
        proc = amicert(
            "run",
            "--sut",
            str(profile),
            "--use-case",
            "I3",
            "--scenario",
            "han-site-upgrade",
            "--scenario",
            "han-remote-upgrade",
            "--fleet",
            "20",
            "--report-dir",
            str(tmp_path / "reports"),
        )
    finally:
        served.stop()
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    summary = json.loads((tmp_path / "reports" / "summary.json").read_text())
    remote = [s for s in summary["scenarios"] if s["scenario_id"] == "han-remote-upgrade"]
    assert len(remote) == 2
    for s in remote:
        assert s["verdict"] == "PASS"
        clocks = {m["name"]: m["clock"] for m in s["metrics"]}
        assert clocks == {
            "longest remote upgrade": "wall",
            "devices per hour": "wall",
            "simultaneous upgrades (peak)": "wall",
        }


def test_the_contract_covers_the_i3_boundaries(tmp_path: Path) -> None:
    """A product covering I3's systems and devices is told every row it sends or takes, every
    setting ``configure`` carries and every piece of its state the checks read."""
    roles = ["Utility HAN Provisioning Tool", "Premises Gateway", "Utility HAN", "AMI Head-End"]
    profile = tmp_path / "i3.toml"
    profile.write_text(
        '[product]\nname = "HAN system"\nversion = "1"\n\n[boundary]\nactors = '
        + json.dumps(roles)
        + "\n\n[bindings]\n"
        + "".join(f'"{r}" = {{ type = "soap" }}\n' for r in roles)
        + '\n[sut]\naddress = "http://127.0.0.1:8751"\n'
        + 'test_control = "http://127.0.0.1:8751/amicert/test-control"\n'
        + '\n[harness]\nhost = "127.0.0.1"\nport = 8752\n\n[pics]\ntest_control = true\n'
    )
    proc = amicert("contract", "--sut", str(profile), "--format", "json", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    contract = json.loads((tmp_path / "contract.json").read_text())
    [i3] = [uc for uc in contract["use_cases"] if uc["id"] == "I3"]
    keys = {r["key"].split("/")[0] for r in i3["rows"]}
    # the tool's displays (6.2, 8, 15), the upgrade rows crossing it, a provisioning row
    assert {"3.3#6.2", "3.2#8", "3.2#15", "U1", "S2", "S4", "3.2#14"} <= keys
    assert not {"U2", "U4"} & keys  # head-end to device: both inside the boundary
    tc = contract["test_control"]
    shown = {(i["role"], i["name"]) for i in tc["inspectables"]}
    assert {
        ("Utility HAN", "firmware"),
        ("Utility HAN", "configuration"),
        ("Utility HAN", "operating"),
        ("Premises Gateway", "network"),
        ("Utility HAN Provisioning Tool", "open_window"),
    } <= shown
    [configure] = [o for o in tc["operations"] if o["operation"] == "configure"]
    settings = configure["request_schema"]["properties"]["settings"]["properties"]
    assert settings["han_configuration"]["enum"] == ["preserve", "reset"]
    assert {"han_upgrade_devices", "han_image", "upgrades_per_hour"} <= set(settings)
