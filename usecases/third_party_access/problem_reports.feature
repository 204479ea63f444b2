@use_case:C4
Feature: C4 Third party or customer reports third party monitoring or control failures
  Use case C4, External clients use the AMI to interact with devices at customer site, section 3.4.
  Step rows are transcribed in usecase.yaml with their document numbers.

  Background:
    Given pre-condition: The customer has provided the utility permission for the third party to access equipment at their site

  @scenario:problem-trouble-order
  Scenario: Third party reports a monitoring or control failure: the service point gateway test fails and a trouble order is issued
    Given set-up: service point "SP-0001" of account "ACC-2001" has customer device "PUMP-0001"
    And set-up: third party "EMC-A" is enabled at service point "SP-0001"
    And fault "spg-han-link-down" is injected
    When step 1 is triggered: Third party or customer is reporting to the utility that they or their authorized third party does not have monitoring or control abilities of the customer's in home predefined equipment.
    Then step 1: the Third Party sends the "Problem report on monitoring or control of customer devices" to the Customer Representative
    And step 2: the Customer Representative sends the "Customer account information request: third party access to SPG enabled request, third party authorized for access request, third party service level request" to the CSS
    And step 3: the CSS sends the "Command requesting automated test of Service point gateway communications" to the CCS
    And step 4: the CCS sends the "Command requesting automated test of Service point gateway communications" to the Service Point Gateway
    And step 5: the Service Point Gateway sends the "Service point gateway communication test results" to the CCS
    And step 6: the CCS sends the "Service point gateway communication test Results" to the CSS
    And the observed sequence matches the use case
    And for every in-scope meter, the test results reach the CCS within 60 seconds

  @scenario:problem-customer-advised
  Scenario: Third party reports a monitoring or control failure: the service point gateway test is OK and the customer is advised
    Given set-up: service point "SP-0001" of account "ACC-2001" has customer device "PUMP-0001"
    And set-up: third party "EMC-A" is enabled at service point "SP-0001"
    And fault "none" is injected
    When step 1 is triggered: Third party or customer is reporting to the utility that they or their authorized third party does not have monitoring or control abilities of the customer's in home predefined equipment.
    Then step 1: the Third Party sends the "Problem report on monitoring or control of customer devices" to the Customer Representative
    And step 2: the Customer Representative sends the "Customer account information request: third party access to SPG enabled request, third party authorized for access request, third party service level request" to the CSS
    And step 3: the CSS sends the "Command requesting automated test of Service point gateway communications" to the CCS
    And step 4: the CCS sends the "Command requesting automated test of Service point gateway communications" to the Service Point Gateway
    And step 5: the Service Point Gateway sends the "Service point gateway communication test results" to the CCS
    And step 6: the CCS sends the "Service point gateway communication test Results" to the CSS
    And the observed sequence matches the use case
    And for every in-scope meter, the test results reach the CCS within 60 seconds
