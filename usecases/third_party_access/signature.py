"""C4 message signing: the third parties sign their requests to the CCS (WS-Security, X.509),
and the CCS refuses one whose signature does not verify (C4FR3: Man in the Middle; C4FR6:
authentication). The harness's signing identity comes from the profile (security.signing_*)
or is made up at run start; what the CCS must trust goes to it with the scenario's settings.
"""

from __future__ import annotations

from amicert.adapters.remote import TestControlError
from amicert.config import Security
from amicert.findings import Blame, Finding, error
from amicert.transport.wssecurity import Signer, demo_signer
from amicert.world import World
from usecases.third_party_access import judge

SIGNER = "wss_signer"  # a Signer object: never plain data, so never sent to a product
TRUSTED = "wss_trusted"  # PEM certificates the CCS trusts for signatures (sent with the settings)
TAMPERED = "SOAP-WSS-SIGNATURE"  # what the harness's tampered request breaks, on purpose


def provide(world: World) -> None:
    """The third parties' signing identity, and the CCS's trust in it. A Third Party that is the
    product signs with its own key: the CCS trusts the profile's signing_ca, and verifies
    nothing when the profile names none."""
    if TRUSTED in world.settings:
        return
    security = world.profile.security if world.profile is not None else None
    if "Third Party" in world.sut_roles:
        ca = security.signing_ca if security is not None else None
        world.settings[TRUSTED] = [ca.read_text(encoding="ascii")] if ca is not None else []
        return
    signer = _from_profile(security) or demo_signer()
    world.settings[SIGNER] = signer
    world.settings[TRUSTED] = [pem.decode("ascii") for pem in signer.trusted_pem]


def _from_profile(security: Security | None) -> Signer | None:
    if security is None or not (
        security.signing_cert and security.signing_key and security.signing_ca
    ):
        return None
    return Signer(
        security.signing_key.read_bytes(),
        security.signing_cert.read_bytes(),
        (security.signing_ca.read_bytes(),),
    )


def state(world: World, sp: str | None) -> Finding | None:
    """Judged once the scenario has run out: a relay would come after the answer."""
    world.settle()
    return signature_refused(world, sp or world.params["service_point"])


def signature_refused(world: World, sp: str) -> Finding | None:
    """Every request the harness tampered with after signing is answered FAILED, nothing of it
    reaches the gateway, and the CCS logs it as unauthorized."""
    relays = judge.relayed(world)
    probes = [r for r in judge.requests(world, sp) if TAMPERED in r.exchange.provoked]
    if not probes:
        return error(
            "NFR-NOT-MEASURED",
            "STATE-C4-SIGNATURE could not be judged: no tampered request was sent",
            blame=Blame.INFRASTRUCTURE,
        )
    for r in probes:
        leaked = relays.get(r.message_id)
        if r.result != "FAILED" or leaked is not None:
            got = (
                f"passed to the gateway (#{leaked.seq})"
                if leaked is not None
                else f"answered {r.result or 'nothing'}"
            )
            return _finding(world, r, got, "Result FAILED, and nothing of it passed to the gateway")
        try:
            record = world.actor("CCS").transaction_log(r.message_id)
        except TestControlError as exc:
            return error("STATE-UNREADABLE", str(exc), blame=Blame.INFRASTRUCTURE)
        status = str((record or {}).get("authorization", ""))
        if "unauthorized" not in status:
            got = f"logged with authorization {status!r}" if record else "not logged"
            return _finding(world, r, got, "a log record with an unauthorized status")
    return None


def _finding(world: World, r: judge.Request, got: str, expected: str) -> Finding:
    return error(
        "STATE-C4-SIGNATURE",
        f"the CCS did not refuse request #{r.exchange.seq} ({r.message_id}) of {r.third_party}, "
        f"whose WS-Security signature does not verify: {got}",
        step=r.exchange.step,
        expected=expected,
        received=got,
        blame=world.blame("CCS"),
    )
