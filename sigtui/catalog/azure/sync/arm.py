"""Azure Resource Manager read with the official SDKs (imported here only, lazily: the
app's start never pays for them): the clouds' endpoints, the credentials, and a
subscription's galleries, definitions and versions as ARM's REST bodies."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sigtui.catalog.azure.importing.shapes import Json
from sigtui.catalog.azure.sync.faults import azure_error, is_subscription_gone, status_of
from sigtui.catalog.model.errors import CatalogError

ENDPOINT_VARIABLE = "SIGTUI_ARM_ENDPOINT"  # overrides every cloud's (tests, Azure Stack Hub)
ARM_ENDPOINTS = {
    "AzureCloud": "https://management.azure.com",
    "AzureChinaCloud": "https://management.chinacloudapi.cn",
    "AzureUSGovernment": "https://management.usgovcloudapi.net",
}
AUTHORITIES = {
    "AzureCloud": "login.microsoftonline.com",
    "AzureChinaCloud": "login.chinacloudapi.cn",
    "AzureUSGovernment": "login.microsoftonline.us",
}
CREDENTIAL_KINDS = ("default", "cli", "environment", "managed-identity")
REPLICATION_STATUS = "ReplicationStatus"


def quiet_sdk_logs() -> None:
    """The SDKs log their failures as warnings: with no handler of the app's, Python
    would print them on stderr beside sigtui's own one-line error."""
    sdk = logging.getLogger("azure")
    if not any(isinstance(h, logging.NullHandler) for h in sdk.handlers):
        sdk.addHandler(logging.NullHandler())


def arm_endpoint(cloud: str) -> str:
    override = os.environ.get(ENDPOINT_VARIABLE, "").strip()
    return (override or ARM_ENDPOINTS.get(cloud, ARM_ENDPOINTS["AzureCloud"])).rstrip("/")


def make_credential(kind: str, cloud: str) -> Any:
    """The azure-identity credential `kind` names; sigtui keeps no token or secret."""
    from azure import identity

    authority = AUTHORITIES.get(cloud, AUTHORITIES["AzureCloud"])
    if kind == "default":
        return identity.DefaultAzureCredential(authority=authority)
    if kind == "cli":
        return identity.AzureCliCredential()
    if kind == "environment":
        return identity.EnvironmentCredential(authority=authority)
    if kind == "managed-identity":
        return identity.ManagedIdentityCredential()
    raise CatalogError("SIG-INPUT", f"--credential is one of {', '.join(CREDENTIAL_KINDS)}")


@dataclass
class Connection:
    """How the clients reach ARM: a credential, and per cloud the clients' options (a
    test gives its recorded transport and a retry policy that does not wait)."""

    credential: Any
    client_options: dict[str, Any] = field(default_factory=dict)

    def _common(self, cloud: str) -> dict[str, Any]:
        endpoint = arm_endpoint(cloud)
        scopes = [f"{ARM_ENDPOINTS.get(cloud, endpoint)}/.default"]
        return {"base_url": endpoint, "credential_scopes": scopes, **self.client_options}

    def subscriptions_client(self, cloud: str) -> Any:
        quiet_sdk_logs()
        from azure.mgmt.resource.subscriptions import SubscriptionClient

        return SubscriptionClient(self.credential, **self._common(cloud))

    def compute_client(self, subscription_id: str, cloud: str) -> Any:
        from azure.mgmt.compute import ComputeManagementClient

        return ComputeManagementClient(self.credential, subscription_id, **self._common(cloud))


@dataclass(frozen=True)
class AzureSubscription:
    subscription_id: str
    name: str
    tenant_id: str
    tenant_name: str
    cloud: str

    @property
    def label(self) -> str:
        return f"subscription {self.name} ({self.subscription_id})"


def list_subscriptions(connection: Connection, cloud: str) -> list[AzureSubscription]:
    """Every subscription the credential sees in `cloud`, with its tenant's name."""
    client = connection.subscriptions_client(cloud)
    try:
        tenants = {t.tenant_id: _tenant_name(t) for t in client.tenants.list()}
        return [
            AzureSubscription(
                str(s.subscription_id),
                str(s.display_name or s.subscription_id),
                str(s.tenant_id or ""),
                tenants.get(s.tenant_id, str(s.tenant_id or "")),
                cloud,
            )
            for s in client.subscriptions.list()
        ]
    except CatalogError:
        raise
    except Exception as exc:
        raise azure_error(f"listing the subscriptions at {arm_endpoint(cloud)}", exc) from None


