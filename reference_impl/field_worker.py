"""What the Installer and the Revenue Protection Rep share: working an order at the premise with
the Field Tool, changing a meter, completing the order, handing the removed meter over.

People are operator actors (amicert.operators): each decision is asked, answered by the
automated rule from what the person observes unless an operator-answers file says otherwise.
"""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import Any, ClassVar

from amicert.actors.base import ActorContext
from amicert.operators import YES_NO, OperatorActor
from usecases.meter_lifecycle.vocabulary import MeterRef, meter_message, physical


class FieldWorker(OperatorActor):
    """An operator who works orders arriving on the Field Tool."""

    QUESTIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        "problem resolved": YES_NO,
    }

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        self.visits: list[tuple[str, str]] = []
        self.carrying: list[str] = []
        physical(ctx).listen(self.role, self._screen)

    @property
    def tool(self) -> Any:
        return self.screen("Field Tool")

    def _screen(self, what: str, data: dict[str, object]) -> None:
        order_id = str(data.get("order", ""))
        job = self.tool.jobs.get(order_id)
        if job is None:
            return
        if what == "order":
            at = job.order.scheduled or self.ctx.now() + timedelta(hours=2)
            self.ctx.clock.call_at(
                at, functools.partial(self.visit, order_id), f"{self.role} visit"
            )
        elif what == "downloaded":
            self.ctx.clock.call_later(
                timedelta(minutes=15), functools.partial(self.change_meter, order_id)
            )
        elif what == "completion":
            self.ctx.clock.call_later(
                timedelta(minutes=5), functools.partial(self.finish, order_id)
            )

    def report(self, kind: str, order_id: str, meter: str, details: dict[str, str]) -> None:
        """Report a job's result to the Field Tool (JobResult, TheftReport ...)."""
        self.send(
            "Field Tool",
            meter_message(
                kind,
                self.role,
                self.ctx.now(),
                order=order_id,
                meters=[MeterRef(meter)],
                details=details,
            ),
        )

    def visit(self, order_id: str) -> None:
        self.visits.append((order_id, self.ctx.now().isoformat()))
        self.note(f"at the premise for order {order_id}")

    def test_meter(self, order_id: str) -> dict[str, str]:
        """Test the meter in the socket with the person's own test set (person -> AMI Meter)."""
        from lxml import etree

        from usecases.meter_lifecycle.vocabulary import read_meter_message

        meter = self.tool.scan(order_id)
        answer = self.call(
            "AMI Meter",
            meter_message(
                "FieldTest", self.role, self.ctx.now(), order=order_id, meters=[MeterRef(meter)]
            ),
            receiver_id=meter,
        )
        result = dict(read_meter_message(etree.fromstring(answer)).details) if answer else {}
        self.tool.jobs[order_id].test = result
        return result

    def change_meter(self, order_id: str, *, lock_ring: bool = False) -> None:
        """Take the replacement from the truck, swap it into the socket."""
        world = physical(self.ctx)
        job = self.tool.jobs[order_id]
        premise = world.premise_for_account(job.order.account or "")
        stock = world.truck.get(self.role, [])
        if premise is None or not stock:
            self.note("no replacement meter at hand: meter not changed")
            return
        old, new = premise.socket or "", stock.pop(0)
        premise.socket = new
        premise.session_order = order_id
        premise.removed_meter = old
        premise.lock_ring = premise.lock_ring or lock_ring
        self.carrying.append(old)
        self.tool.meter_changed(order_id, old, new)
        self.note(f"changed meter {old} for {new}")
        world.notify(self.ctx, f"AMI Meter:{new}", "installed", removed=old, order=order_id)

    def finish(self, order_id: str) -> None:
        job = self.tool.jobs[order_id]
        clean = job.completion is not None and job.completion.details.get("selfTest") == "pass"
        if not self.yes("problem resolved", clean):
            self.note(f"order {order_id}: problem not resolved; order left open")
            return
        self.tool.complete(order_id, "meter replaced")
        if job.removed:
            self.ctx.clock.call_later(
                timedelta(hours=3), functools.partial(self.hand_over, job.removed)
            )

    def hand_over(self, meter: str) -> None:
        """Give the removed meter to the Construction Maintenance Analyst."""
        if meter in self.carrying:
            self.carrying.remove(meter)
        self.send(
            "Meter Management System",
            meter_message(
                "StatusLocationUpdate",
                self.role,
                self.ctx.now(),
                meters=[MeterRef(meter)],
                details={"status": "removed", "location": "district stores"},
            ),
        )
        physical(self.ctx).notify(
            self.ctx, "Construction Maintenance Analyst", "meter", meter=meter
        )
