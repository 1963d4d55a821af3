"""Importing an image definition: its fields as the file gives them, and what differs
from the catalog's row (its identity compared without case)."""

from __future__ import annotations

from typing import Any

from sigtui.catalog.azure.importing.changes import differences, typed
from sigtui.catalog.azure.importing.documents import Item
from sigtui.catalog.azure.importing.shapes import Json, as_date, get, given
from sigtui.catalog.model.fields import DEFINITION_FIELDS, all_names
from sigtui.catalog.model.models import ImageDefinition
from sigtui.catalog.model.schemas import DefinitionUpdate


def definition_fields(item: Item, location: str) -> Json:
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
        "architecture": get(body, "architecture"),
        "features": _features(get(body, "features")),
        "description": get(body, "description"),
        "eula": get(body, "eula"),
        "privacy_statement_uri": get(body, "privacyStatementUri"),
        "release_note_uri": get(body, "releaseNoteUri"),
        "end_of_life_date": as_date(get(body, "endOfLifeDate")),
        "min_vcpus": get(body, "recommended", "vCPUs", "min"),
        "max_vcpus": get(body, "recommended", "vCPUs", "max"),
        "min_memory_mb": get(body, "recommended", "memory", "min"),  # MB, as REST has it
        "max_memory_mb": get(body, "recommended", "memory", "max"),
        "disallowed_disk_types": get(body, "disallowed", "diskTypes"),
        "tags": get(body, "tags"),
    }
    stated = given(fields)
    optional = ("disallowed_disk_types", "tags", "hyper_v_generation", "architecture", "features")
    for optional_list in optional:
        if stated.get(optional_list) is None:
            stated.pop(optional_list, None)
    return stated


def _features(listed: Any) -> Any:
    """REST's `features: [{name, value}]` as the catalog keeps them, `{name: value}`
    (anything else is left for the schema to refuse)."""
    if not isinstance(listed, list) or not all(isinstance(f, dict) for f in listed):
        return listed
    return {str(f.get("name")): str(f.get("value")) for f in listed}


def _definition_row_fields(row: ImageDefinition) -> Json:
    return {name: getattr(row, name) for name in all_names(DEFINITION_FIELDS)}


def definition_changes(row: ImageDefinition, wanted: Json) -> Json:
    """The fields that differ (identity fields compared without case)."""
    current = _definition_row_fields(row)
    changed = differences(current, typed(DefinitionUpdate, wanted))
    identities = ("publisher", "offer", "sku", "os_type", "os_state", "hyper_v_generation")
    for identity in (*identities, "architecture"):
        if (
            identity in changed
            and str(changed[identity]).casefold() == str(current[identity]).casefold()
        ):
            changed.pop(identity)
    return changed
