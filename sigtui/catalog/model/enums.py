"""The vocabulary of the catalog's enumerated fields, as Azure spells it. No tables
here: the UI and the CLI use these without the ORM."""

from __future__ import annotations

from enum import StrEnum


class OsType(StrEnum):
    WINDOWS = "Windows"
    LINUX = "Linux"


class OsState(StrEnum):
    GENERALIZED = "Generalized"
    SPECIALIZED = "Specialized"


class HyperVGeneration(StrEnum):
    V1 = "V1"
    V2 = "V2"


class StorageAccountType(StrEnum):
    STANDARD_LRS = "Standard_LRS"
    STANDARD_ZRS = "Standard_ZRS"
    PREMIUM_LRS = "Premium_LRS"


class DiskType(StrEnum):
    """Disk types a definition may disallow."""

    STANDARD_LRS = "Standard_LRS"
    STANDARD_SSD_LRS = "StandardSSD_LRS"
    PREMIUM_LRS = "Premium_LRS"
    STANDARD_SSD_ZRS = "StandardSSD_ZRS"
    PREMIUM_ZRS = "Premium_ZRS"


class ReplicationState(StrEnum):
    UNKNOWN = "Unknown"
    REPLICATING = "Replicating"
    COMPLETED = "Completed"
    FAILED = "Failed"


class AggregatedState(StrEnum):
    UNKNOWN = "Unknown"
    IN_PROGRESS = "InProgress"
    COMPLETED = "Completed"
    FAILED = "Failed"


class PrincipalType(StrEnum):
    USER = "User"
    GROUP = "Group"
    SERVICE_PRINCIPAL = "ServicePrincipal"
