"""The matcher while verdicts are still out (validation in worker processes) and records that
have handed their bytes to the evidence: what is matched when, and what is read back.

The use case is the one of test_trace_matching: 1 a request, 2 its acknowledgement (a reply
row), 3 a notice per meter, 4 a repeatable completion.
"""

from __future__ import annotations

import sys
import uuid
from datetime import UTC, datetime

from amicert.cim.model import MessageInfo
from amicert.trace import Exchange, Matcher, Trace, compact_info, content_deviations, extract_keys
from tests.test_trace_matching import METERS, ROWS, SUT, UC, send

T0 = datetime(2026, 1, 5, tzinfo=UTC)


class Verdicts:
    """Validation elsewhere: a verdict comes back when polled once it is ready, or at once when
    something reads the message's info or findings (which waits for it)."""

    def __init__(self, trace: Trace) -> None:
        self.ready: list[Exchange] = []
        self.waited: list[int] = []
        trace.poll = self.poll

    def pending(self, x: Exchange) -> Exchange:
        x.settle = self.wait
        return x

    def wait(self, x: Exchange) -> None:
        self.waited.append(x.seq)
        x.settle = None

    def poll(self) -> None:
        for x in self.ready:
            x.settle = None
        self.ready.clear()


class Evidence:
    """The archive holding recorded bytes; counts what is read back from it."""

    def __init__(self) -> None:
        self.bodies: dict[int, bytes] = {}
        self.reads: list[int] = []

    def keep(self, x: Exchange) -> Exchange:
        self.bodies[x.seq] = x.body
        x.store = self
        return x

    def read(self, seq: int) -> bytes:
        self.reads.append(seq)
        return self.bodies[seq]


def test_a_row_waits_only_for_the_pending_verdicts_that_can_fill_it() -> None:
    trace = Trace()
    verdicts = Verdicts(trace)
    matcher = Matcher(trace, UC, ROWS, METERS, SUT)
    request = send(trace, "Operator", "Head-End", "Req")
    note = verdicts.pending(send(trace, "Head-End", "Meter", "Note", meter="M1"))
    assert matcher.complete("1")  # the notice cannot change row 1: it is not waited for
    assert (request.step, note.step, verdicts.waited) == ("1", None, [])
    assert not matcher.complete("2") and not matcher.complete("4")
    assert (note.step, verdicts.waited) == (None, [])
    assert not matcher.complete("3")  # the notice may be row 3's: its verdict is waited for
    assert (note.step, verdicts.waited) == ("3", [2])
    later = verdicts.pending(send(trace, "Operator", "Head-End", "Req"))
    stray = verdicts.pending(send(trace, "Meter", "Head-End", "Req"))
    assert not matcher.complete("3")  # neither can be row 3's
    assert (later.step, stray.step, verdicts.waited) == (None, None, [2])
    assert matcher.complete("1")  # the later request may be row 1's (again): waited for
    assert (later.step, stray.step, verdicts.waited) == ("1", None, [2, 3])
    assert matcher.complete("1") and not matcher.complete("3")  # nothing left to match


def test_a_row_waits_for_each_pending_exchange_that_can_fill_it() -> None:
    trace = Trace()
    verdicts = Verdicts(trace)
    matcher = Matcher(trace, UC, ROWS, METERS, SUT)
    first = verdicts.pending(send(trace, "Head-End", "Meter", "Note", meter="M1"))
    second = verdicts.pending(send(trace, "Head-End", "Meter", "Note", meter="M2"))
    assert not matcher.complete("4")
    verdicts.ready.append(first)
    assert not matcher.complete("4")  # the first is back: matched, in record order
    assert (first.step, second.step, verdicts.waited) == ("3", None, [])
    assert matcher.complete("3")  # the second one may still complete row 3
    assert (second.step, verdicts.waited, matcher.devices_done) == ("3", [2], 2)


def test_exchanges_matched_outside_a_check_are_not_waited_for_again() -> None:
    trace = Trace()
    verdicts = Verdicts(trace)
    matcher = Matcher(trace, UC, ROWS, METERS, SUT)
    send(trace, "Head-End", "Meter", "Note", meter="M1")
    send(trace, "Operator", "Head-End", "Req")
    matcher.sync()  # e.g. a report built between two checks
    second = verdicts.pending(send(trace, "Head-End", "Meter", "Note", meter="M2"))
    assert matcher.complete("3") and verdicts.waited == [3]
    later = verdicts.pending(send(trace, "Operator", "Head-End", "Req"))
    assert matcher.complete("3") and verdicts.waited == [3]
    assert matcher.complete("1") and verdicts.waited == [3, 4]
    assert (second.step, later.step) == ("3", "1")


