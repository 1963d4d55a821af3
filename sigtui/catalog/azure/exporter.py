"""Export the galleries, definitions and versions under a scope (DESIGN.md section 4).

- `arm_template`: a deployable ARM template shaped like Azure's quickstart templates
  ($schema, contentVersion, a `location` parameter per location, dependsOn, and the
  API versions of SIG-API). Each resource carries `metadata.resourceId` (ARM ignores
  resource metadata) so that `sigtui import` puts it back where it came from.
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
from sigtui.catalog.model.enums import StorageAccountType
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

# SIG-API: the ARM API versions an export uses (the one place for them).
API_VERSION = "2018-06-01"  # galleries, definitions and versions
API_VERSION_ZRS = "2019-03-01"  # a version replicating to a Standard_ZRS region
TEMPLATE_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
CONTENT_VERSION = "1.0.0.0"

# az JSON keys that are not part of a resource's deployable properties
_ENVELOPE = {"id", "name", "location", "tags", "type", "resourceGroup", "etag"}
_READ_ONLY = {"provisioningState", "replicationStatus", "safetyProfile", "identifier"}
_READ_ONLY_PUBLISHING = {"publishedDate"}


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
    kind = resource["type"]
    shaped: Json = {
        "type": kind,
        "apiVersion": _api_version(resource),
        "name": "/".join(path),
        "location": _parameter(parameters[resource["location"]]),
        "tags": resource.get("tags") or {},
    }
    if len(path) > 1 and resource["id"].rsplit("/", 2)[0] in present:  # else it exists
        shaped["dependsOn"] = [_depends_on(path)]
    shaped["properties"] = _properties(resource, parameters)
    shaped["metadata"] = {"resourceId": resource["id"]}
    return shaped


def _depends_on(path: list[str]) -> str:
    parent = path[:-1]
    kind = ["Microsoft.Compute/galleries", "Microsoft.Compute/galleries/images"][len(parent) - 1]
    names = ", ".join(f"'{name}'" for name in parent)
    return f"[resourceId('{kind}', {names})]"


def _api_version(resource: Json) -> str:
    profile = resource.get("publishingProfile") or {}
    storages = [profile.get("storageAccountType")]
    storages += [t.get("storageAccountType") for t in profile.get("targetRegions") or []]
    return API_VERSION_ZRS if StorageAccountType.STANDARD_ZRS in storages else API_VERSION


def _properties(resource: Json, parameters: dict[str, str]) -> Json:
    properties = {
        key: value
        for key, value in resource.items()
        if key not in _ENVELOPE | _READ_ONLY and value is not None
    }
    if resource["type"] == azure_json.DEFINITION_TYPE:
        properties["identifier"] = resource["identifier"]
    if "publishingProfile" in properties:
        properties["publishingProfile"] = _publishing_profile(resource, parameters)
    kept: Json = _without_empty(properties)
    return kept


def _publishing_profile(resource: Json, parameters: dict[str, str]) -> Json:
    profile = dict(resource["publishingProfile"])
    source_region = azure_json.region_display_name(resource["location"])
    profile["targetRegions"] = [
        {**t, "name": _parameter(parameters[resource["location"]])}
        if t["name"] == source_region
        else t
        for t in profile["targetRegions"]
    ]
    return {k: v for k, v in profile.items() if k not in _READ_ONLY_PUBLISHING}


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
    if storage.get("source"):
        return ["--managed-image", storage["source"]["id"]]
    options = ["--os-snapshot", storage["osDiskImage"]["source"]["id"]]
    disks = [d for d in storage.get("dataDiskImages") or [] if d.get("source")]
    if disks:
        options += ["--data-snapshots", *(d["source"]["id"] for d in disks)]
        options += ["--data-snapshot-luns", *(str(d["lun"]) for d in disks)]
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
