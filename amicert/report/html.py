"""``reports/index.html``: the certification report a person opens, from summary and evidence.

One self-contained file (inline style, inline SVG, no script, nothing fetched): the product and
profile, the verdict table, each scenario's rows with links to the exchange files, its findings
with what was expected and what was received, its sequence diagram, and the requirements
coverage that requirement links point to (``index.html#req-<ID>``). It is built only from
``summary.json``, ``run.json`` and the ``exchanges/`` folder (plus the use-case catalog for the
rows), so ``amicert report DIR`` rebuilds it whatever wrote them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

from amicert.catalog import StepRow, UseCase
from amicert.report import diagram

VERDICT_COLOURS = {
    "PASS": "#2e7d32",
    "FAIL": "#c62828",
    "ERROR": "#6a1b9a",
    "INCONCLUSIVE": "#ef6c00",
    "NOT_APPLICABLE": "#607d8b",
}

STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;color:#263238;max-width:100%}
h1{margin-bottom:.2em} h2{border-bottom:2px solid #cfd8dc;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.6em 0} td,th{border:1px solid #cfd8dc;padding:3px 7px;
vertical-align:top;text-align:left} th{background:#eceff1}
.v{color:#fff;font-weight:bold;padding:1px 6px;border-radius:3px;white-space:nowrap}
code,.mono{font-family:DejaVu Sans Mono,Menlo,Consolas,monospace;font-size:.9em}
.diagram{overflow-x:auto;border:1px solid #cfd8dc;margin:.6em 0;background:#fff}
.missing{color:#c62828;font-weight:bold} .muted{color:#607d8b}
"""


class ReportError(Exception):
    """A report directory the HTML report cannot be built from; names the file and problem."""


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReportError(
            f"{path}: no {what} here (run `amicert run --report-dir` first)"
        ) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ReportError(f"{path}: cannot read the {what}: {exc}") from None


def badge(verdict: str) -> str:
    colour = VERDICT_COLOURS.get(verdict, "#455a64")
    return f'<span class="v" style="background:{colour}">{escape(verdict)}</span>'


def anchor(scenario: Mapping[str, Any]) -> str:
    """The id of a scenario's section: use case, scenario id and example, as in the summary."""
    text = f"{scenario['use_case']}-{scenario['scenario_id']}-{scenario.get('example', '')}"
    return "s-" + "".join(ch if ch.isalnum() or ch in "-." else "-" for ch in text).strip("-")


def _rows(catalog: Mapping[str, UseCase], s: Mapping[str, Any]) -> list[StepRow]:
    uc = catalog.get(str(s["use_case"]))
    if uc is None or s["scenario_id"] not in uc.scenarios:
        return []
    return [uc.row(n) for n in uc.scenario(str(s["scenario_id"])).steps]


def _finding_rows(
    findings: Sequence[Mapping[str, Any]],
    files: Mapping[int, str],
    index: Sequence[Mapping[str, Any]] = (),
) -> str:
    """Findings with what was expected and received, the exchange file and meter they concern."""
    if not findings:
        return ""
    owner: dict[tuple[str, str], Mapping[str, Any]] = {}
    for x in index:
        for f in x.get("findings") or []:
            owner.setdefault((str(f.get("rule")), str(f.get("message"))), x)
    out = [
        "<table><tr><th>severity</th><th>rule</th><th>finding</th><th>Expected</th>"
        "<th>Received</th><th>where</th></tr>"
    ]
    for f in findings:
        where = [escape(str(f["xpath"]))] if f.get("xpath") else []
        seqs = diagram._seqs(str(f.get("message", "")))
        concerned = owner.get((str(f.get("rule")), str(f.get("message"))))
        if concerned is not None:
            seqs.insert(0, int(concerned["seq"]))
            who = concerned.get("producer_id") or concerned.get("receiver_id")
            if who:
                where.append(f"meter {escape(str(who))}")
        for seq in dict.fromkeys(seqs):
            if seq in files:
                name = files[seq].rsplit("/", 1)[-1]
                where.append(f'<a href="{files[seq]}">#{seq} {escape(name)}</a>')
        out.append(
            f"<tr><td>{escape(str(f.get('severity', '')))}</td><td><code>"
            f"{escape(str(f.get('rule', '')))}</code></td><td>{escape(str(f.get('message', '')))}"
            f"</td><td class=mono>{escape(str(f.get('expected', '')))}</td><td class=mono>"
            f"{escape(str(f.get('received', '')))}</td><td>{' '.join(where)}</td></tr>"
        )
    out.append("</table>")
    return "".join(out)


