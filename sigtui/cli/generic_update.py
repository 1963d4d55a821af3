"""az's generic update: `--set path=value` on the resource's JSON shape.

A path names a property of the JSON that `show` prints (case-insensitively, as az
does). Paths of updatable properties, and of fixed ones the service can compare
(name, location, identifier.publisher, ...), become fields of the service's Update
schema: the service then refuses a changed fixed field with SIG-UPDATE. Any other path
is read-only (id, provisioningState, ...) or unknown: SIG-UPDATE as well.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sigtui.catalog.model import schemas
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.fields import (
    DEFINITION_FIELDS,
    GALLERY_FIELDS,
    VERSION_FIELDS,
    ResourceField,
)
from sigtui.catalog.model.schemas import TargetRegionSpec
from sigtui.catalog.rules import checks
from sigtui.cli.options import usage_error

Json = dict[str, Any]
Convert = Callable[[str], Any]


@dataclass(frozen=True)
class Assignment:
    path: str
    value: str


def parse_assignments(values: Sequence[str]) -> list[Assignment]:
    parsed = []
    for text in values:
        path, sep, value = text.partition("=")
        if not sep or not path.strip():
            raise usage_error(f"--set takes path=value, not {text!r}")
        parsed.append(Assignment(path.strip(), value))
    return parsed


# --- value conversions ---------------------------------------------------------------------


def _plain(value: str) -> Any:
    """Text as typed (the schema converts numbers and booleans); `null` clears."""
    return None if value == "null" else value


def _date(value: str) -> Any:
    return None if value == "null" else checks.parse_date(value)


def _json(value: str, what: str) -> Any:
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        raise CatalogError("SIG-INPUT", f"{what}: {value!r} is not JSON") from None


def _string_list(value: str) -> Any:
    if value.lstrip().startswith("["):
        return _json(value, "list")
    return [part.strip() for part in value.split(",") if part.strip()]


def target_region_specs(items: Sequence[Any]) -> list[TargetRegionSpec]:
    """ARM's targetRegions objects (or `region=N=TYPE` strings) as service specs."""
    from sigtui.catalog.services import parse_target_region

    specs = []
    for item in items:
        if isinstance(item, str):
            specs.append(parse_target_region(item))
        elif isinstance(item, dict):
            lowered = {str(k).casefold(): v for k, v in item.items()}
            specs.append(
                schemas.build(
                    TargetRegionSpec,
                    region=str(lowered.get("name", "")),
                    replica_count=lowered.get("regionalreplicacount"),
                    storage_account_type=lowered.get("storageaccounttype"),
                )
            )
        else:
            raise CatalogError("SIG-INPUT", f"target region {item!r} is not understood")
    return specs


def _target_regions(value: str) -> Any:
    parsed = _json(value, "publishingProfile.targetRegions")
    if not isinstance(parsed, list):
        raise CatalogError("SIG-INPUT", "publishingProfile.targetRegions takes a JSON list")
    return target_region_specs(parsed)


# --- the paths of each resource -------------------------------------------------------------


def _paths(
    fields: tuple[ResourceField, ...], converts: dict[str, Convert]
) -> dict[str, tuple[str, Convert]]:
    """Each field's path, casefolded, with its conversion (`_plain` unless given); tags
    are merged apart, and data disks come with the source and cannot be set."""
    return {
        field.json_path.casefold(): (field.name, converts.get(field.name, _plain))
        for field in fields
        if field.name != "tags" and field.in_update
    }


GALLERY_PATHS = _paths(GALLERY_FIELDS, {})
DEFINITION_PATHS = _paths(
    DEFINITION_FIELDS, {"end_of_life_date": _date, "disallowed_disk_types": _string_list}
)
VERSION_PATHS = _paths(
    VERSION_FIELDS, {"end_of_life_date": _date, "target_regions": _target_regions}
)

_INDEXED_TARGET = re.compile(r"^publishingprofile\.targetregions\[(\d+)\]\.(\w+)$")
_TARGET_FIELDS = {
    "name": "name",
    "regionalreplicacount": "regionalReplicaCount",
    "storageaccounttype": "storageAccountType",
}


def _has_path(shown: Json, path: str) -> bool:
    """Whether `path` names a property of the JSON (case-insensitively)."""
    value: Any = shown
    for part in path.split("."):
        if not isinstance(value, dict):
            return False
        keys = {str(k).casefold(): k for k in value}
        if part.casefold() not in keys:
            return False
        value = value[keys[part.casefold()]]
    return True


def _refuse(path: str, shown: Json, updatable: Sequence[str]) -> CatalogError:
    if _has_path(shown, path):
        return CatalogError(
            "SIG-UPDATE", f"{path} is read-only: it cannot change after creation", field=path
        )
    return CatalogError(
        "SIG-UPDATE",
        f"{path!r} is not a property that can be set; updatable: {', '.join(updatable)}",
        field=path,
    )


def changes_from_sets(
    assignments: Sequence[Assignment],
    paths: dict[str, tuple[str, Convert]],
    shown: Json,
    updatable: Sequence[str],
) -> dict[str, Any]:
    """The Update-schema fields the `--set` assignments ask for, given the resource's
    current JSON (`shown`: for tags merges and indexed target regions)."""
    changes: dict[str, Any] = {}
    tags: dict[str, str] | None = None
    targets: list[Json] | None = None
    for item in assignments:
        key = item.path.casefold()
        if key == "tags":
            parsed = _json(item.value, "tags")
            if not isinstance(parsed, dict):
                raise CatalogError("SIG-INPUT", "tags takes a JSON object", field="tags")
            tags = {str(k): str(v) for k, v in parsed.items()}
        elif key.startswith("tags."):
            tags = dict(shown.get("tags") or {}) if tags is None else tags
            tags[item.path[len("tags.") :]] = item.value
        elif key in paths:
            field, convert = paths[key]
            changes[field] = convert(item.value)
        elif (indexed := _INDEXED_TARGET.match(key)) and "publishingProfile" in shown:
            targets = targets or [dict(t) for t in shown["publishingProfile"]["targetRegions"]]
            _set_target(targets, int(indexed.group(1)), indexed.group(2), item)
            changes["target_regions"] = target_region_specs(targets)
        else:
            raise _refuse(item.path, shown, updatable)
    if tags is not None:
        changes["tags"] = tags
    return changes


def _set_target(targets: list[Json], index: int, field: str, item: Assignment) -> None:
    if index >= len(targets) or field not in _TARGET_FIELDS:
        raise CatalogError(
            "SIG-UPDATE", f"{item.path!r} does not name a target region's property", field="set"
        )
    value: Any = item.value
    if field == "regionalreplicacount":
        value = int(value) if checks.is_whole_number(value) else value
    targets[index][_TARGET_FIELDS[field]] = value
