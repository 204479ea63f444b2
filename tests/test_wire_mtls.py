"""C4 with the CCS out of process over SOAP and mutual TLS (`amicert serve` plays the CCS).

The served CCS demands a client certificate from the demo CA; the run passes, and a CCS whose TLS
lets in a client it had to refuse (none, from an untrusted CA, expired, revoked) ends in FAIL
naming WIRE-MTLS-CLIENT-ACCEPTED, what was expected and what the endpoint answered.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import test_wire
from test_wire import Served, profile_copy, run

from amicert.transport.tls import demo_certificates
from mocks.proofs import SERVED_FAULT_PROOFS, ServedFaultProof

NAME = "ccs-over-soap-mtls.toml"
WHY = {
    "none": "without a certificate",
    "untrusted": "with a certificate from a CA the product does not trust",
    "expired": "with a certificate that has expired",
    "revoked": "with a certificate that its CA revoked",
}


served = test_wire.serving  # the served processes of a test, stopped after it


def mtls_profile(tmp_path: Path) -> Path:
    demo_certificates(tmp_path / "certs")  # where the example profile names them
    return profile_copy(tmp_path, NAME)


def test_c4_passes_with_the_ccs_served_over_mutual_tls(
    tmp_path: Path, served: list[Served]
) -> None:
    profile = mtls_profile(tmp_path)
    served.append(Served(profile))
    assert "TLS client certificate required" in served[0].log.read_text()
    code, summary, out = run(profile, tmp_path / "reports", use_case="C4")
    assert code == 0, out[-3000:]
    assert len(summary["scenarios"]) >= 17
    assert {s["verdict"] for s in summary["scenarios"]} == {"PASS"}
    # the served CCS verified the profile's signer over the wire and refused the forged requests
    # (two break the signature's integrity; the repeated rows W1 and W3 are noted, not errors)
    [tampered] = [
        s for s in summary["scenarios"] if s["scenario_id"] == "tampered-signature-refused"
    ]
    rules = [f["rule"] for f in tampered["findings"]]
    assert rules.count("SOAP-WSS-SIGNATURE") == 2, tampered["findings"]
    assert set(rules) == {"SOAP-WSS-SIGNATURE", "SEQ-DUPLICATE"}, tampered["findings"]
    assert {f["severity"] for f in tampered["findings"]} == {"warning"}
    assert all(s["sut_roles"] == ["CCS"] for s in summary["scenarios"])


#: the clients each served fault lets in
LET_IN = {
    "client-cert-optional": {"none"},
    "client-cert-ignored": {"none", "untrusted", "expired", "revoked"},
    "crl-ignored": {"revoked"},
}


@pytest.mark.parametrize("proof", SERVED_FAULT_PROOFS, ids=[p.fault for p in SERVED_FAULT_PROOFS])
def test_a_ccs_letting_in_a_client_it_must_refuse_fails(
    tmp_path: Path, served: list[Served], proof: ServedFaultProof
) -> None:
    assert proof.profile == NAME and proof.role == "CCS"
    let_in = LET_IN[proof.fault]
    profile = mtls_profile(tmp_path)
    served.append(Served(profile, proof.fault))
    code, summary, _ = run(profile, tmp_path / "reports", proof.scenario, use_case=proof.use_case)
    assert code == 1
    [scenario] = summary["scenarios"]
    assert scenario["verdict"] == "FAIL" and scenario["rule"] == proof.rule
    found = [f for f in scenario["findings"] if f["rule"] == proof.rule]
    assert {f["expected"] for f in found} == {
        f"the TLS connection refused for a client {WHY[k]}" for k in let_in
    }
    assert all(f["blame"] == "sut" and f["received"].startswith("answered 'HTTP/") for f in found)
    assert "PRIVATE KEY" not in (tmp_path / "reports" / "summary.json").read_text()


def test_a_harness_client_without_a_certificate_is_refused(
    tmp_path: Path, served: list[Served]
) -> None:
    """The served CCS really demands the certificate: a profile presenting none gets nowhere,
    and the run says why instead of passing."""
    profile = mtls_profile(tmp_path)
    served.append(Served(profile))
    text = profile.read_text()
    anonymous = profile.with_name("anonymous.toml")
    anonymous.write_text(
        text.replace('client_cert = "certs/client.pem"', "").replace(
            'client_key = "certs/client-key.pem"', ""
        )
    )
    code, summary, _ = run(anonymous, tmp_path / "reports", "gateway-log", use_case="C4")
    assert code == 1
    [scenario] = summary["scenarios"]
    assert scenario["verdict"] == "INCONCLUSIVE"
    assert "certificate" in scenario["reason"].lower(), scenario["reason"]
