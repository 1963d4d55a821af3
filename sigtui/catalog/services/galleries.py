"""Galleries: create, update (description, tags), delete."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from sigtui.catalog.model import fields
from sigtui.catalog.model.models import Gallery
from sigtui.catalog.model.schemas import GalleryCreate, GalleryUpdate
from sigtui.catalog.queries import lookup
from sigtui.catalog.rules import checks
from sigtui.catalog.services._common import (
    changes_of,
    check_etag,
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
    """A new gallery: a batch of one through the bulk path, which holds the create rules."""
    from sigtui.catalog.services import bulk  # it imports this module

    gallery: Gallery = bulk.create_one(db, bulk.NewGallery(group_id, data), clock)
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
