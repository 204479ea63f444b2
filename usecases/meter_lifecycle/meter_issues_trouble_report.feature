@use_case:I2
Feature: I2 Meter issues trouble report
  Use case I2, Utility Manages End-to-End Lifecycle of the Meter System, section 3.1.
  Step rows are transcribed in features/meter_lifecycle/usecase.yaml with their document numbers.

  @scenario:meter-trouble
  Scenario Outline: Meter issues trouble report
    Given pre-condition: Meter performs routine self-diagnostics.
    And set-up: meter "MTR-0001" of model "AX-200" serves account "ACC-1001" at "12 Elm Street"
    And set-up: the Installer carries a replacement meter
    And set-up: the account is read by a third-party energy supplier
    And set-up: the AMI System has logged 2 earlier failures of the meter
    And set-up: the meter logged a "3.26.0.85" event 43 days ago
    And fault "<failure>" is injected
    When step 1 is triggered: Meter detects failure of periodic internal diagnostics.
    Then step 1: the AMI Meter acts internally: "Meter detects failure of periodic internal diagnostics."
    And step 2: the AMI Meter sends the "Notice of meter failure." to the AMI System
    And step 3: the Meter Management System acts internally: "Meter management system determines whether a trouble report shall be issued."
    And step 4: the Meter Management System sends the ""trouble" order" to the Field Force Planning and Dispatch System
    And step 4.1: the Field Force Planning and Dispatch System sends the "Orders assigned for field personnel." to the Meter Management System
    And step 5: the Meter Management System sends the ""Trouble" orders, including: Premise address, Installed equipment, Order type, Scheduled "delivery" time (if applicable)" to the Field Tool
    And step 6: the Installer acts internally: "Installer visits customer site."
    And step 7: the Field Tool sends the "Requests download of meter data and logs." to the AMI Meter
    And step 8: the Installer acts internally: "Installer changes the meter."
    And step 9: the AMI Meter sends the "Notice of old meter removal; notice of meter installation; Time synchronization transaction; Meter configuration synchronization transaction;" to the Meter Management System
    And step 9.1: the AMI System sends the "Programs, setting, and schedules for the account" to the AMI Meter
    And step 10: the Installer acts internally: "Installer confirms whether problem is resolved."
    And step 11: the AMI Meter sends the "Information to complete "trouble" order;" to the Field Tool
    And step 11.1: the Field Tool sends the "Information to complete "trouble" order;" to the Meter Management System
    And step 11.2: the Meter Management System sends the "Meter data and logs downloaded from "old" meter; information on "new" meter;" to the Meter Data Management System
    And step 11.3: the Meter Data Management System sends the "Data issues" to the 3rd Parties
    And step 12: the Installer sends the "Meter status and location update" to the Meter Management System
    And step 13: the Construction Maintenance Analyst sends the "Meter status and location update" to the Meter Data Management System
    And step 14: the Meter Shop Meter Technician sends the "Results of meter test. Meter status and location update" to the Meter Data Management System
    And the observed sequence matches the use case
    And for every in-scope meter, a failure is reported to the AMI System within 15 minutes of its detection
    And for every in-scope meter, the meter reports each failure with the priority of its class
    And for every in-scope meter, the AMI System logs the failure by account, by meter and by manufacturer
    And for every in-scope meter, the AMI System finds the meter's failures chronic
    And for every in-scope meter, the trouble report is routed to "<organization>"
    And for every in-scope meter, the Meter Management System issues the trouble order within its deadline
    And for every in-scope meter, the trouble order downloaded to the field tool names premise, equipment, type, schedule and material
    And for every in-scope meter, the order is scheduled within its service level
    And for every in-scope meter, the Field Tool download takes at most 10 seconds
    And for every in-scope meter, the download holds every diagnostic event of the last 45 days
    And for every in-scope meter, metrology checks are logged between daily and monthly

    Examples:
      | failure | organization |
      | checksum | MSO |
      | firmware-upgrade | MSO |
      | metrology | MSO |
      | memory | MSO |
      | time-sync | MSO |
      | wrong-socket | MSO |
      | han-communication | TP&S |

  @harness_added @scenario:low-importance-failure
  Scenario: A failure neither safety nor service affecting waits for the meter's next scheduled read
    Given pre-condition: Meter performs routine self-diagnostics.
    And set-up: meter "MTR-0001" of model "AX-200" serves account "ACC-1001" at "12 Elm Street"
    And fault "display" is injected
    When step 1 is triggered: Meter detects failure of periodic internal diagnostics.
    Then step 1: the AMI Meter acts internally: "Meter detects failure of periodic internal diagnostics."
    And for every in-scope meter, the meter reports each failure with the priority of its class
    And the observed sequence matches the use case

  @harness_added @scenario:suppressed-during-outage
  Scenario Outline: A diagnostic failure during a known outage or planned maintenance raises no trouble report
    Given pre-condition: Meter performs routine self-diagnostics.
    And set-up: meter "MTR-0001" of model "AX-200" serves account "ACC-1001" at "12 Elm Street"
    And set-up: the TDBU Maintenance Planning Organization announces a "<outage>"
    And fault "<failure>" is injected
    When step O1 is triggered: A planned or unplanned outage, or planned maintenance of the meter, is announced
    Then step O1: the TDBU Maintenance Planning Organization sends the "Planned or unplanned outage notice" to the Meter Management System
    And step 1: the AMI Meter acts internally: "Meter detects failure of periodic internal diagnostics."
    And step 2: the AMI Meter sends the "Notice of meter failure." to the AMI System
    And step O3: the Meter Management System acts internally: "Meter Management System recognizes that the diagnostic failure occurred during a known outage or planned maintenance and issues no trouble report"
    And the observed sequence matches the use case

    Examples:
      | outage | failure |
      | planned outage | power |
      | unplanned outage | power |
      | planned maintenance | time-sync |

  @harness_added @scenario:meter-mismatch
  Scenario: The meter found at the premise does not match the trouble order
    Given pre-condition: Meter performs routine self-diagnostics.
    And set-up: meter "MTR-0001" of model "AX-200" serves account "ACC-1001" at "12 Elm Street"
    And set-up: the Installer carries a replacement meter
    And set-up: the account is read by a third-party energy supplier
    And set-up: the Meter Management System records serial "SN-0099-OLD" for the meter
    And set-up: the meter logged a "3.26.0.85" event 43 days ago
    And fault "metrology" is injected
    When step 1 is triggered: Meter detects failure of periodic internal diagnostics.
    Then step 1: the AMI Meter acts internally: "Meter detects failure of periodic internal diagnostics."
    And step 2: the AMI Meter sends the "Notice of meter failure." to the AMI System
    And step 3: the Meter Management System acts internally: "Meter management system determines whether a trouble report shall be issued."
    And step 4: the Meter Management System sends the ""trouble" order" to the Field Force Planning and Dispatch System
    And step 4.1: the Field Force Planning and Dispatch System sends the "Orders assigned for field personnel." to the Meter Management System
    And step 5: the Meter Management System sends the ""Trouble" orders, including: Premise address, Installed equipment, Order type, Scheduled "delivery" time (if applicable)" to the Field Tool
    And step 6: the Installer acts internally: "Installer visits customer site."
    And step M7: the Field Tool sends the "Alert if AMI meter information does not match information in field tool." to the AMI Meter
    And step 7: the Field Tool sends the "Requests download of meter data and logs." to the AMI Meter
    And step 8: the Installer acts internally: "Installer changes the meter."
    And step 9: the AMI Meter sends the "Notice of old meter removal; notice of meter installation; Time synchronization transaction; Meter configuration synchronization transaction;" to the Meter Management System
    And step 9.1: the AMI System sends the "Programs, setting, and schedules for the account" to the AMI Meter
    And step 10: the Installer acts internally: "Installer confirms whether problem is resolved."
    And step 11: the AMI Meter sends the "Information to complete "trouble" order;" to the Field Tool
    And step 11.1: the Field Tool sends the "Information to complete "trouble" order;" to the Meter Management System
    And step 11.2: the Meter Management System sends the "Meter data and logs downloaded from "old" meter; information on "new" meter;" to the Meter Data Management System
    And step 11.3: the Meter Data Management System sends the "Data issues" to the 3rd Parties
    And step 12: the Installer sends the "Meter status and location update" to the Meter Management System
    And step 13: the Construction Maintenance Analyst sends the "Meter status and location update" to the Meter Data Management System
    And step 14: the Meter Shop Meter Technician sends the "Results of meter test. Meter status and location update" to the Meter Data Management System
    And the observed sequence matches the use case
    And for every in-scope meter, the Field Tool download takes at most 10 seconds
    And for every in-scope meter, the download holds every diagnostic event of the last 45 days

  @harness_added @scenario:comms-down-at-install
  Scenario: Communications are unavailable when the new meter initializes
    Given pre-condition: Meter performs routine self-diagnostics.
    And set-up: meter "MTR-0001" of model "AX-200" serves account "ACC-1001" at "12 Elm Street"
    And set-up: the Installer carries a replacement meter
    And set-up: the account is read by a third-party energy supplier
    And set-up: communications are down at the premise
    And set-up: the meter logged a "3.26.0.85" event 43 days ago
    And fault "checksum" is injected
    When step 1 is triggered: Meter detects failure of periodic internal diagnostics.
    Then step 1: the AMI Meter acts internally: "Meter detects failure of periodic internal diagnostics."
    And step 2: the AMI Meter sends the "Notice of meter failure." to the AMI System
    And step 3: the Meter Management System acts internally: "Meter management system determines whether a trouble report shall be issued."
    And step 4: the Meter Management System sends the ""trouble" order" to the Field Force Planning and Dispatch System
    And step 4.1: the Field Force Planning and Dispatch System sends the "Orders assigned for field personnel." to the Meter Management System
    And step 5: the Meter Management System sends the ""Trouble" orders, including: Premise address, Installed equipment, Order type, Scheduled "delivery" time (if applicable)" to the Field Tool
    And step 6: the Installer acts internally: "Installer visits customer site."
    And step 7: the Field Tool sends the "Requests download of meter data and logs." to the AMI Meter
    And step 8: the Installer acts internally: "Installer changes the meter."
    And step S9: the AMI Meter sends the "In the event that communications is temporarily unavailable: Time synchronization transaction; Meter configuration synchronization transaction (based on information contained in "trouble" order and information downloaded from "old" meter)." to the Field Tool
    And step 10: the Installer acts internally: "Installer confirms whether problem is resolved."
    And step 11: the AMI Meter sends the "Information to complete "trouble" order;" to the Field Tool
    And step 11.1: the Field Tool sends the "Information to complete "trouble" order;" to the Meter Management System
    And step 11.2: the Meter Management System sends the "Meter data and logs downloaded from "old" meter; information on "new" meter;" to the Meter Data Management System
    And step 11.3: the Meter Data Management System sends the "Data issues" to the 3rd Parties
    And step 12: the Installer sends the "Meter status and location update" to the Meter Management System
    And step 13: the Construction Maintenance Analyst sends the "Meter status and location update" to the Meter Data Management System
    And step 14: the Meter Shop Meter Technician sends the "Results of meter test. Meter status and location update" to the Meter Data Management System
    And the observed sequence matches the use case
    And for every in-scope meter, the Field Tool download takes at most 10 seconds
    And for every in-scope meter, the download holds every diagnostic event of the last 45 days