def _metrics(s: Mapping[str, Any]) -> str:
    """The figures the scenario's checks measured, met or not (empty when none)."""
    metrics = [m for m in s.get("metrics") or [] if isinstance(m, dict)]
    if not metrics:
        return ""
    rows = "".join(
        f"<tr><td><code>{escape(str(m.get('requirement', '')))}</code></td>"
        f"<td>{escape(str(m.get('name', '')))}</td>"
        f"<td class=mono>{float(m.get('value', 0)):,.1f} {escape(str(m.get('unit', '')))}</td>"
        f"<td>{escape(str(m.get('target', '')))}</td>"
        f"<td>{'met' if m.get('met') else '<b>not met</b>'}</td>"
        f"<td>{escape(str(m.get('clock', '')))} clock</td>"
        f"<td>{escape(str(m.get('note', '')))}</td></tr>"
        for m in metrics
    )
    return (
        "<h3>measured figures</h3><table><tr><th>requirement</th><th>figure</th><th>value</th>"
        f"<th>target</th><th>met</th><th>measured on</th><th>note</th></tr>{rows}</table>"
    )


def _scenario_section(
    report_dir: Path, s: Mapping[str, Any], catalog: Mapping[str, UseCase]
) -> str:
    evidence = str(s.get("evidence") or "")
    index: list[dict[str, Any]] = []
    if evidence and (report_dir / evidence / "index.json").is_file():
        index = _read_json(report_dir / evidence / "index.json", "exchange index")
    files = {int(e["seq"]): quote(f"{evidence}/{e['file']}") for e in index if e.get("file")}
    rows = _rows(catalog, s)
    findings: list[dict[str, Any]] = list(s.get("findings") or [])
    hidden: dict[str, str] = dict(s.get("not_observable") or {})
    by_row, _ = diagram.deviations(rows, index, findings, hidden)
    title = f"{s['use_case']} {s['scenario_id']}" + (
        f" [{s['example']}]" if s.get("example") else ""
    )
    out = [
        f'<section id="{anchor(s)}"><h2>{badge(str(s["verdict"]))} {escape(title)}</h2>',
        f"<p>{escape(str(s.get('scenario', '')))}</p>",
    ]
    if s.get("reason") and s["verdict"] != "PASS":
        where = (s.get("rule") or "") + (f" at step {s['step']}" if s.get("step") else "")
        out.append(f"<p><b>{escape(where)}</b>: {escape(str(s['reason']))}</p>")
    out.append(_metrics(s))
    out.append(
        "<table><tr><th>step</th><th>producer &rarr; receiver</th><th>information</th>"
        "<th>observed</th><th>exchanges</th><th>findings</th></tr>"
    )
    numbers = {r.number for r in rows}
    for r in rows:
        mine = [x for x in index if x.get("step") == r.number]
        seqs = {int(x["seq"]) for x in mine}
        mine += [x for x in index if x.get("in_reply_to") in seqs]
        marks = by_row.get(r.number, [])
        if "not-observable" in marks:
            state = f'<span class="muted">not observable: {escape(hidden[r.number])}</span>'
        elif "missing" in marks:
            state = '<span class="missing">missing</span>'
        else:
            state = "internal" if r.internal else "yes"
        links = "<br>".join(
            f'<a href="{files[int(x["seq"])]}">{escape(diagram.observed_label(x))}</a>'
            for x in sorted(mine, key=lambda x: int(x["seq"]))
            if int(x["seq"]) in files
        )
        who = escape(r.producer) + ("" if r.internal else f" &rarr; {escape(r.receiver)}")
        out.append(
            f"<tr><td><code>{escape(r.shown)}</code></td><td>{who}"
            f"</td><td>{escape(r.description if r.internal else r.information)}</td>"
            f"<td>{state}</td><td>{links}</td><td>"
            f"{_finding_rows([f for f in findings if f.get('step') == r.number], files, index)}"
            "</td></tr>"
        )
    out.append("</table>")
    rest = [f for f in findings if f.get("step") not in numbers]
    if rest:
        out.append("<h3>findings of the scenario</h3>" + _finding_rows(rest, files, index))
    extra = [x for x in index if not x.get("step") and x.get("in_reply_to") is None]
    if extra:
        out.append(
            "<h3>exchanges matched to no row</h3><ul>"
            + "".join(
                f'<li><a href="{files.get(int(x["seq"]), "")}">'
                f"{escape(diagram.observed_label(x))}</a></li>"
                for x in extra
            )
            + "</ul>"
        )
    svg = diagram.render(rows, index, findings, hidden, title)
    if evidence and (report_dir / evidence).is_dir():
        (report_dir / evidence / "sequence.svg").write_text(svg, encoding="utf-8")
        out.append(f'<p><a href="{quote(evidence)}/">evidence folder</a></p>')
    out.append(f'<div class="diagram">{svg}</div></section>')
    return "\n".join(out)


