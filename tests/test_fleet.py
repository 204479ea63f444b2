"""Fleet runs: scenarios scaled to many meters, paced to fit their window, evidence archived and
findings grouped without losing a meter or a message."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cli_support import amicert
from lxml import etree

from amicert.catalog import load_catalog
from amicert.cim.validate import Validator
from amicert.packages import driver_for
from amicert.report.evidence import ARCHIVE, INDEX, read_exchange
from amicert.world import RunOptions, World

ROOT = Path(__file__).resolve().parents[1]
EDE = "http://iec.ch/TC57/2011/EndDeviceEvents#"


def run(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    report = tmp_path / "r"
    proc = amicert(
        "run", "--use-case", "AEP-5.8", "-k", "normal", *args, "--report-dir", str(report)
    )
    return proc, json.loads((report / "summary.json").read_text())


def test_a_fleet_run_scales_the_campaign_keeps_every_message_and_shows_progress(
    tmp_path: Path,
) -> None:
    proc, summary = run(tmp_path, "--fleet", "120")
    [normal] = summary["scenarios"]
    assert normal["verdict"] == "PASS", normal
    folder = tmp_path / "r" / normal["evidence"]
    index = json.loads((folder / INDEX).read_text())
    confirmed = [e for e in index if e["step"] == "1.11" and e["producer"] == "AMI Head-End"]
    assert len(confirmed) == 120  # one confirmation per meter of the fleet
    assert normal["exchanges"] == len(index)
    with zipfile.ZipFile(folder / ARCHIVE) as archive:  # a fleet stays in its archive
        assert len([n for n in archive.namelist() if n.endswith(".xml")]) == len(index)
    # any exchange comes back byte for byte, by number
    seq = confirmed[-1]["seq"]
    got = subprocess.run(
        [sys.executable, "-m", "amicert.cli", "extract", str(folder), str(seq)],
        capture_output=True,
        cwd=ROOT,
        check=True,
    ).stdout
    with zipfile.ZipFile(folder / ARCHIVE) as archive:
        assert got == archive.read(confirmed[-1]["member"])
    assert b"3.11.17.52" in got
    assert "120/120 meters done" in proc.stdout


def test_grouped_findings_name_every_meter_and_the_archive_holds_each_offending_message(
    tmp_path: Path,
) -> None:
    _proc, summary = run(
        tmp_path,
        "--fleet",
        "60",
        "--actor",
        "AMI Head-End=mocks.faulty_actors:HeadEndWrongEventCode",
    )
    [normal] = summary["scenarios"]
    assert normal["verdict"] == "FAIL"
    grouped = [
        f
        for f in normal["findings"]
        if f["rule"] == "PROFILE-EVENT-CODE" and f.get("step") == "1.11"
    ]
    assert len(grouped) == 1, "one finding per rule and step, not one per meter"
    devices = grouped[0]["extra"]["devices"].split(",")
    assert devices == [f"MTR-{i:04d}" for i in range(1, 61)]
    assert grouped[0]["extra"]["count"] == "60"
    assert "the same for 60 meters: MTR-0001" in grouped[0]["message"]
    folder = tmp_path / "r" / normal["evidence"]
    index = json.loads((folder / INDEX).read_text())
    by_meter: dict[str, bytes] = {}
    for e in index:
        if e["step"] == "1.11" and e["producer"] == "AMI Head-End":
            body = read_exchange(folder, e["seq"])
            meter = etree.fromstring(body).findtext(f".//{{{EDE}}}Assets/{{{EDE}}}mRID")
            by_meter[str(meter)] = body
    assert sorted(by_meter) == devices  # each offending message is kept
    assert all(b"3.11.17.52" not in body for body in by_meter.values())


def test_the_head_end_paces_any_fleet_into_its_window_or_at_the_set_rate() -> None:
    uc = load_catalog()["AEP-5.8"]
    scenario = uc.scenario("normal")
    setup = '3 meters of model "AX-200" running firmware 4.1 are in scope'

    def downloads(options: RunOptions) -> list[float]:
        world = World(uc, scenario, Validator(), options)
        driver = driver_for("AEP-5.8")
        driver.setup(world, setup)
        driver.setup(world, 'the Meter Vendor has an image of firmware 4.2 for model "AX-200"')
        driver.trigger(world, "1.1")
        world.run_until(lambda: False)
        start = world.start_time
        return [
            (x.virtual_time - start).total_seconds() / 3600
            for x in world.trace.exchanges
            if x.producer == "AMI Head-End" and x.receiver == "AMI Network"
        ]

    hours = downloads(RunOptions(fleet=400))
    assert len(hours) == 400
    assert max(hours) <= 7 * 24 / 2  # the whole fleet starts within the first half of the window
    paced = downloads(RunOptions(fleet=10, settings={"meters_per_hour": 2}))
    gaps = [round(b - a, 6) for a, b in itertools.pairwise(paced)]
    assert gaps == [0.5] * 9


def test_list_says_which_scenarios_scale() -> None:
    proc = amicert("list", "--json")
    listing = {uc["id"]: uc["scenarios"] for uc in json.loads(proc.stdout)["use_cases"]}
    aep = {s["id"]: s["fleet_scalable"] for s in listing["AEP-5.8"]}
    assert aep["normal"] is True
    assert not any(s["fleet_scalable"] for s in listing["I2"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fleet", "0"], "--fleet expects a number of meters from 1 to"),
        (["--fleet", "2000000"], "--fleet expects a number of meters from 1 to"),
        (["--set", "novalue"], "--set expects KEY=VALUE"),
    ],
)
def test_bad_fleet_options_are_usage_errors(args: list[str], message: str) -> None:
    proc = amicert("run", *args)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_extract_names_what_is_missing(tmp_path: Path) -> None:
    proc = amicert("extract", str(tmp_path), "3")
    assert proc.returncode == 2 and "no readable index.json" in proc.stderr


def test_the_flood_guard_grows_with_the_fleet_and_still_stops_a_loop() -> None:
    """160,000 messages of a 20,000-meter campaign are no flood; an actor looping is."""
    from amicert.clock import MAX_EVENTS, SchedulerOverrun
    from amicert.world import EVENTS_PER_METER

    uc = load_catalog()["AEP-5.8"]
    world = World(uc, uc.scenario("normal"), Validator(), RunOptions(fleet=3000))
    driver_for("AEP-5.8").setup(
        world, '3 meters of model "AX-200" running firmware 4.1 are in scope'
    )
    world.start()
    assert world.clock.max_events == MAX_EVENTS + EVENTS_PER_METER * 3000

    def again() -> None:
        world.clock.call_later(timedelta(seconds=1), again)

    again()
    with pytest.raises(SchedulerOverrun):
        world.clock.run_until(lambda: False, world.deadline())
