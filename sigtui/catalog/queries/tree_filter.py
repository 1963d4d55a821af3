"""The tree narrowed to a piece of text (the main screen's `/`), and the resource a
typed name or ARM id names (its `:` jump).

Matches come from `search` (a bounded number of queries, whatever the catalog's size);
the narrowed tree holds them and their ancestors only, each level read with the
children it keeps (`browse.children(..., only=...)`): never a walk over every node.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, func, select

from sigtui.catalog.model import ids
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import (
    Gallery,
    ImageDefinition,
    ImageVersion,
    ManagedImage,
    ResourceGroup,
    Snapshot,
    Subscription,
)
from sigtui.catalog.queries import browse, search, view_as
from sigtui.catalog.queries.browse import (
    DEFINITION,
    GALLERY,
    GROUP,
    IMAGES,
    MANAGED_IMAGE,
    SNAPSHOT,
    SNAPSHOTS,
    SUBSCRIPTION,
    TENANT,
    VERSION,
    Node,
    NodeRef,
)
from sigtui.catalog.rules.access import Visibility
from sigtui.catalog.rules.checks import name_key

FILTER_LIMIT = 200  # matches the narrowed tree holds at most
JUMP_CANDIDATES = 20  # resources a typed name is looked up among


@dataclass(frozen=True)
class Narrowed:
    """The tree narrowed to the matches of a text."""

    levels: view_as.Levels  # the children kept under each node (None: the roots)
    matched: frozenset[NodeRef]  # the nodes that match (the others are their ancestors)
    count: int  # how many matched, at most `limit`
    more: bool  # more than `limit` matched: the first `limit` are shown


def narrowed(
    db: Session, text: str, now: datetime, viewer: Visibility | None, limit: int = FILTER_LIMIT
) -> Narrowed:
    """The matches of `text` (as `search` finds them, as far as `viewer` sees) and their
    ancestors, as the tree's levels."""
    matches = view_as.visible_matches(db, text, limit + 1, viewer)
    shown = matches[:limit]
    kept: dict[NodeRef | None, set[NodeRef]] = defaultdict(set)
    matched: set[NodeRef] = set()
    for path in _paths(db, [m.arm_id for m in shown]):
        if viewer is not None:  # what the principal sees of the path (view_as.visible_path)
            path = [ref for ref in path if view_as.can_see(db, ref, viewer)]
        for parent, ref in zip([None, *path], path, strict=False):
            kept[parent].add(ref)
        matched.add(path[-1])
    levels: view_as.Levels = {None: []}  # the roots, even when nothing matches
    levels.update(_kept_levels(db, kept, now, viewer))
    return Narrowed(levels, frozenset(matched), len(shown), len(matches) > limit)


# Below a subscription, each level of an ARM id: its node kind, model, parent level (its
# column) and the id's part naming it. The folders of managed images and snapshots are
# their group's.
_LEVELS: tuple[tuple[str, type[Any], str, str, Callable[[ids.ResourceId], str | None]], ...] = (
    (GROUP, ResourceGroup, SUBSCRIPTION, "subscription_pk", lambda r: r.resource_group),
    (GALLERY, Gallery, GROUP, "resource_group_pk", lambda r: r.gallery),
    (DEFINITION, ImageDefinition, GALLERY, "gallery_pk", lambda r: r.definition),
    (VERSION, ImageVersion, DEFINITION, "definition_pk", lambda r: r.version),
    (MANAGED_IMAGE, ManagedImage, GROUP, "resource_group_pk", lambda r: _leaf(r, "image")),
    (SNAPSHOT, Snapshot, GROUP, "resource_group_pk", lambda r: _leaf(r, "snapshot")),
)
_PATH_KINDS = {  # an ARM id's kind: the tree path's node kinds below its subscription
    "subscription": (),
    "resourceGroup": (GROUP,),
    "gallery": (GROUP, GALLERY),
    "definition": (GROUP, GALLERY, DEFINITION),
    "version": (GROUP, GALLERY, DEFINITION, VERSION),
    "image": (GROUP, IMAGES, MANAGED_IMAGE),
    "snapshot": (GROUP, SNAPSHOTS, SNAPSHOT),
}
_FOLDER_OWNER = {IMAGES: GROUP, SNAPSHOTS: GROUP}


