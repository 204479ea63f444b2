"""Customer (I2): reports a problem at the premise or complains of a high bill."""

from __future__ import annotations

from amicert.operators import OperatorActor
from usecases.meter_lifecycle.vocabulary import meter_message


class Customer(OperatorActor):
    role = "Customer"

    def report(self, complaint: str, account: str, premise: str, description: str) -> None:
        self.send(
            "Customer Representative",
            meter_message(
                "CustomerReport",
                self.role,
                self.ctx.now(),
                details={
                    "complaint": complaint,
                    "account": account,
                    "premise": premise,
                    "description": description,
                },
            ),
        )
