"""Utility AMI Gateway (HAN use cases): the meter's HAN coordinator.

It admits a device to the HAN only when the device's network key is the one pre-placed in the
gateway (installation step 6), sends it its configuration and lists it among the available
devices; it reports every device of that list when a pairing window opens for discovery
(61968-9 EndDeviceControls 0.10.73.298; EndDeviceEvents 12.10.0.58), and a refused join as
12.10.0.85; it keeps the registration materials the registration application pushes down
(EndDeviceConfig), answers for its commissioning data, and relays the registered control signal
of a diagnostics check to the device.
"""

from __future__ import annotations

import hmac
from datetime import timedelta

from lxml import etree

from amicert.actors.base import Actor, ActorContext, on
from amicert.cim.envelope import Header, ReplyError, build_event, build_response
from amicert.cim.nouns import EndDeviceEventData, end_device_events
from amicert.trace import Exchange
from usecases.han.vocabulary import (
    ACCEPTED,
    ACTIVE,
    ATTEMPTED_FAILED,
    FAULTY,
    NOT_AUTHORIZED,
    PAIRING_FAILED,
    PAIRING_SUCCEEDED,
    PAIRING_WINDOW_OPEN,
    REJECTED,
    SUBJECT_COMMISSIONING,
    SUBJECT_CONFIGURATION,
    SUBJECT_CONTROL,
    SUBJECT_REGISTRATION_INSTRUCTION,
    Registration,
    cim_header,
    end_device_config,
    hq,
    message,
    read_end_device_config,
    read_han_message,
)

EDC = "http://iec.ch/TC57/2011/EndDeviceControls#"
DEVICE = "HAN Device"
APP = "HAN Device Registration Application"
INSTRUCTION_AFTER = timedelta(minutes=1)  # the device has shown the installer it is up


