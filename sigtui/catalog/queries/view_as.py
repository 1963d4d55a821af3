"""The catalog tree as one principal sees it ("view as", SIG-ACCESS).

It filters `browse`'s nodes by the principal's `access.Visibility`: galleries shared
with it show whole; a definition shared without its gallery shows in its resource
group as "gallery/definition"; a single shared version as "gallery/definition/version".
Managed images and snapshots are not reached by gallery roles, so they are hidden.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlmodel import Session, col, select

from sigtui.catalog.model.models import ImageDefinition, ImageVersion
from sigtui.catalog.queries import browse, lookup, search
from sigtui.catalog.queries.browse import (
    DEFINITION,
    GALLERY,
    GROUP,
    SUBSCRIPTION,
    TENANT,
    VERSION,
    Node,
    NodeRef,
)
from sigtui.catalog.rules import access
from sigtui.catalog.rules.access import Capability, Visibility

Levels = dict[NodeRef | None, list[Node]]  # the children of each node (None: the roots)

VIEWED_AS_LIMIT = 5000  # search matches looked at before keeping those the viewer sees


def roots(db: Session, viewer: Visibility | None) -> list[Node]:
    nodes = browse.roots(db)
    if viewer is None:
        return nodes
    return [
        replace(n, detail=_count(len(_visible_children(db, n.ref, viewer)), "subscription"))
        for n in nodes
        if n.ref.pk in viewer.tenants
    ]


def children(db: Session, ref: NodeRef, now: datetime, viewer: Visibility | None) -> list[Node]:
    if viewer is None:
        return browse.children(db, ref, now)
    if ref.kind == GROUP:
        return _group_contents(db, ref.pk, now, viewer)
    if ref.kind == DEFINITION:
        return _versions(db, ref.pk, now, viewer)
    if ref.kind in (TENANT, SUBSCRIPTION):
        return [_with_count(db, n, now, viewer) for n in _visible_children(db, ref, viewer)]
    return browse.children(db, ref, now)  # a gallery shows whole once it shows at all


def can_see(db: Session, ref: NodeRef, viewer: Visibility | None) -> bool:
    """Whether the node (a search hit, a palette target) is in the principal's tree."""
    if viewer is None:
        return True
    sets = {TENANT: viewer.tenants, SUBSCRIPTION: viewer.subscriptions, GROUP: viewer.groups}
    if ref.kind in sets:
        return ref.pk in sets[ref.kind]
    if ref.kind == GALLERY:
        return viewer.sees_gallery(ref.pk)
    if ref.kind == DEFINITION:
        gallery_pk = db.exec(
            select(ImageDefinition.gallery_pk).where(ImageDefinition.pk == ref.pk)
        ).first()
        return gallery_pk is not None and viewer.sees_definition(ref.pk, gallery_pk)
    if ref.kind == VERSION:
        row = db.exec(
            select(ImageVersion.definition_pk, ImageDefinition.gallery_pk)
            .join(ImageDefinition, col(ImageDefinition.pk) == ImageVersion.definition_pk)
            .where(ImageVersion.pk == ref.pk)
        ).first()
        return row is not None and viewer.sees_version(ref.pk, row[0], row[1])
    return False  # managed images and snapshots: not reached by gallery roles


def sees(db: Session, arm_id: str, viewer: Visibility | None) -> bool:
    """Whether the resource is in the tree `viewer` sees (always, with no viewer)."""
    return viewer is None or can_see(db, browse.path_to(db, arm_id)[-1], viewer)


def visible_matches(
    db: Session, text: str, limit: int, viewer: Visibility | None
) -> list[search.Match]:
    """The search, keeping only what `viewer` sees: at most `limit`."""
    if viewer is None:
        return search.search(db, text, limit=limit)
    found = search.search(db, text, limit=VIEWED_AS_LIMIT)
    return [m for m in found if sees(db, m.arm_id, viewer)][:limit]


