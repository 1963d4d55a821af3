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
    delete_options,
    group_option,
    ids_option,
    list_options,
    location_option,
    names_param,
    parse_tags,
    stack,
    subscription_option,
    tags_option,
)
from sigtui.cli.output import emit

F = TypeVar("F", bound=Callable[..., Any])


def _name_option(*, required: bool = False) -> Callable[[F], F]:
    return click.option("-n", "--name", metavar="NAME", required=required, help="Its name.")


_ref_options = stack(group_option(), _name_option(), subscription_option, ids_option, names_param)


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
    with refs.writing_in_group(group, subscription) as (db, owner, clock):
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
        image = services.create_managed_image(db, data, clock)
        shown = azure_json.managed_image(db, image)
    emit(shown, "image")


@image_group.command("list")
@list_options
def image_list(group: str | None, subscription: str | None) -> None:
    """List managed images (of one resource group when given)."""
    with current_state().catalog().read() as db:
        rows = refs.in_group_or_subscription(
            db, group, subscription, fetch.managed_images, fetch.all_managed_images
        )
        shown = azure_json.managed_images(db, rows)
    emit(shown, "image")


@image_group.command("show")
@_ref_options
@common_options
def image_show(names: refs.Names) -> None:
    """Show a managed image."""
    refs.show("image", names, ManagedImage, azure_json.managed_image)


@image_group.command("delete")
@_ref_options
@delete_options
def image_delete(names: refs.Names, if_match: str | None) -> None:
    """Delete a managed image that no version is made from (no question, as az)."""
    refs.delete(
        "image",
        names,
        lambda db, image_id: services.delete_managed_image(db, image_id, if_match=if_match),
    )


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
    with refs.writing_in_group(group, subscription) as (db, owner, clock):
        data = schemas.build(
            schemas.SnapshotCreate,
            group_id=lookup.arm_id(db, owner),
            name=name,
            location=location or owner.location,
            size_gb=size_gb,
            os_type=os_type,
            tags=parse_tags(tags) or {},
        )
        shown = azure_json.snapshot(db, services.create_snapshot(db, data, clock))
    emit(shown, "snapshot")


@snapshot_group.command("list")
@list_options
def snapshot_list(group: str | None, subscription: str | None) -> None:
    """List snapshots (of one resource group when given)."""
    with current_state().catalog().read() as db:
        rows = refs.in_group_or_subscription(
            db, group, subscription, fetch.snapshots, fetch.all_snapshots
        )
        shown = azure_json.snapshots(db, rows)
    emit(shown, "snapshot")


@snapshot_group.command("show")
@_ref_options
@common_options
def snapshot_show(names: refs.Names) -> None:
    """Show a snapshot."""
    refs.show("snapshot", names, Snapshot, azure_json.snapshot)


@snapshot_group.command("delete")
@_ref_options
@delete_options
def snapshot_delete(names: refs.Names, if_match: str | None) -> None:
    """Delete a snapshot that no version is made from (no question, as az)."""
    refs.delete(
        "snapshot",
        names,
        lambda db, snapshot_id: services.delete_snapshot(db, snapshot_id, if_match=if_match),
    )
