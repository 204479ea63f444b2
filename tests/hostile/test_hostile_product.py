"""A hostile product in its own process against `amicert run` over loopback HTTP.

Each misbehaviour ends in a non-PASS verdict naming its rule, within three times the profile's
timeouts, with the offending bytes (up to the size cap) in the evidence, with no secret in any
form in any report file, and with the product's text inert in every report.
"""

from __future__ import annotations

import base64
import html
import json
import re
import signal
import struct
import subprocess
import sys
import time
import urllib.parse
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from ports import free_port

ROOT = Path(__file__).resolve().parents[2]
SERVER = Path(__file__).with_name("hostile_server.py")
SECRET = 'Hx7!q&<pw>"é~Long+Secret/='
SECRET_ENV = "AMICERT_HOSTILE_PW"
CONNECT_S, READ_S, WALL_S = 1.0, 1.0, 4.0
CAP = 65536
BOUND_S = 3 * (CONNECT_S + READ_S + WALL_S)

COMMON = f"""
[harness]
host = "127.0.0.1"
port = {{harness}}

[security]
username = "amicert"
password_env = "{SECRET_ENV}"

[timeouts]
connect_s = {CONNECT_S}
read_s = {READ_S}
scenario_wall_s = {WALL_S}
max_body_bytes = {CAP}
"""
MDM = (
    """
[product]
name = "hostile MDM"
version = "6.6.6"

[boundary]
actors = ["MDM"]

[bindings]
"MDM" = { type = "soap" }

[sut]
address = "http://127.0.0.1:{port}"
test_control = "http://127.0.0.1:{port}/amicert/test-control"

[pics]
firmware_upgrade = true
test_control = true
fault_injection = true
clock_control = true
"""
    + COMMON
)
HEADEND = (
    """
[product]
name = "hostile head-end"
version = "6.6.6"

[boundary]
actors = ["AMI Head-End", "AMI Network", "NIC", "Meter Metrology Board"]

[bindings]
"AMI Head-End" = { type = "soap" }
"AMI Network" = { type = "soap" }
"NIC" = { type = "soap" }
"Meter Metrology Board" = { type = "soap" }

[sut]
address = "http://127.0.0.1:{port}"
test_control = "http://127.0.0.1:{port}/amicert/test-control"

[pics]
firmware_upgrade = true
test_control = true
"""
    + COMMON
)


@dataclass(frozen=True)
class Case:
    behaviour: str
    rules: frozenset[str]  # at least one of them names the misbehaviour
    evidence: bytes | None  # offending bytes that must be kept in the evidence
    side: str = "mdm"
    verdict: str = "FAIL"
    notes: tuple[str, ...] = field(default=())


def case(behaviour: str, rules: str, evidence: bytes | None, side: str = "mdm") -> Case:
    return Case(behaviour, frozenset(rules.split()), evidence, side)


