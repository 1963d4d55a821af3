"""Image definitions: create, update (recommended sizes, description, EOL, tags), delete."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from sigtui.catalog.model import fields
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import ImageDefinition
from sigtui.catalog.model.schemas import DefinitionCreate, DefinitionUpdate
from sigtui.catalog.queries import lookup
from sigtui.catalog.rules import checks, features
from sigtui.catalog.services._common import (
    changes_of,
    check_etag,
    delete_if_empty,
    refuse_changes,
    save_update,
)
from sigtui.catalog.store.clock import Clock

DEFINITION_IMMUTABLE = fields.fixed_names(fields.DEFINITION_FIELDS)
TEXT_UPDATABLE = ("eula", "privacy_statement_uri", "release_note_uri")


def identity_taken(clash: str, gallery: str, publisher: str, offer: str, sku: str) -> CatalogError:
    """SIG-IDENT: definition `clash` of the gallery has this publisher/offer/SKU."""
    return CatalogError(
        "SIG-IDENT",
        f"image definition {clash!r} in gallery {gallery!r} already uses "
        f"publisher/offer/SKU {publisher}/{offer}/{sku}; definitions may share one or "
        "two of these values, never all three",
        field="sku",
    )


def definition_columns(
    data: DefinitionCreate, name: str, location: str, publisher: str, offer: str, sku: str
) -> dict[str, Any]:
    """A new definition's columns, its parents aside, from its checked name, location and
    identifier; the remaining fields are checked here."""
    hyper_v_generation = checks.check_hyper_v_generation(data.hyper_v_generation)
    architecture = features.check_architecture(data.architecture)
    wanted_features = features.check_features(data.features)
    features.check_generation_fits(hyper_v_generation, architecture, wanted_features)
    return {
        "name": name,
        "name_key": checks.name_key(name),
        "location": location,
        "publisher": publisher,
        "offer": offer,
        "sku": sku,
        "publisher_key": checks.name_key(publisher),
        "offer_key": checks.name_key(offer),
        "sku_key": checks.name_key(sku),
        "os_type": checks.check_os_type(data.os_type),
        "os_state": checks.check_os_state(data.os_state),
        "hyper_v_generation": hyper_v_generation,
        "architecture": architecture,
        "features": wanted_features,
        "description": data.description,
        "eula": data.eula,
        "privacy_statement_uri": data.privacy_statement_uri,
        "release_note_uri": data.release_note_uri,
        "end_of_life_date": data.end_of_life_date,
        "min_vcpus": data.min_vcpus,
        "max_vcpus": data.max_vcpus,
        "min_memory_mb": data.min_memory_mb,
        "max_memory_mb": data.max_memory_mb,
        "disallowed_disk_types": checks.check_disk_types(data.disallowed_disk_types),
        "tags": checks.check_tags(data.tags),
    }


def create_definition(
    db: Session, gallery_id: str, data: DefinitionCreate, clock: Clock
) -> ImageDefinition:
    """A new definition: a batch of one through the bulk path, which holds the create
    rules (and refuses the name, identity, recommended sizes and end of life together)."""
    from sigtui.catalog.services import bulk  # it imports this module

    definition: ImageDefinition = bulk.create_one(db, bulk.NewDefinition(gallery_id, data), clock)
    return definition


def normalized(given: dict[str, Any]) -> dict[str, Any]:
    """Enum fields compared by their canonical spelling."""
    canonical = {
        "os_type": checks.check_os_type,
        "os_state": checks.check_os_state,
        "hyper_v_generation": checks.check_hyper_v_generation,
        "architecture": features.check_architecture,
    }
    for field, check in canonical.items():
        if given.get(field):
            given[field] = check(given[field])
    if given.get("disallowed_disk_types") is not None:
        given["disallowed_disk_types"] = checks.check_disk_types(given["disallowed_disk_types"])
    if isinstance(given.get("features"), dict):
        given["features"] = features.check_features(given["features"])
    return given


def update_definition(
    db: Session,
    definition_id: str,
    data: DefinitionUpdate,
    clock: Clock,
    if_match: str | None = None,
) -> ImageDefinition:
    """SIG-UPDATE: recommended vCPUs/memory, description, EULA, privacy statement and
    release notes URIs, end-of-life date, disallowed disk types and tags."""
    definition = lookup.resolve_as(db, definition_id, ImageDefinition)
    check_etag(definition, if_match, "the image definition")
    given = normalized(changes_of(data))
    refuse_changes(definition, given, DEFINITION_IMMUTABLE, "image definition")
    merged = {
        f: given.get(f, getattr(definition, f))
        for f in ("min_vcpus", "max_vcpus", "min_memory_mb", "max_memory_mb")
    }
    checks.check_recommended(merged["min_vcpus"], merged["max_vcpus"], "vCPUs", "vcpus")
    checks.check_recommended(
        merged["min_memory_mb"], merged["max_memory_mb"], "memory (MB)", "memory_mb"
    )
    if "end_of_life_date" in given and given["end_of_life_date"] != definition.end_of_life_date:
        checks.check_future_eol(given["end_of_life_date"], clock.now())
        definition.end_of_life_date = given["end_of_life_date"]
    for field, value in merged.items():
        setattr(definition, field, value)
    for field in TEXT_UPDATABLE:
        if field in given:
            setattr(definition, field, given[field])
    if "disallowed_disk_types" in given:
        definition.disallowed_disk_types = given["disallowed_disk_types"] or []
    save_update(db, definition, given, clock.now())
    return definition


def delete_definition(db: Session, definition_id: str, if_match: str | None = None) -> None:
    """SIG-DELETE: only a definition without versions can be deleted."""
    delete_if_empty(db, ImageDefinition, definition_id, if_match, "image definition")