def _paths(db: Session, arm_ids: list[str]) -> list[list[NodeRef]]:
    """The tree path (root first) of each resource (search's ARM ids, named as stored),
    as `browse.path_to` gives it, one query per level for them all; a resource deleted
    meanwhile has none."""
    parsed = [ids.parse_id(arm_id) for arm_id in arm_ids]
    pks: dict[str, dict[ids.ResourceId, int]] = _subscription_pks(db, parsed)
    for kind, model, parent_kind, parent_column, name_of in _LEVELS:
        parents = pks[parent_kind]
        wanted = {(parents.get(r, 0), name_of(r)) for r in parsed}
        found = _pks(db, model, parent_column, wanted)
        pks[kind] = {r: found.get((parents.get(r, 0), _key(name_of(r))), 0) for r in parsed}
    paths = []
    for r in parsed:
        kinds = (TENANT, SUBSCRIPTION, *_PATH_KINDS[r.kind])
        steps = [(kind, pks[_FOLDER_OWNER.get(kind, kind)].get(r, 0)) for kind in kinds]
        if all(pk for _, pk in steps):
            paths.append([NodeRef(kind, pk) for kind, pk in steps])
    return paths


def _leaf(r: ids.ResourceId, kind: str) -> str | None:
    return r.name if r.kind == kind else None


def _subscription_pks(
    db: Session, parsed: list[ids.ResourceId]
) -> dict[str, dict[ids.ResourceId, int]]:
    """The pks of each id's subscription and its tenant."""
    found = {
        sub_id.lower(): (int(pk or 0), tenant_pk)
        for pk, tenant_pk, sub_id in db.exec(
            select(Subscription.pk, Subscription.tenant_pk, Subscription.subscription_id).where(
                func.lower(Subscription.subscription_id).in_(
                    {r.subscription.lower() for r in parsed}
                )
            )
        )
    }
    of = {r: found.get(r.subscription.lower(), (0, 0)) for r in parsed}
    return {
        SUBSCRIPTION: {r: pk for r, (pk, _) in of.items()},
        TENANT: {r: tenant_pk for r, (_, tenant_pk) in of.items()},
    }


def _key(name: str | None) -> str:
    return name_key(name or "")


def _pks(
    db: Session, model: type[Any], parent: str, wanted: set[tuple[int, str | None]]
) -> dict[tuple[int, str], int]:
    """The pk of each (parent pk, name) wanted, by its parent and name key (a version's
    name is its key)."""
    keys = {(parent_pk, _key(name)) for parent_pk, name in wanted if parent_pk and name}
    if not keys:
        return {}
    parent_column = getattr(model, parent)
    key_column = model.name if model is ImageVersion else model.name_key
    rows = db.exec(
        select(model.pk, parent_column, key_column).where(
            parent_column.in_({p for p, _ in keys}), key_column.in_({k for _, k in keys})
        )
    )
    return {(p, k): pk for pk, p, k in rows if (p, k) in keys}


_PAGED = (GALLERY, DEFINITION)  # their kept children are read alone, for all at once


def _kept_levels(
    db: Session,
    kept: dict[NodeRef | None, set[NodeRef]],
    now: datetime,
    viewer: Visibility | None,
) -> view_as.Levels:
    """The children kept under each parent, in the tree's order: of all the galleries at
    once, of all the definitions at once, and (as the whole catalog shows them) of all the
    subscriptions at once and all the resource groups at once; the others one parent at a
    time (a few tenants, and the subscriptions and groups as a principal sees them)."""
    together = (*_PAGED, SUBSCRIPTION, GROUP) if viewer is None else _PAGED
    levels: view_as.Levels = {
        parent: _kept_children(db, parent, refs, now, viewer)
        for parent, refs in kept.items()
        if parent is None or parent.kind not in together
    }
    for kind in _PAGED:  # refs are already those `viewer` sees (view_as.can_see)
        pks = {p.pk: {ref.pk for ref in refs} for p, refs in kept.items() if p and p.kind == kind}
        for pk, nodes in browse.kept_children(db, kind, pks, now).items():
            levels[NodeRef(kind, pk)] = nodes
    if viewer is None:
        levels.update(
            _kept_under(kept, SUBSCRIPTION, lambda pks, _: browse.subscriptions_groups(db, pks))
        )
        levels.update(_kept_under(kept, GROUP, lambda pks, refs: _groups_galleries(db, pks, refs)))
    return levels


