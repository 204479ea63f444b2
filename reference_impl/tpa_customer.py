"""Customer (C4): asks the utility to enable a third party's access to their devices and gives the
devices' serial numbers when asked (a person: the request and the numbers are the exchanges)."""

from __future__ import annotations

from datetime import timedelta

from amicert.actors.base import Actor
from usecases.third_party_access import vocabulary as v


class TpaCustomer(Actor):
    role = "Customer"
    answer_after = timedelta(minutes=2)  # the serial numbers come later in the conversation

    def request_access(self, third_party: str, service_point: str, account: str) -> None:
        """Step 3.3 row 1, then row 4: the request, and the devices' unique serial numbers."""
        rep = "Customer Representative"
        self.send(
            rep,
            v.tpa_message(
                "AccessRequest",
                self.role,
                self.ctx.now(),
                self.ctx.new_id(),
                third_party=third_party,
                service_point=service_point,
                details={"account": account, "action": "enable"},
            ),
        )
        devices = list(self.ctx.settings.get("customer_devices", {}).get(service_point, []))

        def serials() -> None:
            self.send(
                rep,
                v.tpa_message(
                    "DeviceIds",
                    self.role,
                    self.ctx.now(),
                    self.ctx.new_id(),
                    third_party=third_party,
                    service_point=service_point,
                    devices=devices,
                    details={"account": account, "deviceType": "pool pump"},
                ),
            )

        self.ctx.clock.call_later(self.answer_after, serials)
