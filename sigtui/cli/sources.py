"""`sigtui image ...` (managed images) and `sigtui snapshot ...`: the sources of versions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from sigtui.catalog import services
from sigtui.catalog.azure import azure_json
from sigtui.catalog.model import schemas
from sigtui.catalog.model.models import ManagedImage, Snapshot
from sigtui.catalog.queries import fetch, lookup
from sigtui.cli import refs
from sigtui.cli.context import current_state
from sigtui.cli.options import (
    common_options,
    confirm_delete,
    delete_options,
    group_option,
    ids_option,
    location_option,
    parse_tags,
    stack,
    subscription_option,
    tags_option,
)
from sigtui.cli.output import emit

F = TypeVar("F", bound=Callable[..., Any])


def _name_option(*, required: bool = False) -> Callable[[F], F]:
    return click.option("-n", "--name", metavar="NAME", required=required, help="Its name.")


_ref_options = stack(group_option(), _name_option(), subscription_option, ids_option)


def _names(
    subscription: str | None, group: str | None, name: str | None, ids: str | None
) -> refs.Names:
    return refs.Names(subscription=subscription, group=group, name=name, ids=ids)


# --- image -------------------------------------------------------------------------------


@click.group("image")
def image_group() -> None:
    """Managed images (as `az image`): sources of image versions."""


@image_group.command("create")
@group_option(required=True)
@_name_option(required=True)
@location_option
@subscription_option
@click.option("--os-type", required=True, help="Windows or Linux.")
@click.option(
    "--os-state",
    default="Generalized",
    show_default=True,
    help="Generalized (managed images always are).",
)
@click.option("--os-disk-size-gb", required=True, metavar="N", help="OS disk size in GiB.")
@click.option("--data-disk-sizes-gb", multiple=True, metavar="N...", help="Data disk sizes.")
@click.option("--hyper-v-generation", default="V1", show_default=True, help="V1 or V2.")
@tags_option
@common_options
def image_create(
    group: str,
    name: str,
    location: str | None,
    subscription: str | None,
    os_type: str,
    os_state: str,
    os_disk_size_gb: str,
    data_disk_sizes_gb: tuple[str, ...],
    hyper_v_generation: str,
    tags: tuple[str, ...],
) -> None:
    """Record a managed image (made from a generalized VM)."""
    catalog = current_state().catalog()
    with catalog.write() as db:
        owner = refs.group(db, group, subscription)
        data = schemas.build(
            schemas.ManagedImageCreate,
            group_id=lookup.arm_id(db, owner),
            name=name,
            location=location or owner.location,
            os_type=os_type,
            os_state=os_state,
            hyper_v_generation=hyper_v_generation,
            os_disk_size_gb=os_disk_size_gb,
            data_disk_sizes_gb=list(data_disk_sizes_gb),
            tags=parse_tags(tags) or {},
        )
        image = services.create_managed_image(db, data, catalog.clock)
        shown = azure_json.managed_image(db, image)
    emit(shown, "image")


@image_group.command("list")
@group_option()
@subscription_option
@common_options
def image_list(group: str | None, subscription: str | None) -> None:
    """List managed images (of one resource group when given)."""
    with current_state().catalog().read() as db:
        if group:
            rows = fetch.managed_images(db, refs.group(db, group, subscription).pk or 0)
        else:
            owner = lookup.find_subscription(db, subscription) if subscription else None
            rows = fetch.all_managed_images(db, owner.pk if owner else None)
        shown = azure_json.managed_images(db, refs.visible(db, rows))
    emit(shown, "image")


@image_group.command("show")
@_ref_options
@common_options
def image_show(
    group: str | None, name: str | None, subscription: str | None, ids: str | None
) -> None:
    """Show a managed image."""
    with current_state().catalog().read() as db:
        image_id = refs.resource_id(db, "image", _names(subscription, group, name, ids))
        image = refs.shown(db, lookup.resolve_as(db, image_id, ManagedImage))
        shown = azure_json.managed_image(db, image)
    emit(shown, "image")


@image_group.command("delete")
@_ref_options
@delete_options
def image_delete(
    group: str | None,
    name: str | None,
    subscription: str | None,
    ids: str | None,
    if_match: str | None,
    yes: bool,
) -> None:
    """Delete a managed image that no version is made from."""
    confirm_delete(f"managed image {name or ids!r}", yes)
    catalog = current_state().catalog()
    with catalog.write() as db:
        image_id = refs.resource_id(db, "image", _names(subscription, group, name, ids))
        services.delete_managed_image(db, image_id, if_match=if_match)


# --- snapshot ---------------------------------------------------------------------------------


@click.group("snapshot")
def snapshot_group() -> None:
    """Disk snapshots (as `az snapshot`): OS and data disk sources of image versions."""


@snapshot_group.command("create")
@group_option(required=True)
@_name_option(required=True)
@location_option
@subscription_option
@click.option("--size-gb", required=True, metavar="N", help="Disk size in GiB.")
@click.option("--os-type", help="Windows or Linux, for an OS disk snapshot.")
@tags_option
@common_options
def snapshot_create(
    group: str,
    name: str,
    location: str | None,
    subscription: str | None,
    size_gb: str,
    os_type: str | None,
    tags: tuple[str, ...],
) -> None:
    """Record a disk snapshot."""
    catalog = current_state().catalog()
    with catalog.write() as db:
        owner = refs.group(db, group, subscription)
        data = schemas.build(
            schemas.SnapshotCreate,
            group_id=lookup.arm_id(db, owner),
            name=name,
            location=location or owner.location,
            size_gb=size_gb,
            os_type=os_type,
            tags=parse_tags(tags) or {},
        )
        shown = azure_json.snapshot(db, services.create_snapshot(db, data, catalog.clock))
    emit(shown, "snapshot")


@snapshot_group.command("list")
@group_option()
@subscription_option
@common_options
def snapshot_list(group: str | None, subscription: str | None) -> None:
    """List snapshots (of one resource group when given)."""
    with current_state().catalog().read() as db:
        if group:
            rows = fetch.snapshots(db, refs.group(db, group, subscription).pk or 0)
        else:
            owner = lookup.find_subscription(db, subscription) if subscription else None
            rows = fetch.all_snapshots(db, owner.pk if owner else None)
        shown = azure_json.snapshots(db, refs.visible(db, rows))
    emit(shown, "snapshot")


@snapshot_group.command("show")
@_ref_options
@common_options
def snapshot_show(
    group: str | None, name: str | None, subscription: str | None, ids: str | None
) -> None:
    """Show a snapshot."""
    with current_state().catalog().read() as db:
        snapshot_id = refs.resource_id(db, "snapshot", _names(subscription, group, name, ids))
        snapshot = refs.shown(db, lookup.resolve_as(db, snapshot_id, Snapshot))
        shown = azure_json.snapshot(db, snapshot)
    emit(shown, "snapshot")


@snapshot_group.command("delete")
@_ref_options
@delete_options
def snapshot_delete(
    group: str | None,
    name: str | None,
    subscription: str | None,
    ids: str | None,
    if_match: str | None,
    yes: bool,
) -> None:
    """Delete a snapshot that no version is made from."""
    confirm_delete(f"snapshot {name or ids!r}", yes)
    catalog = current_state().catalog()
    with catalog.write() as db:
        snapshot_id = refs.resource_id(db, "snapshot", _names(subscription, group, name, ids))
        services.delete_snapshot(db, snapshot_id, if_match=if_match)
