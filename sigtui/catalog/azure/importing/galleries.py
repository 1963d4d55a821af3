"""Importing a gallery: created, or updated where the file differs."""

from __future__ import annotations

from sqlmodel import Session

from sigtui.catalog import services
from sigtui.catalog.azure.importing.changes import differences, existing
from sigtui.catalog.azure.importing.documents import Item
from sigtui.catalog.azure.importing.shapes import get, given
from sigtui.catalog.model import ids
from sigtui.catalog.model.models import Gallery
from sigtui.catalog.model.schemas import GalleryCreate, GalleryUpdate, build
from sigtui.catalog.store.clock import Clock


def import_gallery(db: Session, item: Item, location: str, clock: Clock) -> str:
    body = item.body
    wanted = given(
        {
            "name": item.rid.gallery,
            "location": location,
            "description": get(body, "description"),
            "tags": get(body, "tags"),
        },
    )
    if wanted.get("tags") is None:
        wanted.pop("tags", None)
    row = existing(db, item.id)
    if row is None:
        group_id = ids.group_id(item.rid.subscription, item.rid.resource_group or "")
        services.create_gallery(db, group_id, build(GalleryCreate, **wanted), clock)
        return "created"
    assert isinstance(row, Gallery)
    current = {"name": row.name, "location": row.location, "description": row.description}
    changed = differences({**current, "tags": row.tags}, wanted)
    if not changed:
        return "unchanged"
    services.update_gallery(db, item.id, build(GalleryUpdate, **changed), clock)
    return "updated"
