"""I3 HAN provisioning's test-control declarations: the settings ``configure`` carries and the
actor state and actions a check or trigger reads by name, with the JSON Schemas the vendor
contract publishes."""

from __future__ import annotations

from amicert.control_schema import method_of, value_of
from amicert.driver import Driver, Setting
from reference_impl.han_ccs import HanCcs
from reference_impl.han_provisioning_tool import HanProvisioningTool
from reference_impl.han_vendor import HanVendor
from reference_impl.premises_gateway import PremisesGateway
from reference_impl.utility_han_device import UtilityHanDevice

_STRINGS = {"type": "array", "items": {"type": "string"}}
_BY_DEVICE = {"type": "object", "additionalProperties": {"type": "string"}}
_HE = "AMI Head-End"
_UHAN = "Utility HAN"


def declare(driver: Driver) -> None:
    """Register the scenario settings the I3 actors read, and the state the checks read."""
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
            _BY_DEVICE,
            "HAN device model -> the HAN protocol it speaks",
            read_by=("Utility HAN Provisioning Tool",),
        ),
        Setting(
            "han_install_codes",
            _BY_DEVICE,
            "device mRID -> the install code registered with the utility (pre-commissioning)",
            read_by=("HAN Trust Center",),
        ),
        Setting(
            "han_customer_choice",
            {
                "type": "string",
                "enum": ["utility installs a new meter", "customer installs a bridge"],
            },
            "step 6.3: what the customer does about unrecognized equipment (automated answer)",
            read_by=("Customer",),
        ),
        Setting(
            "han_upgrade_devices",
            _STRINGS,
            "the Utility HAN devices of the remote upgrade campaign (U2)",
            read_by=(_HE,),
        ),
        Setting(
            "han_site_devices",
            _STRINGS,
            "the Utility HAN devices that take upgrades only at the site (S1)",
            read_by=("Utility HAN Installer",),
        ),
        Setting(
            "han_firmware",
            _BY_DEVICE,
            "device mRID -> the firmware the Utility HAN device runs before the upgrade",
            read_by=(_UHAN, _HE),
        ),
        Setting(
            "han_programs",
            _BY_DEVICE,
            "device mRID -> the program the Utility HAN device runs (part of its configuration)",
            read_by=(_UHAN,),
        ),
        Setting(
            "han_device_settings",
            {"type": "object", "additionalProperties": _BY_DEVICE},
            "device mRID -> the device's own settings (the rest of its configuration)",
            read_by=(_UHAN,),
        ),
        Setting(
            "han_network",
            _BY_DEVICE,
            "device mRID -> the key the Utility HAN device joined the HAN with, before the upgrade",
            read_by=("Premises Gateway",),
        ),
        Setting(
            "han_image",
            {
                "type": "object",
                "required": ["manufacturer", "model", "version", "content"],
                "properties": {
                    "manufacturer": {"type": "string"},
                    "model": {"type": "string"},
                    "version": {"type": "string"},
                    "content": {"type": "string", "contentEncoding": "base64"},
                },
            },
            "the Utility HAN firmware image the vendor releases (U1) and the testing tool carries",
            read_by=("Utility HAN vendor", "Utility HAN Testing Tool"),
        ),
        Setting(
            "han_configuration",
            {"type": "string", "enum": ["preserve", "reset"]},
            "I3FR3.1: whether the upgrade resets or preserves the devices' configuration",
            read_by=(_HE, "Utility HAN Installer"),
        ),
        Setting(
            "han_simultaneous_upgrades",
            {"type": "integer", "minimum": 1},
            "how many upgrades the reference head-end runs at once (500 unless set)",
            read_by=(_HE,),
        ),
        Setting(
            "remote_upgrade_minutes",
            {"type": "number", "exclusiveMinimum": 0},
            "I3NFR4's limit for one remote upgrade, beginning to end (5 unless set)",
            timing=True,
        ),
        Setting(
            "upgrades_per_hour",
            {"type": "number", "exclusiveMinimum": 0},
            "I3NFR5's campaign rate (10,000 devices per hour unless set)",
            timing=True,
        ),
        Setting(
            "simultaneous_upgrades",
            {"type": "integer", "minimum": 1},
            "I3NFR5's 'hundreds' at once (100 unless set; a smaller campaign runs all at once)",
        ),
    ):
        driver.setting(setting)
    for item in (
        value_of(
            HanProvisioningTool,
            "ever_unrecognized",
            list[str],
            "every device the tool reported unrecognized (6.1)",
        ),
        method_of(HanProvisioningTool, "open_window", "the trigger of B1: open the pairing window"),
        value_of(
            PremisesGateway,
            "network",
            dict[str, str],
            "the devices in the HAN, each with the key it joined with",
        ),
        value_of(UtilityHanDevice, "program", str | None, "the program the device runs"),
        value_of(UtilityHanDevice, "firmware", str | None, "the firmware the device runs"),
        value_of(UtilityHanDevice, "operating", bool, "whether the device operates"),
        method_of(UtilityHanDevice, "configuration", "the program and settings an upgrade keeps"),
        method_of(HanCcs, "registrations_for", "the registrations the CCS holds for a device"),
        method_of(HanVendor, "release", "the trigger of U1: the vendor releases the image"),
    ):
        driver.inspectable(item)
