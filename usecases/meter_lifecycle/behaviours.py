"""The choices I2's document leaves to an actor, answered for the vendor contract: what the
harness requires or accepts, and on which words of the document (use case I2, rev. 2.2)."""

from __future__ import annotations

from amicert.driver import Behaviour

MMS = "Meter Management System"

BEHAVIOURS = (
    Behaviour(
        MMS,
        "trouble order priority",
        "`priority` is an integer from 1 (most urgent) to 4. The harness does not judge which "
        "one you choose: the document gives no rule, only that the DCC's alternate paths "
        "'determine the priority of the trouble order relative to other work' (3.2 row 2) and "
        "that failures are prioritized by safety / service vs. other types (I2FR16). The "
        "priority picks the service level the harness holds its dispatcher to "
        "(`sla_hours`, BR-I2BR1); an order without one gets the loosest (4). The reference "
        "gives 1 to a DCC report no alternate path reaches (3 when one does), 2 to a critical "
        "failure (I2FR1's list) and to orders people raise without one, 3 to other failures, 4 "
        "to sample "
        "tests.",
    ),
    Behaviour(
        MMS,
        "trouble order deadline",
        "Issue the trouble order (3.1 row 4, 3.2 row 3) within `trouble_order_minutes` "
        "(limits, 15) of the failure event reaching you (row 2), BR-I2-ISSUE-DEADLINE: the "
        "document gives that row no figure of its own, so the harness applies I2NFR4's 15 "
        "minutes for the same report and the glossary's 'immediately' for high-importance "
        "failures. `decision_delay_s` is only the reference's pace.",
    ),
    Behaviour(
        MMS,
        "the closed notice",
        "Send `closed` TroubleOrders to the Meter Data Management System when the field tool's "
        "`close` reports a meter change (a Meter with role `removed` and one with role "
        "`installed`): rows 11.2 of 3.1, 3.3 and 3.6, 10.2 of 3.2, 3.4 and 3.7, 12.2 of 3.5, any "
        "time after your reply to the `close`. A close without a meter change (a passed sample "
        "test, 3.4 row 3.2; a tamper investigation that leaves the meter, 3.7 row 6.1.2) gets no "
        "closed notice: no row carries one, it would be SEQ-EXTRA. "
        "An order CSS raised (3.3) is also reported `closed` to CSS (3.3 row 11.3), except a "
        "HIGH_BILL complaint, which the MDMS answers (3.5 row 12.3).",
    ),
    Behaviour(
        MMS,
        "select_sample (trigger of 3.4 row 1)",
        "Its scope is your registry as `configure` loaded it: the meters of `settings.meters` "
        "whose status is `installed` (never one in `stock`, such as the replacement the "
        "Installer carries). In the scenarios that call it (3.4) that is one meter, the "
        "subject, so `size` 1 picks it. For each pick, download a `maintenance` order (troubleCode SAMPLE_TEST, with a "
        "scheduled time) to the field tool (3.4 row 1) and answer the orders' mRIDs.",
    ),
    Behaviour(
        MMS,
        "outage and maintenance windows (I2FR18)",
        "An OutageNotice names its meters and a window (details `kind`, `start`, `end`). A "
        "failure of one of those meters whose detection time (EndDeviceEvent createdDateTime, "
        "not the time the event reached you) lies in the window raises no trouble report; the "
        "reference takes both edges as inside. The scenarios detect the failure 30 minutes into "
        "a 4-hour window, so an edge is never tested; a failure outside any window is reported "
        "(meter-trouble).",
    ),
    Behaviour(
        MMS,
        "a replacement raised in the field (3.4 row 5.2)",
        "Both readings pass: issue it at once to the dispatcher of the responsible "
        "organization (`create` TroubleOrders, kind `trouble`, the meter that failed its test, "
        "`parentOrder` naming the maintenance order: the optional second exchange of the row), "
        "or hold it (`awaitingMaterial`) and issue nothing. Do not download it to a field tool "
        "within the scenario: no replacement meter is at hand (cim_schemas/PROFILE.md).",
    ),
    Behaviour(
        "AMI Meter",
        "failure notice priority (I2FR16)",
        "Each FailureNotice carries detail `priority`: `critical` for I2FR1's list (checksum, "
        "firmware-upgrade, metrology, memory, time-sync, wrong-socket), `safety/service` for "
        "other safety or service affecting failures (communications, power), sent within 15 "
        "minutes (I2NFR4). A failure of low importance (display or housing damage) travels "
        "with the next scheduled read (the glossary's Failure Report Classes), never at once "
        "as a high-importance one (PROFILE-I2-PRIORITY).",
    ),
)
