"""Standard Table 1: the 32-octet identity table firmware versions are read from."""

from __future__ import annotations

import pytest

from amicert.c1219 import StandardTable1, TableError


def test_round_trip_and_firmware_octets_at_14_and_15() -> None:
    t = StandardTable1("AMIC", "AX-200", 1, 0, 4, 2, "SN00000001")
    raw = t.encode()
    assert len(raw) == 32
    assert raw[14] == 4 and raw[15] == 2
    assert StandardTable1.decode(raw) == t
    assert t.firmware == "4.2"


def test_a_short_table_is_refused() -> None:
    with pytest.raises(TableError, match="32 octets"):
        StandardTable1.decode(b"\x00" * 31)


def test_a_version_that_does_not_fit_an_octet_is_refused() -> None:
    with pytest.raises(TableError, match="fw_version 256"):
        StandardTable1("AMIC", "AX-200", 1, 0, 256, 0, "S").encode()


def test_a_model_longer_than_8_characters_is_refused() -> None:
    with pytest.raises(TableError, match="longer than 8"):
        StandardTable1("AMIC", "AX-2000000", 1, 0, 1, 0, "S").encode()
