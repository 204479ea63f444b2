"""The matcher on a small synthetic use case: every finding it reports, field by field.

Rows: 1 a request (per campaign), 2 its synchronous acknowledgement (a ``reply`` row whose status
must be OK), 3 a notice per meter, 4 a repeatable completion correlated by header. The findings
are compared whole (rule, severity, message, step, expected, received, blame, meter), since each
field is what a vendor reads in the report.
"""

from __future__ import annotations

import base64
import gzip
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from amicert.catalog import MessageSpec, StepRow, UseCase
from amicert.cim.model import MessageInfo
from amicert.findings import Blame, Finding, Severity, error
from amicert.trace import (
    Analysis,
    Exchange,
    Matcher,
    Trace,
    analyse,
    content_deviations,
    extract_keys,
)

T0 = datetime(2026, 1, 5, tzinfo=UTC)
NS = {"t": "urn:t"}
SUT = frozenset({"Head-End"})
METERS = ["M1", "M2"]


def use_case() -> UseCase:
    messages = {
        "req": MessageSpec(
            "req", root="{urn:t}Req", keys={"device": "//t:meter", "job": "//t:job"}, namespaces=NS
        ),
        "ack": MessageSpec(
            "ack",
            root="{urn:t}Ack",
            keys={"job": "//t:job", "status": "//t:status"},
            expect_keys={"status": "OK"},
            namespaces=NS,
        ),
        "note": MessageSpec(
            "note",
            root="{urn:t}Note",
            keys={"device": "//t:meter", "job": "//t:job"},
            namespaces=NS,
        ),
        "done": MessageSpec("done", root="{urn:t}Done", keys={"job": "header:correlation_id"}),
    }
    rows = {
        "1": StepRow("1", "ask", "Request", "Operator", "Head-End", message="req"),
        "2": StepRow(
            "2", "ack", "Acknowledgement", "Head-End", "Operator", message="ack", reply=True
        ),
        "3": StepRow("3", "notify", "Notice", "Head-End", "Meter", message="note", per="device"),
        "4": StepRow("4", "finish", "Done", "Meter", "Operator", message="done", repeatable=True),
    }
    return UseCase(
        "T-1", "test", Path("."), Path("."), {}, rows, messages, {}, [], correlation_keys=("job",)
    )


UC = use_case()
ROWS = list(UC.rows.values())


def send(
    trace: Trace,
    producer: str,
    receiver: str,
    root: str,
    *,
    meter: str | None = None,
    job: str | None = "J1",
    status: str | None = None,
    reply_to: int | None = None,
    corr: str | None = None,
    findings: tuple[Finding, ...] = (),
    **kw: Any,
) -> Exchange:
    inner = "".join(
        f"<{tag}>{value}</{tag}>"
        for tag, value in (("meter", meter), ("job", job), ("status", status))
        if value is not None
    )
    body = f'<{root} xmlns="urn:t">{inner}</{root}>'.encode()
    x = trace.record(producer, receiver, body, T0, in_reply_to=reply_to, **kw)
    x.info = MessageInfo("device", None, "urn:t", f"{{urn:t}}{root}", correlation_id=corr)
    x.findings = list(findings)
    return x


def normal(trace: Trace) -> None:
    send(trace, "Operator", "Head-End", "Req")
    send(trace, "Head-End", "Operator", "Ack", status="OK", reply_to=1)
    for meter in METERS:
        send(trace, "Head-End", "Meter", "Note", meter=meter)
    send(trace, "Meter", "Operator", "Done", job=None, corr="J1")


def findings(trace: Trace, devices: list[str] | None = None) -> list[dict[str, Any]]:
    found = analyse(trace, UC, ROWS, METERS if devices is None else devices, SUT, final=True)
    return [f.to_dict() for f in found.findings]


def test_the_normal_sequence_matches_every_row_once() -> None:
    trace = Trace()
    matcher = Matcher(trace, UC, ROWS, METERS, SUT)
    seen: list[tuple[str, str, int, str | None]] = []
    matcher.on_match = lambda row, message, x, dev: seen.append((row.number, message, x.seq, dev))
    normal(trace)
    assert matcher.complete("3") and matcher.devices_done == 2
    analysis = matcher.analysis(final=True)
    assert analysis.findings == [] and analysis.unmatched == []
    assert seen == [
        ("1", "req", 1, None),
        ("2", "ack", 2, None),
        ("3", "note", 3, "M1"),
        ("3", "note", 4, "M2"),
        ("4", "done", 5, None),
    ]
    assert [x.step for x in trace] == ["1", "2", "3", "3", "4"]
    assert [x.seq for x in analysis.exchanges_for("3")] == [3, 4]
    assert [(e.row.number, e.device) for e in analysis.entries("3")] == [("3", "M1"), ("3", "M2")]
    assert analysis.complete("4") and analysis.for_step("4") == []


