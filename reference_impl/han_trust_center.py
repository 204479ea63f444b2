"""HAN Trust Center (I3): accepts a device's join only with the install code registered for it."""

from __future__ import annotations

import hmac

from lxml import etree

from amicert.actors.base import Actor, on
from amicert.trace import Exchange
from usecases.han_provisioning.vocabulary import (
    ACCEPTED,
    REJECTED,
    han_message,
    hq,
    read_han_message,
)


class HanTrustCenter(Actor):
    role = "HAN Trust Center"

    def registered(self) -> dict[str, str]:
        """Install codes registered with the utility for each device (pre-commissioning)."""
        return dict(self.ctx.settings.get("han_install_codes") or {})

    def accepts(self, device: str, code: str) -> bool:
        """Only the install code registered for the device authenticates it."""
        known = self.registered().get(device)
        return bool(code) and known is not None and hmac.compare_digest(known, code)

    @on(hq("CredentialCheck"))
    def on_check(self, root: etree._Element, exchange: Exchange) -> bytes:
        msg = read_han_message(root)
        device = msg.devices[0] if msg.devices else {}
        mrid, code = device.get("mRID", ""), device.get("installCode", "")
        return han_message(
            "CredentialResult",
            self.role,
            self.ctx.now(),
            devices=[{"mRID": mrid}],
            details={"result": ACCEPTED if self.accepts(mrid, code) else REJECTED},
        )
