"""Azure's numeric limits for galleries (the source document's "Limites"): one place."""

from __future__ import annotations

from dataclasses import dataclass

MAX_GALLERIES_PER_SUBSCRIPTION_REGION = 100  # SIG-LIMIT-GALLERIES
MAX_DEFINITIONS_PER_SUBSCRIPTION_REGION = 1_000  # SIG-LIMIT-DEFINITIONS
MAX_VERSIONS_PER_SUBSCRIPTION_REGION = 10_000  # SIG-LIMIT-VERSIONS
MAX_DISK_SIZE_GB = 1_024  # SIG-DISK-SIZE: every disk of an image is at most 1 TB
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
