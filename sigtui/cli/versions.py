"""`sigtui sig image-version ...` (as `az sig image-version`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
from sqlmodel import Session

from sigtui.catalog import services
from sigtui.catalog.azure import azure_json
from sigtui.catalog.model import ids as arm_ids
from sigtui.catalog.model import schemas
from sigtui.catalog.model.models import ImageDefinition, ImageVersion, ResourceGroup
from sigtui.catalog.queries import fetch, lookup
from sigtui.cli import refs
from sigtui.cli.context import current_state
from sigtui.cli.generic_update import VERSION_PATHS, generic_changes, parse_generic_update
from sigtui.cli.options import (
    F,
    common_options,
    create_options,
    definition_name_option,
    definition_ref_options,
    delete_options,
    eol_option,
    gallery_name_option,
    group_option,
    location_option,
    parse_bool,
    parse_eol,
    parse_tags,
    subscription_option,
    tags_option,
    update_options,
    usage_error,
    version_name_option,
    version_ref_options,
)
from sigtui.cli.output import emit

VERSION_UPDATABLE = (
    "publishingProfile.targetRegions",
    "publishingProfile.targetRegions[N].regionalReplicaCount",
    "publishingProfile.replicaCount",
    "publishingProfile.excludeFromLatest",
    "publishingProfile.endOfLifeDate",
    "tags",
)


@click.group("image-version")
def version_group() -> None:
    """Image versions of an image definition."""


def _exclude_option(command: F) -> F:
    # az's three-state flag: `--exclude-from-latest` alone means true
    return click.option(
        "--exclude-from-latest",
        is_flag=False,
        flag_value="true",
        default=None,
        metavar="[true|false]",
        help="Keep this version out of `latest`.",
    )(command)


def _target_regions_option(flag: str, what: str) -> Callable[[F], F]:
    return click.option(flag, multiple=True, metavar="REGION[=N][=TYPE]...", help=what)


def _specs(values: tuple[str, ...]) -> list[schemas.TargetRegionSpec]:
    return [services.parse_target_region(value) for value in values]


@version_group.command("create")
@group_option(required=True)
@gallery_name_option(required=True)
@definition_name_option(required=True)
@version_name_option(required=True)
@location_option
@subscription_option
@click.option("--managed-image", metavar="ID_OR_NAME", help="Source: a managed image.")
@click.option("--os-snapshot", metavar="ID_OR_NAME", help="Source: an OS disk snapshot.")
@click.option("--data-snapshots", multiple=True, metavar="ID_OR_NAME...", help="Data disks.")
@click.option(
    "--data-snapshot-luns", multiple=True, metavar="N...", help="Their LUNs (default 0..n-1)."
)
@click.option("--virtual-machine", metavar="ID", help="Source: a VM, by its resource id.")
@click.option("--image-version", metavar="ID", help="Source: another gallery's image version.")
@click.option("--os-vhd-uri", metavar="URI", help="Source: the OS disk's VHD blob.")
@click.option("--os-vhd-storage-account", metavar="ID_OR_NAME", help="Its storage account.")
@click.option("--data-vhds-uris", multiple=True, metavar="URI...", help="Data disks' VHD blobs.")
@click.option("--data-vhds-luns", multiple=True, metavar="N...", help="Their LUNs (0..n-1).")
@click.option(
    "--data-vhds-storage-accounts",
    "--data-vhds-sa",
    "data_vhds_storage_accounts",
    multiple=True,
    metavar="ID_OR_NAME...",
    help="Their storage accounts.",
)
@_target_regions_option(
    "--target-regions", "Target regions, also REGION=TYPE (default: the source region)."
)
@click.option("--replica-count", metavar="N", help="Replicas per region by default (1).")
@click.option("--storage-account-type", help="Standard_LRS (default), Standard_ZRS, Premium_LRS.")
@_exclude_option
@eol_option
@tags_option
@create_options
def version_create(
    group: str,
    gallery: str,
    definition: str,
    version: str,
    location: str | None,
    subscription: str | None,
    managed_image: str | None,
    os_snapshot: str | None,
    data_snapshots: tuple[str, ...],
    data_snapshot_luns: tuple[str, ...],
    virtual_machine: str | None,
    image_version: str | None,
    os_vhd_uri: str | None,
    os_vhd_storage_account: str | None,
    data_vhds_uris: tuple[str, ...],
    data_vhds_luns: tuple[str, ...],
    data_vhds_storage_accounts: tuple[str, ...],
    target_regions: tuple[str, ...],
    replica_count: str | None,
    storage_account_type: str | None,
    exclude_from_latest: str | None,
    end_of_life_date: str | None,
    tags: tuple[str, ...],
) -> None:
    """Create an image version from a managed image, a VM, another gallery's version,
    snapshots or VHD blobs, and start replicating (or, as Azure's PUT, update the version
    of that name). Data disks without LUNs get 0..n-1, as az gives them."""
    with refs.writing_in_group(group, subscription) as (db, owner, clock):
        definition_id = arm_ids.definition_id(*refs.group_parts(db, owner), gallery, definition)
        fields: dict[str, Any] = {
            "name": version,
            "location": location or owner.location,
            "managed_image_id": _source(db, managed_image, "image", owner),
            "os_snapshot_id": _source(db, os_snapshot, "snapshot", owner),
            "data_snapshot_ids": [_source(db, s, "snapshot", owner) for s in data_snapshots],
            "data_snapshot_luns": list(data_snapshot_luns),
            "virtual_machine_id": virtual_machine,
            "image_version_id": image_version,
            "os_vhd_uri": os_vhd_uri,
            "os_vhd_storage_account_id": _account(db, os_vhd_storage_account, owner),
            "data_vhd_uris": list(data_vhds_uris),
            "data_vhd_luns": list(data_vhds_luns),
            "data_vhd_storage_account_ids": [
                _account(db, a, owner) for a in data_vhds_storage_accounts
            ],
            "target_regions": _specs(target_regions) or None,
            "exclude_from_latest": parse_bool(exclude_from_latest, "exclude_from_latest") or False,
            "end_of_life_date": parse_eol(end_of_life_date),
            "tags": parse_tags(tags) or {},
        }
        if replica_count is not None:
            fields["replica_count"] = replica_count
        if storage_account_type is not None:
            fields["storage_account_type"] = storage_account_type
        data = schemas.build(schemas.VersionCreate, **fields)
        created = services.put_version(db, definition_id, data, clock)
        shown = azure_json.version(db, created)
    emit(shown, "version")


def _source(db: Session, value: str | None, kind: str, owner: ResourceGroup) -> str | None:
    return refs.source_id(db, value, kind, owner) if value else None


def _account(db: Session, value: str | None, owner: ResourceGroup) -> str | None:
    """A storage account by ARM id, or by name in the version's group (as az)."""
    if not value or value.startswith("/"):
        return value
    sub, rg = refs.group_parts(db, owner)
    return arm_ids.storage_account_id(sub, rg, value)


