"""`sigtui sig ...`: galleries (as `az sig`), with `image-definition` and `image-version`."""

from __future__ import annotations

import click

from sigtui.catalog import services
from sigtui.catalog.azure import azure_json
from sigtui.catalog.model import schemas
from sigtui.catalog.model.fields import GALLERY_FIELDS, updatable_json_paths
from sigtui.catalog.model.models import Gallery
from sigtui.catalog.queries import fetch, lookup
from sigtui.cli import refs
from sigtui.cli.context import current_state
from sigtui.cli.definitions import definition_group
from sigtui.cli.generic_update import GALLERY_PATHS, changes_from_sets, parse_assignments
from sigtui.cli.options import (
    common_options,
    confirm_delete,
    delete_options,
    gallery_name_option,
    gallery_ref_options,
    group_option,
    location_option,
    parse_tags,
    subscription_option,
    tags_option,
    update_options,
    usage_error,
)
from sigtui.cli.output import emit
from sigtui.cli.versions import version_group

GALLERY_UPDATABLE = updatable_json_paths(GALLERY_FIELDS)


@click.group("sig")
def sig_group() -> None:
    """Azure Compute Galleries (as `az sig`)."""


sig_group.add_command(definition_group)
sig_group.add_command(version_group)


def _names(
    subscription: str | None, group: str | None, gallery: str | None, ids: str | None
) -> refs.Names:
    return refs.Names(subscription=subscription, group=group, gallery=gallery, ids=ids)


@sig_group.command("create")
@group_option(required=True)
@gallery_name_option(required=True)
@location_option
@subscription_option
@click.option("--description", help="Gallery description.")
@tags_option
@common_options
def gallery_create(
    group: str,
    gallery: str,
    location: str | None,
    subscription: str | None,
    description: str | None,
    tags: tuple[str, ...],
) -> None:
    """Create a gallery."""
    catalog = current_state().catalog()
    with catalog.write() as db:
        owner = refs.group(db, group, subscription)
        data = schemas.build(
            schemas.GalleryCreate,
            name=gallery,
            location=location or owner.location,
            description=description,
            tags=parse_tags(tags) or {},
        )
        created = services.create_gallery(db, lookup.arm_id(db, owner), data, catalog.clock)
        shown = azure_json.gallery(db, created)
    emit(shown, "gallery")


@sig_group.command("list")
@group_option()
@subscription_option
@common_options
def gallery_list(group: str | None, subscription: str | None) -> None:
    """List galleries (of one resource group when given)."""
    with current_state().catalog().read() as db:
        if group:
            rows = fetch.galleries(db, group_pk=refs.group(db, group, subscription).pk)
        else:
            owner = lookup.find_subscription(db, subscription) if subscription else None
            rows = fetch.galleries(db, subscription_pk=owner.pk if owner else None)
        shown = azure_json.galleries(db, refs.visible(db, rows))
    emit(shown, "gallery")


@sig_group.command("show")
@gallery_ref_options
@common_options
def gallery_show(
    group: str | None, gallery: str | None, subscription: str | None, ids: str | None
) -> None:
    """Show a gallery."""
    with current_state().catalog().read() as db:
        gallery_id = refs.resource_id(db, "gallery", _names(subscription, group, gallery, ids))
        shown = azure_json.gallery(db, refs.shown(db, lookup.resolve_as(db, gallery_id, Gallery)))
    emit(shown, "gallery")


@sig_group.command("update")
@gallery_ref_options
@click.option("--description", help="New description.")
@update_options
def gallery_update(
    group: str | None,
    gallery: str | None,
    subscription: str | None,
    ids: str | None,
    description: str | None,
    tags: tuple[str, ...],
    sets: tuple[str, ...],
    if_match: str | None,
) -> None:
    """Change a gallery's description or tags (nothing else may change: SIG-UPDATE)."""
    assignments = parse_assignments(sets)
    if description is None and not tags and not assignments:
        raise usage_error("nothing to update: give --description, --tags or --set")
    catalog = current_state().catalog()
    with catalog.write() as db:
        gallery_id = refs.resource_id(db, "gallery", _names(subscription, group, gallery, ids))
        current = azure_json.gallery(db, lookup.resolve_as(db, gallery_id, Gallery))
        changes: dict[str, object] = {} if description is None else {"description": description}
        if (new_tags := parse_tags(tags)) is not None:
            changes["tags"] = new_tags
        changes |= changes_from_sets(assignments, GALLERY_PATHS, current, GALLERY_UPDATABLE)
        data = schemas.build(schemas.GalleryUpdate, **changes)
        updated = services.update_gallery(db, gallery_id, data, catalog.clock, if_match=if_match)
        shown = azure_json.gallery(db, updated)
    emit(shown, "gallery")


@sig_group.command("delete")
@gallery_ref_options
@delete_options
def gallery_delete(
    group: str | None,
    gallery: str | None,
    subscription: str | None,
    ids: str | None,
    if_match: str | None,
    yes: bool,
) -> None:
    """Delete a gallery that holds no image definitions (SIG-DELETE)."""
    confirm_delete(f"gallery {gallery or ids!r}", yes)
    catalog = current_state().catalog()
    with catalog.write() as db:
        gallery_id = refs.resource_id(db, "gallery", _names(subscription, group, gallery, ids))
        services.delete_gallery(db, gallery_id, if_match=if_match)
