"""Export the galleries, definitions and versions under a scope (DESIGN.md section 4).

- `arm_template`: a deployable ARM template shaped like Azure's quickstart templates
  ($schema, contentVersion, a `location` parameter per location, dependsOn), in the
  shape of SIG-API's API version: writable properties only. Each resource carries
  `metadata.resourceId` (ARM ignores resource metadata) so that `sigtui import` puts it
  back where it came from, and `metadata.reported`: the read-only values Azure reports
  that import needs (disk sizes, publishedDate), in the REST body's shape.
- `az_script`: a bash script of `az` commands that recreates the scope.

The scope may be a subscription, a resource group, a gallery, a definition or a
version; the parents of a definition or version in scope are exported too, so that
the template deploys on its own.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from sigtui.catalog.azure import azure_json
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import (
    Gallery,
    ImageDefinition,
    ImageVersion,
    ResourceGroup,
    Subscription,
)
from sigtui.catalog.queries import lookup, seen
from sigtui.catalog.rules import access
from sigtui.catalog.rules.access import Visibility
from sigtui.catalog.rules.regions import find_region
from sigtui.safe_text import json_text, shell_word, visible

Json = dict[str, Any]

# SIG-API: the ARM API version an export writes for galleries, definitions and versions
# (the one place for it); the properties below follow GalleryRP 2024-03-03.
API_VERSION = "2024-03-03"
TEMPLATE_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
CONTENT_VERSION = "1.0.0.0"

# az JSON keys that are not part of a resource's deployable properties
_ENVELOPE = {"id", "name", "location", "tags", "type", "resourceGroup", "etag"}

# The read-only properties of each type at API_VERSION, as paths (`[]`: each item of a
# list). A deployment sends none of them.
_READ_ONLY: dict[str, list[str]] = {
    azure_json.GALLERY_TYPE: [
        "provisioningState",
        "identifier",  # its only member, uniqueName, is Azure's
        "sharingStatus",
        "sharingProfile.groups",
        "sharingProfile.communityGalleryInfo.communityGalleryEnabled",
        "sharingProfile.communityGalleryInfo.publicNames",
    ],
    azure_json.DEFINITION_TYPE: ["provisioningState"],
    azure_json.VERSION_TYPE: [
        "provisioningState",
        "replicationStatus",
        "validationsProfile",
        "publishingProfile.publishedDate",
        "storageProfile.osDiskImage.sizeInGB",
        "storageProfile.dataDiskImages[].sizeInGB",
        "safetyProfile.reportedForPolicyViolation",
        "safetyProfile.policyViolations",
    ],
}


@dataclass
class Scope:
    """The rows an export holds, parents first."""

    galleries: list[Gallery]
    definitions: list[ImageDefinition]
    versions: list[ImageVersion]


def rows_in_scope(db: Session, scope_id: str, viewer: Visibility | None = None) -> Scope:
    """The galleries, definitions and versions under `scope_id` (and their parents); with
    a viewer, those it sees only (SIG-ACCESS when it does not see the scope itself)."""
    row = lookup.resolve(db, scope_id)
    access.require_visible(db, viewer, row)
    match row:
        case Subscription():
            in_scope: Any = Gallery.subscription_pk == row.pk
        case ResourceGroup():
            in_scope = Gallery.resource_group_pk == row.pk
        case Gallery():
            in_scope = Gallery.pk == row.pk
        case ImageDefinition():
            gallery = db.get_one(Gallery, row.gallery_pk)
            return _seen_parents(Scope([gallery], [row], _versions_of(db, [row])), viewer)
        case ImageVersion():
            definition = db.get_one(ImageDefinition, row.definition_pk)
            gallery = db.get_one(Gallery, definition.gallery_pk)
            return _seen_parents(Scope([gallery], [definition], [row]), viewer)
        case _:
            raise CatalogError(
                "SIG-INPUT",
                f"{scope_id} is not a subscription, resource group, gallery, image "
                "definition or image version",
            )
    pks = select(Gallery.pk).where(in_scope)
    definition_pk, gallery_pk = col(ImageDefinition.pk), col(ImageDefinition.gallery_pk)
    return Scope(
        _all(db, Gallery, in_scope, seen.galleries(viewer, col(Gallery.pk))),
        _all(
            db,
            ImageDefinition,
            gallery_pk.in_(pks),
            seen.definitions(viewer, definition_pk, gallery_pk),
        ),
        _versions_where(
            db,
            gallery_pk.in_(pks),
            seen.versions(
                viewer, col(ImageVersion.pk), col(ImageVersion.definition_pk), gallery_pk
            ),
        ),
    )


def _seen_parents(scope: Scope, viewer: Visibility | None) -> Scope:
    """A definition's or version's scope without the parents the viewer does not see
    (the template then deploys into the parents that exist)."""
    if viewer is None:
        return scope
    [gallery], [definition] = scope.galleries, scope.definitions
    gallery_pk = int(gallery.pk or 0)
    return Scope(
        [gallery] if viewer.sees_gallery(gallery_pk) else [],
        [definition] if viewer.sees_definition(int(definition.pk or 0), gallery_pk) else [],
        scope.versions,
    )


def _all(db: Session, model: type[Any], *conditions: Any) -> list[Any]:
    return list(db.exec(select(model).where(*conditions).order_by(col(model.pk))))


def _versions_of(db: Session, definitions: list[ImageDefinition]) -> list[ImageVersion]:
    return _versions_where(db, col(ImageVersion.definition_pk).in_([d.pk for d in definitions]))


def _versions_where(db: Session, *conditions: Any) -> list[ImageVersion]:
    statement = (
        select(ImageVersion)
        .join(ImageDefinition, col(ImageDefinition.pk) == col(ImageVersion.definition_pk))
        .where(*conditions)
        .order_by(
            col(ImageVersion.definition_pk),
            col(ImageVersion.major),
            col(ImageVersion.minor),
            col(ImageVersion.patch),
        )
    )
    return list(db.exec(statement))


def scope_json(db: Session, scope: Scope) -> list[Json]:
    """The scope's resources as az prints them, parents first."""
    return [
        *azure_json.galleries(db, scope.galleries),
        *azure_json.definitions(db, scope.definitions),
        *azure_json.versions(db, scope.versions),
    ]


