@use_case:C4
Feature: C4 Message limits, warnings and alarms (harness-added)
  Use case C4, External clients use the AMI to interact with devices at customer site, sections
  4.1 and 4.2: requirements no step table runs. The rows are the harness's (harness_steps in
  usecase.yaml); the limits are the document's (24 transactions per hour, 576 a day, two per
  request; alarms beyond 10 unauthorized attempts in an hour; a warning within 15 minutes).
  Each scenario's requirement checks come before the sequence check, so that they name the
  requirement even when the sequence deviates as well.

  Background:
    Given pre-condition: The customer has provided the utility permission for the third party to access equipment at their site

  @harness_added @scenario:rate-limit
  Scenario Outline: A third party over its contract tier's message limit is refused and warned
    Given set-up: 1 service point is in scope, each of its own account with one customer device
    And set-up: contract tier "<tier>" allows <per_hour> transactions per hour and <per_day> per day
    And set-up: third party "EMC-A" is enabled at every service point on tier "<tier>"
    And set-up: third party "EMC-A" sends <requests> monitoring requests, <minutes> minutes apart
    When step L1 is triggered: A third party sends more on-demand requests to a service point than its contract tier allows
    Then step L1: the Third Party sends the "Information from customer equipment request: Customer Name, Customer Device ID" to the CCS
    And step L2: the CCS sends the "Authentication confirmation, Authorization confirmation" to the Third Party
    And step L3: the CCS sends the "Information from customer equipment request" to the Service Point Gateway
    And step L4: the Service Point Gateway sends the "Receipt confirmation for information from customer equipment request" to the CCS
    And step L5: the Service Point Gateway sends the "Information from customer equipment request" to the HAN
    And step L6: the HAN sends the "Information from customer equipment request" to the Customer Device
    And step L7: the Customer Device sends the "Customer data" to the Service Point Gateway
    And step L8: the Service Point Gateway sends the "Receipt confirmation that customer data has been received from HAN" to the CCS
    And step L9: the Service Point Gateway sends the "Customer data" to the CCS
    And step L10: the CCS sends the "Customer data" to the Third Party
    And step L11: the CCS acts internally: "The CCS admits the requests its contract tier allows and rejects the one beyond it"
    And step L12: the CCS sends the "Warning: message limit exceeded, with message ID, destination ID and date/time received" to the Third Party
    And for every in-scope meter, the CCS warns the third party of each rejected message with its message ID, destination ID and time received
    And for every in-scope meter, the CCS passes each request on to the device it addresses and answers it about that device
    And the observed sequence matches the use case

    # standard: the document's tier; the 13th request in the hour would be its 25th and 26th
    # transactions. basic: a tier whose daily limit binds first (the 13th request of the day).
    Examples:
      | tier     | per_hour | per_day | requests | minutes |
      | standard | 24       | 576     | 13       | 4       |
      | basic    | 12       | 24      | 13       | 20      |

  @harness_added @scenario:undeliverable-warned
  Scenario: The CCS warns the third party of an undeliverable message
    Given set-up: service point "SP-0001" of account "ACC-2001" has customer device "PUMP-0001"
    And set-up: third party "EMC-A" is enabled at service point "SP-0001"
    And fault "spg-outage" is injected
    When step U1 is triggered: Third party makes an on-demand request while the service point gateway cannot be reached
    Then step U1: the Third Party sends the "Information from customer equipment request: Customer Name, Customer Device ID" to the CCS
    And step U2: the CCS sends the "Authentication confirmation, Authorization confirmation" to the Third Party
    And step U3: the CCS sends the "Information from customer equipment request" to the Service Point Gateway
    And step U4: the CCS sends the "Warning: message undeliverable, with message ID, destination ID and date/time received" to the Third Party
    And for every in-scope meter, the CCS warns the third party within 15 minutes
    And for every in-scope meter, the CCS warns the third party of each undeliverable message with its message ID, destination ID and time received
    And for every in-scope meter, the CCS passes each request on to the device it addresses and answers it about that device
    And the observed sequence matches the use case

  @harness_added @security-pack @scenario:unauthorized-alarm
  Scenario: Unauthorized third party attempts beyond 10 in an hour raise an alarm at the CCS
    Given set-up: 1 service point is in scope, each of its own account with one customer device
    And set-up: third party "EMC-A" is enabled at every service point on tier "standard"
    And set-up: third party "EMC-B" sends 11 monitoring requests, 5 minutes apart
    When step A1 is triggered: A third party not enabled at the service point sends requests for its customer device
    Then step A1: the Third Party sends the "Information from customer equipment request: Customer Name, Customer Device ID" to the CCS
    And step A2: the CCS sends the "Refusal: action not authorized" to the Third Party
    And step A3: the CCS acts internally: "The CCS logs each unauthorized attempt with its authorization status"
    And step A4: the CCS sends the "Alarm: unauthorized third party message attempts exceed 10 per hour" to the Other Utility Systems
    And for every in-scope meter, the CCS raises an alarm once unauthorized attempts exceed the limit in an hour, not before
    And the observed sequence matches the use case

  @harness_added @security-pack @scenario:gateway-unauthorized
  Scenario: The service point gateway refuses, reports and alarms on unauthorized third party messages
    Given set-up: service point "SP-0001" of account "ACC-2001" has customer device "PUMP-0001"
    And set-up: third party "EMC-B" is enabled at the CCS for service point "SP-0001" but never provisioned at its gateway
    And set-up: the service point gateway reports unauthorized attempts every 15 minutes
    And set-up: third party "EMC-B" sends 11 monitoring requests, 5 minutes apart
    When step S1 is triggered: A third party the service point gateway was never provisioned for sends requests
    Then step S1: the Third Party sends the "Information from customer equipment request: Customer Name, Customer Device ID" to the CCS
    And step S2: the CCS sends the "Authentication confirmation, Authorization confirmation" to the Third Party
    And step S3: the CCS sends the "Information from customer equipment request" to the Service Point Gateway
    And step S4: the CCS sends the "Warning: message undeliverable, with message ID, destination ID and date/time received" to the Third Party
    And step S5: the Service Point Gateway sends the "Unauthorized third party message attempts" to the CCS
    And step S6: the Service Point Gateway sends the "Alarm: unauthorized third party message attempts exceed 10 per hour" to the CCS
    And for every in-scope meter, the Service Point Gateway reports every unauthorized attempt to the CCS within the configured period
    And for every in-scope meter, the Service Point Gateway alarms the CCS once unauthorized attempts exceed the limit in an hour, not before
    And for every in-scope meter, the CCS passes each request on to the device it addresses and answers it about that device
    And the observed sequence matches the use case