def test_a_row_is_complete_only_once_every_meter_is_seen() -> None:
    trace = Trace()
    matcher = Matcher(trace, UC, ROWS, METERS, SUT)
    send(trace, "Operator", "Head-End", "Req")
    send(trace, "Head-End", "Meter", "Note", meter="M2")
    assert (matcher.complete("1"), matcher.complete("3"), matcher.devices_done) == (True, False, 1)
    analysis = matcher.analysis(final=False)
    assert not analysis.complete("3") and analysis.findings == []
    assert [(e.device, e.exchange is not None) for e in analysis.entries("3")] == [
        ("M1", False),
        ("M2", True),
    ]
    final = matcher.analysis(final=True)
    assert [(f.rule, f.step, f.extra) for f in final.findings] == [
        ("SEQ-MISSING", "2", {}),
        ("SEQ-MISSING", "3", {"device": "M1"}),
        ("SEQ-MISSING", "4", {}),
    ]
    assert [f.message for f in final.for_step("3")] == [
        'step 3: the Head-End never sent the "Notice" to the Meter for meter M1'
    ]


def test_missing_rows_name_producer_information_receiver_and_meter() -> None:
    trace = Trace()
    send(trace, "Operator", "Head-End", "Req")
    send(trace, "Head-End", "Meter", "Note", meter="M1")
    assert findings(trace) == [
        {
            "rule": "SEQ-MISSING",
            "severity": "error",
            "message": 'step 2: the Head-End never sent the "Acknowledgement" to the Operator',
            "step": "2",
            "blame": "sut",
        },
        {
            "rule": "SEQ-MISSING",
            "severity": "error",
            "message": 'step 3: the Head-End never sent the "Notice" to the Meter for meter M2',
            "step": "3",
            "blame": "sut",
            "extra": {"device": "M2"},
        },
        {
            "rule": "SEQ-MISSING",
            "severity": "error",
            "message": 'step 4: the Meter never sent the "Done" to the Operator',
            "step": "4",
            "blame": "harness",
        },
    ]


def test_a_reply_that_is_not_the_rows_message_keeps_its_requests_step() -> None:
    trace = Trace()
    bad = error("CIM-X", "the reply is malformed", blame=Blame.HARNESS)
    send(trace, "Operator", "Head-End", "Req")
    send(trace, "Head-End", "Operator", "Ack", status="BUSY", reply_to=1, findings=(bad,))
    for meter in METERS:
        send(trace, "Head-End", "Meter", "Note", meter=meter)
    send(trace, "Meter", "Operator", "Done", job=None, corr="J1")
    assert findings(trace) == [
        {
            "rule": "CIM-X",
            "severity": "error",
            "message": "the reply is malformed",
            "step": "1",
            "blame": "sut",
        },
        {
            "rule": "SEQ-MISSING",
            "severity": "error",
            "message": 'step 2: the Head-End never sent the "Acknowledgement" to the Operator',
            "step": "2",
            "blame": "sut",
        },
    ]
    assert trace.exchanges[1].step == "1"


def test_a_reply_to_nothing_matched_is_left_without_a_step() -> None:
    trace = Trace()
    x = send(trace, "Head-End", "Operator", "Ack", status="BUSY", reply_to=7)
    assert x.step is None
    assert [f["rule"] for f in findings(trace)] == ["SEQ-MISSING"] * 5


def test_a_reply_naming_no_recorded_exchange_has_no_step() -> None:
    trace = Trace()
    send(trace, "Operator", "Head-End", "Req")
    zero = send(trace, "Head-End", "Operator", "Ack", status="BUSY", reply_to=0)
    Matcher(trace, UC, ROWS, METERS, SUT).sync()
    assert (trace.exchanges[0].step, zero.step) == ("1", None)


