"""What ``amicert run`` prints while it works: one line per scenario, a final table.

pytest's own output (dots, FAILURES blocks, node ids) means nothing to a test engineer; the run
replaces it with one line per scenario (n/N, use case, scenario, verdict, wall time) and, with
``-v``, each step row with the exchanges it saw and its findings. Written around pytest's output
capture, so the lines appear as the scenarios run.
"""

from __future__ import annotations

import re
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from amicert.findings import Finding
    from amicert.report.summary import ScenarioResult
    from amicert.trace import Exchange

QUIET = "progress"
VERBOSE = "verbose"


@dataclass
class Started:
    """A scenario that began: its place in the run and when."""

    number: int
    use_case: str
    scenario: str
    started: float


def short_example(example: str) -> str:
    """An outline example in a console line: the value of its first column (``downgrade``)."""
    first = example.split(", ", 1)[0]
    return first.split("=", 1)[1] if "=" in first else first


def example_text(params: dict[str, Any]) -> str:
    """An outline example named by its parameters, in the column order of the table."""
    return ", ".join(f"{k}={v}" for k, v in params.items())


def first_line(text: str, limit: int | None = None) -> str:
    """The first line of ``text`` whole, or shortened at a word boundary with an explicit
    ellipsis when a ``limit`` is asked for (a library's message is never cut mid-word)."""
    line = (text.strip().splitlines() or [""])[0]
    if limit is None or len(line) <= limit:
        return line
    cut = line[:limit].rsplit(" ", 1)[0]
    return cut + " ..."


class Console:
    """Progress lines for one run; ``mode`` is ``progress`` or ``verbose``."""

    def __init__(self, out: TextIO, mode: str, capture: Any = None) -> None:
        self.out = out
        self.mode = mode
        self.capture = capture
        self.total = 0
        self.started: dict[str, Started] = {}
        self.durations: dict[str, float] = {}
        self._open = ""  # the nodeid whose start line still waits for its verdict
        self.gone = False  # the reader of the console went away

    @property
    def verbose(self) -> bool:
        return self.mode == VERBOSE

    def _uncaptured(self) -> AbstractContextManager[Any]:
        if self.capture is None:
            return nullcontext()
        disabled: AbstractContextManager[Any] = self.capture.global_and_fixture_disabled()
        return disabled

    def _write(self, text: str) -> None:
        if self.gone:
            return
        with self._uncaptured():
            try:
                self.out.write(text)
                self.out.flush()
            except BrokenPipeError:  # the reader went away (`amicert run | head`): the run and
                self.gone = True  # its reports go on; only the console stops

    def _close_open_line(self) -> None:
        if self._open:
            self._write("\n")
            self._open = ""

    def line(self, text: str) -> None:
        self._close_open_line()
        self._write(text + "\n")

    def _counter(self, number: int) -> str:
        width = len(str(self.total or number))
        return f"[{number:>{width}}/{self.total}]"

    def start(self, nodeid: str, use_case: str, scenario: str) -> None:
        """The scenario's line, left open for its verdict (closed early if steps are printed)."""
        number = len(self.started) + 1
        self.started[nodeid] = Started(number, use_case, scenario, time.monotonic())
        self._close_open_line()
        self._write(f"{self._counter(number)} {use_case} {scenario} ... ")
        self._open = nodeid
        if self.verbose:
            self._close_open_line()

    def end(self, nodeid: str, verdict: str, reason: str = "") -> None:
        """The verdict and wall time of a scenario, on its start line when nothing came between."""
        began = self.started.get(nodeid)
        if began is None:
            return
        elapsed = time.monotonic() - began.started
        self.durations[nodeid] = elapsed
        why = f"  {first_line(reason)}" if reason and verdict != "PASS" else ""
        text = f"{verdict} ({elapsed:.2f} s){why}"
        if self._open == nodeid:
            self._write(text + "\n")
            self._open = ""
        else:
            self.line(f"{self._counter(began.number)} {began.use_case} {began.scenario}: {text}")

    def step(
        self,
        nodeid: str,
        text: str,
        status: str,
        exchanges: list[Exchange],
        findings: list[Finding],
        file_name: Any,
    ) -> None:
        """With -v: one step row, the exchanges matched to it, and its findings."""
        if not self.verbose:
            return
        self.line(f"    {status:<4} {text}")
        for x in exchanges:
            arrow = "-->" if x.in_reply_to else "->"
            who = x.producer_id or x.receiver_id
            meter = f" [{who}]" if who else ""
            self.line(
                f"           #{x.seq} {x.producer} {arrow} {x.receiver}: {x.label}{meter}"
                f"  ({file_name(x)})"
            )
        for f in findings:
            self.line(f"           {f}")

    def table(self, results: list[ScenarioResult]) -> None:
        """The final table: one row per scenario, widths fitted to the content."""
        if not results:
            return
        rows = [("verdict", "use case", "scenario", "time", "rule @ step", "reason")]
        for r in results:
            where = (r.rule or "") + (f" @ {r.step}" if r.step else "")
            hidden = f" ({len(r.not_observable)} rows not observable)" if r.not_observable else ""
            name = r.scenario_id + (f" [{short_example(r.example)}]" if r.example else "")
            rows.append(
                (
                    r.verdict.value,
                    r.use_case,
                    name,
                    f"{r.duration_s:.2f} s",
                    where,
                    ("" if r.verdict.value == "PASS" else first_line(r.reason)) + hidden,
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(5)]
        self.line("")
        for i, row in enumerate(rows):
            cells = [row[c].ljust(widths[c]) for c in range(5)]
            self.line("  ".join([*cells, row[5]]).rstrip())
            if i == 0:
                self.line("  ".join("-" * w for w in widths))
        measured = [(r, m) for r in results for m in r.metrics]
        if measured:
            self.line("")
            self.line("measured figures:")
        for r, m in measured:
            name = r.scenario_id + (f" [{short_example(r.example)}]" if r.example else "")
            met = "met" if m.get("met") else "NOT met"
            self.line(
                f"  {r.use_case} {name}: {m.get('requirement')} {m.get('name')} "
                f"{float(m.get('value', 0)):,.1f} {m.get('unit')} (target {m.get('target')}; "
                f"{met}, {m.get('clock')} clock)"
            )


def step_number(text: str) -> str | None:
    """The row number a Gherkin step names (``step 1.4: ...``), if any."""
    found = re.match(r"step (\S+?)(?::| is triggered)", text)
    return found.group(1) if found else None