# --- the ARM template ------------------------------------------------------------------------


def arm_template(db: Session, scope_id: str, viewer: Visibility | None = None) -> Json:
    """A deployable ARM template of everything under `scope_id` (that `viewer` sees)."""
    resources = scope_json(db, rows_in_scope(db, scope_id, viewer))
    present = {r["id"] for r in resources}
    parameters = _location_parameters(resources)
    return {
        "$schema": TEMPLATE_SCHEMA,
        "contentVersion": CONTENT_VERSION,
        "parameters": {
            name: {
                "type": "string",
                "defaultValue": location,
                "metadata": {"description": f"Location of the resources now in {location}."},
            }
            for location, name in parameters.items()
        },
        "resources": [_template_resource(r, parameters, present) for r in resources],
    }


def _location_parameters(resources: list[Json]) -> dict[str, str]:
    """location -> parameter name: `location` for the most used one, `location<Region>`
    for the others."""
    counts = Counter(r["location"] for r in resources)
    names: dict[str, str] = {}
    for index, (location, _) in enumerate(counts.most_common()):
        names[location] = "location" if index == 0 else f"location_{location}"
    return names


def _parameter(name: str) -> str:
    return f"[parameters('{name}')]"


def _path_of(resource: Json) -> list[str]:
    """[gallery, definition?, version?] from the resource's id."""
    tail: list[str] = resource["id"].split("/galleries/", 1)[1].split("/")
    return tail[0::2]


