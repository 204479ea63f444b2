"""Field Tool, MDMS, AMI System and the people: the rules each applies from its own state."""

from __future__ import annotations

from i2_support import i2_world, labels, run_out

from amicert.packages import driver_for

DRIVER = driver_for("I2")


def trouble(*setups: str, failure: str = "metrology"):  # type: ignore[no-untyped-def]
    world = i2_world("meter-trouble", "the Installer carries a replacement meter", *setups)
    DRIVER.inject(world, failure)
    DRIVER.trigger(world, "3.1#1")
    run_out(world)
    return world


def test_the_field_tool_alerts_a_meter_that_does_not_match_the_order() -> None:
    world = trouble('the Meter Management System records serial "SN-OLD" for the meter')
    [alert] = [x for x in world.trace.exchanges if x.label == "MismatchAlert"]
    assert alert.receiver_id == "MTR-0001"
    assert (
        world.actor("Field Tool").download_seconds(next(iter(world.actor("Field Tool").jobs))) == 4
    )


def test_a_matching_meter_raises_no_alert() -> None:
    world = trouble()
    assert "MismatchAlert" not in {label for _, _, label in labels(world)}


def test_with_communications_down_the_new_meter_syncs_through_the_field_tool() -> None:
    world = trouble("communications are down at the premise", failure="checksum")
    seen = {label for _, _, label in labels(world)}
    assert "LocalSync" in seen and "RegistrationNotice" not in seen
    job = next(iter(world.actor("Field Tool").jobs.values()))
    assert job.local_sync is not None and job.closed


def test_third_parties_are_told_only_for_accounts_they_read() -> None:
    without = trouble()
    assert without.actor("3rd Parties").notices == []
    with_tp = trouble("the account is read by a third-party energy supplier")
    [notice] = with_tp.actor("3rd Parties").notices
    assert notice.meter == "MTR-0001"


def test_the_ami_system_log_answers_by_account_meter_and_type_and_finds_chronic_meters() -> None:
    world = trouble("the AMI System has logged 2 earlier failures of the meter", failure="memory")
    ami = world.actor("AMI System")
    assert {e.code for e in ami.by_account("ACC-1001")} >= {"3.18.85.85"}
    assert len(ami.by_meter("MTR-0001")) == 3
    assert len(ami.by_type("AMIC", "AX-200", "RF-900")) == 3
    assert ami.by_type("OTHER") == []
    assert ami.chronic() == {"MTR-0001": 3}


def test_the_meter_shop_rule() -> None:
    world = trouble()
    shop = world.actor("Meter Shop Meter Technician")
    assert shop.rule({"wan-communication"}, 1) == "repair"
    assert shop.rule({"metrology"}, 1) == "return to manufacturer"
    assert shop.rule({"metrology"}, 9) == "salvage"
    assert shop.results == {"MTR-0001": "return to manufacturer"}


def test_an_answers_file_overrides_the_automated_decision() -> None:
    world = i2_world("meter-trouble", "the Installer carries a replacement meter")
    world.settings["operator_answers"] = {
        "Meter Shop Meter Technician": {"repair, return to manufacturer or salvage": "salvage"}
    }
    DRIVER.inject(world, "metrology")
    DRIVER.trigger(world, "3.1#1")
    run_out(world)
    shop = world.actor("Meter Shop Meter Technician")
    assert shop.results == {"MTR-0001": "salvage"}
    assert shop.decisions[-1].source == "answers file"
