"""TDBU Maintenance Planning Organization (I2): announces planned and unplanned outages and
planned maintenance of meters to the Meter Management System, so that no trouble report is sent
out for failures they cause."""

from __future__ import annotations

from datetime import datetime

from amicert.actors.base import Actor
from usecases.meter_lifecycle.vocabulary import MeterRef, meter_message


class TdbuPlanning(Actor):
    role = "TDBU Maintenance Planning Organization"

    def announce(self, kind: str, meters: list[str], start: datetime, end: datetime) -> None:
        self.send(
            "Meter Management System",
            meter_message(
                "OutageNotice",
                self.role,
                self.ctx.now(),
                meters=[MeterRef(m) for m in meters],
                details={"kind": kind, "start": start.isoformat(), "end": end.isoformat()},
            ),
        )
