"""The gallery resources of a document, whatever its shape (az output, ARM bodies and
lists, REST examples, templates), each with its canonical id."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sigtui.catalog.azure.importing.result import ImportResult
from sigtui.catalog.azure.importing.shapes import KIND_ORDER, Json, flatten, kind_of, label
from sigtui.catalog.azure.importing.template import Deployment, template_resources
from sigtui.catalog.model import ids
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.rules import checks


@dataclass(frozen=True)
class Item:
    """One gallery resource of a file, flattened as az prints it, with its canonical id."""

    kind: str
    rid: ids.ResourceId
    body: Json

    @property
    def id(self) -> str:
        return str(self.rid)


def raw_resources(document: Any, deployment: Deployment | None = None) -> Iterator[Json]:
    """Every resource object of a document, flattened (no `properties` wrapper)."""
    deployment = deployment or Deployment()
    if isinstance(document, list):
        for entry in document:
            yield from raw_resources(entry, deployment)
        return
    if not isinstance(document, dict):
        raise CatalogError("SIG-INPUT", "an import file holds JSON objects or lists of them")
    if "responses" in document:
        yield from _rest_example(document)
    elif "resources" in document and isinstance(document["resources"], list):
        yield from template_resources(document, deployment)
    elif "value" in document and isinstance(document["value"], list):
        yield from raw_resources(document["value"])
    else:
        yield flatten(document)


def _rest_example(document: Json) -> Iterator[Json]:
    """A REST API example: the 200 response body, its id rebuilt from the parameters
    (the examples' ids are abbreviated)."""
    body = ((document.get("responses") or {}).get("200") or {}).get("body")
    if body is None:
        return
    parameters = document.get("parameters") or {}
    for resource in raw_resources(body):
        rebuilt = _id_from_parameters(parameters)
        yield {**resource, "id": rebuilt} if rebuilt else resource


def _id_from_parameters(parameters: Json) -> str | None:
    parts = [
        parameters.get(key)
        for key in (
            "subscriptionId",
            "resourceGroupName",
            "galleryName",
            "galleryImageName",
            "galleryImageVersionName",
        )
    ]
    present = [p for p in parts if p]
    if len(present) < 3 or present != parts[: len(present)]:
        return None
    builders: dict[int, Callable[..., str]] = {
        3: ids.gallery_id,
        4: ids.definition_id,
        5: ids.version_id,
    }
    return builders[len(present)](*present)


def stable_subscription_id(text: str) -> str:
    """A subscription id as the catalog keeps it: a UUID; a placeholder maps to a stable one."""
    try:
        return checks.check_uuid(text, "subscription_id")
    except CatalogError:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"sigtui:import-subscription:{text}"))


def items_of(
    document: Any, result: ImportResult, deployment: Deployment | None = None
) -> list[Item]:
    """The gallery resources of a document, parents first; others counted as skipped."""
    found: list[Item] = []
    for resource in raw_resources(document, deployment):
        kind = kind_of(resource)
        if kind is None:
            result.skipped[str(resource.get("type") or "unknown")] += 1
            continue
        found.append(Item(kind, _canonical_id(resource, kind), resource))
    return sorted(found, key=lambda item: KIND_ORDER[item.kind])


def _canonical_id(resource: Json, kind: str) -> ids.ResourceId:
    text = str(resource.get("id") or "")
    if not text:
        raise CatalogError("SIG-INPUT", f"a {kind} in the file has no id: {label(resource)}")
    rid = ids.parse_id(text)
    if rid.kind != kind:
        raise CatalogError("SIG-INPUT", f"{text}: the id is not that of a {kind}")
    return ids.ResourceId(
        rid.kind,
        stable_subscription_id(rid.subscription),
        rid.resource_group,
        rid.gallery,
        rid.definition,
        rid.version,
    )
