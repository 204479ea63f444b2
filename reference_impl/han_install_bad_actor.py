"""Bad Actor (HAN installation): a person whose device, without the network key, tries to join."""

from __future__ import annotations

from lxml import etree

from amicert.actors.base import on
from amicert.operators import OperatorActor
from amicert.trace import Exchange
from usecases.han.vocabulary import SUBJECT_COMMISSIONING, hq, message, read_han_message


class HanInstallBadActor(OperatorActor):
    role = "Bad Actor"

    def attempt(self, device: str, guessed_key: str) -> None:
        """A join request for a device the utility never commissioned, with a guessed key."""
        self.send(
            "Utility AMI Gateway",
            message(
                "JoinRequest",
                self.role,
                self.ctx.now(),
                SUBJECT_COMMISSIONING,
                devices=[{"mRID": device, "installCode": guessed_key}],
            ),
        )

    @on(hq("CredentialResult"))
    def on_result(self, root: etree._Element, exchange: Exchange) -> None:
        self.note(f"join answered: {read_han_message(root).details.get('result')}")
