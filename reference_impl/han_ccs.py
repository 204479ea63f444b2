"""CCS (I3 HAN provisioning): customer information, and the Utility HAN registrations it stores."""

from __future__ import annotations

from lxml import etree

from amicert.actors.base import Actor, ActorContext, on
from amicert.cim.envelope import Header, ReplyError, build_response
from amicert.trace import Exchange
from usecases.han_provisioning.vocabulary import (
    Registration,
    han_message,
    hq,
    read_end_device_config,
    read_han_message,
)


class HanCcs(Actor):
    role = "CCS"

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        self.registrations: list[Registration] = []

    def registrations_for(self, device: str) -> list[Registration]:
        return [r for r in self.registrations if r.device == device]

    @on(hq("AccountQuery"))
    def on_query(self, root: etree._Element, exchange: Exchange) -> bytes:
        msg = read_han_message(root)
        account = msg.details.get("account", "")
        known = (self.ctx.settings.get("accounts") or {}).get(account)
        details = {"account": account, "verified": "yes" if known else "no"}
        if known:
            details.update({"premise": known["premise"], "meter": known["meter"]})
        return han_message("AccountRecord", self.role, self.ctx.now(), details=details)

    @on("create EndDeviceConfig")
    def on_registration(self, root: etree._Element, exchange: Exchange) -> bytes:
        info = exchange.info
        header = Header(
            verb="reply",
            noun="EndDeviceConfig",
            message_id=self.ctx.new_id(),
            timestamp=self.ctx.now(),
            source="CCS",
            correlation_id=info.message_id if info else None,
        )
        records = read_end_device_config(root)
        missing = [r for r in records if not r.device]
        if missing:
            err = ReplyError(
                code="5.8", level="FATAL", reason="mandatory fields missing: EndDevice mRID"
            )
            self.registrations.extend(r for r in records if r.device)
            return build_response(
                header, "PARTIAL" if len(missing) < len(records) else "FAILED", errors=[err]
            )
        self.registrations.extend(records)
        return build_response(header, "OK")
