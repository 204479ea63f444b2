"""``amicert validate``, output line by line and field by field, and each exit code's cause."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from amicert.cim.xmlsafe import MAX_BYTES
from amicert.cli import main

from .conftest import DATA, sample

REPO = Path(__file__).resolve().parents[2]
MESSAGE_XSD = REPO / "cim_schemas" / "message" / "Message.xsd"
EVENTS_XSD = REPO / "cim_schemas" / "nouns" / "EndDeviceEvents.xsd"
MSG = "{http://iec.ch/TC57/2011/schema/message}"
REPLY = str(DATA / "valid" / "reply_ok.xml")
BAD_CODE = str(DATA / "invalid" / "bad_event_code.xml")
NO_ZONE = str(DATA / "invalid" / "timestamp_no_zone.xml")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], str]:
    code = main(["validate", *args])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


def test_a_valid_file_lists_its_parts_and_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, REPLY) == (
        0,
        [
            f"{REPLY}: envelope {MSG}ResponseMessage: checked by {MESSAGE_XSD}",
            f"{REPLY}: VALID",
        ],
        "",
    )


def test_an_invalid_file_lists_each_finding(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, BAD_CODE) == (
        1,
        [
            f"{BAD_CODE}: envelope {MSG}EventMessage: checked by {MESSAGE_XSD}",
            f"{BAD_CODE}: payload {{http://iec.ch/TC57/2011/EndDeviceEvents#}}EndDeviceEvents: "
            f"checked by {EVENTS_XSD}",
            f"{BAD_CODE}: ERROR CODE-EVENT-TYPE: EndDeviceEventType code '3.11.firmware.52' is "
            "not four dot-separated non-negative integers (type.domain.subdomain.eventOrAction) "
            "[/*/*[2]/*/*/*[6]] (received: 3.11.firmware.52)",
            f"{BAD_CODE}: INVALID",
        ],
        "",
    )


def test_json_gives_every_field(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--json", NO_ZONE)
    assert (code, err) == (1, "")
    assert json.loads("\n".join(out)) == [
        {
            "file": NO_ZONE,
            "verdict": "INVALID",
            "valid": False,
            "checked": True,
            "parts": [
                {
                    "part": "envelope",
                    "element": f"{MSG}EventMessage",
                    "checked": True,
                    "schema": str(MESSAGE_XSD),
                    "xpath": "/*",
                },
                {
                    "part": "payload",
                    "element": "{http://iec.ch/TC57/2011/EndDeviceEvents#}EndDeviceEvents",
                    "checked": True,
                    "schema": str(EVENTS_XSD),
                    "xpath": "/*/*[2]/*",
                },
            ],
            "findings": [
                {
                    "rule": "ENV-TIMESTAMP-ZONE",
                    "severity": "error",
                    "message": "Timestamp '2024-05-01T12:00:00' has no timezone",
                    "xpath": "/*/*[1]/*[4]",
                    "expected": "Z or +hh:mm",
                    "received": "2024-05-01T12:00:00",
                    "blame": "sut",
                }
            ],
        }
    ]


def _unchecked(tmp_path: Path) -> Path:
    """A reply in the Ed.2 namespace, for which no schema is installed: nothing is checked."""
    path = tmp_path / "ed2.xml"
    path.write_bytes(sample("valid/reply_ok.xml").replace(b"/2011/schema/", b"/2021/schema/"))
    return path


def test_a_file_nothing_could_check_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _unchecked(tmp_path)
    ed2 = "{http://iec.ch/TC57/2021/schema/message}"
    note = "no schema for namespace http://iec.ch/TC57/2021/schema/message"
    assert run(capsys, str(path)) == (
        3,
        [
            f"{path}: envelope {ed2}ResponseMessage: NOT CHECKED ({note})",
            f"{path}: WARNING XSD-ENVELOPE-UNCHECKED: envelope {ed2}ResponseMessage not checked: "
            f"{note} [/*] (received: http://iec.ch/TC57/2021/schema/message)",
            f"{path}: UNCHECKED",
        ],
        "",
    )
    code, out, _ = run(capsys, "--json", str(path))
    [result] = json.loads("\n".join(out))
    assert (code, result["verdict"], result["valid"], result["checked"]) == (
        3,
        "UNCHECKED",
        True,
        False,
    )
    assert run(capsys, "--strict", str(path))[0] == 1  # its warning fails under --strict
    assert run(capsys, str(path), REPLY)[0] == 0  # another file was checked
    assert run(capsys, str(path), BAD_CODE)[0] == 1


def test_an_unreadable_file_is_its_own_result(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.xml"
    assert run(capsys, str(missing)) == (
        1,
        [
            f"{missing}: ERROR FILE-UNREADABLE: cannot read {missing}: No such file or directory",
            f"{missing}: UNREADABLE",
        ],
        "",
    )


def test_a_directory_gives_its_xml_files_in_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.XML").write_bytes(sample("valid/reply_ok.xml"))
    (tmp_path / "1.xml").write_bytes(sample("valid/reply_ok.xml"))
    (tmp_path / "notes.txt").write_text("not a message")
    (tmp_path / "dir.xml").mkdir()
    code, out, _ = run(capsys, str(tmp_path))
    assert code == 0
    assert [line for line in out if line.endswith(": VALID")] == [
        f"{tmp_path / '1.xml'}: VALID",
        f"{tmp_path / 'b' / '2.XML'}: VALID",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--now", "nope", REPLY], "--now 'nope' is not an ISO 8601 date-time"),
        (
            ["--now", "2024-05-01T12:00:00", REPLY],
            "--now needs a timezone (e.g. 2024-05-01T12:00:00Z)",
        ),
        (["--schema-dir", "/no/such/dir", REPLY], "schema directory /no/such/dir does not exist"),
    ],
)
def test_a_usage_problem_exits_2_and_says_which(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert run(capsys, *args) == (2, [], f"amicert validate: error: {message}\n")


def test_an_empty_directory_is_a_usage_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, str(tmp_path), str(tmp_path)) == (
        2,
        [],
        f"amicert validate: error: no *.xml file under {tmp_path}, {tmp_path}\n",
    )


def test_now_is_used_as_the_receiver_clock(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "replay.xml"
    path.write_bytes(
        sample("valid/reply_ok.xml").replace(
            b"<Timestamp>",
            b"<ReplayDetection><Nonce>n</Nonce><Created>2024-05-01T12:00:00Z</Created>"
            b"</ReplayDetection><Timestamp>",
        )
    )
    code, out, _ = run(capsys, "--now", "2024-05-01T13:00:00+01:00", str(path))
    assert (code, out[-1]) == (0, f"{path}: VALID")
    code, out, _ = run(capsys, "--now", "2024-05-01T12:10:00Z", str(path))
    assert code == 1
    assert [line.split(": ")[1] for line in out[1:-1]] == [
        "WARNING ENV-TIMESTAMP-SKEW",
        "ERROR ENV-REPLAY",
    ]
    assert "ReplayDetection/Created is 600 s old; window is 300 s" in out[2]


VALIDATE_HELP = """\
usage: amicert validate [-h] [--strict] [--schema-dir SCHEMA_DIR] [--json] [--now NOW]
                        PATH [PATH ...]

