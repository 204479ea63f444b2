"""Other Utility Systems (C4): receive the CCS's alerts of a gateway that cannot be reached."""

from __future__ import annotations

from lxml import etree

from amicert.actors.base import Actor, ActorContext, on
from amicert.trace import Exchange
from usecases.third_party_access import vocabulary as v


class OtherUtilitySystems(Actor):
    role = "Other Utility Systems"

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        self.alerts: list[v.TpaMessage] = []

    @on(v.tq("FailureReport"))
    def on_alert(self, root: etree._Element, exchange: Exchange) -> None:
        self.alerts.append(v.read_tpa(root))
