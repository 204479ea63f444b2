"""The matcher on rows that share a sender and receiver, rows of several exchanges, internal rows.

Row 1 is a request then a notice per meter; row 2 is internal; row 3 is a second notice per
meter (the same actors and message as row 1's second exchange); row 4 is another message on the
same link, then a completion. Which row an exchange fills depends on which is still open.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from amicert.catalog import INTERNAL, MessageSpec, Part, StepRow, UseCase
from amicert.cim.model import MessageInfo
from amicert.trace import Exchange, Matcher, Trace, analyse

T0 = datetime(2026, 1, 5, tzinfo=UTC)
NS = {"t": "urn:t"}
METERS = ["M1", "M2"]


def use_case() -> UseCase:
    def spec(name: str, root: str) -> MessageSpec:
        return MessageSpec(
            name, root=f"{{urn:t}}{root}", keys={"device": "//t:meter"}, namespaces=NS
        )

    messages = {
        "req": spec("req", "Req"),
        "note": spec("note", "Note"),
        "other": spec("other", "Other"),
        "done": spec("done", "Done"),
    }
    rows = {
        "1": StepRow(
            "1",
            "ask and notify",
            "Request",
            "Operator",
            "Head-End",
            parts=(
                Part("Operator", "Head-End", "Request", "req"),
                Part("Head-End", "Meter", "First notice", "note", per="device"),
            ),
        ),
        "2": StepRow("2", "decide", "Decision", "Head-End", INTERNAL),
        "3": StepRow(
            "3", "notify", "Second notice", "Head-End", "Meter", message="note", per="device"
        ),
        "4": StepRow(
            "4",
            "close",
            "Other",
            "Head-End",
            "Meter",
            parts=(
                Part("Head-End", "Meter", "Other", "other"),
                Part("Meter", "Operator", "Done", "done"),
            ),
        ),
    }
    return UseCase("T-2", "test", Path("."), Path("."), {}, rows, messages, {}, [])


UC = use_case()
ROWS = list(UC.rows.values())


def send(
    trace: Trace, producer: str, receiver: str, root: str, meter: str | None = None
) -> Exchange:
    inner = f"<meter>{meter}</meter>" if meter else ""
    x = trace.record(producer, receiver, f'<{root} xmlns="urn:t">{inner}</{root}>'.encode(), T0)
    x.info = MessageInfo("device", None, "urn:t", f"{{urn:t}}{root}")
    return x


def test_a_link_shared_by_rows_fills_the_first_row_still_open() -> None:
    trace = Trace()
    matcher = Matcher(trace, UC, ROWS, METERS, frozenset())
    assert matcher.complete("2")  # an internal row has no exchange to wait for
    send(trace, "Operator", "Head-End", "Req")
    done: list[int] = []
    for meter in ["M1", "M2", "M1", "M2"]:
        send(trace, "Head-End", "Meter", "Note", meter)
        matcher.sync()
        done.append(matcher.devices_done)
    send(trace, "Head-End", "Meter", "Other")
    send(trace, "Meter", "Operator", "Done")
    assert done == [0, 0, 1, 2]
    analysis = matcher.analysis(final=True)
    assert analysis.findings == []
    assert [
        (e.row.number, e.part, e.device, e.exchange and e.exchange.seq) for e in analysis.expected
    ] == [
        ("1", 0, None, 1),
        ("1", 1, "M1", 2),
        ("1", 1, "M2", 3),
        ("3", 0, "M1", 4),
        ("3", 0, "M2", 5),
        ("4", 0, None, 6),
        ("4", 1, None, 7),
    ]


def test_a_missing_exchange_of_a_row_is_named_by_its_own_information() -> None:
    trace = Trace()
    send(trace, "Operator", "Head-End", "Req")
    found = analyse(trace, UC, ROWS, ["M1"], frozenset({"Head-End"}), final=True).findings
    assert [f.message for f in found] == [
        'step 1: the Head-End never sent the "First notice" to the Meter for meter M1',
        'step 3: the Head-End never sent the "Second notice" to the Meter for meter M1',
        'step 4: the Head-End never sent the "Other" to the Meter',
        'step 4: the Meter never sent the "Done" to the Operator',
    ]


def test_a_message_goes_to_the_row_whose_message_it_is_even_when_early() -> None:
    trace = Trace()
    send(trace, "Operator", "Head-End", "Req")
    send(trace, "Head-End", "Meter", "Other")
    send(trace, "Head-End", "Meter", "Note", "M1")
    send(trace, "Head-End", "Meter", "Note", "M1")
    send(trace, "Meter", "Operator", "Done")
    analysis = analyse(trace, UC, ROWS, ["M1"], frozenset(), final=True)
    assert [x.step for x in trace] == ["1", "4", "1", "3", "4"]
    assert [(f.rule, f.step, f.message) for f in analysis.findings] == [
        (
            "SEQ-ORDER",
            "4",
            "step 4 for meter M1 (#2) was observed before step 3 (#4), which precedes it",
        )
    ]


def test_a_row_of_several_exchanges_out_of_order_is_reported_once() -> None:
    trace = Trace()
    send(trace, "Head-End", "Meter", "Other")
    send(trace, "Meter", "Operator", "Done")
    send(trace, "Operator", "Head-End", "Req")
    found = analyse(trace, UC, ROWS, [], frozenset(), final=True).findings
    assert [(f.rule, f.step) for f in found] == [("SEQ-ORDER", "4")]


def test_with_no_meter_in_scope_an_unknown_message_goes_to_the_open_campaign_row() -> None:
    trace = Trace()
    send(trace, "Head-End", "Meter", "Otherx")
    [found] = analyse(trace, UC, ROWS, [], frozenset(), final=False).findings
    assert (found.rule, found.step, found.expected, found.received) == (
        "PROFILE-ROOT",
        "4",
        "{urn:t}Other",
        "{urn:t}Otherx",
    )


def optional_use_case() -> UseCase:
    """Row 1: a request, then a notice per meter the document makes optional; row 2: a notice
    per meter that must come."""
    note = Part("Head-End", "Meter", "Optional notice", "note", per="device", optional=True)
    rows = {
        "1": StepRow(
            "1",
            "ask",
            "Request",
            "Operator",
            "Head-End",
            parts=(Part("Operator", "Head-End", "Request", "req"), note),
        ),
        "2": StepRow("2", "tell", "Notice", "Meter", "Operator", message="done", per="device"),
    }
    return UseCase("T-3", "test", Path("."), Path("."), {}, rows, UC.messages, {}, [])


def test_an_optional_exchange_is_matched_when_seen_and_never_missing() -> None:
    use_case = optional_use_case()
    rows = list(use_case.rows.values())
    trace = Trace()
    matcher = Matcher(trace, use_case, rows, ["M1"], frozenset())
    send(trace, "Head-End", "Meter", "Note", "M1")
    assert (matcher.complete("1"), matcher.devices_done) == (False, 0)
    send(trace, "Operator", "Head-End", "Req")
    assert matcher.complete("1") and not matcher.complete("2")
    send(trace, "Meter", "Operator", "Done", "M1")
    assert matcher.complete("2") and matcher.devices_done == 1
    analysis = matcher.analysis(final=True)
    assert [(e.part, e.exchange and e.exchange.seq) for e in analysis.entries("1")] == [
        (0, 2),
        (1, 1),
    ]
    assert analysis.complete("1") and analysis.complete("2")
    assert [(f.rule, f.step) for f in analysis.findings] == [("SEQ-ORDER", "1")]
    without = Trace()
    send(without, "Operator", "Head-End", "Req")
    send(without, "Meter", "Operator", "Done", "M1")
    quiet = analyse(without, use_case, rows, ["M1"], frozenset(), final=True)
    assert quiet.findings == [] and quiet.complete("1")
    bare = analyse(Trace(), use_case, rows, ["M1"], frozenset(), final=True)
    assert [(f.rule, f.step) for f in bare.findings] == [("SEQ-MISSING", "1"), ("SEQ-MISSING", "2")]
    assert not bare.complete("1")
