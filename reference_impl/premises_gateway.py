"""Premises Gateway (I3): the meter's HAN interface; lets devices join only with valid credentials.

While a pairing window is open (61968-9 EndDeviceControls, 0.10.73.298) its beacon reaches the
devices in radio range; each join request is authenticated by the HAN Trust Center, and only a
device the Trust Center accepts is added to the network. Every join result goes to the
provisioning tool as an EndDeviceEvents message: PAN pairing succeeded or failed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from lxml import etree

from amicert.actors.base import Actor, ActorContext, on
from amicert.cim.envelope import Header, build_event, build_response
from amicert.cim.nouns import EndDeviceEventData, end_device_events
from amicert.trace import Exchange
from usecases.han_provisioning.vocabulary import (
    ACCEPTED,
    PAIRING_FAILED,
    PAIRING_SUCCEEDED,
    PAIRING_WINDOW_OPEN,
    han_message,
    hq,
    read_han_message,
)

EDC = "http://iec.ch/TC57/2011/EndDeviceControls#"
TOOL = "Utility HAN Provisioning Tool"
BEACON_DELAY = timedelta(seconds=30)  # devices hear the beacon and answer


class PremisesGateway(Actor):
    role = "Premises Gateway"

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        self.window_until: datetime | None = None
        self.session: str | None = None
        # device -> the credential it joined with (Utility HAN devices provisioned earlier)
        self.network: dict[str, str] = dict(ctx.settings.get("han_network") or {})

    def _header(self, verb: str, noun: str, correlation: str | None) -> Header:
        return Header(
            verb=verb,
            noun=noun,
            message_id=self.ctx.new_id(),
            timestamp=self.ctx.now(),
            source="PREMISES-GATEWAY",
            correlation_id=correlation,
        )

    @on("create EndDeviceControls")
    def on_control(self, root: etree._Element, exchange: Exchange) -> bytes:
        q = f"{{{EDC}}}"
        request_id = exchange.info.message_id if exchange.info else None
        for ctl in root.iter(q + "EndDeviceControl"):
            type_el = ctl.find(q + "EndDeviceControlType")
            if type_el is None or type_el.get("ref") != PAIRING_WINDOW_OPEN:
                continue
            seconds = float(ctl.findtext(f"{q}primaryDeviceTiming/{q}duration") or 900)
            self.window_until = self.ctx.now() + timedelta(seconds=seconds)
            self.session = ctl.findtext(q + "issuerTrackingID")
            self.ctx.clock.call_later(BEACON_DELAY, self._beacon, "pairing beacon")
        return build_response(self._header("reply", "EndDeviceControls", request_id), "OK")

    def _beacon(self) -> None:
        """The radio side: every Customer HAN device in range hears the window open."""
        for device in self.ctx.bus.instances("Customer HAN"):
            hear = getattr(device, "beacon", None)
            if hear is not None:
                hear()

    def window_open(self) -> bool:
        return self.window_until is not None and self.ctx.now() <= self.window_until

    @on(hq("JoinRequest"))
    def on_join(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_han_message(root)
        if not self.window_open() or not msg.devices:
            self.note(f"join request #{exchange.seq} outside a pairing window: ignored")
            return
        device = msg.devices[0]
        mrid, code = device.get("mRID", ""), device.get("installCode", "")
        reply = self.call(
            "HAN Trust Center",
            han_message(
                "CredentialCheck",
                self.role,
                self.ctx.now(),
                devices=[{"mRID": mrid, "installCode": code}],
            ),
        )
        verdict = read_han_message(etree.fromstring(reply)).details.get("result") if reply else None
        accepted = self.admits(verdict)
        if accepted:
            self.network[mrid] = code
        self._report(mrid, PAIRING_SUCCEEDED if accepted else PAIRING_FAILED, verdict or "NONE")

    def admits(self, verdict: str | None) -> bool:
        """Only a device the Trust Center accepted joins the network."""
        return verdict == ACCEPTED

    def _report(self, device: str, code: str, verdict: str) -> None:
        event = EndDeviceEventData(
            mrid=self.ctx.new_id(),
            created=self.ctx.now(),
            event_type=code,
            asset_mrid=device,
            details={"trustCenterResult": verdict},
        )
        self.send(
            TOOL,
            build_event(
                self._header("created", "EndDeviceEvents", self.session), end_device_events([event])
            ),
        )
