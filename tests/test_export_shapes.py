"""`export arm` against the shapes Azure's template reference gives for galleries,
definitions and versions at apiVersion 2024-03-03 (SIG-API).

The shapes (tests/data/azure/arm-template-shapes-2024-03-03.json) are written from the
GalleryRP 2024-03-03 REST spec's definitions: the writable properties of each type, their
nesting and types. `shape_errors` walks a template's resources and names every property
that is not in them, is of the wrong type, or is required and missing.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from conftest import CopyOfBuilt, load_demo_into
from sqlmodel import select

from sigtui.catalog.azure import exporter
from sigtui.catalog.model.models import Subscription
from sigtui.catalog.store.clock import FixedClock
from sigtui.catalog.store.db import open_catalog

SHAPES = json.loads(
    (Path(__file__).parent / "data/azure/arm-template-shapes-2024-03-03.json").read_text()
)
DEMO_NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


# --- the check -------------------------------------------------------------------------------


def shape_errors(template: dict[str, Any]) -> list[str]:
    """Every way the template's resources differ from the shapes, one line each."""
    errors: list[str] = []
    for index, resource in enumerate(template["resources"]):
        where = f"resources[{index}]"
        spec = SHAPES["types"].get(resource.get("type"))
        if spec is None:
            errors.append(f"{where}.type: {resource.get('type')!r} is not a gallery type")
            continue
        envelope = {
            "properties": {**SHAPES["envelope"]["properties"], **spec.get("envelope", {})},
            "required": SHAPES["envelope"]["required"],
        }
        errors += _object_errors(resource, envelope, where)
        if resource.get("apiVersion") != SHAPES["apiVersion"]:
            errors.append(f"{where}.apiVersion: {resource.get('apiVersion')!r}")
        errors += _value_errors(
            resource.get("properties", {}), spec["properties"], f"{where}.properties"
        )
    return errors