@version_group.command("list")
@definition_ref_options
@common_options
def version_list(names: refs.Names) -> None:
    """List a definition's versions, highest first (--ids: the definition's id)."""
    with current_state().catalog().read() as db:
        parent_id = refs.resource_id(db, "definition", names)
        parent = lookup.resolve_as(db, parent_id, ImageDefinition)
        rows = refs.visible(db, fetch.versions(db, parent.pk or 0))
        shown = azure_json.versions(db, rows)
    emit(shown, "version")


@version_group.command("show")
@version_ref_options
@click.option(
    "--expand",
    type=click.Choice(["ReplicationStatus"], case_sensitive=False),
    help="Add the replication status of each target region.",
)
@common_options
def version_show(names: refs.Names, expand: str | None) -> None:
    """Show an image version (`-e latest`: the latest one, SIG-LATEST)."""
    replication_at = current_state().clock.now() if expand else None
    refs.show(
        "version",
        names,
        ImageVersion,
        lambda db, row: azure_json.version(db, row, replication_at=replication_at),
    )


@version_group.command("update")
@version_ref_options
@_target_regions_option("--target-regions", "Replace the target regions.")
@_target_regions_option("--add-target-regions", "Add regions (or change their replicas).")
@click.option(
    "--remove-target-regions",
    multiple=True,
    metavar="REGION...",
    help="Remove target regions (never the source region).",
)
@click.option("--replica-count", metavar="N", help="Replicas of regions added without a count.")
@_exclude_option
@eol_option
@update_options
def version_update(
    names: refs.Names,
    target_regions: tuple[str, ...],
    add_target_regions: tuple[str, ...],
    remove_target_regions: tuple[str, ...],
    replica_count: str | None,
    exclude_from_latest: str | None,
    end_of_life_date: str | None,
    tags: tuple[str, ...],
    sets: tuple[str, ...],
    adds: tuple[str, ...],
    removes: tuple[str, ...],
    if_match: str | None,
) -> None:
    """Change target regions and replicas, the replica count, exclude-from-latest,
    end-of-life date or tags."""
    generic = parse_generic_update(sets, adds, removes)
    changes = _update_fields(
        target_regions, replica_count, exclude_from_latest, end_of_life_date, tags
    )
    if not (changes or generic or add_target_regions or remove_target_regions):
        raise usage_error("nothing to update: give the fields to change, --set, --add or --remove")
    catalog = current_state().catalog(writes=True)
    with catalog.write() as db:
        row = refs.named(db, "version", names, ImageVersion)
        version_id = lookup.arm_id(db, row)  # `latest` resolved once for every step
        current = azure_json.version(db, row)
        changes |= generic_changes(generic, VERSION_PATHS, current, VERSION_UPDATABLE)
        etag = if_match  # checked by the first step; later steps see this command's writes
        if changes:
            data = schemas.build(schemas.VersionUpdate, **changes)
            services.update_version(db, version_id, data, catalog.clock, if_match=etag)
            etag = None
        if add_target_regions:
            specs = _specs(add_target_regions)
            services.add_target_regions(db, version_id, specs, catalog.clock, if_match=etag)
            etag = None
        if remove_target_regions:
            regions = list(remove_target_regions)
            services.remove_target_regions(db, version_id, regions, catalog.clock, if_match=etag)
        shown = azure_json.version(db, row)
    emit(shown, "version")


def _update_fields(
    target_regions: tuple[str, ...],
    replica_count: str | None,
    exclude_from_latest: str | None,
    end_of_life_date: str | None,
    tags: tuple[str, ...],
) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if target_regions:
        changes["target_regions"] = _specs(target_regions)
    if replica_count is not None:
        changes["replica_count"] = replica_count
    exclude = parse_bool(exclude_from_latest, "exclude_from_latest")
    if exclude is not None:
        changes["exclude_from_latest"] = exclude
    if end_of_life_date is not None:
        changes["end_of_life_date"] = parse_eol(end_of_life_date)
    if (new_tags := parse_tags(tags)) is not None:
        changes["tags"] = new_tags
    return changes


@version_group.command("delete")
@version_ref_options
@delete_options
def version_delete(names: refs.Names, if_match: str | None) -> None:
    """Delete an image version (its replicas in every region go with it); no question,
    and one that does not exist is gone already (as az)."""
    refs.delete(
        "version",
        names,
        lambda db, version_id: services.delete_version(db, version_id, if_match=if_match),
    )
