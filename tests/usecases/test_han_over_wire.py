"""HAN with one actor out of process (the HAN Device Registration Application, or the Utility AMI
Gateway): `amicert serve` plays it on loopback, the harness plays every other actor, and every
exchange with it crosses real HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_wire import Served, profile_copy, run

PROFILE = "han-registration-over-soap.toml"
APP = "HAN Device Registration Application"


@pytest.fixture
def serving() -> Iterator[list[Served]]:
    started: list[Served] = []
    yield started
    for s in started:
        s.stop()


def test_han_passes_with_the_registration_application_out_of_process(
    tmp_path: Path, serving: list[Served]
) -> None:
    profile = profile_copy(tmp_path, PROFILE)
    serving.append(Served(profile))
    code, summary, out = run(profile, tmp_path / "reports", use_case="HAN")
    assert code == 0, out[-3000:]
    assert len(summary["scenarios"]) == 10
    assert {s["verdict"] for s in summary["scenarios"]} == {"PASS"}
    assert all(s["sut_roles"] == [APP] for s in summary["scenarios"])
    reg = next(s for s in summary["scenarios"] if s["scenario_id"] == "registration")
    index = json.loads((tmp_path / "reports" / reg["evidence"] / "index.json").read_text())
    over_http = {(e["producer"], e["receiver"]) for e in index if e["transport"] == "http"}
    # the application's discovery, links, registrations and screens all crossed the wire
    assert (APP, "Utility AMI Gateway") in over_http
    assert (APP, "HAN Device") in over_http
    assert (APP, "CCS") in over_http
    assert (APP, "Customer Representative") in over_http
    assert ("Customer Representative", APP) in over_http


def test_a_served_application_breaking_its_schema_fails_on_the_product(
    tmp_path: Path, serving: list[Served]
) -> None:
    profile = profile_copy(tmp_path, PROFILE)
    serving.append(Served(profile, "invalid-payload"))
    code, summary, _ = run(profile, tmp_path / "reports", keyword="registration", use_case="HAN")
    assert code == 1
    reg = next(s for s in summary["scenarios"] if s["scenario_id"] == "registration")
    assert reg["verdict"] == "FAIL", reg
    assert reg["rule"] == "XSD-ENVELOPE" and "Result" in reg["reason"]
    # the application's answer to the gateway's discovery events (step 7) lacks its Reply/Result
    found = {(f["rule"], f.get("step"), f["blame"]) for f in reg["findings"]}
    assert ("XSD-ENVELOPE", "REG#7", "sut") in found, found
    assert all(f["blame"] == "sut" for f in reg["findings"]), reg["findings"]


GATEWAY_PROFILE = "han-gateway-over-soap.toml"
GATEWAY = "Utility AMI Gateway"


def test_han_passes_with_the_utility_ami_gateway_out_of_process(
    tmp_path: Path, serving: list[Served]
) -> None:
    profile = profile_copy(tmp_path, GATEWAY_PROFILE)
    serving.append(Served(profile))
    code, summary, out = run(profile, tmp_path / "reports", use_case="HAN")
    assert code == 0, out[-3000:]
    assert {s["verdict"] for s in summary["scenarios"]} == {"PASS"}
    assert all(s["sut_roles"] == [GATEWAY] for s in summary["scenarios"])


def test_a_served_gateway_reporting_the_wrong_event_fails_on_the_product(
    tmp_path: Path, serving: list[Served]
) -> None:
    profile = profile_copy(tmp_path, GATEWAY_PROFILE)
    serving.append(Served(profile, "wrong-event-code"))
    code, summary, _ = run(profile, tmp_path / "reports", keyword="registration", use_case="HAN")
    assert code == 1
    reg = next(s for s in summary["scenarios"] if s["scenario_id"] == "registration")
    assert reg["verdict"] == "FAIL", reg
    # the gateway reports the discovered devices' pairing as failed (12.10.0.85): the product's fault
    assert reg["rule"] == "PROFILE-EVENT-CODE" and "12.10.0.85" in reg["reason"]
    found = {(f["rule"], f.get("step"), f["blame"]) for f in reg["findings"]}
    assert ("PROFILE-EVENT-CODE", "REG#7", "sut") in found, found
