"""Utility HAN device (I3): takes the program it is provisioned with and acknowledges activation."""

from __future__ import annotations

from lxml import etree

from amicert.actors.base import Actor, ActorContext, on
from amicert.trace import Exchange
from usecases.han_provisioning.vocabulary import han_message, hq, read_han_message


class UtilityHanDevice(Actor):
    role = "Utility HAN"

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        self.program: str | None = None

    @on(hq("ProgramProvisioning"))
    def on_program(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_han_message(root)
        self.program = self.accept(msg.details.get("program") or None)
        self.send(
            "Utility HAN Provisioning Tool",
            han_message(
                "ActivationAck",
                self.role,
                self.ctx.now(),
                session=msg.session,
                devices=[{"mRID": self.instance or ""}],
                details={
                    "state": "ACTIVE" if msg.details.get("program") else "NOT-READY",
                    "program": self.program or "",
                },
            ),
        )

    def accept(self, program: str | None) -> str | None:
        """The program the device now runs: the one it was provisioned with."""
        return program
