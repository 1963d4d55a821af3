"""One resource as the CLI shows it, for the dashboard: its JSON exactly as
`sigtui ... show -o json` prints it (az's `show`), and the `az` command line that would
create it (the export's az script, one resource)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from sigtui.catalog.azure import azure_json, exporter
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import (
    Gallery,
    ImageDefinition,
    ImageVersion,
    ManagedImage,
    ResourceGroup,
    Snapshot,
    Subscription,
)
from sigtui.catalog.queries import lookup
from sigtui.catalog.rules import access
from sigtui.catalog.rules.access import Visibility
from sigtui.safe_text import json_text

Json = dict[str, Any]


def resource_json(db: Session, arm_id: str, viewer: Visibility | None = None) -> Json:
    """The resource with this ARM id as its `show` command prints it (SIG-ACCESS when
    `viewer` does not see it)."""
    row = lookup.resolve(db, arm_id)
    access.require_visible(db, viewer, row)
    match row:
        case Subscription():
            return azure_json.subscription(db, row)
        case ResourceGroup():
            return azure_json.resource_group(db, row)
        case Gallery():
            return azure_json.gallery(db, row)
        case ImageDefinition():
            return azure_json.definition(db, row)
        case ImageVersion():
            return azure_json.version(db, row)
        case ManagedImage():
            return azure_json.managed_image(db, row)
        case Snapshot():
            return azure_json.snapshot(db, row)
    raise CatalogError("SIG-INPUT", f"{arm_id} has no JSON form")


def json_document(db: Session, arm_id: str, viewer: Visibility | None = None) -> str:
    """`resource_json` as the CLI's `-o json` writes it: sorted keys, two-space indent,
    control characters as JSON escapes."""
    return json_text(resource_json(db, arm_id, viewer), default=str) + "\n"


CREATED_BY_AZ = ("resource group", "gallery", "image definition", "image version")


def create_command(db: Session, arm_id: str, viewer: Visibility | None = None) -> str:
    """The `az` command line (words quoted for a POSIX shell) that creates the resource
    with this ARM id as it is: a resource group, a gallery, a definition or a version."""
    row = lookup.resolve(db, arm_id)
    access.require_visible(db, viewer, row)
    if isinstance(row, ResourceGroup):
        return exporter.group_command(azure_json.resource_group(db, row))
    if isinstance(row, Gallery | ImageDefinition | ImageVersion):
        return exporter.resource_command(resource_json(db, arm_id, viewer))
    raise CatalogError(
        "SIG-INPUT",
        f"sigtui writes an az create command for a {', a '.join(CREATED_BY_AZ)} only",
    )
