"""The HAN use cases' test-control declarations: the settings ``configure`` carries and the actor
state the checks read, with the JSON Schemas the vendor contract publishes."""

from __future__ import annotations

from amicert.control_schema import method_of, value_of
from amicert.driver import Driver, Setting
from reference_impl.han_device import HanDevice
from reference_impl.han_registration_ccs import HanRegistrationCcs
from reference_impl.remote_diagnostics_app import RemoteDiagnosticsApp
from reference_impl.utility_ami_gateway import UtilityAmiGateway

_STRINGS = {"type": "array", "items": {"type": "string"}}
_MAP = {"type": "object", "additionalProperties": {"type": "string"}}
_RECORD = {
    "type": "object",
    "required": ["account", "name", "location", "program"],
    "properties": {k: {"type": "string"} for k in ("account", "name", "location", "program")},
}


def declare(driver: Driver) -> None:
    """Register the scenario settings the HAN actors read and the state the checks inspect."""
    for setting in (
        Setting(
            "han_accounts",
            {
                "type": "object",
                "additionalProperties": {
                    "type": "object",
                    "required": ["premise"],
                    "properties": {"premise": {"type": "string"}},
                },
            },
            "the customer accounts the CCS holds, by account number: the premise address",
            read_by=("CCS",),
        ),
        Setting(
            "han_gateway",
            {"type": "string"},
            "the mRID of the premises' Utility AMI Gateway (meter), whose pairing window opens",
            read_by=("Utility AMI Gateway", "HAN Device Registration Application"),
        ),
        Setting(
            "han_network_key",
            {"type": "string"},
            "the network key pre-placed in the Utility AMI Gateway (pre-commissioning)",
            read_by=("Utility AMI Gateway", "HAN Device"),
        ),
        Setting(
            "han_commissioned",
            _STRINGS,
            "devices already in the gateway's HAN (the installation use case done)",
            read_by=("Utility AMI Gateway", "HAN Device"),
        ),
        Setting(
            "han_registered",
            _MAP,
            "device mRID -> the program it is registered in (the registration use case done)",
            read_by=("Utility AMI Gateway", "HAN Device"),
        ),
        Setting(
            "han_ccs_registrations",
            {"type": "object", "additionalProperties": _RECORD},
            "device mRID -> the registration record the CCS holds before the scenario",
            read_by=("CCS",),
        ),
        Setting(
            "han_diagnostic_control",
            {"type": "string", "pattern": r"^\d+\.\d+\.\d+\.\d+$"},
            "the EndDeviceControlType of the registered control signal a diagnostics check sends "
            "(no standard code exists; default 0.15.0.54, load control start)",
            read_by=("Remote Diagnostics Application",),
        ),
    ):
        driver.setting(setting)
    for item in (
        value_of(
            UtilityAmiGateway,
            "network",
            dict[str, str],
            "the devices in the HAN, each with the network key it joined with",
        ),
        value_of(UtilityAmiGateway, "available", list[str], "the list of available devices"),
        value_of(
            HanDevice, "linked_key", str | None, "the registration key the device linked with"
        ),
        value_of(HanDevice, "program", str | None, "the program the device runs"),
        method_of(
            HanDevice,
            "report_isolation",
            "trigger: the device cannot reach the AMI to self-register and tells the installer",
        ),
        method_of(
            HanRegistrationCcs,
            "registration_of",
            "the registration record the CCS holds for a device",
            reads=("device", "name", "location", "program"),
        ),
        method_of(
            RemoteDiagnosticsApp,
            "diagnosis",
            "what the application concluded about a device: unreachable, functioning, "
            "not registered or faulty (null while it knows nothing)",
        ),
    ):
        driver.inspectable(item)
