@use_case:I2
Feature: I2 Customer reports high bill
  Use case I2, Utility Manages End-to-End Lifecycle of the Meter System, section 3.5.
  Step rows are transcribed in features/meter_lifecycle/usecase.yaml with their document numbers.

  @scenario:high-bill-meter-fault
  Scenario: Customer reports high bill: the self-test indicates a problem with the meter
    Given pre-condition: Customer complains of high bill.
    And set-up: meter "MTR-0001" of model "AX-200" serves account "ACC-1001" at "12 Elm Street"
    And set-up: the Installer carries a replacement meter
    And set-up: the account's last bill is twice its usual
    And set-up: the meter logged a "3.26.0.85" event 43 days ago
    And fault "metrology" is injected
    When step 1 is triggered: Customer reports high bill
    Then step 1: the Customer sends the "Customer/Account information; Premise information; Information on why Customer believes bill is "too high"" to the Customer Representative
    And step 2: the Customer Representative sends the "Verifies Customer/Account information; Bill history for Customer/Account/Premise." to the CSS
    And step 3: the Customer Representative sends the "Request "on-demand" self-test; Request "on-demand" meter read." to the AMI Meter
    And step 3.1: the AMI Meter sends the "Results of "on-demand" self-test request (or error indicating request failed); Results "on-demand" meter read request (or error indicating request failed)." to the Customer Representative
    And step 4.1: the Customer Representative sends the ""Trouble" order" to the CSS
    And step 5: the Meter Management System sends the ""trouble" order" to the Field Force Planning and Dispatch System
    And step 5.1: the Field Force Planning and Dispatch System sends the "Orders assigned for field personnel." to the Meter Management System
    And step 6: the Meter Management System sends the ""Trouble" orders, including: Premise address, Installed equipment, Order type, Scheduled "delivery" time (if applicable)" to the Field Tool
    And step 7: the Installer sends the "Perform test" to the AMI Meter
    And step 8: the Field Tool sends the "Requests download of meter data and logs." to the AMI Meter
    And step 9: the Installer acts internally: "Installer changes the meter."
    And step 10: the AMI Meter sends the "Notice of old meter removal; notice of meter installation; Time synchronization transaction; Meter configuration synchronization transaction;" to the Meter Management System
    And step 10.1: the AMI System sends the "Programs, setting, and schedules for the account" to the AMI Meter
    And step 11: the Installer acts internally: "Installer confirms whether problem is resolved."
    And step 12: the AMI Meter sends the "Information to complete "trouble" order;" to the Field Tool
    And step 12.1: the Field Tool sends the "Information to complete "trouble" order;" to the Meter Management System
    And step 12.2: the Meter Management System sends the "Meter data and logs downloaded from "old" meter; information on "new" meter;" to the Meter Data Management System
    And step 12.3: the Meter Data Management System sends the ""trouble" order completion information; information about meter removed; information about meter installed;" to the CSS
    And step 13: the Installer sends the "Meter status and location update" to the Meter Management System
    And step 14: the Construction Maintenance Analyst sends the "Meter status and location update" to the Meter Data Management System
    And step 15: the Meter Shop Meter Technician sends the "Results of meter test. Meter status and location update" to the Meter Data Management System
    And the observed sequence matches the use case
    And for every in-scope meter, the trouble order downloaded to the field tool names premise, equipment, type, schedule and material
    And for every in-scope meter, the order is scheduled within its service level
    And for every in-scope meter, the Field Tool download takes at most 10 seconds
    And for every in-scope meter, the download holds every diagnostic event of the last 45 days

  @scenario:high-bill-other-problem
  Scenario: Customer reports high bill: the self-test is clean but usage is inconsistent
    Given pre-condition: Customer complains of high bill.
    And set-up: meter "MTR-0001" of model "AX-200" serves account "ACC-1001" at "12 Elm Street"
    And set-up: the Installer carries a replacement meter
    And set-up: the account's last bill is twice its usual
    And set-up: the meter's metrology drifts by 3 percent
    And set-up: the meter logged a "3.26.0.85" event 43 days ago
    And fault "none" is injected
    When step 1 is triggered: Customer reports high bill
    Then step 1: the Customer sends the "Customer/Account information; Premise information; Information on why Customer believes bill is "too high"" to the Customer Representative
    And step 2: the Customer Representative sends the "Verifies Customer/Account information; Bill history for Customer/Account/Premise." to the CSS
    And step 3: the Customer Representative sends the "Request "on-demand" self-test; Request "on-demand" meter read." to the AMI Meter
    And step 3.1: the AMI Meter sends the "Results of "on-demand" self-test request (or error indicating request failed); Results "on-demand" meter read request (or error indicating request failed)." to the Customer Representative
    And step 4: the Customer Representative sends the ""Trouble" order" to the CSS
    And step 5: the Meter Management System sends the ""trouble" order" to the Field Force Planning and Dispatch System
    And step 5.1: the Field Force Planning and Dispatch System sends the "Orders assigned for field personnel." to the Meter Management System
    And step 6: the Meter Management System sends the ""Trouble" orders, including: Premise address, Installed equipment, Order type, Scheduled "delivery" time (if applicable)" to the Field Tool
    And step 7: the Installer sends the "Perform test" to the AMI Meter
    And step 8: the Field Tool sends the "Requests download of meter data and logs." to the AMI Meter
    And step 9: the Installer acts internally: "Installer changes the meter."
    And step 10: the AMI Meter sends the "Notice of old meter removal; notice of meter installation; Time synchronization transaction; Meter configuration synchronization transaction;" to the Meter Management System
    And step 10.1: the AMI System sends the "Programs, setting, and schedules for the account" to the AMI Meter
    And step 11: the Installer acts internally: "Installer confirms whether problem is resolved."
    And step 12: the AMI Meter sends the "Information to complete "trouble" order;" to the Field Tool
    And step 12.1: the Field Tool sends the "Information to complete "trouble" order;" to the Meter Management System
    And step 12.2: the Meter Management System sends the "Meter data and logs downloaded from "old" meter; information on "new" meter;" to the Meter Data Management System
    And step 12.3: the Meter Data Management System sends the ""trouble" order completion information; information about meter removed; information about meter installed;" to the CSS
    And step 13: the Installer sends the "Meter status and location update" to the Meter Management System
    And step 14: the Construction Maintenance Analyst sends the "Meter status and location update" to the Meter Data Management System
    And step 15: the Meter Shop Meter Technician sends the "Results of meter test. Meter status and location update" to the Meter Data Management System
    And the observed sequence matches the use case
    And for every in-scope meter, the trouble order downloaded to the field tool names premise, equipment, type, schedule and material
    And for every in-scope meter, the order is scheduled within its service level
    And for every in-scope meter, the Field Tool download takes at most 10 seconds
    And for every in-scope meter, the download holds every diagnostic event of the last 45 days
