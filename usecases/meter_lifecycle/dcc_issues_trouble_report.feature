@use_case:I2
Feature: I2 Data Center Concentrator (DCC) issues trouble report
  Use case I2, Utility Manages End-to-End Lifecycle of the Meter System, section 3.2.
  Step rows are transcribed in features/meter_lifecycle/usecase.yaml with their document numbers.

  @scenario:dcc-trouble
  Scenario: Data Center Concentrator (DCC) issues trouble report
    Given pre-condition: Data Center Concentrator (DCC) is unable to communicate with a meter or other component, and has confirmed that the meter is not currently part of a known service outage, planned maintenance event or active "trouble" order.
    And set-up: meter "MTR-0001" of model "AX-200" serves account "ACC-1001" at "12 Elm Street"
    And set-up: the Installer carries a replacement meter
    And set-up: the meter logged a "3.26.0.85" event 43 days ago
    And fault "wan-communication" is injected
    When step 1 is triggered: Data Center Concentrator (DCC) issues trouble report
    Then step 1: the Data Center Concentrator (DCC) sends the "Status check transaction (verify meter connectivity)." to the AMI Meter
    And step 2: the Data Center Concentrator (DCC) sends the "Notice of failed component with the number and type of alternate access paths" to the Meter Management System
    And step 3: the Meter Management System sends the ""trouble" order" to the Field Force Planning and Dispatch System
    And step 3.1: the Field Force Planning and Dispatch System sends the "Orders assigned for field personnel." to the Meter Management System
    And step 4: the Meter Management System sends the ""Trouble" orders, including: Premise address, Installed equipment, Order type, Scheduled "delivery" time (if applicable)" to the Field Tool
    And step 5: the Installer acts internally: "Installer visits customer site."
    And step 6: the Field Tool sends the "Requests download of meter data and logs." to the AMI Meter
    And step 7: the Installer acts internally: "Installer changes the meter."
    And step 8: the AMI Meter sends the "Notice of old meter removal; notice of meter installation; Time synchronization transaction; Meter configuration synchronization transaction;" to the Meter Management System
    And step 8.1: the AMI System sends the "Programs, setting, and schedules for the account" to the AMI Meter
    And step 9: the Installer acts internally: "Installer confirms whether problem is resolved."
    And step 10: the AMI Meter sends the "Information to complete "trouble" order;" to the Field Tool
    And step 10.1: the Field Tool sends the "Information to complete "trouble" order;" to the Meter Management System
    And step 10.2: the Meter Management System sends the "Meter data and logs downloaded from "old" meter; information on "new" meter;" to the Meter Data Management System
    And step 11: the Installer sends the "Meter status and location update" to the Meter Management System
    And step 12: the Construction Maintenance Analyst sends the "Meter status and location update" to the Meter Data Management System
    And step 13: the Meter Shop Meter Technician sends the "Results of meter test. Meter status and location update" to the Meter Data Management System
    And the observed sequence matches the use case
    And for every in-scope meter, the trouble report is routed to "IT"
    And for every in-scope meter, the Meter Management System issues the trouble order within its deadline
    And for every in-scope meter, the trouble order downloaded to the field tool names premise, equipment, type, schedule and material
    And for every in-scope meter, the order is scheduled within its service level
    And for every in-scope meter, the Field Tool download takes at most 10 seconds
    And for every in-scope meter, the download holds every diagnostic event of the last 45 days
