"""Utility HAN device (I3): takes the program it is provisioned with and acknowledges activation;
takes a firmware upgrade (remotely from the AMI Head-End or at the site from the Utility HAN
Testing Tool), resetting or preserving its configuration as asked, and confirms it."""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import timedelta

from lxml import etree

from amicert.actors.base import Actor, ActorContext, on
from amicert.trace import Exchange
from usecases.han_provisioning.vocabulary import (
    APPLIED,
    RESET,
    HanMessage,
    han_message,
    hq,
    read_han_message,
)

APPLY_TIME = timedelta(minutes=2)  # write the image, reboot, rejoin the HAN


class UtilityHanDevice(Actor):
    role = "Utility HAN"

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        mine = instance or ""
        self.program: str | None = (ctx.settings.get("han_programs") or {}).get(mine)
        self.settings: dict[str, str] = dict(
            (ctx.settings.get("han_device_settings") or {}).get(mine) or {}
        )
        self.firmware: str | None = (ctx.settings.get("han_firmware") or {}).get(mine)
        self.operating = True

    def configuration(self) -> dict[str, str]:
        """What an upgrade keeps or resets: the program and the device's own settings."""
        found = dict(self.settings)
        if self.program:
            found["program"] = self.program
        return found

    @on(hq("ProgramProvisioning"))
    def on_program(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_han_message(root)
        self.program = self.accept(msg.details.get("program") or None)
        self.send(
            "Utility HAN Provisioning Tool",
            han_message(
                "ActivationAck",
                self.role,
                self.ctx.now(),
                session=msg.session,
                devices=[{"mRID": self.instance or ""}],
                details={
                    "state": "ACTIVE" if msg.details.get("program") else "NOT-READY",
                    "program": self.program or "",
                },
            ),
        )

    def accept(self, program: str | None) -> str | None:
        """The program the device now runs: the one it was provisioned with."""
        return program

    # --- upgrades (U2 to U4, S2 to S4) -----------------------------------------------------
    @on(hq("FirmwareUpgrade"))
    def on_upgrade(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_han_message(root)
        if not self._intact(msg):
            self.note(f"upgrade #{exchange.seq}: image does not match its hash: refused")
            return
        back = exchange.producer
        self.ctx.clock.call_later(
            self.apply_time(), lambda: self._applied(msg, back), "Utility HAN applies firmware"
        )

    @staticmethod
    def _intact(msg: HanMessage) -> bool:
        try:
            content = base64.b64decode(msg.details.get("content", ""), validate=True)
        except binascii.Error:
            return False
        return hashlib.sha256(content).hexdigest() == msg.details.get("sha256")

    def apply_time(self) -> timedelta:
        """How long the device takes from receiving the image to running it."""
        return APPLY_TIME

    def _applied(self, msg: HanMessage, back: str) -> None:
        option = msg.details.get("configuration", "")
        self.apply(msg.details.get("version", ""), option)
        self.send(
            back,
            han_message(
                "UpgradeConfirmation",
                self.role,
                self.ctx.now(),
                session=msg.session,
                devices=[{"mRID": self.instance or ""}],
                details={
                    "firmware": self.firmware or "",
                    "configuration": APPLIED.get(option, "preserved"),
                    "state": "ACTIVE" if self.operating else "NOT-READY",
                },
            ),
        )

    def apply(self, version: str, option: str) -> None:
        """Run the new firmware; a reset returns the configuration to the factory's."""
        self.firmware = version
        if option == RESET:
            self.program, self.settings = None, {}
