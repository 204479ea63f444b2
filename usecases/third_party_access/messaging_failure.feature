@use_case:C4
Feature: C4 Utility detects third party communication or messaging failure
  Use case C4, External clients use the AMI to interact with devices at customer site, section 3.5.
  Step rows are transcribed in usecase.yaml with their document numbers. The timing check comes
  before the sequence check, so that late test results name C4NFR5 even when the CCS's alert on
  them (row 6) follows.

  Background:
    Given pre-condition: The customer has provided the utility permission for the third party to access equipment at their site

  @scenario:failure-spg-answers
  Scenario: Utility detects a third party messaging failure: the service point gateway returns test results
    Given set-up: service point "SP-0001" of account "ACC-2001" has customer device "PUMP-0001"
    And set-up: third party "EMC-A" is enabled at service point "SP-0001"
    And set-up: a message of third party "EMC-A" for service point "SP-0001" is queued at the CCS
    And fault "spg-outage-brief" is injected
    When step 1 is triggered: Utility determines communication and or messaging availability between the third party and customer has failed
    Then step 1: the CCS sends the "Third party message" to the Service Point Gateway
    And step 2: the CCS sends the "Command to test communications with Service point gateway" to the Service Point Gateway
    And step 3: the Service Point Gateway sends the "Test results" to the CCS
    And step 4: the CCS sends the "Test results" to the MDMS
    And step 5: the MDMS sends the "Test results" to the CSS
    And for every in-scope meter, the test results reach the CCS within 60 seconds
    And the observed sequence matches the use case

  @scenario:failure-spg-silent
  Scenario: Utility detects a third party messaging failure: the service point gateway does not return test results
    Given set-up: service point "SP-0001" of account "ACC-2001" has customer device "PUMP-0001"
    And set-up: third party "EMC-A" is enabled at service point "SP-0001"
    And set-up: a message of third party "EMC-A" for service point "SP-0001" is queued at the CCS
    And fault "spg-outage" is injected
    When step 1 is triggered: Utility determines communication and or messaging availability between the third party and customer has failed
    Then step 1: the CCS sends the "Third party message" to the Service Point Gateway
    And step 2: the CCS sends the "Command to test communications with Service point gateway" to the Service Point Gateway
    And step 6: the CCS sends the "Report of failure to communicate with Service point gateway" to the Other Utility Systems
    And the observed sequence matches the use case