def visible_path(db: Session, arm_id: str, viewer: Visibility | None) -> list[NodeRef]:
    """The path (root first) to the resource in the principal's tree: the nodes of its
    tree path that the principal sees (a definition shared without its gallery sits
    right under its group)."""
    return [ref for ref in browse.path_to(db, arm_id) if can_see(db, ref, viewer)]


def levels(
    db: Session, opened: list[tuple[NodeRef, int]], now: datetime, viewer: Visibility | None
) -> Levels:
    """The roots and the children of each opened node, as the principal sees them, read
    together: each opened node with at least as many children as it shows (`opened`:
    the node and how many it shows), as many pages as that takes. A node deleted
    meanwhile has none."""
    found: Levels = {None: roots(db, viewer)}
    for ref, shown in opened:
        try:
            first = children(db, ref, now, viewer)
            found[ref] = browse.more_pages(db, ref, now, first, at_least=shown)
        except Exception:  # deleted meanwhile: its node is not rebuilt anyway
            found[ref] = []
    return found


def capabilities_at(db: Session, arm_id: str, viewer: Visibility) -> frozenset[Capability]:
    """What the principal's roles allow at the resource with this ARM id (nothing but
    at a gallery, a definition or a version)."""
    resource = lookup.resolve(db, arm_id)
    if not isinstance(resource, access.Scoped):
        return frozenset()
    return access.capabilities_at(db, viewer.principal_pk, resource)


def _visible_children(db: Session, ref: NodeRef, viewer: Visibility) -> list[Node]:
    allowed = viewer.subscriptions if ref.kind == TENANT else viewer.groups
    return [n for n in browse.children(db, ref, datetime.min) if n.ref.pk in allowed]


def _with_count(db: Session, node: Node, now: datetime, viewer: Visibility) -> Node:
    """The node with its count of what the viewer sees under it."""
    first_fact = node.detail.split(" · ")[0]  # the cloud or the location
    if node.ref.kind == SUBSCRIPTION:
        count = _count(len(_visible_children(db, node.ref, viewer)), "group")
    else:
        count = _count(len(_group_contents(db, node.ref.pk, now, viewer)), "shared item")
    return replace(node, detail=f"{first_fact} · {count}")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _group_contents(db: Session, group_pk: int, now: datetime, viewer: Visibility) -> list[Node]:
    nodes: list[Node] = []
    for gallery in browse.children(db, NodeRef(GROUP, group_pk), now):
        if gallery.ref.kind != GALLERY:
            continue  # managed images and snapshots are not shared through gallery roles
        if viewer.sees_gallery(gallery.ref.pk):
            nodes.append(gallery)
        elif gallery.ref.pk in viewer.definition_galleries:
            nodes += _shared_definitions(db, gallery, now, viewer)
    return nodes


def _shared_definitions(
    db: Session, gallery: Node, now: datetime, viewer: Visibility
) -> list[Node]:
    """Definitions (or single versions) shared without their gallery, named by path."""
    nodes: list[Node] = []
    for definition in _every_child(db, gallery.ref, now):
        label = f"{gallery.name}/{definition.name}"
        if definition.ref.pk in viewer.definitions:
            nodes.append(replace(definition, name=label))
        elif definition.ref.pk in viewer.version_definitions:
            nodes += [
                replace(v, name=f"{label}/{v.name}")
                for v in _versions(db, definition.ref.pk, now, viewer)
            ]
    return nodes


def _versions(db: Session, definition_pk: int, now: datetime, viewer: Visibility) -> list[Node]:
    ref = NodeRef(DEFINITION, definition_pk)
    gallery_pk = db.exec(
        select(ImageDefinition.gallery_pk).where(ImageDefinition.pk == definition_pk)
    ).one()
    if viewer.sees_definition(definition_pk, gallery_pk):
        return browse.children(db, ref, now)  # one page, then its "more" node
    return [n for n in _every_child(db, ref, now) if n.ref.pk in viewer.versions]


def _every_child(db: Session, ref: NodeRef, now: datetime) -> list[Node]:
    """All the children of a paged node (a gallery, a definition)."""
    return browse.more_pages(db, ref, now, browse.children(db, ref, now))
