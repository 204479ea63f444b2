"""The catalog loads the transcription and catches every break between rows and feature steps."""

from __future__ import annotations

from pathlib import Path

import pytest

from amicert.catalog import (
    CatalogError,
    coverage,
    load_catalog,
    load_use_case,
    traceability_problems,
)

ROOT = Path(__file__).resolve().parents[1]
AEP = "usecases/firmware_upgrade"


def test_aep58_rows_are_transcribed_with_document_numbers_and_actors() -> None:
    uc = load_catalog()["AEP-5.8"]
    numbers = [r.number for r in uc.document_rows]
    assert numbers == [f"1.{i}" for i in range(1, 12)]
    assert uc.row("1.6").message_type == "Write ANSI C12.19 Table Data Element or proprietary"
    assert (uc.row("1.11").producer, uc.row("1.11").receiver) == ("AMI Head-End", "MDM")
    assert uc.row("1.7").internal and uc.row("1.3").internal


def test_aep58_coverage_is_complete() -> None:
    row = coverage(load_catalog()["AEP-5.8"])
    assert row.steps_total == row.steps_covered == 11
    assert row.requirements_traced == row.requirements_total


def test_every_use_case_traces_cleanly() -> None:
    for uc in load_catalog().values():
        assert traceability_problems(uc) == [], uc.id


def _feature(base: Path) -> Path:
    return base / AEP / "remote_firmware_upgrade.feature"


def test_a_row_missing_from_the_features_is_reported(project_copy: Path) -> None:
    path = _feature(project_copy)
    text = path.read_text()
    path.write_text(
        text.replace(
            '    And step 1.9: the NIC sends the "Meter Firmware Update Confirmation" to the AMI Network\n',
            "",
            1,
        )
    )
    problems = traceability_problems(load_use_case(project_copy / AEP / "usecase.yaml"))
    assert any("step 1.9 of AEP-5.8 is in no (document) feature scenario" in p for p in problems)


def test_a_feature_step_mapping_to_no_row_is_reported(project_copy: Path) -> None:
    path = _feature(project_copy)
    path.write_text(path.read_text().replace("step 1.10:", "step 1.12:", 1))
    problems = traceability_problems(load_use_case(project_copy / AEP / "usecase.yaml"))
    assert any("step 1.12 is not a row of AEP-5.8" in p for p in problems)


def test_a_step_text_drifting_from_its_row_is_reported(project_copy: Path) -> None:
    path = _feature(project_copy)
    path.write_text(path.read_text().replace("to the MDM\n", "to the CIS\n", 1))
    problems = traceability_problems(load_use_case(project_copy / AEP / "usecase.yaml"))
    assert any("text differs from the catalog row" in p for p in problems)


def test_a_harness_row_outside_a_harness_added_scenario_is_reported(project_copy: Path) -> None:
    path = _feature(project_copy)
    path.write_text(
        path.read_text().replace(
            "@harness_added @scenario:never-confirms", "@scenario:never-confirms"
        )
    )
    problems = traceability_problems(load_use_case(project_copy / AEP / "usecase.yaml"))
    assert any("harness step T1.11 in a scenario not tagged @harness_added" in p for p in problems)


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        (
            "    producer: NIC\n    receiver: AMI Network",
            "    producer: NIC\n    receiver: HES",
            "steps[8]",
            "unknown actor 'HES'",
        ),
        ('  - number: "1.2"', '  - number: "1.1"', "steps[1].number", "duplicate step 1.1"),
        (
            "    message: firmware_write",
            "    message: firmware_poke",
            "steps[5].message",
            "unknown message 'firmware_poke'",
        ),
        ("id: AEP-5.8\n", "", "id", "missing"),
    ],
)
def test_a_broken_catalog_names_file_key_and_problem(
    project_copy: Path, old: str, new: str, key: str, problem: str
) -> None:
    path = project_copy / AEP / "usecase.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(CatalogError) as info:
        load_use_case(path)
    assert info.value.key == key
    assert problem in info.value.problem
    assert str(path) in str(info.value)


def test_a_primary_rule_must_measure_a_requirement_of_its_use_case(project_copy: Path) -> None:
    """A scenario's primary rule leads its verdict: one no requirement names is a typo."""
    path = project_copy / "usecases/third_party_access/usecase.yaml"
    text = path.read_text()
    assert "  primary_rules: [STATE-C4-HOSTILE]\n" in text
    assert load_use_case(path).scenarios["hostile-refused"].primary_rules == ("STATE-C4-HOSTILE",)
    path.write_text(text.replace("[STATE-C4-HOSTILE]", "[STATE-C4-HOSTILLE]", 1))
    with pytest.raises(CatalogError) as info:
        load_use_case(path)
    assert info.value.key.endswith("].primary_rules")
    assert "STATE-C4-HOSTILLE measures no requirement" in info.value.problem
