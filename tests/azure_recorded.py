"""Azure Resource Manager, recorded: the SDK's real HTTP pipeline served by a custom
`HttpTransport` from bodies shaped exactly as Azure's REST examples for GalleryRP
2025-03-03 (tests/data/azure/rest-2025-03-03), with the ids, names and locations of a
made-up estate; list responses wrap them in `{"value": [...], "nextLink"?}`, as ARM does.

`RecordedArm` holds the estate (subscriptions, galleries, definitions, versions and
their replication status), the faults to answer (a status, its headers and ARM's error
body, for the next calls whose path matches), every request it served, and every sleep
the SDK's retry policy asked for (none is slept). `FakeCredential` gives a fixed fake
token: a test asserts that it never shows in any output."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError
from azure.core.pipeline.transport import HttpTransport
from azure.core.rest._http_response_impl import RestHttpClientTransportResponse

from sigtui.catalog.azure.sync.arm import Connection

EXAMPLES = Path(__file__).parent / "data" / "azure" / "rest-2025-03-03"
ENDPOINT = "https://arm.recorded.test"
FAKE_TOKEN = "eyJ0eXAiOiJKV1QifQ.eyJmYWtlIjoidG9rZW4tc2VjcmV0LTQyIn0.c2lnbmF0dXJlLWZha2U"
TENANT_ID = "7f3a5b1c-0000-4000-8000-00000000aaaa"
PAGE = 50  # items per page of a list (more: a nextLink)


def example_body(name: str) -> dict[str, Any]:
    document = json.loads((EXAMPLES / f"{name}.json").read_text())
    return dict(document["responses"]["200"]["body"])


def _sub_path(sub: str) -> str:
    return f"/subscriptions/{sub}"


@dataclass
class Version:
    name: str
    regions: dict[str, tuple[str, int]]  # display name -> (state, progress)
    source: str = "images/img1"


@dataclass
class Definition:
    name: str
    versions: dict[str, Version] = field(default_factory=dict)
    description: str | None = None


@dataclass
class Gallery:
    group: str
    name: str
    definitions: dict[str, Definition] = field(default_factory=dict)
    description: str = "This is the gallery description."


@dataclass
class Sub:
    subscription_id: str
    name: str
    galleries: dict[str, Gallery] = field(default_factory=dict)


@dataclass
class Fault:
    pattern: str  # a regular expression the request's path (and query) must match
    status: int
    code: str = ""
    message: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1  # answered this many times, then the path is served again


class RecordedArm:
    """The estate, the faults to answer, the requests served and the sleeps asked."""

    def __init__(self) -> None:
        self.subscriptions: dict[str, Sub] = {}
        self.faults: list[Fault] = []
        self.requests: list[str] = []
        self.sleeps: list[float] = []
        self.authorizations: set[str] = set()
        self.hosts: set[str] = set()

    # --- the estate --------------------------------------------------------------------

    def subscription(self, subscription_id: str, name: str) -> Sub:
        return self.subscriptions.setdefault(subscription_id, Sub(subscription_id, name))

    def add(
        self,
        sub: Sub,
        group: str,
        gallery: str,
        definition: str,
        versions: list[str],
        regions: dict[str, tuple[str, int]] | None = None,
    ) -> None:
        held = sub.galleries.setdefault(gallery.casefold(), Gallery(group, gallery))
        image = held.definitions.setdefault(definition.casefold(), Definition(definition))
        for name in versions:
            shown = regions or {"West US": ("Completed", 100), "East US": ("Completed", 100)}
            image.versions[name] = Version(name, dict(shown))

    def fail(self, pattern: str, status: int, code: str = "", message: str = "", **kw: Any) -> None:
        self.faults.append(Fault(pattern, status, code, message or code, **kw))

    # --- the transport ---------------------------------------------------------------

    def connection(self, credential: Any = None) -> Connection:
        options = {"transport": RecordedTransport(self), "retry_backoff_factor": 0}
        return Connection(credential or FakeCredential(), options)

    def connect(self, cloud: str) -> Connection:
        return self.connection()

    def answer(self, method: str, url: str, authorization: str) -> tuple[int, Any, dict[str, str]]:
        parsed = urlparse(url)
        target = parsed.path + ("?" + parsed.query if parsed.query else "")
        self.requests.append(f"{method} {target}")
        self.hosts.add(f"{parsed.scheme}://{parsed.netloc}")
        self.authorizations.add(authorization)
        for fault in self.faults:
            if fault.times > 0 and re.search(fault.pattern, target, re.IGNORECASE):
                fault.times -= 1
                body = {"error": {"code": fault.code, "message": fault.message}}
                return fault.status, body, fault.headers
        query = parse_qs(parsed.query)
        found = self._route(parsed.path.rstrip("/").split("/")[1:], query)
        if found is None:
            return 404, {"error": {"code": "ResourceNotFound", "message": target}}, {}
        return 200, found, {}

    def _route(self, parts: list[str], query: dict[str, list[str]]) -> Any:
        lowered = [p.casefold() for p in parts]
        if lowered == ["tenants"]:
            tenant = {"id": f"/tenants/{TENANT_ID}", "tenantId": TENANT_ID}
            return {"value": [{**tenant, "displayName": "Contoso", "tenantCategory": "Home"}]}
        if lowered == ["subscriptions"]:
            return {"value": [self._subscription_body(s) for s in self.subscriptions.values()]}
        sub = self.subscriptions.get(parts[1]) if len(parts) > 1 else None
        if sub is None:
            return None
        return self._in_subscription(sub, lowered, parts, query)

    def _in_subscription(
        self, sub: Sub, lowered: list[str], parts: list[str], query: dict[str, list[str]]
    ) -> Any:
        skip = int((query.get("$skiptoken") or ["0"])[0])
        if lowered[2:] == ["providers", "microsoft.compute", "galleries"]:
            return self._page(
                self._path(parts), [self._gallery(sub, g) for g in sub.galleries.values()], skip
            )
        if len(lowered) < 7 or lowered[2] != "resourcegroups":
            return None
        group = lowered[3]
        galleries = [g for g in sub.galleries.values() if g.group.casefold() == group]
        if len(lowered) == 7:
            return self._page(self._path(parts), [self._gallery(sub, g) for g in galleries], skip)
        gallery = next((g for g in galleries if g.name.casefold() == lowered[7]), None)
        if gallery is None:
            return None
        if len(lowered) == 8:
            return self._gallery(sub, gallery)
        if len(lowered) == 9:
            bodies = [self._definition(sub, gallery, d) for d in gallery.definitions.values()]
            return self._page(self._path(parts), bodies, skip)
        definition = gallery.definitions.get(lowered[9])
        if definition is None:
            return None
        if len(lowered) == 10:
            return self._definition(sub, gallery, definition)
        versions = list(definition.versions.values())
        if len(lowered) == 11:
            bodies = [self._version(sub, gallery, definition, v, False) for v in versions]
            return self._page(self._path(parts), bodies, skip)
        version = definition.versions.get(parts[11])
        if version is None:
            return None
        expand = (query.get("$expand") or [""])[0] == "ReplicationStatus"
        return self._version(sub, gallery, definition, version, expand)

    @staticmethod
    def _path(parts: list[str]) -> str:
        return "/" + "/".join(parts)

    @staticmethod
    def _page(path: str, bodies: list[Any], skip: int) -> dict[str, Any]:
        page: dict[str, Any] = {"value": bodies[skip : skip + PAGE]}
        if skip + PAGE < len(bodies):
            page["nextLink"] = f"{ENDPOINT}{path}?api-version=2025-03-03&$skiptoken={skip + PAGE}"
        return page

    # --- bodies, shaped as Azure's examples ------------------------------------------

    @staticmethod
    def _subscription_body(sub: Sub) -> dict[str, Any]:
        return {
            "id": _sub_path(sub.subscription_id),
            "subscriptionId": sub.subscription_id,
            "tenantId": TENANT_ID,
            "displayName": sub.name,
            "state": "Enabled",
        }

    @staticmethod
    def _gallery_id(sub: Sub, gallery: Gallery) -> str:
        return (
            f"{_sub_path(sub.subscription_id)}/resourceGroups/{gallery.group}"
            f"/providers/Microsoft.Compute/galleries/{gallery.name}"
        )

    def _gallery(self, sub: Sub, gallery: Gallery) -> dict[str, Any]:
        body = example_body("Gallery_Get")
        body["id"] = self._gallery_id(sub, gallery)
        body["name"] = gallery.name
        body["properties"] = {**body["properties"], "description": gallery.description}
        body["properties"]["identifier"] = {
            "uniqueName": f"{sub.subscription_id}-{gallery.name.upper()}"
        }
        return body

    def _definition(self, sub: Sub, gallery: Gallery, definition: Definition) -> dict[str, Any]:
        body = example_body("GalleryImage_Get")
        body["id"] = f"{self._gallery_id(sub, gallery)}/images/{definition.name}"
        body["name"] = definition.name
        properties = copy.deepcopy(body["properties"])
        properties["identifier"] = {
            "publisher": "myPublisherName",
            "offer": "myOfferName",
            "sku": definition.name,
        }
        if definition.description is not None:
            properties["description"] = definition.description
        body["properties"] = properties
        return body

    def _version(
        self, sub: Sub, gallery: Gallery, definition: Definition, version: Version, expand: bool
    ) -> dict[str, Any]:
        body = example_body("GalleryImageVersion_Get")
        definition_id = f"{self._gallery_id(sub, gallery)}/images/{definition.name}"
        body["id"] = f"{definition_id}/versions/{version.name}"
        body["name"] = version.name
        properties = copy.deepcopy(body["properties"])
        group = f"{_sub_path(sub.subscription_id)}/resourceGroups/{gallery.group}"
        properties["storageProfile"]["source"] = {
            "id": f"{group}/providers/Microsoft.Compute/{version.source}"
        }
        for target in properties["publishingProfile"]["targetRegions"]:
            target.pop("encryption", None)
        if expand:
            properties["replicationStatus"] = {
                "aggregatedState": _aggregated(version.regions),
                "summary": [
                    {"region": region, "state": state, "details": "", "progress": progress}
                    for region, (state, progress) in version.regions.items()
                ],
            }
        body["properties"] = properties
        return body


def _aggregated(regions: dict[str, tuple[str, int]]) -> str:
    states = {state for state, _ in regions.values()}
    if "Failed" in states:
        return "Failed"
    return "InProgress" if "Replicating" in states else "Completed"


class _Raw:
    """What RestHttpClientTransportResponse reads: an http.client response's surface."""

    def __init__(self, status: int, body: Any, headers: dict[str, str]) -> None:
        self.status = status
        self.reason = "OK" if status == 200 else "Error"
        self._body = json.dumps(body).encode()
        self._headers = {"Content-Type": "application/json; charset=utf-8", **headers}

    def getheaders(self) -> list[tuple[str, str]]:
        return list(self._headers.items())

    def read(self) -> bytes:
        return self._body


