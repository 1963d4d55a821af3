"""What a browser of the catalog shows: the children of a tree node with the facts a user
scans for, and the details of any node. Plain data, ready for any front end.

Children are loaded per node (never the whole catalog); counts and "latest" come from
aggregates over the node's children, not a query per child.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, func, select

from sigtui.catalog.model.eol import eol_datetime, eol_text
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import (
    Gallery,
    ImageDefinition,
    ImageVersion,
    ManagedImage,
    ResourceGroup,
    Snapshot,
    Subscription,
    Tenant,
    pk_of,
)
from sigtui.catalog.queries import fetch, lookup
from sigtui.catalog.replication import schedule
from sigtui.catalog.rules import access
from sigtui.catalog.rules.regions import find_region

# Node kinds, parent to child.
TENANT = "tenant"
SUBSCRIPTION = "subscription"
GROUP = "group"
GALLERY = "gallery"
DEFINITION = "definition"
VERSION = "version"
IMAGES = "images"  # the "Managed images" folder of a group
SNAPSHOTS = "snapshots"  # the "Snapshots" folder of a group
MANAGED_IMAGE = "managed_image"
SNAPSHOT = "snapshot"

MORE = "more"  # the last node of a page of children: the next page is behind it

LEAF_KINDS = frozenset({VERSION, MANAGED_IMAGE, SNAPSHOT, MORE})

# Children of a gallery or a definition come a page at a time (keyset pagination): a
# gallery may hold 1,000 definitions and a definition thousands of versions.
PAGE_SIZE = 50

SPECIALIZED_CAVEATS = (
    "Specialized image (SIG-OSSTATE): VMs made from it have no osProfile.",
    "They keep the computer name of the source VM: rename them to avoid conflicts.",
    "The source VM's accounts work on every VM made from it.",
    "Secrets passed through osProfile (Key Vault, WinRM) are not available.",
    "Preview: VMs can be created from it through the portal or the API only "
    "(no CLI or PowerShell).",
)


@dataclass(frozen=True)
class NodeRef:
    kind: str
    pk: int
    after: tuple[Any, ...] = ()  # a MORE node: the sort key of the last child shown


@dataclass(frozen=True)
class Node:
    ref: NodeRef
    name: str
    detail: str = ""  # what follows the name: location, counts, states
    badges: tuple[str, ...] = ()  # short flags: latest, excluded, expired, Failed...
    has_children: bool = False
    arm_id: str | None = None


def region_label(name: str) -> str:
    region = find_region(name)
    return region.display_name if region else name


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _gallery_count(n: int) -> str:
    return "1 gallery" if n == 1 else f"{n} galleries"


def roots(db: Session) -> list[Node]:
    tenants = fetch.tenants(db)
    counts = fetch.count_children(db, Subscription, "tenant_pk", [pk_of(t) for t in tenants])
    return [
        Node(
            NodeRef(TENANT, pk_of(t)),
            t.name,
            _plural(counts[pk_of(t)], "subscription"),
            has_children=counts[pk_of(t)] > 0,
        )
        for t in tenants
    ]


def children(
    db: Session,
    ref: NodeRef,
    now: datetime,
    after: tuple[Any, ...] = (),
    only: Collection[int] | None = None,
) -> list[Node]:
    """The children of a node; of a gallery or a definition, one page (`PAGE_SIZE`), after
    the sort key `after` (a MORE node's), then a MORE node when there are more; or, given
    `only` (pks), those children alone, all of them."""
    loaders = {
        TENANT: _subscriptions,
        SUBSCRIPTION: _groups,
        GROUP: _group_contents,
        GALLERY: lambda db, pk: _definitions(db, pk, now, after, only),
        DEFINITION: lambda db, pk: _versions(db, pk, now, after, only),
        IMAGES: _managed_images,
        SNAPSHOTS: _snapshots,
    }
    loader = loaders.get(ref.kind)
    return loader(db, ref.pk) if loader else []


def more_pages(
    db: Session, ref: NodeRef, now: datetime, nodes: list[Node], at_least: float = math.inf
) -> list[Node]:
    """`nodes` (a first page of `ref`'s children) and the pages after it, until at least
    `at_least` children are read (all of them by default); a "more" node ends the list
    while children are left."""
    nodes = list(nodes)
    while nodes and nodes[-1].ref.kind == MORE and len(nodes) - 1 < at_least:
        more = nodes.pop()
        nodes += children(db, ref, now, more.ref.after)
    return nodes


def _more(parent_pk: int, after: tuple[Any, ...], left: int, noun: str) -> Node:
    shown = min(left, PAGE_SIZE)
    return Node(
        NodeRef(MORE, parent_pk, after),
        f"{left:,} more {noun}" + ("" if left == 1 else "s"),
        f"enter shows the next {shown:,}",
    )


def _subscriptions(db: Session, tenant_pk: int) -> list[Node]:
    memo: dict[tuple[str, int], Any] = {}  # parents read once for all the ids
    subs = fetch.subscriptions(db, tenant_pk)
    counts = fetch.count_children(db, ResourceGroup, "subscription_pk", [pk_of(s) for s in subs])
    return [
        Node(
            NodeRef(SUBSCRIPTION, pk_of(s)),
            s.name,
            f"{s.cloud} · {_plural(counts[pk_of(s)], 'group')}",
            has_children=counts[pk_of(s)] > 0,
            arm_id=lookup.arm_id(db, s, memo),
        )
        for s in subs
    ]


def _groups(db: Session, subscription_pk: int) -> list[Node]:
    return subscriptions_groups(db, [subscription_pk])[subscription_pk]


def subscriptions_groups(db: Session, subscription_pks: Collection[int]) -> dict[int, list[Node]]:
    """The resource groups of each subscription, by subscription pk: read for all the
    subscriptions at once, a bounded number of queries however many they are."""
    groups = fetch.groups_of_subscriptions(db, subscription_pks)
    found: dict[int, list[Node]] = {pk: [] for pk in subscription_pks}
    for group, node in zip(groups, _group_nodes(db, groups), strict=True):
        found[group.subscription_pk].append(node)
    return found


def _group_nodes(db: Session, groups: Sequence[ResourceGroup]) -> list[Node]:
    """The nodes of resource groups, their galleries counted and their ids made for them
    all at once."""
    galleries = fetch.count_children(db, Gallery, "resource_group_pk", map(pk_of, groups))
    return [
        Node(
            NodeRef(GROUP, pk_of(g)),
            g.name,
            f"{region_label(g.location)} · {_gallery_count(galleries[pk_of(g)])}",
            has_children=True,
            arm_id=arm_id,
        )
        for g, arm_id in zip(groups, lookup.arm_ids(db, groups), strict=True)
    ]


def _group_contents(db: Session, group_pk: int) -> list[Node]:
    return groups_contents(db, [group_pk])[group_pk]


def groups_contents(
    db: Session, group_pks: Collection[int], only: Collection[int] | None = None
) -> dict[int, list[Node]]:
    """What each resource group holds (its galleries, or those with the pks `only`, then
    its folders of managed images and snapshots), by group pk: read for all the groups at
    once, a bounded number of queries however many they are."""
    galleries = fetch.galleries_of_groups(db, group_pks, only)
    images = fetch.count_children(db, ManagedImage, "resource_group_pk", group_pks)
    snapshots = fetch.count_children(db, Snapshot, "resource_group_pk", group_pks)
    found: dict[int, list[Node]] = {pk: [] for pk in group_pks}
    for gallery, node in zip(galleries, _gallery_nodes(db, galleries), strict=True):
        found[gallery.resource_group_pk].append(node)
    for pk, nodes in found.items():
        nodes += _folders(pk, images[pk], snapshots[pk])
    return found


def _gallery_nodes(db: Session, galleries: Sequence[Gallery]) -> list[Node]:
    """The nodes of galleries, their definitions counted for them all at once."""
    definitions = fetch.count_children(db, ImageDefinition, "gallery_pk", map(pk_of, galleries))
    return [
        Node(
            NodeRef(GALLERY, pk_of(g)),
            g.name,
            f"{region_label(g.location)} · {_plural(definitions[pk_of(g)], 'definition')}",
            has_children=definitions[pk_of(g)] > 0,
            arm_id=arm_id,
        )
        for g, arm_id in zip(galleries, lookup.arm_ids(db, galleries), strict=True)
    ]


def _folders(group_pk: int, images: int, snapshots: int) -> list[Node]:
    """A group's folders of managed images and of snapshots."""
    return [
        Node(NodeRef(IMAGES, group_pk), "Managed images", str(images), has_children=images > 0),
        Node(NodeRef(SNAPSHOTS, group_pk), "Snapshots", str(snapshots), has_children=snapshots > 0),
    ]


def latest_names(db: Session, definition_pks: Sequence[int]) -> dict[int, str]:
    """The latest version's name of each definition (SIG-LATEST), in one query: for each
    definition, the first of its versions not excluded, walked down the index of their
    numbers (not every version of each definition ranked: thousands at Azure's limits)."""
    if not definition_pks:
        return {}
    latest = (
        select(ImageVersion.name)
        .where(
            ImageVersion.definition_pk == ImageDefinition.pk,
            col(ImageVersion.exclude_from_latest).is_(False),
        )
        .order_by(*lookup.newest_first())
        .limit(1)
        .scalar_subquery()
    )
    rows = db.exec(
        select(ImageDefinition.pk, latest).where(col(ImageDefinition.pk).in_(definition_pks))
    )
    return {pk: name for pk, name in rows if pk is not None and name is not None}


def is_expired(eol: datetime | None, now: datetime) -> bool:
    """SIG-EOL: past its end-of-life date-time (time moves on after it was set)."""
    return eol is not None and eol_datetime(eol) < now


def _definitions(
    db: Session,
    gallery_pk: int,
    now: datetime,
    after: tuple[Any, ...] = (),
    only: Collection[int] | None = None,
) -> list[Node]:
    limit = PAGE_SIZE + 1 if only is None else None
    definitions = fetch.definitions(db, gallery_pk, after=after, limit=limit, only=only)
    page = PAGE_SIZE if only is None else len(definitions)
    more = definitions[page:]
    definitions = definitions[:page]
    nodes = _definition_nodes(db, definitions, now)
    if more:
        last = (definitions[-1].name_key,)
        left = fetch.count_definitions(db, gallery_pk, after=last)
        nodes.append(_more(gallery_pk, last, left, "image definition"))
    return nodes


def _definition_nodes(
    db: Session, definitions: Sequence[ImageDefinition], now: datetime
) -> list[Node]:
    """The nodes of definitions (of one gallery or several), counts and "latest" read for
    them all at once."""
    keys = [pk_of(d) for d in definitions]
    versions = fetch.count_children(db, ImageVersion, "definition_pk", keys)
    latest = latest_names(db, keys)
    nodes = []
    for d, arm_id in zip(definitions, lookup.arm_ids(db, definitions), strict=True):
        pk = pk_of(d)
        detail = f"{d.os_type} {d.os_state} · {_plural(versions[pk], 'version')}"
        if pk in latest:
            detail += f" · latest {latest[pk]}"
        badges = ("expired",) if is_expired(d.end_of_life_date, now) else ()
        nodes.append(
            Node(
                NodeRef(DEFINITION, pk),
                d.name,
                detail,
                badges,
                has_children=versions[pk] > 0,
                arm_id=arm_id,
            )
        )
    return nodes


def version_state(targets: Sequence[Any], now: datetime) -> str:
    """The aggregated replication state at `now`, with the mean progress in flight, of
    target regions (rows or anything with the fields `schedule.status_at` reads)."""
    statuses = [schedule.status_at(t, now) for t in targets]
    state = schedule.aggregated_state(s.state for s in statuses)
    if state == "InProgress":
        mean = sum(s.progress for s in statuses) // max(1, len(statuses))
        return f"InProgress {mean}%"
    return state.value


def eta_text(eta: datetime | None, now: datetime) -> str:
    if eta is None:
        return ""
    minutes = max(0, int((eta - now).total_seconds()) // 60)
    if minutes == 0:
        return "< 1 min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes} min"


def _versions(
    db: Session,
    definition_pk: int,
    now: datetime,
    after: tuple[Any, ...] = (),
    only: Collection[int] | None = None,
) -> list[Node]:
    limit = PAGE_SIZE + 1 if only is None else None
    versions = fetch.versions(db, definition_pk, after=after, limit=limit, only=only)
    page = PAGE_SIZE if only is None else len(versions)
    more = versions[page:]
    versions = versions[:page]
    nodes = _version_nodes(db, versions, now)
    if more:
        last = (versions[-1].major, versions[-1].minor, versions[-1].patch)
        left = fetch.count_versions(db, definition_pk, after=last)
        nodes.append(_more(definition_pk, last, left, "version"))
    return nodes


def _version_nodes(db: Session, versions: Sequence[ImageVersion], now: datetime) -> list[Node]:
    """The nodes of versions (of one definition or several), "latest" and target regions
    read for them all at once."""
    definition_pks = sorted({v.definition_pk for v in versions})
    latest = latest_names(db, definition_pks)
    keys = [pk_of(v) for v in versions]
    targets = fetch.replication_of_versions_in(db, definition_pks, keys)
    nodes = []
    for v, arm_id in zip(versions, lookup.arm_ids(db, versions), strict=True):
        badges = []
        if v.name == latest.get(v.definition_pk):
            badges.append("latest")
        if v.exclude_from_latest:
            badges.append("excluded from latest")
        if is_expired(v.end_of_life_date, now):
            badges.append("expired")
        regions = targets.get(pk_of(v), [])
        nodes.append(
            Node(
                NodeRef(VERSION, pk_of(v)),
                v.name,
                f"{region_label(v.location)} · {_plural(len(regions), 'region')} · "
                f"{version_state(regions, now)}",
                tuple(badges),
                arm_id=arm_id,
            )
        )
    return nodes


def kept_children(
    db: Session, kind: str, kept: Mapping[int, Collection[int]], now: datetime
) -> dict[int, list[Node]]:
    """The children with the given pks of many galleries or definitions (`kind`), by
    parent pk: for each parent, what `children(..., only=pks)` gives. Read for all the
    parents at once: a bounded number of queries, however many they are."""
    among, nodes_of, parent_column = _KEPT_READERS[kind]
    rows = [
        row
        for row in among(db, set().union(*kept.values()))
        if pk_of(row) in kept.get(getattr(row, parent_column), ())
    ]
    found: dict[int, list[Node]] = {pk: [] for pk in kept}
    for row, node in zip(rows, nodes_of(db, rows, now), strict=True):
        found[getattr(row, parent_column)].append(node)
    return found


# A paged kind: its kept children's rows by pk (in the tree's order), their nodes, and
# the column naming their parent.
_KEPT_READERS: dict[str, tuple[Callable[..., Sequence[Any]], Callable[..., list[Node]], str]] = {
    GALLERY: (fetch.definitions_among, _definition_nodes, "gallery_pk"),
    DEFINITION: (fetch.versions_among, _version_nodes, "definition_pk"),
}


def _managed_images(db: Session, group_pk: int) -> list[Node]:
    memo: dict[tuple[str, int], Any] = {}  # parents read once for all the ids
    return [
        Node(
            NodeRef(MANAGED_IMAGE, pk_of(i)),
            i.name,
            f"{region_label(i.location)} · {i.os_type} · {i.os_disk_size_gb} GiB OS"
            + (f" + {len(i.data_disk_sizes_gb)} data" if i.data_disk_sizes_gb else ""),
            arm_id=lookup.arm_id(db, i, memo),
        )
        for i in fetch.managed_images(db, group_pk)
    ]


def _snapshots(db: Session, group_pk: int) -> list[Node]:
    memo: dict[tuple[str, int], Any] = {}  # parents read once for all the ids
    return [
        Node(
            NodeRef(SNAPSHOT, pk_of(s)),
            s.name,
            f"{region_label(s.location)} · {s.size_gb} GiB"
            + (f" · {s.os_type}" if s.os_type else ""),
            arm_id=lookup.arm_id(db, s, memo),
        )
        for s in fetch.snapshots(db, group_pk)
    ]


# --- details ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]


@dataclass
class Details:
    kind: str
    title: str
    arm_id: str | None
    fields: list[tuple[str, str]]
    notes: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    etag: int | None = None
    access: list[access.AccessEntry] = field(default_factory=list)  # galleries, defs, versions


def _text(value: object) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return str(value)


def _eol_text(eol: datetime | None, now: datetime) -> str:
    if eol is None:
        return "—"
    return f"{eol_text(eol)} (expired)" if is_expired(eol, now) else eol_text(eol)


def details(db: Session, ref: NodeRef, now: datetime) -> Details:
    builders = {
        TENANT: _tenant_details,
        SUBSCRIPTION: _subscription_details,
        GROUP: _group_details,
        GALLERY: _gallery_details,
        DEFINITION: _definition_details,
        VERSION: _version_details,
        MANAGED_IMAGE: _managed_image_details,
        SNAPSHOT: _snapshot_details,
        IMAGES: _folder_details,
        SNAPSHOTS: _folder_details,
        MORE: _more_details,
    }
    shown = builders[ref.kind](db, ref, now)
    if ref.kind in (GALLERY, DEFINITION, VERSION):
        _add_access(db, shown, ref)
    return shown


def _more_details(db: Session, ref: NodeRef, now: datetime) -> Details:
    return Details(
        MORE, "More children", None, [("", f"Enter shows the next {PAGE_SIZE} (or fewer).")]
    )


def _tenant_details(db: Session, ref: NodeRef, now: datetime) -> Details:
    tenant = db.get_one(Tenant, ref.pk)
    subs = fetch.subscriptions(db, tenant.pk)
    return Details(
        TENANT,
        f"Tenant {tenant.name}",
        None,
        [("Name", tenant.name), ("Tenant id", tenant.tenant_id), ("Subscriptions", str(len(subs)))],
        tables=[
            Table(
                "Subscriptions",
                ("Name", "Id", "Cloud"),
                [(s.name, s.subscription_id, s.cloud) for s in subs],
            )
        ],
        etag=tenant.etag,
    )


def _subscription_details(db: Session, ref: NodeRef, now: datetime) -> Details:
    sub = db.get_one(Subscription, ref.pk)
    tenant = db.get_one(Tenant, sub.tenant_pk)
    allowlist = fetch.allowlist(db, ref.pk)
    return Details(
        SUBSCRIPTION,
        f"Subscription {sub.name}",
        lookup.arm_id(db, sub),
        [
            ("Name", sub.name),
            ("Subscription id", sub.subscription_id),
            ("Cloud", sub.cloud),
            ("Tenant", tenant.name),
            ("Allowlisted regions", _text([region_label(r) for r in allowlist])),
        ],
        etag=sub.etag,
    )


def _group_details(db: Session, ref: NodeRef, now: datetime) -> Details:
    group = db.get_one(ResourceGroup, ref.pk)
    sub = db.get_one(Subscription, group.subscription_pk)
    return Details(
        GROUP,
        f"Resource group {group.name}",
        lookup.arm_id(db, group),
        [
            ("Name", group.name),
            ("Location", region_label(group.location)),
            ("Subscription", sub.name),
            ("Tags", _text(group.tags)),
        ],
        etag=group.etag,
    )


def _gallery_details(db: Session, ref: NodeRef, now: datetime) -> Details:
    gallery = db.get_one(Gallery, ref.pk)
    group = db.get_one(ResourceGroup, gallery.resource_group_pk)
    definitions = fetch.count_definitions(db, ref.pk)  # a gallery may hold thousands
    return Details(
        GALLERY,
        f"Gallery {gallery.name}",
        lookup.arm_id(db, gallery),
        [
            ("Name", gallery.name),
            ("Location", region_label(gallery.location)),
            ("Resource group", group.name),
            ("Description", _text(gallery.description)),
            ("Tags", _text(gallery.tags)),
            ("Image definitions", str(definitions)),
            ("Created", _text(gallery.created_at)),
            ("Etag", str(gallery.etag)),
        ],
        etag=gallery.etag,
    )


def _definition_details(db: Session, ref: NodeRef, now: datetime) -> Details:
    d = db.get_one(ImageDefinition, ref.pk)
    gallery = db.get_one(Gallery, d.gallery_pk)
    versions = fetch.versions(db, ref.pk, limit=PAGE_SIZE)  # the newest; all in the tree
    latest = latest_names(db, [ref.pk]).get(ref.pk)
    targets = fetch.replication_of_versions(db, ref.pk, [pk_of(v) for v in versions])
    count = len(versions) if len(versions) < PAGE_SIZE else fetch.count_versions(db, ref.pk)
    rows: list[tuple[str, ...]] = [
        (
            v.name,
            "latest" if v.name == latest else "",
            "yes" if v.exclude_from_latest else "",
            _eol_text(v.end_of_life_date, now),
            str(len(targets.get(pk_of(v), []))),
            version_state(targets.get(pk_of(v), []), now),
            _text(v.published_at),
        )
        for v in versions
    ]
    return Details(
        DEFINITION,
        f"Image definition {d.name}",
        lookup.arm_id(db, d),
        [
            ("Name", d.name),
            ("Gallery", gallery.name),
            ("Location", region_label(d.location)),
            ("Publisher", d.publisher),
            ("Offer", d.offer),
            ("SKU", d.sku),
            ("OS type", d.os_type),
            ("OS state", d.os_state),
            ("Hyper-V generation", d.hyper_v_generation),
            ("Architecture", d.architecture),
            ("Features", _text(d.features)),
            ("Description", _text(d.description)),
            ("EULA", _text(d.eula)),
            ("Privacy statement URI", _text(d.privacy_statement_uri)),
            ("Release notes URI", _text(d.release_note_uri)),
            ("End of life", _eol_text(d.end_of_life_date, now)),
            ("Recommended vCPUs", _range(d.min_vcpus, d.max_vcpus)),
            ("Recommended memory", _range(d.min_memory_mb, d.max_memory_mb, unit=" MB")),
            ("Disallowed disk types", _text(d.disallowed_disk_types)),
            ("Tags", _text(d.tags)),
            ("Latest version", latest or "—"),
            ("Etag", str(d.etag)),
        ],
        notes=list(SPECIALIZED_CAVEATS) if d.os_state == "Specialized" else [],
        tables=[
            Table(
                "Versions"
                if count <= PAGE_SIZE
                else f"Versions: the {PAGE_SIZE} newest of {count:,}",
                (
                    "Version",
                    "Latest",
                    "Excluded",
                    "End of life",
                    "Regions",
                    "Replication",
                    "Published",
                ),
                rows,
            )
        ],
        etag=d.etag,
    )


def _range(low: int | None, high: int | None, unit: str = "") -> str:
    if low is None and high is None:
        return "—"
    return f"{_text(low)} to {_text(high)}{unit}"


def _source_text(db: Session, v: ImageVersion) -> str:
    if v.managed_image_pk:
        return "managed image " + lookup.arm_id(db, db.get_one(ManagedImage, v.managed_image_pk))
    if v.os_snapshot_pk:
        return "OS snapshot " + lookup.arm_id(db, db.get_one(Snapshot, v.os_snapshot_pk))
    return f"external {v.external_source_id}"


def _version_details(db: Session, ref: NodeRef, now: datetime) -> Details:
    v = db.get_one(ImageVersion, ref.pk)
    d = db.get_one(ImageDefinition, v.definition_pk)
    targets = fetch.target_regions(db, ref.pk)
    disks = fetch.data_disks(db, ref.pk)
    latest = latest_names(db, [v.definition_pk]).get(v.definition_pk)
    statuses = [schedule.status_at(t, now) for t in targets]
    ready = [
        region_label(t.region)
        for t, s in zip(targets, statuses, strict=True)
        if s.state == "Completed"
    ]
    notes = []
    if v.name == latest:
        notes.append(f"This is the latest version of {d.name} (SIG-LATEST).")
    if is_expired(v.end_of_life_date, now):
        notes.append("Past its end-of-life date (SIG-EOL): a candidate for cleanup.")
    if d.os_state == "Specialized":
        notes.extend(SPECIALIZED_CAVEATS)
    size = v.os_disk_size_gb + sum(disk.size_gb for disk in disks)
    return Details(
        VERSION,
        f"Image version {d.name} {v.name}",
        lookup.arm_id(db, v),
        [
            ("Version", v.name),
            ("Definition", d.name),
            ("Source region", region_label(v.location)),
            ("Source", _source_text(db, v)),
            ("OS disk", f"{v.os_disk_size_gb} GiB"),
            ("Data disks", _text([f"LUN {disk.lun}: {disk.size_gb} GiB" for disk in disks])),
            ("Total size", f"{size} GiB"),
            ("Replica count (default)", str(v.replica_count)),
            ("Storage type (default)", v.storage_account_type),
            ("Excluded from latest", _text(v.exclude_from_latest)),
            ("End of life", _eol_text(v.end_of_life_date, now)),
            ("Published", _text(v.published_at)),
            ("Replication", version_state(targets, now)),
            ("Deployable now in", ", ".join(ready) or "nowhere yet"),
            ("Tags", _text(v.tags)),
            ("Etag", str(v.etag)),
        ],
        notes=notes,
        tables=[
            Table(
                "Target regions",
                ("Region", "Replicas", "Storage", "State", "Progress", "ETA", "Details"),
                [
                    (
                        region_label(t.region),
                        str(t.replica_count),
                        t.storage_account_type,
                        s.state,
                        f"{s.progress}%",
                        eta_text(s.eta, now),
                        t.details or "",
                    )
                    for t, s in zip(targets, statuses, strict=True)
                ],
            )
        ],
        etag=v.etag,
    )


def _users_of(db: Session, column: Mapped[int | None], pk: int) -> int:
    return db.exec(select(func.count()).where(column == pk)).one()


def _managed_image_details(db: Session, ref: NodeRef, now: datetime) -> Details:
    image = db.get_one(ManagedImage, ref.pk)
    users = _users_of(db, col(ImageVersion.managed_image_pk), ref.pk)
    return Details(
        MANAGED_IMAGE,
        f"Managed image {image.name}",
        lookup.arm_id(db, image),
        [
            ("Name", image.name),
            ("Location", region_label(image.location)),
            ("OS type", image.os_type),
            ("OS state", image.os_state),
            ("Hyper-V generation", image.hyper_v_generation),
            ("OS disk", f"{image.os_disk_size_gb} GiB"),
            (
                "Data disks",
                _text([f"LUN {i}: {s} GiB" for i, s in enumerate(image.data_disk_sizes_gb)]),
            ),
            ("Image versions made from it", str(users)),
            ("Tags", _text(image.tags)),
        ],
        etag=image.etag,
    )


def _snapshot_details(db: Session, ref: NodeRef, now: datetime) -> Details:
    snap = db.get_one(Snapshot, ref.pk)
    users = _users_of(db, col(ImageVersion.os_snapshot_pk), ref.pk)
    return Details(
        SNAPSHOT,
        f"Snapshot {snap.name}",
        lookup.arm_id(db, snap),
        [
            ("Name", snap.name),
            ("Location", region_label(snap.location)),
            ("Size", f"{snap.size_gb} GiB"),
            ("OS type", _text(snap.os_type)),
            ("Image versions using it as OS disk", str(users)),
            ("Tags", _text(snap.tags)),
        ],
        etag=snap.etag,
    )


def _folder_details(db: Session, ref: NodeRef, now: datetime) -> Details:
    group = db.get_one(ResourceGroup, ref.pk)
    nodes = children(db, ref, now)
    what = "Managed images" if ref.kind == IMAGES else "Snapshots"
    return Details(
        ref.kind,
        f"{what} of {group.name}",
        None,
        [("Resource group", group.name), ("Count", str(len(nodes)))],
        tables=[Table(what, ("Name", "Facts"), [(n.name, n.detail) for n in nodes])],
    )


def etag_of(db: Session, arm_id: str) -> int | None:
    """The resource's etag now, what the app holds for it after its own save (None: it
    was deleted meanwhile)."""
    try:
        return lookup.resolve(db, arm_id).etag
    except CatalogError:
        return None


def path_to(db: Session, arm_id: str) -> list[NodeRef]:
    """The tree path (root first) to the resource with this ARM id."""
    row = lookup.resolve(db, arm_id)
    path: list[NodeRef] = []
    if isinstance(row, ImageVersion):
        path.append(NodeRef(VERSION, pk_of(row)))
        row = db.get_one(ImageDefinition, row.definition_pk)
    if isinstance(row, ImageDefinition):
        path.append(NodeRef(DEFINITION, pk_of(row)))
        row = db.get_one(Gallery, row.gallery_pk)
    if isinstance(row, Gallery):
        path.append(NodeRef(GALLERY, pk_of(row)))
        row = db.get_one(ResourceGroup, row.resource_group_pk)
    if isinstance(row, ManagedImage | Snapshot):
        folder = IMAGES if isinstance(row, ManagedImage) else SNAPSHOTS
        kind = MANAGED_IMAGE if isinstance(row, ManagedImage) else SNAPSHOT
        path += [NodeRef(kind, pk_of(row)), NodeRef(folder, row.resource_group_pk)]
        row = db.get_one(ResourceGroup, row.resource_group_pk)
    if isinstance(row, ResourceGroup):
        path.append(NodeRef(GROUP, pk_of(row)))
        row = db.get_one(Subscription, row.subscription_pk)
    if isinstance(row, Subscription):
        path += [NodeRef(SUBSCRIPTION, pk_of(row)), NodeRef(TENANT, row.tenant_pk)]
    return list(reversed(path))


# --- access (SIG-ACCESS) -----------------------------------------------------------------

ACCESS_COLUMNS = ("Principal", "Type", "Role", "Allows", "Given at", "Tenant")
_SCOPED_MODELS: dict[str, type[Gallery | ImageDefinition | ImageVersion]] = {
    GALLERY: Gallery,
    DEFINITION: ImageDefinition,
    VERSION: ImageVersion,
}


def _add_access(db: Session, shown: Details, ref: NodeRef) -> None:
    """Who has access, by which assignment, direct or inherited (the "Access" table)."""
    resource = db.get_one(_SCOPED_MODELS[ref.kind], ref.pk)
    assert isinstance(resource, Gallery | ImageDefinition | ImageVersion)
    entries = access.access_to(db, resource)
    shown.access = entries
    shown.tables.append(Table("Access", ACCESS_COLUMNS, [_access_row(e) for e in entries]))
    if any(e.scope_kind == "version" for e in entries):
        shown.notes.append(
            "Shared at a single version (SIG-ACCESS): discouraged; share the gallery instead."
        )


def _access_row(entry: access.AccessEntry) -> tuple[str, ...]:
    given_at = (
        f"inherited from {entry.scope_kind} {entry.scope_name}" if entry.inherited else "direct"
    )
    tenant = entry.principal_tenant + (" (cross-tenant)" if entry.cross_tenant else "")
    return (
        entry.principal,
        entry.principal_type,
        entry.role,
        ", ".join(entry.capabilities) or "—",
        given_at,
        tenant,
    )
