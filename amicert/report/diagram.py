"""Sequence diagrams as SVG: the use case's expected rows beside the observed traffic.

Drawn here, in Python, so that nothing (no Node, no browser script, no network) is needed to see
them, and so that no label is ever cut: every arrow's label is written out whole, and columns
widen to fit it. Deviations are marked on the arrow they concern: an expected row never observed
is *missing*, an observed exchange matched to no row is *extra*, one observed before a row that
precedes it is *out of order*.

The inputs are plain data (catalog rows, the exchange entries of an evidence ``index.json`` and
the scenario's findings as dictionaries), so a report can be drawn again from the evidence alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, overload
from xml.sax.saxutils import escape, quoteattr

from amicert.catalog import StepRow

if TYPE_CHECKING:
    from amicert.findings import Finding
    from amicert.trace import Exchange
    from amicert.world import World

CHAR_W = 7.0  # px per character at the label font (a monospace font, so widths are known)
FONT = 'font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="11.5"'
ROW_H = 34
TOP = 70
MIN_GAP = 150
MAX_ARROWS = 300  # observed arrows drawn for a fleet-sized scenario; its index.json has them all
MARKS = {
    "missing": ("#c62828", "MISSING"),
    "extra": ("#ef6c00", "EXTRA"),
    "out-of-order": ("#6a1b9a", "OUT OF ORDER"),
    "not-observable": ("#757575", "NOT OBSERVABLE"),
}

MAX_ARROWS = 300  # observed diagrams of fleet runs show the first ones; the index has them all


@dataclass
class Arrow:
    """One arrow (or a note, for an internal row) of a panel."""

    source: str
    target: str
    label: str
    reply: bool = False
    note: bool = False
    marks: list[str] = field(default_factory=list)
    findings: int = 0


@dataclass
class Panel:
    title: str
    participants: list[str]
    arrows: list[Arrow]


def expected_label(row: StepRow, information: str) -> str:
    """The label of an expected arrow: the row number as the document writes it, the info."""
    return f"{row.shown} {information}"


def observed_label(entry: Mapping[str, Any]) -> str:
    """The label of an observed arrow: sequence number, matched step, message, meter."""
    who = entry.get("producer_id") or entry.get("receiver_id")
    meter = f" [{who}]" if who else ""
    return f"#{entry['seq']} {entry.get('step') or '?'} {entry.get('label', 'message')}{meter}"


def _seqs(message: str) -> list[int]:
    return [int(n) for n in re.findall(r"#(\d+)", message)]


def deviations(
    rows: list[StepRow],
    observed: Sequence[Mapping[str, Any]],
    findings: Iterable[Mapping[str, Any]],
    not_observable: Mapping[str, str] | None = None,
) -> tuple[dict[str, list[str]], dict[int, list[str]]]:
    """Marks per expected row number and per observed sequence number, from the findings."""
    by_row: dict[str, list[str]] = {}
    by_seq: dict[int, list[str]] = {}
    seen_steps = {e.get("step") for e in observed}
    for row in rows:
        if row.number in (not_observable or {}):
            by_row.setdefault(row.number, []).append("not-observable")
        elif not row.internal and row.number not in seen_steps:
            by_row.setdefault(row.number, []).append("missing")
    for f in findings:
        rule, message = f.get("rule", ""), str(f.get("message", ""))
        if rule == "SEQ-MISSING" and f.get("step"):
            marks = by_row.setdefault(str(f["step"]), [])
            if "missing" not in marks:
                marks.append("missing")
        elif rule in ("SEQ-EXTRA", "SEQ-UNEXPECTED-DEVICE") and _seqs(message):
            by_seq.setdefault(_seqs(message)[0], []).append("extra")
        elif rule == "SEQ-ORDER" and _seqs(message):
            by_seq.setdefault(_seqs(message)[0], []).append("out-of-order")
        elif f.get("severity") == "error" and _seqs(message) and rule:
            marks = by_seq.setdefault(_seqs(message)[0], [])
            if rule not in marks:
                marks.append(rule)  # any other error named on an exchange: its rule
    for e in observed:
        if not e.get("step") and "extra" not in by_seq.get(int(e["seq"]), []):
            by_seq.setdefault(int(e["seq"]), []).append("extra")
    return by_row, by_seq


def _order(names: Iterable[str], first: list[str] | None = None) -> list[str]:
    seen: list[str] = []
    for n in [*(first or []), *names]:
        if n not in seen:
            seen.append(n)
    return seen


def panels(
    rows: list[StepRow],
    observed: Sequence[Mapping[str, Any]],
    findings: Iterable[Mapping[str, Any]] = (),
    not_observable: Mapping[str, str] | None = None,
) -> tuple[Panel, Panel]:
    """The expected and the observed panel, with their deviations marked."""
    by_row, by_seq = deviations(rows, observed, list(findings), not_observable)
    expected: list[Arrow] = []
    for row in rows:
        marks = by_row.get(row.number, [])
        if row.internal:
            expected.append(
                Arrow(
                    row.producer,
                    row.producer,
                    f"{row.shown} {row.description}",
                    note=True,
                    marks=marks,
                )
            )
            continue
        for part in row.exchanges:
            expected.append(
                Arrow(
                    part.producer,
                    part.receiver,
                    expected_label(row, part.information),
                    reply=part.reply,
                    marks=marks,
                )
            )
    actors = _order(a for arrow in expected for a in (arrow.source, arrow.target))
    kept = list(observed[:MAX_ARROWS])
    observed_arrows = [
        Arrow(
            str(e["producer"]),
            str(e["receiver"]),
            observed_label(e),
            reply=e.get("in_reply_to") is not None,
            marks=by_seq.get(int(e["seq"]), []),
            findings=len(e.get("findings") or []),
        )
        for e in kept
    ]
    seen = _order(a for arrow in observed_arrows for a in (arrow.source, arrow.target))
    observed_actors = [a for a in actors if a in seen] + [a for a in seen if a not in actors]
    title = (
        "observed"
        if len(kept) == len(observed)
        else (f"observed (the first {len(kept)} of {len(observed)} exchanges; index.json has all)")
    )
    return (
        Panel("expected (use case)", actors, expected),
        Panel(title, observed_actors, observed_arrows),
    )


def _text_w(text: str) -> float:
    return len(text) * CHAR_W


def _layout(panel: Panel) -> tuple[list[float], float]:
    """x of each participant's lifeline, and the panel width: gaps widen to fit every label."""
    n = len(panel.participants)
    if n == 0:
        return [], 300.0
    index = {p: i for i, p in enumerate(panel.participants)}
    head = [max(MIN_GAP, _text_w(p) + 24) for p in panel.participants]
    gaps = [max(MIN_GAP, (head[i] + head[i + 1]) / 2 + 10) for i in range(max(n - 1, 0))]
    spans: list[tuple[int, int, float]] = []
    notes = [0.0] * n
    for a in panel.arrows:
        need = _text_w(a.label) + 30 + (_text_w(" " + _mark_text(a)) if _mark_text(a) else 0)
        i, j = sorted((index[a.source], index[a.target]))
        if i == j:
            notes[i] = max(notes[i], need)
        else:
            spans.append((i, j, need))
    for i, j, need in sorted(spans, key=lambda s: s[1] - s[0]):
        have = sum(gaps[i:j])
        if have < need:
            gaps[j - 1] += need - have
    for i, need in enumerate(notes):  # a note sits right of its lifeline, over the next gap
        if i < n - 1 and gaps[i] < need / 2 + 20:
            gaps[i] = need / 2 + 20
    xs = [head[0] / 2 + 20]
    for g in gaps:
        xs.append(xs[-1] + g)
    width = xs[-1] + max(head[-1] / 2, notes[-1]) + 30
    return xs, width


