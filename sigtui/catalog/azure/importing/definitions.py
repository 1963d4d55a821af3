"""Importing an image definition: created, or updated where the file differs (its
identity compared without case)."""

from __future__ import annotations

from sqlmodel import Session

from sigtui.catalog import services
from sigtui.catalog.azure.importing.changes import differences, existing, typed
from sigtui.catalog.azure.importing.documents import Item
from sigtui.catalog.azure.importing.shapes import Json, as_date, get, given
from sigtui.catalog.model import ids
from sigtui.catalog.model.fields import DEFINITION_FIELDS, all_names
from sigtui.catalog.model.models import ImageDefinition
from sigtui.catalog.model.schemas import DefinitionCreate, DefinitionUpdate, build
from sigtui.catalog.store.clock import Clock


def _definition_fields(item: Item, location: str) -> Json:
    body = item.body
    fields = {
        "name": item.rid.definition,
        "location": location,
        "publisher": get(body, "identifier", "publisher"),
        "offer": get(body, "identifier", "offer"),
        "sku": get(body, "identifier", "sku"),
        "os_type": get(body, "osType"),
        "os_state": get(body, "osState"),
        "hyper_v_generation": get(body, "hyperVGeneration"),
        "description": get(body, "description"),
        "eula": get(body, "eula"),
        "privacy_statement_uri": get(body, "privacyStatementUri"),
        "release_note_uri": get(body, "releaseNoteUri"),
        "end_of_life_date": as_date(get(body, "endOfLifeDate")),
        "min_vcpus": get(body, "recommended", "vCPUs", "min"),
        "max_vcpus": get(body, "recommended", "vCPUs", "max"),
        "min_memory_gb": get(body, "recommended", "memory", "min"),
        "max_memory_gb": get(body, "recommended", "memory", "max"),
        "disallowed_disk_types": get(body, "disallowed", "diskTypes"),
        "tags": get(body, "tags"),
    }
    stated = given(fields)
    for optional_list in ("disallowed_disk_types", "tags", "hyper_v_generation"):
        if stated.get(optional_list) is None:
            stated.pop(optional_list, None)
    return stated


def _definition_row_fields(row: ImageDefinition) -> Json:
    return {name: getattr(row, name) for name in all_names(DEFINITION_FIELDS)}


def import_definition(db: Session, item: Item, location: str, clock: Clock) -> str:
    wanted = _definition_fields(item, location)
    row = existing(db, item.id)
    if row is None:
        gallery_id = ids.gallery_id(
            item.rid.subscription, item.rid.resource_group or "", item.rid.gallery or ""
        )
        data = build(DefinitionCreate, **wanted)
        services.create_definition(db, gallery_id, data, clock)
        return "created"
    assert isinstance(row, ImageDefinition)
    current = _definition_row_fields(row)
    changed = differences(current, typed(DefinitionUpdate, wanted))
    for identity in ("publisher", "offer", "sku", "os_type", "os_state", "hyper_v_generation"):
        if (
            identity in changed
            and str(changed[identity]).casefold() == str(current[identity]).casefold()
        ):
            changed.pop(identity)
    if not changed:
        return "unchanged"
    services.update_definition(db, item.id, build(DefinitionUpdate, **changed), clock)
    return "updated"
