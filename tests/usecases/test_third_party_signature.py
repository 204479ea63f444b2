"""C4 signing: every request of the third parties is signed and verified by the reference CCS;
the request the harness changes after signing (redirected to another device the third party is
enabled for, so that nothing but its signature can refuse it) is refused, not relayed, logged,
and its finding on the harness's own message is a warning marked "on purpose"; a CCS that does
not verify, or does not log its refusal, fails STATE-C4-SIGNATURE with rule, blame, expected and
received."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree
from test_third_party_access import case

from amicert.catalog import load_catalog
from amicert.cim.validate import Validator
from amicert.driver import DriverError
from amicert.findings import Blame
from amicert.headless import run_case
from amicert.transport.tls import demo_certificates
from amicert.transport.wssecurity import Problem, verify
from amicert.verdicts import Verdict
from amicert.world import RunOptions, World, jsonable
from mocks.faulty_c4_signature import CcsIgnoresSignatures
from mocks.proofs import PROOFS, Proof
from usecases.third_party_access import driver, judge, signature
from usecases.third_party_access import vocabulary as v

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = "tampered-signature-refused"
SIGNATURE_PROOFS = [p for p in PROOFS if p.rule == "STATE-C4-SIGNATURE"]


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator()


def _trusted(world: World) -> list[bytes]:
    return [pem.encode() for pem in world.settings[signature.TRUSTED]]


def test_the_tampered_request_is_refused_logged_and_marked_on_purpose(
    validator: Validator,
) -> None:
    outcome, world = run_case(case(SCENARIO), validator)
    assert outcome.verdict is Verdict.PASS, outcome
    [probe] = judge.requests(world, "SP-0001")
    assert probe.exchange.provoked == {"SOAP-WSS-SIGNATURE"}
    assert probe.result == "FAILED" and judge.relayed(world) == {}
    assert verify(probe.exchange.body, _trusted(world)).problem is Problem.DIGEST_MISMATCH
    [marked] = [f for f in outcome.findings if f.rule == "SOAP-WSS-SIGNATURE"]
    assert not marked.is_error and marked.message.startswith("on purpose: ")
    record = world.actor("CCS").transaction_log(probe.message_id)
    assert record is not None and record["authorization"].startswith("unauthorized: ")


def _result(reply: bytes) -> str:
    return str(etree.fromstring(reply).xpath("string(//*[local-name()='Result'])"))


def test_only_the_signature_can_refuse_the_tampered_request(
    validator: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The man in the middle redirects the request signed for the service point's first device to
    its second, which the third party is enabled for at the CCS and at the gateway: with its
    signature check switched off the reference CCS admits it, and so does a CCS that authorizes
    each device (which refuses a request redirected outside the enablement by that alone)."""
    outcome, world = run_case(case(SCENARIO), validator)
    assert outcome.verdict is Verdict.PASS, outcome
    [probe] = judge.requests(world, "SP-0001")
    assert probe.device == "PUMP-0002" and probe.third_party == "EMC-A"
    for table in ("access", "spg_access"):
        assert world.settings[table]["SP-0001"]["EMC-A"]["devices"] == ["PUMP-0001", "PUMP-0002"]
    ccs = world.actor("CCS")
    root = probe.exchange.root()
    assert root is not None
    refusal = ccs._unsigned(probe.exchange)
    assert refusal is not None and refusal.reason == "authentication failure: signature"
    monkeypatch.setattr(ccs, "_unsigned", lambda exchange: None)
    assert _result(ccs._accept(root, probe.exchange, "monitor", "MeterReadings")) == "OK"
    strict = CcsIgnoresSignatures(ccs.ctx)
    request = v.read_request(root)
    assert strict._admit(request) is None
    outside = strict._admit(replace(request, device="PUMP-0003"))
    assert outside is not None and outside.reason == "action not authorized"


def test_the_redirect_needs_a_second_device_and_says_so() -> None:
    uc = load_catalog()["C4"]
    world = World(uc, uc.scenarios[SCENARIO], Validator())
    driver.service_point(world, "SP-0001", "ACC-2001", "PUMP-0001")
    with pytest.raises(DriverError, match=r"only \['PUMP-0001'\].*has customer devices"):
        driver.THIRD_PARTY_ACCESS.triggers["W1"](world)


