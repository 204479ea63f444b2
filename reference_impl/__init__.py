"""Reference implementation of every actor of the use cases: honest state machines and stores.

``REFERENCE_ACTORS`` maps each role name (as the use cases spell it) to its class.
"""

from __future__ import annotations

from amicert.actors.base import Actor
from reference_impl.ami_network import AmiNetwork
from reference_impl.head_end import HeadEnd
from reference_impl.mdm import Mdm
from reference_impl.meter_vendor import MeterVendor
from reference_impl.metering_department import MeteringDepartment
from reference_impl.metrology_board import MetrologyBoard
from reference_impl.nic import Nic

REFERENCE_ACTORS: dict[str, type[Actor]] = {
    cls.role: cls
    for cls in (MeterVendor, MeteringDepartment, HeadEnd, AmiNetwork, Nic, MetrologyBoard, Mdm)
}

__all__ = ["REFERENCE_ACTORS"]
