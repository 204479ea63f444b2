"""Per-use-case drivers: the few domain operations the generic steps dispatch to.

A driver names its preconditions, triggers, faults, provisioning, state observations and
end checks. Everything else (matching, validation, verdicts) is generic.
"""

from __future__ import annotations

from amicert.usecases.base import Driver
from amicert.usecases.firmware_upgrade import FIRMWARE_UPGRADE
from amicert.usecases.meter_lifecycle import METER_LIFECYCLE

DRIVERS: dict[str, Driver] = {d.use_case: d for d in (FIRMWARE_UPGRADE, METER_LIFECYCLE)}


def driver_for(use_case_id: str) -> Driver:
    try:
        return DRIVERS[use_case_id]
    except KeyError:
        raise KeyError(f"no driver for use case {use_case_id}") from None
