"""Mutation testing of the CIM validator (amicert/cim/) and the sequence matcher (amicert/trace.py).

Runs mutmut (configured in pyproject.toml, ``[tool.mutmut]``) on the chosen modules, then prints,
per module, how many mutants the tests killed, how many survived, timed out, had no test, and how
many are listed as equivalent (scripts/mutation_equivalents.txt: a change no caller can observe).
The score is killed (and timed out) over the non-equivalent mutants.

    .venv/bin/python scripts/mutation.py                           # every configured module
    .venv/bin/python scripts/mutation.py --module amicert/trace.py # one module (or a folder)
    .venv/bin/python scripts/mutation.py --report                  # the last results, no run
    .venv/bin/python scripts/mutation.py --survivors               # also list what survived
    .venv/bin/python scripts/mutation.py --rerun-survivors         # after adding tests: only those
                                                                   # (after a code change: run whole)

An equivalence entry names the mutant and the hash mutmut gives its function: when the function
changes the entry no longer applies, is reported as stale, and the mutant counts as a survivor.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENTS = ROOT / "scripts" / "mutation_equivalents.txt"
LOG = ROOT / "mutants" / "mutation-run.log"

# mutmut's exit codes per mutant (mutmut.stats.status_by_exit_code), grouped for the score
DETECTED = {"killed", "timeout", "segfault", "caught by type check"}
STATUS_BY_EXIT_CODE: dict[int | None, str] = {
    1: "killed",
    3: "killed",
    0: "survived",
    5: "no tests",
    33: "no tests",
    34: "skipped",
    35: "suspicious",
    36: "timeout",
    37: "caught by type check",
    -24: "timeout",
    24: "timeout",
    152: "timeout",
    255: "timeout",
    -11: "segfault",
    -9: "segfault",
    None: "not checked",
}


@dataclass(frozen=True)
class Equivalent:
    """A mutant that cannot change behaviour, valid for one version of its function."""

    mutant: str
    function_hash: str
    reason: str


@dataclass
class ModuleScore:
    """Mutant outcomes of one source file."""

    path: str
    counts: dict[str, int] = field(default_factory=dict)
    equivalent: int = 0
    survivors: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values()) + self.equivalent

    @property
    def detected(self) -> int:
        return sum(n for status, n in self.counts.items() if status in DETECTED)

    @property
    def score(self) -> float:
        judged = self.total - self.equivalent
        return 100.0 * self.detected / judged if judged else 100.0


def configured_modules() -> list[str]:
    """The files pyproject.toml's [tool.mutmut] only_mutate names (globs expanded)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    found: list[str] = []
    for pattern in config["only_mutate"]:
        found += sorted(str(p.relative_to(ROOT)) for p in ROOT.glob(pattern) if p.suffix == ".py")
    return found


def files_of(module: str) -> list[str]:
    """``module`` (a .py file or a folder under amicert/) as the configured files it covers."""
    target = module.rstrip("/")
    chosen = [m for m in configured_modules() if m == target or m.startswith(target + "/")]
    if not chosen:
        raise SystemExit(f"mutation: {module!r} is not among the configured modules")
    return chosen


def mutant_glob(path: str) -> str:
    """mutmut's name pattern for the mutants of one file (amicert/cim/rules.py -> amicert.cim.rules.*)."""
    return path.removesuffix(".py").replace("/", ".") + ".*"


