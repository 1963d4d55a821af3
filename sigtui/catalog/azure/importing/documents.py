"""The gallery resources of a document, whatever its shape (az output, ARM bodies and
lists, REST examples, templates), each with its canonical id."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
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
    # the digest of the file's text that is this item alone (a resource of az's list),
    # kept with what it writes: a re-import of the same text is known without reading it
    digest: str | None = None
    # its text holds no NUL character: its fields are not walked for one (`schemas.build_checked`)
    nul_free: bool = False

    @cached_property
    def id(self) -> str:
        rid = self.rid
        if rid.kind == "version":  # most of a file: its definition's id made once
            definition = definition_id(
                rid.subscription, rid.resource_group or "", rid.gallery or "", rid.definition or ""
            )
            return f"{definition}/versions/{rid.version or ''}"
        return str(rid)

    @cached_property
    def key(self) -> str:
        """Its id without case (ARM ids compare so)."""
        return self.id.casefold()


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
    """A REST API example: its response body (200, else 201), each resource's id rebuilt
    from the parameters (the examples' ids are abbreviated); a list's items are named
    under the parent its parameters name. A body that is not a resource is left as it
    is (skipped, with a note)."""
    body = _response_body(document.get("responses") or {})
    if body is None:
        return
    parameters = document.get("parameters") or {}
    if isinstance(body, dict) and isinstance(body.get("value"), list):
        for resource in raw_resources(body["value"]):
            yield _with_id(resource, _listed_id(parameters, resource))
        return
    for resource in raw_resources(body):
        yield _with_id(resource, _id_from_parameters(parameters))


def _response_body(responses: Json) -> Any:
    for status in ("200", "201"):
        body = (responses.get(status) or {}).get("body")
        if body is not None:
            return body
    return None


def _with_id(resource: Json, rebuilt: str | None) -> Json:
    """The resource with the id the parameters give, when it is the kind they name (an
    application of a gallery, listed by the same parameters as its images, is not)."""
    if rebuilt is None or not is_resource(resource):
        return resource
    own = str(resource.get("id") or "").rstrip("/").split("/")
    if len(own) >= 2 and own[-2].casefold() != rebuilt.split("/")[-2].casefold():
        return resource
    return {**resource, "id": rebuilt}


def is_resource(body: Json) -> bool:
    """Whether a body is an ARM resource (a SharingUpdate or an operation status is not)."""
    return any(key in body for key in ("type", "location", "properties"))


_PATH_PARAMETERS = (
    "subscriptionId",
    "resourceGroupName",
    "galleryName",
    "galleryImageName",
    "galleryImageVersionName",
)


def _id_from_parameters(parameters: Json, *, named: str | None = None) -> str | None:
    """The id the path parameters name; `named`: of the child of that path of this name."""
    parts = [parameters.get(key) for key in _PATH_PARAMETERS]
    present = [str(p) for p in parts if p]
    if present != parts[: len(present)]:
        return None
    if named is not None:
        present.append(named)
    builders: dict[int, Callable[..., str]] = {
        3: ids.gallery_id,
        4: ids.definition_id,
        5: ids.version_id,
    }
    build = builders.get(len(present))
    return build(*present) if build is not None else None


def _listed_id(parameters: Json, resource: Json) -> str | None:
    """A list item's id: its name under the parent the parameters name (a list of a
    whole subscription names no resource group: the item's own id stands)."""
    name = resource.get("name")
    if not isinstance(name, str) or not name:
        return None
    return _id_from_parameters(parameters, named=name)


# `ids.definition_id`, made once per definition (a file's versions name a few hundred)
definition_id = lru_cache(maxsize=4_096)(ids.definition_id)


@lru_cache(maxsize=1_024)  # every item's id names its subscription: a file names a few
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
            result.skip(_what(resource), label(resource), noted=not is_resource(resource))
            continue
        found.append(Item(kind, _canonical_id(resource, kind), resource))
    if len(found) > 1:  # most documents are one resource (an item of az's list)
        found.sort(key=lambda item: KIND_ORDER[item.kind])
    return found


def _canonical_id(resource: Json, kind: str) -> ids.ResourceId:
    text = str(resource.get("id") or "")
    if not text:
        raise CatalogError("SIG-INPUT", f"a {kind} in the file has no id: {label(resource)}")
    rid = ids.parse_id(text)
    if rid.kind != kind:
        raise CatalogError("SIG-INPUT", f"{text}: the id is not that of a {kind}")
    subscription = stable_subscription_id(rid.subscription)
    if subscription == rid.subscription:  # a UUID in lower case already: the id as parsed
        return rid
    return ids.ResourceId(
        rid.kind,
        subscription,
        rid.resource_group,
        rid.gallery,
        rid.definition,
        rid.version,
    )


def _what(body: Json) -> str:
    """What a body that is not a gallery resource is, as the note about it names it."""
    if "operationType" in body and "groups" in body:
        return "SharingUpdate"
    if "status" in body and not is_resource(body):
        return "OperationStatus"
    return str(body.get("type") or "unknown")
