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
        MMS,
        "answering an order request",
        "The harness's `create` and `close` TroubleOrders requests conform: answer them Result "
        "OK. A FAILED or PARTIAL reply to one is ENV-REPLY-FAILED (expected OK, received the "
        "Result and your Reply/Error), even if you act on the order afterwards.",
    ),
    Behaviour(
        MMS,
        "the lot list (3.6 row 11.5)",
        "Answer the `LotQuery` on the same HTTP exchange: any 2xx status (the reference: 200) "
        "with the `LotList` document as the body; the Content-Type is not judged (the "
        "reference: application/xml; charset=utf-8); 3xx is WIRE-REDIRECT, 4xx/5xx "
        "WIRE-HTTP-STATUS. List the other meters of the old meter's lot only, lots as "
        "`settings.meters.<mRID>.lot` defines them (PROFILE-I2-LOT).",
    ),
    Behaviour(
        MMS,
        "sending while the clock is advanced",
        "You may send what falls due while a `clock/advance` call is under way, before you "
        "answer it; stamp each message (Header/Timestamp, requestDateTime) with the time it "
        "fell due on your clock. The harness accepts any time from where your clock was last "
        "advanced to up to its own, plus the 300 s replay window (ENV-TIMESTAMP-CLOCK); a "
        "clock that does not move fails there, and an order whose requestDateTime predates "
        "the scenario fails PROFILE-I2-REQUEST-TIME.",
    ),
    Behaviour(
        MMS,
        "the closed notices' order (rows 11.2 and 11.3 of 3.3)",
        "Required in table order: the `closed` notice to the Meter Data Management System "
        "(11.2) before the one to CSS (11.3); the harness holds every scenario's rows to the "
        "order the document numbers them, and the other order is SEQ-ORDER at 11.2.",
    ),
    Behaviour(
        MMS,
        "material code for communication components",
        "`materialCode` must be present on every downloaded order (PROFILE-I2FR21); its value "
        "is not judged. The reference writes `COMM-MODULE/<model>` for a WAN or HAN component "
        "failure (and a LAN one routed to IT) and `METER/<model>` for the meter itself.",
    ),
    Behaviour(
        MMS,
        "the kind of an order forwarded from a CSS field-test order (3.5)",
        "The kind of the order you issue to the dispatcher and download to the field (3.5 rows "
        "5 and 6) is not judged: keep CSS's `fieldTest` (as the reference does) or write "
        "`trouble`; set `fieldTestRequired` = `yes`. Do not use `maintenance` or "
        "`revenueProtection`: the Field Tool hands those to a sample test or to the Revenue "
        "Protection Rep.",
    ),
    Behaviour(
        MMS,
        "`source` of an order raised from an event",
        "Not judged. The reference writes the role the event came from (`AMI System`, "
        "`Data Center Concentrator (DCC)`); people's orders carry the role that raised them.",
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