CASES = [
    # what the product answers to the harness's SOAP call (the MDM's ReceiveEndDeviceEvents)
    case("redirect-307", "WIRE-REDIRECT", b"moved"),
    case("redirect-302", "WIRE-REDIRECT", b"moved"),
    case("drip-reply", "WIRE-TIMEOUT", b"<?xml"),
    case("drip-headers", "WIRE-TIMEOUT", None),
    case("echo-secret", "WIRE-SOAP-FAULT", b"authentication failed for"),
    case("empty-200", "MSG-NO-REPLY", None),
    case("injection", "WIRE-SOAP-FAULT", b"forged heading"),
    case("malformed", "XML-SYNTAX", b"<ResponseMessage><Header><Verb>reply</Verb>"),
    case("xxe", "XML-DOCTYPE", b'<!ENTITY x SYSTEM "file:///etc/passwd">'),
    case("bomb", "XML-DOCTYPE", b"<!ENTITY lol9"),
    case("huge", "WIRE-BODY-TOO-LARGE", b"<ResponseMessage>" + b"A" * 1000),
    case("endless-chunked", "WIRE-BODY-TOO-LARGE", b"<x>" + b"B" * 1000),
    case("drop", "WIRE-CONNECTION", b"<?xml version='1.0' encoding='UTF-8'?><soapenv:Envelope"),
    case("reset", "WIRE-CONNECTION", None),
    case("soap-fault", "WIRE-SOAP-FAULT", b"the MDM refuses on purpose"),
    case("http-500", "WIRE-HTTP-STATUS", b"Internal Server Error"),
    case("wrong-correlation", "ENV-CORRELATION", b"00000000-dead-beef-0000-000000000000"),
    case("replay", "ENV-REPLAY ENV-MESSAGE-ID-UNIQUE", b"2001-01-01T00:00:00Z"),
    case("utf16", "ENV-CORRELATION", "dead-beef".encode("utf-16-le")),
    case("bad-encoding", "XML-SYNTAX", b"\xff\xfe\xc3(OK"),
    # what its test-control interface answers (to the first operation, reset)
    case("tc-deep-json", "TEST-CONTROL-ANSWER", b"[" * 1000),
    case("tc-oversize", "TEST-CONTROL-ANSWER", b'{"now": "' + b"x" * 1000),
    case("tc-not-json", "TEST-CONTROL-ANSWER", b"forged heading"),
    case("tc-drip", "WIRE-TIMEOUT", b'{"'),
    case("tc-redirect", "WIRE-REDIRECT", None),
    # what it sends to the harness's endpoint (as a head-end)
    case("unsolicited-device", "SEQ-UNEXPECTED-DEVICE", b"MTR-9999", "headend"),
    case("flood", "SEQ-UNEXPECTED-DEVICE WIRE-CONCURRENCY", b"flood-", "headend"),
    case("slow-sender", "WIRE-SLOW-SENDER", b"<?xml version='1.0'", "headend"),
    case("slowloris", "WIRE-SLOW-SENDER WIRE-CONCURRENCY", None, "headend"),
    case("inbound-xxe", "XML-DOCTYPE", b"file:///etc/passwd", "headend"),
    case("inbound-huge", "WIRE-BODY-TOO-LARGE", None, "headend"),
    case("inbound-endless-chunked", "WIRE-BODY-TOO-LARGE", b"C" * 1000, "headend"),
    case("inbound-injection", "WIRE-ROUTING", None, "headend"),
]


