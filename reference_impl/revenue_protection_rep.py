"""Revenue Protection Rep (I2): investigates tamper reports. Tests the meter and checks for
tampering, bypass or other theft; reports theft through the Field Tool; otherwise installs a lock
ring and either closes the job (meter operating properly) or changes the meter."""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import ClassVar

from amicert.operators import YES_NO
from reference_impl.field_worker import FieldWorker
from usecases.meter_lifecycle.vocabulary import physical


class RevenueProtectionRep(FieldWorker):
    QUESTIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        "energy theft occurred": YES_NO,
        "meter operating properly": YES_NO,
    }

    role = "Revenue Protection Rep"

    def visit(self, order_id: str) -> None:
        super().visit(order_id)
        result = self.test_meter(order_id)
        meter = self.tool.jobs[order_id].scanned
        if self.yes("energy theft occurred", result.get("tamperEvidence") == "bypass"):
            self.report(
                "TheftReport",
                order_id,
                meter,
                {
                    "evidence": result.get("tamperEvidence", ""),
                    "process": "revenue protection",
                },
            )
            return
        if self.yes("meter operating properly", result.get("result") == "pass"):
            premise = physical(self.ctx).premise_of(meter)
            if premise is not None:
                premise.lock_ring = True
            self.report(
                "JobResult",
                order_id,
                meter,
                {
                    "result": "pass",
                    "lockRing": "installed",
                    "resolution": "no theft; lock ring installed",
                },
            )
            return
        self.tool.start_download(order_id)

    def _screen(self, what: str, data: dict[str, object]) -> None:
        if what == "downloaded":
            order_id = str(data.get("order", ""))
            self.ctx.clock.call_later(
                timedelta(minutes=15),
                functools.partial(self.change_meter, order_id, lock_ring=True),
            )
            return
        super()._screen(what, data)
