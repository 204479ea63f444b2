"""The HAN section of cim_schemas/PROFILE.md says what the catalog requires of each message, and
every root the catalog names is an element of the HAN protocol's XSD."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from amicert.catalog import MessageSpec, load_catalog

ROOT = Path(__file__).resolve().parents[2]
SECTION = "## HAN installation, registration, diagnostics and maintenance\n"
XS = "{http://www.w3.org/2001/XMLSchema}"


def form(spec: MessageSpec) -> str:
    if spec.root:
        return f"`{spec.root.split('}')[1]}`"
    c = spec.cim
    text = f"{c.get('kind')} {c.get('verb')} `{c.get('noun')}`"
    codes = c.get("event_codes") or []
    return text + (" " + ", ".join(f"`{e}`" for e in codes) if codes else "")


def documented() -> dict[str, tuple[str, str]]:
    text = (ROOT / "cim_schemas" / "PROFILE.md").read_text()
    body = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    rows: dict[str, tuple[str, str]] = {}
    for line in body.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| `"):
            rows[cells[0].strip("`")] = (cells[3], cells[4])
    return rows


def test_the_profile_documents_every_han_message_as_the_catalog_requires_it() -> None:
    uc = load_catalog()["HAN"]
    expected = {
        name: (form(spec), spec.expect_keys.get("subject", ""))
        for name, spec in uc.messages.items()
    }
    assert documented() == expected


def test_every_han_root_is_an_element_of_the_han_xsd() -> None:
    xsd = etree.parse(str(ROOT / "cim_schemas" / "han" / "amicert-han.xsd"))
    elements = {
        e.get("name") for e in xsd.getroot().iter(f"{XS}element") if e.getparent() is xsd.getroot()
    }
    roots = {s.root.split("}")[1] for s in load_catalog()["HAN"].messages.values() if s.root}
    assert roots <= elements, roots - elements
    assert "ApplicationScreen" in roots
