"""Import JSON that Azure produces into the catalog (DESIGN.md section 4: `sigtui import`).

Accepted shapes: the Azure CLI's output (`az sig list`, `az sig image-definition
list/show`, `az sig image-version list/show`, with or without `--expand
ReplicationStatus`), ARM REST bodies (with `properties`), an ARM list (`value`), a REST
example file (`parameters` + `responses.200.body`), and an ARM template (`resources`, as
`sigtui export arm` writes it: names resolved from `[parameters('x')]` defaults).

Rules:
- One file is one transaction: any invalid resource refuses the whole file, and the
  error names the resource id and the rule.
- Every resource goes through the services (the same rules as a form); on re-import,
  only what differs is sent to `update_*`, so importing a file twice changes nothing.
- Subscriptions and resource groups named in the ids are created when missing, under
  the tenant `IMPORT_TENANT`; a subscription id that is not a UUID (a documentation
  placeholder such as `{subscription-id}`) is mapped to a stable UUID.
- A source (managed image, snapshot, disk) the catalog does not hold is kept as an
  external source with the disk sizes the file gives.
- Resources that are not gallery resources are skipped and counted.
"""