def test_a_message_of_the_wrong_type_on_a_row_says_what_was_expected() -> None:
    trace = Trace()
    send(trace, "Operator", "Head-End", "Req")
    send(trace, "Head-End", "Operator", "Ack", status="OK", reply_to=1)
    send(trace, "Head-End", "Meter", "Note", meter="M1")
    send(trace, "Head-End", "Meter", "Notice", meter="M2")
    send(trace, "Meter", "Operator", "Done", job=None, corr="J1")
    assert findings(trace) == [
        {
            "rule": "PROFILE-ROOT",
            "severity": "error",
            "message": "unexpected message type",
            "step": "3",
            "expected": "{urn:t}Note",
            "received": "{urn:t}Notice",
            "blame": "sut",
            "extra": {"device": "M2"},
        }
    ]


def test_a_key_with_another_value_than_the_step_carries_is_named() -> None:
    x = send(Trace(), "Head-End", "Operator", "Ack", status="BUSY")
    [deviation] = content_deviations(x, UC.messages["ack"])
    assert deviation.to_dict() == {
        "rule": "PROFILE-CONTENT",
        "severity": "error",
        "message": "'status' is not what this step carries",
        "expected": "OK",
        "received": "BUSY",
        "blame": "sut",
    }
    absent = send(Trace(), "Head-End", "Operator", "Ack")
    assert [(f.rule, f.received) for f in content_deviations(absent, UC.messages["ack"])] == [
        ("PROFILE-CONTENT", "(absent)")
    ]
    unparsed = send(Trace(), "Head-End", "Operator", "Ack")
    unparsed.info = None
    assert [(f.rule, f.message) for f in content_deviations(unparsed, UC.messages["ack"])] == [
        ("MSG-UNPARSED", "the message could not be parsed")
    ]


def test_a_row_seen_again_is_an_error_unless_the_row_may_repeat() -> None:
    trace = Trace()
    normal(trace)
    send(trace, "Head-End", "Meter", "Note", meter="M1")
    send(trace, "Operator", "Head-End", "Req")
    send(trace, "Meter", "Operator", "Done", job=None, corr="J1")
    assert findings(trace) == [
        {
            "rule": "SEQ-DUPLICATE",
            "severity": "error",
            "message": "step 3 seen again for M1 (#6, first #3)",
            "step": "3",
            "blame": "sut",
        },
        {
            "rule": "SEQ-DUPLICATE",
            "severity": "error",
            "message": "step 1 seen again for the campaign (#7, first #1)",
            "step": "1",
            "blame": "harness",
        },
        {
            "rule": "SEQ-DUPLICATE",
            "severity": "warning",
            "message": "step 4 seen again for the campaign (#8, first #5)",
            "step": "4",
            "blame": "harness",
        },
    ]


def test_meters_out_of_scope_are_named_with_the_meters_in_scope() -> None:
    trace = Trace()
    send(trace, "Operator", "Head-End", "Req", meter="M9")
    send(trace, "Head-End", "Operator", "Ack", status="OK", reply_to=1)
    for meter in [*METERS, "M7"]:
        send(trace, "Head-End", "Meter", "Note", meter=meter)
    send(trace, "Meter", "Operator", "Done", job=None, corr="J1")
    assert findings(trace) == [
        {
            "rule": "SEQ-UNEXPECTED-DEVICE",
            "severity": "error",
            "message": "exchange #1 concerns 'M9', which is not in scope of this scenario",
            "step": "1",
            "expected": "M1, M2",
            "received": "M9",
            "blame": "harness",
            "extra": {"device": "M9"},
        },
        {
            "rule": "SEQ-UNEXPECTED-DEVICE",
            "severity": "error",
            "message": "exchange #5 concerns 'M7', which is not in scope of this scenario",
            "step": "3",
            "expected": "M1, M2",
            "received": "M7",
            "blame": "sut",
            "extra": {"device": "M7"},
        },
    ]


def test_a_meter_known_besides_those_in_scope_may_be_named() -> None:
    trace = Trace()
    send(trace, "Operator", "Head-End", "Req", meter="M9")
    matcher = Matcher(trace, UC, ROWS, METERS, SUT, known={"M9"})
    assert matcher.analysis(final=False).findings == []


def test_a_large_fleet_is_named_by_its_first_meters_and_counted() -> None:
    fleet = [f"D{i:02}" for i in range(25)]
    trace = Trace()
    send(trace, "Head-End", "Meter", "Note", meter="M9")
    [scope] = [f for f in findings(trace, fleet) if f["rule"] == "SEQ-UNEXPECTED-DEVICE"]
    assert scope["expected"] == ", ".join(fleet[:20]) + " ... (25 in all)"
    exactly = fleet[:20]
    [scope] = [f for f in findings(trace, exactly) if f["rule"] == "SEQ-UNEXPECTED-DEVICE"]
    assert scope["expected"] == ", ".join(exactly)


