"""ANSI C12.19 Standard Table 1 (GEN_MFG_ID_TBL): the meter's identity and firmware version.

The harness reads firmware versions from this table, never from what an actor claims it did.
Layout (32 octets): MANUFACTURER char(4), ED_MODEL char(8), HW_VERSION_NUMBER, HW_REVISION_NUMBER,
FW_VERSION_NUMBER (octet 14), FW_REVISION_NUMBER (octet 15), MFG_SERIAL_NUMBER char(16).
"""

from __future__ import annotations

from dataclasses import dataclass

ST1_LENGTH = 32


class TableError(ValueError):
    """Table bytes that cannot be Standard Table 1."""


@dataclass(frozen=True)
class StandardTable1:
    manufacturer: str
    model: str
    hw_version: int
    hw_revision: int
    fw_version: int
    fw_revision: int
    serial: str

    @property
    def firmware(self) -> str:
        return f"{self.fw_version}.{self.fw_revision}"

    def encode(self) -> bytes:
        for name, value in (
            ("hw_version", self.hw_version),
            ("hw_revision", self.hw_revision),
            ("fw_version", self.fw_version),
            ("fw_revision", self.fw_revision),
        ):
            if not 0 <= value <= 255:
                raise TableError(f"{name} {value} does not fit one octet")
        return (
            _chars(self.manufacturer, 4)
            + _chars(self.model, 8)
            + bytes([self.hw_version, self.hw_revision, self.fw_version, self.fw_revision])
            + _chars(self.serial, 16)
        )

    @classmethod
    def decode(cls, data: bytes) -> StandardTable1:
        if len(data) != ST1_LENGTH:
            raise TableError(f"Standard Table 1 is {ST1_LENGTH} octets, got {len(data)}")
        return cls(
            manufacturer=data[0:4].decode("ascii", "replace").rstrip(" \x00"),
            model=data[4:12].decode("ascii", "replace").rstrip(" \x00"),
            hw_version=data[12],
            hw_revision=data[13],
            fw_version=data[14],
            fw_revision=data[15],
            serial=data[16:32].decode("ascii", "replace").rstrip(" \x00"),
        )


def _chars(value: str, width: int) -> bytes:
    raw = value.encode("ascii")
    if len(raw) > width:
        raise TableError(f"{value!r} is longer than {width} characters")
    return raw.ljust(width, b" ")
