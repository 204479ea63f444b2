@use_case:I2
Feature: I2 Data Retrievers reports trouble with meter data
  Use case I2, Utility Manages End-to-End Lifecycle of the Meter System, section 3.6.
  Step rows are transcribed in features/meter_lifecycle/usecase.yaml with their document numbers.

  @scenario:data-trouble
  Scenario: Data Retrievers report trouble with meter data
    Given pre-condition: Data Retrievers routinely review data received from meters
    And set-up: meter "MTR-0001" of model "AX-200" serves account "ACC-1001" at "12 Elm Street"
    And set-up: the Installer carries a replacement meter
    And set-up: the account is read by a third-party energy supplier
    And set-up: the meter's reads have been flat for a week, beside 2 meters of its lot
    And set-up: the meter logged a "3.26.0.85" event 43 days ago
    And fault "memory" is injected
    When step 1 is triggered: Data Retrievers reports trouble with meter data
    Then step 1: the Data Retriever sends the "e-mail or telephone call with information on anomaly: Premise; meter #; read date(s)" to the Meter Data Management System Technician
    And step 2: the Meter Data Management System Technician sends the "Request "on-demand" self-test; Request "on-demand" meter read." to the AMI Meter
    And step 3: the AMI Meter sends the "Results of "on-demand" self-test request (or error indicating request failed); Results "on-demand" meter read request (or error indicating request failed)." to the Meter Data Management System Technician
    And step 3.1: the Meter Data Management System Technician sends the ""Trouble" order." to the Meter Management System
    And step 4: the Meter Management System sends the ""trouble" order" to the Field Force Planning and Dispatch System
    And step 4.1: the Field Force Planning and Dispatch System sends the "Orders assigned for field personnel." to the Meter Management System
    And step 5: the Meter Management System sends the ""Trouble" orders, including: Premise address, Installed equipment, Order type, Scheduled "delivery" time (if applicable)" to the Field Tool
    And step 6: the Installer sends the "Perform test" to the AMI Meter
    And step 7: the Field Tool sends the "Requests download of meter data and logs." to the AMI Meter
    And step 8: the Installer acts internally: "Installer changes the meter."
    And step 9: the AMI Meter sends the "Notice of old meter removal; notice of meter installation; Time synchronization transaction; Meter configuration synchronization transaction;" to the Meter Management System
    And step 9.1: the AMI System sends the "Programs, setting, and schedules for the account" to the AMI Meter
    And step 10: the Installer acts internally: "Installer confirms whether problem is resolved."
    And step 11: the AMI Meter sends the "Information to complete "trouble" order;" to the Field Tool
    And step 11.1: the Field Tool sends the "Information to complete "trouble" order;" to the Meter Management System
    And step 11.2: the Meter Management System sends the "Meter data and logs downloaded from "old" meter; information on "new" meter;" to the Meter Data Management System
    And step 11.3: the Meter Data Management System Technician sends the "identifies untrustworthy data" to the Meter Data Management System
    And step 11.4: the Meter Data Management System sends the "Data issues" to the 3rd Parties
    And step 11.5: the Meter Data Management System Technician sends the "Request list of meters in same "lot" as "old" meter replaced." to the Meter Management System
    And step 12: the Installer sends the "Meter status and location update" to the Meter Management System
    And step 13: the Construction Maintenance Analyst sends the "Meter status and location update" to the Meter Data Management System
    And step 14: the Meter Shop Meter Technician sends the "Results of meter test. Meter status and location update" to the Meter Data Management System
    And the observed sequence matches the use case
    And for every in-scope meter, the trouble order downloaded to the field tool names premise, equipment, type, schedule and material
    And for every in-scope meter, the order is scheduled within its service level
    And for every in-scope meter, the Field Tool download takes at most 10 seconds
    And for every in-scope meter, the download holds every diagnostic event of the last 45 days
    And for every in-scope meter, the Meter Data Management System holds the meter's data as untrustworthy
