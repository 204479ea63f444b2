"""The sequence matcher on hand-built traces: each deviation is a finding naming its step."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from amicert.catalog import UseCase, load_catalog
from amicert.cim.envelope import Header, build_event
from amicert.cim.nouns import EndDeviceEventData, end_device_events
from amicert.cim.validate import ValidationContext, Validator
from amicert.findings import Blame, Finding
from amicert.trace import Matcher, Trace, analyse
from usecases.firmware_upgrade import vocabulary as device

ROOT = Path(__file__).resolve().parents[1]
T0 = datetime(2026, 1, 5, tzinfo=UTC)
IMAGE = device.FirmwareImage.make("IMG", "AMIC", "AX-200", 4, 2, b"firmware")
TABLE = b"AMICAX-200  \x01\x00\x04\x02SN00000001      "


@pytest.fixture(scope="module")
def use_case() -> UseCase:
    return load_catalog()["AEP-5.8"]


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator()


def confirmation(meter: str, campaign: str | None, code: str = "3.11.17.52") -> bytes:
    event = EndDeviceEventData(mrid="e1", created=T0, event_type=code, asset_mrid=meter)
    header = Header(
        verb="created",
        noun="EndDeviceEvents",
        message_id=f"m-{meter}-{code}",
        timestamp=T0,
        correlation_id=campaign,
    )
    return build_event(header, end_device_events([event]))


def normal_trace(
    validator: Validator, *, skip: str = "", swap: bool = False, campaign_at_1_11: str | None = "C1"
) -> Trace:
    """The normal sequence for one meter, optionally missing or reordering a row."""
    meter = "MTR-0001"
    rows = [
        ("1.1", "Meter Vendor", "Metering Department", device.firmware_image(IMAGE)),
        (
            "1.2",
            "Metering Department",
            "AMI Head-End",
            device.firmware_campaign("C1", "ops", 7, IMAGE, [meter]),
        ),
        ("1.4", "AMI Head-End", "AMI Network", device.firmware_download("C1", meter, IMAGE)),
        ("1.5", "AMI Network", "NIC", device.firmware_download("C1", meter, IMAGE)),
        ("1.6", "NIC", "Meter Metrology Board", device.firmware_write("C1", IMAGE)),
        (
            "1.8",
            "Meter Metrology Board",
            "NIC",
            device.firmware_update_response("C1", meter, "APPLIED", None, TABLE),
        ),
        (
            "1.9",
            "NIC",
            "AMI Network",
            device.firmware_update_response("C1", meter, "APPLIED", None, TABLE),
        ),
        (
            "1.10",
            "AMI Network",
            "AMI Head-End",
            device.firmware_update_response("C1", meter, "APPLIED", None, TABLE),
        ),
        ("1.11", "AMI Head-End", "MDM", confirmation(meter, campaign_at_1_11)),
    ]
    if swap:
        rows[-1], rows[-2] = rows[-2], rows[-1]
    trace = Trace()
    ctx = ValidationContext(seen_message_ids=set())
    for number, producer, receiver, body in rows:
        if number == skip:
            continue
        ids = {"receiver_id": meter} if receiver in ("NIC", "Meter Metrology Board") else {}
        x = trace.record(producer, receiver, body, T0, **ids)
        result = validator.validate(body, ctx)
        x.info, x.findings = result.info, list(result.findings)
    return trace


def run(use_case: UseCase, trace: Trace) -> list[tuple[str, str | None]]:
    rows = [use_case.row(n) for n in use_case.scenario("normal").steps]
    analysis = analyse(trace, use_case, rows, ["MTR-0001"], frozenset({"AMI Head-End"}), final=True)
    return [(f.rule, f.step) for f in analysis.findings if f.is_error]


def test_a_complete_sequence_has_no_findings(use_case: UseCase, validator: Validator) -> None:
    assert run(use_case, normal_trace(validator)) == []


def test_a_missing_row_is_reported_at_its_step(use_case: UseCase, validator: Validator) -> None:
    assert ("SEQ-MISSING", "1.11") in run(use_case, normal_trace(validator, skip="1.11"))


def test_rows_out_of_order_are_reported_at_the_later_row(
    use_case: UseCase, validator: Validator
) -> None:
    assert ("SEQ-ORDER", "1.11") in run(use_case, normal_trace(validator, swap=True))


def test_a_wrong_or_absent_correlation_is_reported(use_case: UseCase, validator: Validator) -> None:
    assert ("SEQ-CORRELATION", "1.11") in run(
        use_case, normal_trace(validator, campaign_at_1_11="C2")
    )
    assert ("SEQ-CORRELATION", "1.11") in run(
        use_case, normal_trace(validator, campaign_at_1_11=None)
    )


def test_an_exchange_between_actors_no_row_links_is_extra(
    use_case: UseCase, validator: Validator
) -> None:
    trace = normal_trace(validator)
    trace.record("MDM", "Meter Vendor", device.firmware_image(IMAGE), T0)
    assert ("SEQ-EXTRA", None) in run(use_case, trace)


def test_a_message_about_a_meter_out_of_scope_is_reported(
    use_case: UseCase, validator: Validator
) -> None:
    trace = normal_trace(validator)
    x = trace.record("AMI Head-End", "MDM", confirmation("MTR-9999", "C1"), T0)
    x.info = validator.validate(x.body).info
    assert ("SEQ-UNEXPECTED-DEVICE", "1.11") in run(use_case, trace)


def test_the_wrong_message_on_a_row_names_what_was_expected(
    use_case: UseCase, validator: Validator
) -> None:
    trace = normal_trace(validator, skip="1.11")
    x = trace.record("AMI Head-End", "MDM", confirmation("MTR-0001", "C1", code="3.26.0.85"), T0)
    x.info = validator.validate(x.body).info
    assert ("PROFILE-EVENT-CODE", "1.11") in run(use_case, trace)


def test_a_row_seen_twice_for_the_same_meter_is_an_error(
    use_case: UseCase, validator: Validator
) -> None:
    trace = normal_trace(validator)
    x = trace.record("Meter Vendor", "Metering Department", device.firmware_image(IMAGE), T0)
    x.info = validator.validate(x.body).info
    rows = [use_case.row(n) for n in use_case.scenario("normal").steps]
    analysis = analyse(trace, use_case, rows, ["MTR-0001"], frozenset(), final=True)
    [dup] = [f for f in analysis.findings if f.rule == "SEQ-DUPLICATE"]
    assert dup.step == "1.1" and dup.is_error


def _findings(use_case: UseCase, trace: Trace, sut: frozenset[str]) -> list[Finding]:
    rows = [use_case.row(n) for n in use_case.scenario("normal").steps]
    return analyse(trace, use_case, rows, ["MTR-0001"], sut, final=True).findings


def test_findings_blame_the_producer_and_say_what_was_expected_and_received(
    use_case: UseCase, validator: Validator
) -> None:
    sut = frozenset({"AMI Head-End"})
    [corr] = [
        f
        for f in _findings(use_case, normal_trace(validator, campaign_at_1_11="C2"), sut)
        if f.rule == "SEQ-CORRELATION"
    ]
    assert (corr.step, corr.blame, corr.expected, corr.received) == ("1.11", Blame.SUT, "C1", "C2")
    [order] = [
        f for f in _findings(use_case, normal_trace(validator, swap=True), sut) if f.is_error
    ]
    assert (order.rule, order.step, order.blame) == ("SEQ-ORDER", "1.11", Blame.SUT)
    assert (order.expected, order.received) == ("after step 1.10", "before step 1.10")
    trace = normal_trace(validator)
    x = trace.record("AMI Head-End", "MDM", confirmation("MTR-9999", "C1"), T0)
    x.info = validator.validate(x.body).info
    [scope] = [f for f in _findings(use_case, trace, sut) if f.rule == "SEQ-UNEXPECTED-DEVICE"]
    assert (scope.blame, scope.expected, scope.received) == (Blame.SUT, "MTR-0001", "MTR-9999")
    # the same defect from a harness-played actor is the harness's, not the product's
    [missing] = [
        f
        for f in _findings(use_case, normal_trace(validator, skip="1.9"), frozenset())
        if f.rule == "SEQ-MISSING"
    ]
    assert (missing.step, missing.blame) == ("1.9", Blame.HARNESS)


def test_each_exchange_is_matched_once_as_the_trace_grows(
    use_case: UseCase, validator: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    full = normal_trace(validator)
    trace = Trace()
    rows = [use_case.row(n) for n in use_case.scenario("normal").steps]
    matcher = Matcher(trace, use_case, rows, ["MTR-0001"], frozenset())
    calls: list[int] = []
    real = matcher._match
    monkeypatch.setattr(matcher, "_match", lambda x: (calls.append(x.seq), real(x))[1])
    for x in full.exchanges:
        assert not matcher.complete("1.11")
        trace.exchanges.append(x)
        matcher.analysis(final=False)  # queries between events never re-match
    assert matcher.complete("1.11")
    assert calls == [x.seq for x in full.exchanges]
    assert [f for f in matcher.analysis(final=True).findings if f.is_error] == []


def test_a_row_for_many_meters_completes_only_when_every_meter_is_seen(
    use_case: UseCase, validator: Validator
) -> None:
    trace = Trace()
    rows = [use_case.row(n) for n in use_case.scenario("normal").steps]
    matcher = Matcher(trace, use_case, rows, ["MTR-0001", "MTR-0002"], frozenset())
    for meter in ("MTR-0001", "MTR-0002"):
        assert not matcher.complete("1.11")
        x = trace.record("AMI Head-End", "MDM", confirmation(meter, "C1"), T0)
        x.info = validator.validate(x.body).info
    assert matcher.complete("1.11")
    assert [e.device for e in matcher.analysis(final=False).entries("1.11")] == [
        "MTR-0001",
        "MTR-0002",
    ]


def compressed(body: bytes) -> bytes:
    """The same message with its Payload sent as Payload/Compressed (base64 of gzip)."""
    import base64
    import gzip

    from lxml import etree

    root = etree.fromstring(body)
    payload = next(el for el in root.iter() if etree.QName(el).localname == "Payload")
    [noun] = list(payload)
    packed = base64.b64encode(gzip.compress(etree.tostring(noun))).decode()
    payload.remove(noun)
    etree.SubElement(
        payload, etree.QName(payload).text.replace("Payload", "Compressed")
    ).text = packed
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_a_compressed_payload_is_read_like_a_plain_one(
    use_case: UseCase, validator: Validator
) -> None:
    trace = normal_trace(validator, skip="1.11")
    body = compressed(confirmation("MTR-0001", "C1"))
    assert b"Compressed" in body and b"Assets" not in body
    x = trace.record("AMI Head-End", "MDM", body, T0)
    x.info = validator.validate(body).info
    assert not [f for f in validator.validate(body).findings if f.is_error]
    assert run(use_case, trace) == []  # the meter and campaign are found inside


def test_an_optional_exchange_absent_is_no_finding_and_leaves_its_row_complete(
    use_case: UseCase, validator: Validator
) -> None:
    import dataclasses

    row = use_case.row("1.11")
    optional = dataclasses.replace(
        row, parts=tuple(dataclasses.replace(p, optional=True) for p in row.exchanges)
    )
    rows = [optional if n == "1.11" else use_case.row(n) for n in use_case.scenario("normal").steps]
    trace = normal_trace(validator, skip="1.11")
    analysis = analyse(trace, use_case, rows, ["MTR-0001"], frozenset({"AMI Head-End"}), final=True)
    assert [(f.rule, f.step) for f in analysis.findings if f.is_error] == []
    assert Matcher(trace, use_case, rows, ["MTR-0001"], frozenset()).complete("1.11")
    # present, it is matched and judged like any other exchange of its row
    full = normal_trace(validator)
    matched = analyse(full, use_case, rows, ["MTR-0001"], frozenset({"AMI Head-End"}), final=True)
    assert [e.exchange is not None for e in matched.entries("1.11")] == [True]


def test_a_key_with_an_absolute_path_reads_a_message_that_crossed_the_wire_in_soap() -> None:
    """What crossed the wire is kept as the HTTP body (a SOAP envelope); a key's absolute path
    starts at the message inside it, as for the same message in process."""
    from amicert.catalog import MessageSpec
    from amicert.trace import Exchange, extract_keys
    from amicert.transport.soap import envelope

    message = (
        b'<ResponseMessage xmlns="http://iec.ch/TC57/2011/schema/message"><Header>'
        b"<Verb>reply</Verb><Noun>MeterReadings</Noun></Header>"
        b"<Reply><Result>OK</Result></Reply></ResponseMessage>"
    )
    spec = MessageSpec(
        name="accepted",
        keys={"result": "string(/msg:ResponseMessage/msg:Reply/msg:Result)"},
        namespaces={"msg": "http://iec.ch/TC57/2011/schema/message"},
    )
    now = datetime(2026, 1, 1, tzinfo=UTC)
    for body in (message, envelope(message)):
        x = Exchange(1, "CCS", "Third Party", body, now, 0.0, transport="http")
        assert extract_keys(x, spec) == {"result": ["OK"]}, body
