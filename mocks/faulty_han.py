"""Faulty variants of the I3 HAN provisioning actors: each breaks one thing a check must catch."""

from __future__ import annotations

from datetime import timedelta

from lxml import etree

from amicert.trace import Exchange
from reference_impl.han_head_end import HanHeadEnd
from reference_impl.han_provisioning_tool import HanProvisioningTool, Session
from reference_impl.han_trust_center import HanTrustCenter
from reference_impl.premises_gateway import PremisesGateway
from reference_impl.utility_han_device import UtilityHanDevice
from usecases.han_provisioning.vocabulary import RESET, HanMessage, Registration


class GatewayAdmitsWithoutKey(PremisesGateway):
    """Lets any device join, whatever the Trust Center said: a device joins without a key."""

    def admits(self, verdict: str | None) -> bool:
        return True


class GatewayAdmitsSilently(PremisesGateway):
    """Reports the refusal the Trust Center decided, yet lets the device into the network."""

    def _report(self, device: str, code: str, verdict: str) -> None:
        self.network.setdefault(device, "")
        super()._report(device, code, verdict)


class GatewayForgetsJoins(PremisesGateway):
    """Reports every join as succeeded but keeps no device in its network."""

    def on_join(self, root: etree._Element, exchange: Exchange) -> None:
        super().on_join(root, exchange)
        self.network.clear()


class ToolRegistersWithoutIds(HanProvisioningTool):
    """Stores the registration in the CCS without the Utility HAN device IDs."""

    def record_of(self, s: Session, device: str) -> Registration:
        record = super().record_of(s, device)
        return Registration("", record.name, record.location, record.program, record.account)


class ToolRegistersWrongLocation(HanProvisioningTool):
    """Stores each registration with the device's name where its location belongs."""

    def record_of(self, s: Session, device: str) -> Registration:
        record = super().record_of(s, device)
        return Registration(device, record.name, record.name, record.program, record.account)


class ToolRecognizesEverything(HanProvisioningTool):
    """Never reports equipment it cannot reach as unrecognized (step 6.1)."""

    def _protocols(self) -> set[str]:
        return set((self.ctx.settings.get("han_models") or {}).values())


class UtilityHanIgnoresProgram(UtilityHanDevice):
    """Acknowledges activation but keeps no program."""

    def accept(self, program: str | None) -> str | None:
        return None


class TrustCenterAcceptsAnyKey(HanTrustCenter):
    """Accepts every join, whatever install code it carries: a device joins without a key."""

    def accepts(self, device: str, code: str) -> bool:
        return True


class UtilityHanSlowUpgrade(UtilityHanDevice):
    """Takes 7 minutes to apply an image: over I3NFR4's 5 minutes."""

    def apply_time(self) -> timedelta:
        return timedelta(minutes=7)


class UtilityHanLosesConfiguration(UtilityHanDevice):
    """Returns to the factory configuration on every upgrade, even when asked to preserve it."""

    def apply(self, version: str, option: str) -> None:
        super().apply(version, RESET)


class UtilityHanConfirmsWithoutApplying(UtilityHanDevice):
    """Confirms the upgrade but goes on running the old firmware."""

    def apply(self, version: str, option: str) -> None:
        super().apply(self.firmware or "", option)


class UtilityHanStopsAfterUpgrade(UtilityHanDevice):
    """Confirms the upgrade, then stops operating in the HAN."""

    def _applied(self, msg: HanMessage, back: str) -> None:
        super()._applied(msg, back)
        self.operating = False


class HeadEndOneAtATime(HanHeadEnd):
    """Upgrades one device at a time: the campaign falls under 10,000 devices per hour."""

    def simultaneous(self) -> int:
        return 1


class ToolHidesADevice(HanProvisioningTool):
    """Leaves the last device whose join succeeded off the display the representative reads."""

    def shown(self, s: Session) -> list[dict[str, str]]:
        return super().shown(s)[:-1]


class ToolListsWrongPrograms(HanProvisioningTool):
    """Shows every provisioned device as running the pricing program, whatever it runs."""

    def display(
        self,
        s: Session,
        screen: str,
        devices: list[dict[str, str]],
        details: dict[str, str] | None = None,
    ) -> None:
        if screen == "provisioned":
            details = {k: "pricing" for k in details or {}}
        super().display(s, screen, devices, details)
