@use_case:HAN
Feature: HAN device diagnostics and maintenance
  System Configuration and Management, HAN device diagnostics and maintenance: step rows
  are transcribed in usecases/han/usecase.yaml (table DM) with their document numbers.

  @scenario:device-replaced
  Scenario: The installer finds the HAN device faulty and replaces it
    Given pre-condition: The Installation/Provisioning and Registration Use Cases have been successfully completed or attempted
    And set-up: account "ACC-4001" at "12 Aspen Court" has gateway "MTR-0001" with a network key pre-placed
    And set-up: 1 HAN device is at the premises
    And set-up: the HAN devices are installed and commissioned
    And set-up: the HAN devices are registered in programs
    And set-up: device "HAN-0001" has a failed radio
    When step 1 is triggered: A utility owned or configured device fails or does not initialize
    Then step 1: the HAN Device acts internally: "HAN Devices cannot communicate with AMI system to self-register."
    And step 2: the HAN Device sends the "Notice: communication failure" to the Customer or Installer
    And step 3: the Field Tool sends the "Network communication test" to the HAN Device
    And step 4a: the Customer or Installer acts internally: "Installer validates whether device is faulty."
    And step 5a: the Customer or Installer acts internally: "Installer replaces HAN Devices, if appropriate."
    And step 6: the Customer or Installer acts internally: "Performs problem and device specific resolution (e.g., installs a bridging device to mitigate poor signal strength, installs a higher power or more capable device, etc.)"
    And the observed sequence matches the use case

  @scenario:marginal-coverage
  Scenario: The installer finds marginal HAN coverage; a bridging device resolves it
    Given pre-condition: The Installation/Provisioning and Registration Use Cases have been successfully completed or attempted
    And set-up: account "ACC-4001" at "12 Aspen Court" has gateway "MTR-0001" with a network key pre-placed
    And set-up: 1 HAN device is at the premises
    And set-up: the HAN devices are installed and commissioned
    And set-up: the HAN devices are registered in programs
    And set-up: device "HAN-0001" sits out of HAN coverage
    When step 1 is triggered: A utility owned or configured device fails or does not initialize
    Then step 1: the HAN Device acts internally: "HAN Devices cannot communicate with AMI system to self-register."
    And step 2: the HAN Device sends the "Notice: communication failure" to the Customer or Installer
    And step 3: the Field Tool sends the "Network communication test" to the HAN Device
    And step 4b: the Customer or Installer acts internally: "Installer validates adequate HAN network coverage exists."
    And step 5b: the Customer or Installer acts internally: "Customer Reports marginal coverage if appropriate. Installer may leave site at this point."
    And step 6: the Customer or Installer acts internally: "Performs problem and device specific resolution (e.g., installs a bridging device to mitigate poor signal strength, installs a higher power or more capable device, etc.)"
    And the observed sequence matches the use case
