"""From az's options (`--subscription`, `-g`, `-r`, `-i`, `-e`, `--ids`) to ARM ids.

The services take ARM ids; these helpers build them from names, reading through
`lookup` only. A missing name is SIG-NOT-FOUND (exit 3 when it is the resource a `show`
or `update` names, as az); a resource group name found in several subscriptions without
`--subscription` is SIG-INPUT.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlmodel import Session

from sigtui.catalog.model import ids
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import Resource, ResourceGroup, Subscription
from sigtui.catalog.queries import fetch, lookup
from sigtui.catalog.rules import access
from sigtui.cli.context import current_state
from sigtui.cli.options import Names, usage_error
from sigtui.cli.output import emit

__all__ = ["Names"]

NOT_FOUND = "SIG-NOT-FOUND"


class ResourceMissing(CatalogError):
    """The resource a command names does not exist: az's exit code 3."""

    exit_code = 3


@contextmanager
def missing_exits_3() -> Iterator[None]:
    """SIG-NOT-FOUND raised inside becomes ResourceMissing (exit 3)."""
    try:
        yield
    except CatalogError as exc:
        if exc.code != NOT_FOUND or isinstance(exc, ResourceMissing):
            raise
        raise ResourceMissing(exc.code, exc.message, field=exc.field) from None


_FLAGS = {
    "group": "-g/--resource-group",
    "gallery": "-r/--gallery-name",
    "definition": "-i/--gallery-image-definition",
    "version": "-e/--gallery-image-version",
    "name": "-n/--name",
}


def subscription(db: Session, name_or_id: str | None) -> Subscription:
    """The subscription named, or the only one in the catalog when none is named."""
    if name_or_id:
        return lookup.find_subscription(db, name_or_id)
    every = fetch.subscriptions(db)
    if len(every) == 1:
        return every[0]
    if not every:
        raise CatalogError(
            "SIG-NOT-FOUND", "the catalog has no subscription yet (sigtui account create)"
        )
    raise CatalogError(
        "SIG-INPUT",
        f"the catalog has {len(every)} subscriptions; say which with --subscription",
    )


def group(db: Session, name: str, subscription_ref: str | None) -> ResourceGroup:
    """A resource group by name: in --subscription, else the one group of that name."""
    if subscription_ref:
        return lookup.find_group(db, lookup.find_subscription(db, subscription_ref), name)
    found = lookup.find_groups_named(db, name)
    if not found:
        raise CatalogError("SIG-NOT-FOUND", f"resource group {name!r} does not exist")
    if len(found) > 1:
        owners = fetch.by_pk(db, Subscription, [g.subscription_pk for g in found])
        names = ", ".join(sorted(s.name for s in owners.values()))
        raise CatalogError(
            "SIG-INPUT",
            f"resource group {name!r} exists in several subscriptions ({names}); "
            "say which with --subscription",
        )
    return found[0]


def group_parts(db: Session, row: ResourceGroup) -> tuple[str, str]:
    """(subscription GUID, group name) of a group: the start of its children's ids."""
    return db.get_one(Subscription, row.subscription_pk).subscription_id, row.name


def _require(names: Names, fields: tuple[str, ...]) -> None:
    given = [f for f in fields if getattr(names, f)]
    if names.ids:
        if given or names.subscription:
            raise usage_error("--ids names the resource: leave out the other resource options")
        return
    missing = [_FLAGS[f] for f in fields if f not in given]
    if missing:
        raise usage_error(f"missing {', '.join(missing)} (or give --ids)")


# the names that make each kind's id, its own name last
_FIELDS = {
    "gallery": ("group", "gallery"),
    "definition": ("group", "gallery", "definition"),
    "version": ("group", "gallery", "definition", "version"),
    "image": ("group", "name"),
    "snapshot": ("group", "name"),
}


