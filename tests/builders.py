"""Helpers for the rule tests: build a small catalog through the services (the one way in
for writes), read it back, and check that a refused operation changed nothing.

- `Build(catalog)`: one method per resource, each one service call in its own
  transaction, returning what the next call needs (an ARM id, or a subscription id).
- `small_catalog(catalog)`: a tenant, a subscription, a resource group in West US, a
  gallery, a Linux generalized definition and a managed image to make versions from.
- `refused(catalog, code, action)`: runs `action(session)` in a write transaction,
  asserts it raises CatalogError with `code`, and that every table is as it was.
- `catalog_state(catalog)`: every row of every table of the schema.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from sigtui.catalog import services
from sigtui.catalog.model import models
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import ImageVersion
from sigtui.catalog.model.schemas import (
    DefinitionCreate,
    DefinitionUpdate,
    GalleryCreate,
    GalleryUpdate,
    GroupCreate,
    ManagedImageCreate,
    PrincipalCreate,
    SnapshotCreate,
    SubscriptionCreate,
    TenantCreate,
    VersionCreate,
    VersionUpdate,
)
from sigtui.catalog.queries import fetch, lookup
from sigtui.catalog.store.clock import FixedClock
from sigtui.catalog.store.db import Catalog

T = TypeVar("T")

TENANT = "Contoso"
SUBSCRIPTION = "Production"
SUBSCRIPTION_ID = "11111111-1111-1111-1111-111111111111"
OTHER_SUBSCRIPTION_ID = "22222222-2222-2222-2222-222222222222"
GROUP = "rg-images"
LOCATION = "westus"

# every table of the schema, so that a snapshot of the catalog leaves nothing out
ALL_TABLES = tuple(SQLModel.metadata.sorted_tables)
assert {t.name for t in ALL_TABLES} >= {m.__tablename__ for m in models.RESOURCE_TABLES}


# --- the state of the catalog -------------------------------------------------------------


def catalog_state(catalog: Catalog) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, in primary-key order (a whole-catalog snapshot)."""
    with catalog.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            return _state_in_one_statement(conn)
        return {table.name: _rows(conn, table) for table in ALL_TABLES}


def _order(table: sa.Table) -> list[sa.Column[Any]]:
    return list(table.primary_key.columns) or list(table.columns)


def _rows(conn: sa.Connection, table: sa.Table) -> list[dict[str, Any]]:
    return [dict(row) for row in conn.execute(sa.select(table).order_by(*_order(table))).mappings()]


def _state_in_one_statement(conn: sa.Connection) -> dict[str, list[dict[str, Any]]]:
    """PostgreSQL: every table's rows as JSON in one statement (a statement a table, on a
    server, costs its round trip, more than the reading; a snapshot is taken twice for
    each refusal tested)."""
    tables = []
    for table in ALL_TABLES:
        order = ", ".join(f't."{column.name}"' for column in _order(table))
        tables.append(
            f"(SELECT coalesce(json_agg(t ORDER BY {order}), '[]') FROM \"{table.name}\" t) "
            f'AS "{table.name}"'
        )
    return dict(conn.exec_driver_sql("SELECT " + ", ".join(tables)).mappings().one())


def refused(catalog: Catalog, code: str, action: Callable[[Session], object]) -> CatalogError:
    """`action` in one write transaction must fail with `code` and change nothing."""
    before = catalog_state(catalog)
    try:
        with catalog.write() as db:
            result = action(db)
    except CatalogError as exc:
        error = exc
    else:
        pytest.fail(f"expected {code}, but the operation was accepted: {result!r}")
    assert error.code == code, f"expected {code}, got {error}"
    assert catalog_state(catalog) == before, f"refused ({error}) but the catalog changed"
    return error


def write(catalog: Catalog, action: Callable[[Session], T]) -> T:
    """`action` in one write transaction (committed)."""
    with catalog.write() as db:
        return action(db)


def read(catalog: Catalog, arm_id: str) -> Any:
    """The row an ARM id names, detached from its session."""
    with catalog.read() as db:
        return lookup.resolve(db, arm_id)


def id_of(catalog: Catalog, row: models.Resource) -> str:
    """The ARM id of a row a service returned."""
    with catalog.read() as db:
        return lookup.arm_id(db, row)


def etag(catalog: Catalog, arm_id: str) -> int:
    return int(read(catalog, arm_id).etag)


def targets(catalog: Catalog, version_id: str) -> dict[str, models.TargetRegion]:
    """A version's target regions by programmatic region name."""
    with catalog.read() as db:
        version = lookup.resolve_as(db, version_id, models.ImageVersion)
        assert version.pk is not None
        return {t.region: t for t in fetch.target_regions(db, version.pk)}


