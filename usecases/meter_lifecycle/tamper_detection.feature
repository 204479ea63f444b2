@use_case:I2
Feature: I2 Tamper detection reported on AMI meter (revenue protection)
  Use case I2, Utility Manages End-to-End Lifecycle of the Meter System, section 3.7.
  Step rows are transcribed in features/meter_lifecycle/usecase.yaml with their document numbers.

  @scenario:tamper-theft
  Scenario: Tamper detection: energy theft has occurred
    Given pre-condition: Meter Data Management System receives notification of meter tampering.
    And set-up: meter "MTR-0001" of model "AX-200" serves account "ACC-1001" at "12 Elm Street"
    And set-up: the premise shows a meter bypass
    And fault "none" is injected
    When step 1 is triggered: Tamper detection reported on AMI meter
    Then step 1: the AMI Meter sends the "Tamper event" to the AMI System
    And step 2: the Meter Data Management System Technician acts internally: "Meter Data Management Technician reviews account, identifies usage anomaly, and determines trouble report is required."
    And step 3: the Meter Data Management System Technician sends the "Trouble Report Request" to the Meter Management System
    And step 4: the Meter Management System sends the "Trouble Report with tamper event" to the Field Tool
    And step 5: the Revenue Protection Rep sends the "Tests and check for meter theft" to the AMI Meter
    And step 6.2: the Revenue Protection Rep sends the "Energy theft incident information" to the Field Tool
    And the observed sequence matches the use case

  @scenario:tamper-meter-ok
  Scenario: Tamper detection: no theft and the meter operates properly
    Given pre-condition: Meter Data Management System receives notification of meter tampering.
    And set-up: meter "MTR-0001" of model "AX-200" serves account "ACC-1001" at "12 Elm Street"
    And fault "none" is injected
    When step 1 is triggered: Tamper detection reported on AMI meter
    Then step 1: the AMI Meter sends the "Tamper event" to the AMI System
    And step 2: the Meter Data Management System Technician acts internally: "Meter Data Management Technician reviews account, identifies usage anomaly, and determines trouble report is required."
    And step 3: the Meter Data Management System Technician sends the "Trouble Report Request" to the Meter Management System
    And step 4: the Meter Management System sends the "Trouble Report with tamper event" to the Field Tool
    And step 5: the Revenue Protection Rep sends the "Tests and check for meter theft" to the AMI Meter
    And step 6.1: the Revenue Protection Rep acts internally: "Revenue Protection Rep determines there is no energy theft and tests results indicate meter is operating properly."
    And step 6.1.2: the Revenue Protection Rep sends the "Results of test and closure of job." to the Field Tool
    And the observed sequence matches the use case

  @scenario:tamper-meter-bad
  Scenario: Tamper detection: no theft but the meter must be replaced
    Given pre-condition: Meter Data Management System receives notification of meter tampering.
    And set-up: meter "MTR-0001" of model "AX-200" serves account "ACC-1001" at "12 Elm Street"
    And set-up: the Revenue Protection Rep carries a replacement meter
    And set-up: the meter logged a "3.26.0.85" event 43 days ago
    And fault "metrology" is injected
    When step 1 is triggered: Tamper detection reported on AMI meter
    Then step 1: the AMI Meter sends the "Tamper event" to the AMI System
    And step 2: the Meter Data Management System Technician acts internally: "Meter Data Management Technician reviews account, identifies usage anomaly, and determines trouble report is required."
    And step 3: the Meter Data Management System Technician sends the "Trouble Report Request" to the Meter Management System
    And step 4: the Meter Management System sends the "Trouble Report with tamper event" to the Field Tool
    And step 5: the Revenue Protection Rep sends the "Tests and check for meter theft" to the AMI Meter
    And step 6: the Revenue Protection Rep acts internally: "Revenue Protection Rep determines no energy theft has occurred but test results indicate meter is not operating properly and needs to be replaced."
    And step 7: the Field Tool sends the "Requests download of meter data and logs." to the AMI Meter
    And step 8: the Revenue Protection Rep acts internally: "Revenue Protection Rep changes the meter and installs lock ring."
    And step 9: the AMI Meter sends the "Notice of old meter removal; notice of meter installation; Time synchronization transaction; Meter configuration synchronization transaction;" to the Meter Management System
    And step 9.1: the AMI System sends the "Programs, setting, and schedules for the account" to the AMI Meter
    And step 10: the AMI Meter sends the "Information to complete "trouble" order;" to the Field Tool
    And step 10.1: the Field Tool sends the "Information to complete "trouble" order;" to the Meter Management System
    And step 10.2: the Meter Management System sends the "Meter data and logs downloaded from "old" meter; information on "new" meter;" to the Meter Data Management System
    And step 11: the Revenue Protection Rep sends the "Meter status and location update" to the Meter Management System
    And step 12: the Construction Maintenance Analyst sends the "Meter status and location update" to the Meter Data Management System
    And step 13: the Meter Shop Meter Technician sends the "Results of meter test. Meter status and location update" to the Meter Data Management System
    And the observed sequence matches the use case
    And for every in-scope meter, the Field Tool download takes at most 10 seconds
    And for every in-scope meter, the download holds every diagnostic event of the last 45 days
