"""Finding resources across every subscription, and the flat list of all image versions.

The source document's FAQ asks how to "list all the Shared Image Gallery resources across
subscriptions"; `search` answers it for a piece of text: resources whose name, publisher,
offer or SKU contains it (case-insensitively), or that live in (or replicate to) a region
any of whose names contains it. `all_versions` is the flat, sortable list of every version.

Both cost a bounded number of queries whatever the number of rows: one per kind of
resource for `search`, one per page for `all_versions`; parents come with joins and the
replication state with a GROUP BY over target regions, never a query per row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import Session, col

from sigtui.catalog.model import ids
from sigtui.catalog.model.enums import AggregatedState, ReplicationState
from sigtui.catalog.model.models import (
    Gallery,
    ImageDefinition,
    ImageVersion,
    ManagedImage,
    ResourceGroup,
    Snapshot,
    Subscription,
    TargetRegion,
    Tenant,
)
from sigtui.catalog.queries import browse, lookup, seen
from sigtui.catalog.replication import schedule
from sigtui.catalog.rules.regions import search_regions
from sigtui.catalog.store.sql_functions import Contains

if TYPE_CHECKING:
    from sigtui.catalog.rules.access import Visibility

DEFAULT_LIMIT = 200

_Rows = sa.Select[*tuple[Any, ...]]  # a statement of plain rows

# The order matches are listed in when they rank the same: the tree's order, top down.
KIND_ORDER = (
    browse.SUBSCRIPTION,
    browse.GROUP,
    browse.GALLERY,
    browse.DEFINITION,
    browse.VERSION,
    browse.MANAGED_IMAGE,
    browse.SNAPSHOT,
)

# How well a row matches: its name is the text, starts with it, contains it; or another
# field (publisher, offer, SKU, region) matches.
EXACT, PREFIX, CONTAINS, OTHER = 0, 1, 2, 3


@dataclass(frozen=True)
class Match:
    """A resource found by `search`, with where it sits in the tree."""

    kind: str  # one of KIND_ORDER (sigtui.catalog.queries.browse's node kinds)
    name: str
    parents: tuple[str, ...]  # names above it: tenant / subscription / group / ...
    arm_id: str
    matched: str  # what matched: "name", "publisher Contoso", "region West US", ...
    rank: int = CONTAINS

    @property
    def path(self) -> str:
        """tenant / subscription / group / gallery / definition / version."""
        return " / ".join((*self.parents, self.name))

    @property
    def parent_path(self) -> str:
        return " / ".join(self.parents)


# --- search ------------------------------------------------------------------------------


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class _Needle:
    """The text searched for, as the SQL conditions need it."""

    key: str  # casefolded, like the *_key columns
    regions: tuple[str, ...]  # programmatic names of the regions whose names contain it

    @property
    def contains(self) -> str:
        return f"%{_escape_like(self.key)}%"

    @property
    def prefix(self) -> str:
        return f"{_escape_like(self.key)}%"

    def like(self, column: Any) -> Any:
        return column.like(self.contains, escape="\\")

    def in_region(self, column: Any) -> Any:
        return column.in_(self.regions) if self.regions else sa.false()

    def name_rank(self, key_column: Any) -> Any:
        return sa.case(
            (key_column == self.key, EXACT),
            (key_column.like(self.prefix, escape="\\"), PREFIX),
            (key_column.like(self.contains, escape="\\"), CONTAINS),
            else_=OTHER,
        )


def search(db: Session, text: str, limit: int = DEFAULT_LIMIT) -> list[Match]:
    """Resources across every subscription whose name, publisher, offer or SKU contains
    `text`, or that are in (or, for versions, replicate to) a region named like it.
    Best matches first (the name itself, then names starting with it); at most `limit`."""
    key = text.strip().casefold()
    if not key or limit <= 0:
        return []
    needle = _Needle(key, tuple(sorted(r.name for r in search_regions(key))))
    found: list[Match] = []
    for finder in _FINDERS:
        found.extend(finder(db, needle, limit))
    found.sort(key=lambda m: (m.rank, KIND_ORDER.index(m.kind), m.name.casefold(), m.path))
    return found[:limit]


def _rows(db: Session, statement: _Rows, rank: Any, name_key: Any, limit: int) -> Sequence[Any]:
    ordered = statement.add_columns(rank.label("rank")).order_by(rank, name_key).limit(limit)
    return db.execute(ordered).all()


def _region_matched(location: str) -> str:
    return f"region {browse.region_label(location)}"


def _name_or_region(rank: int, location: str) -> str:
    return "name" if rank < OTHER else _region_matched(location)


def _with_subscription(statement: _Rows) -> _Rows:
    """Join a group's subscription and tenant."""
    return statement.join(
        Subscription,
        col(Subscription.pk) == ResourceGroup.subscription_pk,
    ).join(Tenant, col(Tenant.pk) == Subscription.tenant_pk)


