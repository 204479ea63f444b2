@use_case:AEP-5.8
Feature: AEP 5.8 Remote Meter Firmware Upgrade
  The Smart Meter's firmware is upgraded remotely via the AMI Network. The Metering Department
  triggers and supervises the process via the AMI Head-End; it is self-managing and happens over
  several days. The confirmation comes back through the AMI Head-End via the Network and is stored
  in the MDM. Transcribed from American Electric Power use case # 5.8, rev. 3.3.

  Background:
    Given pre-condition: AMI Network communications are in place

  @scenario:normal @capability:firmware_upgrade @interface:HeadEnd-NIC @interface:HeadEnd-MDM @interface:NIC-MeterMetrologyBoard
  Scenario: Remote firmware upgrade of the in-scope meters (normal sequence)
    Given set-up: 3 meters of model "AX-200" running firmware 4.1 are in scope
    And set-up: the Meter Vendor has an image of firmware 4.2 for model "AX-200"
    When step 1.1 is triggered: Change in business condition requires that all or some of the Smart Meters receive a firmware update
    Then step 1.1: the Meter Vendor sends the "Smart Meter Firmware Update" to the Metering Department
    And step 1.2: the Metering Department sends the "Smart Meter Firmware Update" to the AMI Head-End
    And step 1.3: the AMI Head-End acts internally: "AMI Head-End executes Smart Meter Firmware Update process"
    And step 1.4: the AMI Head-End sends the "Smart Meter Firmware Update" to the AMI Network
    And step 1.5: the AMI Network sends the "Smart Meter Firmware Update" to the NIC
    And step 1.6: the NIC sends the "Smart Meter Firmware Update" to the Meter Metrology Board
    And step 1.7: the Meter Metrology Board acts internally: "Meter Metrology Board loads new Smart Meter Firmware Update and gets firmware updated"
    And step 1.8: the Meter Metrology Board sends the "Meter Firmware Update Confirmation" to the NIC
    And step 1.9: the NIC sends the "Meter Firmware Update Confirmation" to the AMI Network
    And step 1.10: the AMI Network sends the "Meter Firmware Update Confirmation" to the AMI Head-End
    And step 1.11: the AMI Head-End sends the "Meter Firmware Update Confirmation" to the MDM
    And the observed sequence matches the use case
    And for every in-scope meter, Standard Table 1 reads firmware 4.2
    And for every in-scope meter, the MDM holds one "3.11.17.52" event with firmwareVersion "4.2"

  @harness_added @scenario:image-refused @capability:firmware_upgrade @interface:NIC-MeterMetrologyBoard @interface:HeadEnd-MDM
  Scenario Outline: A firmware image the meter must not apply is refused and reported as a failure event
    Given set-up: 1 meter of model "AX-200" running firmware 4.1 is in scope
    And set-up: the Meter Vendor has an image of firmware <firmware> for model "<model>"
    And fault "<fault>" is injected
    When step 1.1 is triggered: Change in business condition requires that all or some of the Smart Meters receive a firmware update
    Then step 1.1: the Meter Vendor sends the "Smart Meter Firmware Update" to the Metering Department
    And step 1.2: the Metering Department sends the "Smart Meter Firmware Update" to the AMI Head-End
    And step 1.3: the AMI Head-End acts internally: "AMI Head-End executes Smart Meter Firmware Update process"
    And step 1.4: the AMI Head-End sends the "Smart Meter Firmware Update" to the AMI Network
    And step 1.5: the AMI Network sends the "Smart Meter Firmware Update" to the NIC
    And step 1.6: the NIC sends the "Smart Meter Firmware Update" to the Meter Metrology Board
    And step R1.7: the Meter Metrology Board acts internally: "Meter Metrology Board verifies the Smart Meter Firmware Update and refuses to load it"
    And step R1.8: the Meter Metrology Board sends the "Meter Firmware Update Refusal" to the NIC
    And step R1.9: the NIC sends the "Meter Firmware Update Refusal" to the AMI Network
    And step R1.10: the AMI Network sends the "Meter Firmware Update Refusal" to the AMI Head-End
    And step R1.11: the AMI Head-End sends the "Meter Firmware Update Failure Event" to the MDM
    And the observed sequence matches the use case
    And for every in-scope meter, Standard Table 1 reads firmware 4.1
    And for every in-scope meter, the MDM holds one "3.11.124.35" event with refusalReason "<reason>"

    Examples:
      | case                       | firmware | model  | fault                      | reason              |
      | image corrupted in transit | 4.2      | AX-200 | image-corrupted-in-transit | IMAGE_HASH_MISMATCH |
      | image for another model    | 4.2      | BX-900 | none                       | MODEL_MISMATCH      |
      | downgrade                  | 4.0      | AX-200 | none                       | DOWNGRADE           |

  @harness_added @scenario:never-confirms @capability:firmware_upgrade @interface:HeadEnd-NIC @interface:HeadEnd-MDM
  Scenario: A meter that never confirms is reported to the MDM when the campaign window closes
    Given set-up: 1 meter of model "AX-200" running firmware 4.1 is in scope
    And set-up: the Meter Vendor has an image of firmware 4.2 for model "AX-200"
    And fault "nic-offline" is injected
    When step 1.1 is triggered: Change in business condition requires that all or some of the Smart Meters receive a firmware update
    Then step 1.1: the Meter Vendor sends the "Smart Meter Firmware Update" to the Metering Department
    And step 1.2: the Metering Department sends the "Smart Meter Firmware Update" to the AMI Head-End
    And step 1.3: the AMI Head-End acts internally: "AMI Head-End executes Smart Meter Firmware Update process"
    And step 1.4: the AMI Head-End sends the "Smart Meter Firmware Update" to the AMI Network
    And step T1.11: the AMI Head-End sends the "Meter Firmware Update Missing Confirmation Event" to the MDM
    And the observed sequence matches the use case
    And for every in-scope meter, Standard Table 1 reads firmware 4.1
    And for every in-scope meter, the MDM holds one "3.1.0.85" event with failure "NO_CONFIRMATION"
