"""Shared fixtures for the CIM validation tests: sample files and message builders."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from amicert.cim.envelope import Header, build_event
from amicert.cim.nouns import EndDeviceEventData, end_device_events
from amicert.cim.validate import Validator

DATA = Path(__file__).resolve().parents[1] / "data" / "messages"
T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def sample(name: str) -> bytes:
    """A sample message, e.g. ``sample("valid/reply_ok.xml")``."""
    return (DATA / name).read_bytes()


def edited(name: str, old: str, new: str) -> bytes:
    """A sample with one textual change (the change must apply)."""
    text = sample(name).decode("utf-8")
    assert old in text, f"{old!r} not in {name}"
    return text.replace(old, new, 1).encode("utf-8")


def firmware_event(
    code: str = "3.11.17.52", *, form: str = "generic", message_id: str = "msg-1", **header: Any
) -> bytes:
    """A step 1.11 firmware confirmation for one meter."""
    event = EndDeviceEventData(
        "ev-1",
        T0,
        code,
        "meter-1",
        details={"firmwareVersion": "4.2", "previousFirmwareVersion": "4.1"},
    )
    head = replace(
        Header(
            "created",
            "EndDeviceEvents",
            message_id,
            T0,
            source="HeadEnd-A",
            correlation_id="campaign-1",
        ),
        **header,
    )
    return build_event(head, end_device_events([event]), form=form)


@pytest.fixture(scope="session")
def validator() -> Validator:
    return Validator()