def _template_resource(resource: Json, parameters: dict[str, str], present: set[str]) -> Json:
    path = _path_of(resource)
    shaped: Json = {
        "type": resource["type"],
        "apiVersion": API_VERSION,
        "name": "/".join(path),
        "location": _parameter(parameters[resource["location"]]),
        "tags": resource.get("tags") or {},
    }
    if len(path) > 1 and resource["id"].rsplit("/", 2)[0] in present:  # else it exists
        shaped["dependsOn"] = [_depends_on(path)]
    shaped["properties"] = _properties(resource, parameters)
    shaped["metadata"] = _metadata(resource)
    return shaped


def _depends_on(path: list[str]) -> str:
    parent = path[:-1]
    kind = ["Microsoft.Compute/galleries", "Microsoft.Compute/galleries/images"][len(parent) - 1]
    names = ", ".join(f"'{name}'" for name in parent)
    return f"[resourceId('{kind}', {names})]"


def _properties(resource: Json, parameters: dict[str, str]) -> Json:
    properties = {key: value for key, value in resource.items() if key not in _ENVELOPE}
    if "publishingProfile" in properties:
        properties["publishingProfile"] = _publishing_profile(resource, parameters)
    if "storageProfile" in properties:
        properties["storageProfile"] = _storage_profile(resource["storageProfile"])
    properties = _without_resource_groups(properties)
    for path in _READ_ONLY[resource["type"]]:
        _drop(properties, path.split("."))
    kept: Json = _without_empty(properties)
    return kept


def _storage_profile(storage: Json) -> Json:
    """A whole-version source (a managed image, a VM, another version) alone, as az sends
    it: Azure takes the disks from it; else the disks with their sources."""
    if storage.get("source"):
        return {"source": storage["source"]}
    return dict(storage)


def _drop(value: Any, path: list[str]) -> None:
    """Remove the property at `path` (a `key[]` step: in each item of the list at key)."""
    if not isinstance(value, dict):
        return
    step, rest = path[0], path[1:]
    key = step.removesuffix("[]")
    if key not in value:
        return
    if not rest:
        del value[key]
        return
    items = value[key] if step.endswith("[]") and isinstance(value[key], list) else [value[key]]
    for item in items:
        _drop(item, rest)


def _without_resource_groups(value: Any) -> Any:
    """Without the `resourceGroup` az adds beside nested ids: no property of ARM's. A copy,
    so that `_drop` changes nothing the caller holds."""
    if isinstance(value, dict):
        return {k: _without_resource_groups(v) for k, v in value.items() if k != "resourceGroup"}
    if isinstance(value, list):
        return [_without_resource_groups(v) for v in value]
    return value


def _publishing_profile(resource: Json, parameters: dict[str, str]) -> Json:
    profile = dict(resource["publishingProfile"])
    source_region = azure_json.region_display_name(resource["location"])
    profile["targetRegions"] = [
        {**t, "name": _parameter(parameters[resource["location"]])}
        if t["name"] == source_region
        else t
        for t in profile["targetRegions"]
    ]
    return profile


def _metadata(resource: Json) -> Json:
    """Where the resource came from, and what import needs back that a deployment does
    not send (ARM ignores resource metadata)."""
    metadata: Json = {"resourceId": resource["id"]}
    if resource["type"] == azure_json.VERSION_TYPE:
        metadata["reported"] = _reported(resource)
    return metadata


def _reported(version: Json) -> Json:
    """The version's read-only values that import needs (its disk sizes, its publishedDate),
    in the REST body's shape."""
    storage = version["storageProfile"]
    reported: Json = _without_empty(
        {
            "publishingProfile": {
                "publishedDate": version["publishingProfile"].get("publishedDate")
            },
            "storageProfile": {
                "osDiskImage": {"sizeInGB": storage["osDiskImage"].get("sizeInGB")},
                "dataDiskImages": [
                    {"lun": d["lun"], "sizeInGB": d.get("sizeInGB")}
                    for d in storage.get("dataDiskImages") or []
                ],
            },
        }
    )
    return reported