def _with_group(statement: _Rows, group_pk: Any) -> _Rows:
    """Join a resource's group, subscription and tenant (the top of its path)."""
    return _with_subscription(statement.join(ResourceGroup, col(ResourceGroup.pk) == group_pk))


_TOP = (
    col(Tenant.name),
    col(Subscription.name),
    col(Subscription.subscription_id),
    col(ResourceGroup.name),
)


def _subscriptions(db: Session, needle: _Needle, limit: int) -> list[Match]:
    rank = needle.name_rank(Subscription.name_key)
    statement = (
        sa.select(col(Tenant.name), col(Subscription.name), col(Subscription.subscription_id))
        .join(Tenant, col(Tenant.pk) == Subscription.tenant_pk)
        .where(
            needle.like(Subscription.name_key)
            | needle.like(sa.func.lower(Subscription.subscription_id))
        )
    )
    return [
        Match(
            browse.SUBSCRIPTION,
            sub,
            (tenant,),
            ids.subscription_id(sub_id),
            "name" if r < OTHER else "subscription id",
            r,
        )
        for tenant, sub, sub_id, r in _rows(db, statement, rank, Subscription.name_key, limit)
    ]


def _groups(db: Session, needle: _Needle, limit: int) -> list[Match]:
    rank = needle.name_rank(ResourceGroup.name_key)
    statement = _with_subscription(
        sa.select(*_TOP, col(ResourceGroup.location)).select_from(ResourceGroup)
    ).where(needle.like(ResourceGroup.name_key) | needle.in_region(ResourceGroup.location))
    return [
        Match(
            browse.GROUP,
            group,
            (tenant, sub),
            ids.group_id(sub_id, group),
            _name_or_region(r, location),
            r,
        )
        for tenant, sub, sub_id, group, location, r in _rows(
            db, statement, rank, ResourceGroup.name_key, limit
        )
    ]


def _galleries(db: Session, needle: _Needle, limit: int) -> list[Match]:
    rank = needle.name_rank(Gallery.name_key)
    columns = (*_TOP, col(Gallery.name), col(Gallery.location))
    statement = _with_group(
        sa.select(*columns).select_from(Gallery), Gallery.resource_group_pk
    ).where(needle.like(Gallery.name_key) | needle.in_region(Gallery.location))
    return [
        Match(
            browse.GALLERY,
            gallery,
            (tenant, sub, group),
            ids.gallery_id(sub_id, group, gallery),
            _name_or_region(r, location),
            r,
        )
        for tenant, sub, sub_id, group, gallery, location, r in _rows(
            db, statement, rank, Gallery.name_key, limit
        )
    ]


def _definition_matched(needle: _Needle, rank: int, row: Any) -> str:
    if rank < OTHER:
        return "name"
    for label, value in (("publisher", row.publisher), ("offer", row.offer), ("SKU", row.sku)):
        if needle.key in value.casefold():
            return f"{label} {value}"
    return _region_matched(row.location)