def _is_expression(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("[") and value.endswith("]")


def _is_date_time(value: Any) -> bool:
    if not isinstance(value, str) or "T" not in value:
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


_SCALARS = {
    "string": lambda value: isinstance(value, str),
    "integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "boolean": lambda value: isinstance(value, bool),
    "date-time": lambda value: _is_date_time(value) or _is_expression(value),
    "object": lambda value: isinstance(value, dict),
}


def _value_errors(value: Any, type_name: str, where: str) -> list[str]:
    if type_name.endswith("[]"):
        if not isinstance(value, list):
            return [f"{where}: {value!r} is not a list"]
        item_type = type_name.removesuffix("[]")
        return [
            e for i, v in enumerate(value) for e in _value_errors(v, item_type, f"{where}[{i}]")
        ]
    if type_name.startswith("map<"):
        if not isinstance(value, dict):
            return [f"{where}: {value!r} is not an object"]
        item_type = type_name.removeprefix("map<").removesuffix(">")
        return [e for k, v in value.items() for e in _value_errors(v, item_type, f"{where}.{k}")]
    if type_name in _SCALARS:
        return [] if _SCALARS[type_name](value) else [f"{where}: {value!r} is not {type_name}"]
    definition = SHAPES["definitions"][type_name]
    if "enum" in definition:
        allowed = definition["enum"]
        return [] if value in allowed else [f"{where}: {value!r} is not one of {allowed}"]
    return _object_errors(value, definition, where)


def _object_errors(value: Any, definition: dict[str, Any], where: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where}: {value!r} is not an object"]
    known: dict[str, str] = definition["properties"]
    errors = [f"{where}.{key}: no such property" for key in value if key not in known]
    errors += [
        f"{where}.{key}: missing" for key in definition.get("required", []) if key not in value
    ]
    for key, type_name in known.items():
        if key in value:
            errors += _value_errors(value[key], type_name, f"{where}.{key}")
    return errors


# --- the tests -------------------------------------------------------------------------------


def test_every_type_the_shapes_name_is_defined() -> None:
    named = [spec["properties"] for spec in SHAPES["types"].values()]
    named += [t for spec in SHAPES["types"].values() for t in spec.get("envelope", {}).values()]
    named += [t for d in SHAPES["definitions"].values() for t in d.get("properties", {}).values()]
    named += list(SHAPES["envelope"]["properties"].values())
    bare = {t.removesuffix("[]").removeprefix("map<").removesuffix(">") for t in named}
    assert sorted(bare - set(_SCALARS) - set(SHAPES["definitions"])) == []


def test_the_demo_catalogs_export_has_azures_shapes(copy_of_built: CopyOfBuilt) -> None:
    clock = FixedClock(DEMO_NOW)
    catalog = open_catalog(copy_of_built("sqlite", load_demo_into, clock).url, clock=clock)
    try:
        with catalog.read() as db:
            scopes = [f"/subscriptions/{s.subscription_id}" for s in db.exec(select(Subscription))]
            templates = [exporter.arm_template(db, scope) for scope in scopes]
    finally:
        catalog.close()
    resources = [r for t in templates for r in t["resources"]]
    assert {r["type"] for r in resources} == set(SHAPES["types"])  # each type is checked
    assert [error for t in templates for error in shape_errors(t)] == []


def test_a_template_with_wrong_shapes_fails_the_check() -> None:
    wrong = {
        "resources": [
            {
                "type": "Microsoft.Compute/galleries",
                "apiVersion": "2018-06-01",
                "name": "g",
                "location": "westus",
                "properties": {"identifier": {"uniqueName": "x"}, "provisioningState": "Succeeded"},
            },
            {
                "type": "Microsoft.Compute/galleries/images",
                "apiVersion": "2024-03-03",
                "name": "g/d",
                "location": "westus",
                "properties": {
                    "osType": "linux",
                    "osState": "Generalized",
                    "identifier": {"publisher": "p", "offer": "o"},
                    "recommended": {"memory": {"min": "4"}},
                    "features": {"SecurityType": "TrustedLaunch"},
                },
            },
            {
                "type": "Microsoft.Compute/galleries/images/versions",
                "apiVersion": "2024-03-03",
                "name": "g/d/1.0.0",
                "location": "westus",
                "resourceGroup": "rg",
                "properties": {
                    "publishingProfile": {
                        "targetRegions": [
                            {"name": "East US", "storageAccountType": "standard_zrs"}
                        ],
                        "publishedDate": "2024-01-01T00:00:00Z",
                        "endOfLifeDate": "2030-01-01",
                    },
                    "storageProfile": {
                        "source": {"id": "/subscriptions/s/images/i", "resourceGroup": "rg"},
                        "osDiskImage": {"sizeInGB": 30},
                    },
                },
            },
        ]
    }
    versions = "resources[2].properties"
    assert shape_errors(wrong) == [
        "resources[0].apiVersion: '2018-06-01'",
        "resources[0].properties.provisioningState: no such property",
        "resources[0].properties.identifier.uniqueName: no such property",
        "resources[1].properties.osType: 'linux' is not one of ['Windows', 'Linux']",
        "resources[1].properties.identifier.sku: missing",
        "resources[1].properties.recommended.memory.min: '4' is not integer",
        "resources[1].properties.features: {'SecurityType': 'TrustedLaunch'} is not a list",
        "resources[2].resourceGroup: no such property",
        f"{versions}.publishingProfile.publishedDate: no such property",
        f"{versions}.publishingProfile.targetRegions[0].storageAccountType: 'standard_zrs' is not "
        "one of ['Standard_LRS', 'Standard_ZRS', 'Premium_LRS', 'PremiumV2_LRS']",
        f"{versions}.publishingProfile.endOfLifeDate: '2030-01-01' is not date-time",
        f"{versions}.storageProfile.source.resourceGroup: no such property",
        f"{versions}.storageProfile.osDiskImage.sizeInGB: no such property",
    ]
