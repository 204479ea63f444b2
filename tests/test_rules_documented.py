"""Every rule ID the harness can emit is documented in docs/rules.md: a finding a user cannot
look up is a finding they cannot act on."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULE = re.compile(
    r'"((?:STATE|NFR|BR|PROFILE|SEQ|ENV|XSD|MSG|WIRE|CODE|XML|HARNESS|EVIDENCE|ACTOR|FEATURE|'
    r'BINDING|TEST|SOAP|STEP|OPERATOR)-[A-Z0-9-]+)"'
)


def emitted() -> set[str]:
    found: set[str] = set()
    for folder in ("amicert", "usecases", "reference_impl"):
        for path in (ROOT / folder).rglob("*.py"):
            found.update(RULE.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_emitted_rule_is_in_the_rule_table() -> None:
    table = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([A-Z]+-[A-Z0-9-]+)`", table))
    assert sorted(emitted() - documented) == []


def test_the_scan_finds_rules() -> None:
    rules = emitted()
    assert {"SEQ-MISSING", "PROFILE-I2-FAILURE-CLASS", "EVIDENCE-INSUFFICIENT"} <= rules
    assert "OPERATOR-CONTRADICTION" in rules
