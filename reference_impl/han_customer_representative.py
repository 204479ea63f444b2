"""Customer Representative (I3 HAN provisioning): takes the call, works the provisioning tool.

What the tool shows the representative (equipment it does not recognize, the devices discovered,
the devices provisioned) is an exchange: the representative acts on it and tells the customer.
Pressing retry once a bridge is in is work at the tool's screen, not an exchange.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from lxml import etree

from amicert.actors.base import on
from amicert.operators import OperatorActor
from amicert.trace import Exchange
from usecases.han_provisioning.vocabulary import han_message, hq, read_han_message

TOOL = "Utility HAN Provisioning Tool"
OPTIONS = {"options": "new meter at the customer's cost, or a bridge"}
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

    @on(hq("ToolDisplay"))
    def on_display(self, root: etree._Element, exchange: Exchange) -> None:
        """What the tool shows decides what the representative tells the customer."""
        msg = read_han_message(root)
        if msg.session not in self.calls:
            self.note(f"display #{exchange.seq} for no call of mine: ignored")
            return
        screen = msg.details.get("screen", "")
        if screen == "unrecognized":  # 6.2
            self.tell("EquipmentNotice", msg.session, (), OPTIONS)
        elif screen == "discovered":  # 8
            self.tell("DeviceInquiry", msg.session, msg.devices)
        elif screen == "provisioned":  # 15
            self.tell("Confirmation", msg.session, msg.devices)
        else:
            self.note(f"display #{exchange.seq}: screen {screen!r} not known")

    def tell(
        self,
        kind: str,
        session: str,
        devices: Iterable[dict[str, str]],
        details: dict[str, str] | None = None,
    ) -> None:
        self.send(
            "Customer",
            han_message(
                kind, self.role, self.ctx.now(), session=session, devices=devices, details=details
            ),
        )

    def equipment_resolved(self, session: str) -> None:
        """The customer says the bridge (or meter) is in: the representative presses retry."""
        self.tool().retry(session)

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
