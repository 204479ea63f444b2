"""AEP 5.8's test-control declarations: the settings ``configure`` carries and the actor state
a check or trigger reads by name, with the JSON Schemas the vendor contract publishes and the
harness checks answers against."""

from __future__ import annotations

from amicert.control_schema import method_of
from amicert.driver import Driver, Setting
from reference_impl.meter_vendor import MeterVendor

IDENTITY = {
    "type": "object",
    "required": ["manufacturer", "model", "fw_version", "fw_revision", "serial", "firmware"],
    "properties": {
        "manufacturer": {"type": "string", "maxLength": 4, "description": "C12.19 MANUFACTURER"},
        "model": {"type": "string", "maxLength": 8, "description": "C12.19 ED_MODEL"},
        "fw_version": {"type": "integer", "minimum": 0, "maximum": 255},
        "fw_revision": {"type": "integer", "minimum": 0, "maximum": 255},
        "serial": {"type": "string", "maxLength": 16, "description": "MFG_SERIAL_NUMBER"},
        "firmware": {"type": "string", "pattern": r"^\d+\.\d+$", "description": "running, V.R"},
    },
}


def declare(driver: Driver) -> None:
    """Register AEP 5.8's settings and inspectable state on its driver."""
    for setting in (
        Setting(
            "meters",
            {"type": "object", "additionalProperties": IDENTITY},
            "the meters of the scenario by mRID, with the identity their Standard Table 1 holds",
            read_by=("AMI Head-End", "Meter Metrology Board"),
        ),
        Setting(
            "in_scope_meters",
            {"type": "array", "items": {"type": "string"}},
            "the mRIDs of the campaign's meters (the Metering Department lists them at 1.2)",
            read_by=("Metering Department",),
        ),
        Setting(
            "window_days",
            {"type": "integer", "minimum": 1},
            "the campaign window in days (FirmwareCampaign/windowDays at 1.2); a meter that has "
            "not confirmed when it closes is reported at T1.11; the scenario runs window_days + 3",
            default=7,
            timing=True,
            read_by=("Metering Department", "AMI Head-End"),
        ),
        Setting(
            "meters_per_hour",
            {"type": ["number", "null"], "exclusiveMinimum": 0},
            "download pace of a campaign (`--set meters_per_hour=R`); unset: the downloads "
            "spread over the first half of the window",
            default=None,
            timing=True,
            read_by=("AMI Head-End",),
        ),
        Setting(
            "message_form",
            {"enum": ["generic", "wrapper"]},
            "the envelope form of the head-end's CIM reports: 61968-100 generic (EventMessage) "
            "or per-noun wrapper (CreatedEndDeviceEvents); both are accepted",
            default="generic",
            read_by=("AMI Head-End",),
        ),
        Setting(
            "hop_latency_s",
            {"type": "number", "minimum": 0},
            "the time a device message takes across the AMI Network",
            default=45,
            timing=True,
            read_by=("AMI Network",),
        ),
    ):
        driver.setting(setting)
    driver.inspectable(
        method_of(MeterVendor, "release", "the trigger of 1.1: the vendor releases the image")
    )
