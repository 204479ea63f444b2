"""Every envelope and code rule's finding in full: rule, severity, message, where, expected,
received. A finding is what a vendor reads to fix a message, so each of its fields is checked."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from amicert.cim import envelope as env
from amicert.cim import rules
from amicert.cim.codes import Registries
from amicert.cim.envelope import Header, ReplyError, build_fault, build_request, build_response
from amicert.cim.model import ValidationContext
from amicert.cim.rules import RULES, RuleContext, RuleSpec, declare, rule, run_rules
from amicert.cim.validate import Validator
from amicert.cim.xmlsafe import parse_xml, unwrap_soap
from amicert.findings import Finding, Severity

from .conftest import T0, edited, firmware_event, sample
from .test_rules import GENERIC, READINGS, REPLY, WRAPPER, _controls, _failed, _replayed

Row = tuple[str, str, str, str | None, str | None, str | None]
Case = Callable[[], tuple[bytes, ValidationContext | None]]

CASES: dict[str, Case] = {
    "draft_ns": lambda: (sample("invalid/draft_namespace.xml"), None),
    "draft_payload_ns": lambda: (
        edited(
            GENERIC,
            "http://iec.ch/TC57/2011/EndDeviceEvents#",
            "http://www.iec.ch/TC57/2011/EndDeviceEvents#",
        ),
        None,
    ),
    "draft_verb": lambda: (edited(GENERIC, "<Verb>created</Verb>", "<Verb>show</Verb>"), None),
    "bad_verb": lambda: (edited(GENERIC, "<Verb>created</Verb>", "<Verb>make</Verb>"), None),
    "kind_verb_event": lambda: (
        edited(GENERIC, "<Verb>created</Verb>", "<Verb>create</Verb>"),
        None,
    ),
    "kind_verb_req": lambda: (
        build_request(Header("created", "EndDeviceControls", "m", T0), None),
        None,
    ),
    "wrapper_verb": lambda: (sample("invalid/verb_wrapper_mismatch.xml"), None),
    "wrapper_noun": lambda: (
        edited(
            WRAPPER, "<msg:Noun>EndDeviceEvents</msg:Noun>", "<msg:Noun>MeterReadings</msg:Noun>"
        ),
        None,
    ),
    "wrapper_unknown": lambda: (
        sample(WRAPPER).decode().replace("CreatedEndDeviceEvents", "ShowEndDeviceEvents").encode(),
        None,
    ),
    "wrapper_resp": lambda: (
        build_response(Header("created", "EndDeviceEvents", "m", T0), "OK", form="wrapper")
        .decode()
        .replace("CreatedEndDeviceEvents", "EndDeviceEventsResponseMessage")
        .encode(),
        None,
    ),
    "payload_noun": lambda: (sample("invalid/payload_noun_mismatch.xml"), None),
    "reply_verb": lambda: (edited(REPLY, "<Verb>reply</Verb>", "<Verb>created</Verb>"), None),
    "reply_result_missing": lambda: (
        edited(REPLY, "<Reply>\n    <Result>OK</Result>\n  </Reply>", "<Reply/>"),
        None,
    ),
    "reply_maybe": lambda: (edited(REPLY, "<Result>OK</Result>", "<Result>MAYBE</Result>"), None),
    "fault_ok": lambda: (
        build_fault("EndDeviceEvents", [ReplyError("5.3")]).replace(b"FAILED", b"OK"),
        None,
    ),
    "failed_noerr": lambda: (sample("invalid/reply_failed_without_error.xml"), None),
    "corr_wrong": lambda: (sample(REPLY), ValidationContext(request_message_id="another-id")),
    "corr_missing": lambda: (
        build_response(Header("reply", "EndDeviceEvents", "r", T0), "OK"),
        ValidationContext(request_message_id="req-1"),
    ),
    "ts_zone": lambda: (sample("invalid/timestamp_no_zone.xml"), None),
    "replay_zone": lambda: (
        build_request(
            Header("create", "EndDeviceControls", "m", T0, replay_nonce="n", replay_created=T0),
            None,
        ).replace(b"<Created>2024-05-01T12:00:00Z", b"<Created>2024-05-01T12:00:00"),
        ValidationContext(now=T0),
    ),
    "msgid_missing": lambda: (
        edited(GENERIC, "<MessageID>6f1c2a4e-0d5b-4c1e-9a57-3b2f8e1d0a01</MessageID>", ""),
        None,
    ),
    "replay_old": lambda: (_replayed(timedelta(seconds=-301)), ValidationContext(now=T0)),
    "replay_future": lambda: (_replayed(timedelta(seconds=400)), ValidationContext(now=T0)),
    "skew_behind": lambda: (firmware_event(), ValidationContext(now=T0 + timedelta(hours=2))),
    "skew_ahead": lambda: (firmware_event(), ValidationContext(now=T0 - timedelta(hours=1))),
    "payload_dt": lambda: (
        edited(
            GENERIC,
            "<createdDateTime>2024-05-01T11:58:30Z</createdDateTime>",
            "<createdDateTime>2024-05-01T11:58:30</createdDateTime>",
        ),
        None,
    ),
    "event_bad": lambda: (sample("invalid/bad_event_code.xml"), None),
    "event_unknown": lambda: (firmware_event("3.11.17.999"), None),
    "control_bad": lambda: (_controls("pairing.open"), None),
    "control_unknown": lambda: (_controls("0.10.73.300"), None),
    "reading_bad": lambda: (READINGS % b"0.0.0.1.1.1.12.0.0.0.0.0.0.0.0.3.72", None),
    "error_bad": lambda: (_failed("9.1"), None),
    "error_unknown": lambda: (_failed("2.99"), None),
}

EXPECTED: dict[str, tuple[list[str], list[Row]]] = {
    "bad_verb": (
        ["XSD-ENVELOPE", "ENV-VERB"],
        [
            (
                "ENV-VERB",
                "ERROR",
                "Verb 'make' is not an Ed.1 verb",
                "/*/*[1]/*[1]",
                "create, change, cancel, close, delete, execute, get, reply, created, changed, "
                "canceled, closed, deleted, executed",
                "make",
            )
        ],
    ),
    "control_bad": (
        ["CODE-CONTROL-TYPE"],
        [
            (
                "CODE-CONTROL-TYPE",
                "ERROR",
                "EndDeviceControlType code 'pairing.open' is not four dot-separated "
                "non-negative integers (type.domain.subdomain.eventOrAction)",
                "/*/*[2]/*/*/*[2]",
                None,
                "pairing.open",
            )
        ],
    ),
    "control_unknown": (
        ["CODE-CONTROL-TYPE-UNKNOWN"],
        [
            (
                "CODE-CONTROL-TYPE-UNKNOWN",
                "WARNING",
                "EndDeviceControlType code 0.10.73.300 (type 0 not applicable, domain "
                "10 pairing, subdomain 73 window, eventOrAction 300 (not named here)) "
                "is well-formed but not in amicert's code table (61968-9:2013 annex "
                "codes of the domains the use cases touch) or the profile's extensions; "
                "it may still be a valid code",
                "/*/*[2]/*/*/*[2]",
                None,
                "0.10.73.300",
            )
        ],
    ),
    "corr_missing": (
        ["ENV-CORRELATION"],
        [("ENV-CORRELATION", "ERROR", "CorrelationID is missing", "/*/*[1]", "req-1", "none")],
    ),
    "corr_wrong": (
        ["ENV-CORRELATION"],
        [
            (
                "ENV-CORRELATION",
                "ERROR",
                "CorrelationID does not echo the request's MessageID",
                "/*/*[1]/*[7]",
                "another-id",
                "6f1c2a4e-0d5b-4c1e-9a57-3b2f8e1d0a01",
            )
        ],
    ),
    "draft_ns": (
        ["XSD-ENVELOPE-UNCHECKED", "ENV-DRAFT-NS"],
        [
            (
                "ENV-DRAFT-NS",
                "ERROR",
                "pre-standard draft namespace http://www.iec.ch/TC57/2011/schema/message",
                "/*",
                "http://iec.ch/TC57/2011/schema/message",
                "http://www.iec.ch/TC57/2011/schema/message",
            )
        ],
    ),
    "draft_payload_ns": (
        ["XSD-PAYLOAD-UNCHECKED", "ENV-DRAFT-NS"],
        [
            (
                "ENV-DRAFT-NS",
                "ERROR",
                "pre-standard draft namespace http://www.iec.ch/TC57/2011/EndDeviceEvents#",
                "/*/*[2]/*",
                "http://iec.ch/TC57/2011/EndDeviceEvents#",
                "http://www.iec.ch/TC57/2011/EndDeviceEvents#",
            )
        ],
    ),
    "draft_verb": (
        ["XSD-ENVELOPE", "ENV-VERB"],
        [
            (
                "ENV-VERB",
                "ERROR",
                "Verb 'show' is a pre-standard draft verb",
                "/*/*[1]/*[1]",
                "create, change, cancel, close, delete, execute, get, reply, created, "
                "changed, canceled, closed, deleted, executed",
                "show",
            )
        ],
    ),
    "error_bad": (
        ["CODE-ERROR"],
        [
            (
                "CODE-ERROR",
                "ERROR",
                "error code 9.1: category 9 is not one of [0, 1, 2, 3, 4, 5, 6, 7]",
                "/*/*[2]/*[2]/*[1]",
                None,
                "9.1",
            )
        ],
    ),
    "error_unknown": (
        ["CODE-ERROR-UNKNOWN"],
        [
            (
                "CODE-ERROR-UNKNOWN",
                "WARNING",
                "error code 2.99 is not a known code of category 2 (invalid parameter)",
                "/*/*[2]/*[2]/*[1]",
                None,
                "2.99",
            )
        ],
    ),
    "event_bad": (
        ["CODE-EVENT-TYPE"],
        [
            (
                "CODE-EVENT-TYPE",
                "ERROR",
                "EndDeviceEventType code '3.11.firmware.52' is not four dot-separated "
                "non-negative integers (type.domain.subdomain.eventOrAction)",
                "/*/*[2]/*/*/*[6]",
                None,
                "3.11.firmware.52",
            )
        ],
    ),
    "event_unknown": (
        ["CODE-EVENT-TYPE-UNKNOWN"],
        [
            (
                "CODE-EVENT-TYPE-UNKNOWN",
                "WARNING",
                "EndDeviceEventType code 3.11.17.999 (type 3 electric meter, domain 11 "
                "firmware, subdomain 17 status, eventOrAction 999 (not named here)) is "
                "well-formed but not in amicert's code table (61968-9:2013 annex codes of "
                "the domains the use cases touch) or the profile's extensions; it may "
                "still be a valid code",
                "/*/*[2]/*/*/*[6]",
                None,
                "3.11.17.999",
            )
        ],
    ),
    "failed_noerr": (
        ["ENV-RESULT-ERROR"],
        [
            (
                "ENV-RESULT-ERROR",
                "ERROR",
                "Result FAILED without any Reply/Error",
                "/*/*[2]",
                "at least one Error",
                "none",
            )
        ],
    ),
    "fault_ok": (
        ["ENV-REPLY-RESULT"],
        [
            (
                "ENV-REPLY-RESULT",
                "ERROR",
                "FaultMessage carries Result OK",
                "/*/*/*[1]",
                "FAILED",
                "OK",
            )
        ],
    ),
    "kind_verb_event": (
        ["ENV-KIND-VERB"],
        [
            (
                "ENV-KIND-VERB",
                "ERROR",
                "EventMessage carries Verb 'create', which belongs in a RequestMessage",
                "/*/*[1]/*[1]",
                "RequestMessage",
                "EventMessage",
            )
        ],
    ),
    "kind_verb_req": (
        ["ENV-KIND-VERB"],
        [
            (
                "ENV-KIND-VERB",
                "ERROR",
                "RequestMessage carries Verb 'created', which belongs in a EventMessage",
                "/*/*/*[1]",
                "EventMessage",
                "RequestMessage",
            )
        ],
    ),
    "msgid_missing": (
        ["ENV-MESSAGE-ID"],
        [("ENV-MESSAGE-ID", "WARNING", "Header has no MessageID", "/*/*[1]", None, None)],
    ),
    "payload_dt": (
        ["PAYLOAD-DATETIME-ZONE"],
        [
            (
                "PAYLOAD-DATETIME-ZONE",
                "ERROR",
                "createdDateTime '2024-05-01T11:58:30' has no timezone",
                "/*/*[2]/*/*/*[2]",
                "Z or +hh:mm",
                "2024-05-01T11:58:30",
            )
        ],
    ),
    "payload_noun": (
        ["ENV-PAYLOAD-NOUN"],
        [
            (
                "ENV-PAYLOAD-NOUN",
                "ERROR",
                "payload root is EndDeviceEvents but Header/Noun is 'EndDeviceControls'",
                "/*/*[2]/*",
                "EndDeviceControls",
                "EndDeviceEvents",
            )
        ],
    ),
    "reading_bad": (
        ["CODE-READING-TYPE"],
        [
            (
                "CODE-READING-TYPE",
                "ERROR",
                "ReadingType '0.0.0.1.1.1.12.0.0.0.0.0.0.0.0.3.72' has 17 parts, not 18",
                "/*/*[2]/*/*/*/*[2]",
                None,
                "0.0.0.1.1.1.12.0.0.0.0.0.0.0.0.3.72",
            )
        ],
    ),
    "replay_future": (
        ["ENV-REPLAY"],
        [
            (
                "ENV-REPLAY",
                "ERROR",
                "ReplayDetection/Created is 400 s in the future; window is 300 s",
                "/*/*/*[4]/*[2]",
                "within 300 s of 2024-05-01T12:00:00Z",
                "2024-05-01T12:06:40Z",
            )
        ],
    ),
    "replay_old": (
        ["ENV-REPLAY"],
        [
            (
                "ENV-REPLAY",
                "ERROR",
                "ReplayDetection/Created is 301 s old; window is 300 s",
                "/*/*/*[4]/*[2]",
                "within 300 s of 2024-05-01T12:00:00Z",
                "2024-05-01T11:54:59Z",
            )
        ],
    ),
    "replay_zone": (
        ["ENV-TIMESTAMP-ZONE"],
        [
            (
                "ENV-TIMESTAMP-ZONE",
                "ERROR",
                "Created '2024-05-01T12:00:00' has no timezone",
                "/*/*/*[4]/*[2]",
                "Z or +hh:mm",
                "2024-05-01T12:00:00",
            )
        ],
    ),
    "reply_maybe": (
        ["XSD-ENVELOPE", "ENV-REPLY-RESULT"],
        [
            (
                "ENV-REPLY-RESULT",
                "ERROR",
                "Reply/Result 'MAYBE' is not OK, PARTIAL or FAILED",
                "/*/*[2]/*",
                "OK | PARTIAL | FAILED",
                "MAYBE",
            )
        ],
    ),
    "reply_result_missing": (
        ["XSD-ENVELOPE", "ENV-REPLY-RESULT"],
        [
            (
                "ENV-REPLY-RESULT",
                "ERROR",
                "ResponseMessage has no Reply/Result",
                "/*/*[2]",
                "Reply/Result",
                "none",
            )
        ],
    ),
    "reply_verb": (
        ["ENV-KIND-VERB", "ENV-REPLY-VERB"],
        [
            (
                "ENV-KIND-VERB",
                "ERROR",
                "ResponseMessage carries Verb 'created', which belongs in a EventMessage",
                "/*/*[1]/*[1]",
                "EventMessage",
                "ResponseMessage",
            ),
            (
                "ENV-REPLY-VERB",
                "ERROR",
                "ResponseMessage carries Verb 'created'",
                "/*/*[1]/*[1]",
                "reply",
                "created",
            ),
        ],
    ),
    "skew_ahead": (
        ["ENV-TIMESTAMP-SKEW"],
        [
            (
                "ENV-TIMESTAMP-SKEW",
                "WARNING",
                "Header/Timestamp is 3600 s ahead of the synchronized clock; window is 300 s",
                "/*/*[1]/*[4]",
                "within 300 s of 2024-05-01T11:00:00Z",
                "2024-05-01T12:00:00Z",
            )
        ],
    ),
    "skew_behind": (
        ["ENV-TIMESTAMP-SKEW"],
        [
            (
                "ENV-TIMESTAMP-SKEW",
                "WARNING",
                "Header/Timestamp is 7200 s behind the synchronized clock; window is 300 s",
                "/*/*[1]/*[4]",
                "within 300 s of 2024-05-01T14:00:00Z",
                "2024-05-01T12:00:00Z",
            )
        ],
    ),
    "ts_zone": (
        ["ENV-TIMESTAMP-ZONE"],
        [
            (
                "ENV-TIMESTAMP-ZONE",
                "ERROR",
                "Timestamp '2024-05-01T12:00:00' has no timezone",
                "/*/*[1]/*[4]",
                "Z or +hh:mm",
                "2024-05-01T12:00:00",
            )
        ],
    ),
    "wrapper_noun": (
        ["ENV-WRAPPER-NAME", "ENV-PAYLOAD-NOUN"],
        [
            (
                "ENV-WRAPPER-NAME",
                "ERROR",
                "wrapper namespace is for EndDeviceEvents but Header/Noun is 'MeterReadings'",
                "/*/*[1]/msg:Noun",
                "EndDeviceEvents",
                "MeterReadings",
            ),
            (
                "ENV-PAYLOAD-NOUN",
                "ERROR",
                "payload root is EndDeviceEvents but Header/Noun is 'MeterReadings'",
                "/*/*[2]/m:EndDeviceEvents",
                "MeterReadings",
                "EndDeviceEvents",
            ),
        ],
    ),
    "wrapper_resp": (
        ["ENV-WRAPPER-NAME"],
        [
            (
                "ENV-WRAPPER-NAME",
                "ERROR",
                "wrapper EndDeviceEventsResponseMessage implies Verb 'reply' but "
                "Header/Verb is 'created'",
                "/*/*[1]/msg:Verb",
                "CreatedEndDeviceEvents",
                "EndDeviceEventsResponseMessage",
            )
        ],
    ),
    "wrapper_unknown": (
        ["XSD-ENVELOPE-UNCHECKED", "ENV-WRAPPER-NAME"],
        [
            (
                "ENV-WRAPPER-NAME",
                "ERROR",
                "ShowEndDeviceEvents is not a wrapper element name for EndDeviceEvents",
                "/*",
                None,
                "ShowEndDeviceEvents",
            )
        ],
    ),
    "wrapper_verb": (
        ["ENV-WRAPPER-NAME"],
        [
            (
                "ENV-WRAPPER-NAME",
                "ERROR",
                "wrapper CreatedEndDeviceEvents implies Verb 'created' but Header/Verb is "
                "'changed'",
                "/*/*[1]/msg:Verb",
                "ChangedEndDeviceEvents",
                "CreatedEndDeviceEvents",
            )
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_rule_reports_its_finding_in_full(validator: Validator, name: str) -> None:
    data, context = CASES[name]()
    findings = validator.validate(data, context).findings
    rule_ids, rows = EXPECTED[name]
    assert [f.rule for f in findings] == rule_ids
    assert [
        (f.rule, f.severity.name, f.message, f.xpath, f.expected, f.received)
        for f in findings
        if not f.rule.startswith("XSD-")
    ] == rows


def _rules_of(data: bytes, context: ValidationContext | None = None) -> list[Row]:
    """The envelope and code findings of a RuleContext built from the bare root (no parts given)."""
    root, _ = unwrap_soap(parse_xml(data))
    payload = env.payload_root_element(env.child(root, "Payload"))
    ctx = RuleContext(
        root, env.read_header(root), context or ValidationContext(), Registries.default(), payload
    )
    return [
        (f.rule, f.severity.name, f.message, f.xpath, f.expected, f.received)
        for stage in ("envelope", "code")
        for f in run_rules(ctx, stage)
    ]


@pytest.mark.parametrize("name", ["corr_wrong", "event_unknown", "fault_ok", "wrapper_verb"])
def test_a_rule_context_finds_the_parts_itself(name: str) -> None:
    data, context = CASES[name]()
    assert _rules_of(data, context) == EXPECTED[name][1]


def test_a_declared_rule_is_registered_with_its_fields() -> None:
    try:
        declare("X-DECLARED", Severity.WARNING, "A thing holds.", source="here", stage="code")
        assert RULES["X-DECLARED"] == RuleSpec(
            "X-DECLARED", Severity.WARNING, "A thing holds.", "here", "code", None
        )
        with pytest.raises(ValueError, match=r"^rule X-DECLARED registered twice$"):
            declare("X-DECLARED", Severity.ERROR, "Again.", source="here", stage="code")
        with pytest.raises(ValueError, match=r"^unknown stage 'nowhere'$"):
            declare("X-ELSEWHERE", Severity.ERROR, "x.", source="x", stage="nowhere")
        with pytest.raises(ValueError, match=r"^unknown stage 'nowhere'$"):
            rule("X-ELSEWHERE", Severity.ERROR, "x.", source="x", stage="nowhere")
        assert "X-ELSEWHERE" not in RULES
    finally:
        RULES.pop("X-DECLARED", None)


def test_a_rule_function_runs_in_its_stage_in_registration_order(validator: Validator) -> None:
    def first(ctx: RuleContext) -> list[Finding]:
        return [Finding("X-FIRST", Severity.ERROR, f"first saw {ctx.info.verb}")]

    def second(ctx: RuleContext) -> list[Finding]:
        return [Finding("X-SECOND", Severity.WARNING, "second")]

    try:
        assert rule("X-FIRST", Severity.ERROR, "First.", source="here")(first) is first
        assert rule("X-SECOND", Severity.WARNING, "Second.", source="h", stage="code")(second) is (
            second
        )
        assert RULES["X-FIRST"] == RuleSpec(
            "X-FIRST", Severity.ERROR, "First.", "here", "envelope", first
        )
        assert RULES["X-SECOND"].func is second and RULES["X-SECOND"].stage == "code"
        found = validator.validate(firmware_event()).findings
        assert [(f.rule, f.message) for f in found] == [
            ("X-FIRST", "first saw created"),
            ("X-SECOND", "second"),
        ]
    finally:
        RULES.pop("X-FIRST", None)
        RULES.pop("X-SECOND", None)
    assert validator.validate(firmware_event()).findings == []  # the stages forget them again


def test_the_rules_of_a_stage_are_listed_on_first_use(
    monkeypatch: pytest.MonkeyPatch, validator: Validator
) -> None:
    monkeypatch.setattr(rules, "_by_stage", {})
    assert rules.run_rules(_context(firmware_event()), "parse") == []
    assert [f.rule for f in validator.validate(firmware_event("3.11.x.52")).findings] == [
        "CODE-EVENT-TYPE"
    ]


def test_a_finding_without_an_element_has_no_xpath() -> None:
    assert rules._finding("ENV-MESSAGE-ID", "no header", None, received="x") == Finding(
        "ENV-MESSAGE-ID", Severity.WARNING, "no header", None, received="x"
    )


def _context(data: bytes) -> RuleContext:
    root = parse_xml(data)
    return RuleContext(root, env.read_header(root), ValidationContext(), Registries.default())