def test_a_message_checked_on_arrival_is_matched_before_any_row_is_answered() -> None:
    trace = Trace()
    verdicts = Verdicts(trace)
    matcher = Matcher(trace, UC, ROWS, METERS, SUT, eager=frozenset({"done"}))
    done = send(trace, "Meter", "Operator", "Done", job=None, corr="J1")
    again = verdicts.pending(send(trace, "Meter", "Operator", "Done", job=None, corr="J1"))
    assert not matcher.complete("1")  # the second completion is checked on arrival: waited for
    assert (done.step, again.step, verdicts.waited) == ("4", "4", [2])
    request = verdicts.pending(send(trace, "Operator", "Head-End", "Req"))
    assert not matcher.complete("2") and request.step is None and verdicts.waited == [2]


def test_a_matched_exchange_keeps_only_its_own_keys_and_reads_no_evidence_back() -> None:
    trace = Trace()
    evidence = Evidence()
    trace.on_record.append(evidence.keep)
    matcher = Matcher(trace, UC, ROWS, METERS, SUT)
    sent = [
        send(trace, "Operator", "Head-End", "Req"),
        send(trace, "Head-End", "Operator", "Ack", status="BUSY", reply_to=1),
        send(trace, "Head-End", "Meter", "Note", meter="M1"),
        send(trace, "Meter", "Head-End", "Req"),
    ]
    matcher.sync()
    request, _, note, stray = sent
    assert [x.step for x in sent] == ["1", "1", "3", None]
    assert [[key[:2] for key in x.memo] for x in sent] == [
        [("keys", "req")],
        [],  # a reply no row declares is nobody's message: nothing of it is asked again
        [("keys", "note")],
        [],
    ]
    assert extract_keys(note, UC.messages["note"]) == {"device": ["M1"], "job": ["J1"]}
    assert extract_keys(request, UC.messages["req"])["job"] == ["J1"]
    assert content_deviations(note, UC.messages["note"]) == []
    assert evidence.reads == []
    assert extract_keys(stray, UC.messages["req"]) == {"device": [], "job": ["J1"]}
    assert evidence.reads == [4]


def test_a_judged_and_delivered_exchange_hands_its_bytes_to_the_evidence() -> None:
    x = Trace().record("A", "B", b"<M/>", T0)
    assert (x.judged, x.awaiting_delivery, x.content_type) == (False, False, "application/xml")
    evidence = Evidence()
    evidence.keep(x)
    x.judged = True
    x.settle = lambda _: None  # its verdict is still being worked out elsewhere
    x.forget_tree()
    assert x.body == b"<M/>" and evidence.reads == []
    x.settle = None
    x.forget_tree()
    assert x.body == b"<M/>" and evidence.reads == [1]
    assert x.root() is not None and x.root().tag == "M"


def _info(tag: str) -> MessageInfo:
    """Texts built at run time (never interned by the compiler), as a parser makes them."""
    ns = "urn:" + tag
    return MessageInfo(
        "generic" + tag,
        "event" + tag,
        ns,
        "{" + ns + "}M",
        verb="created" + tag,
        noun="EndDeviceEvents" + tag,
        source="HES" + tag,
        reply_address="http://x/" + tag,
        result="OK" + tag,
        payload_root="{" + ns + "}P",
        event_codes=["3.26.0." + tag],
        control_codes=["3.31.0." + tag],
        soap="1." + tag,
        edition="61968-100 " + tag,
    )


def test_compacted_message_infos_share_their_texts() -> None:
    tag = uuid.uuid4().hex
    first, second = compact_info(_info(tag)), compact_info(_info(tag))
    assert first == _info(tag) and second == _info(tag)
    assert first is not None and second is not None
    for name in (
        "form",
        "kind",
        "namespace",
        "root",
        "verb",
        "noun",
        "source",
        "reply_address",
        "result",
        "payload_root",
        "soap",
        "edition",
    ):
        assert getattr(first, name) is getattr(second, name), name
    assert first.event_codes[0] is second.event_codes[0] is sys.intern("3.26.0." + tag)
    assert first.control_codes[0] is second.control_codes[0]
    bare = compact_info(MessageInfo("unknown", None, None, ""))
    assert bare == MessageInfo("unknown", None, None, "")
    assert compact_info(None) is None
