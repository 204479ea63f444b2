"""junit.xml from the verdicts: what CI reads must say what the certification summary says.

One test case per scenario, named by use case (classname) and scenario (name, with its outline
example); FAIL is a ``<failure>``, ERROR an ``<error>``, INCONCLUSIVE and NOT_APPLICABLE are
``<skipped>`` with the verdict and its reason. Written from the scenario results, never from
pytest's node ids or exception classes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from amicert.verdicts import Verdict

if TYPE_CHECKING:
    from amicert.report.summary import ScenarioResult


def _clean(text: str) -> str:
    """Text XML 1.0 can carry: control characters (a hostile product's bytes) become U+FFFD."""
    return "".join(
        ch if ch in "\t\n\r" or (ord(ch) >= 0x20 and ch not in "\ufffe\uffff") else "\ufffd"
        for ch in text
    )


def junit_xml(results: Sequence[ScenarioResult]) -> bytes:
    count = {v: sum(1 for r in results if r.verdict is v) for v in Verdict}
    suite = etree.Element(
        "testsuite",
        name="amicert",
        tests=str(len(results)),
        failures=str(count[Verdict.FAIL]),
        errors=str(count[Verdict.ERROR]),
        skipped=str(count[Verdict.INCONCLUSIVE] + count[Verdict.NOT_APPLICABLE]),
        time=f"{sum(r.duration_s for r in results):.3f}",
    )
    for r in results:
        name = f"{r.scenario_id}: {r.scenario}" if r.scenario else r.scenario_id
        if r.example and f"[{r.example}]" not in name:
            name += f" [{r.example}]"
        case = etree.SubElement(
            suite, "testcase", classname=r.use_case, name=_clean(name), time=f"{r.duration_s:.3f}"
        )
        if r.basis:  # what the verdict rests on, for CI readers too
            props = etree.SubElement(case, "properties")
            for key, value in (
                ("rows observed", f"{r.basis.get('observed', 0)}/{r.basis.get('rows', 0)}"),
                ("rows not observable", str(r.basis.get("not_observable", 0))),
            ):
                etree.SubElement(props, "property", name=key, value=value)
        where = (r.rule or "") + (f" at step {r.step}" if r.step else "")
        message = _clean(f"{r.verdict.value}: {r.reason}" + (f" ({where})" if where else ""))
        details = _clean("\n".join(str(f) for f in r.findings))
        if r.verdict is Verdict.FAIL:
            etree.SubElement(case, "failure", message=message, type=r.rule or "FAIL").text = details
        elif r.verdict is Verdict.ERROR:
            etree.SubElement(case, "error", message=message, type=r.rule or "ERROR").text = details
        elif r.verdict in (Verdict.INCONCLUSIVE, Verdict.NOT_APPLICABLE):
            etree.SubElement(case, "skipped", message=message).text = details or None
    suites = etree.Element("testsuites")
    suites.append(suite)
    data: bytes = etree.tostring(suites, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data


def write_junit(report_dir: Path, results: Sequence[ScenarioResult]) -> Path:
    path = report_dir / "junit.xml"
    path.write_bytes(junit_xml(results))
    return path
