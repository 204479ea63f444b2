"""I2's test-control declarations: the settings ``configure`` carries, the actor state a check
or trigger reads by name, and the message details that steer the reference actors, with the JSON
Schemas the vendor contract publishes and the harness checks answers against."""

from __future__ import annotations

from typing import Any

from amicert.control_schema import method_of, value_of
from amicert.driver import ActorInput, Driver, Setting
from amicert.operators import Decision as PersonDecision
from reference_impl.ami_meter import AmiMeter
from reference_impl.ami_system import AmiSystem
from reference_impl.customer import Customer
from reference_impl.data_retriever import DataRetriever
from reference_impl.dcc import Dcc
from reference_impl.field_dispatch import DEFAULT_SLA_HOURS
from reference_impl.field_tool import FieldTool, Job
from reference_impl.installer import Installer
from reference_impl.mdms import MeterDataManagementSystem
from reference_impl.meter_management_system import Decision, MeterManagementSystem
from reference_impl.revenue_protection_rep import RevenueProtectionRep
from reference_impl.tdbu import TdbuPlanning
from usecases.meter_lifecycle.behaviours import BEHAVIOURS
from usecases.meter_lifecycle.vocabulary import DEFAULT_ROUTING, FailureClass, Record

TEXT: dict[str, Any] = {"type": "string"}
IDENTITY = {
    "type": "object",
    "required": ["serial", "lot", "manufacturer", "model", "module", "account", "status"],
    "properties": {
        "serial": {**TEXT, "description": "the serial on the nameplate"},
        "mms_serial": {
            **TEXT,
            "description": "the serial the Meter Management System's registry holds, when it "
            "differs from the nameplate (the meter-mismatch scenario): load this one",
        },
        "lot": TEXT,
        "manufacturer": TEXT,
        "model": TEXT,
        "module": {**TEXT, "description": "communication module"},
        "account": {**TEXT, "description": "billing account served ('' for a meter in stock)"},
        "status": {"enum": ["installed", "stock", "removed"]},
        "kwh": {"type": "number"},
        "age_years": {"type": "number"},
        "drift_percent": {"type": "number"},
        "history": {
            "type": "array",
            "items": {"type": "array", "prefixItems": [TEXT, {"type": "number"}]},
            "description": "daily register reads [date, kWh]",
        },
    },
}
ACCOUNT = {
    "type": "object",
    "required": ["address", "usage_point", "meter"],
    "properties": {
        "address": {**TEXT, "description": "premise address"},
        "usage_point": TEXT,
        "meter": {**TEXT, "description": "the meter serving it"},
        "third_party": {"type": "boolean"},
        "bills": {"type": "array", "items": {"type": "number"}},
    },
}