def _definitions(db: Session, needle: _Needle, limit: int) -> list[Match]:
    rank = needle.name_rank(ImageDefinition.name_key)
    statement: _Rows = (
        sa.select(
            *_TOP,
            col(Gallery.name).label("gallery"),
            col(ImageDefinition.name),
            col(ImageDefinition.publisher),
            col(ImageDefinition.offer),
            col(ImageDefinition.sku),
            col(ImageDefinition.location),
        )
        .select_from(ImageDefinition)
        .join(Gallery, col(Gallery.pk) == ImageDefinition.gallery_pk)
    )
    statement = _with_group(statement, Gallery.resource_group_pk).where(
        needle.like(ImageDefinition.name_key)
        | needle.like(ImageDefinition.publisher_key)
        | needle.like(ImageDefinition.offer_key)
        | needle.like(ImageDefinition.sku_key)
        | needle.in_region(ImageDefinition.location)
    )
    matches = []
    for row in _rows(db, statement, rank, ImageDefinition.name_key, limit):
        tenant, sub, sub_id, group, gallery, name = row[:6]
        matches.append(
            Match(
                browse.DEFINITION,
                name,
                (tenant, sub, group, gallery),
                ids.definition_id(sub_id, group, gallery, name),
                _definition_matched(needle, row.rank, row),
                row.rank,
            )
        )
    return matches


def _version_matched(rank: int, location: str, target: str | None) -> str:
    if rank < OTHER:
        return "name"
    if target is None or target == location:
        return _region_matched(location)
    return f"target region {browse.region_label(target)}"


VERSION_NAME_CHARACTERS = frozenset("0123456789.")  # Major.Minor.Patch (rules, SIG-NAME)


def _versions(db: Session, needle: _Needle, limit: int) -> list[Match]:
    # version names are digits and dots: their name is their key, and a text with any
    # other character is in none of them (no need to read every version's name)
    by_name_possible = set(needle.key) <= VERSION_NAME_CHARACTERS
    if not by_name_possible and not needle.regions:
        return []
    rank = needle.name_rank(ImageVersion.name)
    named = Contains(ImageVersion.name, needle.key)  # a version's name is its key
    # The best `limit` versions, from the versions table alone, then their names (and the
    # target region that matched) for those only. Matches by name first; then, when the
    # text names a region, versions there by name: the name index gives them in order, so
    # a region that 100,000 versions replicate to costs a page, not a sort of them all.
    parts = []
    if by_name_possible:
        by_name = _first(
            sa.select(col(ImageVersion.pk), col(ImageVersion.name), rank.label("rank"))
            .where(named)
            .order_by(rank, col(ImageVersion.name)),
            limit,
        )
        parts.append(by_name)
    if needle.regions:
        replicated_there = sa.exists().where(
            col(TargetRegion.version_pk) == ImageVersion.pk, needle.in_region(TargetRegion.region)
        )
        parts.append(
            _first(
                sa.select(
                    col(ImageVersion.pk), col(ImageVersion.name), sa.literal(OTHER).label("rank")
                )
                .where(
                    ~named,
                    needle.in_region(ImageVersion.location) | replicated_there,
                )
                .order_by(col(ImageVersion.name)),
                limit,
            )
        )
    union = sa.union_all(*parts).subquery("matched")
    best = (
        sa.select(union.c.pk, union.c.rank)
        .order_by(union.c.rank, union.c.name)
        .limit(limit)
        .subquery("best")
    )
    target = (
        sa.select(sa.func.min(TargetRegion.region))
        .where(
            col(TargetRegion.version_pk) == ImageVersion.pk, needle.in_region(TargetRegion.region)
        )
        .scalar_subquery()
    )
    statement = (
        sa.select(
            *_TOP,
            col(Gallery.name).label("gallery"),
            col(ImageDefinition.name).label("definition"),
            col(ImageVersion.name),
            col(ImageVersion.location),
            target.label("target"),
            best.c.rank,
        )
        .select_from(best)
        .join(ImageVersion, col(ImageVersion.pk) == best.c.pk)
        .join(ImageDefinition, col(ImageDefinition.pk) == ImageVersion.definition_pk)
        .join(Gallery, col(Gallery.pk) == ImageDefinition.gallery_pk)
    )
    statement = _with_group(statement, Gallery.resource_group_pk).order_by(
        best.c.rank, col(ImageVersion.name)
    )
    matches = []
    for row in db.execute(statement).all():
        tenant, sub, sub_id, group, gallery, definition, name = row[:7]
        matches.append(
            Match(
                browse.VERSION,
                name,
                (tenant, sub, group, gallery, definition),
                ids.version_id(sub_id, group, gallery, definition, name),
                _version_matched(row.rank, row.location, row.target),
                row.rank,
            )
        )
    return matches


