"""Data Center Concentrator (DCC) (I2): when a meter cannot be reached on its primary path, it
checks it over each alternate access path, isolates the failed component from the answer, and
passes the finding to the Meter Management System with the number and type of paths that still
reach the meter (which sets the trouble order's priority)."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from amicert.actors.base import Actor, ActorContext, on
from amicert.cim.envelope import build_event
from amicert.cim.nouns import EndDeviceEventData, end_device_events
from amicert.trace import Exchange
from usecases.meter_lifecycle.vocabulary import (
    COMMUNICATION_FAILED,
    MeterRef,
    cim_header,
    meter_message,
    mq,
    read_meter_message,
)


@dataclass
class Isolation:
    meter: str
    paths_tried: list[str] = field(default_factory=list)
    paths_ok: list[str] = field(default_factory=list)
    failed_component: str = ""
    reported: bool = False


class Dcc(Actor):
    role = "Data Center Concentrator (DCC)"

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        self.alternate_paths: list[str] = list(ctx.settings.get("alternate_paths", ["PLC"]))
        self.isolations: dict[str, Isolation] = {}

    def unreachable(self, meter: str) -> None:
        """The primary path to ``meter`` failed: check it over every alternate path."""
        iso = Isolation(meter)
        self.isolations[meter] = iso
        for path in self.alternate_paths:
            iso.paths_tried.append(path)
            self.send(
                "AMI Meter",
                meter_message(
                    "StatusCheck",
                    self.role,
                    self.ctx.now(),
                    meters=[MeterRef(meter)],
                    details={"path": path},
                ),
                receiver_id=meter,
            )

    @on(mq("StatusCheckResponse"))
    def on_response(self, root: etree._Element, exchange: Exchange) -> None:
        msg = read_meter_message(root)
        iso = self.isolations.get(msg.meter)
        if iso is None or iso.reported:
            return
        iso.paths_ok.append(msg.details.get("route", ""))
        failed = [c for c in ("WAN", "HAN", "metrology") if msg.details.get(c) == "failed"]
        iso.failed_component = failed[0] if failed else "network"
        iso.reported = True
        event = EndDeviceEventData(
            mrid=self.ctx.new_id(),
            created=self.ctx.now(),
            event_type=COMMUNICATION_FAILED,
            asset_mrid=msg.meter,
            reason="Meter unreachable on its primary path",
            details={
                "failureClass": "wan-communication" if iso.failed_component == "WAN" else "",
                "component": iso.failed_component.lower(),
                "alternatePaths": str(len(iso.paths_ok)),
                "pathTypes": ",".join(iso.paths_ok),
            },
        )
        body = build_event(
            cim_header(self, "created", "EndDeviceEvents"), end_device_events([event])
        )
        self.call("Meter Management System", body)
