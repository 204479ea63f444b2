"""Remote Diagnostics Application (HAN remote diagnostics and troubleshooting).

Started by the customer service representative for a device, it reads the device's commissioning
data from the Utility AMI Gateway (EndDeviceConfig), tries to connect to the device, and, when
asked for registration diagnostics, sends the registered control signal through the gateway
(EndDeviceControls): the gateway's reply says whether the device acted on it. Its diagnosis is
kept per device and shown to the representative.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from lxml import etree

from amicert.actors.base import Actor, ActorContext, on
from amicert.cim.envelope import Header, build_request, read_header
from amicert.cim.nouns import EndDeviceControlData, end_device_controls
from amicert.trace import Exchange
from usecases.han.vocabulary import (
    ACCEPTED,
    DIAGNOSTIC_CONTROL,
    NOT_AUTHORIZED,
    SUBJECT_CONNECT,
    SUBJECT_REGISTRATION_DIAGNOSTICS,
    SUBJECT_REMOTE_DIAGNOSTICS,
    cim_header,
    hq,
    message,
    read_end_device_config,
    read_han_message,
    reply_error_codes,
    subject_of,
)

GATEWAY = "Utility AMI Gateway"
CSR = "Customer Service Representative"
CONNECT_WAIT = timedelta(minutes=2)  # no answer by then: the connection failed
UNREACHABLE = "unreachable"
FUNCTIONING = "functioning"
UNREGISTERED = "not registered"
MALFUNCTIONING = "faulty"


@dataclass
class Diagnosis:
    session: str
    device: str
    commissioned: bool = False  # the gateway's commissioning data lists it (step 6)
    connected: bool | None = None  # steps 7, 8a/8b
    application: str | None = None  # step 10


class RemoteDiagnosticsApp(Actor):
    role = "Remote Diagnostics Application"

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        self.diagnoses: dict[str, Diagnosis] = {}  # by device

    def diagnosis(self, device: str) -> str | None:
        """What the application concluded about the device: None while it knows nothing."""
        d = self.diagnoses.get(device)
        if d is None or d.connected is None:
            return None
        if not d.connected:
            return UNREACHABLE
        return d.application

    def _header(self, verb: str, noun: str) -> Header:
        return cim_header(self.ctx, verb, noun, "REMOTE-DIAGNOSTICS")

    def _screen(self) -> Any:
        return self.ctx.bus.actor(CSR)

    @on(hq("ProvisioningSession"))
    def on_start(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_han_message(root)
        device = msg.devices[0].get("mRID", "") if msg.devices else ""
        if subject_of(msg) == SUBJECT_REMOTE_DIAGNOSTICS:
            self.diagnoses[device] = Diagnosis(msg.session, device)
            self.diagnose(self.diagnoses[device])
        elif subject_of(msg) == SUBJECT_REGISTRATION_DIAGNOSTICS and device in self.diagnoses:
            self.check_application(self.diagnoses[device])

    def diagnose(self, d: Diagnosis) -> None:
        """Steps 6, 7: the commissioning data, then a connection attempt."""
        reply = self.call(GATEWAY, build_request(self._header("get", "EndDeviceConfig"), None))
        if reply is not None:
            payload = etree.fromstring(reply)
            d.commissioned = any(r.device == d.device for r in read_end_device_config(payload))
        self.send(
            "HAN Device",
            message(
                "CredentialCheck",
                self.role,
                self.ctx.now(),
                SUBJECT_CONNECT,
                session=d.session,
                devices=[{"mRID": d.device}],
            ),
            receiver_id=d.device,
        )
        self.ctx.clock.call_later(CONNECT_WAIT, lambda: self._no_answer(d))

    def _no_answer(self, d: Diagnosis) -> None:
        if d.connected is None:
            d.connected = False  # 8b
            self._screen().connection_result(d.session, d.device, False)

    @on(hq("CredentialResult"))
    def on_answer(self, root: etree._Element, exchange: Exchange) -> None:
        """8a: the device answered: connection successful, commissioning confirmed."""
        msg = read_han_message(root)
        device = msg.devices[0].get("mRID", "") if msg.devices else ""
        d = self.diagnoses.get(device)
        if d is None or d.connected is not None or subject_of(msg) != SUBJECT_CONNECT:
            return
        d.connected = msg.details.get("result") == ACCEPTED and d.commissioned
        self._screen().connection_result(d.session, d.device, d.connected)

    def check_application(self, d: Diagnosis) -> None:
        """Step 10: the registered control signal, through the gateway."""
        control = EndDeviceControlData(
            mrid=self.ctx.new_id(),
            control_type=str(self.ctx.settings.get("han_diagnostic_control") or DIAGNOSTIC_CONTROL),
            end_device_mrids=[d.device],
            issuer_id="REMOTE-DIAGNOSTICS",
            issuer_tracking_id=d.session,
        )
        reply = self.call(
            GATEWAY,
            build_request(
                self._header("create", "EndDeviceControls"), end_device_controls([control])
            ),
        )
        root = etree.fromstring(reply) if reply else None
        if root is not None and read_header(root).result == "OK":
            d.application = FUNCTIONING
        elif root is not None and NOT_AUTHORIZED in reply_error_codes(root):
            d.application = UNREGISTERED
        else:
            d.application = MALFUNCTIONING
        self._screen().application_result(d.session, d.device, d.application)
