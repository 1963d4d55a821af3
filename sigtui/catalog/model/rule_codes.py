"""What each rule code means, in one line (the codes are `errors.RULE_CODES`).

Shipped with the package so that an installed copy can say what a code means:
`sigtui rules` and the app's help screen show these lines.
"""

from __future__ import annotations

from sigtui.catalog.model.errors import RULE_CODES

MEANINGS = {
    "SIG-NAME": (
        "Names as Azure allows them (galleries: letters, digits, . and _; definitions also -;"
        " versions Major.Minor.Patch), unique among siblings whatever the case."
    ),
    "SIG-IDENT": "Within a gallery, no two image definitions share publisher, offer and SKU.",
    "SIG-OSSTATE": (
        "OS state is Generalized or Specialized; a specialized image keeps the source VM's"
        " computer name and accounts."
    ),
    "SIG-SOURCE-REGION": (
        "A version has one source region, its location; it is always among its target"
        " regions, and its source lies there too."
    ),
    "SIG-REPLICAS": "Each target region appears once, with 1 to 100 replicas.",
    "SIG-ZRS": (
        "Standard_ZRS only in regions with availability zones; a target region's storage"
        " type cannot change."
    ),
    "SIG-CLOUD": "Target regions are in the cloud of the version's subscription.",
    "SIG-CROSS-SUB": (
        "Versions replicate inside one subscription; other subscriptions use them through"
        " sharing; galleries do not move."
    ),
    "SIG-REGION-ALLOWLIST": (
        "Australia Central and Australia Central 2 only for subscriptions allowlisted for them."
    ),
    "SIG-SOURCE-REGIONS": "Every public region of a cloud can hold galleries and be a target.",
    "SIG-LIMIT-GALLERIES": "At most 100 galleries per subscription per region.",
    "SIG-LIMIT-DEFINITIONS": "At most 1,000 image definitions per subscription per region.",
    "SIG-LIMIT-VERSIONS": "At most 10,000 image versions per subscription per region.",
    "SIG-DISK-SIZE": (
        "Each disk of a version is at most 2 TB (2,048 GiB); data disks have unique LUNs;"
        " the source cannot change."
    ),
    "SIG-LATEST": (
        "A definition's latest version: the highest one not excluded from latest"
        " (and, as a hint, not past its end of life)."
    ),
    "SIG-DELETE": "A gallery with definitions, or a definition with versions, cannot be deleted.",
    "SIG-EOL": (
        "End-of-life dates are date-times; one set or changed must lie in the future;"
        " a past one marks the resource expired."
    ),
    "SIG-RECOMMENDED": "Recommended vCPUs and memory: positive integers, min <= max.",
    "SIG-ACCESS": (
        "Sharing is role-based (gallery: all below it; definition: it and its versions);"
        " writes need a role that allows them."
    ),
    "SIG-REPLICATION": (
        "Each target region replicates on its own; a version is deployable in a region once"
        " that region is Completed."
    ),
    "SIG-SCALE": "Replica advice: one replica per 50 VMs, one per scale set deployed at once.",
    "SIG-BILLING": (
        "The gallery is free; each replica is billed as storage; egress once per target region"
        " other than the source."
    ),
    "SIG-API": "Import reads API versions 2018-06-01 to 2025-03-03; export writes 2024-03-03.",
    "SIG-MIGRATE": (
        "A version can come from a managed image, a VM, snapshots, a VHD blob or another"
        " gallery's version."
    ),
    "SIG-CONFLICT": "A write based on a stale etag is refused and changes nothing.",
    "SIG-NOT-FOUND": "A referenced resource (subscription, group, gallery, ...) does not exist.",
    "SIG-INPUT": "Malformed input that no other rule names (a non-date, an unknown value, ...).",
    "SIG-UPDATE": "A field that cannot change after creation was given a new value.",
    "SIG-DB": "The database is not a sigtui catalog, or cannot be opened or written.",
    "SIG-AZURE": (
        "`sigtui sync` could not read Azure: authentication, access (403), throttling,"
        " a transient fault after the SDK's retries, or a subscription gone."
    ),
}


def rule_lines() -> list[tuple[str, str]]:
    """Every rule code with its meaning, in the order of `RULE_CODES`."""
    return [(code, MEANINGS.get(code, "")) for code in RULE_CODES]
