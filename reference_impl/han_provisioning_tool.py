"""Utility HAN Provisioning Tool (I3): discovers, provisions and registers Utility HAN devices.

It recognizes equipment whose HAN protocol the meter's HAN interface speaks (or, once the
representative says a bridge is in, any); opens the premises' pairing window through the
Premises Gateway (61968-9 EndDeviceControls, pairing window open); shows the devices whose join
succeeded; provisions the noted program in each; and, once every device acknowledged, stores the
registration (EndDeviceConfig: device IDs, names, locations) in the CCS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from lxml import etree

from amicert.actors.base import Actor, ActorContext, on
from amicert.cim.envelope import Header, build_request, read_header
from amicert.cim.nouns import EndDeviceControlData, end_device_controls
from amicert.trace import Exchange
from usecases.han_provisioning.vocabulary import (
    PAIRING_FAILED,
    PAIRING_SUCCEEDED,
    PAIRING_WINDOW_OPEN,
    Registration,
    end_device_config,
    han_message,
    hq,
    read_han_message,
)

EDE = "http://iec.ch/TC57/2011/EndDeviceEvents#"
CR = "Customer Representative"
WINDOW = timedelta(minutes=15)  # how long the pairing window stays open
SHOW_AFTER = timedelta(minutes=10)  # the discovery results are displayed after this


@dataclass
class Session:
    id: str
    account: str
    devices: dict[str, dict[str, str]]
    bridge: bool = False
    unrecognized: list[str] = field(default_factory=list)
    joined: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)
    programs: dict[str, str] = field(default_factory=dict)
    acknowledged: set[str] = field(default_factory=set)
    registered: bool = False


class HanProvisioningTool(Actor):
    role = "Utility HAN Provisioning Tool"

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        self.sessions: dict[str, Session] = {}
        self.ever_unrecognized: set[str] = set()

    def _protocols(self) -> set[str]:
        return set(self.ctx.settings.get("meter_han_protocols") or ())

    def _header(self, verb: str, noun: str, correlation: str | None = None) -> Header:
        return Header(
            verb=verb,
            noun=noun,
            message_id=self.ctx.new_id(),
            timestamp=self.ctx.now(),
            source="HAN-PROVISIONING-TOOL",
            correlation_id=correlation,
        )

    # --- steps 6, 6.1 ---------------------------------------------------------------------
    @on(hq("ProvisioningSession"))
    def on_session(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_han_message(root)
        s = Session(
            msg.session,
            msg.details.get("account", ""),
            {d["mRID"]: d for d in msg.devices if "mRID" in d},
        )
        self.sessions[s.id] = s
        known = self._protocols()
        models = self.ctx.settings.get("han_models") or {}
        s.unrecognized = [
            m for m, d in s.devices.items() if models.get(d.get("model", "")) not in known
        ]
        self.ever_unrecognized.update(s.unrecognized)
        if s.unrecognized:
            self.note(f"session {s.id}: equipment not recognized: {', '.join(s.unrecognized)}")
            self.display(s, "unrecognized", [s.devices[m] for m in s.unrecognized])
            return
        self.discover(s.id)

    def display(
        self,
        s: Session,
        screen: str,
        devices: list[dict[str, str]],
        details: dict[str, str] | None = None,
    ) -> None:
        """What the tool shows the representative (rows 6.2, 8 and 15)."""
        self.send(
            CR,
            han_message(
                "ToolDisplay",
                self.role,
                self.ctx.now(),
                session=s.id,
                devices=devices,
                details={"screen": screen, **(details or {})},
            ),
        )

    def unrecognized(self, session: str) -> list[str]:
        s = self.sessions.get(session)
        return list(s.unrecognized) if s else []

    def retry(self, session: str) -> None:
        """The representative says a bridge is in: the equipment is reachable now."""
        s = self.sessions[session]
        s.bridge, s.unrecognized = True, []
        self.discover(session)

    # --- step 7 ---------------------------------------------------------------------------
    def open_window(self, session: str) -> None:
        """Open the premises' pairing window outside a customer's call (harness row B1)."""
        self.sessions.setdefault(session, Session(session, "", {}))
        self.discover(session)

    def discover(self, session: str) -> None:
        meter = str(self.ctx.settings.get("han_meter", ""))
        control = EndDeviceControlData(
            mrid=self.ctx.new_id(),
            control_type=PAIRING_WINDOW_OPEN,
            end_device_mrids=[meter],
            issuer_id="HAN-PROVISIONING-TOOL",
            issuer_tracking_id=session,
            start=self.ctx.now(),
            duration_s=WINDOW.total_seconds(),
        )
        body = build_request(
            self._header("create", "EndDeviceControls"), end_device_controls([control])
        )
        self.call("Premises Gateway", body)
        self.ctx.clock.call_later(SHOW_AFTER, lambda: self._show(session))

    def _show(self, session: str) -> None:
        s = self.sessions.get(session)
        if s is None or not s.joined:
            return
        self.display(s, "discovered", self.shown(s))

    def shown(self, s: Session) -> list[dict[str, str]]:
        """The devices whose join succeeded, as the tool lists them."""
        return [s.devices.get(m, {"mRID": m}) for m in s.joined]

    @on("created EndDeviceEvents")
    def on_join_result(self, root: etree._Element, exchange: Exchange) -> None:
        session = exchange.info.correlation_id if exchange.info else None
        for ev in root.iter(f"{{{EDE}}}EndDeviceEvent"):
            device = ev.findtext(f"{{{EDE}}}Assets/{{{EDE}}}mRID") or ""
            type_el = ev.find(f"{{{EDE}}}EndDeviceEventType")
            code = type_el.get("ref") if type_el is not None else None
            s = self.sessions.get(session or "")
            if code == PAIRING_SUCCEEDED and s is not None and device not in s.joined:
                s.joined.append(device)
            elif code == PAIRING_FAILED and s is not None:
                s.refused.append(device)
            self.note(f"join result {code} for {device}")

    # --- steps 10 to 12 -------------------------------------------------------------------
    @on(hq("SelectionNote"))
    def on_selection(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_han_message(root)
        s = self.sessions.get(msg.session)
        if s is not None:
            s.selected = [d["mRID"] for d in msg.devices if d.get("mRID") in s.joined]

    @on(hq("ProgramSelection"))
    def on_programs(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_han_message(root)
        s = self.sessions.get(msg.session)
        if s is None:
            return
        for device in s.selected:
            s.programs[device] = msg.details.get(f"program:{device}", "")
            self.send(
                "Utility HAN",
                han_message(
                    "ProgramProvisioning",
                    self.role,
                    self.ctx.now(),
                    session=s.id,
                    devices=[{"mRID": device}],
                    details={"program": s.programs[device], "account": s.account},
                ),
                receiver_id=device,
            )

    # --- steps 13, 14 ---------------------------------------------------------------------
    @on(hq("ActivationAck"))
    def on_ack(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_han_message(root)
        s = self.sessions.get(msg.session)
        if s is None or msg.details.get("state") != "ACTIVE":
            return
        s.acknowledged.update(d.get("mRID", "") for d in msg.devices)
        if s.registered or not set(s.selected) <= s.acknowledged:
            return
        s.registered = True
        self.register(s)

    def register(self, s: Session) -> None:
        records = [self.record_of(s, m) for m in s.selected]
        reply = self.call(
            "CCS",
            build_request(self._header("create", "EndDeviceConfig"), end_device_config(records)),
        )
        if reply is not None and read_header(etree.fromstring(reply)).result == "OK":
            active = [s.devices.get(m, {"mRID": m}) for m in s.selected]
            programs = {f"program:{m}": s.programs.get(m, "") for m in s.selected}
            self.display(s, "provisioned", active, programs)

    def record_of(self, s: Session, device: str) -> Registration:
        d = s.devices.get(device, {})
        return Registration(
            device, d.get("name", ""), d.get("location", ""), s.programs.get(device, ""), s.account
        )
