"""ARM resource ids: build them, and parse them case-insensitively (ARM ids are)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sigtui.catalog.model.errors import CatalogError

PROVIDER = "Microsoft.Compute"


@dataclass(frozen=True)
class ResourceId:
    """The parts of an ARM id that the catalog knows. `kind` names the leaf."""

    kind: str  # subscription | resourceGroup | gallery | definition | version | image | snapshot
    subscription: str
    resource_group: str | None = None
    gallery: str | None = None
    definition: str | None = None
    version: str | None = None
    name: str | None = None  # managed image or snapshot name

    def __str__(self) -> str:
        return format_id(self)


def subscription_id(sub: str) -> str:
    return f"/subscriptions/{sub}"


def group_id(sub: str, rg: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{rg}"


def gallery_id(sub: str, rg: str, gallery: str) -> str:
    return f"{group_id(sub, rg)}/providers/{PROVIDER}/galleries/{gallery}"


def definition_id(sub: str, rg: str, gallery: str, definition: str) -> str:
    return f"{gallery_id(sub, rg, gallery)}/images/{definition}"


def version_id(sub: str, rg: str, gallery: str, definition: str, version: str) -> str:
    return f"{definition_id(sub, rg, gallery, definition)}/versions/{version}"


def managed_image_id(sub: str, rg: str, name: str) -> str:
    return f"{group_id(sub, rg)}/providers/{PROVIDER}/images/{name}"


def snapshot_id(sub: str, rg: str, name: str) -> str:
    return f"{group_id(sub, rg)}/providers/{PROVIDER}/snapshots/{name}"


def storage_account_id(sub: str, rg: str, name: str) -> str:
    """A VHD blob's storage account (not a catalog resource: `parse_id` does not know it)."""
    return f"{group_id(sub, rg)}/providers/Microsoft.Storage/storageAccounts/{name}"


def format_id(rid: ResourceId) -> str:
    sub, rg = rid.subscription, rid.resource_group or ""
    match rid.kind:
        case "subscription":
            return subscription_id(sub)
        case "resourceGroup":
            return group_id(sub, rg)
        case "gallery":
            return gallery_id(sub, rg, rid.gallery or "")
        case "definition":
            return definition_id(sub, rg, rid.gallery or "", rid.definition or "")
        case "version":
            return version_id(sub, rg, rid.gallery or "", rid.definition or "", rid.version or "")
        case "image":
            return managed_image_id(sub, rg, rid.name or "")
        case "snapshot":
            return snapshot_id(sub, rg, rid.name or "")
    raise ValueError(rid.kind)


_SEGMENT = r"([^/]+)"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        ("subscription", rf"^/subscriptions/{_SEGMENT}/?$"),
        ("resourceGroup", rf"^/subscriptions/{_SEGMENT}/resourceGroups/{_SEGMENT}/?$"),
        (
            "gallery",
            rf"^/subscriptions/{_SEGMENT}/resourceGroups/{_SEGMENT}/providers/Microsoft\.Compute"
            rf"(?:/locations/[^/]+)?/galleries/{_SEGMENT}/?$",
        ),
        (
            "definition",
            rf"^/subscriptions/{_SEGMENT}/resourceGroups/{_SEGMENT}/providers/Microsoft\.Compute"
            rf"(?:/locations/[^/]+)?/galleries/{_SEGMENT}/images/{_SEGMENT}/?$",
        ),
        (
            "version",
            rf"^/subscriptions/{_SEGMENT}/resourceGroups/{_SEGMENT}/providers/Microsoft\.Compute"
            rf"(?:/locations/[^/]+)?/galleries/{_SEGMENT}/images/{_SEGMENT}/versions/{_SEGMENT}/?$",
        ),
        (
            "image",
            rf"^/subscriptions/{_SEGMENT}/resourceGroups/{_SEGMENT}/providers/Microsoft\.Compute"
            rf"/images/{_SEGMENT}/?$",
        ),
        (
            "snapshot",
            rf"^/subscriptions/{_SEGMENT}/resourceGroups/{_SEGMENT}/providers/Microsoft\.Compute"
            rf"/snapshots/{_SEGMENT}/?$",
        ),
    )
)


# the patterns exclude each other: the ones an import meets most are tried first
_FIRST = ("version", "definition", "gallery")
_BY_LIKELIHOOD = tuple(
    sorted(_PATTERNS, key=lambda p: _FIRST.index(p[0]) if p[0] in _FIRST else len(_FIRST))
)


def parse_id(text: str) -> ResourceId:
    """Parse an ARM id of a resource the catalog holds, or raise SIG-INPUT."""
    value = text.strip()
    for kind, pattern in _BY_LIKELIHOOD:
        match = pattern.match(value)
        if not match:
            continue
        parts = match.groups()
        if kind == "subscription":
            return ResourceId(kind, parts[0])
        if kind == "resourceGroup":
            return ResourceId(kind, parts[0], parts[1])
        if kind in ("image", "snapshot"):
            return ResourceId(kind, parts[0], parts[1], name=parts[2])
        names = dict(zip(("gallery", "definition", "version"), parts[2:], strict=False))
        return ResourceId(kind, parts[0], parts[1], **names)
    raise CatalogError("SIG-INPUT", f"not an ARM id of a gallery resource: {text!r}")
