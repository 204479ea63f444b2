@use_case:C4
Feature: C4 Customer requests third party access be enabled, disabled or modified
  Use case C4, External clients use the AMI to interact with devices at customer site, section 3.3.
  Step rows are transcribed in usecase.yaml with their document numbers.

  Background:
    Given pre-condition: The customer has provided the utility permission for the third party to access equipment at their site

  @scenario:access
  Scenario: Customer requests third party access to customer's location be enabled/disabled/modified and configured (program provisioning)
    Given set-up: service point "SP-0001" of account "ACC-2001" has customer device "PUMP-0001"
    And set-up: third party "EMC-A" has a signed contract for account "ACC-2001"
    When step 1 is triggered: The customer wants to authorize a third party to have access to their in home equipment. With the customer's permission provisioning is needed.
    Then step 1: the Customer sends the "Request to enable/disable/modify third party access to devices/appliances: Name of third party, Customer Name or Account Number" to the Customer Representative
    And step 2: the Customer Representative sends the "Customer account information request, Customer identity request, Third party participation request" to the CSS
    And step 3: the Customer Representative acts internally: "For each third party, a service level must be specified within the CCS (e.g. configurable service level for bandwidth - number/frequency of third party messaging)."
    And step 4: the Customer sends the "Customer Device Type, Customer Device ID" to the Customer Representative
    And step 5: the CSS sends the "Command requesting third party access enabled/disabled/modified with customer specific configurations" to the CCS
    And step 6: the CCS sends the "Command requesting third party access enabled/disabled/modified with customer specific configurations" to the Service Point Gateway
    And step 7: the Service Point Gateway sends the "Receipt and execution confirmation of command requesting third party access enabled/disabled/modified with customer specific configurations" to the CCS
    And step 8: the CCS sends the "Receipt and execution confirmation of command requesting third party access enabled/disabled/modified with customer specific configurations" to the CSS
    And the observed sequence matches the use case
    And for every in-scope meter, the Service Point Gateway admits third party "EMC-A"
