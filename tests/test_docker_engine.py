"""The docker binding against a real engine: the head-end is the reference image in a container.

`amicert run --sut examples/headend-in-docker.toml` starts the container, waits for its health
URL, runs AEP-5.8 over the wire, keeps the container's log and removes the container: when every
scenario passes, when a served fault makes one fail, when the image does not start, exits early or
never becomes healthy (INCONCLUSIVE, the container's last log lines as the reason), and when the
run is interrupted. The image is (re)built by container/build, which keeps unchanged layers. These
tests skip only where no Docker engine answers (.ci/run starts one).
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_support import built_once
from ports import free_ports
from test_wire import HEADEND_FAULTS, run

from amicert.adapters.docker import LABEL, engine_problem

ROOT = Path(__file__).resolve().parents[1]
IMAGE = "amicert/reference:local"
PROBLEM = engine_problem()
pytestmark = pytest.mark.skipif(PROBLEM is not None, reason=f"{PROBLEM} (.ci/run starts one)")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The engine, with the reference image built from this checkout (once per test session,
    whichever worker asks first: each check of an unchanged image still starts a container)."""

    def build(_: Path) -> None:
        done = subprocess.run(
            ["bash", str(ROOT / "container" / "build"), "--tag", IMAGE],
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert done.returncode == 0, f"container/build failed:\n{done.stderr[-3000:]}"

    built_once(tmp_path_factory, "reference-image", build)
    import docker  # type: ignore[import-untyped]

    engine = docker.from_env(timeout=30)
    yield engine
    engine.close()


def profile_copy(tmp_path: Path, environment: str = "", **binding: str) -> Path:
    """examples/headend-in-docker.toml on free ports, in a folder of its own (mounted into the
    container), with extra environment for the image and changed binding keys."""
    text = (ROOT / "examples" / "headend-in-docker.toml").read_text()
    sut, harness = free_ports(2)
    text = text.replace("127.0.0.1:8741", f"127.0.0.1:{sut}").replace("8742", str(harness))
    if environment:
        text = text.replace(
            'environment = { AMICERT_SUT = "/etc/amicert/headend-in-docker.toml" }',
            f'environment = {{ AMICERT_SUT = "/etc/amicert/headend-in-docker.toml", {environment} }}',
        )
    for key, value in binding.items():
        text, count = re.subn(rf"(?m)^{key} = .*$", f"{key} = {value}", text)
        assert count == 1, key
    folder = tmp_path / "sut"
    folder.mkdir()
    path = folder / "headend-in-docker.toml"
    path.write_text(text)
    return path


def containers_of(client: Any, profile: Path) -> list[Any]:
    """Containers the harness started for this profile (any state): its folder is their mount."""
    found = client.containers.list(all=True, filters={"label": LABEL})
    return [
        c
        for c in found
        if any(m.get("Source") == str(profile.parent) for m in c.attrs.get("Mounts", []))
    ]


def test_every_scenario_passes_with_the_head_end_in_a_container(
    client: Any, tmp_path: Path
) -> None:
    profile = profile_copy(tmp_path)
    reports = tmp_path / "reports"
    start = time.monotonic()
    code, summary, out = run(profile, reports)
    elapsed = time.monotonic() - start
    assert code == 0, out[-3000:]
    assert [s["verdict"] for s in summary["scenarios"]] == ["PASS"] * 5
    normal = next(s for s in summary["scenarios"] if s["scenario_id"] == "normal")
    index = json.loads((reports / normal["evidence"] / "index.json").read_text())
    assert any(e["transport"] == "http" for e in index), "boundary messages come from the wire"
    log = (reports / "containers" / "amicert_reference_local.log").read_text()
    assert "amicert serve: AMI Head-End, AMI Network, NIC, Meter Metrology Board" in log
    assert containers_of(client, profile) == []
    assert elapsed < 120, elapsed


# Every served fault is judged over the wire in test_wire; here, one in the payload and one on the
# connection prove that the container's environment reaches the image and its fault the verdict.
CONTAINER_FAULTS = [f for f in HEADEND_FAULTS if f[0] in ("invalid-payload", "drop-connection")]


@pytest.mark.parametrize(
    ("fault", "rule", "step"), CONTAINER_FAULTS, ids=[f[0] for f in CONTAINER_FAULTS]
)
def test_a_fault_served_by_the_container_ends_in_its_verdict(
    client: Any, tmp_path: Path, fault: str, rule: str, step: str
) -> None:
    profile = profile_copy(tmp_path, environment=f'AMICERT_FAULT = "{fault}"')
    reports = tmp_path / "reports"
    code, summary, _ = run(profile, reports, keyword="normal")
    assert code == 1
    [scenario] = summary["scenarios"]
    assert scenario["verdict"] == "FAIL", scenario
    assert (rule, step) in {(f["rule"], f.get("step")) for f in scenario["findings"]}
    log = (reports / "containers" / "amicert_reference_local.log").read_text()
    assert f"with fault '{fault}'" in log  # the image really served the fault
    assert containers_of(client, profile) == []


def inconclusive(tmp_path: Path, profile: Path) -> tuple[str, Path]:
    """The one reason all scenarios share when the product's container is not up."""
    reports = tmp_path / "reports"
    start = time.monotonic()
    code, summary, _ = run(profile, reports)
    assert time.monotonic() - start < 90, "the start is bounded"
    assert code == 1
    assert {s["verdict"] for s in summary["scenarios"]} == {"INCONCLUSIVE"}
    assert {s["rule"] for s in summary["scenarios"]} == {"DOCKER"}
    assert len({s["reason"] for s in summary["scenarios"]}) == 1
    return str(summary["scenarios"][0]["reason"]), reports


def test_an_image_that_exits_early_is_inconclusive_with_its_last_log_lines(
    client: Any, tmp_path: Path
) -> None:
    profile = profile_copy(tmp_path, environment='AMICERT_FAULT = "no-such-fault"')
    reason, reports = inconclusive(tmp_path, profile)
    assert reason.startswith(f"AMI Head-End: {IMAGE} exited during start (exit code 2)")
    assert "last log lines:\n  amicert: error: unknown fault 'no-such-fault'" in reason
    assert "unknown fault" in (reports / "containers" / "amicert_reference_local.log").read_text()
    assert containers_of(client, profile) == []


def test_an_image_that_never_becomes_healthy_is_inconclusive_within_its_bound(
    client: Any, tmp_path: Path
) -> None:
    profile = profile_copy(tmp_path, start_timeout_s="4")
    text = profile.read_text()
    profile.write_text(text.replace("/amicert/test-control/capabilities", "/not-a-health-url"))
    reason, _ = inconclusive(tmp_path, profile)
    assert f"{IMAGE} not healthy within 4 s (" in reason
    assert re.search(r"/not-a-health-url answered HTTP 4\d\d\)", reason), reason
    assert "last log lines:\n  amicert serve: AMI Head-End" in reason  # it did start: see why
    assert containers_of(client, profile) == []


def test_an_image_the_engine_cannot_start_is_inconclusive(client: Any, tmp_path: Path) -> None:
    profile = profile_copy(tmp_path)
    # the folder is mounted on top of the entry point: the engine refuses to start the container
    text = profile.read_text().replace(
        'volumes = { "." = "/etc/amicert" }',
        'volumes = { "." = "/etc/amicert", "headend-in-docker.toml" = "/opt/amicert/container" }',
    )
    profile.write_text(text)
    reason, _ = inconclusive(tmp_path, profile)
    assert reason.startswith(f"AMI Head-End: {IMAGE} did not start: "), reason
    assert containers_of(client, profile) == []


def test_an_image_that_is_not_there_is_inconclusive(client: Any, tmp_path: Path) -> None:
    profile = profile_copy(tmp_path)
    text = profile.read_text().replace(
        'image = "amicert/reference:local"', 'image = "amicert/absent:none"'
    )
    profile.write_text(text)
    reason, _ = inconclusive(tmp_path, profile)
    assert reason.startswith("AMI Head-End: image amicert/absent:none is not on this engine"), (
        reason
    )


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_run_removes_its_container(
    client: Any, tmp_path: Path, sig: signal.Signals
) -> None:
    profile = profile_copy(tmp_path, environment='AMICERT_FAULT = "slow-reply"')
    reports = tmp_path / "reports"
    log = tmp_path / "run.log"
    cmd = [sys.executable, "-m", "amicert.cli", "run", "--sut", str(profile)]
    cmd += ["--use-case", "AEP-5.8", "-k", "normal", "--report-dir", str(reports)]
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while not (reports / "exchanges").exists():  # the scenario is running
            assert proc.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the scenario did not start within 90 s"
            time.sleep(0.1)
        assert [c.status for c in containers_of(client, profile)] == ["running"]
        proc.send_signal(sig)
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert code != 0
    assert containers_of(client, profile) == []
    assert (reports / "containers" / "amicert_reference_local.log").exists()