def _first(statement: _Rows, limit: int) -> _Rows:
    """The first `limit` rows of an ordered statement, as a member of a UNION (which takes
    an ORDER BY ... LIMIT only inside a subquery)."""
    page = statement.limit(limit).subquery()
    return sa.select(*page.c)


def _sources(
    model: type[ManagedImage] | type[Snapshot], kind: str, make_id: Callable[[str, str, str], str]
) -> Callable[[Session, _Needle, int], list[Match]]:
    """The finder of managed images or snapshots (they sit in a group's folder)."""
    folder = "Managed images" if kind == browse.MANAGED_IMAGE else "Snapshots"

    def find(db: Session, needle: _Needle, limit: int) -> list[Match]:
        rank = needle.name_rank(model.name_key)
        statement = _with_group(
            sa.select(*_TOP, col(model.name), col(model.location)).select_from(model),
            model.resource_group_pk,
        ).where(needle.like(model.name_key) | needle.in_region(model.location))
        return [
            Match(
                kind,
                name,
                (tenant, sub, group, folder),
                make_id(sub_id, group, name),
                _name_or_region(r, location),
                r,
            )
            for tenant, sub, sub_id, group, name, location, r in _rows(
                db, statement, rank, model.name_key, limit
            )
        ]

    return find


_FINDERS: tuple[Callable[[Session, _Needle, int], list[Match]], ...] = (
    _subscriptions,
    _groups,
    _galleries,
    _definitions,
    _versions,
    _sources(ManagedImage, browse.MANAGED_IMAGE, ids.managed_image_id),
    _sources(Snapshot, browse.SNAPSHOT, ids.snapshot_id),
)


# --- all versions ------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionRow:
    """One image version of the flat list, with its parents and replication summary."""

    arm_id: str
    subscription: str
    group: str
    gallery: str
    definition: str
    version: str
    source_region: str  # programmatic name
    regions: int  # number of target regions
    state: str  # the aggregatedState at the time asked for (SIG-REPLICATION)
    progress: int  # mean replication progress over the target regions, in percent
    latest: bool  # the definition's latest version (SIG-LATEST)
    excluded: bool  # excluded from latest
    end_of_life: datetime | None  # SIG-EOL: a date-time
    published: datetime | None

    @property
    def replication(self) -> str:
        if self.state == AggregatedState.IN_PROGRESS:
            return f"{self.state} {self.progress}%"
        return self.state

    def expired(self, now: datetime) -> bool:
        return browse.is_expired(self.end_of_life, now)


# sortable columns, in the order the list shows them
SORT_COLUMNS = (
    "subscription",
    "gallery",
    "definition",
    "version",
    "source_region",
    "regions",
    "replication",
    "latest",
    "excluded",
    "end_of_life",
    "published",
)


def _regions_at(now: datetime, versions: Any = None) -> Any:
    """Each target region's state and progress at `now` (schedule.StatusColumns): of
    every version, or of those whose pks `versions` (a SELECT) gives."""
    status = schedule.StatusColumns(TargetRegion, now)
    statement = sa.select(
        col(TargetRegion.version_pk), status.state.label("state"), status.progress.label("progress")
    )
    if versions is not None:
        statement = statement.where(col(TargetRegion.version_pk).in_(versions))
    return statement.subquery("region_now")


def _replication_summary(now: datetime, versions: Any = None) -> Any:
    """Per version at `now`: how many target regions, how many in each state, and their
    total progress (one GROUP BY over the target regions; of `versions` only, if given)."""
    regions = _regions_at(now, versions)

    def count_in(state: str) -> Any:
        return sa.func.sum(sa.case((regions.c.state == state, 1), else_=0))

    return (
        sa.select(
            regions.c.version_pk,
            sa.func.count().label("regions"),
            count_in(ReplicationState.FAILED).label("failed"),
            count_in(ReplicationState.REPLICATING).label("replicating"),
            count_in(ReplicationState.COMPLETED).label("completed"),
            sa.func.sum(regions.c.progress).label("progress"),
        )
        .group_by(regions.c.version_pk)
        .subquery("replication")
    )


