"""Use-case packages: each use case is a package, and the core names none of them.

A use case is added by adding a package; these tests prove it on a package written here, and check
that no actor, namespace or event code of any catalog is spelled in the core's code.
"""

from __future__ import annotations

import re
import sys
import textwrap
from collections.abc import Iterator
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from amicert import packages
from amicert.catalog import ENVELOPE_NAMESPACES, load_catalog, traceability_problems
from amicert.cim.validate import Validator
from amicert.world import RunOptions, World

ROOT = Path(__file__).resolve().parents[1]
# the standard's own code registries and schema catalog live in amicert/cim; they are 61968 facts
CORE = [p for p in (ROOT / "amicert").rglob("*.py") if "cim" not in p.relative_to(ROOT).parts]


def _core_text() -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in CORE}


def test_every_built_in_use_case_is_a_package_with_catalog_features_and_driver() -> None:
    found = {p.module: p for p in packages.packages()}
    assert {"usecases.firmware_upgrade", "usecases.meter_lifecycle"} <= set(found)
    for package in found.values():
        assert package.catalog_path.is_file()
        assert list(package.root.glob("*.feature")), package.module
        assert (package.root / "vocabulary.py").is_file(), package.module
        driver = package.driver()
        uc = load_catalog()[driver.use_case]
        assert packages.package_for(uc.id) == package
        # every role of the use case has a reference actor in the package's driver
        assert set(uc.actors) <= set(driver.reference), uc.id


def test_the_core_spells_no_actor_of_any_use_case() -> None:
    text = _core_text()
    for uc in load_catalog().values():
        for actor in uc.actors:
            hits = [str(p) for p, t in text.items() if f'"{actor}"' in t]
            assert hits == [], f"{uc.id} actor {actor!r} hard-coded in {hits}"


def test_the_core_spells_no_namespace_or_event_code_of_any_use_case() -> None:
    text = _core_text()
    for uc in load_catalog().values():
        # the standard's noun namespaces are 61968 facts (amicert.cim); a use case's own are not
        own = {
            ns
            for ns in uc.namespaces.values()
            if ns not in ENVELOPE_NAMESPACES.values() and "iec.ch/TC57" not in ns
        }
        codes = {str(c) for m in uc.messages.values() for c in m.cim.get("event_codes", ())}
        for needle in own | codes:
            hits = [str(p) for p, t in text.items() if re.search(re.escape(needle), t)]
            assert hits == [], f"{uc.id}: {needle!r} hard-coded in {hits}"


def test_the_core_imports_no_use_case_package() -> None:
    for path, text in _core_text().items():
        assert not re.search(r"^\s*(from|import) (usecases|reference_impl)\b", text, re.M), path


# --- a use case added as a package, without touching the core --------------------------------

CATALOG = """\
id: DEMO-1
title: Demo use case
namespaces:
  ev: "http://iec.ch/TC57/2011/EndDeviceEvents#"
capabilities:
  demo_pinging: answers pings
actors:
  - {name: Pinger, kind: system}
  - {name: Ponger, kind: system}
messages:
  ping:
    cim: {kind: EventMessage, verb: created, noun: EndDeviceEvents, event_codes: ["3.26.0.85"]}
    keys: {token: "//ev:EndDeviceEvent/ev:mRID"}
steps:
  - number: "1"
    description: The Pinger pings the Ponger.
    information: Ping
    producer: Pinger
    receiver: Ponger
    message: ping
scenarios:
  - id: ping
    name: A ping reaches the Ponger
    steps: ["1"]
"""

FEATURE = """\
@use_case:DEMO-1
Feature: Demo use case

  @scenario:ping @capability:demo_pinging
  Scenario: A ping reaches the Ponger
    When step 1 is triggered: ping
    Then step 1: the Pinger sends the "Ping" to the Ponger
"""

DRIVER = """\
from amicert.actors.base import Actor
from amicert.cim.envelope import Header, build_event
from amicert.cim.nouns import EndDeviceEventData, end_device_events
from amicert.driver import Driver


class Pinger(Actor):
    role = "Pinger"

    def ping(self) -> None:
        now = self.ctx.now()
        event = EndDeviceEventData("t-1", now, "3.26.0.85", "M-1")
        header = Header("created", "EndDeviceEvents", self.ctx.new_id(), now, source=self.role)
        self.send("Ponger", build_event(header, end_device_events([event])))


class Ponger(Actor):
    role = "Ponger"


DRIVER = Driver(use_case="DEMO-1")
DRIVER.plays(Pinger, Ponger)
DRIVER.triggers["1"] = lambda world: world.actor("Pinger").ping()
"""


@pytest.fixture
def demo_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A use-case package on sys.path, declared by entry point as an installed one would be."""
    root = tmp_path / "demo_usecase"
    root.mkdir()
    (root / "__init__.py").write_text('"""Demo."""\n')
    (root / "usecase.yaml").write_text(CATALOG)
    (root / "ping.feature").write_text(FEATURE)
    (root / "driver.py").write_text(textwrap.dedent(DRIVER))
    monkeypatch.syspath_prepend(str(tmp_path))
    ep = EntryPoint("demo", "demo_usecase", packages.ENTRY_POINT_GROUP)
    real = packages.entry_points

    def fake(**kw: str) -> list[EntryPoint]:
        if kw.get("group") == packages.ENTRY_POINT_GROUP:
            return [ep]
        return list(real(**kw))

    monkeypatch.setattr(packages, "entry_points", fake)
    packages.packages.cache_clear()
    packages._by_id.cache_clear()
    yield root
    packages.packages.cache_clear()
    packages._by_id.cache_clear()
    sys.modules.pop("demo_usecase.driver", None)
    sys.modules.pop("demo_usecase", None)


def test_a_new_use_case_package_runs_without_any_change_to_the_core(demo_package: Path) -> None:
    from amicert.config import known_capabilities

    catalog = load_catalog()
    assert "DEMO-1" in catalog
    uc = catalog["DEMO-1"]
    assert traceability_problems(uc) == []
    assert "demo_pinging" in known_capabilities()
    world = World(uc, uc.scenario("ping"), Validator(), RunOptions())
    packages.driver_for("DEMO-1").trigger(world, "1")
    world.check_row("1", {})
    [x] = world.trace.exchanges
    assert x.step == "1"
    # keys use the catalog's own prefix
    from amicert.trace import extract_keys

    assert extract_keys(x, uc.messages["ping"]) == {"token": ["t-1"]}


def test_a_declared_package_without_a_catalog_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "empty_usecase").mkdir()
    (tmp_path / "empty_usecase" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    ep = EntryPoint("empty", "empty_usecase", packages.ENTRY_POINT_GROUP)
    monkeypatch.setattr(packages, "entry_points", lambda **kw: [ep])
    packages.packages.cache_clear()
    try:
        with pytest.raises(packages.PackageError, match=r"no usecase\.yaml found"):
            packages.packages()
    finally:
        packages.packages.cache_clear()
        sys.modules.pop("empty_usecase", None)


def test_a_package_whose_driver_is_missing_is_a_clear_error(demo_package: Path) -> None:
    (demo_package / "driver.py").write_text("NOT_A_DRIVER = 1\n")
    sys.modules.pop("demo_usecase.driver", None)
    with pytest.raises(packages.PackageError, match=r"driver\.DRIVER"):
        packages.driver_for("DEMO-1")