def _requirements(catalog: Mapping[str, UseCase], scenarios: list[Mapping[str, Any]]) -> str:
    from amicert.coverage import use_case_coverage

    out = ['<h2 id="requirements">Requirements coverage</h2>']
    certified = {str(s["use_case"]) for s in scenarios}  # the use cases this report covers
    for uc in (uc for uc in catalog.values() if uc.id in certified or not certified):
        status = {r.id: r for r in use_case_coverage(uc).requirements}
        out.append(
            f"<h3>{escape(uc.id)} {escape(uc.title)}</h3><table><tr><th>requirement</th>"
            "<th>text</th><th>traced to</th><th>measured by (proven)</th><th>status</th>"
            "<th>verdicts in this run</th></tr>"
        )
        for req in uc.requirements:
            cov = status.get(req.id)
            measured = ", ".join(
                f"<code>{escape(r.rule)}</code>{'' if r.proven else ' (unproven)'}"
                for r in (cov.rules if cov else ())
            )
            state = (
                escape(cov.status)
                + (f' <span class="muted">{escape(cov.why)}</span>' if cov.why else "")
                if cov
                else '<span class="muted">deleted</span>'
            )
            traced = ", ".join(escape(t) for t in req.traced_to) or (
                f'<span class="muted">out of scope: {escape(req.out_of_scope or "")}</span>'
            )
            ids = {t.split(":", 1)[0] for t in req.traced_to}
            ran = [s for s in scenarios if s["use_case"] == uc.id and s["scenario_id"] in ids]
            verdicts = (
                " ".join(f'<a href="#{anchor(s)}">{badge(str(s["verdict"]))}</a>' for s in ran)
                or '<span class="muted">not run</span>'
            )
            out.append(
                f'<tr id="req-{escape(req.id)}"><td><code>{escape(req.id)}</code></td>'
                f"<td>{escape(req.text)}</td><td>{traced}</td><td>{measured}</td>"
                f"<td>{state}</td><td>{verdicts}</td></tr>"
            )
        out.append("</table>")
    return "\n".join(out)


def _run_info(run: Mapping[str, Any] | None, summary: Mapping[str, Any]) -> str:
    facts: list[tuple[str, str]] = [
        ("harness", str((run or {}).get("harness") or f"amicert {summary.get('version', '')}")),
        ("generated", str(summary.get("generated", ""))),
    ]
    profile = (run or {}).get("profile")
    if profile:
        facts += [
            ("product", f"{profile.get('name', '')} {profile.get('version', '')}"),
            ("profile", str(profile.get("path", ""))),
            ("vendor boundary", ", ".join(profile.get("boundary", []))),
            ("address", str(profile.get("address", ""))),
            (
                "capabilities claimed (PICS)",
                ", ".join(
                    f"{k}={'yes' if v else 'no'}" for k, v in profile.get("pics", {}).items()
                ),
            ),
        ]
    else:
        facts.append(("product", "the embedded reference implementation (no SUT profile)"))
    if run and run.get("command"):
        facts.append(("command", " ".join(run["command"])))
    return (
        "<table>"
        + "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in facts)
        + "</table>"
    )


def render_report(
    report_dir: Path, catalog: Mapping[str, UseCase], summary: Mapping[str, Any]
) -> str:
    """The whole page as text."""
    run_path = report_dir / "run.json"
    run = _read_json(run_path, "run description") if run_path.is_file() else None
    scenarios: list[Mapping[str, Any]] = list(summary.get("scenarios") or [])
    totals = ", ".join(f"{v} {k}" for k, v in (summary.get("totals") or {}).items() if v)
    overall = "PASS" if summary.get("passed") else "FAIL"
    table = [
        "<table><tr><th>use case</th><th>scenario</th><th>verdict</th><th>rule @ step</th>"
        "<th>time</th><th>reason</th></tr>"
    ]
    for s in scenarios:
        name = str(s["scenario_id"]) + (f" [{s['example']}]" if s.get("example") else "")
        where = (s.get("rule") or "") + (f" @ {s['step']}" if s.get("step") else "")
        reason = "" if s["verdict"] == "PASS" else str(s.get("reason", ""))
        table.append(
            f'<tr><td>{escape(str(s["use_case"]))}</td><td><a href="#{anchor(s)}">'
            f"{escape(name)}</a></td><td>{badge(str(s['verdict']))}</td><td><code>"
            f"{escape(where)}</code></td><td>{float(s.get('duration_s') or 0):.2f} s</td>"
            f"<td>{escape(reason)}</td></tr>"
        )
    table.append("</table>")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>amicert certification report</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>amicert certification report {badge(overall)}</h1>",
        _run_info(run, summary),
        f'<p>{escape(totals)} &middot; <a href="#requirements">requirements coverage</a> '
        '&middot; <a href="summary.json">summary.json</a> &middot; '
        '<a href="junit.xml">junit.xml</a></p>',
        "".join(table),
        *(_scenario_section(report_dir, s, catalog) for s in scenarios),
        _requirements(catalog, scenarios),
        "</body></html>",
        "",
    ]
    return "\n".join(parts)


def write_report(report_dir: Path, catalog: Mapping[str, UseCase]) -> Path:
    """Write ``index.html`` (and each scenario's ``sequence.svg``) in ``report_dir``."""
    summary = _read_json(report_dir / "summary.json", "summary.json")
    if not isinstance(summary, dict) or not isinstance(summary.get("scenarios"), list):
        raise ReportError(f"{report_dir / 'summary.json'}: not an amicert summary")
    page = render_report(report_dir, catalog, summary)
    path = report_dir / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
