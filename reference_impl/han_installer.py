"""Customer or Installer (HAN use cases): installs and commissions HAN devices, and troubleshoots
a device that cannot reach the AMI.

Locating the installation point, installing, replacing a device and installing a bridge are
physical acts on the premises (:class:`usecases.han.vocabulary.HanSite`); what the installer keys
into a device and what devices show the installer are exchanges. Every decision is a question
with an automated answer (docs/operators.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from lxml import etree

from amicert.actors.base import on
from amicert.operators import OperatorActor
from amicert.trace import Exchange
from usecases.han.vocabulary import (
    SUBJECT_COMMISSIONING,
    SUBJECT_COMMUNICATION_FAILURE,
    SUBJECT_PRECOMMISSIONING,
    SUBJECT_SELF_CHECK,
    HanSite,
    hq,
    message,
    read_han_message,
    subject_of,
)

DEVICE = "HAN Device"
YES_NO = ("yes", "no")


@dataclass(frozen=True)
class Conclusion:
    """What the installer concluded on site (diagnostics and maintenance steps 4a to 6)."""

    device: str
    faulty: bool
    coverage_adequate: bool
    action: str


class HanInstaller(OperatorActor):
    role = "Customer or Installer"
    QUESTIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        "self-check passed": YES_NO,
        "device faulty": YES_NO,
        "HAN network coverage adequate": YES_NO,
    }

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.conclusions: list[Conclusion] = []
        self.coverage_reports: list[str] = []

    @property
    def site(self) -> HanSite:
        return self.ctx.settings["physical"]  # type: ignore[no-any-return]

    # --- installation ---------------------------------------------------------------------
    def install_all(self) -> None:
        """Steps 1, 2: locate the installation point, install and power each device."""
        for d in self.site.devices.values():
            self.note(f"{d.mrid}: installation point in the {d.location}")
            d.installed = True
            device: Any = self.ctx.bus.actor(DEVICE, d.mrid)
            device.power_on()

    @on(hq("EquipmentNotice"))
    def on_notice(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_han_message(root)
        subject = subject_of(msg)
        mrid = msg.devices[0].get("mRID", "") if msg.devices else ""
        if subject == SUBJECT_SELF_CHECK:
            automated = "yes" if msg.details.get("result") == "PASSED" else "no"
            if self.ask("self-check passed", automated, YES_NO) == "yes":
                self.commission(mrid)
        elif subject == SUBJECT_COMMUNICATION_FAILURE:
            self.troubleshoot(mrid)
        else:
            self.note(f"{mrid}: {subject}: {msg.details}")

    def commission(self, mrid: str) -> None:
        """Steps 4, 5: pre-commissioning materials, then the network key."""
        d = self.site.devices[mrid]
        self.send(
            DEVICE,
            message(
                "SelectionNote",
                self.role,
                self.ctx.now(),
                SUBJECT_PRECOMMISSIONING,
                devices=[{"mRID": mrid}],
                details={"location": d.location, "latitude": "40.0150", "longitude": "-105.2705"},
            ),
            receiver_id=mrid,
        )
        self.send(
            DEVICE,
            message(
                "ProvisioningSession",
                self.role,
                self.ctx.now(),
                SUBJECT_COMMISSIONING,
                devices=[{"mRID": mrid}],
                details={"networkKey": self.key_for(mrid)},
            ),
            receiver_id=mrid,
        )

    def key_for(self, mrid: str) -> str:
        """The network key on the installer's sheet: the one pre-placed in the gateway."""
        return self.site.network_key

    @on(hq("Confirmation"))
    def on_confirmation(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_han_message(root)
        self.note(f"{subject_of(msg)}: {', '.join(d.get('mRID', '') for d in msg.devices)}")

    # --- diagnostics and maintenance ------------------------------------------------------
    def troubleshoot(self, mrid: str) -> None:
        """Steps 3 to 6: test with the field tool, then replace the device or fix coverage."""
        tool: Any = self.screen("Field Tool")
        result = tool.test(mrid)
        faulty = self.ask("device faulty", "yes" if result.get("selfTest") != "PASSED" else "no")
        d = self.site.devices[mrid]
        if faulty == "yes":  # 4a, 5a, 6
            d.radio_ok, d.replaced = True, d.replaced + 1
            self.conclusions.append(Conclusion(mrid, True, True, "device replaced"))
            return
        adequate = self.ask(
            "HAN network coverage adequate", "yes" if result.get("link") == "GOOD" else "no"
        )
        if adequate == "no":  # 4b, 5b, 6
            self.coverage_reports.append(mrid)
            self.site.bridge = True
            self.conclusions.append(Conclusion(mrid, False, False, "bridging device installed"))
            return
        self.conclusions.append(Conclusion(mrid, False, True, "none"))
