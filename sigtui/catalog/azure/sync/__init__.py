"""Reading the real estate from Azure Resource Manager into the catalog (`sigtui sync`,
DESIGN.md section 4; issue #23).

- `arm.py` reads ARM with the official SDKs (the optional extra `sigtui[azure]`, imported
  only here, when a sync runs): the subscriptions the credential sees, then per
  subscription one list call per collection (galleries, each gallery's definitions, each
  definition's versions) and one GET per version with `$expand=ReplicationStatus` (the
  list has no expand), on a bounded pool of threads. Retries (429 with Retry-After,
  transient 5xx) are the SDK's retry policy.
- `write.py` writes one subscription in one transaction through the importer's planner
  and writer (the same rules as `sigtui import`): all of it, or nothing. What it wrote is
  marked observed (`origin` 'azure', `synced_at`); an observed region's replication state
  is Azure's, never moved by the simulator; what Azure no longer has is removed, only
  within the scope synced (the subscription, or its `--resource-group`), and only what a
  sync brought (a resource made in sigtui stays).
- `faults.py` turns what the SDK raises into one SIG-AZURE line naming the subscription
  or resource, with anything that looks like a token masked.
- `run.py` runs a sync: each subscription read then written on its own, so a refused
  subscription (403, gone mid-sync) leaves the others syncing.
"""

from sigtui.catalog.azure.sync.run import (
    CREDENTIAL_KINDS,
    SubscriptionOutcome,
    SyncOptions,
    SyncReport,
    azure_sdk_missing,
    run_sync,
)

__all__ = [
    "CREDENTIAL_KINDS",
    "SubscriptionOutcome",
    "SyncOptions",
    "SyncReport",
    "azure_sdk_missing",
    "run_sync",
]
