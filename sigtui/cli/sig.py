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
from sigtui.cli.generic_update import GALLERY_PATHS, generic_changes, parse_generic_update
from sigtui.cli.options import (
    common_options,
    create_options,
    delete_options,
    gallery_name_option,
    gallery_ref_options,
    group_option,
    list_options,
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


@sig_group.command("create")
@group_option(required=True)
@gallery_name_option(required=True)
@location_option
@subscription_option
@click.option("--description", help="Gallery description.")
@tags_option
@create_options
def gallery_create(
    group: str,
    gallery: str,
    location: str | None,
    subscription: str | None,
    description: str | None,
    tags: tuple[str, ...],
) -> None:
    """Create a gallery (or, as Azure's PUT, update the one of that name)."""
    with refs.writing_in_group(group, subscription) as (db, owner, clock):
        data = schemas.build(
            schemas.GalleryCreate,
            name=gallery,
            location=location or owner.location,
            description=description,
            tags=parse_tags(tags) or {},
        )
        created = services.put_gallery(db, lookup.arm_id(db, owner), data, clock)
        shown = azure_json.gallery(db, created)
    emit(shown, "gallery")


@sig_group.command("list")
@list_options
def gallery_list(group: str | None, subscription: str | None) -> None:
    """List galleries (of one resource group when given)."""
    with current_state().catalog().read() as db:
        rows = refs.in_group_or_subscription(
            db,
            group,
            subscription,
            lambda db, group_pk: fetch.galleries(db, group_pk=group_pk),
            lambda db, subscription_pk: fetch.galleries(db, subscription_pk=subscription_pk),
        )
        shown = azure_json.galleries(db, rows)
    emit(shown, "gallery")


@sig_group.command("show")
@gallery_ref_options
@common_options
def gallery_show(names: refs.Names) -> None:
    """Show a gallery."""
    refs.show("gallery", names, Gallery, azure_json.gallery)


@sig_group.command("update")
@gallery_ref_options
@click.option("--description", help="New description.")
@update_options
def gallery_update(
    names: refs.Names,
    description: str | None,
    tags: tuple[str, ...],
    sets: tuple[str, ...],
    adds: tuple[str, ...],
    removes: tuple[str, ...],
    if_match: str | None,
) -> None:
    """Change a gallery's description or tags (nothing else may change: SIG-UPDATE)."""
    generic = parse_generic_update(sets, adds, removes)
    if description is None and not tags and not generic:
        raise usage_error("nothing to update: give --description, --tags, --set, --add or --remove")
    catalog = current_state().catalog(writes=True)
    with catalog.write() as db:
        row = refs.named(db, "gallery", names, Gallery)
        gallery_id = lookup.arm_id(db, row)
        current = azure_json.gallery(db, row)
        changes: dict[str, object] = {} if description is None else {"description": description}
        if (new_tags := parse_tags(tags)) is not None:
            changes["tags"] = new_tags
        changes |= generic_changes(generic, GALLERY_PATHS, current, GALLERY_UPDATABLE)
        data = schemas.build(schemas.GalleryUpdate, **changes)
        updated = services.update_gallery(db, gallery_id, data, catalog.clock, if_match=if_match)
        shown = azure_json.gallery(db, updated)
    emit(shown, "gallery")


@sig_group.command("delete")
@gallery_ref_options
@delete_options
def gallery_delete(names: refs.Names, if_match: str | None) -> None:
    """Delete a gallery that holds no image definitions (SIG-DELETE); no question, and
    one that does not exist is gone already (as az)."""
    refs.delete(
        "gallery",
        names,
        lambda db, gallery_id: services.delete_gallery(db, gallery_id, if_match=if_match),
    )
