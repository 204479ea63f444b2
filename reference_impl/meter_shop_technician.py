"""Meter Shop Meter Technician (I2): tests each returned meter on the bench and decides whether
it is repaired, returned to the manufacturer for repair, or salvaged.

Automated rule: a failed communication module is repaired (modules are worth replacing); a
meter-internal failure within the warranty years is returned to the manufacturer; anything else
is salvaged.
"""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from amicert.actors.base import ActorContext
from amicert.operators import OperatorActor
from usecases.meter_lifecycle.vocabulary import MeterRef, meter_message, physical

CHOICES = ("repair", "return to manufacturer", "salvage")


class MeterShopTechnician(OperatorActor):
    QUESTIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        "repair, return to manufacturer or salvage": CHOICES,
    }

    role = "Meter Shop Meter Technician"

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        self.results: dict[str, str] = {}
        physical(ctx).listen(self.role, self._bench)

    def _bench(self, what: str, data: dict[str, object]) -> None:
        if what == "meter":
            meter = str(data.get("meter", ""))
            self.ctx.clock.call_later(timedelta(hours=4), lambda: self.test(meter))

    def rule(self, failures: set[str], age_years: float) -> str:
        if failures and failures <= {"wan-communication", "han-communication"}:
            return "repair"
        if failures and age_years < float(self.ctx.settings.get("warranty_years", 5)):
            return "return to manufacturer"
        return "salvage"

    def test(self, meter: str) -> None:
        bench = self.screen("AMI Meter", meter)
        failures = set(bench.failed)
        age = float(dict(self.ctx.settings.get("meters", {}).get(meter, {})).get("age_years", 2))
        decision = self.ask(
            "repair, return to manufacturer or salvage", self.rule(failures, age), CHOICES
        )
        self.results[meter] = decision
        self.send(
            "Meter Data Management System",
            meter_message(
                "MeterShopResult",
                self.role,
                self.ctx.now(),
                meters=[MeterRef(meter)],
                details={
                    "testResult": "fail" if failures else "pass",
                    "failures": ",".join(sorted(failures)),
                    "decision": decision,
                    "status": decision,
                    "location": "Meter Shop",
                },
            ),
        )
