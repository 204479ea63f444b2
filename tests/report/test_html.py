"""reports/index.html: self-contained, every diagram's arrows labelled, links that resolve."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cli_support import amicert, amicert_here, built_once
from lxml import etree, html

from amicert.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One run with deviations to draw: the head-end confirms before the meters answer. Only
    read by the tests, so built once per session."""

    def run(out: Path) -> None:
        proc = amicert(
            "run",
            "--use-case",
            "AEP-5.8",
            "--actor",
            "AMI Head-End=mocks.faulty_actors:HeadEndConfirmsEarly",
            "--report-dir",
            str(out),
        )
        assert proc.returncode == 1, proc.stdout + proc.stderr

    return built_once(tmp_path_factory, "html-report", run)


def expected_labels(report: Path, scenario: dict[str, Any]) -> list[str]:
    """Worked out here, from the catalog and the evidence index, not from the drawing code."""
    uc = load_catalog()[scenario["use_case"]]
    labels = []
    for n in uc.scenario(scenario["scenario_id"]).steps:
        row = uc.row(n)
        if row.internal:
            labels.append(f"{row.shown} {row.description}")
        else:
            labels += [f"{row.shown} {p.information}" for p in row.exchanges]
    index = json.loads((report / scenario["evidence"] / "index.json").read_text())
    for e in index:
        who = e.get("producer_id") or e.get("receiver_id")
        labels.append(f"#{e['seq']} {e['step'] or '?'} {e['label']}" + (f" [{who}]" if who else ""))
    return labels


def drawn_labels(svg: etree._Element) -> list[str]:
    return [t.text or "" for t in svg.iter(f"{SVG}text") if t.get("class") == "label"]


def test_the_page_needs_nothing_from_outside(report: Path) -> None:
    text = (report / "index.html").read_text()
    page = html.fromstring(text)
    assert not page.xpath("//script | //link | //iframe | //img | //object")
    assert "http://" not in text.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in text


def test_every_arrow_of_every_diagram_carries_its_label(report: Path) -> None:
    summary = json.loads((report / "summary.json").read_text())
    page = etree.fromstring((report / "index.html").read_bytes(), etree.HTMLParser())
    sections = {s.get("id"): s for s in page.iter("section")}
    assert len(sections) == len(summary["scenarios"]) == 5
    from amicert.report.html import anchor

    for scenario in summary["scenarios"]:
        want = expected_labels(report, scenario)
        inline = sections[anchor(scenario)].xpath(".//*[local-name()='svg']")
        assert len(inline) == 1
        assert sorted(t.text for t in inline[0].iter() if t.get("class") == "label") == sorted(want)
        standalone = etree.parse(str(report / scenario["evidence"] / "sequence.svg")).getroot()
        assert sorted(drawn_labels(standalone)) == sorted(want)
        assert any(w.startswith("#") for w in want)


def test_deviations_of_a_failed_scenario_are_marked(report: Path) -> None:
    summary = json.loads((report / "summary.json").read_text())
    normal = next(s for s in summary["scenarios"] if s["scenario_id"] == "normal")
    assert normal["verdict"] == "FAIL" and normal["rule"] == "SEQ-ORDER"
    svg = etree.parse(str(report / normal["evidence"] / "sequence.svg")).getroot()
    marked = [g.get("data-marks") for g in svg.iter(f"{SVG}g") if g.get("data-marks")]
    assert "out-of-order" in " ".join(marked)


def test_exchange_links_resolve_and_findings_show_expected_and_received(report: Path) -> None:
    page = html.fromstring((report / "index.html").read_text())
    hrefs = [a.get("href") for a in page.iter("a")]
    files = [h for h in hrefs if h.startswith("exchanges/") and h.endswith(".xml")]
    assert files
    from urllib.parse import unquote

    assert all((report / unquote(h)).is_file() for h in files)
    for h in hrefs:
        if h.startswith("#"):
            assert page.get_element_by_id(h[1:]) is not None, h
    text = page.text_content()
    assert "Expected" in text and "after step" in text and "before step" in text


