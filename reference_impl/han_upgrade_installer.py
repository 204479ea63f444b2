"""Utility HAN Installer (I3): at the site, connects the Utility HAN Testing Tool to a device
and presses upgrade (S1). Whether the upgrade resets or preserves the device's configuration is
the installer's decision: automated from the utility's work order, or answered from the
operator-answers file."""

from __future__ import annotations

from typing import Any, ClassVar

from amicert.operators import OperatorActor
from usecases.han_provisioning.vocabulary import CONFIGURATION_OPTIONS, PRESERVE

QUESTION = "reset or preserve the configuration"


class HanUpgradeInstaller(OperatorActor):
    role = "Utility HAN Installer"
    QUESTIONS: ClassVar[dict[str, tuple[str, ...]]] = {QUESTION: CONFIGURATION_OPTIONS}

    def visit(self, devices: list[str]) -> None:
        """At the premises: one upgrade per device, the configuration choice asked once."""
        ordered = str(self.ctx.settings.get("han_configuration") or PRESERVE)
        choice = self.ask(QUESTION, ordered, CONFIGURATION_OPTIONS)
        self.ctx.settings["han_configuration"] = choice  # what the checks hold the device to
        tool: Any = self.screen("Utility HAN Testing Tool")
        for device in devices:
            tool.upgrade(device, choice)