Validate message files: safe parse, envelope and payload XSD, envelope and code rules. Exit 0
valid, 1 invalid or unreadable, 3 nothing could be checked against a schema, 2 usage error.

positional arguments:
  PATH                  message file(s), or directories (*.xml inside)

options:
  -h, --help            show this help message and exit
  --strict              warnings fail too
  --schema-dir SCHEMA_DIR
                        schema directory (catalog.yaml, or XSDs/WSDLs to scan); repeatable, first
                        wins; the harness's own schemas are used after them
  --json                print results as JSON
  --now NOW             check ReplayDetection freshness against this ISO 8601 time (with a zone);
                        without it the freshness check is skipped for captured files
"""
SCHEMAS_HELP = """\
usage: amicert schemas [-h] {import} ...

positional arguments:
  {import}
    import    build catalog.yaml for a folder of XSDs/WSDLs

options:
  -h, --help  show this help message and exit
"""
IMPORT_HELP = """\
usage: amicert schemas import [-h] [--output OUTPUT] [--json] DIR

Scan DIR for XSDs and WSDLs, file each schema by targetNamespace (kind and year from the
namespace) and write DIR/catalog.yaml (or --output).

positional arguments:
  DIR

options:
  -h, --help       show this help message and exit
  --output OUTPUT  where to write the catalog
  --json           print the catalog as JSON instead
"""


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["validate", "--help"], VALIDATE_HELP),
        (["schemas", "--help"], SCHEMAS_HELP),
        (["schemas", "import", "--help"], IMPORT_HELP),
    ],
)
def test_the_help_says_what_each_option_does(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str], text: str
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    assert main(args) == 0
    assert capsys.readouterr().out == text


def test_the_command_list_names_validate_and_schemas(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    assert main(["--help"]) == 0
    lines = [line.strip() for line in capsys.readouterr().out.splitlines()]
    assert "validate            validate CIM (IEC 61968-100) or device-protocol message files" in (
        lines
    )
    assert "schemas             manage schema packs (official IEC XSDs, a vendor's)" in lines


def test_schemas_needs_a_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schemas"]) == 2
    assert "the following arguments are required: schemas_command" in capsys.readouterr().err


def test_json_is_indented_by_two(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "--json", REPLY)
    assert out[:3] == ["[", "  {", f'    "file": "{REPLY}",']


def test_every_file_after_an_unreadable_one_is_still_judged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "pipe.xml"
    os.mkfifo(fifo)
    code, out, _ = run(capsys, str(fifo), REPLY)
    assert code == 1
    assert out[:2] == [
        f"{fifo}: ERROR FILE-UNREADABLE: {fifo} is not a regular file",
        f"{fifo}: UNREADABLE",
    ]
    assert out[-1] == f"{REPLY}: VALID"


def test_a_file_over_the_limit_is_read_one_byte_past_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = tmp_path / "big.xml"
    big.write_bytes(b"<a>" + b"x" * MAX_BYTES + b"</a>")
    assert run(capsys, str(big)) == (
        1,
        [
            f"{big}: ERROR XML-SIZE: message of {MAX_BYTES + 1} bytes exceeds {MAX_BYTES} bytes",
            f"{big}: INVALID",
        ],
        "",
    )
    exact = tmp_path / "exact.xml"
    count, rest = divmod(MAX_BYTES - 7, 4)
    exact.write_bytes(b"<a>" + b"<b/>" * count + b" " * rest + b"</a>")  # the limit itself
    assert run(capsys, str(exact))[1][-2:] == [
        f"{exact}: ERROR MSG-UNKNOWN-ROOT: root element a is not in an IEC or known namespace, "
        "not a message [/a] (received: a)",
        f"{exact}: INVALID",
    ]


def test_a_schema_directory_without_a_catalog_is_a_usage_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--schema-dir", str(tmp_path), REPLY)
    assert (code, out) == (2, [])
    assert err.startswith("amicert validate: error: ") and str(tmp_path) in err