def test_requirement_links_resolve_to_the_coverage_page(report: Path) -> None:
    page = html.fromstring((report / "index.html").read_text())
    uc = load_catalog()["AEP-5.8"]
    links = []
    for result in (report / "allure-results").glob("*-result.json"):
        links += [link for link in json.loads(result.read_text()).get("links", [])]
    assert links
    for link in links:
        assert link["type"] == "requirement"
        assert link["url"] == (report / "index.html").as_uri() + f"#req-{link['name']}"
    for req in uc.requirements:
        row = page.get_element_by_id(f"req-{req.id}")
        assert req.id in row.text_content()


def test_amicert_report_rebuilds_the_page_from_summary_and_evidence(
    report: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(report, copy)
    original = (copy / "index.html").read_text()
    (copy / "index.html").unlink()
    for svg in copy.glob("exchanges/*/*/sequence.svg"):
        svg.unlink()
    proc = amicert("report", str(copy))
    assert proc.returncode == 0, proc.stderr
    assert (copy / "index.html").read_text() == original
    assert list(copy.glob("exchanges/*/*/sequence.svg"))


def test_amicert_report_on_a_folder_without_a_summary_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = amicert_here(capsys, "report", str(tmp_path))
    assert code == 2 and "summary.json" in err
    (tmp_path / "summary.json").write_text("{")
    code, _, err = amicert_here(capsys, "report", str(tmp_path))
    assert code == 2 and "cannot read the summary.json" in err
    code, _, err = amicert_here(capsys, "report", str(tmp_path / "nope"))
    assert code == 2 and "no such report directory" in err


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed")
def test_the_page_renders_in_a_headless_browser(report: Path, tmp_path: Path) -> None:
    png = tmp_path / "report.png"
    subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--screenshot={png}",
            "--window-size=1400,3000",
            (report / "index.html").as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


def allure_results(report: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in (report / "allure-results").glob("*-result.json")]


def test_allure_groups_by_use_case_and_scenario_and_names_outline_examples(report: Path) -> None:
    results = allure_results(report)
    assert len(results) == 5
    names = [r["name"] for r in results]
    assert len(set(names)) == 5, names
    assert any(
        n.endswith("[case=downgrade, firmware=4.0, model=AX-200, fault=none, reason=DOWNGRADE]")
        for n in names
    )
    for r in results:
        labels = {(label["name"], label["value"]) for label in r["labels"]}
        assert ("epic", "AEP-5.8 Remote Meter Firmware Upgrade") in labels
        assert ("parentSuite", "AEP-5.8 Remote Meter Firmware Upgrade") in labels
        suite = next(v for k, v in labels if k == "suite")
        assert ("feature", suite) in labels and suite.split(":")[0] in {
            "normal",
            "image-refused",
            "never-confirms",
        }
        assert r["titlePath"] == ["AEP-5.8 Remote Meter Firmware Upgrade", suite]
        assert any(a["type"] == "image/svg+xml" for a in r["attachments"])


def test_allure_steps_show_no_world_parameter(report: Path) -> None:
    def steps(node: dict[str, Any]) -> list[dict[str, Any]]:
        return [s for child in node.get("steps", []) for s in (child, *steps(child))]

    every = [s for r in allure_results(report) for s in steps(r)]
    assert every
    params = [p for s in every for p in s.get("parameters", [])]
    assert params, "steps keep their real parameters"
    assert not [p for p in params if p["name"] == "world" or "World object" in p["value"]]


def test_junit_of_a_run_names_use_case_and_scenario(report: Path) -> None:
    suite = etree.parse(str(report / "junit.xml")).getroot().find("testsuite")
    assert suite is not None
    cases = list(suite.iter("testcase"))
    assert {c.get("classname") for c in cases} == {"AEP-5.8"}
    assert "normal: Remote firmware upgrade of the in-scope meters (normal sequence)" in {
        c.get("name") for c in cases
    }
    assert all(c.find("failure") is not None for c in cases)  # every scenario FAILs here
    assert not [c for c in cases if "test_" in (c.get("name") or "")]


def test_findings_name_the_exchange_file_they_concern(report: Path) -> None:
    page = html.fromstring((report / "index.html").read_text())
    cells = [td for td in page.iter("td") if "SEQ-ORDER" in td.text_content()]
    assert cells
    links = [a.text_content() for td in cells for a in td.getparent().iter("a")]
    assert any(re.fullmatch(r"#\d+ \d{4}-step[^ ]+\.xml", text) for text in links), links
    assert "None" not in page.text_content()
