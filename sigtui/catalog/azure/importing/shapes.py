"""The shapes Azure writes gallery resources in: their types, a body flattened as az
prints it (no `properties` wrapper), and fields a file may leave out."""

from __future__ import annotations

from functools import cache
from typing import Any

from sigtui.catalog.model import ids
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.rules import checks

Json = dict[str, Any]


KIND_OF_TYPE = {
    "microsoft.compute/galleries": "gallery",
    "microsoft.compute/galleries/images": "definition",
    "microsoft.compute/galleries/images/versions": "version",
}


KIND_ORDER = {"gallery": 0, "definition": 1, "version": 2}


def kind_of(resource: Json) -> str | None:
    kind_text = str(resource.get("type") or "").casefold()
    if kind_text:
        return KIND_OF_TYPE.get(kind_text)
    try:
        kind = ids.parse_id(str(resource.get("id") or "")).kind
    except CatalogError:
        return None
    return kind if kind in KIND_ORDER else None


def flatten(body: Json) -> Json:
    """The body without its `properties` wrapper (az's shape: the body itself, not copied)."""
    if "properties" not in body:
        return body
    properties = body.get("properties")
    flat = {k: v for k, v in body.items() if k != "properties"}
    if isinstance(properties, dict):
        flat = {**properties, **flat}
    return flat


def label(resource: Json) -> str:
    return str(resource.get("name") or resource.get("id") or "?")


MISSING = object()


def get(body: Json, *path: str) -> Any:
    value: Any = body
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return MISSING
        value = value[key]
    return value


def given(fields: dict[str, Any]) -> Json:
    """Only the fields the file states (a missing key leaves the catalog's value)."""
    return {name: value for name, value in fields.items() if value is not MISSING}


def as_date(value: Any) -> Any:
    if value is MISSING or value is None:
        return value
    return checks.parse_date(str(value))


# the values Azure reports (GalleryRP 2025-03-03: GalleryProvisioningState, HostCaching)
PROVISIONING_STATES = ("Creating", "Updating", "Failed", "Succeeded", "Deleting", "Migrating")
HOST_CACHING = ("None", "ReadOnly", "ReadWrite")


def reported(value: Any, allowed: tuple[str, ...], default: str, field: str) -> str:
    """A value Azure reports from a fixed set, in Azure's casing; `default` when the
    file leaves it out."""
    if value is MISSING or value is None:
        return default
    known = _casings(allowed).get(str(value).casefold())
    if known is not None:
        return known
    raise CatalogError(
        "SIG-INPUT", f"{field} {value!r} is not one of {', '.join(allowed)}", field=field
    )


@cache  # a few fixed sets, asked of every item
def _casings(allowed: tuple[str, ...]) -> dict[str, str]:
    """Each allowed value by its text without case (the first of those alike)."""
    casings: dict[str, str] = {}
    for known in allowed:
        casings.setdefault(known.casefold(), known)
    return casings


def provisioning_state(body: Json) -> str:
    return reported(
        get(body, "provisioningState"), PROVISIONING_STATES, "Succeeded", "provisioningState"
    )
