"""Installer (I2): works trouble and routine-maintenance orders with the Field Tool.

Trouble orders: field test where the order asks for one, scan and download the meter, change it,
confirm the problem is resolved, complete the order, hand the removed meter over. Routine
maintenance: test the meter; a passing meter closes the job; a failing one is changed when a
replacement is at hand, otherwise a trouble order to replace it is raised from the field.
"""

from __future__ import annotations

from typing import ClassVar

from amicert.operators import YES_NO
from reference_impl.field_worker import FieldWorker
from usecases.meter_lifecycle.vocabulary import physical


class Installer(FieldWorker):
    QUESTIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        "meter accurate and communicating": YES_NO,
        "replacement meter at hand": YES_NO,
    }

    role = "Installer"

    def visit(self, order_id: str) -> None:
        super().visit(order_id)
        job = self.tool.jobs[order_id]
        if job.order.kind == "maintenance":
            self.maintenance(order_id)
            return
        if job.order.details.get("fieldTestRequired") == "yes":
            self.test_meter(order_id)
        self.tool.scan(order_id)
        self.tool.start_download(order_id)

    def maintenance(self, order_id: str) -> None:
        result = self.tool.field_test(order_id)
        meter = self.tool.jobs[order_id].scanned
        if self.yes("meter accurate and communicating", result.get("result") == "pass"):
            self.report(
                "JobResult", order_id, meter, {"result": "pass", "resolution": "sample test passed"}
            )
            return
        at_hand = bool(physical(self.ctx).truck.get(self.role))
        if self.yes("replacement meter at hand", at_hand):
            self.tool.start_download(order_id)
            return
        self.report(
            "ReplacementNeed",
            order_id,
            meter,
            {"reason": "meter failed its sample test; no replacement at hand"},
        )
