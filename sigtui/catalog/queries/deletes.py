"""What blocks a delete (SIG-DELETE): what a resource still holds. The delete services
refuse with `Holding.refusal`; the app names it before it asks (`delete_refusal`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import (
    DataDisk,
    Gallery,
    ImageDefinition,
    ImageVersion,
    ManagedImage,
    Resource,
    ResourceGroup,
    Snapshot,
    Subscription,
)
from sigtui.catalog.queries import lookup
from sigtui.safe_text import counted

NAMED = 5  # of what blocks a delete, the first NAMED are named


@dataclass(frozen=True)
class Holding:
    """A resource and what it still holds (nothing: it can be deleted)."""

    what: str  # "image definition"
    name: str
    children: list[str]
    noun: str  # of one child: "image version"
    nouns: str  # of several: "image versions"

    def refusal(self) -> str | None:
        """Why the resource cannot be deleted, or None (it holds nothing)."""
        if not self.children:
            return None
        more = len(self.children) - NAMED
        shown = ", ".join(self.children[:NAMED]) + (f" and {more:,} more" if more > 0 else "")
        held = counted(len(self.children), self.noun, self.nouns)
        those = "it" if len(self.children) == 1 else "those"
        return (
            f"{self.what} {self.name!r} cannot be deleted: it still holds {held} "
            f"({shown}); delete {those} first"
        )


def _names(db: Session, name: Any, parent: Any, pk: int | None) -> list[str]:
    return [str(n) for n in db.exec(select(name).where(parent == pk))]


def _made_from(db: Session, versions: list[ImageVersion]) -> list[str]:
    return [lookup.arm_id(db, v).split("/galleries/")[1] for v in versions]


def holding(db: Session, row: Resource) -> Holding:
    """What `row` still holds that keeps it from being deleted."""
    made = ("image version made from it", "image versions made from it")
    if isinstance(row, Gallery):
        names = _names(db, ImageDefinition.name, ImageDefinition.gallery_pk, row.pk)
        return Holding("gallery", row.name, names, "image definition", "image definitions")
    if isinstance(row, ImageDefinition):
        names = _names(db, ImageVersion.name, ImageVersion.definition_pk, row.pk)
        return Holding("image definition", row.name, names, "image version", "image versions")
    if isinstance(row, Subscription):
        names = _names(db, ResourceGroup.name, ResourceGroup.subscription_pk, row.pk)
        return Holding("subscription", row.name, names, "resource group", "resource groups")
    if isinstance(row, ResourceGroup):
        contents = _group_contents(db, row)
        return Holding("resource group", row.name, contents, "resource", "resources")
    if isinstance(row, ManagedImage):
        users = db.exec(select(ImageVersion).where(ImageVersion.managed_image_pk == row.pk))
        return Holding("managed image", row.name, _made_from(db, list(users)), *made)
    if isinstance(row, Snapshot):
        return Holding("snapshot", row.name, _made_from(db, _snapshot_users(db, row)), *made)
    return Holding(type(row).__name__, str(getattr(row, "name", "")), [], "", "")


def _group_contents(db: Session, group: ResourceGroup) -> list[str]:
    contents: list[str] = []
    for model, noun in ((Gallery, "gallery"), (ManagedImage, "image"), (Snapshot, "snapshot")):
        names = db.exec(select(model.name).where(model.resource_group_pk == group.pk))
        contents += [f"{noun} {n}" for n in names]
    return contents


def _snapshot_users(db: Session, snapshot: Snapshot) -> list[ImageVersion]:
    data_disk_users = select(DataDisk.version_pk).where(DataDisk.snapshot_pk == snapshot.pk)
    return list(
        db.exec(
            select(ImageVersion).where(
                (col(ImageVersion.os_snapshot_pk) == snapshot.pk)
                | col(ImageVersion.pk).in_(data_disk_users)
            )
        )
    )


def delete_refusal(db: Session, arm_id: str) -> str | None:
    """Why the resource `arm_id` names cannot be deleted (SIG-DELETE), as the delete would
    refuse it; None when it can be, or when it is gone (deleting it then succeeds)."""
    try:
        row = lookup.resolve(db, arm_id)
    except CatalogError:
        return None
    return holding(db, row).refusal()