class RecordedTransport(HttpTransport):  # type: ignore[type-arg]
    """The SDK pipeline's last step: answers from the recording, and never sleeps."""

    def __init__(self, arm: RecordedArm) -> None:
        self.arm = arm

    def __enter__(self) -> RecordedTransport:
        return self

    def __exit__(self, *args: Any) -> None:
        return None

    def open(self) -> None:
        return None

    def close(self) -> None:
        return None

    def sleep(self, duration: float) -> None:
        self.arm.sleeps.append(duration)

    def send(self, request: Any, **kwargs: Any) -> Any:
        authorization = request.headers.get("Authorization", "")
        status, body, headers = self.arm.answer(request.method, request.url, authorization)
        raw = _Raw(status, body, headers)
        return RestHttpClientTransportResponse(request=request, internal_response=raw)


class FakeCredential:
    """A TokenCredential that gives a fixed fake token (no login, ever)."""

    def __init__(self, fails: str | None = None) -> None:
        self.fails = fails
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.scopes.append(scopes)
        if self.fails is not None:
            raise ClientAuthenticationError(message=self.fails)
        return AccessToken(FAKE_TOKEN, 4_102_444_800)


def small_estate(arm: RecordedArm, subscription_id: str, name: str) -> Sub:
    """One gallery in rg1 with two definitions of two versions, and one in rg2."""
    sub = arm.subscription(subscription_id, name)
    replicating = {"West US": ("Completed", 100), "East US": ("Replicating", 40)}
    arm.add(sub, "rg1", "gallery1", "def1", ["1.0.0", "1.0.1"])
    arm.add(sub, "rg1", "gallery1", "def2", ["2.0.0"], replicating)
    arm.add(sub, "rg1", "gallery1", "def2", ["2.0.1"])
    arm.add(sub, "rg2", "gallery2", "def3", ["3.0.0"])
    return sub


def requests_of(arm: RecordedArm, kind: str) -> Iterator[str]:
    return (r for r in arm.requests if kind in r)
