@use_case:C4
Feature: C4 Contracts, the gateway's log and other customers' third parties (harness-added)
  Use case C4, External clients use the AMI to interact with devices at customer site, sections
  4.1 to 4.3: requirements no step table runs. The rows are the harness's (harness_steps in
  usecase.yaml). Each scenario's requirement checks come before the sequence check, so that they
  name the requirement even when the sequence deviates as well; a security scenario's own check
  (its primary rule in usecase.yaml) comes right after the trigger, judged on the whole run, so
  that a probe let through is named even when a row before it breaks.

  Background:
    Given pre-condition: The customer has provided the utility permission for the third party to access equipment at their site

  @harness_added @scenario:service-ended
  Scenario: Third party contracts end with the customer's service
    Given set-up: service point "SP-0001" of account "ACC-2001" has customer device "PUMP-0001"
    And set-up: third party "EMC-A" is enabled at service point "SP-0001"
    When step E1 is triggered: The customer turns off service
    Then step E1: the CSS sends the "Command requesting third party access disabled: the customer's service ended" to the CCS
    And step E2: the CCS sends the "Command requesting third party access disabled: the customer's service ended" to the Service Point Gateway
    And step E3: the Service Point Gateway sends the "Receipt and execution confirmation of command requesting third party access disabled" to the CCS
    And step E4: the CCS sends the "Receipt and execution confirmation of command requesting third party access disabled" to the CSS
    And step E5: the Third Party sends the "Information from customer equipment request: Customer Name, Customer Device ID" to the CCS
    And step E6: the CCS acts internally: "The CCS rejects every attempt of the third party once the customer's service ended, and passes none to the gateway"
    And step E7: the CCS sends the "Refusal: action not authorized" to the Third Party
    And the observed sequence matches the use case

  @harness_added @scenario:gateway-log
  Scenario: The CCS retrieves the service point gateway's log on demand
    Given set-up: service point "SP-0001" of account "ACC-2001" has customer device "PUMP-0001"
    And set-up: third party "EMC-A" is enabled at service point "SP-0001"
    When step G1 is triggered: The CCS retrieves the service point gateway communications log on demand
    Then step G1: the CCS sends the "Request for the service point gateway communications log" to the Service Point Gateway
    And step G2: the Service Point Gateway sends the "Service point gateway communications log" to the CCS
    And for every in-scope meter, the gateway log reaches the CCS within 60 seconds
    And the observed sequence matches the use case

  @harness_added @security-pack @scenario:cross-party-refused
  Scenario: A third party cannot reach another third party's customer
    Given set-up: service point "SP-0001" of account "ACC-2001" has customer device "PUMP-0001"
    And set-up: third party "EMC-A" is enabled at service point "SP-0001"
    And set-up: third party "EMC-B" serves only service point "SP-0002" of account "ACC-2002"
    When step X1 is triggered: A third party sends requests for another third party's customer
    Then for every in-scope meter, the CCS refuses third party "EMC-B" and passes nothing of it to the gateway
    And step X1: the Third Party sends the "Information from customer equipment request: Customer Name, Customer Device ID" to the CCS
    And step X2: the CCS sends the "Refusal: action not authorized" to the Third Party
    And step X3: the Third Party sends the "Control command to specific equipment" to the CCS
    And step X4: the CCS sends the "Refusal: action not authorized" to the Third Party
    And step X5: the CCS acts internally: "The CCS logs each refused attempt with its authorization status"
    And the observed sequence matches the use case

  @harness_added @security-pack @scenario:spoofed-identity-refused
  Scenario: An impostor presenting a registered third party's ID is refused
    Given set-up: service point "SP-0001" of account "ACC-2001" has customer device "PUMP-0001"
    And set-up: third party "EMC-A" is enabled at service point "SP-0001"
    And set-up: an impostor presents third party "EMC-A"'s ID under organization "Rogue Energy"
    When step Y1 is triggered: An impostor presents a registered third party's ID
    Then for every in-scope meter, the CCS refuses the impostor and passes nothing of it to the gateway
    And step Y1: the Third Party sends the "Information from customer equipment request: Customer Name, Customer Device ID" to the CCS
    And step Y2: the CCS sends the "Refusal: authentication failure" to the Third Party
    And step Y3: the CCS acts internally: "The CCS logs the refused attempt with its authorization status"
    And the observed sequence matches the use case

  @harness_added @security-pack @scenario:hostile-refused
  Scenario: A replayed and a malformed request are refused without effect
    Given set-up: service point "SP-0001" of account "ACC-2001" has customer device "PUMP-0001"
    And set-up: third party "EMC-A" is enabled at service point "SP-0001"
    When step H1 is triggered: A third party's request is followed by its replay and by a malformed request
    Then step H1: the Third Party sends the "Information from customer equipment request: Customer Name, Customer Device ID" to the CCS
    And step H2: the CCS sends the "Authentication confirmation, Authorization confirmation" to the Third Party
    And step H3: the CCS sends the "Information from customer equipment request" to the Service Point Gateway
    And step H4: the Service Point Gateway sends the "Receipt confirmation for information from customer equipment request" to the CCS
    And step H5: the Service Point Gateway sends the "Information from customer equipment request" to the HAN
    And step H6: the HAN sends the "Information from customer equipment request" to the Customer Device
    And step H7: the Customer Device sends the "Customer data" to the Service Point Gateway
    And step H8: the Service Point Gateway sends the "Receipt confirmation that customer data has been received from HAN" to the CCS
    And step H9: the Service Point Gateway sends the "Customer data" to the CCS
    And step H10: the CCS sends the "Customer data" to the Third Party
    And step H11: the CCS acts internally: "The CCS refuses the replayed and the malformed request without effect"
    And step H12: the CCS sends the "Refusal: replayed or malformed message" to the Third Party
    And for every in-scope meter, the CCS passes each request on to the device it addresses and answers it about that device
    And the observed sequence matches the use case

  @harness_added @security-pack @scenario:tampered-signature-refused
  Scenario: Requests whose WS-Security signature does not verify are refused without effect
    Given set-up: service point "SP-0001" of account "ACC-2001" has customer devices "PUMP-0001" and "PUMP-0002"
    And set-up: third party "EMC-A" is enabled at service point "SP-0001"
    When step W1 is triggered: A third party's requests are forged (changed after signing, untrusted signer, altered signature value, unsigned)
    Then step W1: the Third Party sends the "Information from customer equipment request: Customer Name, Customer Device ID" to the CCS
    And step W2: the CCS acts internally: "The CCS passes nothing of the forged requests to the gateway and logs each as unauthorized"
    And step W3: the CCS sends the "Refusal: authentication failure" to the Third Party
    And the observed sequence matches the use case
