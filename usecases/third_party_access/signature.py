"""C4 message signing: the third parties sign their requests to the CCS (WS-Security, X.509),
and the CCS refuses one whose signature does not verify (C4FR3: Man in the Middle; C4FR6:
authentication). The harness's signing identity comes from the profile (security.signing_*)
or is made up at run start; what the CCS must trust goes to it with the scenario's settings.
"""

from __future__ import annotations

from amicert.adapters.remote import TestControlError
from amicert.config import Security
from amicert.findings import Blame, Finding, error
from amicert.transport.soap import fault_text
from amicert.transport.wssecurity import Signer, demo_signer, verify
from amicert.world import World
from usecases.third_party_access import judge

SIGNER = "wss_signer"  # a Signer object: never plain data, so never sent to a product
TRUSTED = "wss_trusted"  # PEM certificates the CCS trusts for signatures (sent with the settings)
FORGED = "SOAP-WSS-SIGNATURE"  # what the harness's forged requests break, on purpose


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
    """Every request the harness forged (changed after signing, signed by an untrusted CA, with
    an altered signature value, unsigned) is answered FAILED, nothing of it reaches the gateway,
    and the CCS logs it as unauthorized. Each probe is judged on its own: one that gets through
    names the verification check the CCS skipped."""
    relays = judge.relayed(world)
    probes = [r for r in judge.requests(world, sp) if FORGED in r.exchange.provoked]
    if not probes:
        return error(
            "NFR-NOT-MEASURED",
            "STATE-C4-SIGNATURE could not be judged: no forged request was sent",
            blame=Blame.INFRASTRUCTURE,
        )
    trusted = [str(pem).encode("ascii") for pem in world.settings.get(TRUSTED, [])]
    failures: list[tuple[judge.Request, str, str]] = []
    for r in probes:
        found = verify(r.exchange.body, trusted)
        problem = found.problem.value if found.problem is not None else str(found)
        leaked = relays.get(r.message_id)
        if leaked is not None:
            failures.append((r, problem, f"admitted it: passed to the gateway (#{leaked.seq})"))
            continue
        answer = _answer(world, r)
        if answer != "FAILED":
            failures.append((r, problem, _wrong_answer(answer)))
            continue
        try:
            record = world.actor("CCS").transaction_log(r.message_id)
        except TestControlError as exc:
            return error("STATE-UNREADABLE", str(exc), blame=Blame.INFRASTRUCTURE)
        status = str((record or {}).get("authorization", ""))
        if "unauthorized" not in status:
            how = f"logged it with authorization {status!r}" if record else "left it out of its log"
            failures.append((r, problem, f"refused it but did not log it as unauthorized: {how}"))
    return _finding(world, failures) if failures else None


def _answer(world: World, r: judge.Request) -> str:
    """The CCS's synchronous answer to ``r``: its Result, 'SOAP Fault', or '' (none)."""
    for x in world.trace.exchanges:
        if x.in_reply_to == r.exchange.seq:
            if fault_text(x.body) is not None:
                return "SOAP Fault"
            return r.result or "a reply without a Result"
    return ""


def _wrong_answer(answer: str) -> str:
    if answer == "SOAP Fault":
        return "answered a SOAP Fault instead of a FAILED reply"
    if answer == "OK":
        return "admitted it: answered OK"
    return f"answered {answer} instead of FAILED" if answer else "answered nothing"


def _finding(world: World, failures: list[tuple[judge.Request, str, str]]) -> Finding:
    r, problem, got = failures[0]
    more = f" (and {len(failures) - 1} more forged request(s))" if len(failures) > 1 else ""
    return error(
        "STATE-C4-SIGNATURE",
        f"forged request #{r.exchange.seq} ({r.message_id}) of {r.third_party}, whose "
        f"WS-Security signature does not verify ({problem}): the CCS {got}{more}",
        step=r.exchange.step,
        expected="each forged request answered FAILED, nothing of it passed to the gateway, "
        "and logged with an unauthorized status",
        received="; ".join(f"#{r.exchange.seq} ({problem}): {got}" for r, problem, got in failures),
        blame=world.blame("CCS"),
    )