def test_every_other_request_is_signed_and_verifies(validator: Validator) -> None:
    outcome, world = run_case(case("control"), validator)
    assert outcome.verdict is Verdict.PASS, outcome
    sent = judge.requests(world, "SP-0001")
    assert sent and all(verify(r.exchange.body, _trusted(world)).ok for r in sent)
    assert [r.result for r in sent] == ["OK"]


def test_the_signing_key_stays_out_of_what_a_product_is_given(validator: Validator) -> None:
    _, world = run_case(case("monitoring"), validator)
    given = jsonable(world.settings)
    assert signature.SIGNER not in given and given[signature.TRUSTED]
    assert "PRIVATE KEY" not in repr(given)


@pytest.mark.parametrize("proof", SIGNATURE_PROOFS, ids=[p.id for p in SIGNATURE_PROOFS])
def test_a_ccs_getting_signatures_wrong_fails_with_the_rule(
    proof: Proof, validator: Validator
) -> None:
    outcome, _ = run_case(
        case(proof.scenario), validator, RunOptions(actor_overrides={proof.role: proof.actor})
    )
    assert outcome.verdict is Verdict.FAIL and outcome.rule == "STATE-C4-SIGNATURE", outcome
    [finding, *_] = [f for f in outcome.findings if f.rule == proof.rule]
    assert finding.blame is Blame.SUT and finding.step == "W2"
    assert finding.expected and finding.received, finding
    if proof.actor.endswith("Unlogged"):
        assert finding.received == "not logged"
    else:
        assert finding.received.startswith("passed to the gateway")


def test_with_no_tampered_request_the_check_is_not_measured() -> None:
    uc = load_catalog()["C4"]
    world = World(uc, uc.scenarios[SCENARIO], Validator())
    finding = signature.signature_refused(world, "SP-0001")
    assert finding is not None and finding.rule == "NFR-NOT-MEASURED"
    assert finding.blame is Blame.INFRASTRUCTURE


def test_the_contract_says_what_a_ccs_must_verify_and_shows_the_tampered_request(
    tmp_path: Path,
) -> None:
    """The tampered request is published as broken on purpose (not as an invalid example), and
    the wire section names the signature's form and the CA the product must trust."""
    from cli_support import amicert

    demo_certificates(tmp_path / "certs")
    profile = tmp_path / "ccs.toml"
    profile.write_text((ROOT / "examples" / "ccs-over-soap-mtls.toml").read_text())
    out = tmp_path / "out"
    proc = amicert("contract", "--sut", str(profile), "--format", "json", "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    contract = json.loads((out / "contract.json").read_text())
    signing = contract["wire"]["signature"]
    assert "exclusive C14N" in signing and str(tmp_path / "certs" / "ca.pem") in signing
    [c4] = [uc for uc in contract["use_cases"] if uc["id"] == "C4"]
    [w1] = [r for r in c4["rows"] if r["row"] == "W1"]
    assert w1["broken_on_purpose"] == ["SOAP-WSS-SIGNATURE"] and w1["example_valid"]
    assert "BinarySecurityToken" in w1["example"] and "PRIVATE KEY" not in w1["example"]
    [trusted] = [s for s in c4["settings"] if s["name"] == "wss_trusted"]
    assert trusted["drives_the_product"] and trusted["read_by"] == ["CCS"]


def test_a_third_party_product_is_not_given_the_harness_s_key(validator: Validator) -> None:
    """The product signs with its own key, if at all: without a signing_ca in the profile the
    CCS has nothing to trust and verifies nothing, so an unsigned request still goes through."""
    options = RunOptions(
        actor_overrides={"Third Party": "reference_impl.tpa_third_party:ThirdParty"}
    )
    outcome, world = run_case(case("monitoring"), validator, options)
    assert outcome.verdict is Verdict.PASS, outcome
    assert signature.SIGNER not in world.settings and world.settings[signature.TRUSTED] == []
    [sent] = judge.requests(world, "SP-0001")
    assert verify(sent.exchange.body, None).problem is Problem.NO_SIGNATURE
