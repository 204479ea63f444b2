"""A CCS that does not verify the third parties' WS-Security signatures: a request changed after
it was signed is admitted like any other (C4FR3, C4FR6). Its proof is in mocks/proofs.py."""

from __future__ import annotations

from amicert.cim.envelope import ReplyError
from amicert.trace import Exchange
from reference_impl.tpa_ccs import Ccs


class CcsIgnoresSignatures(Ccs):
    """Takes every request at its word, signed or not, changed or not."""

    def _unsigned(self, exchange: Exchange) -> ReplyError | None:
        return None
