@use_case:HAN
Feature: HAN installation and provisioning
  System Configuration and Management, HAN installation and provisioning: step rows
  are transcribed in usecases/han/usecase.yaml (table INST) with their document numbers.

  @scenario:installation
  Scenario: A HAN device is installed and joins the Utility AMI Gateway's network
    Given pre-condition: Meter or other Utility AMI Gateway with two way communications capability is present.
    And set-up: account "ACC-4001" at "12 Aspen Court" has gateway "MTR-0001" with a network key pre-placed
    And set-up: 3 HAN devices are at the premises
    When step 1 is triggered: Customer takes position of HAN device.
    Then step 1: the Customer or Installer acts internally: "Installer locates appropriate installation point."
    And step 2: the Customer or Installer acts internally: "Device is installed."
    And step 3: the HAN Device sends the "Self-check results" to the Customer or Installer
    And step 4: the Customer or Installer sends the "Pre-commissioning materials: physical location, latitude and longitude" to the HAN Device
    And step 5: the Customer or Installer sends the "Commissioning data: the network key" to the HAN Device
    And step 5b: the HAN Device sends the "Join notification with the device's network credentials" to the Utility AMI Gateway
    And step 6: the Utility AMI Gateway sends the "Acknowledgement: network credentials authenticated" to the HAN Device
    And step 7: the Utility AMI Gateway sends the "Configuration data (preferred communication paths, updates)" to the HAN Device
    And step 8: the Utility AMI Gateway acts internally: "Device is added to the network. The device is added the UtilityAMI list of available devices."
    And step 9: the HAN Device sends the "Notice: successful installation" to the Customer or Installer
    And step 10: the Utility AMI Gateway sends the "Registration instruction" to the Customer or Installer
    And the observed sequence matches the use case

  @harness_added @scenario:intruder-refused
  Scenario: A Bad Actor's device without the network key is refused
    Given pre-condition: Meter or other Utility AMI Gateway with two way communications capability is present.
    And set-up: account "ACC-4001" at "12 Aspen Court" has gateway "MTR-0001" with a network key pre-placed
    And set-up: 2 HAN devices are at the premises
    And set-up: the HAN devices are installed and commissioned
    And set-up: a Bad Actor holds a device "HAN-INTRUDER" without the network key
    When step X1 is triggered: A Bad Actor's device without the network key tries to join the HAN
    Then step X1: the Bad Actor sends the "Join notification without valid network credentials" to the Utility AMI Gateway
    And step X2: the Utility AMI Gateway sends the "Refusal: network credentials not valid" to the Bad Actor
    And step X3: the Utility AMI Gateway sends the "Join result: PAN pairing failed" to the HAN Device Registration Application
    And step X4: the Utility AMI Gateway acts internally: "The Utility AMI Gateway keeps the Bad Actor's device out of the HAN"
    And the observed sequence matches the use case
