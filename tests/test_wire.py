"""Over the wire, between real processes on loopback: `amicert serve` plays the vendor.

For each example profile the suite passes against the served reference implementation, and each
served fault ends, within its bounds, in the expected non-PASS verdict naming its rule and step.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_support import amicert, self_signed_cert
from ports import free_ports

ROOT = Path(__file__).resolve().parents[1]


def profile_copy(tmp_path: Path, name: str) -> Path:
    """The example profile on free ports, so parallel or repeated runs never collide."""
    text = (ROOT / "examples" / name).read_text()
    sut, harness = free_ports(2)
    text = re.sub(r"127\.0\.0\.1:87\d1", f"127.0.0.1:{sut}", text)
    text = re.sub(r"port = 87\d2", f"port = {harness}", text)
    assert str(sut) in text and str(harness) in text
    path = tmp_path / name
    path.write_text(text)
    return path


class Served:
    def __init__(self, profile: Path, fault: str | None = None) -> None:
        cmd = [sys.executable, "-m", "amicert.cli", "serve", "--sut", str(profile)]
        if fault:
            cmd += ["--fault", fault]
        self.log = profile.with_suffix(".serve.log")
        with self.log.open("w") as out:  # a file, never a pipe nobody drains
            self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while "amicert serve:" not in self.log.read_text():  # the ready line, once listening
            assert self.proc.poll() is None, self.log.read_text()
            assert time.monotonic() < deadline, "amicert serve did not start within 30 s"
            time.sleep(0.05)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture
def serving(tmp_path: Path) -> Iterator[list[Served]]:
    started: list[Served] = []
    yield started
    for s in started:
        s.stop()


def run(
    profile: Path, report_dir: Path, keyword: str | None = None, use_case: str = "AEP-5.8"
) -> tuple[int, dict, str]:  # type: ignore[type-arg]
    cmd = [
        "run",
        "--sut",
        str(profile),
        "--use-case",
        use_case,
        "--report-dir",
        str(report_dir),
    ]
    if keyword:
        cmd += ["-k", keyword]
    proc = amicert(*cmd, timeout=240)
    summary_path = report_dir / "summary.json"
    assert summary_path.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.returncode, json.loads(summary_path.read_text()), proc.stdout


@pytest.mark.parametrize("name", ["headend-over-soap.toml", "mdm-over-soap.toml"])
def test_every_scenario_passes_against_the_served_reference(
    tmp_path: Path, serving: list[Served], name: str
) -> None:
    profile = profile_copy(tmp_path, name)
    serving.append(Served(profile))
    code, summary, out = run(profile, tmp_path / "reports")
    assert code == 0, out[-3000:]
    assert [s["verdict"] for s in summary["scenarios"]] == ["PASS"] * 5
    normal = next(s for s in summary["scenarios"] if s["scenario_id"] == "normal")
    index = json.loads((tmp_path / "reports" / normal["evidence"] / "index.json").read_text())
    wire = [e for e in index if e["transport"] == "http"]
    assert wire, "boundary messages must be captured from the wire"
    for entry in wire:
        body = (tmp_path / "reports" / normal["evidence"] / entry["file"]).read_bytes()
        if entry["label"].endswith("EndDeviceEvents"):
            assert (
                b"Envelope" in body and b"schemas.xmlsoap.org/soap/envelope" in body
            )  # the HTTP body


HEADEND_FAULTS = [
    ("wrong-correlation", "SEQ-CORRELATION", "1.11"),
    ("soap-fault", "WIRE-SOAP-FAULT", "1.2"),
    ("invalid-payload", "XSD-PAYLOAD", "1.11"),
    ("wrong-event-code", "PROFILE-EVENT-CODE", "1.11"),
    ("no-async-result", "SEQ-MISSING", "1.11"),
    ("slow-reply", "WIRE-TIMEOUT", "1.2"),
    ("drop-connection", "WIRE-CONNECTION", "1.2"),
]
MDM_FAULTS = [
    ("wrong-correlation", "ENV-CORRELATION", "1.11"),
    ("soap-fault", "WIRE-SOAP-FAULT", "1.11"),
    ("invalid-payload", "XSD-ENVELOPE", "1.11"),
    ("slow-reply", "WIRE-TIMEOUT", "1.11"),
    ("drop-connection", "WIRE-CONNECTION", "1.11"),
]
CASES = [("headend-over-soap.toml", *c) for c in HEADEND_FAULTS] + [
    ("mdm-over-soap.toml", *c) for c in MDM_FAULTS
]


@pytest.mark.parametrize(
    ("name", "fault", "rule", "step"), CASES, ids=[f"{c[0].split('-')[0]}-{c[1]}" for c in CASES]
)
def test_a_served_fault_ends_in_its_verdict(
    tmp_path: Path, serving: list[Served], name: str, fault: str, rule: str, step: str
) -> None:
    profile = profile_copy(tmp_path, name)
    serving.append(Served(profile, fault))
    start = time.monotonic()
    code, summary, _ = run(profile, tmp_path / "reports", keyword="normal")
    assert time.monotonic() - start < 120, "every wait is bounded"
    assert code == 1
    [scenario] = summary["scenarios"]
    assert scenario["verdict"] == "FAIL", scenario
    assert scenario["reason"]
    found = {(f["rule"], f.get("step")) for f in scenario["findings"]}
    assert (rule, step) in found, found


def test_an_unreachable_vendor_is_inconclusive(tmp_path: Path) -> None:
    profile = profile_copy(tmp_path, "headend-over-soap.toml")  # nothing serves it
    code, summary, _ = run(profile, tmp_path / "reports", keyword="normal")
    assert code == 1
    [scenario] = summary["scenarios"]
    assert scenario["verdict"] == "INCONCLUSIVE"
    assert scenario["rule"] == "TEST-CONTROL" and "reset" in scenario["reason"]


def test_a_fault_the_boundary_cannot_show_is_refused(tmp_path: Path) -> None:
    profile = profile_copy(tmp_path, "mdm-over-soap.toml")
    proc = amicert("serve", "--sut", str(profile), "--fault", "wrong-event-code")
    assert proc.returncode == 2 and "cannot show on a boundary of MDM" in proc.stderr


def test_rows_inside_the_boundary_are_reported_as_not_observable(
    tmp_path: Path, serving: list[Served]
) -> None:
    profile = profile_copy(tmp_path, "headend-over-soap.toml")
    serving.append(Served(profile))
    code, summary, _ = run(profile, tmp_path / "reports", keyword="normal")
    assert code == 0
    [scenario] = summary["scenarios"]
    hidden = scenario["not_observable"]
    assert set(hidden) == {"1.3", "1.4", "1.5", "1.6", "1.8", "1.9", "1.10"}
    assert "1.7" not in hidden  # read through test-control: Standard Table 1
    assert "not observable" in (tmp_path / "reports" / "summary.md").read_text()


def test_a_capability_the_product_does_not_claim_is_not_applicable(
    tmp_path: Path, serving: list[Served]
) -> None:
    profile = profile_copy(tmp_path, "headend-over-soap.toml")
    profile.write_text(
        profile.read_text().replace("fault_injection = true", "fault_injection = false")
    )
    serving.append(Served(profile))
    code, summary, _ = run(profile, tmp_path / "reports")
    verdicts = {s["scenario"]: (s["verdict"], s["reason"]) for s in summary["scenarios"]}
    assert code == 0  # not applicable is no failure
    never = next(v for k, v in verdicts.items() if "never confirms" in k)
    assert never[0] == "NOT_APPLICABLE" and "fault_injection" in never[1]
    assert {s["rule"] for s in summary["scenarios"] if s["verdict"] == "NOT_APPLICABLE"} == {"PICS"}
    assert verdicts[next(k for k in verdicts if "normal sequence" in k)][0] == "PASS"


def test_an_unclaimed_scenario_capability_is_not_applicable(tmp_path: Path) -> None:
    profile = profile_copy(tmp_path, "mdm-over-soap.toml")
    profile.write_text(
        profile.read_text().replace("firmware_upgrade = true", "firmware_upgrade = false")
    )
    code, summary, _ = run(profile, tmp_path / "reports")  # nothing served: nothing is contacted
    assert code == 0
    assert {s["verdict"] for s in summary["scenarios"]} == {"NOT_APPLICABLE"}
    assert all("firmware_upgrade" in s["reason"] for s in summary["scenarios"])


def test_check_adapter_tells_what_will_run(tmp_path: Path, serving: list[Served]) -> None:
    profile = profile_copy(tmp_path, "headend-over-soap.toml")
    serving.append(Served(profile))
    proc = amicert("check-adapter", "--sut", str(profile), "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert all(e["answers"] for e in report["endpoints"].values())
    assert "clock/advance" in report["test_control_operations"]
    normal = next(s for s in report["scenarios"] if s["scenario"] == "normal")
    assert normal["forecast"] == "partly observable"


def test_check_adapter_reports_an_endpoint_that_does_not_answer(tmp_path: Path) -> None:
    profile = profile_copy(tmp_path, "mdm-over-soap.toml")
    proc = amicert("check-adapter", "--sut", str(profile))
    assert proc.returncode == 1
    assert "DOES NOT ANSWER" in proc.stdout


def test_a_docker_binding_without_an_engine_is_inconclusive(tmp_path: Path) -> None:
    from amicert.adapters.docker import engine_problem

    if engine_problem() is None:
        pytest.skip("a Docker engine answers here: this test covers machines without one")
    profile = profile_copy(tmp_path, "mdm-over-soap.toml")
    profile.write_text(
        profile.read_text().replace(
            '"MDM" = { type = "soap" }', '"MDM" = { type = "docker", image = "vendor/mdm:1" }'
        )
    )
    proc = amicert(
        "run", "--sut", str(profile), "--use-case", "AEP-5.8", "--report-dir", str(tmp_path / "r")
    )
    assert proc.returncode == 1
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert {s["verdict"] for s in summary["scenarios"]} == {"INCONCLUSIVE"}
    assert {s["rule"] for s in summary["scenarios"]} == {"DOCKER"}
    assert "vendor/mdm:1" in summary["scenarios"][0]["reason"]


def test_i2_passes_with_the_meter_management_system_out_of_process(
    tmp_path: Path, serving: list[Served]
) -> None:
    profile = profile_copy(tmp_path, "mms-over-soap.toml")
    serving.append(Served(profile))
    code, summary, out = run(profile, tmp_path / "reports", use_case="I2")
    assert code == 0, out[-3000:]
    assert len(summary["scenarios"]) >= 20
    assert {s["verdict"] for s in summary["scenarios"]} == {"PASS"}
    assert all(s["sut_roles"] == ["Meter Management System"] for s in summary["scenarios"])


@pytest.mark.skipif(
    __import__("shutil").which("openssl") is None, reason="openssl CLI not installed"
)
def test_the_whole_wire_path_runs_over_tls(tmp_path: Path, serving: list[Served]) -> None:
    self_signed_cert(tmp_path)  # cert.pem and key.pem, named by the profile below
    profile = profile_copy(tmp_path, "headend-over-soap.toml")
    text = profile.read_text().replace("http://127.0.0.1", "https://127.0.0.1")
    text = text.replace("[harness]\n", '[harness]\ntls_cert = "cert.pem"\ntls_key = "key.pem"\n')
    text = text.replace(
        'test_control = "https', 'tls_cert = "cert.pem"\ntls_key = "key.pem"\ntest_control = "https'
    )
    text = text.replace("verify_tls = true", 'verify_tls = true\nca_bundle = "cert.pem"')
    profile.write_text(text)
    serving.append(Served(profile))
    code, summary, out = run(profile, tmp_path / "reports", keyword="normal")
    assert code == 0, out[-3000:]
    [scenario] = summary["scenarios"]
    assert scenario["verdict"] == "PASS"