def _tenant_name(tenant: Any) -> str:
    return str(getattr(tenant, "display_name", None) or tenant.tenant_id)


Progress = Callable[[int, int], object]  # versions read so far, versions found so far


@dataclass
class _Counter:
    """The versions read and found, told from the pool's threads."""

    progress: Progress | None
    done: int = 0
    total: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def found(self, count: int) -> None:
        with self.lock:
            self.total += count
            self._tell()

    def one_done(self) -> None:
        with self.lock:
            self.done += 1
            self._tell()

    def _tell(self) -> None:
        if self.progress is not None:
            self.progress(self.done, self.total)


def _names(arm_id: str) -> dict[str, str]:
    """The names an ARM id holds, by its segments' keys (casefolded)."""
    parts = arm_id.strip("/").split("/")
    return {parts[i].casefold(): parts[i + 1] for i in range(0, len(parts) - 1, 2)}


class EstateReader:
    """Reads one subscription's gallery resources, with at most `pool`'s threads at once."""

    def __init__(
        self,
        connection: Connection,
        subscription: AzureSubscription,
        pool: ThreadPoolExecutor,
        progress: Progress | None = None,
    ) -> None:
        self.subscription = subscription
        self.client = connection.compute_client(subscription.subscription_id, subscription.cloud)
        self.pool = pool
        self.counter = _Counter(progress)

    def read(self, resource_group: str | None) -> list[Json]:
        """The galleries, definitions and versions (each version with its replication
        status) as ARM's REST bodies; SIG-AZURE when any call fails for good."""
        galleries = self._call(self.subscription.label, self._galleries, resource_group)
        definitions = self._each(galleries, self._definitions)
        listed = self._each(definitions, self._versions)
        self.counter.found(len(listed))
        versions = [v for v in self.pool.map(self._expanded, listed) if v is not None]
        return [model.as_dict() for model in (*galleries, *definitions, *versions)]

    def _call(self, where: str, read: Callable[..., Any], *args: Any) -> Any:
        try:
            return read(*args)
        except CatalogError:
            raise
        except Exception as exc:
            if is_subscription_gone(exc):
                where = self.subscription.label
            raise azure_error(where, exc) from None

    def _each(self, parents: list[Any], read: Callable[[Any], list[Any]]) -> list[Any]:
        return [child for children in self.pool.map(read, parents) for child in children]

    def _galleries(self, resource_group: str | None) -> list[Any]:
        galleries = self.client.galleries
        if resource_group:
            return list(galleries.list_by_resource_group(resource_group))
        return list(galleries.list())

    def _definitions(self, gallery: Any) -> list[Any]:
        names = _names(gallery.id)
        read = self.client.gallery_images.list_by_gallery
        return self._children(gallery.id, read, names["resourcegroups"], names["galleries"])

    def _versions(self, definition: Any) -> list[Any]:
        names = _names(definition.id)
        read = self.client.gallery_image_versions.list_by_gallery_image
        path = (names["resourcegroups"], names["galleries"], names["images"])
        return self._children(definition.id, read, *path)

    def _children(
        self, parent_id: str, read: Callable[..., Iterable[Any]], *path: str
    ) -> list[Any]:
        """A parent's children; none when the parent went between two calls (404)."""
        try:
            return list(read(*path))
        except Exception as exc:
            if status_of(exc) == 404 and not is_subscription_gone(exc):
                return []
            raise azure_error(self._where(exc, parent_id), exc) from None

    def _expanded(self, listed: Any) -> Any | None:
        """One version with its replication status (None: it went since it was listed)."""
        names = _names(listed.id)
        path = (names["resourcegroups"], names["galleries"], names["images"], names["versions"])
        try:
            version = self.client.gallery_image_versions.get(*path, expand=REPLICATION_STATUS)
        except Exception as exc:
            if status_of(exc) == 404 and not is_subscription_gone(exc):
                return None
            raise azure_error(self._where(exc, listed.id), exc) from None
        finally:
            self.counter.one_done()
        return version

    def _where(self, exc: Exception, arm_id: str) -> str:
        return self.subscription.label if is_subscription_gone(exc) else arm_id