def _settings() -> tuple[Setting, ...]:
    mms = ("Meter Management System",)
    return (
        Setting(
            "meters",
            {"type": "object", "additionalProperties": IDENTITY},
            "every meter of the scenario by mRID: installed ones, the replacement carried in the "
            "field (status stock) and others of the same lot",
            read_by=(*mms, "AMI Meter", "Meter Data Management System", "Field Tool"),
        ),
        Setting(
            "in_scope_meters",
            {"type": "array", "items": TEXT},
            "the mRIDs whose device actors run in the scenario",
        ),
        Setting(
            "accounts",
            {"type": "object", "additionalProperties": ACCOUNT},
            "billing accounts by id: premise address, usage point, meter",
            read_by=(*mms, "CSS", "Meter Data Management System"),
        ),
        Setting(
            "routing",
            {"type": "object", "additionalProperties": TEXT},
            "the organization a trouble report goes to by failed component (I2BR3)",
            default=DEFAULT_ROUTING,
            read_by=mms,
        ),
        Setting(
            "decision_delay_s",
            {"type": "number", "minimum": 0},
            "how long the reference Meter Management System takes to decide on a failure event "
            "or to issue an order; a product has its own pace within the deadlines below",
            default=60,
            timing=True,
            read_by=mms,
        ),
        Setting(
            "sla_hours",
            {"type": "object", "additionalProperties": {"type": "number"}},
            "I2BR1 service levels: hours from an order's request to its schedule, by priority "
            "(1 highest); a schedule promised to the customer (detail promisedDateTime) is kept",
            default=DEFAULT_SLA_HOURS,
            timing=True,
            read_by=("Field Force Planning and Dispatch System",),
        ),
        Setting(
            "trouble_order_minutes",
            {"type": "number", "exclusiveMinimum": 0},
            "minutes from a failure event reaching the Meter Management System to its trouble "
            "order (3.1 row 4, 3.2 row 3); the judge's deadline, read by no actor: the "
            "document gives row 4 no figure, so the harness applies I2NFR4's 15 minutes for "
            "the same report (usecase.yaml limits)",
            default=15,
            timing=True,
        ),
        Setting(
            "crews",
            {"type": "object", "additionalProperties": {"type": "array", "items": TEXT}},
            "the dispatcher's crews by organization",
            default={"MSO": ["MSO-crew-1"], "IT": ["IT-crew-1"], "TP&S": ["TPS-crew-1"]},
            read_by=("Field Force Planning and Dispatch System",),
        ),
        Setting(
            "alternate_paths",
            {"type": "array", "items": TEXT},
            "the paths the DCC tries when a meter does not answer",
            default=["PLC"],
            read_by=("Data Center Concentrator (DCC)",),
        ),
        Setting(
            "retention_days",
            {"type": "number", "minimum": 0},
            "how long a meter keeps its diagnostic log (I2NFR5 asks 45 days)",
            default=60,
            timing=True,
            read_by=("AMI Meter",),
        ),
        Setting(
            "metrology_check_days",
            {"type": "number", "exclusiveMinimum": 0},
            "days between a meter's metrology checks (I2NFR6: daily to monthly)",
            default=1,
            timing=True,
            read_by=("AMI Meter", "AMI System"),
        ),
        Setting(
            "report_delay_s",
            {"type": "number", "minimum": 0},
            "seconds from a meter's detection of a failure to its notice (I2NFR4: 15 minutes)",
            default=5,
            timing=True,
            read_by=("AMI Meter",),
        ),
        Setting(
            "download_s",
            {"type": "number", "minimum": 0},
            "seconds a meter takes to answer a field-tool download (I2NFR7: 10 s)",
            default=4,
            timing=True,
            read_by=("AMI Meter",),
        ),
        Setting(
            "chronic_threshold",
            {"type": "integer", "minimum": 1},
            "failures within chronic_window_days that make a meter chronic (I2FR13)",
            default=3,
            read_by=("AMI System",),
        ),
        Setting(
            "chronic_window_days",
            {"type": "number", "exclusiveMinimum": 0},
            "the window of the chronic-failure analysis (I2FR13)",
            default=90,
            timing=True,
            read_by=("AMI System",),
        ),
        Setting(
            "warranty_years",
            {"type": "number", "minimum": 0},
            "a failed meter younger than this goes back to its manufacturer",
            default=5,
            read_by=("Meter Shop Meter Technician",),
        ),
    )


