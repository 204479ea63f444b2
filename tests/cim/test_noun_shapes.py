"""The 61968-9 noun shapes: a standard-valid document of each noun passes, and a document that
breaks the standard's shape (unknown element, missing required element, wrong order) fails with
XSD-PAYLOAD naming the element."""

from __future__ import annotations

import pytest

from amicert.cim.validate import Validator

from .msgtext import generic, noun_doc

RT = "0.0.2.4.1.1.12.0.0.0.0.0.0.0.0.3.72.0"
NAMES = (
    "<Names><name>MTR-0001</name><NameType><description>serial</description><name>SerialNumber"
    "</name><NameTypeAuthority><name>Utility</name></NameTypeAuthority></NameType></Names>"
)
LOAD_PROFILE = (
    "<MeterReading>"
    "<IntervalBlocks>"
    "<IntervalReadings><timeStamp>2024-05-01T00:15:00Z</timeStamp><value>0.42</value>"
    '<ReadingQualities><ReadingQualityType ref="1.5.257"/></ReadingQualities></IntervalReadings>'
    "<IntervalReadings><timeStamp>2024-05-01T00:30:00Z</timeStamp><value>0.40</value>"
    "</IntervalReadings>"
    f'<ReadingType ref="{RT}"/>'
    "</IntervalBlocks>"
    f"<Meter><mRID>m-1</mRID>{NAMES}<status><value>active</value></status></Meter>"
    "<Readings><reason>billing</reason><timeStamp>2024-05-01T00:00:00Z</timeStamp>"
    "<value>1234.5</value>"
    '<ReadingQualities><comment>estimated</comment><ReadingQualityType ref="2.8.1"/>'
    "</ReadingQualities>"
    '<ReadingType ref="0.0.0.1.1.1.12.0.0.0.0.0.0.0.0.3.72.0"/></Readings>'
    "<UsagePoint><mRID>up-1</mRID></UsagePoint>"
    "<valuesInterval><start>2024-05-01T00:00:00Z</start><end>2024-05-01T00:30:00Z</end>"
    "</valuesInterval>"
    "</MeterReading>"
    f"<ReadingType><mRID>{RT}</mRID><accumulation>deltaData</accumulation>"
    "<unit>Wh</unit><multiplier>k</multiplier></ReadingType>"
)

# noun -> (kind, verb, valid body, [(what is wrong, broken body)])
CASES: dict[str, tuple[str, str, str, list[tuple[str, str]]]] = {
    "MeterReadings": (
        "EventMessage",
        "created",
        LOAD_PROFILE,
        [
            (
                "interval block without ReadingType",
                LOAD_PROFILE.replace(f'<ReadingType ref="{RT}"/>', "", 1),
            ),
            ("Names without name", LOAD_PROFILE.replace("<name>MTR-0001</name>", "")),
            ("reading reason outside the standard's list", LOAD_PROFILE.replace("billing", "whim")),
            (
                "unknown element in a MeterReading",
                LOAD_PROFILE.replace("<Meter>", "<Meterx>", 1).replace("</Meter>", "</Meterx>", 1),
            ),
        ],
    ),
    "EndDeviceControls": (
        "RequestMessage",
        "create",
        "<EndDeviceControl><mRID>c-1</mRID><reason>disconnect for non-payment</reason>"
        '<EndDeviceControlType ref="3.31.0.23"/><EndDevices><mRID>m-1</mRID>'
        "<electronicAddress><mac>00:11</mac></electronicAddress></EndDevices>"
        "<primaryDeviceTiming><duration>60</duration><interval><start>2024-05-01T00:00:00Z"
        "</start></interval></primaryDeviceTiming></EndDeviceControl>",
        [
            (
                "control without EndDeviceControlType",
                "<EndDeviceControl><mRID>c-1</mRID></EndDeviceControl>",
            )
        ],
    ),
    "MeterConfig": (
        "RequestMessage",
        "create",
        "<Meter><mRID>m-1</mRID><amrSystem>AMI-1</amrSystem><formNumber>2S</formNumber>"
        "<lotNumber>L-7</lotNumber><serialNumber>S-1</serialNumber>"
        "<EndDeviceInfo><AssetModel><mRID>model-1</mRID></AssetModel></EndDeviceInfo>"
        f"{NAMES}<status><value>installed</value></status></Meter>"
        "<SimpleEndDeviceFunction><mRID>f-1</mRID><firmwareID>4.2</firmwareID>"
        "<EndDevice><mRID>m-1</mRID></EndDevice></SimpleEndDeviceFunction>",
        [
            ("unknown Meter attribute", "<Meter><mRID>m-1</mRID><colour>red</colour></Meter>"),
            ("functions after meters", "<Meter><mRID>m-1</mRID></Meter><ComFunction/>"),
        ],
    ),
    "EndDeviceConfig": (
        "RequestMessage",
        "change",
        "<EndDevice><mRID>d-1</mRID><isPan>true</isPan><installCode>abc</installCode>"
        "<electronicAddress><mac>00:11:22</mac></electronicAddress>"
        "<lifecycle><installationDate>2024-05-01T00:00:00Z</installationDate></lifecycle>"
        "</EndDevice>",
        [("isPan is not a boolean", "<EndDevice><isPan>maybe</isPan></EndDevice>")],
    ),
    "UsagePointConfig": (
        "RequestMessage",
        "create",
        "<UsagePoint><mRID>up-1</mRID><isSdp>true</isSdp><readRoute>R7</readRoute>"
        "<ServiceCategory><kind>electricity</kind></ServiceCategory>"
        "<ServiceLocation><mRID>loc-1</mRID></ServiceLocation></UsagePoint>",
        [
            (
                "unknown UsagePoint attribute",
                "<UsagePoint><mRID>up-1</mRID><tariffColour>x</tariffColour></UsagePoint>",
            )
        ],
    ),
    "MasterDataLinkageConfig": (
        "RequestMessage",
        "create",
        "<ConfigurationEvent><createdDateTime>2024-05-01T00:00:00Z</createdDateTime>"
        "<effectiveDateTime>2024-05-01T00:00:00Z</effectiveDateTime><reason>install</reason>"
        "</ConfigurationEvent><Meter><mRID>m-1</mRID></Meter><UsagePoint><mRID>up-1</mRID>"
        "</UsagePoint>",
        [
            (
                "configuration event after the linked objects",
                "<Meter><mRID>m-1</mRID></Meter><ConfigurationEvent><reason>x</reason></ConfigurationEvent>",
            )
        ],
    ),
    "MeterReadSchedule": (
        "RequestMessage",
        "create",
        f'<EndDevice><mRID>m-1</mRID></EndDevice><ReadingType ref="{RT}"/>'
        "<TimeSchedule><recurrencePeriod>900</recurrencePeriod><scheduleInterval>"
        "<end>2024-06-01T00:00:00Z</end><start>2024-05-01T00:00:00Z</start></scheduleInterval>"
        "</TimeSchedule>",
        [
            (
                "TimeSchedule before EndDevice",
                "<TimeSchedule/><EndDevice><mRID>m-1</mRID></EndDevice>",
            )
        ],
    ),
}

