"""Fleet scale: a firmware campaign over N meters, every message checked, as a user runs it.

Each figure is one ``amicert run --fleet N`` in its own process (reference implementation, all
reports written): wall and CPU time, peak RSS, report size, messages per second, and the growth
exponent of CPU time between successive sizes (1.0 is linear). Also the default ``amicert run``
(the main job) for comparison, and any fleet-scalable scenario of other use cases.

Peak memory should be flat in N: the growth per meter between sizes is printed (what remains
is the per-exchange record and index entries; the messages' bytes live in the archive). The
largest size up to 10,000 is also run with validation in one process (``--workers 0``) to give
the speed-up of the validation workers. CPU time is the ``amicert`` process's and the children
it waited for; the workers are started by a fork server, so their time may not be counted.

    python benchmarks/bench_fleet.py            # N = 100, 1,000, 5,000, 10,000
    python benchmarks/bench_fleet.py --huge     # and 100,000
    python benchmarks/bench_fleet.py --sizes 100 500
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Figure:
    label: str
    meters: int
    verdicts: str
    messages: int
    wall_s: float
    cpu_s: float
    peak_rss_mib: float
    report_mib: float

    @property
    def rate(self) -> float:
        return self.messages / self.wall_s if self.wall_s else 0.0


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def measure(label: str, meters: int, args: list[str]) -> Figure:
    """One ``amicert run`` in a child process; its own rusage gives CPU and peak memory."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "reports"
        cmd = [sys.executable, "-m", "amicert.cli", "run", *args, "--report-dir", str(report)]
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        summary_path = report / "summary.json"
        if not summary_path.exists():
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            raise SystemExit(f"{label}: no summary (exit {proc.returncode}): {err[-800:]}")
        summary = json.loads(summary_path.read_text())
        scenarios = summary["scenarios"]
        verdicts = ", ".join(f"{n} {v}" for v, n in summary["totals"].items() if n)
        return Figure(
            label=label,
            meters=meters,
            verdicts=verdicts,
            messages=sum(int(s.get("exchanges") or 0) for s in scenarios),
            wall_s=wall,
            cpu_s=usage.ru_utime + usage.ru_stime,
            peak_rss_mib=usage.ru_maxrss / 1024,  # Linux reports KiB
            report_mib=_size(report) / 2**20,
        )


def table(figures: list[Figure]) -> str:
    lines = [
        "| run | meters | verdicts | messages | wall s | CPU s | peak RSS MiB | report MiB "
        "| messages/s | growth (CPU) |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    previous: Figure | None = None
    for f in figures:
        growth = ""
        if previous is not None and previous.label.split()[0] == f.label.split()[0]:
            ratio = f.meters / previous.meters
            if ratio > 1 and previous.cpu_s > 0:
                growth = f"{math.log(f.cpu_s / previous.cpu_s) / math.log(ratio):.2f}"
        lines.append(
            f"| {f.label} | {f.meters:,} | {f.verdicts} | {f.messages:,} | {f.wall_s:.1f} | "
            f"{f.cpu_s:.1f} | {f.peak_rss_mib:.0f} | {f.report_mib:.1f} | {f.rate:,.0f} | {growth} |"
        )
        previous = f
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1_000, 5_000, 10_000])
    parser.add_argument(
        "--no-serial", action="store_true", help="skip the run with validation in one process"
    )
    parser.add_argument("--huge", action="store_true", help="also 100,000 meters")
    args = parser.parse_args()
    sizes = sorted(set(args.sizes + ([100_000] if args.huge else [])))
    figures = [measure("main job (default `amicert run`)", 0, [])]
    print(table(figures), flush=True)
    for n in sizes:
        figures.append(
            measure(
                "AEP-5.8 normal", n, ["--use-case", "AEP-5.8", "-k", "normal", "--fleet", str(n)]
            )
        )
        print(table(figures[-1:]).splitlines()[-1], flush=True)
    largest = max([n for n in sizes if n <= 10_000], default=None)
    if largest is not None and not args.no_serial:
        serial = measure(
            "AEP-5.8 normal, validation in one process",
            largest,
            ["--use-case", "AEP-5.8", "-k", "normal", "--fleet", str(largest), "--workers", "0"],
        )
        figures.append(serial)
        print(table(figures[-1:]).splitlines()[-1], flush=True)
    sys.path.insert(0, str(ROOT))
    from amicert.catalog import load_catalog

    others = [uc for uc in load_catalog() if uc != "AEP-5.8"]
    for uc in others:
        listing = subprocess.run(
            [sys.executable, "-m", "amicert.cli", "list", "--json"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        data = {u["id"]: u for u in json.loads(listing.stdout)["use_cases"]}[uc]
        scalable = [s["id"] for s in data["scenarios"] if s["fleet_scalable"]]
        if not scalable:
            print(f"{uc}: no fleet-scalable scenario (its scenarios follow one meter)")
            continue
        for n in sizes:
            figures.append(measure(f"{uc} fleet", n, ["--use-case", uc, "--fleet", str(n)]))
    print()
    print(table(figures))
    big = [f for f in figures if f.label == "AEP-5.8 normal"]
    by_n = {f.meters: f for f in big}
    if 1_000 in by_n and 10_000 in by_n:
        print(
            f"\n10,000 over 1,000 meters: wall x{by_n[10_000].wall_s / by_n[1_000].wall_s:.1f}, "
            f"CPU x{by_n[10_000].cpu_s / by_n[1_000].cpu_s:.1f} (linear: x10)"
        )
    ordered = sorted(by_n.values(), key=lambda f: f.meters)
    for small, large in itertools.pairwise(ordered):
        per_meter = (large.peak_rss_mib - small.peak_rss_mib) * 1024 / (large.meters - small.meters)
        print(
            f"peak RSS from {small.meters:,} to {large.meters:,} meters: {per_meter:.1f} KiB "
            f"per meter ({large.messages / large.meters:.0f} messages each)"
        )
    one = [f for f in figures if f.label.endswith("validation in one process")]
    if one and one[0].meters in by_n:
        workers = by_n[one[0].meters]
        print(
            f"validation workers at {one[0].meters:,} meters: wall {one[0].wall_s:.1f} s in one "
            f"process, {workers.wall_s:.1f} s with workers (x{one[0].wall_s / workers.wall_s:.2f})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
