"""Every message the I2 reference actors build validates through the Validator without findings."""

from __future__ import annotations

from typing import Any

from i2_support import i2_world, run_out

from amicert.packages import driver_for

DRIVER = driver_for("I2")
REPLACE = "the Installer carries a replacement meter"


def scenario(sid: str, trigger: str, *setups: str, fault: str = "none") -> Any:
    world = i2_world(sid, *setups)
    DRIVER.inject(world, fault)
    DRIVER.trigger(world, trigger)
    run_out(world)
    return world


def test_each_message_type_of_i2_validates_without_findings() -> None:
    worlds = [
        scenario(
            "meter-trouble",
            "3.1#1",
            REPLACE,
            "the account is read by a third-party energy supplier",
            fault="memory",
        ),
        scenario("dcc-trouble", "3.2#1", REPLACE, fault="wan-communication"),
        scenario("customer-trouble", "3.3#1", REPLACE, fault="display"),
        scenario(
            "high-bill-meter-fault",
            "3.5#1",
            REPLACE,
            "the account's last bill is twice its usual",
            fault="metrology",
        ),
        scenario(
            "data-trouble",
            "3.6#1",
            REPLACE,
            "the meter's reads have been flat for a week, beside 2 meters of its lot",
            fault="memory",
        ),
        scenario(
            "tamper-meter-bad",
            "3.7#1",
            "the Revenue Protection Rep carries a replacement meter",
            fault="metrology",
        ),
        scenario(
            "maintenance-no-replacement", "3.4#1", "the meter's metrology drifts by 3 percent"
        ),
    ]
    seen: set[str] = set()
    for world in worlds:
        for x in world.trace.exchanges:
            assert x.info is not None
            assert x.findings == [], (x.label, [str(f) for f in x.findings])
            seen.add(x.label)
    for label in (
        "created EndDeviceEvents",
        "get MeterReadings",
        "reply MeterReadings",
        "create TroubleOrders",
        "changed TroubleOrders",
        "created TroubleOrders",
        "close TroubleOrders",
        "closed TroubleOrders",
        "reply TroubleOrders",
        "FailureNotice",
        "StatusCheckResponse",
        "MeterDataDownload",
        "LotList",
        "ReadData",
        "UntrustworthyMark",
        "MeterShopResult",
        "TamperNotice",
    ):
        assert label in seen, label
