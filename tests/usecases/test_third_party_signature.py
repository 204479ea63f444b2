"""C4 signing: every request of the third parties is signed and verified by the reference CCS;
the four requests the harness forges (one changed after signing and redirected to another device
the third party is enabled for, one signed by an untrusted CA, one with an altered signature
value, one unsigned) are refused, not relayed, logged, and the harness's findings on its own
messages are warnings marked "on purpose"; a CCS that skips any one check, does not log its
refusal, or answers a SOAP Fault fails STATE-C4-SIGNATURE with rule, blame, expected and
received naming the probe that got through."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from test_third_party_access import case

from amicert.catalog import load_catalog
from amicert.cim.validate import Validator
from amicert.driver import DriverError
from amicert.findings import Blame
from amicert.headless import run_case
from amicert.trace import Exchange
from amicert.transport import soap
from amicert.transport.tls import demo_certificates
from amicert.transport.wssecurity import Problem, verify
from amicert.verdicts import Verdict
from amicert.world import RunOptions, World, jsonable
from mocks.faulty_c4_signature import CcsIgnoresSignatures
from mocks.proofs import PROOFS, Proof
from reference_impl.tpa_ccs import Ccs
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


def test_each_forged_request_is_refused_logged_and_marked_on_purpose(
    validator: Validator,
) -> None:
    outcome, world = run_case(case(SCENARIO), validator)
    assert outcome.verdict is Verdict.PASS, outcome
    probes = judge.requests(world, "SP-0001")
    assert [verify(p.exchange.body, _trusted(world)).problem for p in probes] == [
        Problem.DIGEST_MISMATCH,
        Problem.UNTRUSTED_SIGNER,
        Problem.SIGNATURE_INVALID,
        Problem.NO_SIGNATURE,
    ]
    assert len({p.message_id for p in probes}) == 4
    assert all(p.exchange.provoked == {"SOAP-WSS-SIGNATURE"} for p in probes)
    assert [p.result for p in probes] == ["FAILED"] * 4 and judge.relayed(world) == {}
    # the untrusted signer's signature is sound: only its trust refuses it
    assert verify(probes[1].exchange.body, None).ok
    marked = [f for f in outcome.findings if f.rule == "SOAP-WSS-SIGNATURE"]
    assert len(marked) == 2  # digest mismatch, altered value: the harness judges integrity only
    assert all(not f.is_error and f.message.startswith("on purpose: ") for f in marked)
    for p in probes:
        record = world.actor("CCS").transaction_log(p.message_id)
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
    probe, *others = judge.requests(world, "SP-0001")
    assert probe.device == "PUMP-0002" and probe.third_party == "EMC-A"
    assert {o.device for o in others} == {"PUMP-0001"}
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


SKIPPED = {
    "CcsIgnoresSignatures": Problem.DIGEST_MISMATCH,  # the first probe of all four
    "CcsLeavesSignatureRefusalsUnlogged": Problem.DIGEST_MISMATCH,
    "CcsTrustsAnySigner": Problem.UNTRUSTED_SIGNER,
    "CcsChecksDigestOnly": Problem.SIGNATURE_INVALID,
    "CcsAcceptsUnsigned": Problem.NO_SIGNATURE,
}


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
    problem = SKIPPED[proof.actor.rpartition(":")[2]]
    assert f"({problem.value})" in finding.message and f"({problem.value})" in finding.received
    if proof.actor.endswith("Unlogged"):
        assert "refused it but did not log it as unauthorized" in finding.message
        assert finding.received.count("left it out of its log") == 4
    elif proof.actor.endswith("IgnoresSignatures"):
        assert finding.received.count("admitted it: passed to the gateway") == 4
    else:
        assert finding.received.count("#") == 2  # one probe (and its relay) got through
        assert "admitted it: passed to the gateway" in finding.received


class _CcsFaultsOnForgery(Ccs):
    """Refuses a forged request with a SOAP Fault instead of a FAILED reply."""

    def _accept(self, root: etree._Element, exchange: Exchange, kind: str, noun: str) -> bytes:
        refused = self._unsigned(exchange)
        if refused is not None:
            return soap.fault("Client", refused.reason)
        return super()._accept(root, exchange, kind, noun)


class _CcsLogsForgeryAuthorized(Ccs):
    """Refuses a forged request but logs it as authorized."""

    def transaction_log(self, transaction: str) -> dict[str, Any] | None:
        record = super().transaction_log(transaction)
        if record is not None and "signature" in str(record.get("authorization", "")):
            return {**record, "authorization": "authorized"}
        return record


def _override(cls: type) -> RunOptions:
    return RunOptions(actor_overrides={"CCS": f"{__name__}:{cls.__name__}"})


def test_a_refusal_logged_as_authorized_is_named_so(validator: Validator) -> None:
    outcome, _ = run_case(case(SCENARIO), validator, _override(_CcsLogsForgeryAuthorized))
    [finding] = [f for f in outcome.findings if f.rule == "STATE-C4-SIGNATURE"]
    assert "refused it but did not log it as unauthorized" in finding.message
    assert "logged it with authorization 'authorized'" in finding.received
    assert "did not refuse" not in finding.message


def test_a_soap_fault_answer_is_named_so(validator: Validator) -> None:
    outcome, _ = run_case(case(SCENARIO), validator, _override(_CcsFaultsOnForgery))
    [finding] = [f for f in outcome.findings if f.rule == "STATE-C4-SIGNATURE"]
    assert finding.blame is Blame.SUT, finding
    assert "answered a SOAP Fault instead of a FAILED reply" in finding.message, finding
    assert finding.received.count("SOAP Fault") == 4


def test_with_no_forged_request_the_check_is_not_measured() -> None:
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
    for fact in (
        "wss_trusted",
        "chain of length 1",
        "wall-clock time",
        "without a signature is refused",
        "not a SOAP Fault",
        "the error code is not judged",
        "ccs_transaction_log",
        "consumes its MessageID",
    ):
        assert fact in signing, fact
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
