"""What image versions cost (SIG-BILLING), from a price sheet.

The gallery service is free. Each replica of each version in each target region is
billed as storage: by default (the source document's basis, `managedDisk`) a managed
disk at the smallest tier that holds the version's size (OS disk + data disks); or
(Azure's basis today, `snapshot`) a snapshot per GB-month of that size. Standard_LRS,
Standard_ZRS and Premium_LRS are priced apart. Replicating costs egress once: the
version's size times the rate from its source region to each other target region (the
first replica); further replicas in a region cost no egress.

The price sheet is a JSON data file (`data/prices.json`, or the user's own via
`load_sheet`): every figure carries its currency, date, source and certainty.

Rollups are SQL aggregates: target regions grouped by (owner, version size, storage
type, region, source region) with SUM(replicas) and COUNT(regions); only those groups
are priced in Python. Money is `Decimal`, in the sheet's currency. The costliest things of
a level (`costliest`, for the cost screen) are ranked in SQL with float prices, then
costed exactly.
"""
