"""Customer HAN device (I3): hears the pairing beacon and asks to join with its commissioned key.

A device the customer did not install, did not commission, or whose radio cannot reach the meter
(another protocol, no bridge) stays silent.
"""

from __future__ import annotations

from amicert.actors.base import Actor
from usecases.han_provisioning.vocabulary import HanPremises, device_ref, han_message


class CustomerHanDevice(Actor):
    role = "Customer HAN"

    def beacon(self) -> None:
        premises: HanPremises = self.ctx.settings["physical"]
        device = premises.devices.get(self.instance or "")
        if device is None or not device.installed or device.commissioned_key is None:
            return
        if not premises.reaches_meter(device):
            return
        self.send(
            "Premises Gateway",
            han_message(
                "JoinRequest",
                self.role,
                self.ctx.now(),
                devices=[device_ref(device, with_code=device.commissioned_key)],
            ),
        )
