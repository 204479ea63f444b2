"""Faulty variants of the I3 HAN provisioning actors: each breaks one thing a check must catch."""

from __future__ import annotations

from lxml import etree

from amicert.trace import Exchange
from reference_impl.han_provisioning_tool import HanProvisioningTool, Session
from reference_impl.premises_gateway import PremisesGateway
from reference_impl.utility_han_device import UtilityHanDevice
from usecases.han_provisioning.vocabulary import Registration


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
