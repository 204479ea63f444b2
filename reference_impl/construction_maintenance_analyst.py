"""Construction Maintenance Analyst (I2): takes removed meters from installers and ships them
to the Meter Shop, scanning each movement."""

from __future__ import annotations

import functools
from datetime import timedelta

from amicert.actors.base import ActorContext
from amicert.operators import OperatorActor
from usecases.meter_lifecycle.vocabulary import MeterRef, meter_message, physical


class ConstructionMaintenanceAnalyst(OperatorActor):
    role = "Construction Maintenance Analyst"

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        self.shipped: list[str] = []
        physical(ctx).listen(self.role, self._hands)

    def _hands(self, what: str, data: dict[str, object]) -> None:
        if what == "meter":
            self.ctx.clock.call_later(
                timedelta(hours=16), functools.partial(self.ship, str(data.get("meter", "")))
            )

    def ship(self, meter: str) -> None:
        self.shipped.append(meter)
        self.send(
            "Meter Data Management System",
            meter_message(
                "StatusLocationUpdate",
                self.role,
                self.ctx.now(),
                meters=[MeterRef(meter)],
                details={"status": "shipped", "location": "Meter Shop"},
            ),
        )
        world = physical(self.ctx)
        self.ctx.clock.call_later(
            timedelta(days=1),
            lambda: world.notify(self.ctx, "Meter Shop Meter Technician", "meter", meter=meter),
        )
