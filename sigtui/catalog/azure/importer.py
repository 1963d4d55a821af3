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

from __future__ import annotations

import json
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlmodel import Session, SQLModel, select

from sigtui.catalog import services
from sigtui.catalog.model import ids
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import (
    Gallery,
    ImageDefinition,
    ImageVersion,
    ManagedImage,
    Resource,
    ResourceGroup,
    Snapshot,
    Subscription,
    TargetRegion,
    Tenant,
)
from sigtui.catalog.model.schemas import (
    DefinitionCreate,
    DefinitionUpdate,
    GalleryCreate,
    GalleryUpdate,
    GroupCreate,
    SubscriptionCreate,
    TargetRegionSpec,
    TenantCreate,
    VersionCreate,
    VersionUpdate,
    build,
)
from sigtui.catalog.queries import lookup
from sigtui.catalog.replication import schedule
from sigtui.catalog.rules import checks
from sigtui.catalog.rules.regions import find_region, get_region
from sigtui.catalog.services.versions import (
    ResolvedSource,
    SourceDisk,
    targets_of,
)
from sigtui.catalog.store.clock import Clock
from sigtui.catalog.store.db import Catalog

Json = dict[str, Any]
Progress = Callable[[int], object]  # told how many items are done; its result is unused

MAX_FILE_BYTES = 50 * 1024 * 1024  # 50 MB: larger files are refused (SIG-INPUT)
IMPORT_TENANT = "Imported"  # the tenant of subscriptions that an import creates

KIND_OF_TYPE = {
    "microsoft.compute/galleries": "gallery",
    "microsoft.compute/galleries/images": "definition",
    "microsoft.compute/galleries/images/versions": "version",
}
KIND_ORDER = {"gallery": 0, "definition": 1, "version": 2}


@dataclass
class ImportResult:
    """What one file did: counts by outcome, and the types it skipped."""

    file: str = ""
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: Counter[str] = field(default_factory=Counter)

    def as_json(self) -> Json:
        return {
            "file": self.file,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": sum(self.skipped.values()),
            "skippedTypes": dict(sorted(self.skipped.items())),
        }

    def summary(self) -> str:
        skipped = sum(self.skipped.values())
        return (
            f"{self.file}: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {skipped} skipped"
        )


@dataclass(frozen=True)
class Deployment:
    """Where the resources of a template without ids go, as `az deployment group create`
    deploys them: a resource group (its location for `[resourceGroup().location]`) and
    parameter values."""

    group_id: str | None = None
    parameters: Json = field(default_factory=dict)
    group_location: str | None = None


@dataclass(frozen=True)
class Item:
    """One gallery resource of a file, flattened as az prints it, with its canonical id."""

    kind: str
    rid: ids.ResourceId
    body: Json

    @property
    def id(self) -> str:
        return str(self.rid)


# --- reading ---------------------------------------------------------------------------------


