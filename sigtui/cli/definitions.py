"""`sigtui sig image-definition ...` (as `az sig image-definition`)."""

from __future__ import annotations

from typing import Any

import click

from sigtui.catalog import services
from sigtui.catalog.azure import azure_json
from sigtui.catalog.model import ids as arm_ids
from sigtui.catalog.model import schemas
from sigtui.catalog.model.fields import DEFINITION_FIELDS, updatable_json_paths
from sigtui.catalog.model.models import Gallery, ImageDefinition
from sigtui.catalog.queries import fetch, lookup
from sigtui.catalog.rules.features import parse_features
from sigtui.cli import refs
from sigtui.cli.context import current_state
from sigtui.cli.generic_update import DEFINITION_PATHS, generic_changes, parse_generic_update
from sigtui.cli.options import (
    F,
    common_options,
    create_options,
    definition_name_option,
    definition_ref_options,
    delete_options,
    eol_option,
    gallery_name_option,
    gallery_ref_options,
    group_option,
    location_option,
    parse_eol,
    parse_tags,
    subscription_option,
    tags_option,
    update_options,
    usage_error,
)
from sigtui.cli.output import emit

DEFINITION_UPDATABLE = updatable_json_paths(DEFINITION_FIELDS)

# CLI option -> DefinitionCreate/DefinitionUpdate field, for the recommended sizes
RECOMMENDED_OPTIONS = {
    "minimum_cpu_core": "min_vcpus",
    "maximum_cpu_core": "max_vcpus",
    "minimum_memory": "min_memory_mb",
    "maximum_memory": "max_memory_mb",
}


@click.group("image-definition")
def definition_group() -> None:
    """Image definitions of a gallery."""


def recommended_options(command: F) -> F:
    for flag, what in reversed(
        [
            ("--minimum-cpu-core", "Recommended minimum vCPUs."),
            ("--maximum-cpu-core", "Recommended maximum vCPUs."),
            ("--minimum-memory", "Recommended minimum memory in MB."),
            ("--maximum-memory", "Recommended maximum memory in MB."),
        ]
    ):
        command = click.option(flag, metavar="N", help=what)(command)
    return command


def _recommended(options: dict[str, Any]) -> dict[str, Any]:
    return {
        field: options[option]
        for option, field in RECOMMENDED_OPTIONS.items()
        if options.get(option) is not None
    }


@definition_group.command("create")
@group_option(required=True)
@gallery_name_option(required=True)
@definition_name_option(required=True)
@location_option
@subscription_option
@click.option("-p", "--publisher", required=True, help="Publisher (up to 128 characters).")
@click.option("-f", "--offer", required=True, help="Offer (up to 64 characters).")
@click.option("-s", "--sku", required=True, help="SKU (up to 64 characters).")
@click.option("--os-type", required=True, help="Windows or Linux.")
@click.option("--os-state", default="Generalized", show_default=True, help="Or Specialized.")
@click.option("--hyper-v-generation", default="V2", show_default=True, help="V1 or V2.")
@click.option("--architecture", help="x64 (the default) or Arm64.")
@click.option(
    "--features",
    metavar="'NAME=VALUE ...'",
    help="Space-separated features, e.g. 'SecurityType=TrustedLaunch "
    "IsAcceleratedNetworkSupported=true'.",
)
@click.option("--description", help="Description.")
@click.option("--eula", help="End-user license agreement.")
@click.option("--privacy-statement-uri", help="Privacy statement URI.")
@click.option("--release-note-uri", help="Release notes URI.")
@eol_option
@recommended_options
@click.option(
    "--disallowed-disk-types", multiple=True, metavar="TYPE...", help="e.g. Standard_LRS."
)
@tags_option
@create_options
def definition_create(
    group: str,
    gallery: str,
    definition: str,
    location: str | None,
    subscription: str | None,
    end_of_life_date: str | None,
    features: str | None,
    disallowed_disk_types: tuple[str, ...],
    tags: tuple[str, ...],
    **options: Any,
) -> None:
    """Create an image definition (publisher/offer/SKU unique in the gallery: SIG-IDENT),
    or, as Azure's PUT, update the one of that name."""
    if options.get("architecture") is None:
        options.pop("architecture", None)
    with refs.writing_in_group(group, subscription) as (db, owner, clock):
        gallery_id = arm_ids.gallery_id(*refs.group_parts(db, owner), gallery)
        data = schemas.build(
            schemas.DefinitionCreate,
            name=definition,
            location=location or owner.location,
            end_of_life_date=parse_eol(end_of_life_date),
            features=parse_features(features),
            disallowed_disk_types=list(disallowed_disk_types),
            tags=parse_tags(tags) or {},
            **{k: v for k, v in options.items() if k not in RECOMMENDED_OPTIONS},
            **_recommended(options),
        )
        created = services.put_definition(db, gallery_id, data, clock)
        shown = azure_json.definition(db, created)
    emit(shown, "definition")