Contents = Callable[[list[int], set[NodeRef]], dict[int, list[Node]]]


def _kept_under(
    kept: dict[NodeRef | None, set[NodeRef]], kind: str, contents: Contents
) -> view_as.Levels:
    """The children kept under each parent of `kind`, as the whole catalog shows them:
    `contents` reads what all those parents hold at once (given their pks and every ref
    kept under them)."""
    parents = {p: refs for p, refs in kept.items() if p and p.kind == kind}
    held = contents([p.pk for p in parents], set().union(*parents.values()))
    return {
        parent: [node for node in held[parent.pk] if node.ref in refs]
        for parent, refs in parents.items()
    }


def _groups_galleries(
    db: Session, group_pks: list[int], refs: set[NodeRef]
) -> dict[int, list[Node]]:
    """What the resource groups hold, their kept galleries only."""
    galleries = {ref.pk for ref in refs if ref.kind == GALLERY}
    return browse.groups_contents(db, group_pks, only=galleries)


def _kept_children(
    db: Session,
    parent: NodeRef | None,
    refs: set[NodeRef],
    now: datetime,
    viewer: Visibility | None,
) -> list[Node]:
    """The children of `parent` that are in `refs`, in the tree's order, read for this
    parent alone (the roots, a tenant, a subscription, a group as a principal sees it)."""
    nodes = (
        view_as.roots(db, viewer) if parent is None else view_as.children(db, parent, now, viewer)
    )
    return [node for node in nodes if node.ref in refs]


# --- jump (`:`) --------------------------------------------------------------------------


@dataclass(frozen=True)
class Jump:
    """Where a typed name or ARM id leads."""

    arm_id: str | None  # None: nothing by that name or id (`message` says so)
    message: str = ""  # what to tell the user (several by that name, or none)


def jump_target(db: Session, text: str, viewer: Visibility | None) -> Jump:
    """The resource `text` names: an ARM id (it starts with "/"), else a name (the one so
    named, else the first whose name starts with it)."""
    text = text.strip()
    if not text:
        return Jump(None, "Type a name or an ARM id.")
    if text.startswith("/"):
        return _by_id(db, text, viewer)
    return _by_name(db, text, viewer)


def _by_id(db: Session, arm_id: str, viewer: Visibility | None) -> Jump:
    try:
        leaf = browse.path_to(db, arm_id)[-1]
    except CatalogError as error:
        return Jump(None, f"No resource has the ARM id {arm_id!r} ({error.code}).")
    if not view_as.can_see(db, leaf, viewer):
        assert viewer is not None
        return Jump(None, f"{viewer.principal} has no role that reaches {arm_id!r}.")
    return Jump(arm_id)


def _by_name(db: Session, text: str, viewer: Visibility | None) -> Jump:
    named = [m for m in suggestions(db, text, viewer) if m.rank <= search.PREFIX]
    if not named:
        return Jump(None, f"No resource is named {text!r} (nor a name starting with it).")
    exact = [m for m in named if m.rank == search.EXACT]
    if len(exact) > 1:
        return Jump(
            exact[0].arm_id,
            f"{len(exact)} resources are named {text!r}: this is the first "
            "(ctrl+p › Find across subscriptions lists them all).",
        )
    return Jump(named[0].arm_id)


def suggestions(db: Session, text: str, viewer: Visibility | None) -> list[search.Match]:
    """The resources named like `text`, best first (the name itself, then names starting
    with it): what `:` completes a typed name with."""
    if not text.strip() or text.startswith("/"):
        return []
    return view_as.visible_matches(db, text, JUMP_CANDIDATES, viewer)
