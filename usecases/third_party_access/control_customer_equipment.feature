@use_case:C4
Feature: C4 Third party controls customer equipment
  Use case C4, External clients use the AMI to interact with devices at customer site, section 3.2.
  Step rows are transcribed in usecase.yaml with their document numbers.

  Background:
    Given pre-condition: The customer has provided the utility permission for the third party to access equipment at their site

  @scenario:control
  Scenario: Third party wants to control (on/off/limit/program) customer equipment
    Given set-up: service point "SP-0001" of account "ACC-2001" has customer device "PUMP-0001"
    And set-up: third party "EMC-A" is enabled at service point "SP-0001"
    When step 1 is triggered: Third party makes an on-demand request to control the customer's equipment using the CCS.
    Then step 1: the Third Party acts internally: "Third Party makes an on-demand status request of monitored equipment to determine what equipment is operating during a peak energy period."
    And step 2: the Third Party acts internally: "Third Party decides to control customer equipment."
    And step 3: the Third Party sends the "Control command to specific equipment" to the CCS
    And step 4: the CCS sends the "Authentication and Authorization Confirmation" to the Third Party
    And step 5: the CCS acts internally: "CCS logs the request and authorization status."
    And step 6: the CCS sends the "Control command" to the Service Point Gateway
    And step 7: the Service Point Gateway sends the "Receipt confirmation of control command at Service point gateway" to the CCS
    And step 8: the HAN sends the "Control command" to the Customer Device
    And step 9: the Customer Device acts internally: "Customer device receives the control command to turn on, turn off, limit power, or modify program from the HAN"
    And step 10: the Customer Device sends the "Receipt confirmation of control command and execution at HAN" to the Service Point Gateway
    And step 11: the Service Point Gateway sends the "Receipt confirmation of control command and execution at Service point gateway" to the CCS
    And step 12: the Service Point Gateway sends the "Confirmation message" to the CCS
    And step 13: the CCS acts internally: "CCS authenticates target third party."
    And step 14: the CCS acts internally: "CCS authorizes target third party."
    And step 15: the CCS acts internally: "CCS logs the authorization status"
    And step 16: the CCS acts internally: "CCS receives the confirmation message and log the receipt."
    And step 17: the CCS sends the "Receipt confirmation of control command and execution at CCS" to the Third Party
    And step 18: the CCS acts internally: "CCS logs that the control confirmation message was sent."
    And for every in-scope meter, the CCS passes each request on to the device it addresses and answers it about that device
    And the observed sequence matches the use case
    And for every in-scope meter, the CCS delivers each way within 60 seconds
    And for every in-scope meter, the Service Point Gateway delivers each way within 60 seconds
