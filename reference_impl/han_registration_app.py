"""HAN Device Registration Application (HAN utility registration).

Activated by the customer representative, it starts the Utility AMI HAN discovery (61968-9
EndDeviceControls, pairing window open) and shows the devices the gateway reports; with the
registration keys and programs the representative notes, it links with each device by its key,
pushes the registration down to the gateway (EndDeviceConfig), provisions the program in each
device and, once all acknowledged, stores the registration in the CCS (EndDeviceConfig).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from lxml import etree

from amicert.actors.base import Actor, ActorContext, on
from amicert.cim.envelope import Header, build_request, read_header
from amicert.cim.nouns import EndDeviceControlData, end_device_controls
from amicert.trace import Exchange
from usecases.han.vocabulary import (
    ACCEPTED,
    ACTIVE,
    PAIRING_FAILED,
    PAIRING_SUCCEEDED,
    PAIRING_WINDOW_OPEN,
    SUBJECT_DISCOVERED,
    SUBJECT_LINK,
    SUBJECT_REGISTRATION,
    SUBJECT_STORED,
    Registration,
    cim_header,
    end_device_config,
    hq,
    message,
    read_han_message,
)

EDE = "http://iec.ch/TC57/2011/EndDeviceEvents#"
GATEWAY = "Utility AMI Gateway"
CR = "Customer Representative"
WINDOW = timedelta(minutes=15)
SHOW_AFTER = timedelta(minutes=5)


@dataclass
class Registering:
    id: str
    account: str
    discovered: list[str] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)  # device -> registration key noted
    refs: dict[str, dict[str, str]] = field(default_factory=dict)  # device -> name, location
    programs: dict[str, str] = field(default_factory=dict)
    linked: list[str] = field(default_factory=list)
    acknowledged: set[str] = field(default_factory=set)
    stored: bool = False


class HanRegistrationApp(Actor):
    role = "HAN Device Registration Application"

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        self.sessions: dict[str, Registering] = {}
        self.refused_joins: list[str] = []

    def _header(self, verb: str, noun: str) -> Header:
        return cim_header(self.ctx, verb, noun, "HAN-REGISTRATION-APP")

    # --- steps 6, 7 -----------------------------------------------------------------------
    @on(hq("ProvisioningSession"))
    def on_session(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_han_message(root)
        s = Registering(msg.session, msg.details.get("account", ""))
        self.sessions[s.id] = s
        control = EndDeviceControlData(
            mrid=self.ctx.new_id(),
            control_type=PAIRING_WINDOW_OPEN,
            end_device_mrids=[str(self.ctx.settings.get("han_gateway", ""))],
            issuer_id="HAN-REGISTRATION-APP",
            issuer_tracking_id=s.id,
            start=self.ctx.now(),
            duration_s=WINDOW.total_seconds(),
        )
        self.call(
            GATEWAY,
            build_request(
                self._header("create", "EndDeviceControls"), end_device_controls([control])
            ),
        )
        self.ctx.clock.call_later(SHOW_AFTER, lambda: self._show(s.id))

    @on("created EndDeviceEvents")
    def on_discovered(self, root: etree._Element, exchange: Exchange) -> None:
        session = exchange.info.correlation_id if exchange.info else None
        for ev in root.iter(f"{{{EDE}}}EndDeviceEvent"):
            device = ev.findtext(f"{{{EDE}}}Assets/{{{EDE}}}mRID") or ""
            type_el = ev.find(f"{{{EDE}}}EndDeviceEventType")
            code = type_el.get("ref") if type_el is not None else None
            s = self.sessions.get(session or "")
            if code == PAIRING_SUCCEEDED and s is not None and device not in s.discovered:
                s.discovered.append(device)
            elif code == PAIRING_FAILED:
                self.refused_joins.append(device)
                self.note(f"join refused at the gateway: {device}")

    def _show(self, session: str) -> None:
        s = self.sessions[session]
        if not s.discovered:
            self.note(f"session {session}: discovery found no device: not commissioned")
            return
        self._screen(s.id, SUBJECT_DISCOVERED, s.discovered)

    # --- steps 9, 10, 12 ------------------------------------------------------------------
    @on(hq("ProgramSelection"))
    def on_programs(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_han_message(root)
        s = self.sessions.get(msg.session)
        if s is None:
            return
        for d in msg.devices:
            mrid = d.get("mRID", "")
            if mrid in s.discovered:
                s.keys[mrid] = d.get("installCode", "")
                s.refs[mrid] = d
                s.programs[mrid] = msg.details.get(f"program:{mrid}", "")
        # once the noting is taken: a link made while the representative still waits for the
        # application to answer would hold up both sides of a wire
        self.ctx.clock.call_later(timedelta(0), lambda: self._register(s))

    def _register(self, s: Registering) -> None:
        s.linked = [m for m in s.keys if self.link(s, m)]
        if not s.linked:
            return
        reply = self.call(
            GATEWAY,
            build_request(
                self._header("create", "EndDeviceConfig"),
                end_device_config([self.record_of(s, m) for m in s.linked]),
            ),
        )
        if reply is None or read_header(etree.fromstring(reply)).result != "OK":
            self.note(f"session {s.id}: the gateway did not take the registration")
            return
        for mrid in s.linked:
            self.send(
                "HAN Device",
                message(
                    "ProgramProvisioning",
                    self.role,
                    self.ctx.now(),
                    SUBJECT_REGISTRATION,
                    session=s.id,
                    devices=[{"mRID": mrid}],
                    details={"program": s.programs[mrid], "account": s.account},
                ),
                receiver_id=mrid,
            )

    def link(self, s: Registering, device: str) -> bool:
        """Step 10: an authenticated link with the device, using its registration key."""
        answer = self.call(
            "HAN Device",
            message(
                "CredentialCheck",
                self.role,
                self.ctx.now(),
                SUBJECT_LINK,
                session=s.id,
                devices=[{"mRID": device}],
                details={"registrationKey": s.keys[device]},
            ),
            receiver_id=device,
        )
        return answer is not None and (
            read_han_message(etree.fromstring(answer)).details.get("result") == ACCEPTED
        )

    # --- steps 13, 14 ---------------------------------------------------------------------
    @on(hq("ActivationAck"))
    def on_ack(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_han_message(root)
        s = self.sessions.get(msg.session)
        if s is None or msg.details.get("state") != ACTIVE:
            return
        s.acknowledged.update(d.get("mRID", "") for d in msg.devices)
        if s.stored or not set(s.linked) <= s.acknowledged:
            return
        s.stored = True
        reply = self.call(
            "CCS",
            build_request(
                self._header("create", "EndDeviceConfig"),
                end_device_config([self.record_of(s, m) for m in s.linked]),
            ),
        )
        if reply is not None and read_header(etree.fromstring(reply)).result == "OK":
            self.ctx.clock.call_later(
                timedelta(0), lambda: self._screen(s.id, SUBJECT_STORED, s.linked)
            )

    def _screen(self, session: str, subject: str, devices: list[str]) -> None:
        """What the representative sees in the application: an exchange, so it crosses a wire."""
        self.send(
            CR,
            message(
                "ApplicationScreen",
                self.role,
                self.ctx.now(),
                subject,
                session=session,
                devices=[{"mRID": m} for m in devices],
            ),
        )

    def record_of(self, s: Registering, device: str) -> Registration:
        d = s.refs.get(device, {})
        return Registration(
            device, d.get("name", ""), d.get("location", ""), s.programs.get(device, ""), s.account
        )
