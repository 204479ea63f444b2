"""Customer (I3 HAN provisioning): calls the utility, installs a bridge when told, picks devices."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

from lxml import etree

from amicert.actors.base import on
from amicert.operators import OperatorActor
from amicert.trace import Exchange
from usecases.han_provisioning.vocabulary import (
    HanPremises,
    device_ref,
    han_message,
    hq,
    read_han_message,
)

NEW_METER = "utility installs a new meter"
BRIDGE = "customer installs a bridge"
_HOUR = timedelta(hours=1)  # the bridge is bought and plugged in


class HanCustomer(OperatorActor):
    role = "Customer"
    QUESTIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        "new meter or bridge": (NEW_METER, BRIDGE),
    }

    @property
    def premises(self) -> HanPremises:
        return self.ctx.settings["physical"]  # type: ignore[no-any-return]

    def phone_utility(self) -> None:
        """Step 4: the customer calls, ready to have the devices it enrolls connected."""
        wanted = [d for d in self.premises.devices.values() if d.enroll]
        self.send(
            "Customer Representative",
            han_message(
                "ProgramCall",
                self.role,
                self.ctx.now(),
                devices=[device_ref(d) for d in wanted],
                details={"account": self.premises.account},
            ),
        )

    @on(hq("EquipmentNotice"))
    def on_notice(self, root: etree._Element, exchange: Exchange) -> None:
        """Step 6.3: a bridge (the automated choice: no cost to wait for, unless the scenario's
        customer prefers the utility's new meter) or a new meter."""
        msg = read_han_message(root)
        automated = str(self.ctx.settings.get("han_customer_choice") or BRIDGE)
        choice = self.ask("new meter or bridge", automated, (NEW_METER, BRIDGE))
        if choice == BRIDGE:
            self.premises.bridge = True
        else:
            self.premises.meter_protocols = tuple(
                sorted(
                    {
                        *self.premises.meter_protocols,
                        *(d.protocol for d in self.premises.devices.values()),
                    }
                )
            )
        self.note(f"{choice} for session {msg.session}")
        rep: Any = self.ctx.bus.actor("Customer Representative")
        self.ctx.clock.call_later(_HOUR, lambda: rep.equipment_resolved(msg.session))

    @on(hq("DeviceInquiry"))
    def on_inquiry(self, root: etree._Element, exchange: Exchange) -> None:
        """Step 9: of the devices shown, the customer lists those it wants in the Utility HAN."""
        msg = read_han_message(root)
        mine = {d.mrid for d in self.premises.devices.values() if d.enroll}
        chosen = [d for d in msg.devices if d.get("mRID") in mine]
        self.send(
            "Customer Representative",
            han_message(
                "DeviceSelection", self.role, self.ctx.now(), session=msg.session, devices=chosen
            ),
        )

    @on(hq("Confirmation"))
    def on_confirmation(self, root: etree._Element, exchange: Exchange) -> None:
        self.note("provisioning confirmed by the representative")
