"""CCS variants that get the third parties' WS-Security signatures wrong: one does not verify
them (a request changed after it was signed is admitted like any other: C4FR3, C4FR6), one
leaves its refusals out of the log. Their proofs are in mocks/proofs.py."""

from __future__ import annotations

from typing import Any

from amicert.cim.envelope import ReplyError
from amicert.trace import Exchange
from reference_impl.tpa_ccs import Ccs


class CcsIgnoresSignatures(Ccs):
    """Takes every request at its word, signed or not, changed or not."""

    def _unsigned(self, exchange: Exchange) -> ReplyError | None:
        return None


class CcsLeavesSignatureRefusalsUnlogged(Ccs):
    """Refuses a request whose signature does not verify, but its log holds no record of it
    (C4FR24: every unauthorized attempt is logged)."""

    def transaction_log(self, transaction: str) -> dict[str, Any] | None:
        record = super().transaction_log(transaction)
        if record is not None and "signature" in str(record.get("authorization", "")):
            return None
        return record