def _without_empty(value: Any) -> Any:
    """Drop nulls and empty objects (ARM leaves them out); keep empty lists."""
    if isinstance(value, dict):
        kept = {k: _without_empty(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v is not None and v != {}}
    if isinstance(value, list):
        return [_without_empty(v) for v in value]
    return value


# --- the az script ---------------------------------------------------------------------------


def az_script(db: Session, scope_id: str, viewer: Visibility | None = None) -> str:
    """A bash script of `az` commands that recreates everything under `scope_id` (that
    `viewer` sees)."""
    resources = scope_json(db, rows_in_scope(db, scope_id, viewer))
    lines = ["#!/usr/bin/env bash", f"# recreates {visible(scope_id)}", "set -euo pipefail", ""]
    groups: list[tuple[str, str]] = []
    for resource in resources:
        subscription = resource["id"].split("/")[2]
        if (subscription, resource["resourceGroup"]) not in groups:
            groups.append((subscription, resource["resourceGroup"]))
            lines.append(
                _command(
                    ["az", "group", "create", "--subscription", subscription],
                    ["-n", resource["resourceGroup"], "-l", resource["location"]],
                )
            )
    for resource in resources:
        lines.append(_resource_command(resource))
    return "\n".join(lines) + "\n"


def group_command(group: Json) -> str:
    """`az group create` for a resource group as `az group show` prints it."""
    subscription = group["id"].split("/")[2]
    return _command(
        ["az", "group", "create", "--subscription", subscription],
        ["-n", group["name"], "-l", group["location"]],
        _tags(group),
    )


def resource_command(resource: Json) -> str:
    """The script's `az sig ... create` line for one gallery, definition or version (as
    az prints it)."""
    return _resource_command(resource)


def _command(*parts: list[str]) -> str:
    words = [word for part in parts for word in part]
    return " ".join(shell_word(word) for word in words)


def _where(resource: Json) -> list[str]:
    path = _path_of(resource)
    flags = ["-r", "-i", "-e"]
    where = ["--subscription", resource["id"].split("/")[2], "-g", resource["resourceGroup"]]
    for flag, name in zip(flags, path, strict=False):
        where += [flag, name]
    return where


def _tags(resource: Json) -> list[str]:
    tags = resource.get("tags") or {}
    return ["--tags", *(f"{k}={v}" for k, v in tags.items())] if tags else []


def _optional(flag: str, value: Any) -> list[str]:
    return [] if value is None or value == [] else [flag, str(value)]


def _resource_command(resource: Json) -> str:
    kind = resource["type"]
    location = ["-l", resource["location"]]
    if kind == azure_json.GALLERY_TYPE:
        return _command(
            ["az", "sig", "create"],
            _where(resource),
            location,
            _optional("--description", resource.get("description")),
            _tags(resource),
        )
    if kind == azure_json.DEFINITION_TYPE:
        return _command(
            ["az", "sig", "image-definition", "create"],
            _where(resource),
            location,
            _definition_options(resource),
            _tags(resource),
        )
    return _command(
        ["az", "sig", "image-version", "create"],
        _where(resource),
        location,
        _version_options(resource),
        _tags(resource),
    )


def _definition_options(resource: Json) -> list[str]:
    identifier = resource["identifier"]
    recommended = resource.get("recommended") or {}
    vcpus, memory = recommended.get("vCPUs") or {}, recommended.get("memory") or {}
    disallowed = (resource.get("disallowed") or {}).get("diskTypes") or []
    return [
        *["--publisher", identifier["publisher"], "--offer", identifier["offer"]],
        *["--sku", identifier["sku"], "--os-type", resource["osType"]],
        *["--os-state", resource["osState"]],
        *["--hyper-v-generation", resource["hyperVGeneration"]],
        *_optional("--architecture", resource.get("architecture")),
        *_optional("--features", _features_text(resource.get("features"))),
        *_optional("--description", resource.get("description")),
        *_optional("--eula", resource.get("eula")),
        *_optional("--privacy-statement-uri", resource.get("privacyStatementUri")),
        *_optional("--release-note-uri", resource.get("releaseNoteUri")),
        *_optional("--end-of-life-date", (resource.get("endOfLifeDate") or "")[:10] or None),
        *_optional("--minimum-cpu-core", vcpus.get("min")),
        *_optional("--maximum-cpu-core", vcpus.get("max")),
        *_optional("--minimum-memory", memory.get("min")),
        *_optional("--maximum-memory", memory.get("max")),
        *(["--disallowed-disk-types", *disallowed] if disallowed else []),
    ]


def _features_text(features: list[Json] | None) -> str | None:
    """`features[]` as az's `--features` takes them: `A=b C=d`."""
    if not features:
        return None
    return " ".join(f"{f['name']}={f['value']}" for f in features)


def _version_options(resource: Json) -> list[str]:
    profile = resource["publishingProfile"]
    storage = resource["storageProfile"]
    targets = [
        f"{_region_name(t['name'])}={t['regionalReplicaCount']}={t['storageAccountType']}"
        for t in profile["targetRegions"]
    ]
    options = _source_options(storage)
    options += ["--target-regions", *targets]
    options += ["--replica-count", str(profile["replicaCount"])]
    options += ["--storage-account-type", profile["storageAccountType"]]
    if profile.get("excludeFromLatest"):
        options += ["--exclude-from-latest", "true"]
    options += _optional("--end-of-life-date", (profile.get("endOfLifeDate") or "")[:10] or None)
    return options


def _region_name(display_name: str) -> str:
    region = find_region(display_name)
    return region.name if region else display_name


def _source_options(storage: Json) -> list[str]:
    """az's options for the version's source: a managed image, another gallery's version,
    a VM, a VHD blob, or snapshots."""
    whole = storage.get("source") or {}
    if whole.get("virtualMachineId"):
        return ["--virtual-machine", whole["virtualMachineId"]]
    if whole.get("id"):
        is_version = "/versions/" in whole["id"].casefold()
        return ["--image-version" if is_version else "--managed-image", whole["id"]]
    os_source = storage["osDiskImage"]["source"]
    if os_source.get("uri"):
        options = [
            *_optional("--os-vhd-storage-account", os_source.get("storageAccountId")),
            *["--os-vhd-uri", os_source["uri"]],
        ]
    else:
        options = ["--os-snapshot", os_source["id"]]
    return options + _data_disk_options(storage.get("dataDiskImages") or [])


def _data_disk_options(disks: list[Json]) -> list[str]:
    """Data disks from snapshots and from VHD blobs, each with its LUN."""
    snapshots = [d for d in disks if (d.get("source") or {}).get("id")]
    vhds = [d for d in disks if (d.get("source") or {}).get("uri")]
    options: list[str] = []
    if snapshots:
        options += ["--data-snapshots", *(d["source"]["id"] for d in snapshots)]
        options += ["--data-snapshot-luns", *(str(d["lun"]) for d in snapshots)]
    if vhds:
        options += ["--data-vhds-uris", *(d["source"]["uri"] for d in vhds)]
        options += ["--data-vhds-luns", *(str(d["lun"]) for d in vhds)]
        accounts = [d["source"].get("storageAccountId") or "" for d in vhds]
        options += ["--data-vhds-storage-accounts", *accounts]
    return options


EXPORT_KINDS = ("arm", "az-script")


def render(db: Session, scope_id: str, kind: str, viewer: Visibility | None = None) -> str:
    """The scope exported as text: an ARM template (JSON, key order as Azure's quickstart
    templates write it) or an az script."""
    if kind == "arm":
        template = arm_template(db, scope_id, viewer)
        return json_text(template, sort_keys=False) + "\n"
    if kind == "az-script":
        return az_script(db, scope_id, viewer)
    raise CatalogError("SIG-INPUT", f"export format {kind!r} is not one of {EXPORT_KINDS}")