@definition_group.command("list")
@gallery_ref_options
@common_options
def definition_list(names: refs.Names) -> None:
    """List a gallery's image definitions (--ids: the gallery's id)."""
    with current_state().catalog().read() as db:
        parent = lookup.resolve_as(db, refs.resource_id(db, "gallery", names), Gallery)
        rows = refs.visible(db, fetch.definitions(db, parent.pk or 0))
        shown = azure_json.definitions(db, rows)
    emit(shown, "definition")


@definition_group.command("show")
@definition_ref_options
@common_options
def definition_show(names: refs.Names) -> None:
    """Show an image definition."""
    refs.show("definition", names, ImageDefinition, azure_json.definition)


@definition_group.command("update")
@definition_ref_options
@click.option("--description", help="New description.")
@click.option("--eula", help="New end-user license agreement.")
@click.option("--privacy-statement-uri", help="New privacy statement URI.")
@click.option("--release-note-uri", help="New release notes URI.")
@eol_option
@recommended_options
@click.option(
    "--disallowed-disk-types",
    multiple=True,
    metavar="TYPE...",
    help='Replace the disallowed disk types ("" clears them).',
)
@update_options
def definition_update(
    names: refs.Names,
    end_of_life_date: str | None,
    disallowed_disk_types: tuple[str, ...],
    tags: tuple[str, ...],
    sets: tuple[str, ...],
    adds: tuple[str, ...],
    removes: tuple[str, ...],
    if_match: str | None,
    **options: Any,
) -> None:
    """Change recommended vCPUs/memory, description, EULA, privacy statement and release
    notes URIs, end-of-life date, disallowed disk types or tags (SIG-UPDATE)."""
    generic = parse_generic_update(sets, adds, removes)
    changes: dict[str, Any] = _recommended(options)
    changes |= {
        field: options[field]
        for field in ("description", "eula", "privacy_statement_uri", "release_note_uri")
        if options.get(field) is not None
    }
    if end_of_life_date is not None:
        changes["end_of_life_date"] = parse_eol(end_of_life_date)
    if disallowed_disk_types:
        changes["disallowed_disk_types"] = [t for t in disallowed_disk_types if t]
    if (new_tags := parse_tags(tags)) is not None:
        changes["tags"] = new_tags
    if not changes and not generic:
        raise usage_error("nothing to update: give the fields to change, --set, --add or --remove")
    catalog = current_state().catalog(writes=True)
    with catalog.write() as db:
        row = refs.named(db, "definition", names, ImageDefinition)
        definition_id = lookup.arm_id(db, row)
        current = azure_json.definition(db, row)
        changes |= generic_changes(generic, DEFINITION_PATHS, current, DEFINITION_UPDATABLE)
        data = schemas.build(schemas.DefinitionUpdate, **changes)
        updated = services.update_definition(
            db, definition_id, data, catalog.clock, if_match=if_match
        )
        shown = azure_json.definition(db, updated)
    emit(shown, "definition")


@definition_group.command("delete")
@definition_ref_options
@delete_options
def definition_delete(names: refs.Names, if_match: str | None) -> None:
    """Delete an image definition that has no versions (SIG-DELETE); no question, and one
    that does not exist is gone already (as az)."""
    refs.delete(
        "definition",
        names,
        lambda db, definition_id: services.delete_definition(db, definition_id, if_match=if_match),
    )
