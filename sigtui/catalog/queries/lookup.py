"""Finding resources by name or ARM id (SIG-NOT-FOUND), and the ARM id of a row."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlmodel import Session, col, func, select

from sigtui.catalog.model import ids
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import (
    Gallery,
    ImageDefinition,
    ImageVersion,
    ManagedImage,
    Principal,
    Resource,
    ResourceGroup,
    Snapshot,
    Subscription,
    Tenant,
    table_of,
)
from sigtui.catalog.queries import fetch
from sigtui.catalog.rules.checks import name_key

Row = TypeVar("Row", bound=Resource)
T = TypeVar("T")


def _not_found(what: str, name: str) -> CatalogError:
    return CatalogError("SIG-NOT-FOUND", f"{what} {name!r} does not exist")


def find_tenant(db: Session, name_or_id: str) -> Tenant:
    key = name_key(name_or_id)
    row = db.exec(
        select(Tenant).where(
            (col(Tenant.name_key) == key) | (func.lower(Tenant.tenant_id) == name_or_id.lower())
        )
    ).first()
    if row is None:
        raise _not_found("tenant", name_or_id)
    return row


def find_subscription(db: Session, name_or_id: str) -> Subscription:
    key = name_key(name_or_id)
    row = db.exec(
        select(Subscription).where(
            (col(Subscription.name_key) == key)
            | (func.lower(Subscription.subscription_id) == name_or_id.lower())
        )
    ).first()
    if row is None:
        raise _not_found("subscription", name_or_id)
    return row


def find_group(db: Session, subscription: Subscription, name: str) -> ResourceGroup:
    row = db.exec(
        select(ResourceGroup).where(
            ResourceGroup.subscription_pk == subscription.pk,
            ResourceGroup.name_key == name_key(name),
        )
    ).first()
    if row is None:
        raise _not_found("resource group", name)
    return row


def find_groups_named(db: Session, name: str) -> list[ResourceGroup]:
    """Every resource group of that name, across subscriptions."""
    return list(db.exec(select(ResourceGroup).where(ResourceGroup.name_key == name_key(name))))


def find_principal(db: Session, name_or_id: str) -> Principal:
    rows = list(
        db.exec(
            select(Principal).where(
                (col(Principal.name_key) == name_key(name_or_id))
                | (func.lower(Principal.object_id) == name_or_id.lower())
            )
        )
    )
    if not rows:
        raise _not_found("principal", name_or_id)
    if len(rows) > 1:
        raise CatalogError(
            "SIG-INPUT", f"several principals are called {name_or_id!r}; give its object id"
        )
    return rows[0]


def newest_first() -> tuple[Any, ...]:
    """SIG-LATEST's order of versions: highest first, compared part by part."""
    return (
        col(ImageVersion.major).desc(),
        col(ImageVersion.minor).desc(),
        col(ImageVersion.patch).desc(),
    )


def rank_in_definition() -> Any:
    """Each version's place among its definition's versions, newest first (1: the highest)."""
    return func.row_number().over(
        partition_by=col(ImageVersion.definition_pk), order_by=newest_first()
    )


def latest_version(db: Session, definition: ImageDefinition) -> ImageVersion | None:
    """SIG-LATEST: the highest version, compared part by part, not excluded from latest."""
    return db.exec(
        select(ImageVersion)
        .where(
            ImageVersion.definition_pk == definition.pk,
            col(ImageVersion.exclude_from_latest).is_(False),
        )
        .order_by(*newest_first())
        .limit(1)
    ).first()


def find_child(
    db: Session, model: type[Row], parent_column: str, parent_pk: int, name: str
) -> Row | None:
    """The child of that name (case-insensitively) under the parent, or None."""
    statement = select(model).where(
        getattr(model, parent_column) == parent_pk,
        table_of(model).c.name_key == name_key(name),
    )
    return db.exec(statement).first()


def _child(db: Session, model: type[Row], parent_column: str, parent_pk: int, name: str) -> Row:
    row = find_child(db, model, parent_column, parent_pk, name)
    if row is None:
        raise _not_found(str(model.__tablename__).replace("_", " "), name)
    return row


def resolve(db: Session, arm_id: str) -> Resource:
    """The resource an ARM id names (case-insensitively), or SIG-NOT-FOUND."""
    rid = ids.parse_id(arm_id)
    subscription = find_subscription(db, rid.subscription)
    if rid.kind == "subscription":
        return subscription
    group = find_group(db, subscription, rid.resource_group or "")
    assert group.pk is not None
    if rid.kind == "resourceGroup":
        return group
    if rid.kind == "image":
        return _child(db, ManagedImage, "resource_group_pk", group.pk, rid.name or "")
    if rid.kind == "snapshot":
        return _child(db, Snapshot, "resource_group_pk", group.pk, rid.name or "")
    gallery = _child(db, Gallery, "resource_group_pk", group.pk, rid.gallery or "")
    if rid.kind == "gallery":
        return gallery
    assert gallery.pk is not None
    definition = _child(db, ImageDefinition, "gallery_pk", gallery.pk, rid.definition or "")
    if rid.kind == "definition":
        return definition
    return find_version(db, definition, rid.version or "")