def test_a_per_meter_message_naming_no_meter_is_about_its_addressed_device() -> None:
    trace = Trace()
    send(trace, "Head-End", "Meter", "Note", receiver_id="M2")
    send(trace, "Head-End", "Meter", "Note", producer_id="M1")
    analysis = analyse(trace, UC, ROWS, METERS, SUT, final=False)
    assert analysis.findings == []
    assert [e.exchange.seq if e.exchange else None for e in analysis.entries("3")] == [2, 1]


def test_steps_observed_out_of_table_order_are_reported_per_meter() -> None:
    trace = Trace()
    send(trace, "Operator", "Head-End", "Req")
    send(trace, "Head-End", "Operator", "Ack", status="OK", reply_to=1)
    send(trace, "Head-End", "Meter", "Note", meter="M1")
    send(trace, "Meter", "Operator", "Done", job=None, corr="J1")
    send(trace, "Head-End", "Meter", "Note", meter="M2")
    assert findings(trace) == [
        {
            "rule": "SEQ-ORDER",
            "severity": "error",
            "message": "step 4 for meter M2 (#4) was observed before step 3 (#5), which precedes it",
            "step": "4",
            "expected": "after step 3",
            "received": "before step 3",
            "blame": "harness",
            "extra": {"device": "M2"},
        }
    ]


def test_order_without_meters_is_the_campaigns_and_is_reported_once_per_row() -> None:
    trace = Trace()
    send(trace, "Meter", "Operator", "Done", job=None, corr="J1")
    send(trace, "Operator", "Head-End", "Req")
    send(trace, "Head-End", "Operator", "Ack", status="OK", reply_to=2)
    send(trace, "Meter", "Operator", "Done", job=None, corr="J1")
    found = [f for f in findings(trace, []) if f["rule"] == "SEQ-ORDER"]
    assert found == [
        {
            "rule": "SEQ-ORDER",
            "severity": "error",
            "message": "step 4 (#1) was observed before step 2 (#3), which precedes it",
            "step": "4",
            "expected": "after step 2",
            "received": "before step 2",
            "blame": "harness",
        }
    ]


def test_correlation_is_the_first_value_seen_in_every_later_exchange() -> None:
    trace = Trace()
    send(trace, "Operator", "Head-End", "Req", job=None)  # establishes nothing
    send(trace, "Head-End", "Operator", "Ack", status="OK", reply_to=1, job="J1")
    send(trace, "Head-End", "Meter", "Note", meter="M1", job="J2")
    send(trace, "Head-End", "Meter", "Note", meter="M2", job=None)
    send(trace, "Meter", "Operator", "Done", job=None, corr="J1")
    assert findings(trace) == [
        {
            "rule": "SEQ-CORRELATION",
            "severity": "error",
            "message": "step 3 (#3) correlates to another job than the one of step 2",
            "step": "3",
            "expected": "J1",
            "received": "J2",
            "blame": "sut",
        },
        {
            "rule": "SEQ-CORRELATION",
            "severity": "error",
            "message": "step 3 (#4) carries no job correlation to the exchange of step 2",
            "step": "3",
            "expected": "J1",
            "received": "(absent)",
            "blame": "sut",
        },
    ]


def test_a_finding_about_another_actor_blames_that_actor() -> None:
    trace = Trace()
    normal(trace)
    trace.exchanges[2].findings.append(error("WIRE-X", "no reply", extra={"actor": "Operator"}))
    trace.exchanges[3].findings.append(error("WIRE-Y", "late", extra={"actor": "Head-End"}))
    assert [(f["rule"], f["step"], f["blame"], f["extra"]) for f in findings(trace)] == [
        ("WIRE-X", "3", "harness", {"actor": "Operator", "device": "M1"}),
        ("WIRE-Y", "3", "sut", {"actor": "Head-End", "device": "M2"}),
    ]


def test_the_analysis_is_built_again_when_the_wire_adds_a_finding() -> None:
    trace = Trace()
    matcher = Matcher(trace, UC, ROWS, METERS, SUT)
    normal(trace)
    first = matcher.analysis(final=False)
    assert matcher.analysis(final=False) is first
    assert matcher.analysis(final=True) is not first
    trace.exchanges[0].findings.append(error("WIRE-TIMEOUT", "no answer"))
    assert [(f.rule, f.step) for f in matcher.analysis(final=True).findings] == [
        ("WIRE-TIMEOUT", "1")
    ]
    send(trace, "Operator", "Nobody", "Req")
    assert [f.rule for f in matcher.analysis(final=True).findings] == ["WIRE-TIMEOUT", "SEQ-EXTRA"]
    assert [f.rule for f in matcher.analysis(final=False).findings] == ["WIRE-TIMEOUT"]


