"""The HAN use cases: every scenario passes on the reference actors, each check fails on a faulty
actor with rule, blame, expected and received, operator answers drive the branches, and the state
the checks read is declared for the vendor contract."""

from __future__ import annotations

from pathlib import Path

import pytest

from amicert.catalog import load_catalog
from amicert.cim.envelope import ReplyError, build_response
from amicert.cim.validate import Validator
from amicert.findings import Blame
from amicert.headless import ScenarioCase, cases, run_case
from amicert.operators import OperatorActor
from amicert.packages import package_for
from amicert.verdicts import Verdict
from amicert.world import RunOptions
from tests.test_contract import _actor_reads
from usecases.han.driver import DRIVER
from usecases.han.vocabulary import (
    HanSite,
    SiteDevice,
    cim_header,
    message,
    read_han_message,
    reply_error_codes,
    subject_of,
)

ROOT = Path(__file__).resolve().parents[2]
FAULTY = "mocks.faulty_han_install"


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator()


def _case(scenario: str) -> ScenarioCase:
    [case] = [c for c in cases(load_catalog()["HAN"]) if c.id == scenario]
    return case


def test_the_package_transcribes_every_table_and_branch() -> None:
    uc = load_catalog()["HAN"]
    assert package_for(uc.id).module == "usecases.han"
    tables = {key.partition("#")[0] for key in uc.rows if "#" in key}
    assert tables == {"INST", "REG", "RDT", "DM"}
    # the second row numbered 5 of the installation table keeps its place as 5b
    assert uc.rows["INST#5b"].producer == "HAN Device"
    assert uc.rows["INST#5"].producer == "Customer or Installer"
    branches = {"RDT#8a", "RDT#8b", "RDT#10a", "RDT#10b", "RDT#12a", "RDT#12b", "DM#4a", "DM#4b"}
    for branch in branches:
        holding = [s.id for s in uc.scenarios.values() if branch in s.steps]
        assert holding, branch
    assert "REG#11" not in uc.rows  # the document has no step 11 there


@pytest.mark.parametrize("case", list(cases(load_catalog()["HAN"])), ids=lambda c: c.id)
def test_every_scenario_passes_on_the_reference(case: ScenarioCase, validator: Validator) -> None:
    outcome, world = run_case(case, validator)
    assert outcome.verdict is Verdict.PASS, outcome
    assert world.not_observable == {}


@pytest.mark.parametrize(
    ("role", "actor", "scenario", "rule"),
    [
        ("Utility AMI Gateway", "GatewayAdmitsSilently", "intruder-refused", "STATE-HANI-INTRUDER"),
        ("Utility AMI Gateway", "GatewayForgetsDevices", "installation", "STATE-HANI-LISTED"),
        (
            "HAN Device Registration Application",
            "AppProvisionsOtherProgram",
            "registration",
            "STATE-HANI-LINK",
        ),
        (
            "HAN Device Registration Application",
            "AppStoresWrongLocation",
            "registration",
            "STATE-HANI-RECORD",
        ),
        (
            "Remote Diagnostics Application",
            "DiagnosticsLosesResult",
            "device-unreachable",
            "STATE-HANI-DIAGNOSIS",
        ),
        ("CCS", "CcsIgnoresCorrection", "account-corrected", "STATE-HANI-CORRECTED"),
        (
            "Customer or Installer",
            "InstallerLeavesUnresolved",
            "marginal-coverage",
            "STATE-HANI-OPERATIONAL",
        ),
    ],
)
def test_a_faulty_actor_fails_with_a_clear_reason(
    role: str, actor: str, scenario: str, rule: str, validator: Validator
) -> None:
    outcome, _ = run_case(
        _case(scenario), validator, RunOptions(actor_overrides={role: f"{FAULTY}:{actor}"})
    )
    assert outcome.verdict is Verdict.FAIL
    found = [f for f in outcome.findings if f.rule == rule]
    assert found, outcome.findings
    finding = found[0]
    assert finding.blame is Blame.SUT
    assert finding.expected and finding.received and finding.expected != finding.received
    assert finding.message


def test_a_missing_diagnostics_result_is_named_missing(validator: Validator) -> None:
    options = RunOptions(
        actor_overrides={"Remote Diagnostics Application": f"{FAULTY}:DiagnosticsLosesResult"}
    )
    outcome, _ = run_case(_case("device-unreachable"), validator, options)
    [finding] = [f for f in outcome.findings if f.rule == "STATE-HANI-DIAGNOSIS"]
    assert "missing" in finding.message and finding.received == "(no diagnostics result)"


def test_the_bad_actors_device_is_refused_and_reported(validator: Validator) -> None:
    outcome, world = run_case(_case("intruder-refused"), validator)
    assert outcome.verdict is Verdict.PASS
    gateway = world.actor("Utility AMI Gateway")
    assert "HAN-INTRUDER" not in gateway.network
    assert world.actor("HAN Device Registration Application").refused_joins == ["HAN-INTRUDER"]


