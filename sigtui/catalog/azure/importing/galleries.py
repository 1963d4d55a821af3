"""Importing a gallery: its fields as the file gives them, and what differs from the
catalog's row."""

from __future__ import annotations

from sigtui.catalog.azure.importing.changes import differences
from sigtui.catalog.azure.importing.documents import Item
from sigtui.catalog.azure.importing.shapes import Json, get, given
from sigtui.catalog.model.models import Gallery


def gallery_fields(item: Item, location: str) -> Json:
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
    return wanted


def gallery_changes(row: Gallery, wanted: Json) -> Json:
    current = {"name": row.name, "location": row.location, "description": row.description}
    return differences({**current, "tags": row.tags}, wanted)
