"""Import JSON that Azure produces into the catalog (DESIGN.md section 4: `sigtui import`).

Accepted shapes: the Azure CLI's output (`az sig list`, `az sig image-definition
list/show`, `az sig image-version list/show`, with or without `--expand
ReplicationStatus`), ARM REST bodies (with `properties`), an ARM list (`value`), a REST
example file (`parameters` + `responses.200.body`), and an ARM template (`resources`, as
`sigtui export arm` writes it: names resolved from `[parameters('x')]` defaults).

Rules:
- One file is one transaction: any invalid resource refuses the whole file, and the
  error names every refused resource: its id and its rule (`Refusals`).
- The file streams in (a top-level list an item at a time) and is planned a chunk at a
  time (`write.py`): the rows its ids name are found a kind at a time; new resources are
  a `services.bulk` batch (the create rules, checked in memory, written a table at a
  time); only what differs is sent to `update_*`; an unchanged resource writes nothing,
  so importing a file twice changes nothing (not even the change marker). A resource
  written from its own text of az's list keeps the text's digest, and a re-import skips
  the texts the catalog holds as they are without decoding them (`digests.py`; the
  database clears a digest when anything else changes the resource).
- Subscriptions and resource groups named in the ids are created when missing, under
  the tenant `IMPORT_TENANT`; a subscription id that is not a UUID (a documentation
  placeholder such as `{subscription-id}`) is mapped to a stable UUID.
- A source (managed image, snapshot, disk) the catalog does not hold is kept as an
  external source with the disk sizes the file gives.
- Resources that are not gallery resources are skipped and counted; a body that is no
  resource at all (a sharing-profile POST's SharingUpdate, an operation status) is
  skipped with a note (`ImportResult.notes`, in the CLI's output).
- What Azure holds is taken as it is: `publishedDate` is kept, and an end of life
  already past imports (SIG-EOL is for what a user sets).
- A REST example's abbreviated ids take their path from its parameters; a list's items
  are named under the parent its parameters name.
"""
