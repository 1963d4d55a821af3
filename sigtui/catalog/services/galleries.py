"""Galleries: create, update (description, tags), delete."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from sigtui.catalog.model import fields
from sigtui.catalog.model.models import Gallery, ResourceGroup, Subscription
from sigtui.catalog.model.schemas import GalleryCreate, GalleryUpdate
from sigtui.catalog.queries import lookup
from sigtui.catalog.rules import checks, limits
from sigtui.catalog.services._common import (
    add_created,
    changes_of,
    check_etag,
    check_limit,
    check_unique_name,
    delete_if_empty,
    refuse_changes,
    save_update,
)
from sigtui.catalog.store.clock import Clock

GALLERY_IMMUTABLE = fields.fixed_names(fields.GALLERY_FIELDS)


def gallery_columns(data: GalleryCreate, name: str, location: str) -> dict[str, Any]:
    """A new gallery's columns, its parents aside, from its checked name and location;
    the tags are checked here."""
    return {
        "name": name,
        "name_key": checks.name_key(name),
        "location": location,
        "description": data.description,
        "tags": checks.check_tags(data.tags),
    }


def create_gallery(db: Session, group_id: str, data: GalleryCreate, clock: Clock) -> Gallery:
    group = lookup.resolve_as(db, group_id, ResourceGroup)
    subscription = db.get_one(Subscription, group.subscription_pk)
    name = checks.check_gallery_name(data.name)
    region = checks.check_source_location(data.location, subscription.cloud)
    assert group.pk is not None and subscription.pk is not None
    check_unique_name(db, Gallery, "resource_group_pk", group.pk, checks.name_key(name), "gallery")
    check_limit(db, Gallery, limits.GALLERIES, subscription.pk, region.name)
    gallery = Gallery(
        resource_group_pk=group.pk,
        subscription_pk=subscription.pk,
        **gallery_columns(data, name, region.name),
    )
    add_created(db, gallery, clock.now())
    return gallery


def update_gallery(
    db: Session, gallery_id: str, data: GalleryUpdate, clock: Clock, if_match: str | None = None
) -> Gallery:
    """SIG-UPDATE: a gallery's description and tags may change, nothing else."""
    gallery = lookup.resolve_as(db, gallery_id, Gallery)
    check_etag(gallery, if_match, "the gallery")
    given = changes_of(data)
    refuse_changes(gallery, given, GALLERY_IMMUTABLE, "gallery")
    save_update(db, gallery, given, clock.now())
    return gallery


def delete_gallery(db: Session, gallery_id: str, if_match: str | None = None) -> None:
    """SIG-DELETE: only an empty gallery can be deleted."""
    delete_if_empty(db, Gallery, gallery_id, if_match, "gallery")