def _mark_text(arrow: Arrow) -> str:
    words = [MARKS[m][1] if m in MARKS else m for m in arrow.marks]
    if arrow.findings:
        words.append(f"{arrow.findings} finding{'s' if arrow.findings != 1 else ''}")
    return ", ".join(words)


def _panel_svg(panel: Panel, x0: float) -> tuple[list[str], float, float]:
    xs, width = _layout(panel)
    xs = [x + x0 for x in xs]
    index = {p: i for i, p in enumerate(panel.participants)}
    bottom = TOP + ROW_H * (len(panel.arrows) + 1)
    out = [
        f'<text class="panel-title" x="{x0 + 10}" y="20" font-family="sans-serif" '
        f'font-size="14" font-weight="bold">{escape(panel.title)}</text>'
    ]
    for p, x in zip(panel.participants, xs, strict=True):
        w = _text_w(p) + 16
        out.append(
            f'<g class="participant"><rect x="{x - w / 2:.1f}" y="32" width="{w:.1f}" '
            f'height="24" rx="4" fill="#e3f2fd" stroke="#1565c0"/>'
            f'<text x="{x:.1f}" y="48" text-anchor="middle" {FONT}>{escape(p)}</text>'
            f'<line x1="{x:.1f}" y1="56" x2="{x:.1f}" y2="{bottom}" stroke="#90a4ae" '
            f'stroke-dasharray="4 3"/></g>'
        )
    if not panel.arrows:
        out.append(
            f'<text x="{x0 + 10}" y="{TOP + 10}" font-family="sans-serif" font-size="12">'
            "(nothing observed)</text>"
        )
    for k, a in enumerate(panel.arrows):
        y = TOP + ROW_H * (k + 1)
        colour = MARKS.get(a.marks[0], ("#c62828",))[0] if a.marks else "#263238"
        if a.findings and not a.marks:
            colour = "#c62828"
        marks = _mark_text(a)
        attrs = f'class="arrow" data-label={quoteattr(a.label)} data-marks="{" ".join(a.marks)}"'
        x1 = xs[index[a.source]]
        if a.note:
            w = _text_w(a.label) + 12 + (_text_w(" " + marks) if marks else 0)
            out.append(
                f'<g {attrs}><rect x="{x1 + 6:.1f}" y="{y - 16}" width="{w:.1f}" height="20" '
                f'fill="#fffde7" stroke="{colour}"/>'
                f'<text class="label" x="{x1 + 12:.1f}" y="{y - 2}" {FONT}>{escape(a.label)}</text>'
                + _mark_svg(marks, x1 + 12 + _text_w(a.label + " "), y - 2, colour)
                + "</g>"
            )
            continue
        x2 = xs[index[a.target]]
        head = -8 if x2 > x1 else 8
        dash = ' stroke-dasharray="6 4"' if a.reply or "missing" in a.marks else ""
        start = min(x1, x2) + 8
        out.append(
            f'<g {attrs}><line x1="{x1:.1f}" y1="{y}" x2="{x2:.1f}" y2="{y}" stroke="{colour}" '
            f'stroke-width="1.6"{dash}/>'
            f'<polygon points="{x2:.1f},{y} {x2 + head:.1f},{y - 4} {x2 + head:.1f},{y + 4}" '
            f'fill="{colour}"/>'
            f'<text class="label" x="{start:.1f}" y="{y - 6}" {FONT} fill="{colour}">'
            f"{escape(a.label)}</text>"
            + _mark_svg(marks, start + _text_w(a.label + " "), y - 6, colour)
            + "</g>"
        )
    return out, width, bottom + 20


