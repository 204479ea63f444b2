"""MDM (meter data management): stores the device events the head-end reports, per meter.

It answers each request synchronously with a 61968-100 reply whose CorrelationID echoes the
request's MessageID; a request that does not validate is answered FAILED with error 1.8.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from amicert.actors.base import Actor, ActorContext, on
from amicert.cim.envelope import Header, ReplyError, build_response
from amicert.trace import Exchange

EDE = "http://iec.ch/TC57/2011/EndDeviceEvents#"


@dataclass
class EventRecord:
    meter: str
    code: str
    created: str
    correlation_id: str
    details: dict[str, str] = field(default_factory=dict)


class Mdm(Actor):
    role = "MDM"

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        self.events: list[EventRecord] = []
        self._by_meter: dict[str, list[EventRecord]] = {}
        self._indexed = 0

    def events_for(self, meter: str) -> list[EventRecord]:
        """The events stored for ``meter`` (indexed: a fleet's post-conditions ask per meter)."""
        if self._indexed != len(self.events):
            self._by_meter = {}
            for e in self.events:
                self._by_meter.setdefault(e.meter, []).append(e)
            self._indexed = len(self.events)
        return list(self._by_meter.get(meter, []))

    def _reply_header(self, exchange: Exchange, noun: str) -> Header:
        info = exchange.info
        return Header(
            verb="reply",
            noun=noun,
            message_id=self.ctx.new_id(),
            timestamp=self.ctx.now(),
            source="MDM",
            correlation_id=info.message_id if info else None,
        )

    def unhandled(self, root: etree._Element, key: str, exchange: Exchange) -> bytes | None:
        """Answer what the MDM does not take with a FAILED reply naming why (2.9 verb, 2.5 noun)."""
        verb, _, noun = key.partition(" ")
        if noun in self.NOUNS:
            err = ReplyError(
                code="2.9", level="FATAL", reason=f"verb {verb!r} not supported for {noun}"
            )
        else:
            err = ReplyError(code="2.5", level="FATAL", reason=f"noun {noun!r} not supported")
        return build_response(
            self._reply_header(exchange, noun or "EndDeviceEvents"), "FAILED", errors=[err]
        )

    NOUNS = ("EndDeviceEvents",)

    @on("created EndDeviceEvents")
    def on_events(self, root: etree._Element, exchange: Exchange) -> bytes:
        info = exchange.info
        header = self._reply_header(exchange, "EndDeviceEvents")
        invalid = [f for f in exchange.findings if f.is_error and f.rule.startswith("XSD")]
        if invalid:
            err = ReplyError(
                code="1.8",
                level="FATAL",
                reason="does not validate against schema",
                details=invalid[0].message[:500],
            )
            return build_response(header, "FAILED", errors=[err])
        for ev in root.iter(f"{{{EDE}}}EndDeviceEvent"):
            type_el = ev.find(f"{{{EDE}}}EndDeviceEventType")
            details = {
                (d.findtext(f"{{{EDE}}}name") or ""): (d.findtext(f"{{{EDE}}}value") or "")
                for d in ev.findall(f"{{{EDE}}}EndDeviceEventDetails")
            }
            self.events.append(
                EventRecord(
                    meter=ev.findtext(f"{{{EDE}}}Assets/{{{EDE}}}mRID") or "",
                    code=type_el.get("ref", "") if type_el is not None else "",
                    created=ev.findtext(f"{{{EDE}}}createdDateTime") or "",
                    correlation_id=(info.correlation_id if info else None) or "",
                    details=details,
                )
            )
        return build_response(header, "OK")
