"""The bus marks what a harness actor sends broken on purpose; the matcher keeps those findings as
warnings on the harness's own messages only."""

from __future__ import annotations

from datetime import UTC, datetime

from amicert.bus import Bus
from amicert.cim.validate import Validator
from amicert.clock import VirtualClock
from amicert.findings import Blame, Severity, error
from amicert.trace import Exchange, Trace, _provoked

BODY = b"<not-closed"


def test_only_the_provoking_role_s_messages_are_marked() -> None:
    bus = Bus(VirtualClock(), Trace(), Validator())
    with bus.provoking("Third Party", ["XML-SYNTAX"]):
        mine = bus.record("Third Party", "CCS", BODY)
        answer = bus.record("CCS", "Third Party", BODY)
    later = bus.record("Third Party", "CCS", BODY)
    assert mine.provoked == {"XML-SYNTAX"}
    assert answer.provoked == frozenset() and later.provoked == frozenset()
    assert any(f.rule == "XML-SYNTAX" and f.is_error for f in mine.findings)


def test_a_provoked_finding_is_a_warning_unless_the_product_sent_it() -> None:
    x = Exchange(1, "Third Party", "CCS", BODY, datetime(2026, 1, 5, tzinfo=UTC), 0.0)
    x.provoked = frozenset({"ENV-REPLAY"})
    harness = error("ENV-REPLAY", "stale", blame=Blame.HARNESS)
    product = error("ENV-REPLAY", "stale", blame=Blame.SUT)
    other = error("XSD-PAYLOAD", "invalid", blame=Blame.HARNESS)
    kept = _provoked(x, harness)
    assert kept.severity is Severity.WARNING and kept.message.startswith("on purpose")
    assert _provoked(x, product) is product
    assert _provoked(x, other) is other
