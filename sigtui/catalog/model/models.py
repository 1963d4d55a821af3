"""The catalog's tables (SQLModel); the vocabulary of their fields is in enums.py.

Conventions:
- Every resource has an integer surrogate key `pk` and an `etag`: a version counter
  that SQLAlchemy bumps on each write and checks on flush (SIG-CONFLICT).
- Names are unique among siblings case-insensitively, like ARM: each named table keeps
  `name` as typed and `name_key` (its casefold) under a unique constraint.
- Galleries, definitions, versions, managed images and snapshots carry their
  `subscription_pk` (it never changes: there is no move, SIG-CROSS-SUB) so that
  "count per subscription x region" is one indexed GROUP BY.
- ON DELETE: parents RESTRICT the deletion of a resource that still has children
  (SIG-DELETE); parts that live only inside their owner (target regions, data disks,
  allowlist entries, role assignments of a deleted scope) CASCADE.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel

from sigtui.catalog.model.enums import (
    ReplicationState,
)

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC, on SQLite and PostgreSQL alike."""

    impl = sa.DateTime
    cache_ok = True

    def bind_processor(self, dialect: Any) -> Any:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        def process(value: datetime | None) -> str | None:
            """SQLite's default storage format in one `isoformat` call, not SQLAlchemy's
            conversion then %-format of seven fields: bulk loads bind millions of times."""
            if value is None:
                return None
            if value.tzinfo is UTC:  # the usual case; 26 characters drop the "+00:00"
                return value.isoformat(" ", "microseconds")[:26]
            naive = self.process_bind_param(value, dialect)
            assert naive is not None
            return naive.isoformat(" ", "microseconds")

        return process

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is UTC:  # the usual case, kept cheap: bulk loads bind millions
            return value.replace(tzinfo=None)
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the catalog; use an aware UTC time")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


OnDelete = Literal["CASCADE", "SET NULL", "RESTRICT"]


def table_of(model: type[SQLModel]) -> sa.Table:
    """The table of a table model: SQLAlchemy sets `__table__`, SQLModel does not declare it."""
    table: sa.Table = model.__table__  # type: ignore[attr-defined]
    return table


def _fk(target: str, ondelete: OnDelete, *, nullable: bool = False, index: bool = True) -> Any:
    return Field(
        default=None,
        foreign_key=target,
        ondelete=ondelete,
        nullable=nullable,
        index=index,
    )


_REPLICATING_ONLY = sa.column("state") == sa.literal(ReplicationState.REPLICATING.value)
# The replication screen lists the regions not Completed (a few) and the copies (not the
# source region) completed lately, found by their completion time: `schedule.board`
# names these terms as they are written here, so that both engines use the indexes.
_UNFINISHED = sa.column("state") != sa.literal(ReplicationState.COMPLETED.value)
_COMPLETED_COPY = sa.and_(
    sa.column("state") == sa.literal(ReplicationState.COMPLETED.value),
    sa.column("region") != sa.column("source_region"),
)


def _where_set(name: str, column: str) -> sa.Index:
    """An index of a nullable key over the rows that have one: a version has one kind of
    source, so bulk loads do not write an entry for each empty key."""
    present = sa.column(column).is_not(None)
    return sa.Index(name, column, sqlite_where=present, postgresql_where=present)


def _exactly_one(*columns: str) -> str:
    return " + ".join(f"(CASE WHEN {c} IS NULL THEN 0 ELSE 1 END)" for c in columns) + " = 1"


def _tags() -> Any:
    return Field(default_factory=dict, sa_type=sa.JSON, nullable=False)


def _when() -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=True)


# what sigtui gives the resources it makes; an import gives what Azure reported
SUCCEEDED = "Succeeded"
OS_DISK_CACHING = "ReadWrite"
DATA_DISK_CACHING = "None"


def _reported(default: str) -> Any:
    """A value Azure reports (a provisioning state, a disk's host caching), kept as an
    import gives it; `default` for what sigtui makes, and rows made before the column."""
    return Field(default=default, max_length=16, sa_column_kwargs={"server_default": default})


LOCAL = "local"  # made in sigtui (a form, the CLI, the demo seed, an import)
AZURE = "azure"  # observed: read from Azure by `sigtui sync`


def _import_digest() -> Any:
    """The digest of the import file's text a gallery resource was last written from;
    cleared by the database when anything else changes it (migration 0014): a re-import
    of the same text knows the resource unchanged without reading it."""
    return Field(default=None, max_length=32)


def _origin() -> Any:
    """Where a gallery resource came from (LOCAL or AZURE); AZURE state is observed."""
    return Field(default=LOCAL, max_length=8, sa_column_kwargs={"server_default": LOCAL})


