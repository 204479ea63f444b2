"""``amicert validate``: output per file and the exit-code contract (0 valid, 1 invalid, 2 usage)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from amicert.cli import main

from .conftest import DATA, edited

VALID = str(DATA / "valid" / "created_enddeviceevents_generic.xml")
WRAPPER = str(DATA / "valid" / "created_enddeviceevents_wrapper.xml")
INVALID = str(DATA / "invalid" / "bad_event_code.xml")
XXE = str(DATA / "hostile" / "xxe_passwd.xml")


def test_valid_files_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", VALID, WRAPPER]) == 0
    out = capsys.readouterr().out
    assert f"{VALID}: VALID" in out and f"{WRAPPER}: VALID" in out


def test_invalid_file_exits_1_with_one_line_per_finding(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", VALID, INVALID]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert f"{VALID}: VALID" in lines
    assert f"{INVALID}: INVALID" in lines
    finding_lines = [line for line in lines if "CODE-EVENT-TYPE" in line]
    assert len(finding_lines) == 1
    assert finding_lines[0].startswith(f"{INVALID}: ERROR CODE-EVENT-TYPE: ")


def test_hostile_file_is_invalid_not_a_crash(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", XXE]) == 1
    out = capsys.readouterr().out
    assert "XML-DOCTYPE" in out and "root:x:0:0" not in out


def _warning_only(tmp_path: Path) -> str:
    path = tmp_path / "unknown_code.xml"
    path.write_bytes(
        edited("valid/created_enddeviceevents_generic.xml", "3.11.17.52", "3.11.17.999")
    )
    return str(path)


def test_warnings_pass_unless_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _warning_only(tmp_path)
    assert main(["validate", path]) == 0
    assert "WARNING CODE-EVENT-TYPE-UNKNOWN" in capsys.readouterr().out
    assert main(["validate", "--strict", path]) == 1
    assert f"{path}: INVALID" in capsys.readouterr().out


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--json", VALID, INVALID]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [r["valid"] for r in report] == [True, False]
    assert report[1]["findings"][0]["rule"] == "CODE-EVENT-TYPE"
    assert report[1]["findings"][0]["severity"] == "error"


def test_missing_file_is_a_per_file_result(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = str(tmp_path / "nope.xml")
    assert main(["validate", VALID, missing]) == 1
    captured = capsys.readouterr()
    assert f"{VALID}: VALID" in captured.out
    assert f"{missing}: UNREADABLE" in captured.out
    assert "FILE-UNREADABLE" in captured.out and "cannot read" in captured.out
    assert "Traceback" not in captured.err


def test_directory_is_searched_recursively(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--json", str(DATA / "valid")]) == 0
    results = json.loads(capsys.readouterr().out)
    assert len(results) == len(list((DATA / "valid").rglob("*.xml")))
    assert all(r["verdict"] == "VALID" and r["checked"] for r in results)
    assert main(["validate", str(DATA)]) == 1  # invalid/ and hostile/ are in there too
    capsys.readouterr()


def test_directory_without_messages_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["validate", str(tmp_path)]) == 2
    assert "no *.xml file" in capsys.readouterr().err


def test_no_files_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 2
    assert "PATH" in capsys.readouterr().err


def test_bad_option_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--no-such-option", VALID]) == 2
    capsys.readouterr()


def test_missing_schema_dir_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["validate", "--schema-dir", str(tmp_path / "none"), VALID]) == 2
    assert "schema directory" in capsys.readouterr().err


def test_schema_dir_without_catalog_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["validate", "--schema-dir", str(tmp_path), VALID]) == 2
    assert "catalog" in capsys.readouterr().err


def test_schema_dir_option_is_used(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "schemas"
    shutil.copytree(Path(__file__).resolve().parents[2] / "cim_schemas", copy)
    assert main(["validate", "--schema-dir", str(copy), VALID]) == 0
    capsys.readouterr()


def test_now_enables_the_replay_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "replay.xml"
    path.write_bytes(
        edited(
            "valid/created_enddeviceevents_generic.xml",
            "<Timestamp>",
            "<ReplayDetection><Nonce>n</Nonce><Created>2024-05-01T12:00:00Z</Created>"
            "</ReplayDetection><Timestamp>",
        )
    )
    assert main(["validate", str(path)]) == 0
    assert main(["validate", "--now", "2024-05-01T12:01:00Z", str(path)]) == 0
    assert main(["validate", "--now", "2024-05-02T12:00:00Z", str(path)]) == 1
    assert "ENV-REPLAY" in capsys.readouterr().out


@pytest.mark.parametrize("value", ["tomorrow", "2024-05-01T12:00:00"])
def test_bad_now_exits_2(capsys: pytest.CaptureFixture[str], value: str) -> None:
    assert main(["validate", "--now", value, VALID]) == 2
    assert "--now" in capsys.readouterr().err


def test_console_script() -> None:
    script = Path(sys.executable).parent / "amicert"
    if not script.exists():
        pytest.skip("amicert is not installed in this environment")
    done = subprocess.run(
        [str(script), "validate", VALID, INVALID], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert "CODE-EVENT-TYPE" in done.stdout
    assert "Traceback" not in done.stderr


def test_a_path_that_is_not_a_regular_file_is_a_per_file_result(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    import os

    from amicert.cli import main

    fifo = tmp_path / "pipe.xml"
    os.mkfifo(fifo)
    assert main(["validate", str(fifo)]) == 1  # never blocks reading a FIFO
    out = capsys.readouterr().out
    assert "not a regular file" in out and "UNREADABLE" in out
