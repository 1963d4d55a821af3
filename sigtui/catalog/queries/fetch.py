"""The read side: children of a node, parts of a version, counts per subscription x region.

Lists are one query each; counts are SQL aggregates (GROUP BY on indexed columns), never
Python loops over rows.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from sigtui.catalog.model.models import (
    DataDisk,
    Gallery,
    ImageDefinition,
    ImageVersion,
    ManagedImage,
    Principal,
    RegionAllowlist,
    Resource,
    ResourceGroup,
    RoleAssignment,
    Snapshot,
    Subscription,
    TargetRegion,
    Tenant,
)
from sigtui.catalog.queries import seen

if TYPE_CHECKING:
    from sigtui.catalog.rules.access import Visibility

Row = TypeVar("Row", bound=Resource)


def tenants(db: Session) -> Sequence[Tenant]:
    return db.exec(select(Tenant).order_by(Tenant.name_key)).all()


def subscriptions(db: Session, tenant_pk: int | None = None) -> Sequence[Subscription]:
    statement = select(Subscription).order_by(Subscription.name_key)
    if tenant_pk is not None:
        statement = statement.where(Subscription.tenant_pk == tenant_pk)
    return db.exec(statement).all()


def subscription_names(db: Session, viewer: Visibility | None = None) -> list[str]:
    """Every subscription's name (those `viewer` sees something in)."""
    statement = select(Subscription.name).where(seen.subscriptions(viewer, col(Subscription.pk)))
    return list(db.exec(statement.order_by(Subscription.name_key)))


def subscription_ids(db: Session, viewer: Visibility | None = None) -> list[str]:
    """Every subscription's GUID (those `viewer` sees something in)."""
    statement = select(Subscription.subscription_id)
    return list(db.exec(statement.where(seen.subscriptions(viewer, col(Subscription.pk)))))


def groups(db: Session, subscription_pk: int | None = None) -> Sequence[ResourceGroup]:
    """Every resource group (of one subscription), by name."""
    if subscription_pk is not None:
        return groups_of_subscriptions(db, [subscription_pk])
    return db.exec(select(ResourceGroup).order_by(ResourceGroup.name_key)).all()


def groups_of_subscriptions(
    db: Session, subscription_pks: Collection[int]
) -> Sequence[ResourceGroup]:
    """The resource groups of these subscriptions, by name."""
    if not subscription_pks:
        return []
    statement = select(ResourceGroup).where(
        col(ResourceGroup.subscription_pk).in_(list(subscription_pks))
    )
    return db.exec(statement.order_by(ResourceGroup.name_key)).all()


def galleries(
    db: Session, group_pk: int | None = None, subscription_pk: int | None = None
) -> Sequence[Gallery]:
    statement = select(Gallery).order_by(Gallery.name_key)
    if group_pk is not None:
        statement = statement.where(Gallery.resource_group_pk == group_pk)
    if subscription_pk is not None:
        statement = statement.where(Gallery.subscription_pk == subscription_pk)
    return db.exec(statement).all()


def galleries_of_groups(
    db: Session, group_pks: Collection[int], only: Collection[int] | None = None
) -> Sequence[Gallery]:
    """The galleries of these resource groups (those of them with the pks `only`), by
    name."""
    if not group_pks:
        return []
    statement = select(Gallery).where(
        col(Gallery.resource_group_pk).in_(list(group_pks)), _among(col(Gallery.pk), only)
    )
    return db.exec(statement.order_by(Gallery.name_key)).all()


def _among(pk: Any, only: Collection[int] | None) -> sa.ColumnElement[bool]:
    return sa.true() if only is None else pk.in_(list(only))


def _definitions_after(gallery_pk: int, after: tuple[Any, ...]) -> sa.ColumnElement[bool]:
    clause = col(ImageDefinition.gallery_pk) == gallery_pk
    return sa.and_(clause, col(ImageDefinition.name_key) > after[0]) if after else clause


def definitions(
    db: Session,
    gallery_pk: int,
    *,
    after: tuple[Any, ...] = (),
    limit: int | None = None,
    only: Collection[int] | None = None,
) -> Sequence[ImageDefinition]:
    """Definitions of a gallery by name; a page: those named after `after` (name_key,),
    at most `limit` (keyset pagination on the unique (gallery, name_key) index); those
    with a pk in `only`, when given."""
    return db.exec(
        select(ImageDefinition)
        .where(_definitions_after(gallery_pk, after), _among(col(ImageDefinition.pk), only))
        .order_by(ImageDefinition.name_key)
        .limit(limit)
    ).all()


