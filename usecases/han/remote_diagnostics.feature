@use_case:HAN
Feature: HAN device remote diagnostics and troubleshooting
  System Configuration and Management, HAN device remote diagnostics and troubleshooting: step rows
  are transcribed in usecases/han/usecase.yaml (table RDT) with their document numbers.

  @scenario:account-corrected
  Scenario: The customer's account or registration information is corrected
    Given pre-condition: The Installation and Network Provisioning and Registration Use Cases have been successfully completed.
    And set-up: account "ACC-4001" at "12 Aspen Court" has gateway "MTR-0001" with a network key pre-placed
    And set-up: 1 HAN device is at the premises
    And set-up: the HAN devices are installed and commissioned
    And set-up: the HAN devices are registered in programs
    And set-up: the CCS holds device "HAN-0001" in program "pricing" while the customer enrolled it in "demand response"
    When step 1 is triggered: A utility owned or configured device fails or does not initialize
    Then step 1: the Customer sends the "Call about the failing HAN device" to the Customer Service Representative
    And step 2: the Customer Service Representative acts internally: "Identifies customer (verifies) and records customer issue."
    And step 3: the Customer Service Representative sends the "Customer account query" to the CCS
    And step 4: the Customer Service Representative acts internally: "Validates account status"
    And step 5: the Customer Service Representative sends the "Corrected registration information" to the CCS
    And the observed sequence matches the use case
    And for every in-scope meter, the CCS holds it in the program the customer enrolled it in

  @scenario:device-unreachable
  Scenario: The utility cannot connect to the HAN device: onsite maintenance is scheduled
    Given pre-condition: The Installation and Network Provisioning and Registration Use Cases have been successfully completed.
    And set-up: account "ACC-4001" at "12 Aspen Court" has gateway "MTR-0001" with a network key pre-placed
    And set-up: 1 HAN device is at the premises
    And set-up: the HAN devices are installed and commissioned
    And set-up: the HAN devices are registered in programs
    And set-up: device "HAN-0001" has a failed radio
    When step 1 is triggered: A utility owned or configured device fails or does not initialize
    Then step 1: the Customer sends the "Call about the failing HAN device" to the Customer Service Representative
    And step 2: the Customer Service Representative acts internally: "Identifies customer (verifies) and records customer issue."
    And step 3: the Customer Service Representative sends the "Customer account query" to the CCS
    And step 4: the Customer Service Representative acts internally: "Validates account status"
    And step 5a: the Customer Service Representative sends the "Remote diagnostics start" to the Remote Diagnostics Application
    And step 6: the Remote Diagnostics Application sends the "Commissioning data query" to the Utility AMI Gateway
    And step 7: the Remote Diagnostics Application sends the "Connection attempt" to the HAN Device
    And step 8b: the Remote Diagnostics Application acts internally: "Connection unsuccessful – repeat installation commissioning use case"
    And step 9: the Customer Service Representative sends the "Notice: the utility can or cannot communicate with the HAN Device" to the Customer
    And step 10a: the Customer Service Representative sends the "Notice: onsite maintenance scheduled" to the Customer
    And the observed sequence matches the use case

  @scenario:device-functioning
  Scenario: The HAN device answers the registered control signal: it functions correctly
    Given pre-condition: The Installation and Network Provisioning and Registration Use Cases have been successfully completed.
    And set-up: account "ACC-4001" at "12 Aspen Court" has gateway "MTR-0001" with a network key pre-placed
    And set-up: 1 HAN device is at the premises
    And set-up: the HAN devices are installed and commissioned
    And set-up: the HAN devices are registered in programs
    When step 1 is triggered: A utility owned or configured device fails or does not initialize
    Then step 1: the Customer sends the "Call about the failing HAN device" to the Customer Service Representative
    And step 2: the Customer Service Representative acts internally: "Identifies customer (verifies) and records customer issue."
    And step 3: the Customer Service Representative sends the "Customer account query" to the CCS
    And step 4: the Customer Service Representative acts internally: "Validates account status"
    And step 5a: the Customer Service Representative sends the "Remote diagnostics start" to the Remote Diagnostics Application
    And step 6: the Remote Diagnostics Application sends the "Commissioning data query" to the Utility AMI Gateway
    And step 7: the Remote Diagnostics Application sends the "Connection attempt" to the HAN Device
    And step 8a: the HAN Device sends the "Connection answer: commissioning confirmed" to the Remote Diagnostics Application
    And step 9: the Customer Service Representative sends the "Notice: the utility can or cannot communicate with the HAN Device" to the Customer
    And step 10b: the Customer Service Representative sends the "Registration diagnostics start" to the Remote Diagnostics Application
    And step 10: the Remote Diagnostics Application sends the "Registered control signal" to the Utility AMI Gateway
    And step 11: the Customer Service Representative sends the "Notice: the device is or is not functioning correctly" to the Customer
    And the observed sequence matches the use case
    And for every in-scope meter, the Remote Diagnostics Application's diagnosis is what is wrong with it

  @scenario:registration-repeated
  Scenario: Registration communication unsuccessful: the registration use case is executed again
    Given pre-condition: The Installation and Network Provisioning and Registration Use Cases have been successfully completed.
    And set-up: account "ACC-4001" at "12 Aspen Court" has gateway "MTR-0001" with a network key pre-placed
    And set-up: 1 HAN device is at the premises
    And set-up: the HAN devices are installed and commissioned
    And set-up: the HAN devices are registered in programs
    And set-up: device "HAN-0001" has lost its registration
    When step 1 is triggered: A utility owned or configured device fails or does not initialize
    Then step 1: the Customer sends the "Call about the failing HAN device" to the Customer Service Representative
    And step 2: the Customer Service Representative acts internally: "Identifies customer (verifies) and records customer issue."
    And step 3: the Customer Service Representative sends the "Customer account query" to the CCS
    And step 4: the Customer Service Representative acts internally: "Validates account status"
    And step 5a: the Customer Service Representative sends the "Remote diagnostics start" to the Remote Diagnostics Application
    And step 6: the Remote Diagnostics Application sends the "Commissioning data query" to the Utility AMI Gateway
    And step 7: the Remote Diagnostics Application sends the "Connection attempt" to the HAN Device
    And step 8a: the HAN Device sends the "Connection answer: commissioning confirmed" to the Remote Diagnostics Application
    And step 9: the Customer Service Representative sends the "Notice: the utility can or cannot communicate with the HAN Device" to the Customer
    And step 10b: the Customer Service Representative sends the "Registration diagnostics start" to the Remote Diagnostics Application
    And step 10: the Remote Diagnostics Application sends the "Registered control signal" to the Utility AMI Gateway
    And step 11: the Customer Service Representative sends the "Notice: the device is or is not functioning correctly" to the Customer
    And step 12a: the Customer Service Representative sends the "Notice: the registration use case is executed again" to the Customer
    And the observed sequence matches the use case
    And for every in-scope meter, the Remote Diagnostics Application's diagnosis is what is wrong with it

  @scenario:device-faulty-onsite
  Scenario: The HAN device does not act on the control signal: onsite maintenance is scheduled
    Given pre-condition: The Installation and Network Provisioning and Registration Use Cases have been successfully completed.
    And set-up: account "ACC-4001" at "12 Aspen Court" has gateway "MTR-0001" with a network key pre-placed
    And set-up: 1 HAN device is at the premises
    And set-up: the HAN devices are installed and commissioned
    And set-up: the HAN devices are registered in programs
    And set-up: device "HAN-0001" no longer acts on control signals
    When step 1 is triggered: A utility owned or configured device fails or does not initialize
    Then step 1: the Customer sends the "Call about the failing HAN device" to the Customer Service Representative
    And step 2: the Customer Service Representative acts internally: "Identifies customer (verifies) and records customer issue."
    And step 3: the Customer Service Representative sends the "Customer account query" to the CCS
    And step 4: the Customer Service Representative acts internally: "Validates account status"
    And step 5a: the Customer Service Representative sends the "Remote diagnostics start" to the Remote Diagnostics Application
    And step 6: the Remote Diagnostics Application sends the "Commissioning data query" to the Utility AMI Gateway
    And step 7: the Remote Diagnostics Application sends the "Connection attempt" to the HAN Device
    And step 8a: the HAN Device sends the "Connection answer: commissioning confirmed" to the Remote Diagnostics Application
    And step 9: the Customer Service Representative sends the "Notice: the utility can or cannot communicate with the HAN Device" to the Customer
    And step 10b: the Customer Service Representative sends the "Registration diagnostics start" to the Remote Diagnostics Application
    And step 10: the Remote Diagnostics Application sends the "Registered control signal" to the Utility AMI Gateway
    And step 11: the Customer Service Representative sends the "Notice: the device is or is not functioning correctly" to the Customer
    And step 12b: the Customer Service Representative sends the "Notice: onsite maintenance scheduled" to the Customer
    And the observed sequence matches the use case
    And for every in-scope meter, the Remote Diagnostics Application's diagnosis is what is wrong with it