def test_an_operator_answer_takes_the_other_branch(validator: Validator) -> None:
    """Answered from a file, the representative schedules onsite maintenance (12b) where the
    automated answer would execute the registration again (12a): row 12a is then missing."""
    answers = {
        "Customer Service Representative": {
            "registration again or onsite maintenance": "schedule onsite maintenance"
        }
    }
    options = RunOptions(settings={"operator_answers": answers})
    outcome, world = run_case(_case("registration-repeated"), validator, options)
    assert outcome.verdict is not Verdict.PASS
    told = [subject for subject, _ in world.actor("Customer").told]
    assert "onsite maintenance scheduled" in told
    assert "registration to be executed again" not in told
    [decision] = [
        d
        for d in world.actor("Customer Service Representative").decisions
        if d.question == "registration again or onsite maintenance"
    ]
    assert decision.source == "answers file"


def test_every_actor_attribute_the_driver_reads_is_inspectable() -> None:
    """What the driver reads or calls on a system or device actor is declared for the contract;
    the harness's own people (operator actors) are never a vendor's."""
    named = {(q.role, q.method) for q in DRIVER.state_queries.values()}
    declared = set(DRIVER.inspectables) | named
    people = [c for c in DRIVER.reference.values() if issubclass(c, OperatorActor)]
    reads = _actor_reads(ROOT / "usecases" / "han" / "driver.py")
    assert reads
    for role, attr in reads:
        if role in {c.role for c in people}:
            continue
        if role is None:
            on_person = any(hasattr(c, attr) for c in people)
            assert on_person or any(a == attr for _, a in declared), attr
        else:
            assert (role, attr) in declared, (role, attr)


# --- vocabulary ------------------------------------------------------------------------------
def test_a_message_says_its_subject(validator: Validator) -> None:
    from datetime import UTC, datetime

    body = message("EquipmentNotice", "HAN Device", datetime(2026, 1, 1, tzinfo=UTC), "self-check")
    from lxml import etree

    assert subject_of(read_han_message(etree.fromstring(body))) == "self-check"


def test_reply_error_codes_are_read_in_order() -> None:
    import random
    from datetime import UTC, datetime

    from lxml import etree

    from amicert.actors.base import ActorContext
    from amicert.bus import Bus
    from amicert.clock import VirtualClock

    clock = VirtualClock(datetime(2026, 1, 1, tzinfo=UTC))
    ctx = ActorContext(clock, Bus.__new__(Bus), random.Random(1))
    body = build_response(
        cim_header(ctx, "reply", "EndDeviceControls", "TEST"),
        "FAILED",
        errors=[ReplyError(code="7.5", level="FATAL"), ReplyError(code="5.3", level="FATAL")],
    )
    assert reply_error_codes(etree.fromstring(body)) == ["7.5", "5.3"]


def test_a_bridge_reaches_a_device_out_of_coverage_but_not_a_broken_radio() -> None:
    site = HanSite("A", "P", "MTR", "KEY")
    site.devices["D1"] = SiteDevice(
        "D1", "n", "k", "l", "s", "r", installed=True, in_coverage=False
    )
    site.devices["D2"] = SiteDevice("D2", "n", "k", "l", "s", "r", installed=True, radio_ok=False)
    assert not site.reaches("D1")
    site.bridge = True
    assert site.reaches("D1") and not site.reaches("D2") and not site.reaches("D3")


# --- the vendor contract -----------------------------------------------------------------------
HAN_SYSTEMS = (
    "Utility AMI Gateway",
    "HAN Device Registration Application",
    "Remote Diagnostics Application",
    "CCS",
)
PROFILE = """
[product]
name = "HAN systems"
version = "0.1.0"

[boundary]
actors = [{actors}]

[bindings]
{bindings}

[sut]
address = "http://127.0.0.1:8741"
test_control = "http://127.0.0.1:8741/amicert/test-control"

[harness]
host = "127.0.0.1"
port = 8742

[pics]
test_control = true
"""


def test_the_contract_covers_the_han_boundaries(tmp_path: Path) -> None:
    """A product playing the HAN systems gets every crossing row, with an example that validates,
    and the HAN settings and inspectable state in its test-control section."""
    import json

    from cli_support import amicert

    from amicert.cim.model import ValidationContext
    from amicert.config import load_profile
    from amicert.contract import crossings

    profile = tmp_path / "han.toml"
    profile.write_text(
        PROFILE.format(
            actors=", ".join(f'"{a}"' for a in HAN_SYSTEMS),
            bindings="\n".join(f'"{a}" = {{ type = "soap" }}' for a in HAN_SYSTEMS),
        )
    )
    out = tmp_path / "out"
    proc = amicert("contract", "--sut", str(profile), "--format", "json", "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    contract = json.loads((out / "contract.json").read_text())
    uc = load_catalog()["HAN"]
    boundary = set(load_profile(profile).boundary)
    [listed] = [u for u in contract["use_cases"] if u["id"] == "HAN"]
    assert {r["key"] for r in listed["rows"]} == {c.key for c in crossings(uc, boundary)}
    validator = Validator()
    for r in listed["rows"]:
        result = validator.validate(
            (out / r["example_file"]).read_bytes(), ValidationContext(check_replay=False)
        )
        assert result.ok, (r["key"], [str(f) for f in result.errors])
    text = json.dumps(contract["test_control"])
    for name in DRIVER.settings:
        assert name in text, name
    inspectable = {(i["role"], i["name"]) for i in contract["test_control"]["inspectables"]}
    assert {k for k in DRIVER.inspectables if k[0] in HAN_SYSTEMS} <= inspectable