def _latest_versions(versions: Any = None) -> Any:
    """The pk of each definition's latest version (SIG-LATEST), as a subquery: of every
    definition, or of the definitions of the versions whose pks `versions` gives."""
    statement = sa.select(
        col(ImageVersion.pk),
        lookup.rank_in_definition().label("position"),
    ).where(col(ImageVersion.exclude_from_latest).is_(False))
    if versions is not None:
        of_page = sa.select(col(ImageVersion.definition_pk)).where(
            col(ImageVersion.pk).in_(versions)
        )
        statement = statement.where(col(ImageVersion.definition_pk).in_(of_page))
    ranked = statement.subquery("ranked")
    return sa.select(ranked.c.pk).where(ranked.c.position == 1).subquery("latest")


def _state_expression(summary: Any) -> tuple[Any, Any]:
    """The aggregatedState (as replication.aggregated_state computes it) and its sort rank:
    Completed, InProgress, Unknown, Failed."""
    regions = sa.func.coalesce(summary.c.regions, 0)
    conditions = (
        (sa.func.coalesce(summary.c.failed, 0) > 0, AggregatedState.FAILED.value, 3),
        (sa.func.coalesce(summary.c.replicating, 0) > 0, AggregatedState.IN_PROGRESS.value, 1),
        ((regions > 0) & (summary.c.completed == regions), AggregatedState.COMPLETED.value, 0),
    )
    state = sa.case(*((c, s) for c, s, _ in conditions), else_=AggregatedState.UNKNOWN.value)
    rank = sa.case(*((c, r) for c, _, r in conditions), else_=2)
    return state, rank


def _version_order() -> tuple[Any, ...]:
    return (ImageVersion.major, ImageVersion.minor, ImageVersion.patch)


# the sorts that need no replication state nor latest flag: a page of them is chosen by
# the naming joins alone, and only its versions' target regions are read
NAMED_SORT_KEYS: dict[str, tuple[Any, ...]] = {
    "subscription": (Subscription.name_key,),
    "gallery": (Gallery.name_key,),
    "definition": (ImageDefinition.name_key,),
    "version": _version_order(),
    "source_region": (ImageVersion.location,),
    "excluded": (ImageVersion.exclude_from_latest,),
    "end_of_life": (ImageVersion.end_of_life_date,),
    "published": (ImageVersion.published_at,),
}


def _ordering(keys: tuple[Any, ...], descending: bool) -> list[Any]:
    """`keys` in the direction asked (blanks last), then by subscription, gallery,
    definition and version highest first."""
    chosen = [sa.nulls_last(sa.desc(key) if descending else sa.asc(key)) for key in keys]
    return [
        *chosen,
        Subscription.name_key,
        Gallery.name_key,
        ImageDefinition.name_key,
        *(sa.desc(part) for part in _version_order()),
        ImageVersion.pk,
    ]


def _with_names(statement: Any) -> Any:
    """`statement` over versions, joined to their definition, gallery, group and
    subscription."""
    return (
        statement.select_from(ImageVersion)
        .join(ImageDefinition, col(ImageDefinition.pk) == ImageVersion.definition_pk)
        .join(Gallery, col(Gallery.pk) == ImageDefinition.gallery_pk)
        .join(ResourceGroup, col(ResourceGroup.pk) == Gallery.resource_group_pk)
        .join(Subscription, col(Subscription.pk) == ResourceGroup.subscription_pk)
    )


def _named_page(
    sort: str, descending: bool, offset: int, limit: int, viewer: Visibility | None
) -> Any:
    """The pks of one page of versions in a sort of NAMED_SORT_KEYS (a SELECT)."""
    return (
        _with_names(sa.select(col(ImageVersion.pk)))
        .where(_seen_version(viewer))
        .order_by(*_ordering(NAMED_SORT_KEYS[sort], descending))
        .offset(max(0, offset))
        .limit(max(0, limit))
    )