def replicas(catalog: Catalog, version_id: str) -> dict[str, tuple[int, str]]:
    """{region: (regional replica count, storage account type)} of a version."""
    return {
        name: (t.replica_count, t.storage_account_type)
        for name, t in targets(catalog, version_id).items()
    }


def data_disks(catalog: Catalog, version_id: str) -> list[tuple[int, int]]:
    """[(lun, size_gb)] of a version's data disks."""
    with catalog.read() as db:
        version = lookup.resolve_as(db, version_id, models.ImageVersion)
        assert version.pk is not None
        return [(d.lun, d.size_gb) for d in fetch.data_disks(db, version.pk)]


def count(catalog: Catalog, model: type[SQLModel]) -> int:
    with catalog.engine.connect() as conn:
        table: Any = model.__table__  # type: ignore[attr-defined]
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


# --- building ------------------------------------------------------------------------------


class Build:
    """Make resources through the services, one transaction each."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    @property
    def clock(self) -> FixedClock:
        clock = self.catalog.clock
        assert isinstance(clock, FixedClock)
        return clock

    def _create(self, action: Callable[[Session], models.Resource]) -> str:
        with self.catalog.write() as db:
            return lookup.arm_id(db, action(db))

    def tenant(self, name: str = TENANT, tenant_id: str | None = None) -> str:
        data = TenantCreate(name=name, tenant_id=tenant_id)
        with self.catalog.write() as db:
            return services.create_tenant(db, data, self.clock).tenant_id

    def subscription(
        self,
        name: str = SUBSCRIPTION,
        subscription_id: str = SUBSCRIPTION_ID,
        *,
        tenant: str = TENANT,
        cloud: str = "AzureCloud",
        allowlisted: Sequence[str] = (),
    ) -> str:
        """Returns the subscription id."""
        data = SubscriptionCreate(
            name=name,
            subscription_id=subscription_id,
            tenant=tenant,
            cloud=cloud,
            allowlisted_regions=list(allowlisted),
        )
        with self.catalog.write() as db:
            return services.create_subscription(db, data, self.clock).subscription_id

    def group(
        self, name: str = GROUP, location: str = LOCATION, *, subscription: str = SUBSCRIPTION_ID
    ) -> str:
        data = GroupCreate(subscription=subscription, name=name, location=location)
        return self._create(lambda db: services.create_group(db, data, self.clock))

    def gallery(
        self, group_id: str, name: str = "gallery1", location: str = LOCATION, **fields: Any
    ) -> str:
        data = GalleryCreate(name=name, location=location, **fields)
        return self._create(lambda db: services.create_gallery(db, group_id, data, self.clock))

    def definition(
        self,
        gallery_id: str,
        name: str = "def1",
        publisher: str = "Contoso",
        offer: str = "Finance",
        sku: str = "Backend",
        *,
        os_type: str = "Linux",
        os_state: str = "Generalized",
        location: str = LOCATION,
        **fields: Any,
    ) -> str:
        data = DefinitionCreate(
            name=name,
            location=location,
            publisher=publisher,
            offer=offer,
            sku=sku,
            os_type=os_type,
            os_state=os_state,
            **fields,
        )
        return self._create(lambda db: services.create_definition(db, gallery_id, data, self.clock))

    def managed_image(
        self,
        group_id: str,
        name: str = "image1",
        location: str = LOCATION,
        *,
        os_type: str = "Linux",
        os_disk_size_gb: int = 30,
        data_disk_sizes_gb: Sequence[int] = (),
        hyper_v_generation: str = "V1",
    ) -> str:
        data = ManagedImageCreate(
            group_id=group_id,
            name=name,
            location=location,
            os_type=os_type,
            hyper_v_generation=hyper_v_generation,
            os_disk_size_gb=os_disk_size_gb,
            data_disk_sizes_gb=list(data_disk_sizes_gb),
        )
        return self._create(lambda db: services.create_managed_image(db, data, self.clock))

    def snapshot(
        self,
        group_id: str,
        name: str = "snap1",
        location: str = LOCATION,
        *,
        size_gb: int = 64,
        os_type: str | None = "Linux",
    ) -> str:
        data = SnapshotCreate(
            group_id=group_id, name=name, location=location, size_gb=size_gb, os_type=os_type
        )
        return self._create(lambda db: services.create_snapshot(db, data, self.clock))

    def version(
        self,
        definition_id: str,
        name: str = "1.0.0",
        location: str = LOCATION,
        *,
        image: str | None = None,
        os_snapshot: str | None = None,
        targets: Sequence[str] | None = None,
        **fields: Any,
    ) -> str:
        """`targets` in the CLI's syntax, `region[=replicas][=storage-type]`."""
        data = version_create(
            name, location, image=image, os_snapshot=os_snapshot, targets=targets, **fields
        )
        return self._create(lambda db: services.create_version(db, definition_id, data, self.clock))

    def principal(
        self, name: str = "alice", principal_type: str = "User", tenant: str = TENANT
    ) -> str:
        """Returns the principal's object id."""
        data = PrincipalCreate(name=name, principal_type=principal_type, tenant=tenant)
        with self.catalog.write() as db:
            return services.create_principal(db, data, self.clock).object_id


