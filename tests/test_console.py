"""What `amicert run` prints and which scenarios it picks: progress lines, table, selection."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from cli_support import amicert, amicert_here

from amicert.report.console import first_line, short_example

ROOT = Path(__file__).resolve().parents[1]

LINE = re.compile(r"^\[(\d+)/(\d+)\] (\S+) (\S+)(?: \[([^\]]+)\])? \.\.\. (\w+) \((\d+\.\d\d) s\)")


def progress_lines(stdout: str) -> list[re.Match[str]]:
    return [m for m in map(LINE.match, stdout.splitlines()) if m]


def test_a_run_prints_one_line_per_scenario_and_a_table_and_nothing_from_pytest(
    tmp_path: Path,
) -> None:
    proc = amicert("run", "--use-case", "AEP-5.8", "--report-dir", str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = progress_lines(proc.stdout)
    assert [(m.group(1), m.group(2)) for m in lines] == [(str(n), "5") for n in range(1, 6)]
    assert {m.group(3) for m in lines} == {"AEP-5.8"}
    assert [m.group(6) for m in lines] == ["PASS"] * 5
    assert {m.group(5) for m in lines if m.group(4) == "image-refused"} == {
        "image corrupted in transit",
        "image for another model",
        "downgrade",
    }
    assert re.search(
        r"^verdict\s+use case\s+scenario\s+time\s+rule @ step\s+reason$", proc.stdout, re.M
    )
    for noise in ("passed", "::", "[100%]", "test_use_cases", "POST /", "HTTP/1.1", "====="):
        assert noise not in proc.stdout + proc.stderr, noise


def test_verbose_shows_each_step_row_with_its_exchange_files_and_findings(tmp_path: Path) -> None:
    proc = amicert(
        "run",
        "--scenario",
        "normal",
        "--use-case",
        "AEP-5.8",
        "--actor",
        "AMI Head-End=mocks.faulty_actors:HeadEndGarblesCorrelation",
        "--report-dir",
        str(tmp_path),
        "-v",
    )
    assert proc.returncode == 1
    out = proc.stdout
    assert "    ok   Then step 1.1: the Meter Vendor sends" in out
    assert "    FAIL And step 1.11: the AMI Head-End sends" in out
    assert "ERROR SEQ-CORRELATION at step 1.11" in out
    summary = json.loads((tmp_path / "summary.json").read_text())
    evidence = tmp_path / summary["scenarios"][0]["evidence"]
    named = re.findall(r"\((\d{4}-step[^)]+\.xml)\)", out)
    assert named, out
    assert all((evidence / name).is_file() for name in named), named


def test_scenario_ids_from_list_select_scenarios(tmp_path: Path) -> None:
    listing = json.loads(amicert("list", "--json").stdout)
    ids = [s["id"] for uc in listing["use_cases"] if uc["id"] == "AEP-5.8" for s in uc["scenarios"]]
    assert "never-confirms" in ids
    proc = amicert(
        "run",
        "--scenario",
        "never-confirms",
        "--scenario",
        "AEP-5.8/normal",
        "--report-dir",
        str(tmp_path),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert sorted(s["scenario_id"] for s in summary["scenarios"]) == ["never-confirms", "normal"]


def test_an_unknown_scenario_id_is_a_usage_error_listing_the_known(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = amicert_here(
        capsys, "run", "--scenario", "image-refuse", "--report-dir", str(tmp_path)
    )
    assert code == 2
    assert "no scenario 'image-refuse'; known: AEP-5.8/normal, AEP-5.8/image-refused" in err


def test_k_matches_the_ids_list_prints(tmp_path: Path) -> None:
    proc = amicert("run", "-k", "image-refused and downgrade", "--report-dir", str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert [(s["scenario_id"], s["example"].split(",")[0]) for s in summary["scenarios"]] == [
        ("image-refused", "case=downgrade")
    ]


def test_rerun_failed_runs_only_what_did_not_pass_last_time(tmp_path: Path) -> None:
    example = "case=image for another model, firmware=4.2, model=BX-900, fault=none, reason=MODEL_MISMATCH"
    last = {
        "scenarios": [
            {"use_case": "AEP-5.8", "scenario_id": "normal", "example": "", "verdict": "PASS"},
            {
                "use_case": "AEP-5.8",
                "scenario_id": "image-refused",
                "example": example,
                "verdict": "FAIL",
            },
            {
                "use_case": "I2",
                "scenario_id": "tamper-theft",
                "example": "",
                "verdict": "INCONCLUSIVE",
            },
        ]
    }
    (tmp_path / "summary.json").write_text(json.dumps(last))
    proc = amicert("run", "--rerun-failed", "--report-dir", str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ran = json.loads((tmp_path / "summary.json").read_text())["scenarios"]
    assert [(s["scenario_id"], s["example"]) for s in ran] == [
        ("image-refused", example),
        ("tamper-theft", ""),
    ]
    again = amicert("run", "--rerun-failed", "--report-dir", str(tmp_path))
    assert again.returncode == 0 and "nothing to re-run" in again.stdout


def test_rerun_failed_without_a_summary_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = amicert_here(capsys, "run", "--rerun-failed", "--report-dir", str(tmp_path))
    assert code == 2 and "no summary.json in" in err
    (tmp_path / "summary.json").write_text("[1, 2]")
    code, _, err = amicert_here(capsys, "run", "--rerun-failed", "--report-dir", str(tmp_path))
    assert code == 2 and "is not an amicert summary" in err


def test_version_names_the_harness_and_its_libraries() -> None:
    proc = amicert("--version")
    assert proc.returncode == 0
    assert re.match(r"amicert \d+\.\d+\.\d+ \(Python 3\.\d+\.\d+; pytest \d", proc.stdout)
    assert "pytest-bdd" in proc.stdout


def test_long_text_is_shortened_at_a_word_with_an_ellipsis() -> None:
    text = "HTTPConnectionPool(host='127.0.0.1', port=8711): Max retries exceeded " * 4
    line = first_line(text, 80)
    assert line.endswith(" ...") and len(line) <= 84
    assert text.startswith(line[:-4])
    assert first_line("short\nsecond line") == "short"
    assert short_example("case=downgrade, firmware=4.0") == "downgrade"


def test_an_endpoint_nobody_listens_on_is_one_line_with_the_fix_before_the_run(
    tmp_path: Path,
) -> None:
    from ports import free_ports

    ports = free_ports(2)
    text = (ROOT / "examples" / "headend-over-soap.toml").read_text()
    text = text.replace("127.0.0.1:8711", f"127.0.0.1:{ports[0]}").replace(
        "port = 8712", f"port = {ports[1]}"
    )
    profile = tmp_path / "sut.toml"
    profile.write_text(text)
    proc = amicert(
        "run",
        "--sut",
        str(profile),
        "--scenario",
        "AEP-5.8/never-confirms",
        "--report-dir",
        str(tmp_path / "r"),
    )
    assert proc.returncode == 1
    lines = [line for line in proc.stderr.splitlines() if "nothing listens on" in line]
    assert lines == [
        f"amicert: nothing listens on 127.0.0.1:{ports[0]} (sut.address of {profile}): start the "
        f"product, or `amicert serve --sut {profile}` to stand the reference in for it; its "
        "scenarios will be INCONCLUSIVE"
    ]
    assert "INCONCLUSIVE" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_docker_without_an_engine_is_one_clear_line(tmp_path: Path) -> None:
    from amicert.adapters.docker import engine_problem

    if engine_problem() is None:
        pytest.skip("a Docker engine answers here: this test covers machines without one")
    text = (ROOT / "examples" / "mdm-over-soap.toml").read_text()
    text = text.replace(
        '"MDM" = { type = "soap" }', '"MDM" = { type = "docker", image = "vendor/mdm:1" }'
    )
    profile = tmp_path / "sut.toml"
    profile.write_text(text)
    proc = amicert(
        "run", "--sut", str(profile), "--use-case", "AEP-5.8", "--report-dir", str(tmp_path / "r")
    )
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "amicert: INCONCLUSIVE: no Docker engine answers at "
        + (__import__("os").environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock")
        + ": start Docker (or set DOCKER_HOST) to run vendor/mdm:1 (MDM)"
    ]


def test_a_reader_that_goes_away_stops_the_console_not_the_run(tmp_path: Path) -> None:
    """`amicert run | head -1`: the pipe closes after the first line; the run still ends with
    its reports, and says nothing about the closed pipe."""
    import subprocess
    import sys

    reports = tmp_path / "reports"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "amicert.cli",
            "run",
            "--use-case",
            "AEP-5.8",
            "-k",
            "normal",
            "--report-dir",
            str(reports),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the first line
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0, err
    assert "Traceback" not in err and "INTERNALERROR" not in err, err
    summary = json.loads((reports / "summary.json").read_text())
    assert [s["verdict"] for s in summary["scenarios"]] == ["PASS"]
