"""Bad Actor (I3): a person whose device, without valid credentials, tries to join the HAN."""

from __future__ import annotations

from amicert.operators import OperatorActor
from usecases.han_provisioning.vocabulary import han_message


class BadActor(OperatorActor):
    role = "Bad Actor"

    def attempt(self, device: str, guessed_code: str) -> None:
        """Send a join request for a device the utility never registered, with a guessed key."""
        self.send(
            "Premises Gateway",
            han_message(
                "JoinRequest",
                self.role,
                self.ctx.now(),
                devices=[{"mRID": device, "installCode": guessed_code}],
            ),
        )
