"""Reference implementation of every actor of the use cases: honest state machines and stores.

``REFERENCE_ACTORS`` maps each role name (as the use cases spell it) to its class.
"""

from __future__ import annotations

from amicert.actors.base import Actor
from reference_impl.ami_meter import AmiMeter
from reference_impl.ami_network import AmiNetwork
from reference_impl.ami_system import AmiSystem
from reference_impl.construction_maintenance_analyst import ConstructionMaintenanceAnalyst
from reference_impl.css import Css
from reference_impl.customer import Customer
from reference_impl.customer_representative import CustomerRepresentative
from reference_impl.data_retriever import DataRetriever
from reference_impl.dcc import Dcc
from reference_impl.field_dispatch import FieldDispatch
from reference_impl.field_tool import FieldTool
from reference_impl.head_end import HeadEnd
from reference_impl.installer import Installer
from reference_impl.mdm import Mdm
from reference_impl.mdms import MeterDataManagementSystem
from reference_impl.mdms_technician import MdmsTechnician
from reference_impl.meter_management_system import MeterManagementSystem
from reference_impl.meter_shop_technician import MeterShopTechnician
from reference_impl.meter_vendor import MeterVendor
from reference_impl.metering_department import MeteringDepartment
from reference_impl.metrology_board import MetrologyBoard
from reference_impl.nic import Nic
from reference_impl.revenue_protection_rep import RevenueProtectionRep
from reference_impl.tdbu import TdbuPlanning
from reference_impl.third_parties import ThirdParties

REFERENCE_ACTORS: dict[str, type[Actor]] = {
    cls.role: cls
    for cls in (
        # AEP 5.8
        MeterVendor,
        MeteringDepartment,
        HeadEnd,
        AmiNetwork,
        Nic,
        MetrologyBoard,
        Mdm,
        # I2
        AmiMeter,
        AmiSystem,
        Dcc,
        MeterManagementSystem,
        FieldDispatch,
        FieldTool,
        MeterDataManagementSystem,
        Css,
        ThirdParties,
        TdbuPlanning,
        Installer,
        RevenueProtectionRep,
        Customer,
        CustomerRepresentative,
        MdmsTechnician,
        DataRetriever,
        ConstructionMaintenanceAnalyst,
        MeterShopTechnician,
    )
}

__all__ = ["REFERENCE_ACTORS"]
