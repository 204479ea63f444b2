@use_case:I2
Feature: I2 Utility periodically performs routine maintenance on meter
  Use case I2, Utility Manages End-to-End Lifecycle of the Meter System, section 3.4.
  Step rows are transcribed in features/meter_lifecycle/usecase.yaml with their document numbers.

  @scenario:maintenance-meter-ok
  Scenario: Routine maintenance: the meter is accurate and communicating
    Given pre-condition: Random sample of meters is selected for testing
    And set-up: meter "MTR-0001" of model "AX-200" serves account "ACC-1001" at "12 Elm Street"
    And fault "none" is injected
    When step 1 is triggered: Utility performs routine maintenance
    Then step 1: the Meter Management System sends the "Routine sample meter tests" to the Field Tool
    And step 2: the Field Tool sends the "Testing of meter" to the AMI Meter
    And step 3.1: the Installer acts internally: "Installer determines meter information is accurate and is communicating properly."
    And step 3.2: the Installer sends the "Results of test and closure of job." to the Field Tool
    And the observed sequence matches the use case

  @scenario:maintenance-replaced
  Scenario: Routine maintenance: the meter fails its test and the Installer has a replacement
    Given pre-condition: Random sample of meters is selected for testing
    And set-up: meter "MTR-0001" of model "AX-200" serves account "ACC-1001" at "12 Elm Street"
    And set-up: the Installer carries a replacement meter
    And set-up: the account is read by a third-party energy supplier
    And set-up: the meter's metrology drifts by 3 percent
    And set-up: the meter logged a "3.26.0.85" event 43 days ago
    And fault "none" is injected
    When step 1 is triggered: Utility performs routine maintenance
    Then step 1: the Meter Management System sends the "Routine sample meter tests" to the Field Tool
    And step 2: the Field Tool sends the "Testing of meter" to the AMI Meter
    And step 3: the Installer acts internally: "Installer determines meter is not accurate and/or not communicating properly and needs to be changed."
    And step 4: the Field Tool sends the "Test bad results" to the Meter Management System
    And step 5: the Installer acts internally: "Installer has replacement meter."
    And step 6: the Field Tool sends the "Requests download of meter data and logs." to the AMI Meter
    And step 7: the Installer acts internally: "Installer changes the meter."
    And step 8: the AMI Meter sends the "Notice of old meter removal; notice of meter installation; Time synchronization transaction; Meter configuration synchronization transaction;" to the Meter Management System
    And step 8.1: the AMI System sends the "Programs, setting, and schedules for the account" to the AMI Meter
    And step 9: the Installer acts internally: "Installer confirms whether problem is resolved."
    And step 10: the AMI Meter sends the "Information to complete "trouble" order;" to the Field Tool
    And step 10.1: the Field Tool sends the "Information to complete "trouble" order;" to the Meter Management System
    And step 10.2: the Meter Management System sends the "Meter data and logs downloaded from "old" meter; information on "new" meter;" to the Meter Data Management System
    And step 10.3: the Meter Data Management System sends the "Data issues" to the 3rd Parties
    And step 11: the Installer sends the "Meter status and location update" to the Meter Management System
    And step 12: the Construction Maintenance Analyst sends the "Meter status and location update" to the Meter Data Management System
    And step 13: the Meter Shop Meter Technician sends the "Results of meter test. Meter status and location update" to the Meter Data Management System
    And the observed sequence matches the use case
    And for every in-scope meter, the Field Tool download takes at most 10 seconds
    And for every in-scope meter, the download holds every diagnostic event of the last 45 days

  @scenario:maintenance-no-replacement
  Scenario: Routine maintenance: the meter fails its test and the Installer has no replacement
    Given pre-condition: Random sample of meters is selected for testing
    And set-up: meter "MTR-0001" of model "AX-200" serves account "ACC-1001" at "12 Elm Street"
    And set-up: the meter's metrology drifts by 3 percent
    And fault "none" is injected
    When step 1 is triggered: Utility performs routine maintenance
    Then step 1: the Meter Management System sends the "Routine sample meter tests" to the Field Tool
    And step 2: the Field Tool sends the "Testing of meter" to the AMI Meter
    And step 3: the Installer acts internally: "Installer determines meter is not accurate and/or not communicating properly and needs to be changed."
    And step 4: the Field Tool sends the "Test bad results" to the Meter Management System
    And step 5.1: the Installer sends the "Need for trouble report to replace meter" to the Field Tool
    And step 5.2: the Field Tool sends the "Need for trouble report to replace meter" to the Meter Management System
    And the observed sequence matches the use case