def test_an_exchange_no_row_links_is_extra_at_the_end_only() -> None:
    trace = Trace()
    send(trace, "Meter", "Head-End", "Req")
    analysis = analyse(trace, UC, ROWS, [], SUT, final=False)
    assert analysis.findings == [] and [x.seq for x in analysis.unmatched] == [1]
    [extra] = [f for f in findings(trace, []) if f["rule"] == "SEQ-EXTRA"]
    assert extra == {
        "rule": "SEQ-EXTRA",
        "severity": "error",
        "message": "exchange #1 (Req) from Meter to Head-End is no step of this scenario",
        "blame": "harness",
    }


def test_keys_are_read_from_headers_and_xpaths_of_any_result_type() -> None:
    spec = MessageSpec(
        "k",
        keys={
            "corr": "header:correlation_id",
            "broken": "//t:meter[",
            "source": "header:source",
            "count": "count(//t:meter)",
            "first": "string(//t:meter)",
            "blank": "string(//t:none)",
            "meters": "//t:meter",
        },
        namespaces=NS,
    )
    trace = Trace()
    x = trace.record("A", "B", b'<R xmlns="urn:t"><meter> M1 </meter><meter/></R>', T0)
    x.info = MessageInfo("device", None, "urn:t", "{urn:t}R", correlation_id="C7")
    assert extract_keys(x, spec) == {
        "corr": ["C7"],
        "broken": [],
        "source": [],
        "count": ["2.0"],
        "first": ["M1"],
        "blank": [],
        "meters": ["M1"],
    }
    garbled = trace.record("A", "B", b"<R", T0)
    assert garbled.root() is None and garbled.root() is None
    assert extract_keys(garbled, spec)["meters"] == [] and extract_keys(garbled, spec)["corr"] == []


@pytest.mark.parametrize(
    ("info", "label"),
    [
        (None, "unparsed message"),
        (
            MessageInfo("generic", "request", "urn:x", "{urn:x}M", verb="get", noun="Meters"),
            "get Meters",
        ),
        (MessageInfo("generic", "request", "urn:x", "{urn:x}M", verb="get"), "M"),
        (MessageInfo("generic", "request", "urn:x", "{urn:x}M", noun="Meters"), "M"),
        (MessageInfo("unknown", None, None, ""), "message"),
    ],
)
def test_an_exchange_is_labelled_by_verb_and_noun_else_by_its_root(
    info: MessageInfo | None, label: str
) -> None:
    x = Trace().record("A", "B", b"<M/>", T0)
    x.info = info
    assert x.label == label


def test_an_exchange_record_carries_every_field_of_the_evidence() -> None:
    trace = Trace()
    heard: list[int] = []
    trace.on_record.append(lambda x: heard.append(x.seq))
    send(trace, "Operator", "Head-End", "Req")
    body = bytearray(b"<M/>")
    x = trace.record(
        "Head-End",
        "Operator",
        body,
        T0,
        transport="soap",
        producer_id="HE",
        receiver_id="OP",
        in_reply_to=1,
    )
    body[1:2] = b"N"
    x.step, x.note = "2", "late"
    x.info = MessageInfo(
        "generic",
        "reply",
        "urn:x",
        "{urn:x}M",
        verb="reply",
        noun="Meters",
        message_id="m1",
        correlation_id="c1",
    )
    x.findings = [error("R", "bad")]
    x.provoked = frozenset({"R", "ENV-REPLAY"})
    data = x.to_dict()
    assert data.pop("wall_time") == x.wall_time
    assert data == {
        "seq": 2,
        "step": "2",
        "producer": "Head-End",
        "receiver": "Operator",
        "producer_id": "HE",
        "receiver_id": "OP",
        "in_reply_to": 1,
        "transport": "soap",
        "label": "reply Meters",
        "message_id": "m1",
        "correlation_id": "c1",
        "virtual_time": "2026-01-05T00:00:00+00:00",
        "bytes": 4,
        "findings": [{"rule": "R", "severity": "error", "message": "bad", "blame": "sut"}],
        "note": "late",
        "provoked": ["ENV-REPLAY", "R"],
    }
    assert x.body == b"<M/>" and heard == [1, 2] and len(trace) == 2
    assert [e.seq for e in trace] == [1, 2]
    bare = Trace().record("A", "B", b"<M/>", T0).to_dict()
    assert (bare["message_id"], bare["correlation_id"], bare["label"]) == (
        None,
        None,
        "unparsed message",
    )
    assert (bare["transport"], bare["findings"], bare["note"]) == ("in-process", [], "")


