"""The catalog's rows for a chunk of an import's items, found with one query per kind of
resource (not one per item). Versions and target regions are plain rows (read-only
tuples with the columns as attributes, not ORM objects: a re-import compares tens of
thousands of them, and building them as objects took a quarter of its time)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from sigtui.catalog.azure.importing.documents import Item
from sigtui.catalog.azure.importing.versions import Targets
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import (
    Gallery,
    ImageDefinition,
    ImageVersion,
    TargetRegion,
    table_of,
)
from sigtui.catalog.rules import checks

Placed = tuple[Item, int]  # an item with the key of its resource group


@dataclass
class Held:
    """The rows the chunk's ids name, by their parent's key and their name's key."""

    galleries: dict[tuple[int, str], Gallery]
    definitions: dict[tuple[int, str], ImageDefinition]
    versions: dict[tuple[int, int, int, int], Any]  # rows of image_version
    targets: dict[int, Targets]  # by version key; rows of target_region
    # the parents found, by (group key, the names' keys): a chunk's items share a few
    _parents: dict[tuple[Any, ...], Any] = field(default_factory=dict)

    def gallery(self, group_pk: int, item: Item) -> Gallery | None:
        return self.galleries.get((group_pk, checks.name_key(item.rid.gallery or "")))

    def definition(self, group_pk: int, item: Item) -> ImageDefinition | None:
        rid = item.rid
        key = (group_pk, rid.gallery, rid.definition)
        if key not in self._parents:
            self._parents[key] = self._definition(group_pk, item)
        found: ImageDefinition | None = self._parents[key]
        return found

    def _definition(self, group_pk: int, item: Item) -> ImageDefinition | None:
        gallery = self.gallery(group_pk, item)
        if gallery is None or gallery.pk is None:
            return None
        return self.definitions.get((gallery.pk, checks.name_key(item.rid.definition or "")))

    def version(self, group_pk: int, item: Item) -> Any:
        definition = self.definition(group_pk, item)
        number = version_number(item.rid.version or "")
        if definition is None or definition.pk is None or number is None:
            return None
        return self.versions.get((definition.pk, *number))


@lru_cache(maxsize=65_536)  # every item's id is looked at more than once; names repeat
def version_number(text: str) -> tuple[int, int, int] | None:
    try:
        number = checks.parse_version_name(text)
    except CatalogError:
        return None
    return (number.major, number.minor, number.patch)


def held_rows(db: Session, items: list[Placed]) -> Held:
    galleries = _rows(
        db,
        Gallery,
        "resource_group_pk",
        {(pk, checks.name_key(item.rid.gallery or "")) for pk, item in _named(items, "gallery")},
    )
    held = Held({(g.resource_group_pk, g.name_key): g for g in galleries}, {}, {}, {})
    definition_keys = set()
    for group_pk, item in _named(items, "definition"):
        gallery = held.gallery(group_pk, item)
        if gallery is not None:
            definition_keys.add((gallery.pk, checks.name_key(item.rid.definition or "")))
    definitions = _rows(db, ImageDefinition, "gallery_pk", definition_keys)
    held.definitions = {(d.gallery_pk, d.name_key): d for d in definitions}
    version_keys = set()
    for group_pk, item in _named(items, "version"):
        definition = held.definition(group_pk, item)
        number = version_number(item.rid.version or "")
        if definition is not None and number is not None:
            version_keys.add((definition.pk, ".".join(map(str, number))))
    versions = _rows(db, ImageVersion, "definition_pk", version_keys, name="name", plain=True)
    held.versions = {(v.definition_pk, v.major, v.minor, v.patch): v for v in versions}
    held.targets = _targets(db, [v.pk for v in versions if v.pk is not None], TARGET_COMPARED)
    return held


# what an import compares of a held version and its target regions (not their times: the
# conversions of 20,000 versions' and 80,000 regions' times took a third of a re-import)
VERSION_COMPARED = (
    "pk",
    "definition_pk",
    "name",
    "major",
    "minor",
    "patch",
    "location",
    "replica_count",
    "storage_account_type",
    "exclude_from_latest",
    "end_of_life_date",
    "tags",
    "provisioning_state",
    "managed_image_pk",
    "os_snapshot_pk",
    "external_source_id",
)
TARGET_COMPARED = ("version_pk", "region", "replica_count", "storage_account_type")


def full_targets(db: Session, version_pks: list[int]) -> dict[int, Targets]:
    """The target regions of these versions, every column (their replication state)."""
    return _targets(db, version_pks)


def _named(items: list[Placed], part: str) -> Iterable[tuple[int, Item]]:
    """(group key, item) of the items whose id names this part (a gallery, a definition...)."""
    return ((pk, item) for item, pk in items if getattr(item.rid, part))


def _rows(
    db: Session,
    model: type[Any],
    parent: str,
    keys: set[tuple[Any, str]],
    name: str = "name_key",
    *,
    plain: bool = False,
) -> list[Any]:
    """The rows under these parents with these names (a superset: matched by the caller);
    `plain`: as plain rows, not ORM objects."""
    if not keys:
        return []
    parents = sorted({parent_pk for parent_pk, _ in keys})
    names = sorted({key for _, key in keys})
    table = table_of(model)
    where = (table.c[parent].in_(parents), table.c[name].in_(names))
    if plain:
        columns = [table.c[c] for c in VERSION_COMPARED]
        return list(db.execute(sa.select(*columns).where(*where)).all())
    return list(db.exec(select(model).where(*where)))


def _targets(
    db: Session, version_pks: list[int], columns: tuple[str, ...] | None = None
) -> dict[int, Targets]:
    found: dict[int, Targets] = defaultdict(dict)
    if version_pks:
        table = table_of(TargetRegion)
        chosen = [table.c[c] for c in columns] if columns else [table]
        statement = sa.select(*chosen).where(table.c.version_pk.in_(version_pks))
        for target in db.execute(statement).all():  # fetched at once, not row by row
            found[target.version_pk][target.region] = target
    return found