def _inspectables() -> list[Any]:
    return [
        method_of(AmiMeter, "fail", "fault: the meter's component of this failure class fails"),
        method_of(AmiMeter, "run_diagnostics", "trigger of 3.1#1: the periodic self-diagnostics"),
        method_of(AmiMeter, "detect_tamper", "trigger of 3.7#1: the meter detects tampering"),
        method_of(AmiMeter, "record", "set-up: a record in the meter's log, logged now"),
        value_of(
            AmiMeter, "diagnostics", list[Record], "the meter's diagnostic log", ("kind", "details")
        ),
        value_of(AmiMeter, "failed", dict[str, FailureClass], "failed components by class"),
        value_of(AmiMeter, "programmed", bool, "whether the meter has been programmed"),
        method_of(AmiSystem, "log_event", "set-up: an earlier failure in the event log"),
        method_of(AmiSystem, "by_account", "the event log by billing account (I2FR10)", ("code",)),
        method_of(AmiSystem, "by_meter", "the event log by meter (I2FR11)", ("code",)),
        method_of(
            AmiSystem, "by_type", "the event log by manufacturer, model, module (I2FR12)", ("code",)
        ),
        method_of(AmiSystem, "chronic", "meters with chronic failures and their counts (I2FR13)"),
        method_of(Dcc, "unreachable", "trigger of 3.2#1: the DCC cannot reach the meter"),
        method_of(Customer, "report", "trigger of 3.3#1 and 3.5#1: the customer's report"),
        method_of(
            MeterManagementSystem,
            "select_sample",
            "trigger of 3.4#1: pick `size` installed meters at random and send each a "
            "maintenance (sample test) order, as at 3.4#2",
            ("mrid",),
        ),
        value_of(
            MeterManagementSystem,
            "decisions",
            list[Decision],
            "each decision on a failure event: issued (an order), suppressed (a known outage "
            "or maintenance window covers it: I2FR18) or attached (to an open order)",
            ("meter", "outcome"),
        ),
        method_of(MeterManagementSystem, "orders_for", "every order naming the meter", ("mrid",)),
        method_of(DataRetriever, "review", "trigger of 3.6#1: a data retriever's review"),
        method_of(TdbuPlanning, "announce", "trigger of O1: an outage announcement"),
        value_of(
            FieldTool, "jobs", dict[str, Job], "the field tool's jobs by order mRID", ("test",)
        ),
        value_of(
            Installer,
            "decisions",
            list[PersonDecision],
            "what the installer decided",
            ("question", "answer"),
        ),
        value_of(
            RevenueProtectionRep,
            "decisions",
            list[PersonDecision],
            "what the revenue protection rep decided",
            ("question", "answer"),
        ),
        method_of(
            MeterDataManagementSystem,
            "is_untrustworthy",
            "whether the meter's data is marked untrustworthy",
        ),
    ]


ACTOR_INPUTS = (
    ActorInput(
        "Installer",
        "order_download",
        "TroubleOrder/Details[name='fieldTestRequired'] = 'yes'",
        "the installer runs a field test of the meter before anything else; the Meter "
        "Management System sets it on orders raised for HIGH_BILL or DATA_ANOMALY",
    ),
    ActorInput(
        "Installer",
        "maintenance_order",
        "TroubleOrder/kind = 'maintenance'",
        "a sample test: the installer tests the meter and replaces it only if it fails",
    ),
    ActorInput(
        "Field Tool",
        "rp_order_download",
        "TroubleOrder/kind = 'revenueProtection'",
        "the field tool gives the job to the Revenue Protection Rep instead of the Installer",
    ),
    ActorInput(
        "Field Force Planning and Dispatch System",
        "order_issue",
        "TroubleOrder/responsibleOrganisation, priority, Details[name='promisedDateTime']",
        "the crew of that organization schedules the order within the priority's service "
        "level (sla_hours), or at the promised time when one is given",
    ),
    ActorInput(
        "Meter Data Management System",
        "order_closed",
        "TroubleOrder/kind, troubleCode (HIGH_BILL, DATA_ANOMALY), Details[name='test.result']",
        "how the MDMS follows a completed order up: a re-bill for HIGH_BILL, a data "
        "correction for DATA_ANOMALY, a failed sample test",
    ),
    ActorInput(
        "Field Tool",
        "order_download",
        "TroubleOrder/mRID, Meter (mRID, serialNumber, role installed), UsagePoint "
        "(premiseAddress), scheduledDateTime, materialCode",
        "the job the field worker takes to the premise; the serial is compared with the "
        "meter's nameplate (a mismatch raises MismatchAlert)",
    ),
)


def declare(driver: Driver) -> None:
    """Register I2's settings, inspectable state, actor inputs and behaviours on its driver."""
    for setting in _settings():
        driver.setting(setting)
    for item in _inspectables():
        driver.inspectable(item)
    driver.actor_inputs.extend(ACTOR_INPUTS)
    driver.behaviours.extend(BEHAVIOURS)