class Hostile:
    """The hostile product in its own process, and the log of what reached it."""

    def __init__(self, tmp: Path, behaviour: str, harness_port: int) -> None:
        self.port, self.steal_port = free_port(), free_port()
        self.log = tmp / "hostile.log"
        self.out = tmp / "hostile.out"
        with self.out.open("w") as out:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    str(SERVER),
                    "--port",
                    str(self.port),
                    "--behaviour",
                    behaviour,
                    "--log",
                    str(self.log),
                    "--harness",
                    f"http://127.0.0.1:{harness_port}",
                    "--steal-port",
                    str(self.steal_port),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 20
        while "hostile:" not in self.out.read_text():
            assert self.proc.poll() is None, self.out.read_text()
            assert time.monotonic() < deadline, "the hostile server did not start"
            time.sleep(0.05)

    def requests(self) -> list[dict[str, object]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture
def hostiles() -> Iterator[list[Hostile]]:
    started: list[Hostile] = []
    yield started
    for h in started:
        h.stop()


def start(
    tmp_path: Path, behaviour: str, side: str, hostiles: list[Hostile]
) -> tuple[Path, Hostile]:
    harness = free_port()
    hostile = Hostile(tmp_path, behaviour, harness)
    hostiles.append(hostile)
    profile = tmp_path / "sut.toml"
    text = (MDM if side == "mdm" else HEADEND).replace("{port}", str(hostile.port))
    profile.write_text(text.replace("{harness}", str(harness)))
    return profile, hostile


def run_command(profile: Path, report_dir: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "amicert.cli",
        "run",
        "--sut",
        str(profile),
        "--use-case",
        "AEP-5.8",
        "--report-dir",
        str(report_dir),
    ]


def env() -> dict[str, str]:
    import os

    return {**os.environ, SECRET_ENV: SECRET}


@pytest.mark.parametrize("hostile_case", CASES, ids=[c.behaviour for c in CASES])
def test_a_hostile_product_gets_its_verdict_and_nothing_more(
    tmp_path: Path, hostiles: list[Hostile], hostile_case: Case
) -> None:
    profile, hostile = start(tmp_path, hostile_case.behaviour, hostile_case.side, hostiles)
    reports = tmp_path / "reports"
    proc = subprocess.run(
        [*run_command(profile, reports), "-k", "normal"],
        cwd=ROOT,
        env=env(),
        capture_output=True,
        text=True,
        timeout=180,
    )
    summary_path = reports / "summary.json"
    assert summary_path.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    summary = json.loads(summary_path.read_text())
    assert proc.returncode == 1 and summary["complete"] and not summary["passed"]
    [scenario] = summary["scenarios"]
    assert scenario["verdict"] == hostile_case.verdict, scenario
    rules = {f["rule"] for f in scenario["findings"]}
    assert rules & hostile_case.rules, (hostile_case.rules, rules)
    # a flood is bounded by the work of judging its 2,000 messages, not by waiting: on a busy
    # machine that work alone may take longer than the timeouts, so it gets room for it
    bound = BOUND_S * (3 if hostile_case.behaviour == "flood" else 1)
    assert scenario["wall_s"] < bound, f"{scenario['wall_s']} s: not bounded by the timeouts"
    kept = dict(evidence(reports / scenario["evidence"]))
    if hostile_case.evidence is not None:
        assert any(hostile_case.evidence in body for body in kept.values()), "offending bytes lost"
    for name, body in kept.items():
        assert len(body) <= CAP, f"{name}: kept past the size cap"
    assert_no_secret_anywhere(reports)
    assert_reports_are_inert(reports, summary)
    if hostile_case.behaviour.startswith("redirect") or hostile_case.behaviour == "tc-redirect":
        redirected = [f for f in scenario["findings"] if f["rule"] == "WIRE-REDIRECT"]
        assert "/steal" in redirected[0]["received"]  # the 3xx is recorded with its headers
        assert "Location" in redirected[0]["received"]
        assert not [r for r in hostile.requests() if str(r.get("path", "")).startswith("/steal")]


def evidence(folder: Path) -> Iterator[tuple[str, bytes]]:
    """Every message kept for a scenario: its files and its archive's members."""
    for path in sorted(folder.glob("*.xml")):
        yield path.name, path.read_bytes()
    yield from ((n, b) for n, b in archived(folder) if n.endswith(".xml"))


def archived(folder: Path) -> Iterator[tuple[str, bytes]]:
    """The members of a scenario's archives; of one cut short by a kill, those that were written."""
    for archive in sorted(folder.glob("*.zip")):
        try:
            with zipfile.ZipFile(archive) as z:
                for name in z.namelist():
                    yield f"{archive.name}:{name}", z.read(name)
        except zipfile.BadZipFile:  # no central directory: read each local entry's stream
            data = archive.read_bytes()
            for found in re.finditer(rb"PK\x03\x04", data):
                start = found.start()
                name_len, extra_len = struct.unpack("<HH", data[start + 26 : start + 30])
                name = data[start + 30 : start + 30 + name_len].decode(errors="replace")
                stream = data[start + 30 + name_len + extra_len :]
                try:
                    yield f"{archive.name}:{name}", zlib.decompressobj(-15).decompress(stream)
                except zlib.error:
                    continue


def secret_forms() -> set[bytes]:
    """The secret as a product might echo it: plain, XML/HTML-escaped, URL-encoded, JSON."""
    forms = {
        SECRET,
        html.escape(SECRET),
        html.escape(SECRET, quote=False),
        urllib.parse.quote(SECRET, safe=""),
        urllib.parse.quote_plus(SECRET),
        json.dumps(SECRET)[1:-1],
        json.dumps(SECRET, ensure_ascii=False)[1:-1],
    }
    return {f.encode("utf-8") for f in forms}


_B64_RUN = re.compile(rb"[A-Za-z0-9+/_-]{12,}={0,2}")


def decoded_base64(data: bytes) -> Iterator[bytes]:
    """Every run of base64 characters in ``data``, decoded at each alignment it could have."""
    for match in _B64_RUN.finditer(data):
        run = match.group(0).rstrip(b"=").replace(b"-", b"+").replace(b"_", b"/")
        for start in range(4):
            part = run[start:]
            part = part[: len(part) - len(part) % 4]
            if part:
                yield base64.b64decode(part)


def assert_no_secret_anywhere(reports: Path) -> None:
    forms = secret_forms()
    files = [p for p in reports.rglob("*") if p.is_file()]
    assert files
    contents = [(str(p.relative_to(reports)), p.read_bytes()) for p in files]
    for folder in {p.parent for p in files if p.suffix == ".zip"}:
        contents += list(archived(folder))  # compressed: looked at inside
    for name, data in contents:
        for form in forms:
            assert form not in data, f"{name} holds the secret ({form!r})"
            assert form.decode().encode("utf-16-le") not in data, name
        for decoded in decoded_base64(data):
            for form in forms:
                assert form not in decoded, f"{name} holds it in base64"


def assert_reports_are_inert(reports: Path, summary: dict[str, object]) -> None:
    """Product text cannot add markup, headings or rows to the reports."""
    md = (reports / "summary.md").read_text()
    assert "<script" not in md and "<img" not in md
    assert not re.search(r"(?<!\\)\]\(", md), "a link the product wrote"
    headings = [line for line in md.splitlines() if line.startswith("#")]
    scenarios = summary["scenarios"]
    assert isinstance(scenarios, list)
    assert len(headings) <= 1 + len(scenarios), headings  # the title and one per scenario
    rows = [line for line in md.splitlines() if line.startswith("| ") and "**" in line]
    assert len(rows) == len(scenarios), rows  # no forged row
    for row, scenario in zip(rows, scenarios, strict=True):
        assert f"**{scenario['verdict']}" in row
        assert len(re.findall(r"(?<!\\)\|", row)) == 7, row  # six cells, no injected pipe
    junit = ET.parse(reports / "junit.xml").getroot()  # well-formed, whatever the product said
    assert len(junit.findall(".//testcase")) == len(scenarios)
    for result in (reports / "allure-results").glob("*-result.json"):
        data = json.loads(result.read_text())
        names = [a["name"] for a in _attachments(data)]
        assert not [n for n in names if "<" in n or ">" in n], names


def _attachments(node: dict[str, Any]) -> Iterator[dict[str, str]]:
    """Every attachment of an Allure result, its steps' included."""
    yield from node.get("attachments") or []
    for step in node.get("steps") or []:
        yield from _attachments(step)


def test_a_killed_run_leaves_a_summary_that_says_so(
    tmp_path: Path, hostiles: list[Hostile]
) -> None:
    profile, _ = start(tmp_path, "drip-reply", "mdm", hostiles)
    reports = tmp_path / "reports"
    said = tmp_path / "run.err"
    with said.open("wb") as err:
        proc = subprocess.Popen(
            run_command(profile, reports),
            cwd=ROOT,
            env=env(),
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    summary_path = reports / "summary.json"
    deadline = time.monotonic() + 120
    try:
        while True:  # wait until one scenario is done and the next one is running
            ended = proc.poll()
            assert ended is None, (
                f"the run ended ({ended}) before it could be killed: "
                + (said.read_text(errors="replace")[-2000:])
            )
            assert time.monotonic() < deadline, "no scenario finished in time"
            if summary_path.exists():
                seen = json.loads(summary_path.read_text())["scenarios"]
                if len(seen) >= 2:
                    break
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    summary = json.loads(summary_path.read_text())
    assert summary["complete"] is False and summary["passed"] is False
    finished, running = summary["scenarios"][:-1], summary["scenarios"][-1]
    assert running["verdict"] == "ERROR" and running["rule"] == "RUN-INCOMPLETE"
    assert all(s["rule"] != "RUN-INCOMPLETE" for s in finished)
    assert finished[0]["verdict"] == "FAIL" and finished[0]["evidence"]
    assert (reports / finished[0]["evidence"] / "index.json").exists()
    junit = ET.parse(reports / "junit.xml").getroot()
    cases = junit.findall(".//testcase")
    # the two files are written one after the other, JUnit first: a kill between them leaves
    # JUnit at most one scenario ahead, never behind
    assert len(summary["scenarios"]) <= len(cases) <= len(summary["scenarios"]) + 1
    # the last case is the unfinished scenario (an error), or, killed just as it ended, its
    # verdict: never a pass
    assert cases[-1].find("error") is not None or cases[-1].find("failure") is not None
    assert "did not finish" in (reports / "summary.md").read_text()
    assert_no_secret_anywhere(reports)