def definitions_among(db: Session, pks: Collection[int]) -> Sequence[ImageDefinition]:
    """The definitions with these pks, whatever their gallery, by name."""
    if not pks:
        return []
    statement = select(ImageDefinition).where(col(ImageDefinition.pk).in_(list(pks)))
    return db.exec(statement.order_by(ImageDefinition.name_key)).all()


def count_definitions(db: Session, gallery_pk: int, *, after: tuple[Any, ...] = ()) -> int:
    return db.exec(select(func.count()).where(_definitions_after(gallery_pk, after))).one()


_VERSION_NUMBER = (ImageVersion.major, ImageVersion.minor, ImageVersion.patch)


def _versions_before(definition_pk: int, after: tuple[Any, ...]) -> sa.ColumnElement[bool]:
    clause = col(ImageVersion.definition_pk) == definition_pk
    if not after:
        return clause
    return sa.and_(clause, sa.tuple_(*_VERSION_NUMBER) < sa.tuple_(*after))


def versions(
    db: Session,
    definition_pk: int,
    *,
    after: tuple[Any, ...] = (),
    limit: int | None = None,
    only: Collection[int] | None = None,
) -> Sequence[ImageVersion]:
    """Versions of a definition, highest first (compared numerically, SIG-LATEST); a page:
    those below `after` (major, minor, patch), at most `limit` (keyset pagination on the
    unique (definition, major, minor, patch) index); those with a pk in `only`, when
    given."""
    return db.exec(
        select(ImageVersion)
        .where(_versions_before(definition_pk, after), _among(col(ImageVersion.pk), only))
        .order_by(*(col(c).desc() for c in _VERSION_NUMBER))
        .limit(limit)
    ).all()


def versions_among(db: Session, pks: Collection[int]) -> Sequence[ImageVersion]:
    """The versions with these pks, whatever their definition, highest first."""
    if not pks:
        return []
    statement = select(ImageVersion).where(col(ImageVersion.pk).in_(list(pks)))
    return db.exec(statement.order_by(*(col(c).desc() for c in _VERSION_NUMBER))).all()


def count_versions(db: Session, definition_pk: int, *, after: tuple[Any, ...] = ()) -> int:
    return db.exec(select(func.count()).where(_versions_before(definition_pk, after))).one()


def managed_images(db: Session, group_pk: int) -> Sequence[ManagedImage]:
    return db.exec(
        select(ManagedImage)
        .where(ManagedImage.resource_group_pk == group_pk)
        .order_by(ManagedImage.name_key)
    ).all()


def snapshots(db: Session, group_pk: int) -> Sequence[Snapshot]:
    return db.exec(
        select(Snapshot).where(Snapshot.resource_group_pk == group_pk).order_by(Snapshot.name_key)
    ).all()


def target_regions(db: Session, version_pk: int) -> Sequence[TargetRegion]:
    return db.exec(
        select(TargetRegion)
        .where(TargetRegion.version_pk == version_pk)
        .order_by(col(TargetRegion.pk))
    ).all()


def target_regions_of(db: Session, version_pks: Iterable[int]) -> dict[int, list[TargetRegion]]:
    """Target regions of many versions in one query, by version."""
    keys = list(version_pks)
    found: dict[int, list[TargetRegion]] = {pk: [] for pk in keys}
    if keys:
        rows = db.exec(
            select(TargetRegion)
            .where(col(TargetRegion.version_pk).in_(keys))
            .order_by(col(TargetRegion.pk))
        )
        for row in rows:
            found[row.version_pk].append(row)
    return found


def replication_of_versions(
    db: Session, definition_pk: int, version_pks: Sequence[int] | None = None
) -> dict[int, list[Any]]:
    """What `replication.status_at` reads of every target region of a definition's versions
    (of those given), by version: `replication_of_versions_in` for one definition."""
    return replication_of_versions_in(db, [definition_pk], version_pks)


def replication_of_versions_in(
    db: Session, definition_pks: Collection[int], version_pks: Sequence[int] | None = None
) -> dict[int, list[Any]]:
    """What `replication.status_at` reads of every target region of the versions of these
    definitions (of those given), by version: state, progress, start and planned duration.
    One query of plain rows, as the tree and the details of a definition with thousands of
    versions need them."""
    if not definition_pks:
        return {}
    statement = (
        sa.select(
            col(TargetRegion.version_pk),
            col(TargetRegion.state),
            col(TargetRegion.progress),
            col(TargetRegion.started_at),
            col(TargetRegion.duration_seconds),
        )
        .join(ImageVersion, col(ImageVersion.pk) == TargetRegion.version_pk)
        .where(col(ImageVersion.definition_pk).in_(list(definition_pks)))
        .order_by(col(TargetRegion.pk))
    )
    if version_pks is not None:
        statement = statement.where(col(TargetRegion.version_pk).in_(version_pks))
    found: dict[int, list[Any]] = {}
    for row in db.execute(statement):
        found.setdefault(row.version_pk, []).append(row)
    return found