class Resource(SQLModel):
    """Columns every resource table has."""

    pk: int | None = Field(default=None, primary_key=True)
    etag: int = Field(default=1, nullable=False)
    created_at: datetime | None = _when()
    updated_at: datetime | None = _when()

    @declared_attr.directive
    @classmethod
    def __mapper_args__(cls) -> dict[str, Any]:
        # optimistic concurrency: SQLAlchemy bumps and checks `etag` on every UPDATE/DELETE
        return {"version_id_col": table_of(cls).c.etag}


def pk_of(row: Resource | TargetRegion) -> int:
    """The primary key of a stored row: `pk` is None only until the row's first flush."""
    assert row.pk is not None, f"a {type(row).__name__} not stored yet has no key"
    return row.pk


class Tenant(Resource, table=True):
    __tablename__ = "tenant"
    tenant_id: str = Field(max_length=36, unique=True)
    name: str = Field(max_length=128)
    name_key: str = Field(max_length=128, unique=True)


class Subscription(Resource, table=True):
    __tablename__ = "subscription"
    subscription_id: str = Field(max_length=36, unique=True)
    name: str = Field(max_length=128)
    name_key: str = Field(max_length=128, unique=True)
    cloud: str = Field(default="AzureCloud", max_length=32)
    tenant_pk: int = _fk("tenant.pk", "RESTRICT")


class RegionAllowlist(SQLModel, table=True):
    """Regions a subscription is allowlisted for (SIG-REGION-ALLOWLIST)."""

    __tablename__ = "region_allowlist"
    subscription_pk: int = Field(
        foreign_key="subscription.pk", ondelete="CASCADE", primary_key=True
    )
    region: str = Field(max_length=64, primary_key=True)


class ResourceGroup(Resource, table=True):
    __tablename__ = "resource_group"
    __table_args__ = (sa.UniqueConstraint("subscription_pk", "name_key"),)
    subscription_pk: int = _fk("subscription.pk", "RESTRICT", index=False)
    name: str = Field(max_length=90)
    name_key: str = Field(max_length=90)
    location: str = Field(max_length=64)
    tags: dict[str, str] = _tags()


class Gallery(Resource, table=True):
    __tablename__ = "gallery"
    __table_args__ = (
        sa.UniqueConstraint("resource_group_pk", "name_key"),
        sa.Index("ix_gallery_subscription_location", "subscription_pk", "location"),
        _where_set("ix_gallery_import_digest", "import_digest"),
    )
    resource_group_pk: int = _fk("resource_group.pk", "RESTRICT", index=False)
    subscription_pk: int = _fk("subscription.pk", "RESTRICT", index=False)
    name: str = Field(max_length=80)
    name_key: str = Field(max_length=80)
    location: str = Field(max_length=64)
    description: str | None = Field(default=None)
    provisioning_state: str = _reported(SUCCEEDED)
    tags: dict[str, str] = _tags()
    origin: str = _origin()
    synced_at: datetime | None = _when()  # when a sync last wrote it
    import_digest: str | None = _import_digest()


class ImageDefinition(Resource, table=True):
    __tablename__ = "image_definition"
    __table_args__ = (
        sa.UniqueConstraint("gallery_pk", "name_key"),
        sa.UniqueConstraint("gallery_pk", "publisher_key", "offer_key", "sku_key"),
        sa.Index("ix_image_definition_subscription_location", "subscription_pk", "location"),
        _where_set("ix_image_definition_import_digest", "import_digest"),
    )
    gallery_pk: int = _fk("gallery.pk", "RESTRICT", index=False)
    subscription_pk: int = _fk("subscription.pk", "RESTRICT", index=False)
    name: str = Field(max_length=80)
    name_key: str = Field(max_length=80)
    location: str = Field(max_length=64)
    publisher: str = Field(max_length=128)
    offer: str = Field(max_length=64)
    sku: str = Field(max_length=64)
    publisher_key: str = Field(max_length=128)
    offer_key: str = Field(max_length=64)
    sku_key: str = Field(max_length=64)
    os_type: str = Field(max_length=16)
    os_state: str = Field(max_length=16)
    hyper_v_generation: str = Field(default="V1", max_length=4)
    architecture: str = Field(
        default="x64", max_length=8, sa_column_kwargs={"server_default": "x64"}
    )
    # name -> value, in the order given (REST `features[]`)
    features: dict[str, str] = Field(
        default_factory=dict,
        sa_type=sa.JSON,
        nullable=False,
        sa_column_kwargs={"server_default": sa.text("'{}'")},
    )
    description: str | None = Field(default=None)
    eula: str | None = Field(default=None)
    privacy_statement_uri: str | None = Field(default=None)
    release_note_uri: str | None = Field(default=None)
    end_of_life_date: datetime | None = _when()  # a date-time, as REST (SIG-EOL)
    min_vcpus: int | None = Field(default=None)
    max_vcpus: int | None = Field(default=None)
    min_memory_mb: int | None = Field(default=None)  # MB, as REST and az count it
    max_memory_mb: int | None = Field(default=None)
    disallowed_disk_types: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    provisioning_state: str = _reported(SUCCEEDED)
    tags: dict[str, str] = _tags()
    origin: str = _origin()
    synced_at: datetime | None = _when()  # when a sync last wrote it
    import_digest: str | None = _import_digest()


