"""ARM templates, as `az deployment group create` deploys them: parameters, the few
template expressions import evaluates, and the ids of resources that give none."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sigtui.catalog.azure.importing.shapes import KIND_OF_TYPE, Json, flatten, label
from sigtui.catalog.model import ids
from sigtui.catalog.model.errors import CatalogError


@dataclass(frozen=True)
class Deployment:
    """Where the resources of a template without ids go, as `az deployment group create`
    deploys them: a resource group (its location for `[resourceGroup().location]`) and
    parameter values."""

    group_id: str | None = None
    parameters: Json = field(default_factory=dict)
    group_location: str | None = None


def template_resources(document: Json, deployment: Deployment) -> Iterator[Json]:
    """An ARM template, as `az deployment group create` would deploy it: parameters from
    `deployment.parameters`, else their defaults; each gallery resource's id from its
    `metadata.resourceId` (as `sigtui export arm` writes it), else from the deployment's
    resource group and the resource's name."""
    values: Json = {}
    for name, spec in (document.get("parameters") or {}).items():
        given = deployment.parameters.get(name, (spec or {}).get("defaultValue"))
        values[name] = _evaluate(given, values, deployment)
    for resource in document["resources"]:
        if str(resource.get("type") or "").casefold() not in KIND_OF_TYPE:
            yield flatten(resource)
            continue
        evaluated = {
            key: value if key in _NOT_EVALUATED else _evaluate(value, values, deployment)
            for key, value in resource.items()
        }
        metadata = resource.get("metadata") or {}
        flat = flatten(evaluated)
        if isinstance(metadata.get("reported"), dict):
            flat = with_reported(flat, metadata["reported"])
        flat["id"] = metadata.get("resourceId") or _deployed_id(flat, deployment)
        yield flat


def with_reported(resource: Json, reported: Json) -> Json:
    """The resource with the read-only values `sigtui export arm` keeps in its metadata
    (`metadata.reported`: disk sizes, publishedDate) put back where Azure reports them;
    the template's own values win. Data disks are matched by LUN."""
    merged = dict(resource)
    for key, value in reported.items():
        mine = merged.get(key)
        if isinstance(value, dict) and isinstance(mine, dict):
            merged[key] = with_reported(mine, value)
        elif key == "dataDiskImages" and isinstance(value, list) and isinstance(mine, list):
            by_lun = {d.get("lun"): d for d in value if isinstance(d, dict)}
            merged[key] = [
                with_reported(d, by_lun.get(d.get("lun"), {})) if isinstance(d, dict) else d
                for d in mine
            ]
        elif key not in merged:
            merged[key] = value
    return merged


_NOT_EVALUATED = {"dependsOn", "metadata", "comments", "apiVersion"}


def _deployed_id(resource: Json, deployment: Deployment) -> str:
    if deployment.group_id is None:
        raise CatalogError(
            "SIG-INPUT",
            f"template resource {label(resource)!r} has no metadata.resourceId: give the "
            "resource group to deploy it to (--resource-group ID)",
        )
    names = str(resource.get("name") or "").split("/")
    kinds = ("galleries", "images", "versions")
    path = "/".join(f"{kind}/{name}" for kind, name in zip(kinds, names, strict=False))
    return f"{deployment.group_id}/providers/{ids.PROVIDER}/{path}"


def _evaluate(value: Any, values: Json, deployment: Deployment) -> Any:
    """Template expressions in a value: `[parameters('x')]`, `[concat(...)]`,
    `[resourceGroup().location]` and quoted literals."""
    if isinstance(value, dict):
        return {k: _evaluate(v, values, deployment) for k, v in value.items()}
    if isinstance(value, list):
        return [_evaluate(v, values, deployment) for v in value]
    if not isinstance(value, str) or not value.startswith("[") or value.startswith("[["):
        return value
    if not value.endswith("]"):
        return value
    return _expression(value[1:-1].strip(), values, deployment)


def _expression(text: str, values: Json, deployment: Deployment) -> Any:
    if text.startswith("'") and text.endswith("'"):
        return text[1:-1].replace("''", "'")
    match = _CALL.fullmatch(text)
    if match is None:
        raise _unsupported(text)
    function, arguments = match.group(1).casefold(), _arguments(match.group(2))
    if function == "parameters" and len(arguments) == 1:
        name = _expression(arguments[0], values, deployment)
        if values.get(name) is None:
            raise CatalogError(
                "SIG-INPUT",
                f"template parameter {name!r} has no value: give it (--parameters {name}=VALUE)",
            )
        return values[name]
    if function == "concat":
        return "".join(str(_expression(a, values, deployment)) for a in arguments)
    if text.replace(" ", "").casefold() == "resourcegroup().location":
        if deployment.group_location is None:
            raise CatalogError("SIG-INPUT", "[resourceGroup().location] needs --resource-group ID")
        return deployment.group_location
    raise _unsupported(text)


_CALL = re.compile(r"(\w+)\((.*)\)(?:\.location)?", re.DOTALL)


def _unsupported(text: str) -> CatalogError:
    return CatalogError("SIG-INPUT", f"template expression [{text}] is not supported by import")


def _arguments(text: str) -> list[str]:
    """Split a function's arguments at top-level commas (outside quotes and parentheses)."""
    arguments, depth, quoted, current = [], 0, False, ""
    for char in text:
        if char == "'":
            quoted = not quoted
        elif not quoted and char in "()":
            depth += 1 if char == "(" else -1
        elif not quoted and depth == 0 and char == ",":
            arguments.append(current.strip())
            current = ""
            continue
        current += char
    return [*arguments, current.strip()] if current.strip() else arguments
