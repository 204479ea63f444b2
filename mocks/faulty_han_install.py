"""Faulty variants of the HAN use cases' actors: each breaks one thing a check must catch."""

from __future__ import annotations

from lxml import etree

from amicert.trace import Exchange
from reference_impl.han_installer import HanInstaller
from reference_impl.han_registration_app import HanRegistrationApp, Registering
from reference_impl.han_registration_ccs import HanRegistrationCcs
from reference_impl.remote_diagnostics_app import (
    FUNCTIONING,
    Diagnosis,
    RemoteDiagnosticsApp,
)
from reference_impl.utility_ami_gateway import UtilityAmiGateway
from usecases.han.vocabulary import Registration


class GatewayAdmitsAnyKey(UtilityAmiGateway):
    """Takes any key for the network key: a device joins without valid credentials."""

    def authenticates(self, key: str) -> bool:
        return True


class GatewayAdmitsSilently(UtilityAmiGateway):
    """Refuses the join on the wire and reports it, yet puts the device in the network."""

    def _report(self, devices: list[str], code: str, session: str | None) -> None:
        for device in devices:
            self.admit(device, "")
        super()._report(devices, code, session)


class GatewayForgetsDevices(UtilityAmiGateway):
    """Acknowledges and configures a device but never adds it to the network or the list."""

    def admit(self, mrid: str, key: str) -> None:
        return None


class AppSkipsLink(HanRegistrationApp):
    """Registers devices without creating the authenticated link with their registration key."""

    def link(self, s: Registering, device: str) -> bool:
        return True


class AppStoresWithoutIds(HanRegistrationApp):
    """Stores the registration without the device IDs."""

    def record_of(self, s: Registering, device: str) -> Registration:
        r = super().record_of(s, device)
        return Registration("", r.name, r.location, r.program, r.account)


class AppProvisionsOtherProgram(HanRegistrationApp):
    """Links and registers every device, but in a program other than the one noted for it."""

    def record_of(self, s: Registering, device: str) -> Registration:
        noted = s.programs.get(device, "")
        s.programs[device] = "pricing" if noted != "pricing" else "demand response"
        return super().record_of(s, device)


class AppStoresWrongLocation(HanRegistrationApp):
    """Stores each registration with the device's name where its location belongs."""

    def record_of(self, s: Registering, device: str) -> Registration:
        r = super().record_of(s, device)
        return Registration(r.device, r.name, r.name, r.program, r.account)


class DiagnosticsLosesResult(RemoteDiagnosticsApp):
    """Never concludes that the connection failed: the diagnostics result is missing."""

    def _no_answer(self, d: Diagnosis) -> None:
        return None


class DiagnosticsAlwaysFunctioning(RemoteDiagnosticsApp):
    """Reports every device functioning, whatever the gateway answered to the control signal."""

    def check_application(self, d: Diagnosis) -> None:
        super().check_application(d)
        d.application = FUNCTIONING


class CcsIgnoresCorrection(HanRegistrationCcs):
    """Answers a correction OK but keeps the old record."""

    def on_correction(self, root: etree._Element, exchange: Exchange) -> bytes:
        kept = dict(self.registrations)
        answer = super().on_correction(root, exchange)
        self.registrations = kept
        return answer


class InstallerLeavesUnresolved(HanInstaller):
    """Reports the marginal coverage, then leaves without a bridging device."""

    def troubleshoot(self, mrid: str) -> None:
        super().troubleshoot(mrid)
        self.site.bridge = False