def version_create(
    name: str = "1.0.0",
    location: str = LOCATION,
    *,
    image: str | None = None,
    os_snapshot: str | None = None,
    targets: Sequence[str] | None = None,
    **fields: Any,
) -> VersionCreate:
    return VersionCreate(
        name=name,
        location=location,
        managed_image_id=image,
        os_snapshot_id=os_snapshot,
        target_regions=(
            None if targets is None else [services.parse_target_region(t) for t in targets]
        ),
        **fields,
    )


@dataclass
class World:
    """The small catalog of `small_catalog`: ids of its resources, and a builder."""

    build: Build
    catalog: Catalog
    subscription: str
    group: str
    gallery: str
    definition: str
    image: str

    @property
    def clock(self) -> FixedClock:
        return self.build.clock

    def version(
        self, name: str = "1.0.0", *, targets: Sequence[str] | None = None, **fields: Any
    ) -> str:
        """A version of the definition, from the managed image, in West US."""
        fields.setdefault("image", self.image)
        return self.build.version(self.definition, name, targets=targets, **fields)

    def refused(self, code: str, action: Callable[[Session], object]) -> CatalogError:
        return refused(self.catalog, code, action)

    def write(self, action: Callable[[Session], T]) -> T:
        return write(self.catalog, action)


def small_catalog(catalog: Catalog, *, allowlisted: Sequence[str] = ()) -> World:
    build = Build(catalog)
    build.tenant()
    subscription = build.subscription(allowlisted=allowlisted)
    group = build.group()
    gallery = build.gallery(group)
    definition = build.definition(gallery)
    image = build.managed_image(group)
    return World(build, catalog, subscription, group, gallery, definition, image)


# --- service calls as actions (for `refused` and `write`) ----------------------------------

Action = Callable[[Session], Any]


def gallery_call(world: World, name: str, location: str = LOCATION, **fields: Any) -> Action:
    """create_gallery in the small catalog's group (or `group=`)."""
    group = fields.pop("group", None) or world.group
    data = GalleryCreate(name=name, location=location, **fields)
    return lambda db: services.create_gallery(db, group, data, world.clock)


def definition_call(
    world: World,
    name: str = "def2",
    publisher: str = "Contoso",
    offer: str = "Finance",
    sku: str = "Frontend",
    gallery: str | None = None,
    **fields: Any,
) -> Action:
    """create_definition in the small catalog's gallery (or `gallery`); Linux, West US."""
    fields.setdefault("location", LOCATION)
    fields.setdefault("os_type", "Linux")
    data = DefinitionCreate(name=name, publisher=publisher, offer=offer, sku=sku, **fields)
    return lambda db: services.create_definition(db, gallery or world.gallery, data, world.clock)


def version_call(
    world: World, name: str = "1.0.0", definition: str | None = None, **kwargs: Any
) -> Action:
    """create_version from the managed image (unless `image=None`); `targets` in the CLI's
    syntax are parsed inside the transaction, as the CLI does."""
    kwargs.setdefault("image", world.image)

    def action(db: Session) -> ImageVersion:
        data = version_create(name, **kwargs)
        return services.create_version(db, definition or world.definition, data, world.clock)

    return action


def gallery_update_call(
    world: World, gallery_id: str | None = None, if_match: Any = None, **fields: Any
) -> Action:
    data = GalleryUpdate(**fields)
    return lambda db: services.update_gallery(
        db, gallery_id or world.gallery, data, world.clock, if_match=if_match
    )


def definition_update_call(
    world: World, definition_id: str | None = None, if_match: Any = None, **fields: Any
) -> Action:
    data = DefinitionUpdate(**fields)
    return lambda db: services.update_definition(
        db, definition_id or world.definition, data, world.clock, if_match=if_match
    )


def version_update_call(
    world: World, version_id: str, if_match: Any = None, **fields: Any
) -> Action:
    """update_version; `targets` in the CLI's syntax, parsed inside the transaction."""

    def action(db: Session) -> ImageVersion:
        given = dict(fields)
        if "targets" in given:
            given["target_regions"] = [
                services.parse_target_region(t) for t in given.pop("targets")
            ]
        data = VersionUpdate(**given)
        return services.update_version(db, version_id, data, world.clock, if_match=if_match)

    return action
