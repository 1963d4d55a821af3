"""Helpers shared by the write services."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, SQLModel, col, select

from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import Gallery, ImageDefinition, Resource, table_of
from sigtui.catalog.queries import deletes, lookup
from sigtui.catalog.rules import checks
from sigtui.catalog.rules.limits import Limit
from sigtui.catalog.rules.regions import find_region, get_region


def check_etag(row: Resource, if_match: str | int | None, what: str) -> None:
    """SIG-CONFLICT: a write based on a stale read of `row` is refused."""
    if if_match is None or str(if_match).strip() == "*":  # ARM: "*" matches any etag
        return
    wanted = str(if_match).strip().removeprefix("W/").strip('"')
    if wanted != str(row.etag):
        raise CatalogError(
            "SIG-CONFLICT",
            f"{what} was changed since it was read (etag {wanted}, now {row.etag}); "
            "reload it and apply the change again",
        )


def check_unique_name(
    db: Session, model: type[Resource], parent_column: str, parent_pk: int, key: str, what: str
) -> None:
    taken = db.exec(
        select(col(model.pk)).where(
            getattr(model, parent_column) == parent_pk,
            table_of(model).c.name_key == key,
        )
    ).first()
    if taken is not None:
        raise name_taken(what)


def name_taken(what: str) -> CatalogError:
    """SIG-NAME: a name is unique among its siblings, ignoring case."""
    return CatalogError(
        "SIG-NAME", f"a {what} with that name already exists here (names ignore case)", field="name"
    )


def limit_reached(limit: Limit, used: int, location: str, added: int = 1) -> CatalogError:
    """SIG-LIMIT-*: `used` resources of a kind in (subscription, region), and `added`
    more (a batch's) would be more than Azure allows."""
    region = get_region(location).display_name
    if added == 1:
        there = f"already has {used} {limit.noun} in {region}"
    else:
        there = f"has {used:,} {limit.noun} in {region} and the batch adds {added:,}"
    return CatalogError(
        limit.code,
        f"the subscription {there}; Azure allows at most {limit.maximum:,} per subscription "
        "per region",
    )


def changes_of(update: SQLModel) -> dict[str, Any]:
    """The fields an Update schema sets, with region names made programmatic."""
    given = update.model_dump(exclude_unset=True)
    if given.get("location"):
        region = find_region(given["location"])
        given["location"] = region.name if region else given["location"]
    return given


def refuse_changes(row: Any, given: dict[str, Any], immutable: Iterable[str], what: str) -> None:
    """SIG-UPDATE: an update may repeat a fixed field's value, never change it."""
    for field in immutable:
        if field not in given:
            continue
        old, new = getattr(row, field), given[field]
        same = (
            old.casefold() == new.casefold()
            if isinstance(old, str) and isinstance(new, str)
            else old == new
        )
        if not same:
            raise CatalogError(
                "SIG-UPDATE",
                f"{field} of the {what} cannot change after creation",
                field=field,
            )


def touch(row: Resource, now: datetime) -> None:
    """Mark a row written, so that its UPDATE runs and its etag moves even when only its
    parts (target regions) changed."""
    row.updated_at = now
    flag_modified(row, "updated_at")


def stamp_created(row: Resource, now: datetime) -> None:
    row.created_at = now
    row.updated_at = now


def add_created(db: Session, row: Resource, now: datetime) -> None:
    """A new row, stamped as created `now`, sent to the database (its key comes back)."""
    stamp_created(row, now)
    db.add(row)
    db.flush()


def delete_unless_holding(db: Session, row: Resource) -> None:
    """SIG-DELETE: delete `row` only when it holds nothing; else name what blocks it."""
    refusal = deletes.holding(db, row).refusal()
    if refusal is not None:
        raise CatalogError("SIG-DELETE", refusal)
    db.delete(row)
    db.flush()


Holder = TypeVar("Holder", bound=Gallery | ImageDefinition)


def delete_if_empty(
    db: Session, model: type[Holder], row_id: str, if_match: str | None, what: str
) -> None:
    """SIG-DELETE: delete the `model` row `row_id` (SIG-CONFLICT on a stale `if_match`)
    unless it still holds something (queries.deletes names it)."""
    row = lookup.resolve_as(db, row_id, model)
    check_etag(row, if_match, f"the {what}")
    delete_unless_holding(db, row)


def save_update(db: Session, row: Resource, given: dict[str, Any], now: datetime) -> None:
    """The fields every resource's update shares (description, tags), then the write."""
    if "description" in given:
        row.description = given["description"]
    if "tags" in given:
        row.tags = checks.check_tags(given["tags"])
    touch(row, now)
    db.add(row)
    db.flush()
