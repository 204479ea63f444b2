"""The schema catalog: every listed XSD compiles, once, and the directory can be overridden."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import etree

from amicert.cim import schemas
from amicert.cim.envelope import MESSAGE_NS
from amicert.cim.schemas import SchemaError, SchemaSet, default_schema_dir, schema_for_namespace

REPO_SCHEMAS = Path(__file__).resolve().parents[2] / "cim_schemas"
NOUNS = (
    "EndDeviceEvents",
    "EndDeviceControls",
    "MeterReadings",
    "GetMeterReadings",
    "GetEndDeviceEvents",
    "MeterReadSchedule",
    "MeterConfig",
    "EndDeviceConfig",
    "UsagePointConfig",
    "MasterDataLinkageConfig",
)


def test_default_dir_is_the_repository_schemas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(schemas.SCHEMA_DIR_ENV, raising=False)
    assert default_schema_dir() == REPO_SCHEMAS


def test_env_var_overrides_the_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(schemas.SCHEMA_DIR_ENV, str(tmp_path))
    assert default_schema_dir() == tmp_path


def test_catalog_lists_every_kind() -> None:
    entries = SchemaSet(REPO_SCHEMAS).entries
    kinds = {e.namespace: e.kind for e in entries.values()}
    assert kinds[MESSAGE_NS] == "envelope"
    for noun in NOUNS:
        assert kinds[f"http://iec.ch/TC57/2011/{noun}#"] == "noun"
    assert kinds["http://iec.ch/TC57/2011/EndDeviceEvents#"] == "noun"
    assert kinds["http://iec.ch/TC57/2011/EndDeviceControls#"] == "noun"
    assert kinds["urn:amicert:device:1"] == "device"
    assert entries["urn:amicert:device:1"].path == REPO_SCHEMAS / "device" / "amicert-device.xsd"


def test_every_schema_compiles() -> None:
    SchemaSet(REPO_SCHEMAS).compile_all()


def test_schemas_are_compiled_once() -> None:
    first = schema_for_namespace(MESSAGE_NS)
    assert first is not None
    assert schema_for_namespace(MESSAGE_NS) is first
    assert schemas.schema_set() is schemas.schema_set(REPO_SCHEMAS)


def test_unknown_namespace_has_no_schema() -> None:
    assert schema_for_namespace("urn:nobody") is None
    assert SchemaSet(REPO_SCHEMAS).kind("urn:nobody") is None


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="does not exist"):
        SchemaSet(tmp_path / "nowhere")


def test_missing_catalog(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="cannot read"):
        SchemaSet(tmp_path)


@pytest.mark.parametrize(
    "text",
    ["namespaces: [1, 2]", "namespaces:\n  urn:x: {file: x.xsd, kind: other}", "a: [", "- 1"],
)
def test_broken_catalog(tmp_path: Path, text: str) -> None:
    (tmp_path / "catalog.yaml").write_text(text)
    with pytest.raises(SchemaError):
        SchemaSet(tmp_path)


def test_uncompilable_schema_raises_schema_error(tmp_path: Path) -> None:
    (tmp_path / "catalog.yaml").write_text('namespaces:\n  "urn:x": {file: x.xsd, kind: noun}\n')
    (tmp_path / "x.xsd").write_text("<not-a-schema/>")
    with pytest.raises(SchemaError, match="cannot compile"):
        SchemaSet(tmp_path).schema_for_namespace("urn:x")


def test_copied_directory_works(tmp_path: Path) -> None:
    copy = tmp_path / "schemas"
    shutil.copytree(REPO_SCHEMAS, copy)
    assert SchemaSet(copy).schema_for_namespace(MESSAGE_NS) is not None


def test_explain_gives_xmlschema_reasons() -> None:
    element = etree.fromstring(
        b'<EndDeviceEvents xmlns="http://iec.ch/TC57/2011/EndDeviceEvents#">'
        b"<EndDeviceEvent><mRID>x</mRID></EndDeviceEvent></EndDeviceEvents>"
    )
    reasons = SchemaSet(REPO_SCHEMAS).explain("http://iec.ch/TC57/2011/EndDeviceEvents#", element)
    assert reasons
    assert SchemaSet(REPO_SCHEMAS).explain("urn:nobody", element) == []


@pytest.mark.parametrize("noun", ["EndDeviceEvents", "EndDeviceControls"])
def test_wsdl_wrapper_schemas_compile_and_accept_the_builders_output(noun: str) -> None:
    from .conftest import DATA

    schema = etree.XMLSchema(etree.parse(str(REPO_SCHEMAS / "wrappers" / f"{noun}Message.xsd")))
    sample = {
        "EndDeviceEvents": "created_enddeviceevents",
        "EndDeviceControls": "create_enddevicecontrols",
    }
    doc = etree.parse(str(DATA / "valid" / f"{sample[noun]}_wrapper.xml"))
    assert schema.validate(doc), schema.error_log
    bad = etree.fromstring(etree.tostring(doc).replace(b"<msg:Verb>", b"<msg:Verb>x", 1))
    assert not schema.validate(bad)
