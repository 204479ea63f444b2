"""Customer (HAN use cases): registers HAN devices with the utility and calls customer service
when a device fails.

What the customer says (the call, the registration keys read off the devices) is an exchange;
what the representative asks in the same call is not.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from amicert.actors.base import on
from amicert.operators import OperatorActor
from amicert.trace import Exchange
from usecases.han.vocabulary import (
    SUBJECT_READY,
    SUBJECT_REGISTRATION_INFO,
    SUBJECT_TROUBLE,
    HanSite,
    hq,
    message,
    read_han_message,
    site_ref,
    subject_of,
)

CR = "Customer Representative"
CSR = "Customer Service Representative"


class HanDeviceCustomer(OperatorActor):
    role = "Customer"

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.told: list[tuple[str, dict[str, str]]] = []  # what representatives told the customer

    @property
    def site(self) -> HanSite:
        return self.ctx.settings["physical"]  # type: ignore[no-any-return]

    def ready(self) -> None:
        """Registration step 4: ready to have the HAN devices connected for program purposes."""
        self.send(
            CR,
            message(
                "ProgramCall",
                self.role,
                self.ctx.now(),
                SUBJECT_READY,
                devices=[site_ref(d) for d in self.site.devices.values()],
                details={"account": self.site.account},
            ),
        )

    def read_registration_info(self, session: str, devices: list[str]) -> None:
        """Registration step 8: the registration key and serial number printed on each device."""
        found = [self.site.devices[m] for m in devices if m in self.site.devices]
        self.send(
            CR,
            message(
                "DeviceSelection",
                self.role,
                self.ctx.now(),
                SUBJECT_REGISTRATION_INFO,
                session=session,
                devices=[
                    {**site_ref(d), "installCode": d.registration_key, "model": d.serial}
                    for d in found
                ],
            ),
        )

    def call_about(self, device: str, program: str) -> None:
        """Remote diagnostics step 1: the device fails; the customer says what it is enrolled in."""
        d = self.site.devices[device]
        self.send(
            CSR,
            message(
                "ProgramCall",
                self.role,
                self.ctx.now(),
                SUBJECT_TROUBLE,
                devices=[site_ref(d)],
                details={"account": self.site.account, "program": program},
            ),
        )

    @on(hq("Confirmation"))
    def on_told(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_han_message(root)
        self.told.append((subject_of(msg), dict(msg.details)))

    @on(hq("EquipmentNotice"))
    def on_notice(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_han_message(root)
        self.told.append((subject_of(msg), dict(msg.details)))
