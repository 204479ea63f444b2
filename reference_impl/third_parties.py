"""3rd Parties (I2): alternative energy suppliers reading the utility's meters; keep every data
issue notice they receive."""

from __future__ import annotations

from lxml import etree

from amicert.actors.base import Actor, ActorContext, on
from amicert.trace import Exchange
from usecases.meter_lifecycle.vocabulary import MeterMessage, mq, read_meter_message


class ThirdParties(Actor):
    role = "3rd Parties"

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        self.notices: list[MeterMessage] = []

    @on(mq("DataIssueNotice"))
    def on_notice(self, root: etree._Element, exchange: Exchange) -> None:
        self.notices.append(read_meter_message(root))
