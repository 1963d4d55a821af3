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


class Architecture(StrEnum):
    X64 = "x64"
    ARM64 = "Arm64"


class SecurityType(StrEnum):
    """The values of a definition's `SecurityType` feature Azure accepts (az's `Standard`
    means no SecurityType and is not sent)."""

    TRUSTED_LAUNCH = "TrustedLaunch"
    TRUSTED_LAUNCH_SUPPORTED = "TrustedLaunchSupported"
    CONFIDENTIAL_VM = "ConfidentialVM"
    CONFIDENTIAL_VM_SUPPORTED = "ConfidentialVMSupported"
    TRUSTED_LAUNCH_AND_CONFIDENTIAL_VM_SUPPORTED = "TrustedLaunchAndConfidentialVMSupported"


class DiskControllerType(StrEnum):
    SCSI = "SCSI"
    NVME = "NVMe"


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
