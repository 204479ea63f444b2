"""Field Tool (HAN diagnostics and maintenance): tests a HAN device's network communication.

The installer works at its screen (not an exchange); the test it runs on the device is.
"""

from __future__ import annotations

from lxml import etree

from amicert.actors.base import Actor, ActorContext
from usecases.han.vocabulary import SUBJECT_FIELD_TEST, message, read_han_message


class HanFieldTool(Actor):
    role = "Field Tool"

    def __init__(self, ctx: ActorContext, instance: str | None = None) -> None:
        super().__init__(ctx, instance)
        self.results: dict[str, dict[str, str]] = {}

    def test(self, device: str) -> dict[str, str]:
        """Step 3: the device's self-test and the link it has to the gateway's HAN."""
        answer = self.call(
            "HAN Device",
            message(
                "CredentialCheck",
                self.role,
                self.ctx.now(),
                SUBJECT_FIELD_TEST,
                devices=[{"mRID": device}],
            ),
            receiver_id=device,
        )
        found = read_han_message(etree.fromstring(answer)).details if answer else {}
        self.results[device] = dict(found)
        return self.results[device]
