"""Faulty variants of the C4 (third-party access) reference actors: each breaks one requirement.

Bound with ``amicert run --use-case C4 --actor "ROLE=mocks.faulty_c4:Class"``; the verdict each
must yield, and the rule and step it must name, are in mocks/proofs.py.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from lxml import etree

from amicert.trace import Exchange
from reference_impl.tpa_ccs import Ccs
from reference_impl.tpa_customer_device import CustomerDevice
from reference_impl.tpa_service_point_gateway import ServicePointGateway
from usecases.third_party_access import vocabulary as v


class CcsSlowRelay(Ccs):
    """Holds third-party requests for 90 s before passing them to the gateway (C4NFR3: 60 s)."""

    relay_delay = timedelta(seconds=90)


class CcsLogsWithoutDestination(Ccs):
    """Logs each transaction without the customer destination device ID (C4FR18 b.)."""

    def transaction_log(self, transaction: str) -> dict[str, Any] | None:
        record = super().transaction_log(transaction)
        if record is not None:
            record["device"] = ""
        return record


class SpgSlowTest(ServicePointGateway):
    """Takes two minutes to return communication test results (C4NFR5: 60 s)."""

    test_duration = timedelta(minutes=2)


class SpgSlowToHan(ServicePointGateway):
    """Passes third-party messages to the HAN 75 s after it receives them (C4NFR4: 60 s)."""

    def _inbound(self, *args: Any, **kw: Any) -> None:
        self.ctx.clock.call_later(
            timedelta(seconds=75), lambda: super(SpgSlowToHan, self)._inbound(*args, **kw)
        )


class SpgIgnoresAccessCommands(ServicePointGateway):
    """Acknowledges access commands as executed but never changes its access table."""

    def on_access(self, root: etree._Element, exchange: Exchange) -> None:
        msg = v.read_tpa(root)
        self._to_ccs("AccessReceipt", msg, {**msg.details, "result": "EXECUTED"})


class DeviceConfirmsWithoutActing(CustomerDevice):
    """Confirms each control command as executed without carrying it out."""

    def on_control(self, root: etree._Element, exchange: Exchange) -> None:
        msg = v.read_tpa(root)
        command = msg.details.get("command", "")
        self._answer("ControlConfirmation", msg, {"command": command, "status": "EXECUTED"})