def read_file(path: Path) -> Any:
    """The JSON document in `path`, or SIG-INPUT (missing, too large, not JSON)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise CatalogError("SIG-INPUT", f"cannot read {path}: {exc.strerror}") from None
    if size > MAX_FILE_BYTES:
        raise CatalogError(
            "SIG-INPUT",
            f"{path} is {size:,} bytes; import takes files of at most {MAX_FILE_BYTES:,} bytes "
            "(split it)",
        )
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CatalogError("SIG-INPUT", f"{path} is not JSON: {exc}") from None


def raw_resources(document: Any, deployment: Deployment | None = None) -> Iterator[Json]:
    """Every resource object of a document, flattened (no `properties` wrapper)."""
    deployment = deployment or Deployment()
    if isinstance(document, list):
        for entry in document:
            yield from raw_resources(entry, deployment)
        return
    if not isinstance(document, dict):
        raise CatalogError("SIG-INPUT", "an import file holds JSON objects or lists of them")
    if "responses" in document:
        yield from _rest_example(document)
    elif "resources" in document and isinstance(document["resources"], list):
        yield from _template(document, deployment)
    elif "value" in document and isinstance(document["value"], list):
        yield from raw_resources(document["value"])
    else:
        yield _flatten(document)


def _flatten(body: Json) -> Json:
    properties = body.get("properties")
    flat = {k: v for k, v in body.items() if k != "properties"}
    if isinstance(properties, dict):
        flat = {**properties, **flat}
    return flat


def _rest_example(document: Json) -> Iterator[Json]:
    """A REST API example: the 200 response body, its id rebuilt from the parameters
    (the examples' ids are abbreviated)."""
    body = ((document.get("responses") or {}).get("200") or {}).get("body")
    if body is None:
        return
    parameters = document.get("parameters") or {}
    for resource in raw_resources(body):
        rebuilt = _id_from_parameters(parameters)
        yield {**resource, "id": rebuilt} if rebuilt else resource


def _id_from_parameters(parameters: Json) -> str | None:
    parts = [
        parameters.get(key)
        for key in (
            "subscriptionId",
            "resourceGroupName",
            "galleryName",
            "galleryImageName",
            "galleryImageVersionName",
        )
    ]
    present = [p for p in parts if p]
    if len(present) < 3 or present != parts[: len(present)]:
        return None
    builders: dict[int, Callable[..., str]] = {
        3: ids.gallery_id,
        4: ids.definition_id,
        5: ids.version_id,
    }
    return builders[len(present)](*present)


def _template(document: Json, deployment: Deployment) -> Iterator[Json]:
    """An ARM template, as `az deployment group create` would deploy it: parameters from
    `deployment.parameters`, else their defaults; each gallery resource's id from its
    `metadata.resourceId` (as `sigtui export arm` writes it), else from the deployment's
    resource group and the resource's name."""
    values: Json = {}
    for name, spec in (document.get("parameters") or {}).items():
        given = deployment.parameters.get(name, (spec or {}).get("defaultValue"))
        values[name] = _evaluate(given, values, deployment)
    for resource in document["resources"]:
        if str(resource.get("type") or "").casefold() not in KIND_OF_TYPE:
            yield _flatten(resource)
            continue
        evaluated = {
            key: value if key in _NOT_EVALUATED else _evaluate(value, values, deployment)
            for key, value in resource.items()
        }
        flat = _flatten(evaluated)
        metadata = resource.get("metadata") or {}
        flat["id"] = metadata.get("resourceId") or _deployed_id(flat, deployment)
        yield flat


_NOT_EVALUATED = {"dependsOn", "metadata", "comments", "apiVersion"}


def _deployed_id(resource: Json, deployment: Deployment) -> str:
    if deployment.group_id is None:
        raise CatalogError(
            "SIG-INPUT",
            f"template resource {_label(resource)!r} has no metadata.resourceId: give the "
            "resource group to deploy it to (--resource-group ID)",
        )
    names = str(resource.get("name") or "").split("/")
    kinds = ("galleries", "images", "versions")
    path = "/".join(f"{kind}/{name}" for kind, name in zip(kinds, names, strict=False))
    return f"{deployment.group_id}/providers/{ids.PROVIDER}/{path}"


def _evaluate(value: Any, values: Json, deployment: Deployment) -> Any:
    """Template expressions in a value: `[parameters('x')]`, `[concat(...)]`,
    `[resourceGroup().location]` and quoted literals."""
    if isinstance(value, dict):
        return {k: _evaluate(v, values, deployment) for k, v in value.items()}
    if isinstance(value, list):
        return [_evaluate(v, values, deployment) for v in value]
    if not isinstance(value, str) or not value.startswith("[") or value.startswith("[["):
        return value
    if not value.endswith("]"):
        return value
    return _expression(value[1:-1].strip(), values, deployment)


def _expression(text: str, values: Json, deployment: Deployment) -> Any:
    if text.startswith("'") and text.endswith("'"):
        return text[1:-1].replace("''", "'")
    match = _CALL.fullmatch(text)
    if match is None:
        raise _unsupported(text)
    function, arguments = match.group(1).casefold(), _arguments(match.group(2))
    if function == "parameters" and len(arguments) == 1:
        name = _expression(arguments[0], values, deployment)
        if values.get(name) is None:
            raise CatalogError(
                "SIG-INPUT",
                f"template parameter {name!r} has no value: give it (--parameters {name}=VALUE)",
            )
        return values[name]
    if function == "concat":
        return "".join(str(_expression(a, values, deployment)) for a in arguments)
    if text.replace(" ", "").casefold() == "resourcegroup().location":
        if deployment.group_location is None:
            raise CatalogError("SIG-INPUT", "[resourceGroup().location] needs --resource-group ID")
        return deployment.group_location
    raise _unsupported(text)


_CALL = re.compile(r"(\w+)\((.*)\)(?:\.location)?", re.DOTALL)


def _unsupported(text: str) -> CatalogError:
    return CatalogError("SIG-INPUT", f"template expression [{text}] is not supported by import")


def _arguments(text: str) -> list[str]:
    """Split a function's arguments at top-level commas (outside quotes and parentheses)."""
    arguments, depth, quoted, current = [], 0, False, ""
    for char in text:
        if char == "'":
            quoted = not quoted
        elif not quoted and char in "()":
            depth += 1 if char == "(" else -1
        elif not quoted and depth == 0 and char == ",":
            arguments.append(current.strip())
            current = ""
            continue
        current += char
    return [*arguments, current.strip()] if current.strip() else arguments


def _kind_of(resource: Json) -> str | None:
    kind_text = str(resource.get("type") or "").casefold()
    if kind_text:
        return KIND_OF_TYPE.get(kind_text)
    try:
        kind = ids.parse_id(str(resource.get("id") or "")).kind
    except CatalogError:
        return None
    return kind if kind in KIND_ORDER else None


def stable_subscription_id(text: str) -> str:
    """A subscription id as the catalog keeps it: a UUID; a placeholder maps to a stable one."""
    try:
        return checks.check_uuid(text, "subscription_id")
    except CatalogError:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"sigtui:import-subscription:{text}"))