class UtilityAmiGateway(Actor):
    role = "Utility AMI Gateway"

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        key = str(ctx.settings.get("han_network_key", ""))
        commissioned = list(ctx.settings.get("han_commissioned") or ())
        # device -> the network key it joined with; the list of available devices (step 8)
        self.network: dict[str, str] = {m: key for m in commissioned}
        self.available: list[str] = commissioned
        registered: dict[str, str] = ctx.settings.get("han_registered") or {}
        # pushed down at registration step 12
        self.registrations: dict[str, Registration] = {
            m: Registration(m, "", "", p, "") for m, p in registered.items()
        }

    def _header(self, verb: str, noun: str, correlation: str | None) -> Header:
        return cim_header(self.ctx, verb, noun, "UTILITY-AMI-GATEWAY", correlation)

    def network_key(self) -> str:
        return str(self.ctx.settings.get("han_network_key", ""))

    # --- installation, steps 6 to 8, 10 ---------------------------------------------------
    @on(hq("JoinRequest"))
    def on_join(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_han_message(root)
        device = msg.devices[0] if msg.devices else {}
        mrid, key = device.get("mRID", ""), device.get("installCode", "")
        ok = self.authenticates(key)
        to = exchange.producer
        target = mrid if to == DEVICE else None
        self.send(
            to,
            message(
                "CredentialResult",
                self.role,
                self.ctx.now(),
                SUBJECT_COMMISSIONING,
                devices=[{"mRID": mrid}],
                details={"result": ACCEPTED if ok else REJECTED},
            ),
            receiver_id=target,
        )
        if not ok:
            self.note(f"join of {mrid} refused: network credentials not valid")
            self._report([mrid], PAIRING_FAILED, None)
            return
        self.admit(mrid, key)
        self.send(
            DEVICE,
            message(
                "ProgramProvisioning",
                self.role,
                self.ctx.now(),
                SUBJECT_CONFIGURATION,
                devices=[{"mRID": mrid}],
                details={"preferredPath": "direct", "gateway": self.gateway()},
            ),
            receiver_id=mrid,
        )
        self.ctx.clock.call_later(INSTRUCTION_AFTER, lambda: self._instruct(mrid))

    def _instruct(self, mrid: str) -> None:
        """Step 10 (optional): once the device is up, how to register it with the utility."""
        self.send(
            "Customer or Installer",
            message(
                "EquipmentNotice",
                self.role,
                self.ctx.now(),
                SUBJECT_REGISTRATION_INSTRUCTION,
                devices=[{"mRID": mrid}],
                details={"instruction": "call the utility with the device's registration key"},
            ),
        )

    def authenticates(self, key: str) -> bool:
        """Step 6: only the network key pre-placed in the gateway is valid."""
        want = self.network_key()
        return bool(key) and bool(want) and hmac.compare_digest(key, want)

    def admit(self, mrid: str, key: str) -> None:
        """Step 8: the device is in the network and on the list of available devices."""
        self.network[mrid] = key
        if mrid not in self.available:
            self.available.append(mrid)

    def gateway(self) -> str:
        return str(self.ctx.settings.get("han_gateway", ""))

    def _report(self, devices: list[str], code: str, session: str | None) -> None:
        events = [
            EndDeviceEventData(
                mrid=self.ctx.new_id(), created=self.ctx.now(), event_type=code, asset_mrid=d
            )
            for d in devices
        ]
        if events:
            self.send(
                APP,
                build_event(
                    self._header("created", "EndDeviceEvents", session), end_device_events(events)
                ),
            )

    # --- registration step 7 and remote diagnostics step 10 -------------------------------
    @on("create EndDeviceControls")
    def on_control(self, root: etree._Element, exchange: Exchange) -> bytes:
        q = f"{{{EDC}}}"
        request = exchange.info.message_id if exchange.info else None
        failed: list[ReplyError] = []
        for ctl in root.iter(q + "EndDeviceControl"):
            type_el = ctl.find(q + "EndDeviceControlType")
            code = type_el.get("ref") if type_el is not None else None
            session = ctl.findtext(q + "issuerTrackingID")
            if code == PAIRING_WINDOW_OPEN:
                self._discover(session)
                continue
            for el in ctl.iter(q + "EndDevices"):
                device = el.findtext(q + "mRID") or ""
                error = self._relay(device, session or "")
                if error is not None:
                    failed.append(error)
        result = "FAILED" if failed else "OK"
        return build_response(
            self._header("reply", "EndDeviceControls", request), result, errors=failed
        )

    def _discover(self, session: str | None) -> None:
        """The devices on the list answer the discovery beacon: each is reported found."""
        listed = list(self.available)
        self.ctx.clock.call_later(
            self.discovery_delay(), lambda: self._report(listed, PAIRING_SUCCEEDED, session)
        )

    def discovery_delay(self) -> timedelta:
        """Devices in the list answer the discovery beacon after this."""
        return timedelta(seconds=30)

    def _relay(self, device: str, session: str) -> ReplyError | None:
        """Send the control signal to the device over the HAN; its answer decides the reply."""
        if device not in self.network:
            return ReplyError(code=ATTEMPTED_FAILED, level="FATAL", reason=f"{device} not in HAN")
        answer = self.call(
            DEVICE,
            message(
                "ProgramProvisioning",
                self.role,
                self.ctx.now(),
                SUBJECT_CONTROL,
                session=session,
                devices=[{"mRID": device}],
            ),
            receiver_id=device,
        )
        state = read_han_message(etree.fromstring(answer)).details.get("state") if answer else None
        if state == ACTIVE:
            return None
        if state == FAULTY:
            return ReplyError(code=ATTEMPTED_FAILED, level="FATAL", reason=f"{device}: {state}")
        return ReplyError(code=NOT_AUTHORIZED, level="FATAL", reason=f"{device}: {state}")

    # --- registration step 12, remote diagnostics step 6 ----------------------------------
    @on("create EndDeviceConfig")
    def on_registration(self, root: etree._Element, exchange: Exchange) -> bytes:
        request = exchange.info.message_id if exchange.info else None
        for r in read_end_device_config(root):
            if r.device:
                self.registrations[r.device] = r
        return build_response(self._header("reply", "EndDeviceConfig", request), "OK")

    @on("get EndDeviceConfig")
    def on_get(self, root: etree._Element, exchange: Exchange) -> bytes:
        """The commissioning data: every device in the HAN, with its registered program."""
        request = exchange.info.message_id if exchange.info else None
        records = [
            self.registrations.get(d) or Registration(d, "", "", "", "") for d in self.network
        ]
        return build_response(
            self._header("reply", "EndDeviceConfig", request),
            "OK",
            payload=end_device_config(records),
        )