def load_equivalents() -> dict[str, Equivalent]:
    """The reviewed equivalent mutants: ``mutant function-hash reason`` per line, # for comments."""
    entries: dict[str, Equivalent] = {}
    for number, line in enumerate(EQUIVALENTS.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split(maxsplit=2)
        if len(parts) != 3:
            raise SystemExit(f"{EQUIVALENTS.name}:{number}: want 'mutant function-hash reason'")
        entries[parts[0]] = Equivalent(parts[0], parts[1], parts[2])
    return entries


def score_of(path: str, equivalents: dict[str, Equivalent]) -> ModuleScore:
    """The last recorded outcome of every mutant of ``path``."""
    meta = ROOT / "mutants" / (path + ".meta")
    result = ModuleScore(path)
    if not meta.exists():
        return result
    data = json.loads(meta.read_text(encoding="utf-8"))
    hashes: dict[str, str] = data.get("hash_by_function_name", {})
    for mutant, code in data["exit_code_by_key"].items():
        status = STATUS_BY_EXIT_CODE.get(code, "suspicious")
        entry = equivalents.get(mutant)
        if entry is not None and status not in DETECTED:
            function = mutant.partition("__mutmut_")[0].rpartition(".")[2]
            if hashes.get(function) == entry.function_hash:
                result.equivalent += 1
                continue
            result.stale.append(mutant)
        result.counts[status] = result.counts.get(status, 0) + 1
        if status not in DETECTED:
            result.survivors.append(mutant)
    return result


def run_mutmut(names: list[str], max_children: int) -> None:
    """Run (again) the mutants ``names`` match: tests may have changed since the last run."""
    LOG.parent.mkdir(exist_ok=True)
    mutmut = Path(sys.executable).with_name("mutmut")
    command = ["nice", "-n", "10", str(mutmut), "run", "--max-children", str(max_children)]
    command += names
    print("running:", " ".join(command[3:]), f"(log: {LOG.relative_to(ROOT)})", flush=True)
    with LOG.open("w", encoding="utf-8") as log:
        code = subprocess.run(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT).returncode
    if code != 0:
        raise SystemExit(f"mutation: mutmut exited {code}; see {LOG}")


def print_table(scores: list[ModuleScore], show_survivors: bool) -> None:
    columns = ["killed", "timeout", "survived", "no tests", "suspicious", "not checked"]
    header = f"{'module':32} " + " ".join(f"{c:>11}" for c in columns)
    print(header + f" {'equivalent':>10} {'total':>6} {'score':>7}")
    overall = ModuleScore("all")
    for s in scores:
        cells = " ".join(f"{s.counts.get(c, 0):>11}" for c in columns)
        print(f"{s.path:32} {cells} {s.equivalent:>10} {s.total:>6} {s.score:>6.1f}%")
        for status, n in s.counts.items():
            overall.counts[status] = overall.counts.get(status, 0) + n
        overall.equivalent += s.equivalent
    if len(scores) > 1:
        cells = " ".join(f"{overall.counts.get(c, 0):>11}" for c in columns)
        print(
            f"{'all':32} {cells} {overall.equivalent:>10} {overall.total:>6} {overall.score:>6.1f}%"
        )
    survivors = sum(len(s.survivors) for s in scores)
    print(f"surviving mutants (not equivalent): {survivors}")
    for s in scores:
        for mutant in s.stale:
            print(f"stale equivalence entry (its function changed): {mutant}")
        if show_survivors:
            for mutant in s.survivors:
                print(f"  survived: {mutant}   (see: mutmut show {mutant})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--module", action="append", help="a configured file or folder (repeatable)"
    )
    parser.add_argument("--max-children", type=int, default=2, help="parallel mutant runs")
    parser.add_argument("--report", action="store_true", help="print the last results only")
    parser.add_argument("--survivors", action="store_true", help="list surviving mutants")
    parser.add_argument(
        "--rerun-survivors",
        action="store_true",
        help="run only the mutants that survived last time (a killed one stays killed while its "
        "function is unchanged: mutmut reruns a mutant whose function changed)",
    )
    args = parser.parse_args(argv)
    paths = sorted({p for m in args.module or ["amicert"] for p in files_of(m)})
    equivalents = load_equivalents()
    if args.rerun_survivors:
        names = [name for p in paths for name in score_of(p, equivalents).survivors]
        if names:
            run_mutmut(names, args.max_children)
    elif not args.report:
        run_mutmut([mutant_glob(p) for p in paths], args.max_children)
    print_table([score_of(p, equivalents) for p in paths], args.survivors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