def items_of(
    document: Any, result: ImportResult, deployment: Deployment | None = None
) -> list[Item]:
    """The gallery resources of a document, parents first; others counted as skipped."""
    found: list[Item] = []
    for resource in raw_resources(document, deployment):
        kind = _kind_of(resource)
        if kind is None:
            result.skipped[str(resource.get("type") or "unknown")] += 1
            continue
        found.append(Item(kind, _canonical_id(resource, kind), resource))
    return sorted(found, key=lambda item: KIND_ORDER[item.kind])


def _canonical_id(resource: Json, kind: str) -> ids.ResourceId:
    text = str(resource.get("id") or "")
    if not text:
        raise CatalogError("SIG-INPUT", f"a {kind} in the file has no id: {_label(resource)}")
    rid = ids.parse_id(text)
    if rid.kind != kind:
        raise CatalogError("SIG-INPUT", f"{text}: the id is not that of a {kind}")
    return ids.ResourceId(
        rid.kind,
        stable_subscription_id(rid.subscription),
        rid.resource_group,
        rid.gallery,
        rid.definition,
        rid.version,
    )


def _label(resource: Json) -> str:
    return str(resource.get("name") or resource.get("id") or "?")


# --- importing ---------------------------------------------------------------------------


_MALFORMED = (AttributeError, TypeError, ValueError, KeyError, IndexError)


def _shape_error(exc: Exception) -> CatalogError:
    """A document whose structure is not what Azure writes (a list where an object
    belongs, a text where a number does): SIG-INPUT, not a crash."""
    return CatalogError(
        "SIG-INPUT",
        f"the file is not shaped as Azure writes gallery resources ({type(exc).__name__}: {exc})",
    )


def import_document(
    db: Session,
    document: Any,
    clock: Clock,
    *,
    file: str = "",
    progress: Progress | None = None,
    deployment: Deployment | None = None,
) -> ImportResult:
    """Import every gallery resource of a document in the caller's transaction."""
    try:
        return _import_document(
            db, document, clock, file=file, progress=progress, deployment=deployment
        )
    except _MALFORMED as exc:
        raise _shape_error(exc) from None


def _import_document(
    db: Session,
    document: Any,
    clock: Clock,
    *,
    file: str = "",
    progress: Progress | None = None,
    deployment: Deployment | None = None,
) -> ImportResult:
    result = ImportResult(file=file)
    items = items_of(document, result, _located(db, deployment))
    for item in items:
        try:
            outcome = _import_item(db, item, clock)
        except CatalogError as exc:
            raise CatalogError(exc.code, f"{item.id}: {exc.message}", field=exc.field) from None
        setattr(result, outcome, getattr(result, outcome) + 1)
        if progress is not None:
            progress(1)
    return result


