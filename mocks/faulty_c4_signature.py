"""CCS variants that get the third parties' WS-Security signatures wrong: one does not verify
them (a request changed after it was signed is admitted like any other: C4FR3, C4FR6), one
leaves its refusals out of the log. Their proofs are in mocks/proofs.py."""

from __future__ import annotations

from typing import Any

from amicert.cim.envelope import ReplyError
from amicert.trace import Exchange
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