def data_disks(db: Session, version_pk: int) -> Sequence[DataDisk]:
    return db.exec(
        select(DataDisk).where(DataDisk.version_pk == version_pk).order_by(col(DataDisk.lun))
    ).all()


def allowlist(db: Session, subscription_pk: int) -> list[str]:
    return sorted(
        db.exec(
            select(RegionAllowlist.region).where(RegionAllowlist.subscription_pk == subscription_pk)
        )
    )


def principals(db: Session) -> Sequence[Principal]:
    return db.exec(select(Principal).order_by(Principal.name_key)).all()


def role_assignments(db: Session) -> Sequence[RoleAssignment]:
    return db.exec(select(RoleAssignment).order_by(col(RoleAssignment.pk))).all()


def count_children(
    db: Session, model: type[Resource], parent_column: str, parent_pks: Iterable[int]
) -> dict[int, int]:
    """How many `model` rows each parent has: one GROUP BY for all parents."""
    keys = list(parent_pks)
    if not keys:
        return {}
    parent = getattr(model, parent_column)
    rows = db.exec(select(parent, func.count()).where(col(parent).in_(keys)).group_by(parent)).all()
    counts = dict.fromkeys(keys, 0)
    counts.update({pk: n for pk, n in rows})
    return counts


# --- batch reads for whole lists (the CLI's and export's JSON): one query per kind ---------


def by_pk(db: Session, model: type[Row], pks: Iterable[int | None]) -> dict[int, Row]:
    """Rows of `model` by primary key, in one query; they stay in the session's identity
    map, so `db.get` finds them afterwards without SQL."""
    found: dict[int, Row] = {}
    missing: list[int] = []
    for pk in sorted({pk for pk in pks if pk is not None}):
        loaded = db.identity_map.get(db.identity_key(model, pk))
        if loaded is None:
            missing.append(pk)
        else:
            found[pk] = loaded
    if missing:
        for row in db.exec(select(model).where(col(model.pk).in_(missing))):
            assert row.pk is not None  # a stored row
            found[row.pk] = row
    return found


def data_disks_of(db: Session, version_pks: Iterable[int]) -> dict[int, list[DataDisk]]:
    """Data disks of many versions in one query, by version, ordered by LUN."""
    keys = list(version_pks)
    found: dict[int, list[DataDisk]] = {pk: [] for pk in keys}
    if keys:
        rows = db.exec(
            select(DataDisk)
            .where(col(DataDisk.version_pk).in_(keys))
            .order_by(col(DataDisk.version_pk), col(DataDisk.lun))
        )
        for row in rows:
            found[row.version_pk].append(row)
    return found


def allowlists_of(db: Session, subscription_pks: Iterable[int]) -> dict[int, list[str]]:
    """Allowlisted regions of many subscriptions in one query, by subscription."""
    keys = list(subscription_pks)
    found: dict[int, list[str]] = {pk: [] for pk in keys}
    if keys:
        rows = db.exec(
            select(RegionAllowlist)
            .where(col(RegionAllowlist.subscription_pk).in_(keys))
            .order_by(RegionAllowlist.region)
        )
        for row in rows:
            found[row.subscription_pk].append(row.region)
    return found


def all_managed_images(db: Session, subscription_pk: int | None = None) -> Sequence[ManagedImage]:
    """Managed images of every group (of one subscription when given)."""
    statement = select(ManagedImage).order_by(ManagedImage.name_key, col(ManagedImage.pk))
    if subscription_pk is not None:
        statement = statement.where(ManagedImage.subscription_pk == subscription_pk)
    return db.exec(statement).all()


def all_snapshots(db: Session, subscription_pk: int | None = None) -> Sequence[Snapshot]:
    """Snapshots of every group (of one subscription when given)."""
    statement = select(Snapshot).order_by(Snapshot.name_key, col(Snapshot.pk))
    if subscription_pk is not None:
        statement = statement.where(Snapshot.subscription_pk == subscription_pk)
    return db.exec(statement).all()
