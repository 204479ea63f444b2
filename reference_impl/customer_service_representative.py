"""Customer Service Representative (HAN remote diagnostics and troubleshooting).

Takes the customer's call about a failing HAN device, checks the account in the CCS, corrects
it where it is wrong, and otherwise runs the Remote Diagnostics Application (working at its
screen, which is not an exchange) and tells the customer what it found and what happens next.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from lxml import etree

from amicert.actors.base import on
from amicert.cim.envelope import build_request
from amicert.operators import OperatorActor
from amicert.trace import Exchange
from usecases.han.vocabulary import (
    SUBJECT_FUNCTIONING,
    SUBJECT_ONSITE,
    SUBJECT_REACHABLE,
    SUBJECT_REGISTRATION_DIAGNOSTICS,
    SUBJECT_REMOTE_DIAGNOSTICS,
    SUBJECT_REREGISTER,
    SUBJECT_TROUBLE,
    Registration,
    cim_header,
    end_device_config,
    hq,
    message,
    read_han_message,
)

RDA = "Remote Diagnostics Application"
YES_NO = ("yes", "no")
REGISTER = "execute the registration again"
ONSITE = "schedule onsite maintenance"


@dataclass(frozen=True)
class Issue:
    """Step 2: who called, about which device, and what the customer says it takes part in."""

    account: str
    device: str
    program: str


class CustomerServiceRepresentative(OperatorActor):
    role = "Customer Service Representative"
    QUESTIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        "account or registration information wrong": YES_NO,
        "registration again or onsite maintenance": (REGISTER, ONSITE),
    }

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.issues: list[Issue] = []

    @on(hq("ProgramCall"))
    def on_call(self, root: etree._Element, exchange: Exchange) -> None:
        """Steps 1 to 5a."""
        msg = read_han_message(root)
        device = msg.devices[0] if msg.devices else {}
        issue = Issue(
            msg.details.get("account", ""), device.get("mRID", ""), msg.details.get("program", "")
        )
        self.issues.append(issue)  # 2
        reply = self.call(
            "CCS",
            message(
                "AccountQuery",
                self.role,
                self.ctx.now(),
                SUBJECT_TROUBLE,
                details={"account": issue.account},
            ),
        )  # 3
        record = read_han_message(etree.fromstring(reply)) if reply else None
        if record is None or record.details.get("verified") != "yes":
            self.note(f"account {issue.account!r} not found: call ended")
            return
        held = record.details.get(f"program:{issue.device}", "")
        wrong = "yes" if held != issue.program else "no"  # 4
        if self.ask("account or registration information wrong", wrong, YES_NO) == "yes":
            self.correct(issue, device)  # 5
            return
        self._start(SUBJECT_REMOTE_DIAGNOSTICS, self.ctx.new_id(), issue.device)  # 5a

    def _start(self, subject: str, session: str, device: str) -> None:
        """Start the Remote Diagnostics Application (5a) or its registration diagnostics (10b)."""
        self.send(
            RDA,
            message(
                "ProvisioningSession",
                self.role,
                self.ctx.now(),
                subject,
                session=session,
                devices=[{"mRID": device}],
            ),
        )

    def correct(self, issue: Issue, device: dict[str, str]) -> None:
        """Step 5: the registration updated to the program the customer takes part in."""
        header = cim_header(self.ctx, "change", "EndDeviceConfig", "CUSTOMER-SERVICE")
        record = Registration(
            issue.device,
            device.get("name", ""),
            device.get("location", ""),
            issue.program,
            issue.account,
        )
        self.call("CCS", build_request(header, end_device_config([record])))
        self.note(f"registration of {issue.device} corrected; call ended")

    def _tell(self, local: str, subject: str, session: str, device: str, **details: str) -> None:
        self.send(
            "Customer",
            message(
                local,
                self.role,
                self.ctx.now(),
                subject,
                session=session,
                devices=[{"mRID": device}],
                details=details,
            ),
        )

    def connection_result(self, session: str, device: str, connected: bool) -> None:
        """Steps 9, 10a/10b: the application shows whether it reached the device."""
        self._tell(
            "Confirmation", SUBJECT_REACHABLE, session, device, reachable=str(connected).lower()
        )
        if not connected:
            self._tell("EquipmentNotice", SUBJECT_ONSITE, session, device)
            return
        self._start(SUBJECT_REGISTRATION_DIAGNOSTICS, session, device)

    def application_result(self, session: str, device: str, result: str) -> None:
        """Steps 11, 12a/12b: the application shows whether the device acted on the signal."""
        functioning = result == "functioning"
        self._tell(
            "Confirmation",
            SUBJECT_FUNCTIONING,
            session,
            device,
            functioning=str(functioning).lower(),
        )
        if functioning:
            return
        automated = REGISTER if result == "not registered" else ONSITE
        if self.ask("registration again or onsite maintenance", automated) == REGISTER:
            self._tell("EquipmentNotice", SUBJECT_REREGISTER, session, device)
        else:
            self._tell("EquipmentNotice", SUBJECT_ONSITE, session, device)
