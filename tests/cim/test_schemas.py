"""The schema catalog: every listed XSD compiles, once, and the directory can be overridden."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import etree

from amicert.cim import schemas
from amicert.cim.envelope import MESSAGE_NS
from amicert.cim.schemas import (
    CatalogEntry,
    SchemaError,
    SchemaSet,
    default_schema_dir,
    schema_for_namespace,
)

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


XS = "http://www.w3.org/2001/XMLSchema"


def _xsd(ns: str | None, body: str = '<xs:element name="A" type="xs:string"/>') -> str:
    target = f' targetNamespace="{ns}"' if ns is not None else ""
    return f'<xs:schema xmlns:xs="{XS}"{target} elementFormDefault="qualified">{body}</xs:schema>'


def _folder(root: Path, catalog: str, **files: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "catalog.yaml").write_text(catalog, encoding="utf-8")
    for name, text in files.items():
        (root / name.replace("_", ".")).write_text(text, encoding="utf-8")
    return root


def test_catalog_entries_carry_year_and_inline_schema_only_when_numbers(tmp_path: Path) -> None:
    catalog = (
        "namespaces:\n"
        '  "urn:a": {file: a.xsd, kind: envelope, year: 2013}\n'
        '  "urn:w": {file: v.wsdl, kind: noun, schema: 1}\n'
        '  "urn:s": {file: s.xsd, kind: wrapper, year: "2013", schema: "1"}\n'
        '  "": {file: plain.xsd, kind: device}\n'
    )
    _folder(tmp_path, catalog)
    assert schemas.load_catalog(tmp_path) == {
        "urn:a": CatalogEntry("urn:a", tmp_path / "a.xsd", "envelope", 2013, None),
        "urn:w": CatalogEntry("urn:w", tmp_path / "v.wsdl", "noun", None, 1),
        "urn:s": CatalogEntry("urn:s", tmp_path / "s.xsd", "wrapper", None, None),
        "": CatalogEntry("", tmp_path / "plain.xsd", "device"),
    }
    found = SchemaSet(tmp_path)
    assert (found.kind("urn:a"), found.kind(None), found.kind("urn:none")) == (
        "envelope",
        "device",
        None,
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('namespaces:\n  "urn:l": [file, kind]\n', "entry 'urn:l' needs 'file' and a kind"),
        ('namespaces:\n  "urn:k": {file: k.xsd}\n', "entry 'urn:k' needs 'file' and a kind"),
        ('namespaces:\n  "urn:f": {kind: noun}\n', "entry 'urn:f' needs 'file' and a kind"),
        ("namespaces: [1, 2]\n", "has no 'namespaces' mapping"),
        ("- 1\n", "has no 'namespaces' mapping"),
    ],
)
def test_a_broken_catalog_says_which_file_and_why(tmp_path: Path, text: str, reason: str) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SchemaError) as raised:
        schemas.load_catalog(tmp_path)
    if reason.startswith("entry"):
        assert str(raised.value) == f"schema catalog {path}: {reason} {schemas.KINDS}"
    else:
        assert str(raised.value) == f"schema catalog {path} {reason}"


def test_an_unreadable_catalog_says_why(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text("a: [", encoding="utf-8")
    with pytest.raises(SchemaError) as raised:
        schemas.load_catalog(tmp_path)
    assert str(raised.value).startswith(f"schema catalog {path} is not valid YAML: while parsing")
    path.unlink()
    with pytest.raises(SchemaError) as raised:
        schemas.load_catalog(tmp_path)
    assert str(raised.value) == f"cannot read schema catalog {path}: No such file or directory"
    with pytest.raises(SchemaError) as raised:
        SchemaSet(tmp_path)
    assert str(raised.value) == (
        f"cannot read schema catalog {path}: no such file, and no XSD or WSDL with a "
        "targetNamespace in the directory"
    )


def test_a_schema_is_compiled_once_per_set_and_lists_what_it_imports(tmp_path: Path) -> None:
    body = (
        '<xs:import namespace="urn:o" schemaLocation="o.xsd"/>'
        '<xs:import schemaLocation="none.xsd"/>'
        '<xs:element name="A"><xs:complexType><xs:sequence>'
        '<xs:any namespace="##other" processContents="skip"/>'
        "</xs:sequence></xs:complexType></xs:element>"
    )
    catalog = 'namespaces:\n  "urn:m": {file: m.xsd, kind: noun}\n'
    _folder(tmp_path, catalog, m_xsd=_xsd("urn:m", body), o_xsd=_xsd("urn:o"))
    found = SchemaSet(tmp_path)
    assert found.imports("urn:m") == frozenset({"urn:o"})
    assert found.imports("urn:none") == frozenset()
    schema = found.schema_for_namespace("urn:m")
    assert schema is not None and found.schema_for_namespace("urn:m") is schema
    shared = schemas.schema_for_namespace("urn:m", tmp_path)
    assert shared is not None and schemas.schema_for_namespace("urn:m", tmp_path) is shared


def test_an_inline_schema_of_a_wsdl_resolves_its_imports_beside_the_wsdl(tmp_path: Path) -> None:
    inline = _xsd(
        "urn:w",
        '<xs:import namespace="urn:o" schemaLocation="o.xsd"/>'
        '<xs:element name="W" type="o:T" xmlns:o="urn:o"/>',
    )
    wsdl = f'<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"><types>{inline}</types></definitions>'
    catalog = (
        "namespaces:\n"
        '  "urn:w": {file: v.wsdl, kind: noun, schema: 0}\n'
        '  "urn:gone": {file: v.wsdl, kind: noun, schema: 1}\n'
    )
    digits = '<xs:simpleType name="T"><xs:restriction base="xs:string"><xs:pattern value="[0-9]+"/></xs:restriction></xs:simpleType>'
    _folder(tmp_path, catalog, v_wsdl=wsdl, o_xsd=_xsd("urn:o", digits))
    found = SchemaSet(tmp_path)
    schema = found.schema_for_namespace("urn:w")
    assert schema is not None
    assert schema.validate(etree.fromstring(b'<W xmlns="urn:w">42</W>'))
    assert not schema.validate(etree.fromstring(b'<W xmlns="urn:w">forty-two</W>'))
    with pytest.raises(SchemaError) as raised:
        found.schema_for_namespace("urn:gone")
    assert (
        str(raised.value)
        == f"cannot compile schema {tmp_path / 'v.wsdl'}#schema1: no such inline schema"
    )
    with pytest.raises(SchemaError) as raised:
        found.compile_all()
    assert "#schema1" in str(raised.value)


def test_a_schema_that_does_not_compile_is_named_with_its_inline_index(tmp_path: Path) -> None:
    wsdl = (
        '<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"><types>'
        f"{_xsd('urn:w', '<xs:element/>')}</types></definitions>"
    )
    _folder(
        tmp_path, 'namespaces:\n  "urn:w": {file: v.wsdl, kind: noun, schema: 0}\n', v_wsdl=wsdl
    )
    with pytest.raises(SchemaError) as raised:
        SchemaSet(tmp_path).schema_for_namespace("urn:w")
    assert str(raised.value).startswith(f"cannot compile schema {tmp_path / 'v.wsdl'}#schema0: ")


def test_a_schemas_entities_and_dtd_are_not_used(tmp_path: Path) -> None:
    # expanded, the entity would put an unqualified declaration in the schema: it would not compile
    entity = (
        "<!DOCTYPE schema [<!ENTITY decl \"<element name='B' type='string'/>\">]>"
        f'<schema xmlns="{XS}" targetNamespace="urn:e"><element name="A" type="string"/>'
        "&decl;</schema>"
    )
    # loaded, the DTD would give the schema a targetNamespace by default
    dtd = (
        '<!DOCTYPE schema SYSTEM "defs.dtd">'
        f'<schema xmlns="{XS}"><element name="A" type="string"/></schema>'
    )
    catalog = (
        'namespaces:\n  "urn:e": {file: e.xsd, kind: noun}\n  "urn:d": {file: d.xsd, kind: noun}\n'
    )
    _folder(tmp_path, catalog, e_xsd=entity, d_xsd=dtd)
    (tmp_path / "defs.dtd").write_text('<!ATTLIST schema targetNamespace CDATA "urn:d">')
    found = SchemaSet(tmp_path)
    with_entity = found.schema_for_namespace("urn:e")
    assert with_entity is not None
    assert with_entity.validate(etree.fromstring(b'<A xmlns="urn:e">x</A>'))
    without_dtd = found.schema_for_namespace("urn:d")
    assert without_dtd is not None
    assert without_dtd.validate(etree.fromstring(b"<A>x</A>"))


def test_explain_names_each_reason_from_the_schema_file_it_was_given(tmp_path: Path) -> None:
    body = '<xs:element name="A" type="xs:int"/>'
    _folder(
        tmp_path, 'namespaces:\n  "urn:x": {file: x.xsd, kind: noun}\n', x_xsd=_xsd("urn:x", body)
    )
    found = SchemaSet(tmp_path)
    reasons = found.explain("urn:x", etree.fromstring(b'<A xmlns="urn:x">seven</A>'))
    assert reasons == ["invalid literal for int() with base 10: 'seven'"]
    assert found.explain("urn:x", etree.fromstring(b'<A xmlns="urn:x">7</A>')) == []


def found_entry(folder: Path, ns: str, name: str) -> CatalogEntry:
    return CatalogEntry(ns, folder.resolve() / name, "device")


def test_a_stack_asks_its_sets_in_order_and_lists_each_namespace_once(tmp_path: Path) -> None:
    first = _folder(
        tmp_path / "first",
        'namespaces:\n  "urn:a": {file: a.xsd, kind: noun}\n  "": {file: plain.xsd, kind: device}\n',
        a_xsd=_xsd("urn:a"),
    )
    second = _folder(
        tmp_path / "second",
        'namespaces:\n  "urn:a": {file: a.xsd, kind: device}\n  "urn:b": {file: b.xsd, kind: noun}\n',
        a_xsd=_xsd("urn:a", '<xs:element name="Other"/>'),
        b_xsd=_xsd("urn:b"),
    )
    stack = schemas.schema_stack([first, second], builtin=False)
    assert [s.schema_dir for s in stack.sets] == [first.resolve(), second.resolve()]
    assert list(stack.namespaces()) == ["urn:a", "", "urn:b"]
    assert stack.kind(None) == "device" and stack.entry(None) == found_entry(first, "", "plain.xsd")
    assert (stack.kind("urn:a"), stack.kind("urn:b"), stack.kind("urn:c")) == ("noun", "noun", None)
    a = stack.schema_for_namespace("urn:a")
    assert a is not None and a.validate(etree.fromstring(b'<A xmlns="urn:a">x</A>'))
    assert stack.schema_for_namespace("urn:c") is None
    assert stack.imports("urn:c") == frozenset() and stack.imports("urn:a") == frozenset()
    with_builtin = schemas.schema_stack([first])
    assert [s.schema_dir for s in with_builtin.sets] == [first.resolve(), default_schema_dir()]


def test_a_stack_has_the_default_directory_once_and_never_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(schemas.SCHEMA_DIR_ENV, raising=False)
    assert [s.schema_dir for s in schemas.schema_stack([REPO_SCHEMAS]).sets] == [REPO_SCHEMAS]
    assert [s.schema_dir for s in schemas.schema_stack((), builtin=False).sets] == [REPO_SCHEMAS]
    with pytest.raises(SchemaError) as raised:
        schemas.SchemaStack([])
    assert str(raised.value) == "no schema directory"