def find_version(db: Session, definition: ImageDefinition, name: str) -> ImageVersion:
    """A version by `Major.Minor.Patch` (compared numerically) or `latest`."""
    from sigtui.catalog.rules.checks import parse_version_name

    if name.casefold() == "latest":
        latest = latest_version(db, definition)
        if latest is None:
            raise CatalogError(
                "SIG-LATEST",
                f"image definition {definition.name!r} has no version that is not "
                "excluded from latest",
            )
        return latest
    number = parse_version_name(name)
    row = db.exec(
        select(ImageVersion).where(
            ImageVersion.definition_pk == definition.pk,
            ImageVersion.major == number.major,
            ImageVersion.minor == number.minor,
            ImageVersion.patch == number.patch,
        )
    ).first()
    if row is None:
        raise _not_found("image version", name)
    return row


def resolve_as(db: Session, arm_id: str, model: type[Row]) -> Row:
    row = resolve(db, arm_id)
    if not isinstance(row, model):
        kind = str(model.__tablename__).replace("_", " ")
        raise CatalogError("SIG-INPUT", f"{arm_id!r} is not the id of a {kind}")
    return row


def arm_id(db: Session, row: Resource, memo: dict[tuple[str, int], Any] | None = None) -> str:
    """The ARM id of a row. Give a `memo` (a dict) when making the ids of many siblings: their
    parents are then read once (the session's identity map holds rows only weakly, so a
    parent no one holds would be read again for each child)."""
    match row:
        case Subscription():
            return ids.subscription_id(row.subscription_id)
        case ResourceGroup():
            sub = db.get_one(Subscription, row.subscription_pk)
            return ids.group_id(sub.subscription_id, row.name)
        case ManagedImage():
            return ids.managed_image_id(*_group_parts(db, row.resource_group_pk, memo), row.name)
        case Snapshot():
            return ids.snapshot_id(*_group_parts(db, row.resource_group_pk, memo), row.name)
        case Gallery():
            return ids.gallery_id(*_group_parts(db, row.resource_group_pk, memo), row.name)
        case ImageDefinition():
            return f"{_parent_id(db, Gallery, row.gallery_pk, memo)}/images/{row.name}"
        case ImageVersion():
            return f"{_parent_id(db, ImageDefinition, row.definition_pk, memo)}/versions/{row.name}"
        case Tenant():
            return f"/tenants/{row.tenant_id}"
        case Principal():
            return f"/principals/{row.object_id}"
    raise TypeError(type(row).__name__)


def arm_ids(db: Session, rows: Sequence[Resource]) -> list[str]:
    """The ARM ids of many rows, their parents read in one query per level (not one per
    parent)."""
    held = _with_parents(db, rows)  # held while the ids are made: the map holds rows weakly
    memo: dict[tuple[str, int], Any] = {}
    return [arm_id(db, row, memo) for row in held[: len(rows)]]


# Child to parent: the models of a level's rows, the column naming their parent, its model.
_PARENTS: tuple[tuple[tuple[type[Resource], ...], str, type[Resource]], ...] = (
    ((ImageVersion,), "definition_pk", ImageDefinition),
    ((ImageDefinition,), "gallery_pk", Gallery),
    ((Gallery, ManagedImage, Snapshot), "resource_group_pk", ResourceGroup),
    ((ResourceGroup,), "subscription_pk", Subscription),
)


def _with_parents(db: Session, rows: Sequence[Resource]) -> list[Resource]:
    """`rows`, then their parents up to the subscriptions (one query per level), loaded
    into the session's identity map, where `arm_id` finds them."""
    found = list(rows)
    for models, column, parent in _PARENTS:
        pks = [getattr(row, column) for row in found if isinstance(row, models)]
        found += fetch.by_pk(db, parent, pks).values()
    return found


def _remembered(
    memo: dict[tuple[str, int], Any] | None, key: tuple[str, int], make: Callable[[], T]
) -> T:
    if memo is None:
        return make()
    if key not in memo:
        memo[key] = make()
    made: T = memo[key]  # what `make` made for this key
    return made


def _parent_id(
    db: Session, model: type[Resource], pk: int, memo: dict[tuple[str, int], Any] | None
) -> str:
    return _remembered(
        memo, (str(model.__tablename__), pk), lambda: arm_id(db, db.get_one(model, pk), memo)
    )


def _group_parts(
    db: Session, group_pk: int, memo: dict[tuple[str, int], Any] | None = None
) -> tuple[str, str]:
    def read() -> tuple[str, str]:
        group = db.get_one(ResourceGroup, group_pk)
        sub = db.get_one(Subscription, group.subscription_pk)
        return sub.subscription_id, group.name

    return _remembered(memo, ("resource_group", group_pk), read)
