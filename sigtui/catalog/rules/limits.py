"""Azure's numeric limits for galleries (the source document's "Limites", with today's
figures where Azure has changed them): one place."""

from __future__ import annotations

from dataclasses import dataclass

MAX_GALLERIES_PER_SUBSCRIPTION_REGION = 100  # SIG-LIMIT-GALLERIES
MAX_DEFINITIONS_PER_SUBSCRIPTION_REGION = 1_000  # SIG-LIMIT-DEFINITIONS
MAX_VERSIONS_PER_SUBSCRIPTION_REGION = 10_000  # SIG-LIMIT-VERSIONS
MAX_DISK_SIZE_GB = 2_048  # SIG-DISK-SIZE: every disk of an image version, 2 TB today (seed: 1 TB)
# A managed image or snapshot may hold a bigger disk (only a version made from it is refused):
# Azure's largest managed disk (Ultra Disk, Premium SSD v2) is 64 TiB.
MAX_MANAGED_DISK_SIZE_GB = 65_536
MAX_REPLICAS_PER_REGION = 100  # SIG-REPLICAS


@dataclass(frozen=True)
class Limit:
    kind: str  # galleries | imageDefinitions | imageVersions (the CLI's JSON keys)
    maximum: int
    code: str
    noun: str


GALLERIES = Limit(
    "galleries", MAX_GALLERIES_PER_SUBSCRIPTION_REGION, "SIG-LIMIT-GALLERIES", "galleries"
)
DEFINITIONS = Limit(
    "imageDefinitions",
    MAX_DEFINITIONS_PER_SUBSCRIPTION_REGION,
    "SIG-LIMIT-DEFINITIONS",
    "image definitions",
)
VERSIONS = Limit(
    "imageVersions", MAX_VERSIONS_PER_SUBSCRIPTION_REGION, "SIG-LIMIT-VERSIONS", "image versions"
)
ALL_LIMITS = (GALLERIES, DEFINITIONS, VERSIONS)
