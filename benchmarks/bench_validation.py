"""Validation throughput and suite wall time, printed as figures.

Run: ``.venv/bin/python benchmarks/bench_validation.py [--seconds 2] [--no-suite]``

Measures, on one typical created EndDeviceEvents message (about 5 KB, generic envelope), each
the best of several interleaved rounds:
- the full amicert pipeline (safe parse, envelope XSD, payload XSD, envelope and code rules);
- bare lxml: parse plus XMLSchema.validate of envelope and payload (the XSD work alone);
- xmlschema alone: the same two validations with xmlschema;
and the wall time of ``amicert run --use-case AEP-5.8`` in a fresh process.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
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
    """Calls per second over at least ``seconds`` (after a short warm-up)."""
    for _ in range(20):
        fn()
    count = 0
    start = time.perf_counter()
    while True:
        for _ in range(50):
            fn()
        count += 50
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return count / elapsed


def best_rates(
    fns: dict[str, Callable[[], object]], seconds: float, rounds: int
) -> dict[str, float]:
    """Each function's best rate over ``rounds`` interleaved rounds: on a shared machine the
    three measures then see the same load, and a burst of someone else's work is not taken
    for the pipeline's cost."""
    best = dict.fromkeys(fns, 0.0)
    for _ in range(rounds):
        for name, fn in fns.items():
            best[name] = max(best[name], rate(fn, seconds / rounds))
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0, help="time per measurement")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (best kept)")
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
    rates = best_rates(
        {"pipeline": pipeline, "lxml": bare_lxml, "xmlschema": xmlschema_alone},
        args.seconds,
        args.rounds,
    )
    full, lx, xs = rates["pipeline"], rates["lxml"], rates["xmlschema"]
    print(f"full amicert pipeline : {full:10.0f} messages/s")
    print(f"bare lxml XSD         : {lx:10.0f} messages/s")
    print(f"xmlschema alone       : {xs:10.0f} messages/s")
    print(f"ratio lxml / xmlschema          : {lx / xs:6.1f}x")
    share_ok = "meets" if full / lx >= 0.5 else "BELOW"
    speed_ok = "meets" if full / xs >= 25 else "BELOW"
    print(f"ratio pipeline / bare lxml      : {full / lx:6.0%}  ({share_ok} the 50% target)")
    print(f"ratio pipeline / xmlschema      : {full / xs:6.1f}x ({speed_ok} the 25x target)")

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