class _GroupSource(Resource):
    """Columns a source in a resource group (managed image, snapshot) has, not a table."""

    resource_group_pk: int = _fk("resource_group.pk", "RESTRICT", index=False)
    subscription_pk: int = _fk("subscription.pk", "RESTRICT")
    name: str = Field(max_length=80)
    name_key: str = Field(max_length=80)
    location: str = Field(max_length=64)


class ManagedImage(_GroupSource, table=True):
    """A managed image: a source for versions (SIG-MIGRATE). Always generalized."""

    __tablename__ = "managed_image"
    __table_args__ = (sa.UniqueConstraint("resource_group_pk", "name_key"),)
    os_type: str = Field(max_length=16)
    os_state: str = Field(default="Generalized", max_length=16)
    hyper_v_generation: str = Field(default="V1", max_length=4)
    os_disk_size_gb: int
    data_disk_sizes_gb: list[int] = Field(default_factory=list, sa_type=sa.JSON)
    tags: dict[str, str] = _tags()


class Snapshot(_GroupSource, table=True):
    """A disk snapshot: an OS or data disk source for versions."""

    __tablename__ = "snapshot"
    __table_args__ = (sa.UniqueConstraint("resource_group_pk", "name_key"),)
    size_gb: int
    os_type: str | None = Field(default=None, max_length=16)
    tags: dict[str, str] = _tags()


class ImageVersion(Resource, table=True):
    __tablename__ = "image_version"
    __table_args__ = (
        sa.UniqueConstraint("definition_pk", "major", "minor", "patch"),
        sa.Index("ix_image_version_subscription_location", "subscription_pk", "location"),
        # the `/` filter walks versions by name, and stops after a page of matches
        sa.Index("ix_image_version_name_location", "name", "location"),
        sa.CheckConstraint(
            _exactly_one("managed_image_pk", "os_snapshot_pk", "external_source_id"),
            name="one_source",
        ),
        _where_set("ix_image_version_managed_image_pk", "managed_image_pk"),
        _where_set("ix_image_version_os_snapshot_pk", "os_snapshot_pk"),
        _where_set("ix_image_version_import_digest", "import_digest"),
    )
    definition_pk: int = _fk("image_definition.pk", "RESTRICT", index=False)
    subscription_pk: int = _fk("subscription.pk", "RESTRICT", index=False)
    name: str = Field(max_length=32)
    major: int
    minor: int
    patch: int
    location: str = Field(max_length=64)
    managed_image_pk: int | None = _fk("managed_image.pk", "RESTRICT", nullable=True, index=False)
    os_snapshot_pk: int | None = _fk("snapshot.pk", "RESTRICT", nullable=True, index=False)
    # a source the catalog does not hold (a VM, another gallery's version, a VHD blob's URI,
    # an imported estate's image or disk), by its id
    external_source_id: str | None = Field(default=None)
    source_storage_account_id: str | None = Field(default=None)  # the VHD blob's account
    os_disk_size_gb: int  # 0: not known to the catalog (a VM's or a VHD blob's disk)
    os_host_caching: str = _reported(OS_DISK_CACHING)
    replica_count: int = Field(default=1)
    storage_account_type: str = Field(default="Standard_LRS", max_length=16)
    exclude_from_latest: bool = Field(default=False)
    end_of_life_date: datetime | None = _when()  # a date-time, as REST (SIG-EOL)
    published_at: datetime | None = _when()
    provisioning_state: str = _reported(SUCCEEDED)
    tags: dict[str, str] = _tags()
    origin: str = _origin()
    synced_at: datetime | None = _when()  # when a sync last wrote it
    # the simulator's speed factor for this version's regions (the demo catalog's
    # versions replicate visibly; 1: realistic durations)
    replication_speed: float = Field(default=1.0, sa_column_kwargs={"server_default": "1"})
    import_digest: str | None = _import_digest()


class DataDisk(SQLModel, table=True):
    """A data disk of an image version: its LUN, size and (for snapshot sources) snapshot."""

    __tablename__ = "data_disk"
    __table_args__ = (_where_set("ix_data_disk_snapshot_pk", "snapshot_pk"),)
    version_pk: int = Field(foreign_key="image_version.pk", ondelete="CASCADE", primary_key=True)
    lun: int = Field(primary_key=True)
    size_gb: int
    snapshot_pk: int | None = _fk("snapshot.pk", "RESTRICT", nullable=True, index=False)
    external_source_id: str | None = Field(default=None)
    storage_account_id: str | None = Field(default=None)  # the VHD blob's account
    host_caching: str = _reported(DATA_DISK_CACHING)