def import_into(
    catalog: Catalog,
    path: Path,
    document: Any,
    *,
    deployment: Deployment | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import one file's document in one transaction: all of it, or nothing."""
    try:
        with catalog.write() as db:
            return import_document(
                db,
                document,
                catalog.clock,
                file=str(path),
                progress=progress,
                deployment=deployment,
            )
    except CatalogError as exc:
        raise CatalogError(exc.code, f"{path}: nothing imported: {exc.message}") from None


def _located(db: Session, deployment: Deployment | None) -> Deployment | None:
    """The deployment with its resource group's location (the group must exist)."""
    if deployment is None or deployment.group_id is None:
        return deployment
    group = lookup.resolve_as(db, deployment.group_id, ResourceGroup)
    return replace(deployment, group_id=lookup.arm_id(db, group), group_location=group.location)


def count_items(document: Any, deployment: Deployment | None = None) -> int:
    located = replace(deployment, group_location="") if deployment else None
    try:
        return len(items_of(document, ImportResult(), located))
    except _MALFORMED as exc:
        raise _shape_error(exc) from None


def _import_item(db: Session, item: Item, clock: Clock) -> str:
    location = _location(item.body)
    _ensure_group(db, item.rid, location, clock)
    importers = {"gallery": _import_gallery, "definition": _import_definition}
    if item.kind == "version":
        return _import_version(db, item, location, clock)
    return importers[item.kind](db, item, location, clock)


def _location(body: Json) -> str:
    text = str(body.get("location") or "")
    return get_region(text, field="location").name


def _existing(db: Session, arm_id: str) -> Resource | None:
    try:
        return lookup.resolve(db, arm_id)
    except CatalogError as exc:
        if exc.code == "SIG-NOT-FOUND":
            return None
        raise


def _ensure_group(db: Session, rid: ids.ResourceId, location: str, clock: Clock) -> None:
    subscription = db.exec(
        select(Subscription).where(Subscription.subscription_id == rid.subscription)
    ).first()
    if subscription is None:
        subscription = services.create_subscription(
            db,
            SubscriptionCreate(
                name=rid.subscription,
                subscription_id=rid.subscription,
                tenant=_import_tenant(db, clock).tenant_id,
                cloud=get_region(location).cloud,
            ),
            clock,
        )
    group = db.exec(
        select(ResourceGroup).where(
            ResourceGroup.subscription_pk == subscription.pk,
            ResourceGroup.name_key == checks.name_key(rid.resource_group or ""),
        )
    ).first()
    if group is None:
        services.create_group(
            db,
            GroupCreate(
                subscription=rid.subscription, name=rid.resource_group or "", location=location
            ),
            clock,
        )


def _import_tenant(db: Session, clock: Clock) -> Tenant:
    tenant = db.exec(
        select(Tenant).where(Tenant.name_key == checks.name_key(IMPORT_TENANT))
    ).first()
    return tenant or services.create_tenant(db, TenantCreate(name=IMPORT_TENANT), clock)


def _differences(current: Json, wanted: Json) -> Json:
    """The wanted fields whose value differs from the current one (text ignores case
    only for names and regions, as refuse_changes does)."""
    changed: Json = {}
    for name, value in wanted.items():
        old = current.get(name)
        if isinstance(old, str) and isinstance(value, str) and name in ("name", "location"):
            if old.casefold() == value.casefold():
                continue
        elif old == value:
            continue
        changed[name] = value
    return changed


def _given(fields: dict[str, Any]) -> Json:
    """Only the fields the file states (a missing key leaves the catalog's value)."""
    return {name: value for name, value in fields.items() if value is not _MISSING}


_MISSING = object()


def _get(body: Json, *path: str) -> Any:
    value: Any = body
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return _MISSING
        value = value[key]
    return value


# --- galleries ----------------------------------------------------------------------------


def _import_gallery(db: Session, item: Item, location: str, clock: Clock) -> str:
    body = item.body
    wanted = _given(
        {
            "name": item.rid.gallery,
            "location": location,
            "description": _get(body, "description"),
            "tags": _get(body, "tags"),
        },
    )
    if wanted.get("tags") is None:
        wanted.pop("tags", None)
    row = _existing(db, item.id)
    if row is None:
        group_id = ids.group_id(item.rid.subscription, item.rid.resource_group or "")
        services.create_gallery(db, group_id, build(GalleryCreate, **wanted), clock)
        return "created"
    assert isinstance(row, Gallery)
    current = {"name": row.name, "location": row.location, "description": row.description}
    changed = _differences({**current, "tags": row.tags}, wanted)
    if not changed:
        return "unchanged"
    services.update_gallery(db, item.id, build(GalleryUpdate, **changed), clock)
    return "updated"


# --- definitions --------------------------------------------------------------------------


def _definition_fields(item: Item, location: str) -> Json:
    body = item.body
    fields = {
        "name": item.rid.definition,
        "location": location,
        "publisher": _get(body, "identifier", "publisher"),
        "offer": _get(body, "identifier", "offer"),
        "sku": _get(body, "identifier", "sku"),
        "os_type": _get(body, "osType"),
        "os_state": _get(body, "osState"),
        "hyper_v_generation": _get(body, "hyperVGeneration"),
        "description": _get(body, "description"),
        "eula": _get(body, "eula"),
        "privacy_statement_uri": _get(body, "privacyStatementUri"),
        "release_note_uri": _get(body, "releaseNoteUri"),
        "end_of_life_date": _date(_get(body, "endOfLifeDate")),
        "min_vcpus": _get(body, "recommended", "vCPUs", "min"),
        "max_vcpus": _get(body, "recommended", "vCPUs", "max"),
        "min_memory_gb": _get(body, "recommended", "memory", "min"),
        "max_memory_gb": _get(body, "recommended", "memory", "max"),
        "disallowed_disk_types": _get(body, "disallowed", "diskTypes"),
        "tags": _get(body, "tags"),
    }
    given = _given(fields)
    for optional_list in ("disallowed_disk_types", "tags", "hyper_v_generation"):
        if given.get(optional_list) is None:
            given.pop(optional_list, None)
    return given


def _date(value: Any) -> Any:
    if value is _MISSING or value is None:
        return value
    return checks.parse_date(str(value))


def _definition_row_fields(row: ImageDefinition) -> Json:
    names = [
        "name",
        "location",
        "publisher",
        "offer",
        "sku",
        "os_type",
        "os_state",
        "hyper_v_generation",
        "description",
        "eula",
        "privacy_statement_uri",
        "release_note_uri",
        "end_of_life_date",
        "min_vcpus",
        "max_vcpus",
        "min_memory_gb",
        "max_memory_gb",
        "disallowed_disk_types",
        "tags",
    ]
    return {name: getattr(row, name) for name in names}


def _import_definition(db: Session, item: Item, location: str, clock: Clock) -> str:
    wanted = _definition_fields(item, location)
    row = _existing(db, item.id)
    if row is None:
        gallery_id = ids.gallery_id(
            item.rid.subscription, item.rid.resource_group or "", item.rid.gallery or ""
        )
        data = build(DefinitionCreate, **wanted)
        services.create_definition(db, gallery_id, data, clock)
        return "created"
    assert isinstance(row, ImageDefinition)
    current = _definition_row_fields(row)
    changed = _differences(current, _typed(DefinitionUpdate, wanted))
    for identity in ("publisher", "offer", "sku", "os_type", "os_state", "hyper_v_generation"):
        if (
            identity in changed
            and str(changed[identity]).casefold() == str(current[identity]).casefold()
        ):
            changed.pop(identity)
    if not changed:
        return "unchanged"
    services.update_definition(db, item.id, build(DefinitionUpdate, **changed), clock)
    return "updated"


def _typed(schema: type[SQLModel], values: Json) -> Json:
    """Values as the schema types them (ints, dates), for comparing with a row."""
    return build(schema, **values).model_dump(exclude_unset=True)


# --- versions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ExternalDisk:
    lun: int
    size_gb: int
    source_id: str | None


@dataclass(frozen=True)
class ExternalSource:
    """A source the catalog does not hold, with the sizes the file gives."""

    source_id: str
    os_disk_size_gb: int
    data_disks: list[ExternalDisk]


def _version_fields(item: Item, location: str) -> Json:
    body = item.body
    profile = body.get("publishingProfile") or {}
    targets = profile.get("targetRegions")
    fields: Json = {
        "name": item.rid.version,
        "location": location,
        "target_regions": _target_specs(targets) if targets else _MISSING,
        "replica_count": _get(profile, "replicaCount"),
        "storage_account_type": _get(profile, "storageAccountType"),
        "exclude_from_latest": _get(profile, "excludeFromLatest"),
        "end_of_life_date": _date(_get(profile, "endOfLifeDate")),
        "tags": _get(body, "tags"),
    }
    given = _given(fields)
    for optional in ("replica_count", "storage_account_type", "exclude_from_latest", "tags"):
        if given.get(optional) is None:
            given.pop(optional, None)
    return given


def _target_specs(targets: list[Json]) -> list[TargetRegionSpec]:
    return [
        TargetRegionSpec(
            region=str(target.get("name") or ""),
            replica_count=target.get("regionalReplicaCount"),
            storage_account_type=target.get("storageAccountType"),
        )
        for target in targets
    ]


def _source_ids(body: Json) -> tuple[str | None, str | None, list[Json]]:
    """(the image source id, the OS disk source id, the data disks) of a storage profile."""
    storage = body.get("storageProfile") or {}
    image = (storage.get("source") or {}).get("id")
    os_disk = storage.get("osDiskImage") or {}
    os_source = (os_disk.get("source") or {}).get("id")
    return image, os_source, list(storage.get("dataDiskImages") or [])


def _held(db: Session, source_id: str | None, model: type[Resource]) -> Resource | None:
    """The catalog's row for a source id, or None when the catalog does not hold it."""
    if not source_id:
        return None
    try:
        row = lookup.resolve(db, source_id)
    except CatalogError:
        return None
    return row if isinstance(row, model) else None


def _catalog_source(db: Session, body: Json) -> Json | None:
    """The VersionCreate source fields when the catalog holds every source, else None."""
    image_id, os_id, disks = _source_ids(body)
    if image_id and _held(db, image_id, ManagedImage) is not None:
        return {"managed_image_id": image_id}
    disk_ids = [(d.get("source") or {}).get("id") for d in disks]
    held = [_held(db, i, Snapshot) for i in [os_id, *disk_ids]]
    if os_id and not image_id and all(row is not None for row in held):
        return {
            "os_snapshot_id": os_id,
            "data_snapshot_ids": disk_ids,
            "data_snapshot_luns": [int(d.get("lun", n)) for n, d in enumerate(disks)],
        }
    return None


def _external_source(body: Json) -> ExternalSource:
    image_id, os_id, disks = _source_ids(body)
    source_id = image_id or os_id
    if not source_id:
        raise CatalogError(
            "SIG-INPUT", "the version names no source (storageProfile.source or osDiskImage)"
        )
    os_size = _get(body, "storageProfile", "osDiskImage", "sizeInGB")
    if not isinstance(os_size, int):
        raise CatalogError(
            "SIG-INPUT",
            f"source {source_id} is not in the catalog and the file gives no "
            "storageProfile.osDiskImage.sizeInGB for it",
        )
    external_disks = []
    for disk in disks:
        size, lun = disk.get("sizeInGB"), disk.get("lun")
        if not isinstance(size, int) or not isinstance(lun, int):
            raise CatalogError("SIG-INPUT", "each data disk of the version needs lun and sizeInGB")
        external_disks.append(ExternalDisk(lun, size, (disk.get("source") or {}).get("id")))
    return ExternalSource(source_id, os_size, external_disks)


def _import_version(db: Session, item: Item, location: str, clock: Clock) -> str:
    wanted = _version_fields(item, location)
    row = _existing(db, item.id)
    definition_id = ids.definition_id(
        item.rid.subscription,
        item.rid.resource_group or "",
        item.rid.gallery or "",
        item.rid.definition or "",
    )
    if row is None:
        source = _catalog_source(db, item.body)
        if source is not None:
            services.create_version(
                db, definition_id, build(VersionCreate, **wanted, **source), clock
            )
        else:
            data = build(VersionCreate, **wanted)
            create_external_version(db, definition_id, data, _external_source(item.body), clock)
        _record_replication(db, item, clock)
        return "created"
    assert isinstance(row, ImageVersion)
    _refuse_new_source(db, row, item.body)
    changed = _version_changes(db, row, wanted)
    if changed:
        services.update_version(db, item.id, build(VersionUpdate, **changed), clock)
    recorded = _record_replication(db, item, clock)
    return "updated" if changed or recorded else "unchanged"


def _version_changes(db: Session, row: ImageVersion, wanted: Json) -> Json:
    current = {
        "name": row.name,
        "location": row.location,
        "replica_count": row.replica_count,
        "storage_account_type": row.storage_account_type,
        "exclude_from_latest": row.exclude_from_latest,
        "end_of_life_date": row.end_of_life_date,
        "tags": row.tags,
    }
    plain = {k: v for k, v in wanted.items() if k != "target_regions"}
    changed = _differences(current, _typed(VersionUpdate, plain))
    if "storage_account_type" in changed and (
        str(changed["storage_account_type"]).casefold() == row.storage_account_type.casefold()
    ):
        changed.pop("storage_account_type")
    targets = wanted.get("target_regions")
    if targets is not None and _targets_differ(db, row, targets):
        changed["target_regions"] = targets
    return changed


def _targets_differ(db: Session, row: ImageVersion, specs: list[TargetRegionSpec]) -> bool:
    current = {
        name: (t.replica_count, t.storage_account_type.casefold())
        for name, t in targets_of(db, row).items()
    }
    wanted = {}
    for spec in specs:
        region = find_region(spec.region)
        if region is None:
            return True  # the update names the unknown region
        storage = (spec.storage_account_type or row.storage_account_type).casefold()
        replicas = spec.replica_count if spec.replica_count is not None else row.replica_count
        wanted[region.name] = (replicas, storage)
    return current != wanted


def _refuse_new_source(db: Session, row: ImageVersion, body: Json) -> None:
    """SIG-UPDATE: the source of a version cannot change."""
    image_id, os_id, _ = _source_ids(body)
    stated = image_id or os_id
    if not stated:
        return
    current = _current_source_id(db, row)
    if current is not None and current.casefold() != stated.casefold():
        raise CatalogError(
            "SIG-UPDATE",
            f"the source of the image version cannot change after creation ({current})",
            field="source",
        )


def _current_source_id(db: Session, row: ImageVersion) -> str | None:
    if row.managed_image_pk is not None:
        return lookup.arm_id(db, db.get_one(ManagedImage, row.managed_image_pk))
    if row.os_snapshot_pk is not None:
        return lookup.arm_id(db, db.get_one(Snapshot, row.os_snapshot_pk))
    return row.external_source_id


def _record_replication(db: Session, item: Item, clock: Clock) -> bool:
    """Store `replicationStatus.summary` as Azure reported it; True when anything changed."""
    summary = _get(item.body, "replicationStatus", "summary")
    if not isinstance(summary, list):
        return False
    version = lookup.resolve_as(db, item.id, ImageVersion)
    targets = targets_of(db, version)
    changed = False
    for entry in summary:
        region = get_region(str(entry.get("region") or ""), field="replicationStatus")
        state = str(entry.get("state") or "Unknown")
        progress = int(entry.get("progress") or 0)
        details = str(entry.get("details") or "")
        target = targets.get(region.name)
        if target is not None and _same_state(target, state, progress, details):
            continue
        schedule.record(db, item.id, region.name, state, clock.now(), progress, details)
        changed = True
    return changed


def _same_state(target: TargetRegion, state: str, progress: int, details: str) -> bool:
    if target.state != state or target.details != details:
        return False
    return state == "Completed" or target.progress == progress


# --- a version from an external source (the same rules as services.create_version) ---------


def create_external_version(
    db: Session, definition_id: str, data: VersionCreate, source: ExternalSource, clock: Clock
) -> ImageVersion:
    """A version whose source the catalog does not hold: every rule of create_version
    except those about the source row (its location and OS are unknown)."""
    _check_external_disks(source)
    resolved = ResolvedSource(
        managed_image=None,
        os_snapshot=None,
        os_disk_size_gb=source.os_disk_size_gb,
        data_disks=[
            SourceDisk(disk.lun, disk.size_gb, None, disk.source_id) for disk in source.data_disks
        ],
        external_source_id=source.source_id,
    )
    return services.create_version(db, definition_id, data, clock, source=resolved)


def _check_external_disks(source: ExternalSource) -> None:
    checks.check_disk_size(source.os_disk_size_gb, "the OS disk", "source")
    luns = [disk.lun for disk in source.data_disks]
    if any(lun < 0 for lun in luns):
        raise CatalogError("SIG-INPUT", "LUNs are non-negative", field="data_disks")
    if len(set(luns)) != len(luns):
        raise CatalogError("SIG-DISK-SIZE", "data disks need unique LUNs", field="data_disks")
    for disk in source.data_disks:
        checks.check_disk_size(disk.size_gb, f"the data disk at LUN {disk.lun}", "source")