def _mark_svg(marks: str, x: float, y: float, colour: str) -> str:
    if not marks:
        return ""
    return (
        f'<text class="mark" x="{x:.1f}" y="{y}" {FONT} font-weight="bold" fill="{colour}">'
        f"{escape(marks)}</text>"
    )


def render(
    rows: list[StepRow],
    observed: Sequence[Mapping[str, Any]],
    findings: Iterable[Mapping[str, Any]] = (),
    not_observable: Mapping[str, str] | None = None,
    title: str = "",
) -> str:
    """One SVG document: the expected panel on the left, the observed one on the right."""
    left, right = panels(rows, observed, findings, not_observable)
    body_l, width_l, height_l = _panel_svg(left, 0)
    body_r, width_r, height_r = _panel_svg(right, width_l + 30)
    width = width_l + 30 + width_r
    height = max(height_l, height_r) + 20
    legend = "  ".join(f"{word}" for _, word in MARKS.values())
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" role="img">',
            f"<title>{escape(title or 'sequence: expected and observed')}</title>",
            f'<rect width="{width:.0f}" height="{height:.0f}" fill="white"/>',
            f'<line x1="{width_l + 15:.0f}" y1="0" x2="{width_l + 15:.0f}" y2="{height:.0f}" '
            'stroke="#cfd8dc"/>',
            *body_l,
            *body_r,
            f'<text x="10" y="{height - 8:.0f}" font-family="sans-serif" font-size="10" '
            f'fill="#607d8b">marks: {escape(legend)}; dashed: reply or missing</text>',
            "</svg>",
            "",
        ]
    )


class _Entries(Sequence[Mapping[str, Any]]):
    """The index entries of a trace, made one at a time as the diagram reads them: a fleet's
    trace is never held as dictionaries all at once."""

    def __init__(self, exchanges: Sequence[Exchange]) -> None:
        self.exchanges = exchanges

    def __len__(self) -> int:
        return len(self.exchanges)

    @overload
    def __getitem__(self, i: int) -> Mapping[str, Any]: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[Mapping[str, Any]]: ...

    def __getitem__(self, i: int | slice) -> Mapping[str, Any] | Sequence[Mapping[str, Any]]:
        if isinstance(i, slice):
            return [x.to_dict() for x in self.exchanges[i]]
        return self.exchanges[i].to_dict()


def for_world(world: World, findings: Iterable[Finding]) -> str:
    """The diagram of a scenario that just ran."""
    rows = [world.use_case.row(n) for n in world.scenario.steps]
    return render(
        rows,
        _Entries(world.trace.exchanges),
        [f.to_dict() for f in findings],
        world.not_observable,
        f"{world.use_case.id} {world.scenario.id}: expected and observed",
    )
