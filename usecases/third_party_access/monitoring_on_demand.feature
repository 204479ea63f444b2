@use_case:C4
Feature: C4 Energy management company monitors customer equipment on demand
  Use case C4, External clients use the AMI to interact with devices at customer site, section 3.1.
  Step rows are transcribed in usecase.yaml with their document numbers.

  Background:
    Given pre-condition: The customer has provided the utility permission for the third party to access equipment at their site

  @scenario:monitoring
  Scenario: Energy management company monitors customer equipment - on-demand
    Given set-up: service point "SP-0001" of account "ACC-2001" has customer device "PUMP-0001"
    And set-up: third party "EMC-A" is enabled at service point "SP-0001"
    When step 1 is triggered: Third party makes an on-demand request for energy consumption data from the customer's equipment using the CCS.
    Then step 1: the Third Party sends the "Information from customer equipment request: Customer Name, Customer Device ID" to the CCS
    And step 2: the CCS acts internally: "CCS authenticates source third party."
    And step 3: the CCS sends the "Authentication confirmation, Authorization confirmation" to the Third Party
    And step 4: the CCS acts internally: "CCS logs the request and authorization status."
    And step 5: the CCS sends the "Information from customer equipment request" to the Service Point Gateway
    And step 6: the Service Point Gateway sends the "Receipt confirmation for information from customer equipment request" to the CCS
    And step 7: the Service Point Gateway sends the "Information from customer equipment request" to the HAN
    And step 8: the HAN sends the "Information from customer equipment request" to the Customer Device
    And step 9: the Customer Device sends the "Customer data" to the Service Point Gateway
    And step 10: the Service Point Gateway sends the "Receipt confirmation that customer data has been received from HAN" to the CCS
    And step 11: the Service Point Gateway sends the "Customer data" to the CCS
    And step 12: the CCS acts internally: "CCS authenticates target third party ."
    And step 13: the CCS acts internally: "CCS authorizes target third party."
    And step 14: the CCS acts internally: "CCS logs the authorization status."
    And step 15: the CCS acts internally: "CCS receives the message and logs the receipt."
    And step 16: the CCS sends the "Customer data" to the Third Party
    And step 17: the CCS acts internally: "CCS logs that the message was sent."
    And for every in-scope meter, the CCS passes each request on to the device it addresses and answers it about that device
    And the observed sequence matches the use case
    And for every in-scope meter, the CCS delivers each way within 60 seconds
    And for every in-scope meter, the Service Point Gateway delivers each way within 60 seconds
