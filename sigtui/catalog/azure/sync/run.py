"""A sync: the subscriptions the credential sees (or those named), each read from ARM
and then written on its own, so one refused subscription leaves the others syncing."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

from sqlmodel import Session, select

from sigtui.catalog.azure.sync.arm import (
    CREDENTIAL_KINDS,
    AzureSubscription,
    Connection,
    EstateReader,
    list_subscriptions,
    make_credential,
)
from sigtui.catalog.azure.sync.faults import masked
from sigtui.catalog.azure.sync.write import Written, write_subscription
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import Subscription
from sigtui.catalog.rules import checks
from sigtui.catalog.store.db import Catalog

__all__ = [
    "CREDENTIAL_KINDS",
    "SubscriptionOutcome",
    "SyncOptions",
    "SyncReport",
    "azure_sdk_missing",
    "run_sync",
]

DEFAULT_CLOUD = "AzureCloud"
WORKERS = 8  # ARM calls in flight at once
_SDK_MODULES = ("azure.identity", "azure.mgmt.compute", "azure.mgmt.resource.subscriptions")


def azure_sdk_missing() -> str | None:
    """Why a sync cannot run here (the optional extra is not installed), or None."""
    for module in _SDK_MODULES:
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            return (
                f"the Azure SDKs are not installed ({module} is missing): "
                "pip install 'sigtui[azure]'"
            )
    return None


@dataclass(frozen=True)
class SyncOptions:
    subscriptions: tuple[str, ...] = ()  # names or ids; none: every one the credential sees
    resource_group: str | None = None
    credential: str = "default"
    dry_run: bool = False
    workers: int = WORKERS


class SyncProgress(Protocol):
    def subscription(self, label: str, index: int, count: int) -> object: ...
    def versions(self, done: int, total: int) -> object: ...
    def writing(self, label: str) -> object: ...


@dataclass
class SubscriptionOutcome:
    label: str
    written: Written | None = None
    error: CatalogError | None = None

    def summary(self, dry_run: bool) -> str:
        if self.error is not None:
            return f"{self.label}: failed: {self.error.message}"
        assert self.written is not None
        result, removed = self.written.result, self.written.removed or []
        if not self.written.changed:
            return f"{self.label}: nothing changed ({result.unchanged} unchanged)"
        verb = "would be " if dry_run else ""
        counts = [
            f"{result.created} {verb}created",
            f"{result.updated + self.written.observed} {verb}updated",
            f"{result.unchanged - self.written.observed} unchanged",
            f"{len(removed)} {verb}removed",
        ]
        return f"{self.label}: {', '.join(counts)}"


@dataclass
class SyncReport:
    dry_run: bool
    outcomes: list[SubscriptionOutcome] = field(default_factory=list)

    @property
    def failed(self) -> list[SubscriptionOutcome]:
        return [o for o in self.outcomes if o.error is not None]

    @property
    def changed(self) -> bool:
        return any(o.written is not None and o.written.changed for o in self.outcomes)

    def summary(self) -> str:
        synced = len(self.outcomes) - len(self.failed)
        what = "planned" if self.dry_run else "synced"
        line = f"{what} {synced} of {len(self.outcomes)} subscriptions"
        if not self.changed:
            line += ": nothing changed" if not self.dry_run else ": nothing would change"
        elif self.dry_run:
            line += ": nothing written (--dry-run)"
        if self.failed:
            line += f"; failed: {', '.join(o.label for o in self.failed)}"
        return line

    def errors(self) -> list[CatalogError]:
        return [o.error for o in self.failed if o.error is not None]


Connect = Callable[[str], Connection]  # a cloud's connection


def default_connect(credential: str) -> Connect:
    def connect(cloud: str) -> Connection:
        return Connection(make_credential(credential, cloud))

    return connect


def run_sync(
    catalog: Catalog,
    options: SyncOptions,
    *,
    connect: Connect | None = None,
    progress: SyncProgress | None = None,
) -> SyncReport:
    """Sync the subscriptions asked; SIG-AZURE when none can be listed (authentication)."""
    if options.credential not in CREDENTIAL_KINDS:
        raise CatalogError("SIG-INPUT", f"--credential is one of {', '.join(CREDENTIAL_KINDS)}")
    missing = azure_sdk_missing()
    if missing is not None:
        raise CatalogError("SIG-AZURE", missing)
    connect = connect or default_connect(options.credential)
    report = SyncReport(options.dry_run)
    connections: dict[str, Connection] = {}
    targets: list[tuple[AzureSubscription | None, str]] = []
    for cloud in _clouds(catalog, options.subscriptions):
        connections[cloud] = connect(cloud)
        visible = list_subscriptions(connections[cloud], cloud)
        targets += _chosen(visible, options.subscriptions)
    targets += _unseen(targets, options.subscriptions)
    with ThreadPoolExecutor(max_workers=max(1, options.workers)) as pool:
        for index, (subscription, label) in enumerate(targets, start=1):
            if progress is not None:
                progress.subscription(label, index, len(targets))
            report.outcomes.append(
                _sync_one(catalog, options, connections, subscription, label, pool, progress)
            )
    return report


def _sync_one(
    catalog: Catalog,
    options: SyncOptions,
    connections: dict[str, Connection],
    subscription: AzureSubscription | None,
    label: str,
    pool: ThreadPoolExecutor,
    progress: SyncProgress | None,
) -> SubscriptionOutcome:
    if subscription is None:
        error = CatalogError("SIG-AZURE", f"{label}: not a subscription the credential can see")
        return SubscriptionOutcome(label, error=error)
    told = progress.versions if progress is not None else None
    try:
        reader = EstateReader(connections[subscription.cloud], subscription, pool, told)
        bodies = reader.read(options.resource_group)
        if progress is not None:
            progress.writing(label)
        written = write_subscription(
            catalog, subscription, bodies, options.resource_group, dry_run=options.dry_run
        )
    except CatalogError as exc:
        safe = CatalogError(exc.code, masked(exc.message), field=exc.field)
        return SubscriptionOutcome(label, error=safe)
    return SubscriptionOutcome(label, written=written)


def _clouds(catalog: Catalog, named: tuple[str, ...]) -> list[str]:
    """The clouds to list: those of the named subscriptions the catalog knows (a named
    subscription it does not know, or none named: the public cloud)."""
    if not named:
        return [DEFAULT_CLOUD]
    with catalog.read() as db:
        clouds = [_cloud_of(db, name) for name in named]
    return sorted(set(clouds), key=clouds.index)


def _cloud_of(db: Session, name: str) -> str:
    key = checks.name_key(name)
    held = db.exec(
        select(Subscription.cloud).where(
            (Subscription.subscription_id == name.lower()) | (Subscription.name_key == key)
        )
    ).first()
    return held or DEFAULT_CLOUD


def _chosen(
    visible: list[AzureSubscription], named: tuple[str, ...]
) -> list[tuple[AzureSubscription | None, str]]:
    if not named:
        return [(s, s.label) for s in visible]
    wanted = {n.casefold() for n in named}
    return [
        (s, s.label)
        for s in visible
        if s.subscription_id.casefold() in wanted or s.name.casefold() in wanted
    ]


def _unseen(
    found: list[tuple[AzureSubscription | None, str]], named: tuple[str, ...]
) -> list[tuple[AzureSubscription | None, str]]:
    """The named subscriptions no cloud listed."""
    seen = set()
    for subscription, _ in found:
        if subscription is not None:
            seen |= {subscription.subscription_id.casefold(), subscription.name.casefold()}
    return [(None, f"subscription {n}") for n in named if n.casefold() not in seen]