def all_versions(
    db: Session,
    sort: str = "subscription",
    descending: bool = False,
    offset: int = 0,
    limit: int = DEFAULT_LIMIT,
    *,
    now: datetime | None = None,
    viewer: Visibility | None = None,
) -> list[VersionRow]:
    """One page of every image version across subscriptions (those `viewer` sees, when
    given), sorted by a SORT_COLUMNS name (then by subscription, gallery, definition, and
    version highest first), with the replication state at `now` (default: the current
    time). One query. A sort by a name, a date or a flag of the version's own picks the
    page first and reads the replication state of its versions only (and the latest of
    their definitions); a sort by regions, replication or latest ranks every version."""
    if sort not in SORT_COLUMNS:
        raise ValueError(f"cannot sort versions by {sort!r}; one of {', '.join(SORT_COLUMNS)}")
    page = _named_page(sort, descending, offset, limit, viewer) if sort in NAMED_SORT_KEYS else None
    if page is not None:  # read once (a CTE used thrice is materialized), used thrice
        page = sa.select(page.cte("page").c.pk)
    summary = _replication_summary(now or datetime.now(UTC), page)
    latest = _latest_versions(page)
    state, state_rank = _state_expression(summary)
    regions = sa.func.coalesce(summary.c.regions, 0)
    progress = sa.case((regions > 0, sa.func.coalesce(summary.c.progress, 0) // regions), else_=0)
    is_latest = latest.c.pk.is_not(None)
    sort_keys: dict[str, tuple[Any, ...]] = {
        **NAMED_SORT_KEYS,
        "regions": (regions,),
        "replication": (state_rank, progress),
        "latest": (sa.case((is_latest, 1), else_=0),),
    }
    statement = (
        _with_names(
            sa.select(
                col(Subscription.name).label("subscription"),
                col(Subscription.subscription_id),
                col(ResourceGroup.name).label("group"),
                col(Gallery.name).label("gallery"),
                col(ImageDefinition.name).label("definition"),
                col(ImageVersion.name).label("version"),
                col(ImageVersion.location),
                regions.label("regions"),
                state.label("state"),
                progress.label("progress"),
                is_latest.label("latest"),
                col(ImageVersion.exclude_from_latest),
                col(ImageVersion.end_of_life_date),
                col(ImageVersion.published_at),
            )
        )
        .outerjoin(summary, summary.c.version_pk == ImageVersion.pk)
        .outerjoin(latest, latest.c.pk == ImageVersion.pk)
        .where(_seen_version(viewer))
        .order_by(*_ordering(sort_keys[sort], descending))
    )
    if page is not None:
        statement = statement.where(col(ImageVersion.pk).in_(page))
    else:
        statement = statement.offset(max(0, offset)).limit(max(0, limit))
    return [_version_row(row) for row in db.execute(statement)]


def _version_row(row: Any) -> VersionRow:
    return VersionRow(
        arm_id=ids.version_id(
            row.subscription_id, row.group, row.gallery, row.definition, row.version
        ),
        subscription=row.subscription,
        group=row.group,
        gallery=row.gallery,
        definition=row.definition,
        version=row.version,
        source_region=row.location,
        regions=int(row.regions),
        state=row.state,
        progress=int(row.progress),
        latest=bool(row.latest),
        excluded=bool(row.exclude_from_latest),
        end_of_life=row.end_of_life_date,
        published=row.published_at,
    )


def _seen_version(viewer: Visibility | None) -> sa.ColumnElement[bool]:
    """The versions `viewer` sees, in a statement that joins their definition."""
    return seen.versions(
        viewer, col(ImageVersion.pk), col(ImageDefinition.pk), col(ImageDefinition.gallery_pk)
    )


def count_versions(db: Session, viewer: Visibility | None = None) -> int:
    """How many image versions the catalog holds (all subscriptions), or `viewer` sees."""
    statement = sa.select(sa.func.count()).select_from(ImageVersion)
    if viewer is not None:
        statement = statement.join(
            ImageDefinition, col(ImageDefinition.pk) == ImageVersion.definition_pk
        ).where(_seen_version(viewer))
    return int(db.execute(statement).one()[0])


@dataclass(frozen=True)
class VersionsPage:
    rows: list[VersionRow]
    total: int | None  # how many versions there are (the viewer sees); None: not counted


def versions_page(
    db: Session,
    sort: str,
    descending: bool,
    offset: int,
    limit: int,
    now: datetime,
    *,
    count: bool,
    viewer: Visibility | None = None,
) -> VersionsPage:
    """A page of `all_versions` and, when `count`, how many versions there are, both read
    at once (so that they agree); only those `viewer` sees, when given."""
    rows = all_versions(db, sort, descending, offset, limit, now=now, viewer=viewer)
    return VersionsPage(rows, count_versions(db, viewer) if count else None)
