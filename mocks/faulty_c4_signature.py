"""CCS variants that get the third parties' WS-Security signatures wrong: one does not verify
them (a request changed after it was signed is admitted like any other: C4FR3, C4FR6), three
skip one check each (the signer's trust, the signature value, the signature's presence), one
leaves its refusals out of the log. Their proofs are in mocks/proofs.py."""

from __future__ import annotations

from typing import Any

from amicert.cim.envelope import ReplyError
from amicert.trace import Exchange
from amicert.transport.wssecurity import Problem, Verification, verify
from reference_impl.tpa_ccs import Ccs
from usecases.third_party_access import vocabulary as v


class CcsIgnoresSignatures(Ccs):
    """Takes every request at its word, signed or not, changed or not; everything else it checks
    as the reference does, and it authorizes more strictly: the third party must be enabled for
    the very device the request names, not only at its service point (a request redirected to a
    device the third party may not reach is refused here without any signature)."""

    def _unsigned(self, exchange: Exchange) -> ReplyError | None:
        return None

    def _admit(self, req: v.CimRequest) -> ReplyError | None:
        refused = super()._admit(req)
        if refused is not None:
            return refused
        devices = self.enabled(req.service_point)[req.third_party].get("devices") or []
        if req.device not in devices:
            return ReplyError(
                "7.5",
                "FATAL",
                "action not authorized",
                f"{req.third_party} is not enabled for device {req.device} at {req.service_point}",
            )
        return None


class CcsLeavesSignatureRefusalsUnlogged(Ccs):
    """Refuses a request whose signature does not verify, but its log holds no record of it
    (C4FR24: every unauthorized attempt is logged)."""

    def transaction_log(self, transaction: str) -> dict[str, Any] | None:
        record = super().transaction_log(transaction)
        if record is not None and "signature" in str(record.get("authorization", "")):
            return None
        return record


class _SkipsOneCheck(Ccs):
    """Verifies as the reference does, but lets one verification problem through."""

    skipped: Problem

    def _unsigned(self, exchange: Exchange) -> ReplyError | None:
        trusted = self.ctx.settings.get("wss_trusted")
        if not trusted:
            return None
        result = self._verify(exchange.body, [str(pem).encode("ascii") for pem in trusted])
        if result.ok or result.problem is self.skipped:
            return None
        return ReplyError("7.4", "FATAL", "authentication failure: signature", str(result)[:300])

    def _verify(self, body: bytes, trusted: list[bytes]) -> Verification:
        return verify(body, trusted)


class CcsTrustsAnySigner(_SkipsOneCheck):
    """Checks the digest and the signature value under the message's own certificate, never
    whether that certificate comes from a CA it was told to trust."""

    skipped = Problem.UNTRUSTED_SIGNER

    def _verify(self, body: bytes, trusted: list[bytes]) -> Verification:
        return verify(body, None)


class CcsChecksDigestOnly(_SkipsOneCheck):
    """Checks the Body's digest and the signer's trust, never the signature value over the
    SignedInfo."""

    skipped = Problem.SIGNATURE_INVALID


class CcsAcceptsUnsigned(_SkipsOneCheck):
    """Refuses a signature that does not verify, but admits a request carrying none."""

    skipped = Problem.NO_SIGNATURE
