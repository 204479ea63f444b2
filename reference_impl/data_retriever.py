"""Data Retriever (I2): reviews the data received from meters (read-only) and reports an anomaly
to the Meter Data Management System Technician."""

from __future__ import annotations

from typing import ClassVar

from amicert.operators import YES_NO, OperatorActor
from usecases.meter_lifecycle.vocabulary import MeterRef, meter_message


class DataRetriever(OperatorActor):
    QUESTIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        "anomaly in meter data": YES_NO,
    }

    role = "Data Retriever"

    def review(self, meter: str, account: str, premise: str) -> bool:
        """Look at the meter's recent reads; report when they are flat (a stuck register)."""
        reads = self.screen("Meter Data Management System").meter(meter).readings[-7:]
        values = [v for _, v in reads]
        flat = len(values) > 1 and max(values) - min(values) < 0.01
        if not self.yes("anomaly in meter data", flat):
            return False
        self.send(
            "Meter Data Management System Technician",
            meter_message(
                "AnomalyReport",
                self.role,
                self.ctx.now(),
                meters=[MeterRef(meter, account=account)],
                details={"premise": premise, "readDates": ",".join(d for d, _ in reads)},
            ),
        )
        return True
