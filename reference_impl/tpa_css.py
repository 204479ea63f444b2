"""CSS (customer service system, C4): holds the accounts, the third-party contracts and their
service levels; answers the representative's account inquiries, sends the access commands and
remote-test requests the representative issues at its screen, and turns a test's results into a
trouble order (gateway failed) or a customer information report (gateway OK)."""

from __future__ import annotations

from lxml import etree

from amicert.actors.base import Actor, ActorContext, on
from amicert.trace import Exchange
from usecases.third_party_access import vocabulary as v


class TpaCss(Actor):
    role = "CSS"

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        self.receipts: list[v.TpaMessage] = []
        self.results: list[v.TpaMessage] = []

    def contract(self, account: str, third_party: str) -> dict[str, str]:
        contracts = self.ctx.settings.get("contracts", {})
        return dict(contracts.get(account, {}).get(third_party, {}))

    @on(v.tq("AccountInquiry"))
    def on_inquiry(self, root: etree._Element, exchange: Exchange) -> bytes:
        msg = v.read_tpa(root)
        account = msg.details.get("account", "")
        known = self.ctx.settings.get("accounts", {}).get(account, {})
        contract = self.contract(account, msg.third_party)
        enabled = msg.third_party in self.ctx.settings.get("access", {}).get(msg.service_point, {})
        return v.tpa_message(
            "AccountConfirmation",
            self.role,
            self.ctx.now(),
            self.ctx.new_id(),
            third_party=msg.third_party,
            service_point=msg.service_point,
            details={
                "account": account,
                "verified": "yes" if known.get("service_point") == msg.service_point else "no",
                "contract": contract.get("status", "none"),
                "tier": contract.get("tier", ""),
                "accessEnabled": "yes" if enabled else "no",
            },
        )

    def _access_command(
        self, third_party: str, service_point: str, devices: list[str], details: dict[str, str]
    ) -> None:
        self.send(
            "CCS",
            v.tpa_message(
                "AccessCommand",
                self.role,
                self.ctx.now(),
                self.ctx.new_id(),
                transaction=self.ctx.new_id(),
                third_party=third_party,
                service_point=service_point,
                devices=devices,
                details=details,
            ),
        )

    def issue_access(
        self, third_party: str, service_point: str, devices: list[str], tier: str
    ) -> None:
        """Step 3.3 row 5: the representative's access command, sent to the CCS."""
        self._access_command(
            third_party, service_point, devices, {"action": "enable", "tier": tier}
        )

    def end_service(self, account: str) -> None:
        """The customer turned off service: every third-party contract of the account ends and
        its access is disabled (C4BR2)."""
        service_point = self.ctx.settings.get("accounts", {}).get(account, {}).get("service_point")
        contracts = self.ctx.settings.get("contracts", {}).get(account, {})
        for third_party, contract in contracts.items():
            contract["status"] = "terminated"
            disable = {"action": "disable", "reason": "service ended"}
            self._access_command(third_party, service_point, [], disable)

    def request_test(self, service_point: str) -> None:
        """Step 3.4 row 3: the representative's request for a remote test of the gateway."""
        self.send(
            "CCS",
            v.tpa_message(
                "TestCommand",
                self.role,
                self.ctx.now(),
                self.ctx.new_id(),
                transaction=self.ctx.new_id(),
                service_point=service_point,
            ),
        )

    @on(v.tq("AccessReceipt"))
    def on_receipt(self, root: etree._Element, exchange: Exchange) -> None:
        self.receipts.append(v.read_tpa(root))

    @on(v.tq("TestResults"))
    def on_results(self, root: etree._Element, exchange: Exchange) -> None:
        msg = v.read_tpa(root)
        self.results.append(msg)
        if exchange.producer != "CCS":
            return  # results the MDMS makes available are kept, not acted on
        failed = msg.details.get("result") != "OK"
        self.send(
            "Customer Representative",
            v.tpa_message(
                "TroubleOrder" if failed else "CustomerAdvice",
                self.role,
                self.ctx.now(),
                self.ctx.new_id(),
                transaction=msg.transaction,
                service_point=msg.service_point,
                details={
                    "result": msg.details.get("result", ""),
                    "han": msg.details.get("han", ""),
                },
            ),
        )