# queries that travel in the Request: noun -> (Header noun, valid query body, broken bodies)
QUERIES: dict[str, tuple[str, str, list[tuple[str, str]]]] = {
    "GetMeterReadings": (
        "MeterReadings",
        f'<EndDevice><mRID>m-1</mRID></EndDevice><ReadingType ref="{RT}"/>'
        "<TimeSchedule><scheduleInterval><start>2024-05-01T00:00:00Z</start>"
        "<end>2024-05-02T00:00:00Z</end></scheduleInterval></TimeSchedule>",
        [
            (
                "ReadingType before EndDevice",
                f'<ReadingType ref="{RT}"/><EndDevice><mRID>m</mRID></EndDevice>',
            ),
            ("unknown filter", "<Meter><mRID>m-1</mRID></Meter>"),
        ],
    ),
    "GetEndDeviceEvents": (
        "EndDeviceEvents",
        "<EndDevice><mRID>m-1</mRID></EndDevice>"
        '<EndDeviceEvent><EndDeviceEventType ref="3.26.0.85"/></EndDeviceEvent>'
        "<TimeSchedule><scheduleInterval><start>2024-05-01T00:00:00Z</start></scheduleInterval>"
        "</TimeSchedule>",
        [("unknown filter", "<Reading><value>1</value></Reading>")],
    ),
}


@pytest.mark.parametrize("noun", sorted(CASES))
def test_noun_shape_accepts_a_standard_message(validator: Validator, noun: str) -> None:
    kind, verb, body, _ = CASES[noun]
    result = validator.validate(generic(kind, verb, noun, noun_doc(noun, body)))
    assert result.findings == []
    payload = [p for p in result.parts if p.part == "payload"]
    assert payload and payload[0].checked and (payload[0].schema or "").endswith(f"{noun}.xsd")


@pytest.mark.parametrize(
    ("noun", "why", "body"),
    [(noun, why, body) for noun, case in sorted(CASES.items()) for why, body in case[3]],
)
def test_noun_shape_rejects_a_broken_document(
    validator: Validator, noun: str, why: str, body: str
) -> None:
    kind, verb, _, _ = CASES[noun]
    result = validator.validate(generic(kind, verb, noun, noun_doc(noun, body)))
    assert "XSD-PAYLOAD" in result.rule_ids, why
    assert not result.ok
    assert all(f.xpath for f in result.findings if f.rule == "XSD-PAYLOAD")


@pytest.mark.parametrize("query", sorted(QUERIES))
def test_query_shapes(validator: Validator, query: str) -> None:
    noun, body, broken = QUERIES[query]
    result = validator.validate(
        generic("RequestMessage", "get", noun, request=noun_doc(query, body))
    )
    assert result.findings == []
    assert [(p.part, p.checked) for p in result.parts] == [("envelope", True), ("request", True)]
    for why, bad in broken:
        result = validator.validate(
            generic("RequestMessage", "get", noun, request=noun_doc(query, bad))
        )
        assert result.rule_ids == ["XSD-PAYLOAD"], why


def test_names_carry_their_name_type(validator: Validator) -> None:
    body = (
        "<EndDeviceEvent><createdDateTime>2024-05-01T00:00:00Z</createdDateTime>"
        f'<EndDeviceEventType ref="3.26.0.85"/>{NAMES}</EndDeviceEvent>'
    )
    data = generic("EventMessage", "created", "EndDeviceEvents", noun_doc("EndDeviceEvents", body))
    assert validator.validate(data).findings == []
