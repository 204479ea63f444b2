"""CCS (HAN use cases): customer accounts, and the HAN device registrations stored with them.

It answers the representatives' account look-ups with the account's status and its device and
program registrations, stores the registration records of registration step 14 (the document
writes "CSS" there), and takes a representative's corrections (remote diagnostics step 5).
"""

from __future__ import annotations

from lxml import etree

from amicert.actors.base import Actor, ActorContext, on
from amicert.cim.envelope import ReplyError, build_response
from amicert.trace import Exchange
from usecases.han.vocabulary import (
    Registration,
    cim_header,
    hq,
    message,
    read_end_device_config,
    read_han_message,
    subject_of,
)


class HanRegistrationCcs(Actor):
    role = "CCS"

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        held = ctx.settings.get("han_ccs_registrations") or {}
        self.registrations: dict[str, Registration] = {
            m: Registration(m, r["name"], r["location"], r["program"], r["account"])
            for m, r in held.items()
        }

    def registration_of(self, device: str) -> Registration | None:
        return self.registrations.get(device)

    def registration_list(self) -> list[Registration]:
        return list(self.registrations.values())

    @on(hq("AccountQuery"))
    def on_query(self, root: etree._Element, exchange: Exchange) -> bytes:
        msg = read_han_message(root)
        account = msg.details.get("account", "")
        known = (self.ctx.settings.get("han_accounts") or {}).get(account)
        details = {"account": account, "verified": "yes" if known else "no"}
        if known:
            details.update({"premise": known["premise"], "status": "active"})
        mine = [r for r in self.registrations.values() if r.account == account]
        details.update({f"program:{r.device}": r.program for r in mine})
        devices = [{"mRID": r.device, "name": r.name, "location": r.location} for r in mine]
        return message(
            "AccountRecord",
            self.role,
            self.ctx.now(),
            subject_of(msg),
            devices=devices,
            details=details,
        )

    def _reply(self, exchange: Exchange, records: list[Registration]) -> bytes:
        request = exchange.info.message_id if exchange.info else None
        header = cim_header(self.ctx, "reply", "EndDeviceConfig", "CCS", request)
        missing = [r for r in records if not r.device]
        self.registrations.update({r.device: r for r in records if r.device})
        if not missing:
            return build_response(header, "OK")
        err = ReplyError(
            code="5.8", level="FATAL", reason="mandatory fields missing: EndDevice mRID"
        )
        result = "PARTIAL" if len(missing) < len(records) else "FAILED"
        return build_response(header, result, errors=[err])

    @on("create EndDeviceConfig")
    def on_registration(self, root: etree._Element, exchange: Exchange) -> bytes:
        return self._reply(exchange, read_end_device_config(root))

    @on("change EndDeviceConfig")
    def on_correction(self, root: etree._Element, exchange: Exchange) -> bytes:
        return self._reply(exchange, read_end_device_config(root))
