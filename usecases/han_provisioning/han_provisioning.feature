@use_case:I3
Feature: I3 HAN provisioning
  Use case I3, Utility Upgrades AMI System to Address Future Requirements: the Customer's HAN
  devices are provisioned into the Utility HAN (sections 3.2 and 3.3). Step rows are transcribed in
  usecases/han_provisioning/usecase.yaml with their document numbers.

  Background:
    Given pre-condition: AMI meter is installed, AMI system is operational and AMI meter communications are fully working.

  @scenario:provisioning
  Scenario: Customer HAN devices are provisioned into the Utility HAN
    Given set-up: account "ACC-3001" at "7 Birch Lane" has meter "MTR-0001" whose HAN interface speaks "ZigBee SE 1.2"
    And set-up: 3 Customer HAN devices of model "PCT-100" speaking "ZigBee SE 1.2" are installed and commissioned with their install codes
    When step 4 is triggered: Customer calls the utility: ready to have Customer HAN devices connected to the Utility HAN
    Then step 1: the Customer acts internally: "Customer procures HAN devices that are compatible with Utility HAN and AMI system – capable of interacting with pricing, load, capacity and event messages related to AMI."
    And step 2: the Customer acts internally: "Customer installs HAN devices per manufacturer’s instructions and, where applicable, uses a Customer Interface to commission the Customer HAN devices. If appropriate, Customer allocates security properties (e.g. keys, passphrases, etc…) to their Customer HAN."
    And step 3: the Customer acts internally: "Customer makes decision to participate in utility AMI-related programs."
    And step 4: the Customer sends the "Call: ready to connect Customer HAN devices to the Utility HAN for program purposes" to the Customer Representative
    And step 5: the Customer Representative sends the "Customer information query (address, verification information)" to the CCS
    And step 6: the Customer Representative sends the "Provisioning session activation" to the Utility HAN Provisioning Tool
    And step 7: the Utility HAN Provisioning Tool sends the "Pairing window open (HAN self-discovery)" to the Premises Gateway
    And step 8: the Customer Representative sends the "Inquiry: which discovered devices shall participate" to the Customer
    And step 9: the Customer sends the "Devices the customer enumerates" to the Customer Representative
    And step 10: the Customer Representative sends the "Enumerated devices noted on the tool" to the Utility HAN Provisioning Tool
    And step 11: the Customer Representative sends the "Program(s) noted on the tool" to the Utility HAN Provisioning Tool
    And step 12: the Utility HAN Provisioning Tool sends the "Program provisioning and initiation" to the Utility HAN
    And step 13: the Utility HAN sends the "Activation and readiness state" to the Utility HAN Provisioning Tool
    And step 14: the Utility HAN Provisioning Tool sends the "Provisioning information: Utility HAN device IDs, names, locations" to the CCS
    And step 15: the Customer Representative sends the "Confirmation: devices initialized into the Utility HAN, programs activated" to the Customer
    And the observed sequence matches the use case
    And for every in-scope meter, the Premises Gateway has it in the HAN with the install code registered for it
    And for every in-scope meter, the Utility HAN device runs the program noted for it
    And for every in-scope meter, the CCS holds its registration with device ID, name and location

  @scenario:unrecognized-equipment
  Scenario: The provisioning tool does not recognize the customer equipment until a bridge is installed
    Given set-up: account "ACC-3001" at "7 Birch Lane" has meter "MTR-0001" whose HAN interface speaks "ZigBee SE 1.2"
    And set-up: 2 Customer HAN devices of model "ZW-40" speaking "Z-Wave" are installed and commissioned with their install codes
    When step 4 is triggered: Customer calls the utility: ready to have Customer HAN devices connected to the Utility HAN
    Then step 1: the Customer acts internally: "Customer procures HAN devices that are compatible with Utility HAN and AMI system – capable of interacting with pricing, load, capacity and event messages related to AMI."
    And step 2: the Customer acts internally: "Customer installs HAN devices per manufacturer’s instructions and, where applicable, uses a Customer Interface to commission the Customer HAN devices. If appropriate, Customer allocates security properties (e.g. keys, passphrases, etc…) to their Customer HAN."
    And step 3: the Customer acts internally: "Customer makes decision to participate in utility AMI-related programs."
    And step 4: the Customer sends the "Call: ready to connect Customer HAN devices to the Utility HAN for program purposes" to the Customer Representative
    And step 5: the Customer Representative sends the "Customer information query (address, verification information)" to the CCS
    And step 6: the Customer Representative sends the "Provisioning session activation" to the Utility HAN Provisioning Tool
    And step 6.1: the Utility HAN Provisioning Tool acts internally: "Does not recognize the new customer equipment"
    And step 6.2: the Customer Representative sends the "Notice: new meter at the customer's cost, or a customer-installed bridge" to the Customer
    And step 6.3: the Customer acts internally: "Has utility install appropriate meter or customer installs bridge."
    And step 7: the Utility HAN Provisioning Tool sends the "Pairing window open (HAN self-discovery)" to the Premises Gateway
    And step 8: the Customer Representative sends the "Inquiry: which discovered devices shall participate" to the Customer
    And step 9: the Customer sends the "Devices the customer enumerates" to the Customer Representative
    And step 10: the Customer Representative sends the "Enumerated devices noted on the tool" to the Utility HAN Provisioning Tool
    And step 11: the Customer Representative sends the "Program(s) noted on the tool" to the Utility HAN Provisioning Tool
    And step 12: the Utility HAN Provisioning Tool sends the "Program provisioning and initiation" to the Utility HAN
    And step 13: the Utility HAN sends the "Activation and readiness state" to the Utility HAN Provisioning Tool
    And step 14: the Utility HAN Provisioning Tool sends the "Provisioning information: Utility HAN device IDs, names, locations" to the CCS
    And step 15: the Customer Representative sends the "Confirmation: devices initialized into the Utility HAN, programs activated" to the Customer
    And the observed sequence matches the use case
    And for every in-scope meter, the Premises Gateway has it in the HAN with the install code registered for it
    And for every in-scope meter, the Utility HAN device runs the program noted for it
    And for every in-scope meter, the CCS holds its registration with device ID, name and location

  @scenario:unrecognized-new-meter
  Scenario: The provisioning tool does not recognize the customer equipment until the utility installs an appropriate meter
    Given set-up: account "ACC-3001" at "7 Birch Lane" has meter "MTR-0001" whose HAN interface speaks "ZigBee SE 1.2"
    And set-up: 2 Customer HAN devices of model "ZW-40" speaking "Z-Wave" are installed and commissioned with their install codes
    And set-up: the customer would rather have the utility install a new meter than a bridge
    When step 4 is triggered: Customer calls the utility: ready to have Customer HAN devices connected to the Utility HAN
    Then step 1: the Customer acts internally: "Customer procures HAN devices that are compatible with Utility HAN and AMI system – capable of interacting with pricing, load, capacity and event messages related to AMI."
    And step 2: the Customer acts internally: "Customer installs HAN devices per manufacturer’s instructions and, where applicable, uses a Customer Interface to commission the Customer HAN devices. If appropriate, Customer allocates security properties (e.g. keys, passphrases, etc…) to their Customer HAN."
    And step 3: the Customer acts internally: "Customer makes decision to participate in utility AMI-related programs."
    And step 4: the Customer sends the "Call: ready to connect Customer HAN devices to the Utility HAN for program purposes" to the Customer Representative
    And step 5: the Customer Representative sends the "Customer information query (address, verification information)" to the CCS
    And step 6: the Customer Representative sends the "Provisioning session activation" to the Utility HAN Provisioning Tool
    And step 6.1: the Utility HAN Provisioning Tool acts internally: "Does not recognize the new customer equipment"
    And step 6.2: the Customer Representative sends the "Notice: new meter at the customer's cost, or a customer-installed bridge" to the Customer
    And step 6.3: the Customer acts internally: "Has utility install appropriate meter or customer installs bridge."
    And step 7: the Utility HAN Provisioning Tool sends the "Pairing window open (HAN self-discovery)" to the Premises Gateway
    And step 8: the Customer Representative sends the "Inquiry: which discovered devices shall participate" to the Customer
    And step 9: the Customer sends the "Devices the customer enumerates" to the Customer Representative
    And step 10: the Customer Representative sends the "Enumerated devices noted on the tool" to the Utility HAN Provisioning Tool
    And step 11: the Customer Representative sends the "Program(s) noted on the tool" to the Utility HAN Provisioning Tool
    And step 12: the Utility HAN Provisioning Tool sends the "Program provisioning and initiation" to the Utility HAN
    And step 13: the Utility HAN sends the "Activation and readiness state" to the Utility HAN Provisioning Tool
    And step 14: the Utility HAN Provisioning Tool sends the "Provisioning information: Utility HAN device IDs, names, locations" to the CCS
    And step 15: the Customer Representative sends the "Confirmation: devices initialized into the Utility HAN, programs activated" to the Customer
    And the observed sequence matches the use case
    And for every in-scope meter, the Premises Gateway has it in the HAN with the install code registered for it
    And for every in-scope meter, the Utility HAN device runs the program noted for it
    And for every in-scope meter, the CCS holds its registration with device ID, name and location

  @harness_added @scenario:bad-actor-refused
  Scenario: A Bad Actor's device without valid credentials is refused
    Given set-up: account "ACC-3001" at "7 Birch Lane" has meter "MTR-0001" whose HAN interface speaks "ZigBee SE 1.2"
    And set-up: a Bad Actor holds a device "HAN-INTRUDER" the utility never registered
    When step B1 is triggered: The Utility HAN Provisioning Tool opens the pairing window of the premises' HAN
    Then step B1: the Utility HAN Provisioning Tool sends the "Pairing window open (HAN self-discovery)" to the Premises Gateway
    And step B2: the Bad Actor sends the "Join request without valid credentials" to the Premises Gateway
    And step B3: the Premises Gateway sends the "Device credentials to authenticate" to the HAN Trust Center
    And step B4: the Premises Gateway sends the "Join result: PAN pairing failed" to the Utility HAN Provisioning Tool
    And step B5: the Premises Gateway acts internally: "The Premises Gateway keeps the Bad Actor's device out of the HAN"
    And the observed sequence matches the use case

  @harness_added @scenario:han-remote-upgrade
  Scenario Outline: Utility HAN equipment is upgraded remotely, its configuration reset or preserved as asked
    Given set-up: account "ACC-3001" at "7 Birch Lane" has meter "MTR-0001" whose HAN interface speaks "ZigBee SE 1.2"
    And set-up: 3 Utility HAN devices of model "PCT-100" running firmware "2.0" are in the Utility HAN
    And set-up: the Utility HAN vendor has firmware "2.1" for model "PCT-100"
    And set-up: the upgrade is to <configuration> the devices' configuration
    When step U1 is triggered: The Utility HAN vendor releases new firmware for the Utility HAN equipment
    Then step U1: the Utility HAN vendor sends the "Utility HAN firmware image" to the AMI Head-End
    And step U2: the AMI Head-End sends the "Firmware upgrade, with the option to reset or preserve the configuration" to the Utility HAN
    And step U3: the Utility HAN acts internally: "The Utility HAN device applies the new firmware, resetting or preserving its configuration as it was asked"
    And step U4: the Utility HAN sends the "Upgrade confirmation: firmware version, configuration preserved or reset" to the AMI Head-End
    And step U5: the AMI Head-End acts internally: "The AMI Head-End completes the campaign, hundreds to thousands of upgrades at once, at 10,000 devices per hour (I3NFR5)"
    And the observed sequence matches the use case
    And for every in-scope meter, the Utility HAN device runs firmware "2.1"
    And for every in-scope meter, the Utility HAN device's configuration is reset or preserved as the upgrade asked
    And for every in-scope meter, the Utility HAN device still operates in the HAN

    Examples:
      | configuration |
      | preserve      |
      | reset         |

  @harness_added @scenario:han-site-upgrade
  Scenario: A Utility HAN device is upgraded at the site with the Utility HAN Testing Tool
    Given set-up: account "ACC-3001" at "7 Birch Lane" has meter "MTR-0001" whose HAN interface speaks "ZigBee SE 1.2"
    And set-up: 1 Utility HAN device of model "PCT-100" running firmware "2.0" takes upgrades only at the site
    And set-up: the Utility HAN vendor has firmware "2.1" for model "PCT-100"
    And set-up: the upgrade is to preserve the devices' configuration
    When step S1 is triggered: A Utility HAN device that takes upgrades only at the site needs new firmware
    Then step S1: the Utility HAN Installer acts internally: "At the site, the Utility HAN Installer connects the Utility HAN Testing Tool to the Utility HAN device and starts its upgrade, choosing to reset or preserve its configuration"
    And step S2: the Utility HAN Testing Tool sends the "Firmware upgrade, with the option to reset or preserve the configuration" to the Utility HAN
    And step S3: the Utility HAN acts internally: "The Utility HAN device applies the new firmware, resetting or preserving its configuration as it was asked"
    And step S4: the Utility HAN sends the "Upgrade confirmation: firmware version, configuration preserved or reset" to the Utility HAN Testing Tool
    And the observed sequence matches the use case
    And for every in-scope meter, the Utility HAN device runs firmware "2.1"
    And for every in-scope meter, the Utility HAN device's configuration is reset or preserved as the upgrade asked
    And for every in-scope meter, the Utility HAN device still operates in the HAN
