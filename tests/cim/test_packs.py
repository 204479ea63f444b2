"""Schema packs: ``amicert schemas import`` files a folder of XSDs/WSDLs by namespace and year,
``--schema-dir`` layers packs over the harness's own schemas, and every result names the schema
file that checked each part. Exit 3 when nothing could be checked."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from amicert.cim.packs import scan
from amicert.cim.schemas import CatalogEntry
from amicert.cim.validate import Validator
from amicert.cli import main

from .msgtext import generic, noun_doc, wrapped

REPO_SCHEMAS = Path(__file__).resolve().parents[2] / "cim_schemas"
ED2 = "http://iec.ch/TC57/2021/schema/message"
EVENTS = noun_doc(
    "EndDeviceEvents",
    "<EndDeviceEvent><createdDateTime>2024-05-01T11:00:00Z</createdDateTime>"
    '<EndDeviceEventType ref="3.26.0.85"/></EndDeviceEvent>',
)
VENDOR_WSDL = """<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"
  xmlns:xs="http://www.w3.org/2001/XMLSchema"><types>
  <xs:schema targetNamespace="urn:vendor:work" elementFormDefault="qualified">
    <xs:element name="WorkOrders"><xs:complexType><xs:sequence>
      <xs:element name="WorkOrder" type="xs:string" maxOccurs="unbounded"/>
    </xs:sequence></xs:complexType></xs:element>
  </xs:schema></types></definitions>"""


def make_pack(root: Path) -> Path:
    """An Ed.2 envelope schema (the Ed.1 one under the 2021 namespace), a noun, a WSDL."""
    pack = root / "pack"
    (pack / "message").mkdir(parents=True)
    text = (REPO_SCHEMAS / "message" / "Message.xsd").read_text(encoding="utf-8")
    (pack / "message" / "Message2021.xsd").write_text(
        text.replace("http://iec.ch/TC57/2011/schema/message", ED2), encoding="utf-8"
    )
    (pack / "vendor.wsdl").write_text(VENDOR_WSDL, encoding="utf-8")
    (pack / "broken.xsd").write_text("<not-closed", encoding="utf-8")
    return pack


def test_import_files_schemas_by_namespace_kind_and_year(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = make_pack(tmp_path)
    assert main(["schemas", "import", str(pack)]) == 0
    out = capsys.readouterr()
    assert "wrote" in out.out and "skipped broken.xsd" in out.err
    catalog = yaml.safe_load((pack / "catalog.yaml").read_text(encoding="utf-8"))["namespaces"]
    assert catalog[ED2] == {"file": "message/Message2021.xsd", "kind": "envelope", "year": 2021}
    assert catalog["urn:vendor:work"] == {"file": "vendor.wsdl", "kind": "noun", "schema": 0}


def test_import_of_a_folder_without_schemas_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schemas", "import", str(tmp_path)]) == 2
    assert "no XSD or WSDL" in capsys.readouterr().err
    assert main(["schemas", "import", str(tmp_path / "none")]) == 2
    assert "not a directory" in capsys.readouterr().err


def test_duplicate_namespace_keeps_the_richer_file(tmp_path: Path) -> None:
    for name, elements in (("a.xsd", 1), ("b.xsd", 2)):
        decls = "".join(f'<xs:element name="E{i}" type="xs:string"/>' for i in range(elements))
        (tmp_path / name).write_text(
            '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:x">'
            f"{decls}</xs:schema>"
        )
    pack = scan(tmp_path)
    assert pack.entries["urn:x"].path.name == "b.xsd"
    assert [p.name for p in pack.entries["urn:x"].also] == ["a.xsd"]
    assert any("chose b.xsd" in note for note in pack.notes)


XSD = '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"{ns}>{elements}</xs:schema>'


def schema_text(ns: str | None, elements: int) -> str:
    """An XSD of ``ns`` (no targetNamespace when None) declaring ``elements`` global elements."""
    decls = "".join(f'<xs:element name="E{i}" type="xs:string"/>' for i in range(elements))
    return XSD.format(ns=f' targetNamespace="{ns}"' if ns else "", elements=decls)


def wsdl_text(*schemas: str) -> str:
    return (
        '<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"><types>'
        + "".join(schemas)
        + "</types></definitions>"
    )


def test_of_files_equally_rich_the_first_is_kept_and_the_others_named(tmp_path: Path) -> None:
    for name, elements in (("a.xsd", 1), ("b.xsd", 2), ("c.xsd", 1), ("d.xsd", 2)):
        (tmp_path / name).write_text(schema_text("urn:x", elements), encoding="utf-8")
    pack = scan(tmp_path)
    also = (tmp_path / "a.xsd", tmp_path / "c.xsd", tmp_path / "d.xsd")
    assert pack.entries == {"urn:x": CatalogEntry("urn:x", tmp_path / "b.xsd", "noun", also=also)}
    assert pack.notes == ["urn:x: chose b.xsd over a.xsd, c.xsd, d.xsd (more global elements)"]


def test_the_chosen_file_keeps_its_kind_year_and_inline_schema(tmp_path: Path) -> None:
    message = "http://iec.ch/TC57/2011/schema/message"
    wrapper = "http://iec.ch/TC57/2013/EndDeviceEventsMessage"
    (tmp_path / "0.xsd").mkdir()  # a folder named like a schema is no schema
    (tmp_path / "a.wsdl").write_text(
        wsdl_text(schema_text(None, 1), schema_text(message, 2)), encoding="utf-8"
    )
    (tmp_path / "b.xsd").write_text(schema_text(message, 1), encoding="utf-8")
    (tmp_path / "c.xsd").write_text(schema_text(wrapper, 1), encoding="utf-8")
    (tmp_path / "d.wsdl").write_text(wsdl_text(schema_text(wrapper, 2)), encoding="utf-8")
    # a root called "schema" in another namespace is a container, not an XSD
    (tmp_path / "e.xml.xsd").write_text(
        f'<schema xmlns="urn:not-xsd">{schema_text("urn:inner", 1)}</schema>', encoding="utf-8"
    )
    pack = scan(tmp_path)
    assert pack.entries == {
        message: CatalogEntry(
            message, tmp_path / "a.wsdl", "envelope", 2011, 1, (tmp_path / "b.xsd",)
        ),
        wrapper: CatalogEntry(
            wrapper, tmp_path / "d.wsdl", "wrapper", 2013, 0, (tmp_path / "c.xsd",)
        ),
        "urn:inner": CatalogEntry("urn:inner", tmp_path / "e.xml.xsd", "noun", None, 0),
    }


def test_a_schemas_entities_and_dtd_are_never_expanded(tmp_path: Path) -> None:
    (tmp_path / "a.xsd").write_text(schema_text("urn:x", 1), encoding="utf-8")
    # expanded, the entity would declare three elements and outweigh a.xsd
    (tmp_path / "b.xsd").write_text(
        "<!DOCTYPE schema [<!ENTITY more \"<element name='A'/><element name='B'/>"
        "<element name='C'/>\">]>"
        '<schema xmlns="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:x">&more;</schema>',
        encoding="utf-8",
    )
    # loaded, the DTD would give the schema a targetNamespace by default
    (tmp_path / "defs.dtd").write_text(
        '<!ATTLIST schema targetNamespace CDATA "urn:from-dtd">', encoding="utf-8"
    )
    (tmp_path / "c.xsd").write_text(
        '<!DOCTYPE schema SYSTEM "defs.dtd">'
        '<schema xmlns="http://www.w3.org/2001/XMLSchema"><element name="A"/></schema>',
        encoding="utf-8",
    )
    pack = scan(tmp_path)
    assert pack.entries == {
        "urn:x": CatalogEntry("urn:x", tmp_path / "a.xsd", "noun", also=(tmp_path / "b.xsd",))
    }


def test_the_written_catalog_lists_version_first_then_each_file_and_what_it_won_over(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.xsd").write_text(schema_text("urn:x", 1), encoding="utf-8")
    (tmp_path / "é.xsd").write_text(schema_text("urn:x", 2), encoding="utf-8")
    written = scan(tmp_path).write()
    assert written == tmp_path.resolve() / "catalog.yaml"
    assert written.read_bytes().decode("utf-8") == (
        "# Built by `amicert schemas import`: namespace -> schema file, kind and year.\n"
        "version: 1\n"
        "namespaces:\n"
        "  urn:x:\n"
        "    file: é.xsd\n"
        "    kind: noun\n"
        "    also:\n"
        "    - a.xsd\n"
    )


def test_pack_schema_checks_what_the_builtin_set_cannot(tmp_path: Path) -> None:
    pack = make_pack(tmp_path)
    data = generic("EventMessage", "created", "EndDeviceEvents", EVENTS, year=2021)
    builtin = Validator().validate(data)
    assert builtin.rule_ids == ["XSD-ENVELOPE-UNCHECKED"]
    result = Validator([pack]).validate(data)  # no catalog.yaml: the folder is scanned
    assert result.findings == []
    schemas = {p.part: p.schema for p in result.parts}
    assert (schemas["envelope"] or "").endswith("Message2021.xsd")
    assert (schemas["payload"] or "").endswith("nouns/EndDeviceEvents.xsd")  # the harness's own
    bad = data.replace(b"<Verb", b"<Bogus/><Verb", 1)
    assert "XSD-ENVELOPE" in Validator([pack]).validate(bad).rule_ids


def test_wsdl_inline_schema_checks_a_payload(tmp_path: Path) -> None:
    pack = make_pack(tmp_path)
    good = generic(
        "EventMessage",
        "created",
        "WorkOrders",
        '<WorkOrders xmlns="urn:vendor:work"><WorkOrder>w</WorkOrder></WorkOrders>',
    )
    result = Validator([pack]).validate(good)
    assert result.findings == []
    assert any((p.schema or "").endswith("vendor.wsdl#schema0") for p in result.parts)
    bad = good.replace(b"<WorkOrder>w</WorkOrder>", b"")
    assert Validator([pack]).validate(bad).rule_ids == ["XSD-PAYLOAD"]


def test_cli_schema_dir_is_repeatable_and_names_the_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = make_pack(tmp_path)
    other = tmp_path / "other"
    shutil.copytree(REPO_SCHEMAS, other)
    message = tmp_path / "m.xml"
    message.write_bytes(generic("EventMessage", "created", "EndDeviceEvents", EVENTS, year=2021))
    args = ["validate", "--json", "--schema-dir", str(pack), "--schema-dir", str(other)]
    assert main([*args, str(message)]) == 0
    (result,) = json.loads(capsys.readouterr().out)
    assert result["verdict"] == "VALID" and result["checked"] is True
    parts = {p["part"]: p for p in result["parts"]}
    assert parts["envelope"]["schema"].startswith(str(pack.resolve()))
    assert parts["payload"]["schema"].startswith(str(other.resolve()))
    assert all(p["checked"] is True for p in result["parts"])


def test_nothing_checked_exits_3_and_strict_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    message = tmp_path / "ed2.xml"
    vendor = '<WorkOrders xmlns="urn:vendor:work"><WorkOrder>w</WorkOrder></WorkOrders>'
    message.write_bytes(generic("EventMessage", "created", "WorkOrders", vendor, year=2021))
    assert main(["validate", "--json", str(message)]) == 3
    (result,) = json.loads(capsys.readouterr().out)
    assert result["verdict"] == "UNCHECKED" and result["checked"] is False
    assert [p["checked"] for p in result["parts"]] == [False, False]
    assert {f["rule"] for f in result["findings"]} == {
        "XSD-ENVELOPE-UNCHECKED",
        "XSD-PAYLOAD-UNCHECKED",
    }
    assert main(["validate", "--strict", str(message)]) == 1
    assert "NOT CHECKED" in capsys.readouterr().out
    checked = tmp_path / "ed1.xml"
    checked.write_bytes(generic("EventMessage", "created", "EndDeviceEvents", EVENTS))
    assert main(["validate", str(message), str(checked)]) == 0  # something was checked
    capsys.readouterr()


PACK_WRAPPER = """<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
  xmlns:tns="http://iec.ch/TC57/2011/EndDeviceEventsMessage"
  xmlns:msg="http://iec.ch/TC57/2011/schema/message"
  xmlns:m="http://iec.ch/TC57/2011/EndDeviceEvents#"
  targetNamespace="http://iec.ch/TC57/2011/EndDeviceEventsMessage" elementFormDefault="qualified">
  <xs:import namespace="http://iec.ch/TC57/2011/schema/message" schemaLocation="{msg}"/>
  <xs:import namespace="http://iec.ch/TC57/2011/EndDeviceEvents#" schemaLocation="{noun}"/>
  <xs:element name="CreatedEndDeviceEvents"><xs:complexType><xs:sequence>
    <xs:element name="Header" type="msg:HeaderType"/>
    <xs:element name="Payload"><xs:complexType><xs:sequence>
      <xs:element ref="m:EndDeviceEvents"/></xs:sequence></xs:complexType></xs:element>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>"""


def test_a_pack_wrapper_schema_checks_its_noun_in_the_same_pass(tmp_path: Path) -> None:
    pack = tmp_path / "wrappers"
    pack.mkdir()
    (pack / "EndDeviceEventsMessage.xsd").write_text(
        PACK_WRAPPER.format(
            msg=(REPO_SCHEMAS / "message" / "Message.xsd").as_uri(),
            noun=(REPO_SCHEMAS / "nouns" / "EndDeviceEvents.xsd").as_uri(),
        ),
        encoding="utf-8",
    )
    validator = Validator([pack])
    data = wrapped(
        "CreatedEndDeviceEvents", "EndDeviceEvents", "created", "EndDeviceEvents", EVENTS
    )
    result = validator.validate(data)
    assert result.findings == []
    schemas = {p.part: p.schema or "" for p in result.parts}
    assert schemas["envelope"] == schemas["payload"]
    assert schemas["payload"].endswith("wrappers/EndDeviceEventsMessage.xsd")
    broken = data.replace(b"<createdDateTime>2024-05-01T11:00:00Z</createdDateTime>", b"")
    assert validator.validate(broken).rule_ids == ["XSD-PAYLOAD"]
    # the pack only declares CreatedEndDeviceEvents: other names fail its schema
    other = wrapped(
        "ChangedEndDeviceEvents", "EndDeviceEvents", "changed", "EndDeviceEvents", EVENTS
    )
    assert validator.validate(other).rule_ids == ["XSD-ENVELOPE"]


def test_import_lists_each_namespace_and_the_catalog_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = make_pack(tmp_path)
    note = (
        "note: skipped broken.xsd: Couldn't find end of Start Tag not-closed line 1, line 1, "
        "column 12 (broken.xsd, line 1)\n"
    )
    output = tmp_path / "elsewhere.yaml"
    assert main(["schemas", "import", "--output", str(output), str(pack)]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        f"envelope 2021 {ED2} -> message/Message2021.xsd",
        "noun          urn:vendor:work -> vendor.wsdl",
        f"wrote {output} (2 namespaces)",
    ]
    assert captured.err == note
    assert output.exists() and not (pack / "catalog.yaml").exists()
    assert main(["schemas", "import", "--json", str(pack)]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith('{\n  "version": 1,\n  "namespaces": {\n    "')
    assert json.loads(captured.out) == {
        "version": 1,
        "namespaces": {
            ED2: {"file": "message/Message2021.xsd", "kind": "envelope", "year": 2021},
            "urn:vendor:work": {"file": "vendor.wsdl", "kind": "noun", "schema": 0},
        },
    }
    assert not (pack / "catalog.yaml").exists()  # --json writes nothing
    unwritable = tmp_path / "no" / "such" / "catalog.yaml"
    assert main(["schemas", "import", "--output", str(unwritable), str(pack)]) == 2
    assert capsys.readouterr().err == note + (
        "amicert schemas import: error: cannot write the catalog: No such file or directory\n"
    )


def test_import_usage_errors_say_which_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schemas", "import", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"amicert schemas import: error: no XSD or WSDL with a targetNamespace under {tmp_path}\n"
    )
    assert main(["schemas", "import", str(tmp_path / "none")]) == 2
    assert capsys.readouterr().err == (
        f"amicert schemas import: error: {tmp_path / 'none'} is not a directory\n"
    )
