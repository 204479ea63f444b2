"""Customer Representative (HAN utility registration): takes the customer's notice, works the HAN
Device Registration Application, and confirms the programs.

The representative works at the application's screen: what it discovered and that the registration
is stored reach the representative as the application's screens (an exchange, so an application
served out of process shows them over the wire). What the representative notes in the application
and says to the customer are exchanges too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from lxml import etree

from amicert.actors.base import on
from amicert.operators import OperatorActor
from amicert.trace import Exchange
from usecases.han.vocabulary import (
    SUBJECT_CONFIRMATION,
    SUBJECT_DISCOVERED,
    SUBJECT_REGISTRATION,
    hq,
    message,
    read_han_message,
    subject_of,
)

APP = "HAN Device Registration Application"
PROGRAMS = ("demand response", "pricing")
_DR_KINDS = {"thermostat", "load control device"}  # load-bearing equipment joins demand response


@dataclass
class Notice:
    session: str
    account: str
    noted: dict[str, str] = field(default_factory=dict)  # device -> program noted


class HanRegistrationRepresentative(OperatorActor):
    role = "Customer Representative"
    QUESTIONS: ClassVar[dict[str, tuple[str, ...]]] = {"program for the device": PROGRAMS}

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.notices: dict[str, Notice] = {}

    def program_noted(self, device: str) -> str | None:
        return next((n.noted[device] for n in self.notices.values() if device in n.noted), None)

    @on(hq("ProgramCall"))
    def on_call(self, root: etree._Element, exchange: Exchange) -> None:
        """Steps 4 to 6: the customer is ready; find the account in the CCS; start the app."""
        msg = read_han_message(root)
        account = msg.details.get("account", "")
        reply = self.call(
            "CCS",
            message(
                "AccountQuery",
                self.role,
                self.ctx.now(),
                SUBJECT_REGISTRATION,
                details={"account": account},
            ),
        )
        record = read_han_message(etree.fromstring(reply)) if reply else None
        if record is None or record.details.get("verified") != "yes":
            self.note(f"account {account!r} not found in the CCS")
            return
        session = self.ctx.new_id()
        self.notices[session] = Notice(session, account)
        self.send(
            APP,
            message(
                "ProvisioningSession",
                self.role,
                self.ctx.now(),
                SUBJECT_REGISTRATION,
                session=session,
                details={"account": account},
            ),
        )

    @on(hq("ApplicationScreen"))
    def on_screen(self, root: etree._Element, exchange: Exchange) -> None:
        """Steps 7 and 14 as the application shows them: the devices found, the record stored."""
        msg = read_han_message(root)
        if msg.session not in self.notices:
            return
        if subject_of(msg) == SUBJECT_DISCOVERED:
            self.devices_discovered(msg.session, [d.get("mRID", "") for d in msg.devices])
        else:
            self.registered(msg.session)

    def devices_discovered(self, session: str, devices: list[str]) -> None:
        """Step 7 shows the devices: the representative asks the customer for their keys."""
        customer: Any = self.ctx.bus.actor("Customer")
        customer.read_registration_info(session, devices)

    @on(hq("DeviceSelection"))
    def on_registration_info(self, root: etree._Element, exchange: Exchange) -> None:
        """Step 9: the program of each device, noted with its registration information."""
        msg = read_han_message(root)
        notice = self.notices.get(msg.session)
        if notice is None:
            return
        for d in msg.devices:
            automated = PROGRAMS[0] if d.get("kind") in _DR_KINDS else PROGRAMS[1]
            notice.noted[d["mRID"]] = self.ask("program for the device", automated, PROGRAMS)
        self.send(
            APP,
            message(
                "ProgramSelection",
                self.role,
                self.ctx.now(),
                SUBJECT_REGISTRATION,
                session=msg.session,
                devices=msg.devices,
                details={f"program:{k}": v for k, v in notice.noted.items()},
            ),
        )

    def registered(self, session: str) -> None:
        """Step 15: the application shows the registration stored: confirm with the customer."""
        notice = self.notices[session]
        self.send(
            "Customer",
            message(
                "Confirmation",
                self.role,
                self.ctx.now(),
                SUBJECT_CONFIRMATION,
                session=session,
                devices=[{"mRID": m} for m in notice.noted],
            ),
        )