def test_a_judged_and_delivered_exchange_drops_its_parsed_tree() -> None:
    x = Trace().record("A", "B", b"<M/>", T0)
    tree = x.root()
    x.forget_tree()
    assert x.root() is tree  # not judged yet
    x.judged, x.awaiting_delivery = True, True
    x.forget_tree()
    assert x.root() is tree  # still to be delivered
    x.awaiting_delivery = False
    x.forget_tree()
    again = x.root()
    assert again is not tree and again.tag == "M"
    broken = Trace().record("A", "B", b"<M", T0)
    broken.judged = True
    assert broken.root() is None
    broken.forget_tree()
    broken._body = b"<M/>"  # bytes that would parse now
    assert broken.root() is None  # what did not parse is not parsed again


def test_blame_follows_the_producer_for_every_sequence_finding() -> None:
    trace = Trace()
    send(trace, "Operator", "Head-End", "Req")
    send(trace, "Head-End", "Operator", "Ack", status="OK", reply_to=1)
    for meter in [*METERS, "M7"]:
        send(trace, "Head-End", "Meter", "Note", meter=meter)
    send(trace, "Meter", "Operator", "Done", job=None, corr="J2")
    send(trace, "Meter", "Operator", "Done", job=None)
    send(trace, "Head-End", "Nobody", "Req")
    found = analyse(trace, UC, ROWS, METERS, SUT, final=True).findings
    assert [(f.rule, f.step, f.blame, f.expected, f.received) for f in found] == [
        ("SEQ-UNEXPECTED-DEVICE", "3", Blame.SUT, "M1, M2", "M7"),
        ("SEQ-DUPLICATE", "4", Blame.HARNESS, None, None),
        ("SEQ-CORRELATION", "4", Blame.HARNESS, "J1", "J2"),
        ("SEQ-EXTRA", None, Blame.SUT, None, None),
    ]
    harness = analyse(trace, UC, ROWS, METERS, frozenset(), final=True).findings
    assert {f.blame for f in harness} == {Blame.HARNESS}
    alone = Trace()
    normal(alone)
    alone.exchanges[4].info = MessageInfo("device", None, "urn:t", "{urn:t}Done")
    [absent] = analyse(alone, UC, ROWS, METERS, frozenset(), final=True).findings
    assert (absent.rule, absent.blame, absent.received) == (
        "SEQ-CORRELATION",
        Blame.HARNESS,
        "(absent)",
    )


def test_an_exchange_record_is_stamped_with_the_wall_clock() -> None:
    before = time.time()
    x = Trace().record("A", "B", b"<M/>", T0)
    assert before <= x.wall_time <= time.time()


def test_one_exchange_read_against_two_specs_answers_for_each() -> None:
    x = send(Trace(), "Head-End", "Meter", "Note", meter="M1", job="J1")
    by_meter = MessageSpec("note", root="{urn:t}Note", keys={"k": "//t:meter"}, namespaces=NS)
    by_job = MessageSpec("note", root="{urn:t}Note", keys={"k": "//t:job"}, namespaces=NS)
    assert extract_keys(x, by_meter) == {"k": ["M1"]}
    assert extract_keys(x, by_job) == {"k": ["J1"]}
    wants_m2 = MessageSpec(
        "note", root="{urn:t}Note", keys=by_meter.keys, namespaces=NS, expect_keys={"k": "M2"}
    )
    assert content_deviations(x, UC.messages["note"]) == []
    assert [f.received for f in content_deviations(x, wants_m2)] == ["M1"]


def test_a_keys_prefixes_resolve_through_the_specs_own_namespaces() -> None:
    uri = f"urn:{uuid.uuid4()}"  # a namespace no earlier lookup has compiled a key for
    spec = MessageSpec("n", keys={"meter": "//p:meter"}, namespaces={"p": uri})
    x = Trace().record("A", "B", f'<R xmlns="{uri}"><meter>M4</meter></R>'.encode(), T0)
    assert extract_keys(x, spec) == {"meter": ["M4"]}


