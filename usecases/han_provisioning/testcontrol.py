"""I3 HAN provisioning's test-control declarations: the settings ``configure`` carries, with the
JSON Schemas the vendor contract publishes."""

from __future__ import annotations

from amicert.driver import Driver, Setting

_STRINGS = {"type": "array", "items": {"type": "string"}}


def declare(driver: Driver) -> None:
    """Register the scenario settings the I3 actors read."""
    for setting in (
        Setting(
            "accounts",
            {
                "type": "object",
                "additionalProperties": {
                    "type": "object",
                    "required": ["premise", "meter"],
                    "properties": {"premise": {"type": "string"}, "meter": {"type": "string"}},
                },
            },
            "the customer accounts the CCS holds, by account number: premise address and meter",
            read_by=("CCS",),
        ),
        Setting(
            "han_meter",
            {"type": "string"},
            "the mRID of the premises' meter, whose HAN interface the pairing window opens",
            read_by=("Utility HAN Provisioning Tool",),
        ),
        Setting(
            "meter_han_protocols",
            _STRINGS,
            "the HAN protocols the meter's HAN interface speaks (what the tool recognizes)",
            read_by=("Utility HAN Provisioning Tool",),
        ),
        Setting(
            "han_models",
            {"type": "object", "additionalProperties": {"type": "string"}},
            "HAN device model -> the HAN protocol it speaks",
            read_by=("Utility HAN Provisioning Tool",),
        ),
        Setting(
            "han_install_codes",
            {"type": "object", "additionalProperties": {"type": "string"}},
            "device mRID -> the install code registered with the utility (pre-commissioning)",
            read_by=("HAN Trust Center",),
        ),
    ):
        driver.setting(setting)
