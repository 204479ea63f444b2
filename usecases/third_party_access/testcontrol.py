"""C4's test-control declarations: the settings ``configure`` carries and the actor state and
actions a check or trigger reads by name, with the JSON Schemas the vendor contract publishes."""

from __future__ import annotations

from typing import Any

from amicert.control_schema import method_of
from amicert.driver import Driver, Setting
from reference_impl.tpa_ccs import Ccs, LogRecord
from reference_impl.tpa_css import TpaCss
from reference_impl.tpa_customer import TpaCustomer
from reference_impl.tpa_service_point_gateway import ServicePointGateway
from reference_impl.tpa_third_party import ThirdParty
from usecases.third_party_access import vocabulary as v

OBJ = {"type": "object"}
AUTHORIZATION_VALUES = (
    f"one of {', '.join(v.AUTHORIZATION_STATUSES)}, optionally followed by ': <why>' or "
    "'; <what followed>' (e.g. 'unauthorized: action not authorized'); empty while not yet known"
)


def _log_field(name: str, meaning: str) -> dict[str, Any]:
    """A transaction-log field as the contract publishes it: what it holds, the values it takes."""
    if name == "events":
        return {"type": "array", "items": {"type": "string"}, "description": meaning}
    if name.endswith("authorization"):
        return {
            "type": "string",
            "pattern": v.AUTHORIZATION_PATTERN,
            "description": f"{meaning}: {AUTHORIZATION_VALUES}",
        }
    return {"type": "string", "description": meaning}


TRANSACTION_LOG = method_of(
    Ccs,
    "transaction_log",
    "the log record of one transaction (null: none), with the fields named here; each C4FR18 "
    "field is judged by its own check, so none is required by the answer's form; a field not "
    "named here is reported (STATE-C4-LOG-UNKNOWN-FIELD, a warning)",
    reads=(),
    answer=LogRecord | None,
    values={name: _log_field(name, meaning) for name, meaning in v.LOG_FIELDS.items()},
)
[LOG_RECORD] = [s for s in TRANSACTION_LOG.answer_schema["anyOf"] if s.get("type") == "object"]
ACCESS = {
    "type": "object",
    "additionalProperties": {"type": "object", "additionalProperties": OBJ},
}


def declare(driver: Driver) -> None:
    """Register C4's settings and inspectable state on its driver."""
    for setting in (
        Setting(
            "third_parties",
            {"type": "object", "additionalProperties": {"type": "string"}},
            "registered third parties: ID -> organization (Header/User)",
            read_by=("CCS", "Third Party"),
        ),
        Setting(
            "access",
            ACCESS,
            "the CCS's access table: service point -> third party -> tier and devices",
            read_by=("CCS", "CSS"),
        ),
        Setting(
            "spg_access",
            ACCESS,
            "each gateway's access table: service point -> third party -> configuration",
            read_by=("Service Point Gateway",),
        ),
        Setting(
            "accounts", ACCESS, "customer accounts: account -> its service point", read_by=("CSS",)
        ),
        Setting(
            "customer_devices",
            {"type": "object", "additionalProperties": {"type": "array"}},
            "the customer devices of each service point",
            read_by=("Customer",),
        ),
        Setting(
            "contracts",
            ACCESS,
            "third-party contracts: account -> third party -> status and tier",
            read_by=("CSS",),
        ),
        Setting(
            "queued",
            {"type": "array", "items": OBJ},
            "third-party messages waiting at the CCS for their gateway (3.5 row 1)",
            read_by=("CCS",),
        ),
        Setting(
            "wss_trusted",
            {"type": "array", "items": {"type": "string"}},
            "PEM certificates the CCS trusts for the third parties' WS-Security signatures: CAs "
            "that issue the signer's certificate directly (or the signer's certificate itself), "
            "checked for validity at the wall-clock time; a request unsigned or whose signature "
            "does not verify against them is refused (C4FR3, C4FR6); empty: nothing is verified",
            read_by=("CCS",),
        ),
        Setting(
            "watch_delivery",
            {"type": "boolean"},
            "the CCS tests a gateway that does not acknowledge a message (C4FR43)",
            default=False,
            read_by=("CCS",),
        ),
        Setting(
            "spg_outage_until",
            {"type": ["string", "null"], "format": "date-time"},
            "the gateways ignore everything until this time (faults spg-outage*)",
            timing=True,
            read_by=("Service Point Gateway",),
        ),
        Setting(
            "han_link_down",
            {"type": "object", "additionalProperties": {"type": "boolean"}},
            "service points whose gateway cannot reach the HAN (fault spg-han-link-down)",
            read_by=("Service Point Gateway",),
        ),
        Setting(
            "tiers",
            {
                "type": "object",
                "additionalProperties": {
                    "type": "object",
                    "required": ["transactions_per_hour", "transactions_per_day"],
                    "properties": {
                        "transactions_per_hour": {"type": "integer", "minimum": 0},
                        "transactions_per_day": {"type": "integer", "minimum": 0},
                    },
                },
            },
            "contract tiers: name -> the transactions per hour and per day a service point may "
            "carry for a third party on that tier (a request counts two: to the gateway and back; "
            "C4NFR1: 24 and 576 for the document's tier)",
            read_by=("CCS",),
        ),
        Setting(
            "unauthorized_per_hour",
            {"type": "integer", "minimum": 0},
            "unauthorized third-party attempts per hour beyond which the CCS and the gateway "
            "raise an alarm (C4FR27, C4FR28)",
            default=10,
            read_by=("CCS", "Service Point Gateway"),
        ),
        Setting(
            "spg_report_s",
            {"type": "number", "exclusiveMinimum": 0},
            "how often, in seconds, a gateway reports the unauthorized attempts it refused to the "
            "CCS (C4FR26)",
            default=3600,
            timing=True,
            read_by=("Service Point Gateway",),
        ),
    ):
        driver.setting(setting)
    for item in (
        method_of(ThirdParty, "monitor", "the trigger of 3.1: an on-demand monitoring request"),
        method_of(ThirdParty, "control", "the trigger of 3.2: a control command"),
        method_of(ThirdParty, "report_problem", "the trigger of 3.4: a problem report"),
        method_of(TpaCustomer, "request_access", "the trigger of 3.3: the customer's request"),
        method_of(Ccs, "deliver_queued", "the trigger of 3.5: deliver the queued messages"),
        method_of(
            ThirdParty,
            "send_requests",
            "requests spaced in time: limits, unauthorized attempts, an ended contract",
        ),
        method_of(ThirdParty, "probe", "a request, its replay and a malformed request"),
        method_of(ThirdParty, "monitor_as", "a request under another's ID (spoofing)"),
        method_of(
            ThirdParty,
            "forge",
            "the four requests whose signature must not verify, each otherwise admissible: one "
            "signed for one device and redirected after signing to another device of the same "
            "service point that the third party may reach too, one signed by a CA the CCS was not "
            "told to trust, one whose signature value is altered, one not signed",
        ),
        method_of(TpaCss, "end_service", "the customer's service ends: its contracts end"),
        method_of(Ccs, "retrieve_log", "the CCS asks a gateway for its log on demand"),
        TRANSACTION_LOG,
        method_of(ServicePointGateway, "admits", "whether the gateway admits a third party"),
    ):
        driver.inspectable(item)