class TargetRegion(SQLModel, table=True):
    """One target region of a version, with its replication state (SIG-REPLICATION).

    `size_gb` and `source_region` are its version's (OS plus data disks, and location),
    copied when the region is added: Azure fixes both once a version exists, and with
    them the whole catalog's cost rollup reads this table alone (`ix_target_region_cost`).
    """

    __tablename__ = "target_region"
    __table_args__ = (
        sa.UniqueConstraint("version_pk", "region"),
        sa.Index(
            "ix_target_region_cost",
            "size_gb",
            "storage_account_type",
            "region",
            "source_region",
            "replica_count",
        ),
        # each version's monthly storage, summed to rank the costliest, from this alone
        sa.Index(
            "ix_target_region_version_cost",
            "version_pk",
            "size_gb",
            "storage_account_type",
            "replica_count",
        ),
        # the regions in flight are read on their own (a subscription losing an
        # allowlisting fails them), a few among hundreds of thousands: only those are
        # indexed, so loads do not pay for the others
        sa.Index(
            "ix_target_region_replicating",
            "state",
            sqlite_where=_REPLICATING_ONLY,
            postgresql_where=_REPLICATING_ONLY,
        ),
        sa.Index(
            "ix_target_region_unfinished",
            "state",
            sqlite_where=_UNFINISHED,
            postgresql_where=_UNFINISHED,
        ),
        sa.Index(
            "ix_target_region_completed",
            "completed_at",
            sqlite_where=_COMPLETED_COPY,
            postgresql_where=_COMPLETED_COPY,
        ),
    )
    pk: int | None = Field(default=None, primary_key=True)
    version_pk: int = _fk("image_version.pk", "CASCADE", index=False)
    region: str = Field(max_length=64)
    replica_count: int
    storage_account_type: str = Field(default="Standard_LRS", max_length=16)
    size_gb: int
    source_region: str = Field(max_length=64)
    state: str = Field(default="Unknown", max_length=16)
    progress: int = Field(default=0)
    details: str = Field(default="")
    duration_seconds: float | None = Field(default=None)  # planned when replication starts
    started_at: datetime | None = _when()
    updated_at: datetime | None = _when()
    completed_at: datetime | None = _when()


class Principal(Resource, table=True):
    __tablename__ = "principal"
    __table_args__ = (sa.UniqueConstraint("tenant_pk", "name_key"),)
    tenant_pk: int = _fk("tenant.pk", "RESTRICT", index=False)
    object_id: str = Field(max_length=36, unique=True)
    name: str = Field(max_length=128)
    name_key: str = Field(max_length=128)
    principal_type: str = Field(max_length=20)


class RoleAssignment(Resource, table=True):
    """A principal's role at one scope: a gallery, a definition or a version (SIG-ACCESS)."""

    __tablename__ = "role_assignment"
    __table_args__ = (
        sa.CheckConstraint(
            _exactly_one("gallery_pk", "definition_pk", "version_pk"), name="one_scope"
        ),
    )
    principal_pk: int = _fk("principal.pk", "CASCADE")
    role: str = Field(max_length=64)
    gallery_pk: int | None = _fk("gallery.pk", "CASCADE", nullable=True)
    definition_pk: int | None = _fk("image_definition.pk", "CASCADE", nullable=True)
    version_pk: int | None = _fk("image_version.pk", "CASCADE", nullable=True)


RESOURCE_TABLES: tuple[type[Resource], ...] = (
    Tenant,
    Subscription,
    ResourceGroup,
    Gallery,
    ImageDefinition,
    ManagedImage,
    Snapshot,
    ImageVersion,
    Principal,
    RoleAssignment,
)


class CatalogChange(SQLModel, table=True):
    """One row (id 1) whose `serial` every committed change moves on: what another
    session polls to notice that the catalog changed (see Catalog.change_marker)."""

    __tablename__ = "catalog_change"
    id: int = Field(primary_key=True)
    serial: int = Field(default=0, sa_type=sa.BigInteger, nullable=False)
    changed_at: datetime | None = _when()


class CatalogEvent(SQLModel, table=True):
    """One change to the catalog, written in the same transaction as the change: who
    (`actor`: the principal viewed as, or the local user), what (`action` on a `kind`
    of resource, its ARM id) and when (`at`). A batch (bulk edit, import) is one event."""

    __tablename__ = "catalog_event"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    actor: str = Field(max_length=128)
    action: str = Field(max_length=16)
    kind: str = Field(max_length=32)
    arm_id: str | None = Field(default=None)
    summary: str = Field(default="")