def resource_id(db: Session, kind: str, names: Names) -> str:
    """The ARM id of a gallery, definition, version, image or snapshot named by `names`."""
    _require(names, _FIELDS[kind])
    if names.ids:
        return names.ids.strip()
    sub, rg = group_parts(db, group(db, names.group or "", names.subscription))
    gallery, definition = names.gallery or "", names.definition or ""
    match kind:
        case "gallery":
            return ids.gallery_id(sub, rg, gallery)
        case "definition":
            return ids.definition_id(sub, rg, gallery, definition)
        case "version":
            return ids.version_id(sub, rg, gallery, definition, names.version or "")
        case "image":
            return ids.managed_image_id(sub, rg, names.name or "")
    return ids.snapshot_id(sub, rg, names.name or "")


def source_id(db: Session, value: str, kind: str, group_row: ResourceGroup) -> str:
    """A managed image or snapshot given by ARM id, or by name in the version's group."""
    if value.startswith("/"):
        return value
    sub, rg = group_parts(db, group_row)
    return (
        ids.managed_image_id(sub, rg, value) if kind == "image" else ids.snapshot_id(sub, rg, value)
    )


# --- what --as may see (SIG-ACCESS) -------------------------------------------------------

Row = TypeVar("Row")


def visible(db: Session, rows: Sequence[Row]) -> list[Row]:
    """The rows the --as principal may see (all of them without --as)."""
    return access.visible(db, current_state().viewer(), rows)


def shown(db: Session, row: Row) -> Row:
    """The row itself, unless the --as principal may not see it (SIG-ACCESS)."""
    access.require_visible(db, current_state().viewer(), row)
    return row


# --- the steps many commands share ------------------------------------------------------


@contextmanager
def writing_in_group(
    group_name: str, subscription_ref: str | None
) -> Iterator[tuple[Session, ResourceGroup, Any]]:
    """`create`: a write session, the resource group named and the catalog's clock."""
    catalog = current_state().catalog(writes=True)
    with catalog.write() as db:
        yield db, group(db, group_name, subscription_ref), catalog.clock


def in_group_or_subscription(
    db: Session,
    group_name: str | None,
    subscription_ref: str | None,
    in_group: Callable[[Session, int], Sequence[Row]],
    in_subscription: Callable[[Session, int | None], Sequence[Row]],
) -> list[Row]:
    """`list`: the rows of one resource group when named, else of --subscription (else
    of all), that the --as principal may see."""
    if group_name:
        rows = in_group(db, group(db, group_name, subscription_ref).pk or 0)
    else:
        owner = lookup.find_subscription(db, subscription_ref) if subscription_ref else None
        rows = in_subscription(db, owner.pk if owner else None)
    return visible(db, rows)


Found = TypeVar("Found", bound=Resource)


def named(db: Session, kind: str, names: Names, model: type[Found]) -> Found:
    """The resource a `show` or `update` names; exit 3 when it does not exist."""
    with missing_exits_3():
        return lookup.resolve_as(db, resource_id(db, kind, names), model)


def show(
    kind: str, names: Names, model: type[Found], to_json: Callable[[Session, Found], Any]
) -> None:
    """`show`: print the resource named, unless the --as principal may not see it."""
    with current_state().catalog().read() as db:
        row = shown(db, named(db, kind, names, model))
        data = to_json(db, row)
    emit(data, kind)


def delete(kind: str, names: Names, remove: Callable[[Session, str], object]) -> None:
    """`delete`, as az's: no question; a resource that does not exist is deleted already
    (ARM answers 204), though its resource group must exist (exit 3)."""
    _require(names, _FIELDS[kind])
    catalog = current_state().catalog(writes=True)
    with catalog.write() as db:
        with missing_exits_3():
            arm_id = resource_id(db, kind, names)
        if exists(db, arm_id):
            remove(db, arm_id)


def exists(db: Session, arm_id: str) -> bool:
    """Whether the resource an ARM id names is in the catalog."""
    try:
        lookup.resolve(db, arm_id)
    except CatalogError as exc:
        if exc.code != NOT_FOUND:
            raise
        return False
    return True