def _packed(xml: bytes) -> str:
    return base64.b64encode(gzip.compress(xml)).decode()


def test_only_a_payloads_compressed_element_that_unpacks_is_replaced() -> None:
    inner = _packed(b'<Inner xmlns="urn:i"><meter>M1</meter></Inner>')
    body = (
        f'<Msg xmlns="urn:m"><Header><Compressed>{inner}</Compressed></Header>'
        f"<Payload><Compressed>not base64!</Compressed><Compressed>{inner}</Compressed>"
        f"<Plain>{inner}</Plain></Payload></Msg>"
    ).encode()
    root = Trace().record("A", "B", body, T0).root()
    header, payload = list(root)
    assert [etree.QName(e).localname for e in header] == ["Compressed"]
    assert [etree.QName(e).localname for e in payload] == ["Compressed", "Inner", "Plain"]
    assert payload[0].text == "not base64!" and payload[2].text == inner
    assert payload[1].findtext("{urn:i}meter") == "M1"


def test_a_cim_step_names_each_header_field_that_differs() -> None:
    spec = MessageSpec("c", cim={"verb": "created", "noun": "EndDeviceEvents", "kind": "event"})
    x = Trace().record("A", "B", b"<M/>", T0)
    x.info = MessageInfo("generic", "request", "urn:x", "{urn:x}M", verb="get", noun="Meters")
    assert [(f.rule, f.expected, f.received) for f in content_deviations(x, spec)] == [
        ("PROFILE-KIND", "event", "request"),
        ("PROFILE-VERB", "created", "get"),
        ("PROFILE-NOUN", "EndDeviceEvents", "Meters"),
    ]
    x.info = MessageInfo(
        "generic", "event", "urn:x", "{urn:x}M", verb="created", noun="EndDeviceEvents"
    )
    assert content_deviations(x, replace(spec, name="c2")) == []


def test_an_expected_key_the_message_has_twice_or_never_is_named() -> None:
    spec = replace(UC.messages["ack"], name="ack2", expect_keys={"status": "OK", "other": "1"})
    x = send(Trace(), "Head-End", "Operator", "Ack", status="OK")
    x._body = x.body.replace(b"</Ack>", b"<status>BUSY</status></Ack>")
    x.info = MessageInfo("device", None, "urn:t", "{urn:t}Ack")
    assert [(f.message, f.received) for f in content_deviations(x, spec)] == [
        ("'status' is not what this step carries", "OK, BUSY"),
        ("'other' is not what this step carries", "(absent)"),
    ]


def test_an_analysis_answers_for_a_row_it_has_no_entry_for() -> None:
    trace = Trace()
    normal(trace)
    analysis = analyse(trace, UC, ROWS, METERS, SUT, final=True)
    assert len(analysis.expected) == 5 and analysis.entries("9") == []
    bare = Analysis(analysis.expected, [], [])
    assert [e.device for e in bare.entries("3")] == ["M1", "M2"] and bare.entries("9") == []


def test_a_finding_keeps_its_xpath_and_takes_the_producers_blame() -> None:
    trace = Trace()
    normal(trace)
    trace.exchanges[1].findings.append(error("CIM-Y", "bad field", xpath="/Ack/status"))
    trace.exchanges[0].findings.append(error("WIRE-Z", "late"))
    found = analyse(trace, UC, ROWS, METERS, SUT, final=True).findings
    assert [(f.rule, f.step, f.xpath, f.blame) for f in found] == [
        ("WIRE-Z", "1", None, Blame.HARNESS),
        ("CIM-Y", "2", "/Ack/status", Blame.SUT),
    ]


def test_an_exchange_no_row_links_has_no_step_and_a_reply_takes_its_requests() -> None:
    trace = Trace()
    matcher = Matcher(trace, UC, ROWS, METERS, SUT)
    send(trace, "Operator", "Head-End", "Req")
    stray = send(trace, "Meter", "Head-End", "Req")
    reply = send(trace, "Meter", "Nobody", "Ack", reply_to=1)
    matcher.sync()
    assert (stray.step, reply.step) == (None, "1")
    assert stray.judged and reply.judged


def test_a_campaign_messages_findings_are_not_tied_to_the_meter_it_names() -> None:
    trace = Trace()
    send(trace, "Operator", "Head-End", "Reqx", meter="M1")
    [found] = analyse(trace, UC, ROWS, METERS, SUT, final=False).findings
    assert (found.rule, found.step, found.extra) == ("PROFILE-ROOT", "1", {})


