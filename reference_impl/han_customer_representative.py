"""Customer Representative (I3 HAN provisioning): takes the call, works the provisioning tool.

The representative works at the tool's screen (reading what it discovered, pressing retry once a
bridge is in): that is not an exchange of the use case. What the representative says to the
customer and notes in the tool is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, ClassVar

from lxml import etree

from amicert.actors.base import on
from amicert.operators import OperatorActor
from amicert.trace import Exchange
from usecases.han_provisioning.vocabulary import han_message, hq, read_han_message

TOOL = "Utility HAN Provisioning Tool"
_NOW = timedelta(0)  # once the tool has taken the session in
PROGRAMS = ("demand response", "pricing")
# the automated choice per device kind: load-bearing equipment joins demand response
_DR_KINDS = {"thermostat", "load control device", "water heater"}


@dataclass
class Call:
    session: str
    account: str
    devices: list[dict[str, str]]
    noted: dict[str, str] = field(default_factory=dict)  # device -> program noted in the tool


class HanCustomerRepresentative(OperatorActor):
    role = "Customer Representative"
    QUESTIONS: ClassVar[dict[str, tuple[str, ...]]] = {"program for the device": PROGRAMS}

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.calls: dict[str, Call] = {}

    def tool(self) -> Any:
        return self.screen(TOOL)

    @on(hq("ProgramCall"))
    def on_call(self, root: etree._Element, exchange: Exchange) -> None:
        """Steps 4 to 6: take the call, find the customer in the CCS, activate the tool."""
        msg = read_han_message(root)
        account = msg.details.get("account", "")
        reply = self.call(
            "CCS",
            han_message("AccountQuery", self.role, self.ctx.now(), details={"account": account}),
        )
        if (
            reply is None
            or read_han_message(etree.fromstring(reply)).details.get("verified") != "yes"
        ):
            self.note(f"account {account!r} not found in the CCS: call ended")
            return
        session = self.ctx.new_id()
        self.calls[session] = Call(session, account, msg.devices)
        self.send(
            TOOL,
            han_message(
                "ProvisioningSession",
                self.role,
                self.ctx.now(),
                session=session,
                devices=msg.devices,
                details={"account": account},
            ),
        )
        self.ctx.clock.call_later(_NOW, lambda: self._look_at_tool(session))

    def _look_at_tool(self, session: str) -> None:
        """Step 6.2: the tool shows equipment it does not recognize: tell the customer."""
        if self.tool().unrecognized(session):
            self.send(
                "Customer",
                han_message(
                    "EquipmentNotice",
                    self.role,
                    self.ctx.now(),
                    session=session,
                    details={"options": "new meter at the customer's cost, or a bridge"},
                ),
            )

    def equipment_resolved(self, session: str) -> None:
        """The customer says the bridge (or meter) is in: the representative presses retry."""
        self.tool().retry(session)

    def devices_discovered(self, session: str, devices: list[dict[str, str]]) -> None:
        """Step 8: the tool displays the devices found: ask which shall participate."""
        self.send(
            "Customer",
            han_message(
                "DeviceInquiry", self.role, self.ctx.now(), session=session, devices=devices
            ),
        )

    @on(hq("DeviceSelection"))
    def on_selection(self, root: etree._Element, exchange: Exchange) -> None:
        """Steps 10 and 11: note the devices, then the program of each, in the tool."""
        msg = read_han_message(root)
        call = self.calls.get(msg.session)
        if call is None:
            return
        self.send(
            TOOL,
            han_message(
                "SelectionNote", self.role, self.ctx.now(), session=msg.session, devices=msg.devices
            ),
        )
        for d in msg.devices:
            automated = PROGRAMS[0] if d.get("kind") in _DR_KINDS else PROGRAMS[1]
            call.noted[d["mRID"]] = self.ask("program for the device", automated, PROGRAMS)
        self.send(
            TOOL,
            han_message(
                "ProgramSelection",
                self.role,
                self.ctx.now(),
                session=msg.session,
                devices=msg.devices,
                details={f"program:{k}": v for k, v in call.noted.items()},
            ),
        )

    def provisioned(self, session: str) -> None:
        """Step 15: the tool shows the devices active: confirm with the customer."""
        self.send(
            "Customer",
            han_message("Confirmation", self.role, self.ctx.now(), session=session),
        )
