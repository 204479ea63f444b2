"""Validation throughput and suite wall time, printed as figures.

Run: ``.venv/bin/python benchmarks/bench_validation.py [--seconds 2] [--no-suite]``

Measures, on one typical created EndDeviceEvents message (about 5 KB, generic envelope), in
interleaved rounds (each measure once a round, the order turning) in CPU time of this thread,
and prints the medians and the medians of the round-by-round ratios:
- the full amicert pipeline (safe parse, envelope XSD, payload XSD, envelope and code rules);
- bare lxml: parse plus XMLSchema.validate of envelope and payload (the XSD work alone);
- xmlschema alone: the same two validations with xmlschema;
and the wall time of ``amicert run --use-case AEP-5.8`` in a fresh process.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from amicert.cim.envelope import Header, build_event  # noqa: E402
from amicert.cim.nouns import EndDeviceEventData, end_device_events  # noqa: E402
from amicert.cim.validate import ValidationContext, Validator  # noqa: E402

MESSAGE_NS = "http://iec.ch/TC57/2011/schema/message"
EDE_NS = "http://iec.ch/TC57/2011/EndDeviceEvents#"


def typical_message(events: int = 9) -> bytes:
    """A created EndDeviceEvents message as a head-end sends after a firmware campaign batch."""
    t0 = datetime(2026, 1, 5, tzinfo=UTC)
    payload = end_device_events(
        [
            EndDeviceEventData(
                mrid=f"5b0c3a9e-1d2f-4c6b-9a7e-{i:012d}",
                created=t0 + timedelta(minutes=i),
                event_type="3.11.17.52",
                asset_mrid=f"MTR-{i:04d}",
                reason="Firmware replaced",
                details={"firmwareVersion": "4.2", "previousFirmwareVersion": "4.1"},
            )
            for i in range(events)
        ]
    )
    header = Header(
        verb="created",
        noun="EndDeviceEvents",
        message_id="0f1e2d3c-4b5a-4968-8776-655443322110",
        timestamp=t0,
        source="AMI Head-End",
        correlation_id="c0ffee00-0000-4000-8000-000000000001",
    )
    return build_event(header, payload)


def rate(fn: Callable[[], object], seconds: float) -> float:
    """Calls per CPU-second of this thread over at least ``seconds`` of it.

    CPU time rather than wall time: on a shared machine the wall clock also counts the time
    other processes hold the core, which says nothing about the cost of a call.
    """
    for _ in range(5):
        fn()
    count = 0
    start = time.thread_time()
    while True:
        for _ in range(10):
            fn()
        count += 10
        elapsed = time.thread_time() - start
        if elapsed >= seconds:
            return count / elapsed


@dataclass
class Rounds:
    """The rates of every round (each measure once a round, in turn) and their medians."""

    rates: dict[str, list[float]]

    def median(self, name: str) -> float:
        return statistics.median(self.rates[name])

    def ratio(self, top: str, bottom: str) -> float:
        """The median of the round-by-round ratios: both rates of a round saw the same load."""
        pairs = zip(self.rates[top], self.rates[bottom], strict=True)
        return statistics.median(a / b for a, b in pairs)


def interleaved(fns: dict[str, Callable[[], object]], seconds: float, rounds: int) -> Rounds:
    """``rounds`` rounds measuring every function once, the order turning each round so that no
    measure always runs first or last."""
    names = list(fns)
    rates: dict[str, list[float]] = {name: [] for name in names}
    for index in range(rounds):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            rates[name].append(rate(fns[name], seconds))
    return Rounds(rates)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--seconds", type=float, default=0.4, help="CPU seconds per measure and round"
    )
    parser.add_argument("--rounds", type=int, default=9, help="interleaved rounds (median kept)")
    parser.add_argument("--no-suite", action="store_true", help="skip the suite wall time")
    args = parser.parse_args()

    data = typical_message()
    validator = Validator()
    assert validator.validate(data).ok, validator.validate(data).findings

    schema_dir = ROOT / "cim_schemas"
    env_xsd = etree.XMLSchema(etree.parse(str(schema_dir / "message" / "Message.xsd")))
    noun_xsd = etree.XMLSchema(etree.parse(str(schema_dir / "nouns" / "EndDeviceEvents.xsd")))
    parser_opts = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)

    def bare_lxml() -> bool:
        root = etree.fromstring(data, parser_opts)
        payload = root.find(f"{{{MESSAGE_NS}}}Payload")[0]  # type: ignore[index]
        return bool(env_xsd.validate(root)) and bool(noun_xsd.validate(payload))

    import xmlschema

    xs_env = xmlschema.XMLSchema(str(schema_dir / "message" / "Message.xsd"))
    xs_noun = xmlschema.XMLSchema(str(schema_dir / "nouns" / "EndDeviceEvents.xsd"))

    def xmlschema_alone() -> bool:
        root = etree.fromstring(data, parser_opts)
        payload = root.find(f"{{{MESSAGE_NS}}}Payload")[0]  # type: ignore[index]
        return bool(xs_env.is_valid(root)) and bool(xs_noun.is_valid(payload))

    assert bare_lxml() and xmlschema_alone()

    def pipeline() -> bool:
        return validator.validate(data, ValidationContext(seen_message_ids=set())).ok

    print(f"message: created EndDeviceEvents, {len(data)} bytes")
    rounds = interleaved(
        {"pipeline": pipeline, "lxml": bare_lxml, "xmlschema": xmlschema_alone},
        args.seconds,
        args.rounds,
    )
    print(f"{args.rounds} interleaved rounds of {args.seconds} CPU-s per measure; medians")
    for name, label in (
        ("pipeline", "full amicert pipeline"),
        ("lxml", "bare lxml XSD        "),
        ("xmlschema", "xmlschema alone      "),
    ):
        spread = f"{min(rounds.rates[name]):.0f}..{max(rounds.rates[name]):.0f}"
        print(f"{label} : {rounds.median(name):10.0f} messages/CPU-s (rounds {spread})")
    share = rounds.ratio("pipeline", "lxml")
    speed = rounds.ratio("pipeline", "xmlschema")
    print(f"ratio lxml / xmlschema          : {rounds.ratio('lxml', 'xmlschema'):6.1f}x")
    share_ok = "meets" if share >= 0.5 else "BELOW"
    speed_ok = "meets" if speed >= 25 else "BELOW"
    print(f"ratio pipeline / bare lxml      : {share:6.0%}  ({share_ok} the 50% target)")
    print(f"ratio pipeline / xmlschema      : {speed:6.1f}x ({speed_ok} the 25x target)")

    if not args.no_suite:
        with tempfile.TemporaryDirectory() as tmp:
            cmd = [
                sys.executable,
                "-m",
                "amicert.cli",
                "run",
                "--use-case",
                "AEP-5.8",
                "--report-dir",
                tmp,
            ]
            start = time.perf_counter()
            proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
            wall = time.perf_counter() - start
        status = "exit 0" if proc.returncode == 0 else f"exit {proc.returncode}"
        print(f"AEP-5.8 suite wall time : {wall:6.2f} s ({status}, fresh process, all reports)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
