"""Step tables whose numbers repeat, rows of several exchanges, and rows observed as replies."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from amicert.catalog import CatalogError, coverage, load_catalog, load_use_case
from amicert.cim.validate import ValidationContext, Validator
from amicert.trace import Trace, analyse
from usecases.meter_lifecycle.vocabulary import meter_message

ROOT = Path(__file__).resolve().parents[1]
T0 = datetime(2026, 1, 5, tzinfo=UTC)


def test_i2_transcribes_every_row_of_the_seven_tables_with_its_document_number() -> None:
    uc = load_catalog()["I2"]
    assert len(uc.document_rows) == 139
    tables = {r.table for r in uc.document_rows}
    assert tables == {f"3.{i}" for i in range(1, 8)}
    assert uc.row("3.7#6.1.2").shown == "6.1.2"
    assert (
        uc.row("3.6#11.5")
        .text()
        .startswith("step 11.5: the Meter Data Management System Technician")
    )
    assert uc.key("data-trouble", "11.5") == "3.6#11.5"
    assert uc.key("suppressed-during-outage", "O3") == "O3"


def test_i2_coverage_is_complete() -> None:
    row = coverage(load_catalog()["I2"])
    assert row.steps_total == row.steps_covered >= 139
    assert row.requirements_traced + row.requirements_out_of_scope == row.requirements_total


def test_a_row_of_several_exchanges_keeps_them_in_order() -> None:
    uc = load_catalog()["I2"]
    parts = uc.row("3.1#7").exchanges
    assert [(p.producer, p.receiver) for p in parts][:2] == [
        ("Field Tool", "AMI Meter"),
        ("AMI Meter", "Field Tool"),
    ]
    assert uc.row("3.5#3.1").exchanges[0].reply


def _tiny(tmp_path: Path, **extra: object) -> Path:
    doc = {
        "id": "T",
        "title": "tiny",
        "actors": [{"name": "A"}, {"name": "B"}],
        "messages": {
            "ping": {"root": "{urn:amicert:meter:1}FieldTest"},
            "pong": {"root": "{urn:amicert:meter:1}FieldTestResult"},
        },
        "tables": [
            {
                "id": "1",
                "steps": [
                    {
                        "number": "1",
                        "description": "d",
                        "exchanges": [
                            {
                                "producer": "A",
                                "receiver": "B",
                                "information": "ping",
                                "message": "ping",
                            },
                            {
                                "producer": "B",
                                "receiver": "A",
                                "information": "pong",
                                "message": "pong",
                                "reply": True,
                            },
                        ],
                    }
                ],
            },
            {
                "id": "2",
                "steps": [
                    {
                        "number": "1",
                        "description": "d",
                        "producer": "A",
                        "receiver": "B",
                        "information": "ping",
                        "message": "ping",
                    }
                ],
            },
        ],
        "scenarios": [
            {"id": "s", "name": "s", "table": "1", "steps": ["1"]},
            {"id": "u", "name": "u", "table": "2", "steps": ["1"]},
        ],
        **extra,
    }
    path = tmp_path / "usecase.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def test_repeated_numbers_live_in_their_own_tables(tmp_path: Path) -> None:
    uc = load_use_case(_tiny(tmp_path))
    assert sorted(uc.rows) == ["1#1", "2#1"]
    assert uc.scenarios["s"].steps == ("1#1",)
    assert uc.row("2#1").text() == 'step 1: the A sends the "ping" to the B'


def test_an_exchange_naming_an_unknown_actor_is_reported(tmp_path: Path) -> None:
    path = _tiny(tmp_path)
    text = path.read_text().replace("receiver: A", "receiver: Z", 1)
    path.write_text(text)
    with pytest.raises(CatalogError) as info:
        load_use_case(path)
    assert "unknown actor 'Z'" in info.value.problem


def _trace(*bodies: tuple[str, str, bytes, int | None]) -> Trace:
    trace = Trace()
    validator = Validator()
    for producer, receiver, body, reply_to in bodies:
        x = trace.record(producer, receiver, body, T0, in_reply_to=reply_to)
        result = validator.validate(body, ValidationContext(seen_message_ids=set()))
        x.info, x.findings = result.info, list(result.findings)
    return trace


def test_a_reply_is_matched_to_the_reply_exchange_of_its_row(tmp_path: Path) -> None:
    uc = load_use_case(_tiny(tmp_path))
    ping = meter_message("FieldTest", "A", T0)
    pong = meter_message("FieldTestResult", "B", T0)
    trace = _trace(("A", "B", ping, None), ("B", "A", pong, 1))
    rows = [uc.row(n) for n in uc.scenarios["s"].steps]
    result = analyse(trace, uc, rows, [], frozenset(), final=True)
    assert [e.exchange.seq for e in result.expected if e.exchange] == [1, 2]
    assert not [f for f in result.findings if f.is_error]


def test_a_missing_exchange_of_a_row_is_named_with_its_own_producer(tmp_path: Path) -> None:
    uc = load_use_case(_tiny(tmp_path))
    trace = _trace(("A", "B", meter_message("FieldTest", "A", T0), None))
    rows = [uc.row(n) for n in uc.scenarios["s"].steps]
    result = analyse(trace, uc, rows, [], frozenset(), final=True)
    [missing] = [f for f in result.findings if f.rule == "SEQ-MISSING"]
    assert missing.step == "1#1" and 'the B never sent the "pong" to the A' in missing.message
