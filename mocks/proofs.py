"""The proofs behind the harness's checks: each faulty actor, the scenario it is run in, and the
rule (at the row) the harness must answer it with.

One list, read by the tests (tests/test_proofs.py runs every entry and fails if a rule does not
fire) and by ``amicert list --coverage`` (a requirement counts as checked only when every rule
that measures it is proven here or by the mutations the catalog yields).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Proof:
    use_case: str
    role: str
    actor: str  # module:Class of the faulty variant
    scenario: str  # scenario id, with the outline example after "[" where it has one
    rule: str
    step: str | None

    @property
    def id(self) -> str:
        return f"{self.actor.rpartition(':')[2]}-{self.rule}"


_AEP = "mocks.faulty_actors"
_I2 = "mocks.faulty_i2"
_HAN = "mocks.faulty_han"
_GW = "Premises Gateway"
_TOOL = "Utility HAN Provisioning Tool"
_C4 = "mocks.faulty_c4"
_HANI = "mocks.faulty_han_install"
_AMIGW = "Utility AMI Gateway"
_REGAPP = "HAN Device Registration Application"
_RDA = "Remote Diagnostics Application"
_CORRUPTED = "image-refused[image corrupted in transit-4.2-AX-200-image-corrupted-in-transit-IMAGE_HASH_MISMATCH]"
_CHECKSUM = "meter-trouble[checksum-MSO]"
_OUTAGE = "suppressed-during-outage[planned outage-power]"
_SPG = "Service Point Gateway"
_STANDARD = "rate-limit[standard-24-576-13-4]"
_BASIC = "rate-limit[basic-12-24-13-20]"

PROOFS: list[Proof] = [
    Proof(
        "AEP-5.8", "AMI Head-End", f"{_AEP}:HeadEndNeverConfirms", "normal", "SEQ-MISSING", "1.11"
    ),
    Proof("AEP-5.8", "AMI Head-End", f"{_AEP}:HeadEndWrongVerb", "normal", "PROFILE-VERB", "1.11"),
    Proof(
        "AEP-5.8",
        "AMI Head-End",
        f"{_AEP}:HeadEndOmitsCorrelation",
        "normal",
        "SEQ-CORRELATION",
        "1.11",
    ),
    Proof(
        "AEP-5.8",
        "AMI Head-End",
        f"{_AEP}:HeadEndGarblesCorrelation",
        "normal",
        "SEQ-CORRELATION",
        "1.11",
    ),
    Proof(
        "AEP-5.8",
        "AMI Head-End",
        f"{_AEP}:HeadEndWrongEventCode",
        "normal",
        "PROFILE-EVENT-CODE",
        "1.11",
    ),
    Proof(
        "AEP-5.8", "AMI Head-End", f"{_AEP}:HeadEndInvalidPayload", "normal", "XSD-PAYLOAD", "1.11"
    ),
    Proof("AEP-5.8", "AMI Head-End", f"{_AEP}:HeadEndConfirmsEarly", "normal", "SEQ-ORDER", "1.11"),
    Proof(
        "AEP-5.8",
        "AMI Head-End",
        f"{_AEP}:HeadEndConfirmsEarly",
        "normal",
        "STATE-FIRMWARE-AT-CONFIRMATION",
        "1.11",
    ),
    Proof(
        "AEP-5.8",
        "AMI Head-End",
        f"{_AEP}:HeadEndMisreportsVersion",
        "normal",
        "PROFILE-FIRMWARE-DETAIL",
        "1.11",
    ),
    Proof(
        "AEP-5.8",
        "Meter Metrology Board",
        f"{_AEP}:MetrologyConfirmsWithoutApplying",
        "normal",
        "STATE-FIRMWARE",
        "1.7",
    ),
    Proof(
        "AEP-5.8",
        "Meter Metrology Board",
        f"{_AEP}:MetrologySkipsHashCheck",
        _CORRUPTED,
        "STATE-FIRMWARE-CHANGED",
        "R1.7",
    ),
    Proof(
        "AEP-5.8",
        "Meter Metrology Board",
        f"{_AEP}:MetrologySkipsHashCheck",
        _CORRUPTED,
        "PROFILE-CONTENT",
        "R1.8",
    ),
    Proof(
        "AEP-5.8", "MDM", f"{_AEP}:MdmReplyWithoutCorrelation", "normal", "ENV-CORRELATION", "1.11"
    ),
    Proof(
        "AEP-5.8", "MDM", f"{_AEP}:MdmForgetsEvents", "normal", "STATE-MDM-EVENT", "post-condition"
    ),
    Proof("AEP-5.8", "MDM", f"{_AEP}:MdmNeverAnswers", "normal", "MSG-NO-REPLY", "1.11"),
    Proof(
        "AEP-5.8",
        "AMI Head-End",
        f"{_AEP}:HeadEndIgnoresCampaigns",
        "normal",
        "SEQ-NO-EFFECT",
        "1.3",
    ),
    Proof(
        "AEP-5.8",
        "MDM",
        f"{_AEP}:MdmStoresWrongVersion",
        "normal",
        "STATE-MDM-DETAIL",
        "post-condition",
    ),
    Proof(
        "AEP-5.8",
        "AMI Head-End",
        f"{_AEP}:HeadEndGivesUpEarly",
        "never-confirms",
        "SEQ-TIMING",
        "T1.11",
    ),
    Proof(
        "I2", "Meter Management System", f"{_I2}:MmsIgnoresOutages", _OUTAGE, "STATE-I2FR18", "O3"
    ),
    Proof("I2", "Meter Management System", f"{_I2}:MmsIgnoresOutages", _OUTAGE, "SEQ-EXTRA", None),
    Proof("I2", "AMI Meter", f"{_I2}:MeterReportsLate", _CHECKSUM, "NFR-I2NFR4", "3.1#2"),
    Proof(
        "I2",
        "Field Tool",
        f"{_I2}:FieldToolNoMismatchAlert",
        "meter-mismatch",
        "SEQ-MISSING",
        "M7",
    ),
    Proof(
        "I2",
        "Meter Data Management System",
        f"{_I2}:MdmsSilentToThirdParties",
        _CHECKSUM,
        "SEQ-MISSING",
        "3.1#11.3",
    ),
    Proof("I2", "AMI Meter", f"{_I2}:MeterPrunesAt30Days", _CHECKSUM, "NFR-I2NFR5", "3.1#7"),
    Proof(
        "I2",
        "Meter Management System",
        f"{_I2}:MmsRoutesEverythingToIt",
        _CHECKSUM,
        "BR-I2BR3",
        "3.1#4",
    ),
    Proof("I2", "AMI Meter", f"{_I2}:MeterSlowDownload", _CHECKSUM, "NFR-I2NFR7", "3.1#7"),
    Proof("I2", "AMI Meter", f"{_I2}:MeterMetrologyEvery40Days", _CHECKSUM, "NFR-I2NFR6", "3.1#1"),
    Proof(
        "I2",
        "AMI System",
        f"{_I2}:AmiSystemLogsByMeterOnly",
        _CHECKSUM,
        "STATE-I2FR10-12",
        "3.1#2",
    ),
    Proof(
        "I2",
        "AMI System",
        f"{_I2}:AmiSystemNoChronicAnalysis",
        _CHECKSUM,
        "STATE-I2FR13",
        "3.1#2",
    ),
    Proof(
        "I2",
        "Field Force Planning and Dispatch System",
        f"{_I2}:DispatchBeyondSla",
        _CHECKSUM,
        "BR-I2BR1",
        "3.1#4.1",
    ),
    Proof(
        "I2",
        "AMI Meter",
        f"{_I2}:MeterUploadsBeforeLocalDownload",
        "dcc-trouble",
        "SEQ-ORDER",
        "3.2#6",
    ),
    Proof(
        "I2",
        "Meter Management System",
        f"{_I2}:MmsOrderNamesAnotherMeter",
        "data-trouble",
        "PROFILE-I2-METER",
        "3.6#4",
    ),
    Proof(
        "I2",
        "Meter Management System",
        f"{_I2}:MmsIgnoresItsRecords",
        "meter-mismatch",
        "PROFILE-I2-SERIAL",
        "3.1#5",
    ),
    Proof(
        "I2",
        "Meter Management System",
        f"{_I2}:MmsOrderWithoutPremise",
        _CHECKSUM,
        "INPUT-INCOMPLETE",
        "3.1#5",
    ),
    Proof(
        "I2",
        "Meter Management System",
        f"{_I2}:MmsOrderWithoutFieldTestFlag",
        "high-bill-meter-fault",
        "INPUT-INCOMPLETE",
        "3.5#6",
    ),
    Proof(
        "I2",
        "Field Force Planning and Dispatch System",
        f"{_I2}:DispatchClaimsAPromise",
        _CHECKSUM,
        "BR-I2BR1",
        "3.1#4.1",
    ),
    Proof(
        "I2",
        "AMI Meter",
        f"{_I2}:MeterReportsEveryFailureAsChecksum",
        "meter-trouble[time-sync-MSO]",
        "PROFILE-I2-FAILURE-CLASS",
        "3.1#2",
    ),
    Proof(
        "I2",
        "AMI System",
        f"{_I2}:AmiSystemRelaysAsTimeSync",
        "meter-trouble[memory-MSO]",
        "PROFILE-I2-FAILURE-CLASS",
        "3.1#2",
    ),
    Proof(
        "I2",
        "AMI System",
        f"{_I2}:AmiSystemRelaysAnotherMeter",
        _CHECKSUM,
        "SEQ-UNEXPECTED-DEVICE",
        "3.1#2",
    ),
    Proof(
        "I2",
        "Meter Management System",
        f"{_I2}:MmsOrderWithoutMaterial",
        _CHECKSUM,
        "PROFILE-I2FR21",
        "3.1#5",
    ),
    # I2: the Meter Management System's own deadline, the meter's priorities, the replacement order
    Proof(
        "I2",
        "Meter Management System",
        f"{_I2}:MmsIssuesLate",
        _CHECKSUM,
        "BR-I2-ISSUE-DEADLINE",
        "3.1#4",
    ),
    Proof(
        "I2",
        "AMI Meter",
        f"{_I2}:MeterTreatsEveryFailureAsCritical",
        "low-importance-failure",
        "PROFILE-I2-PRIORITY",
        "3.1#1",
    ),
    Proof(
        "I2",
        "AMI Meter",
        f"{_I2}:MeterMarksCriticalFailuresOther",
        _CHECKSUM,
        "PROFILE-I2-PRIORITY",
        "3.1#1",
    ),
    Proof(
        "I2",
        "Meter Management System",
        f"{_I2}:MmsIssuesReplacementForAnotherMeter",
        "maintenance-no-replacement",
        "SEQ-UNEXPECTED-DEVICE",
        "3.4#5.2",
    ),
    Proof(
        "I2",
        "Meter Management System",
        f"{_I2}:MmsIssuesReplacementAsSampleTest",
        "maintenance-no-replacement",
        "PROFILE-CONTENT",
        "3.4#5.2",
    ),
    Proof(
        "I3",
        _GW,
        f"{_HAN}:GatewayAdmitsWithoutKey",
        "bad-actor-refused",
        "PROFILE-EVENT-CODE",
        "B4",
    ),
    Proof(
        "I3", _GW, f"{_HAN}:GatewayAdmitsSilently", "bad-actor-refused", "STATE-HAN-INTRUDER", "B5"
    ),
    Proof(
        "I3",
        _GW,
        f"{_HAN}:GatewayForgetsJoins",
        "provisioning",
        "STATE-HAN-JOINED",
        "post-condition",
    ),
    Proof("I3", _TOOL, f"{_HAN}:ToolRegistersWithoutIds", "provisioning", "SEQ-MISSING", "3.2#14"),
    Proof(
        "I3",
        _TOOL,
        f"{_HAN}:ToolRegistersWrongLocation",
        "provisioning",
        "STATE-HAN-REGISTRATION",
        "post-condition",
    ),
    Proof(
        "I3",
        _TOOL,
        f"{_HAN}:ToolRecognizesEverything",
        "unrecognized-equipment",
        "STATE-HAN-UNRECOGNIZED",
        "3.3#6.1",
    ),
    Proof(
        "I3",
        "Utility HAN",
        f"{_HAN}:UtilityHanIgnoresProgram",
        "provisioning",
        "STATE-HAN-PROGRAM",
        "post-condition",
    ),
    Proof(
        "I3",
        "HAN Trust Center",
        f"{_HAN}:TrustCenterAcceptsAnyKey",
        "bad-actor-refused",
        "SEQ-MISSING",
        "B3",
    ),
    Proof(
        "I3",
        "Utility HAN",
        f"{_HAN}:UtilityHanSlowUpgrade",
        "han-remote-upgrade[preserve]",
        "NFR-I3NFR4",
        "U4",
    ),
    Proof(
        "I3",
        "AMI Head-End",
        f"{_HAN}:HeadEndOneAtATime",
        "han-remote-upgrade[preserve]",
        "NFR-I3NFR5",
        "U5",
    ),
    Proof(
        "I3",
        "Utility HAN",
        f"{_HAN}:UtilityHanLosesConfiguration",
        "han-remote-upgrade[preserve]",
        "STATE-HAN-CONFIG",
        "post-condition",
    ),
    Proof(
        "I3",
        "Utility HAN",
        f"{_HAN}:UtilityHanConfirmsWithoutApplying",
        "han-remote-upgrade[reset]",
        "STATE-HAN-FIRMWARE",
        "U3",
    ),
    Proof(
        "I3",
        "Utility HAN",
        f"{_HAN}:UtilityHanConfirmsWithoutApplying",
        "han-site-upgrade",
        "STATE-HAN-FIRMWARE",
        "S3",
    ),
    Proof(
        "I3",
        "Utility HAN",
        f"{_HAN}:UtilityHanStopsAfterUpgrade",
        "han-remote-upgrade[preserve]",
        "STATE-HAN-CONTINUES",
        "post-condition",
    ),
    Proof("I3", _TOOL, f"{_HAN}:ToolHidesADevice", "provisioning", "STATE-HAN-DISPLAY", "3.2#8"),
    Proof(
        "I3",
        _TOOL,
        f"{_HAN}:ToolListsWrongPrograms",
        "unrecognized-equipment",
        "STATE-HAN-DISPLAY",
        "3.3#15",
    ),
    Proof("C4", "CCS", f"{_C4}:CcsSlowRelay", "monitoring", "NFR-C4NFR3", "3.1#5"),
    Proof(
        "C4",
        "Service Point Gateway",
        f"{_C4}:SpgIgnoresAccessCommands",
        "access",
        "STATE-C4-ACCESS",
        "post-condition",
    ),
    Proof(
        "C4",
        "Customer Device",
        f"{_C4}:DeviceConfirmsWithoutActing",
        "control",
        "STATE-C4-CONTROL",
        "3.2#9",
    ),
    Proof("C4", "CCS", f"{_C4}:CcsLogsWithoutDestination", "monitoring", "STATE-C4-LOG", "3.1#4"),
    Proof("C4", "CCS", f"{_C4}:CcsMisspellsLogField", "monitoring", "STATE-C4-LOG", "3.1#4"),
    Proof("C4", "CCS", f"{_C4}:CcsLogsOwnAuthorizationWords", "control", "STATE-C4-LOG", "3.2#5"),
    Proof("C4", _SPG, f"{_C4}:SpgAcksButHoldsControl", "control", "NFR-C4NFR4", "3.2#7"),
    Proof(
        "C4", "CCS", f"{_C4}:CcsRelaysToAnotherDevice", "monitoring", "PROFILE-C4-RELAY", "3.1#5"
    ),
    Proof("C4", "CCS", f"{_C4}:CcsRelaysToAnotherDevice", "control", "PROFILE-C4-RELAY", "3.2#6"),
    Proof("C4", "CCS", f"{_C4}:CcsRelaysAnotherCommand", "control", "PROFILE-C4-RELAY", "3.2#6"),
    Proof("C4", "CCS", f"{_C4}:CcsAnswersWithAnotherVerb", "monitoring", "PROFILE-VERB", "3.1#16"),
    Proof("C4", "CCS", f"{_C4}:CcsAnswersOutsideTheSchema", "monitoring", "XSD-PAYLOAD", "3.1#16"),
    Proof(
        "C4",
        "CCS",
        f"{_C4}:CcsAnswersAboutAnotherDevice",
        "monitoring",
        "PROFILE-C4-ANSWER",
        "3.1#16",
    ),
    Proof(
        "C4", "CCS", f"{_C4}:CcsAnswersAboutAnotherDevice", "control", "PROFILE-C4-ANSWER", "3.2#17"
    ),
    Proof("C4", _SPG, f"{_C4}:SpgSlowTest", "failure-spg-answers", "NFR-C4NFR5", "3.5#3"),
    Proof(
        "C4",
        "Service Point Gateway",
        f"{_C4}:SpgSlowToHan",
        "monitoring",
        "NFR-C4NFR4",
        "3.1#7",
    ),
    Proof(
        "C4",
        "Service Point Gateway",
        f"{_C4}:SpgSlowTest",
        "problem-customer-advised",
        "NFR-C4NFR5",
        "3.4-ok#5",
    ),
    Proof(
        "HAN", _AMIGW, f"{_HANI}:GatewayAdmitsAnyKey", "intruder-refused", "PROFILE-CONTENT", "X2"
    ),
    Proof(
        "HAN",
        _AMIGW,
        f"{_HANI}:GatewayAdmitsSilently",
        "intruder-refused",
        "STATE-HANI-INTRUDER",
        "X4",
    ),
    Proof(
        "HAN",
        _AMIGW,
        f"{_HANI}:GatewayForgetsDevices",
        "installation",
        "STATE-HANI-LISTED",
        "INST#8",
    ),
    Proof("HAN", _REGAPP, f"{_HANI}:AppSkipsLink", "registration", "SEQ-MISSING", "REG#10"),
    Proof(
        "HAN",
        _REGAPP,
        f"{_HANI}:AppSkipsLink",
        "registration",
        "SEQ-HANI-UNREGISTERED",
        "REG#12",
    ),
    Proof(
        "HAN",
        _REGAPP,
        f"{_HANI}:AppProvisionsOtherProgram",
        "registration",
        "STATE-HANI-LINK",
        "post-condition",
    ),
    Proof("HAN", _REGAPP, f"{_HANI}:AppStoresWithoutIds", "registration", "SEQ-MISSING", "REG#14"),
    Proof(
        "HAN",
        _REGAPP,
        f"{_HANI}:AppStoresWrongLocation",
        "registration",
        "STATE-HANI-RECORD",
        "post-condition",
    ),
    Proof(
        "HAN",
        _RDA,
        f"{_HANI}:DiagnosticsLosesResult",
        "device-unreachable",
        "STATE-HANI-DIAGNOSIS",
        "RDT#8b",
    ),
    Proof(
        "HAN",
        _RDA,
        f"{_HANI}:DiagnosticsAlwaysFunctioning",
        "registration-repeated",
        "STATE-HANI-DIAGNOSIS",
        "post-condition",
    ),
    Proof(
        "HAN",
        "CCS",
        f"{_HANI}:CcsIgnoresCorrection",
        "account-corrected",
        "STATE-HANI-CORRECTED",
        "post-condition",
    ),
    Proof(
        "HAN",
        "Customer or Installer",
        f"{_HANI}:InstallerLeavesUnresolved",
        "marginal-coverage",
        "STATE-HANI-OPERATIONAL",
        "DM#6",
    ),
    Proof("C4", "CCS", f"{_C4}:CcsWithoutRateLimit", _STANDARD, "NFR-C4NFR1", "L11"),
    Proof("C4", "CCS", f"{_C4}:CcsWithoutRateLimit", _BASIC, "NFR-C4NFR1", "L11"),
    Proof("C4", "CCS", f"{_C4}:CcsWarnsWithoutDestination", _STANDARD, "PROFILE-C4-WARNING", "L12"),
    Proof("C4", "CCS", f"{_C4}:CcsTierTooStrict", _STANDARD, "NFR-C4NFR1", "L11"),
    Proof("C4", "CCS", f"{_C4}:CcsWarnsOfAnotherMessage", _BASIC, "PROFILE-C4-WARNING", "L12"),
    Proof("C4", "CCS", f"{_C4}:CcsWithoutAlarm", "unauthorized-alarm", "SEQ-MISSING", "A4"),
    Proof("C4", "CCS", f"{_C4}:CcsEarlyAlarm", "unauthorized-alarm", "STATE-C4-ALARM", "A4"),
    Proof(
        "C4",
        "CCS",
        f"{_C4}:CcsForgetsRefusals",
        "unauthorized-alarm",
        "STATE-C4-UNAUTHORIZED-LOG",
        "A3",
    ),
    Proof("C4", "CCS", f"{_C4}:CcsLateWarning", "undeliverable-warned", "NFR-C4NFR7", "U4"),
    Proof(
        "C4",
        "CCS",
        f"{_C4}:CcsKeepsAccessAfterServiceEnds",
        "service-ended",
        "STATE-C4-SERVICE-ENDED",
        "E6",
    ),
    Proof(
        "C4", "CCS", f"{_C4}:CcsIgnoresServiceEnd", "service-ended", "STATE-C4-SERVICE-ENDED", "E6"
    ),
    Proof(
        "C4",
        "CCS",
        f"{_C4}:CcsAuthorizesAnyRegistered",
        "cross-party-refused",
        "STATE-C4-AUTHZ",
        "X1",
    ),
    Proof("C4", "CCS", f"{_C4}:CcsRefusesButRelays", "cross-party-refused", "STATE-C4-AUTHZ", "X1"),
    Proof(
        "C4",
        "CCS",
        f"{_C4}:CcsRefusesButRelays",
        "spoofed-identity-refused",
        "STATE-C4-AUTHN",
        "Y1",
    ),
    Proof(
        "C4", "CCS", f"{_C4}:CcsAuthorizesAnyRegistered", "cross-party-refused", "SEQ-MISSING", "X2"
    ),
    Proof("C4", _SPG, f"{_C4}:SpgWithoutAlarm", "gateway-unauthorized", "SEQ-MISSING", "S6"),
    Proof("C4", _SPG, f"{_C4}:SpgEarlyAlarm", "gateway-unauthorized", "STATE-C4-SPG-ALARM", "S6"),
    Proof("C4", _SPG, f"{_C4}:SpgNeverReports", "gateway-unauthorized", "SEQ-MISSING", "S5"),
    Proof("C4", _SPG, f"{_C4}:SpgReportsLate", "gateway-unauthorized", "STATE-C4-SPG-REPORT", "S3"),
    Proof("C4", _SPG, f"{_C4}:SpgSlowLog", "gateway-log", "NFR-C4NFR6", "G2"),
    Proof("C4", "CCS", f"{_C4}:CcsAcceptsReplays", "hostile-refused", "STATE-C4-HOSTILE", "H11"),
    Proof("C4", "CCS", f"{_C4}:CcsAcceptsMalformed", "hostile-refused", "STATE-C4-HOSTILE", "H11"),
    Proof(
        "C4",
        "CCS",
        "mocks.faulty_c4_signature:CcsIgnoresSignatures",
        "tampered-signature-refused",
        "STATE-C4-SIGNATURE",
        "W2",
    ),
    Proof(
        "C4",
        "CCS",
        "mocks.faulty_c4_signature:CcsLeavesSignatureRefusalsUnlogged",
        "tampered-signature-refused",
        "STATE-C4-SIGNATURE",
        "W2",
    ),
    Proof(
        "C4",
        "CCS",
        "mocks.faulty_c4_signature:CcsTrustsAnySigner",
        "tampered-signature-refused",
        "STATE-C4-SIGNATURE",
        "W2",
    ),
    Proof(
        "C4",
        "CCS",
        "mocks.faulty_c4_signature:CcsChecksDigestOnly",
        "tampered-signature-refused",
        "STATE-C4-SIGNATURE",
        "W2",
    ),
    Proof(
        "C4",
        "CCS",
        "mocks.faulty_c4_signature:CcsAcceptsUnsigned",
        "tampered-signature-refused",
        "STATE-C4-SIGNATURE",
        "W2",
    ),
    Proof(
        "I2",
        "Meter Management System",
        f"{_I2}:MmsRefusesEveryOrder",
        "customer-trouble",
        "ENV-REPLY-FAILED",
        "3.3#3",
    ),
    Proof(
        "I2",
        "Meter Management System",
        f"{_I2}:MmsListsOtherLots",
        "data-trouble",
        "PROFILE-I2-LOT",
        "3.6#11.5",
    ),
    Proof(
        "I2",
        "Meter Management System",
        f"{_I2}:MmsPriorityOutOfRange",
        _CHECKSUM,
        "XSD-PAYLOAD",
        "3.1#4",
    ),
    Proof(
        "I2",
        "Meter Management System",
        f"{_I2}:MmsForgetsDownloadedOrders",
        _CHECKSUM,
        "STATE-I2-ORDER-RECORD",
        "3.1#5",
    ),
    Proof(
        "I2",
        "Meter Management System",
        f"{_I2}:MmsClockStandsStill",
        _CHECKSUM,
        "PROFILE-I2-REQUEST-TIME",
        "3.1#4",
    ),
    Proof(
        "I2",
        "Meter Management System",
        f"{_I2}:MmsOrderWithoutPremise",
        "maintenance-meter-ok",
        "INPUT-INCOMPLETE",
        "3.4#1",
    ),
    Proof(
        "I2",
        "Meter Management System",
        f"{_I2}:MmsOrderWithoutPremise",
        "tamper-meter-ok",
        "INPUT-INCOMPLETE",
        "3.7#4",
    ),
    Proof(
        "I2",
        "Meter Management System",
        f"{_I2}:MmsDownloadsAfterTheVisit",
        _CHECKSUM,
        "BR-I2-DOWNLOAD-LATE",
        "3.1#5",
    ),
    Proof(
        "I2",
        "Meter Management System",
        f"{_I2}:MmsDownloadsTheReplacement",
        "maintenance-no-replacement",
        "SEQ-EXTRA",
        None,
    ),
]


@dataclass(frozen=True)
class ServedFaultProof:
    """A product's wire misbehaving (``amicert serve --fault``), run out of process against an
    example profile (tests/test_wire_mtls.py runs every entry), and the rule that must fire."""

    use_case: str
    role: str
    profile: str  # examples/<profile>
    fault: str
    scenario: str
    rule: str


_MTLS = "ccs-over-soap-mtls.toml"
_LET_IN = "WIRE-MTLS-CLIENT-ACCEPTED"

SERVED_FAULT_PROOFS: list[ServedFaultProof] = [
    ServedFaultProof("C4", "CCS", _MTLS, "client-cert-optional", "gateway-log", _LET_IN),
    ServedFaultProof("C4", "CCS", _MTLS, "client-cert-ignored", "gateway-log", _LET_IN),
    ServedFaultProof("C4", "CCS", _MTLS, "crl-ignored", "gateway-log", _LET_IN),
]


def proven_rules(use_case: str) -> dict[str, list[str]]:
    """Rule -> the faulty actors that prove it, for one use case."""
    found: dict[str, list[str]] = {}
    for p in PROOFS:
        if p.use_case == use_case:
            found.setdefault(p.rule, []).append(p.actor.rpartition(":")[2])
    for w in SERVED_FAULT_PROOFS:
        if w.use_case == use_case:
            found.setdefault(w.rule, []).append(f"{w.role} served with --fault {w.fault}")
    return found