def test_one_message_about_two_meters_is_checked_for_correlation_once() -> None:
    trace = Trace()
    send(trace, "Operator", "Head-End", "Req")
    send(trace, "Head-End", "Operator", "Ack", status="OK", reply_to=1)
    body = b'<Note xmlns="urn:t"><meter>M1</meter><meter>M2</meter><job>J2</job></Note>'
    x = trace.record("Head-End", "Meter", body, T0)
    x.info = MessageInfo("device", None, "urn:t", "{urn:t}Note")
    found = analyse(trace, UC, ROWS, METERS, SUT, final=False).findings
    assert [(f.rule, f.step, f.received) for f in found] == [("SEQ-CORRELATION", "3", "J2")]


def test_correlation_is_checked_past_a_missing_first_row() -> None:
    trace = Trace()
    send(trace, "Meter", "Nobody", "Req")  # the request of row 1 was never seen
    send(trace, "Head-End", "Operator", "Ack", status="OK", reply_to=1, job="J1")
    send(trace, "Head-End", "Meter", "Note", meter="M1", job="J2")
    found = analyse(trace, UC, ROWS, METERS, SUT, final=False).findings
    assert [(f.rule, f.step, f.expected, f.received) for f in found] == [
        ("SEQ-CORRELATION", "3", "J1", "J2")
    ]


def test_every_row_observed_too_early_is_reported() -> None:
    trace = Trace()
    send(trace, "Head-End", "Meter", "Note", meter="M1")
    send(trace, "Meter", "Operator", "Done", job=None, corr="J1")
    send(trace, "Operator", "Head-End", "Req")
    found = analyse(trace, UC, ROWS, ["M1"], SUT, final=False).findings
    assert [(f.rule, f.step) for f in found] == [("SEQ-ORDER", "3"), ("SEQ-ORDER", "4")]


def test_a_rule_the_harness_broke_on_purpose_on_its_own_message_is_a_warning() -> None:
    trace = Trace()
    normal(trace)
    request, ack = trace.exchanges[0], trace.exchanges[1]
    request.provoked = frozenset({"CIM-REPLAY", "CIM-LATE"})
    request.findings += [
        error("CIM-REPLAY", "the MessageID was seen before"),
        error("CIM-OTHER", "not provoked"),
        Finding("CIM-LATE", Severity.WARNING, "already a warning"),
    ]
    ack.provoked = frozenset({"CIM-X"})
    ack.findings.append(error("CIM-X", "the product broke it"))
    found = analyse(trace, UC, ROWS, METERS, SUT, final=True).findings
    assert [(f.rule, f.severity, f.message, f.blame) for f in found] == [
        (
            "CIM-REPLAY",
            Severity.WARNING,
            "on purpose: the MessageID was seen before",
            Blame.HARNESS,
        ),
        ("CIM-OTHER", Severity.ERROR, "not provoked", Blame.HARNESS),
        ("CIM-LATE", Severity.WARNING, "already a warning", Blame.HARNESS),
        ("CIM-X", Severity.ERROR, "the product broke it", Blame.SUT),
    ]


def test_a_per_meter_message_with_no_meter_in_scope_is_extra() -> None:
    trace = Trace()
    send(trace, "Head-End", "Meter", "Notice", meter="M1")
    analysis = analyse(trace, UC, ROWS, [], SUT, final=True)
    assert [x.seq for x in analysis.unmatched] == [1] and trace.exchanges[0].step is None
    assert [(f.rule, f.step, f.blame) for f in analysis.findings] == [
        ("SEQ-MISSING", "1", Blame.HARNESS),
        ("SEQ-MISSING", "2", Blame.SUT),
        ("SEQ-MISSING", "4", Blame.HARNESS),
        ("SEQ-EXTRA", None, Blame.SUT),
    ]


def test_a_message_of_a_rows_kind_after_the_row_was_all_seen_is_extra() -> None:
    trace = Trace()
    normal(trace)
    send(trace, "Head-End", "Meter", "Notice", meter="M1")
    [extra] = findings(trace)
    assert (extra["rule"], extra["blame"], extra.get("step")) == ("SEQ-EXTRA", "sut", None)
    assert (
        extra["message"]
        == "exchange #6 (Notice) from Head-End to Meter is no step of this scenario"
    )
    assert trace.exchanges[5].step is None
