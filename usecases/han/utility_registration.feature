@use_case:HAN
Feature: HAN utility registration
  System Configuration and Management, HAN utility registration: step rows
  are transcribed in usecases/han/usecase.yaml (table REG) with their document numbers.

  @scenario:registration
  Scenario: The customer registers HAN devices with the utility
    Given pre-condition: The Installation and Network Provisioning Use Cases have been successfully completed.
    And set-up: account "ACC-4001" at "12 Aspen Court" has gateway "MTR-0001" with a network key pre-placed
    And set-up: 3 HAN devices are at the premises
    And set-up: the HAN devices are installed and commissioned
    When step 4 is triggered: The utility determines the need for authenticated device communications.
    Then step 1: the Customer acts internally: "Customer procures or is provided HAN equipment that is compatible with AMI system."
    And step 2: the Customer acts internally: "Customer installs HAN Devices per manufacturer’s instructions."
    And step 3: the Customer acts internally: "Customer makes decision to participate in utility AMI-related programs."
    And step 4: the Customer sends the "Notification: ready to have HAN Devices connected to the AMI for program purposes" to the Customer Representative
    And step 5: the Customer Representative sends the "Customer information query (address, verification information)" to the CCS
    And step 6: the Customer Representative sends the "Registration application activation" to the HAN Device Registration Application
    And step 7: the HAN Device Registration Application sends the "Pairing window open (Utility AMI HAN discovery)" to the Utility AMI Gateway
    And step 8: the Customer sends the "Registration information: registration keys and serial numbers" to the Customer Representative
    And step 9: the Customer Representative sends the "Program(s) and registration information noted in the application" to the HAN Device Registration Application
    And step 10: the HAN Device Registration Application sends the "Authenticated link request with the registration key" to the HAN Device
    And step 12: the HAN Device Registration Application sends the "Registration materials for the gateway" to the Utility AMI Gateway
    And step 13: the HAN Device sends the "Activation and readiness state" to the HAN Device Registration Application
    And step 14: the HAN Device Registration Application sends the "Registration information for storage" to the CCS
    And step 15: the Customer Representative sends the "Confirmation: HAN Devices initialized into the AMI, programs activated" to the Customer
    And the observed sequence matches the use case
    And for every in-scope meter, the HAN device is linked by its own registration key and runs the program noted
    And for every in-scope meter, the CCS holds its registration with device ID, name, location and program
