"""sigtui.catalog.queries.search: finding resources across subscriptions (the FAQ "list all gallery
resources across subscriptions") and the flat, sortable list of all image versions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from builders import (
    OTHER_SUBSCRIPTION_ID,
    SUBSCRIPTION_ID,
    Build,
    World,
    small_catalog,
    targets,
    write,
)
from conftest import ENGINES, CopyOfBuilt, load_demo_into
from sql_counter import recorded_statements

from sigtui.catalog.queries import browse, lookup, search
from sigtui.catalog.replication import schedule
from sigtui.catalog.store.clock import FixedClock
from sigtui.catalog.store.db import Catalog, open_catalog


@dataclass
class Estate:
    """Two subscriptions: Production (West US) and Staging (West Europe)."""

    catalog: Catalog
    world: World
    staging_gallery: str
    staging_definition: str
    versions: dict[str, str]  # "definition/version" -> ARM id


@dataclass(frozen=True)
class _Built:
    """What `_build_estate` made: the small catalog's ids, the rest, the clock's end."""

    small: tuple[str, str, str, str, str]  # subscription, group, gallery, definition, image
    staging_gallery: str
    staging_definition: str
    versions: dict[str, str]
    now: datetime


def _record(catalog: Catalog, version_id: str, region: str, state: str, progress: int) -> None:
    now = catalog.clock.now()
    write(catalog, lambda db: schedule.record(db, version_id, region, state, now, progress))


def _build_estate(url: str, clock: FixedClock) -> _Built:
    """Production is the small catalog (rg-images / gallery1 / def1, Contoso...)."""
    catalog = open_catalog(url, clock=clock)
    world = small_catalog(catalog)
    build: Build = world.build
    build.subscription("Staging", OTHER_SUBSCRIPTION_ID)
    group = build.group("rg-staging", "westeurope", subscription=OTHER_SUBSCRIPTION_ID)
    gallery = build.gallery(group, "galleryStaging", "westeurope")
    definition = build.definition(
        gallery, "MyImage_2", "Fabrikam", "Web", "Frontend_x", location="westeurope"
    )
    image = build.managed_image(group, "image-weu", "westeurope")
    versions: dict[str, str] = {}
    for name, fields in (
        ("1.0.0", {"targets": ["westus", "eastus"]}),
        ("1.2.0", {"targets": ["westus", "northeurope=2"]}),
        ("1.10.0", {"end_of_life_date": date(2026, 6, 30)}),
        ("2.0.0", {"exclude_from_latest": True}),
    ):
        world.clock.advance(3600)
        versions[f"def1/{name}"] = world.version(name, **fields)
    world.clock.advance(3600)
    versions["MyImage_2/1.0.0"] = build.version(
        definition, "1.0.0", "westeurope", image=image, targets=["westeurope", "francecentral"]
    )
    _record(catalog, versions["def1/1.0.0"], "eastus", "Failed", 40)
    _record(catalog, versions["def1/1.2.0"], "northeurope", "Replicating", 50)
    _record(catalog, versions["MyImage_2/1.0.0"], "francecentral", "Completed", 100)
    catalog.close()
    small = (world.subscription, world.group, world.gallery, world.definition, world.image)
    return _Built(small, gallery, definition, versions, clock.now())


@pytest.fixture(params=ENGINES)
def estate(
    request: pytest.FixtureRequest, copy_of_built: CopyOfBuilt, clock: FixedClock
) -> Iterator[Estate]:
    """A copy of the estate (built once per session), the clock where the build left it."""
    copy = copy_of_built(request.param, _build_estate, clock)
    built: _Built = copy.made
    clock.set(built.now)
    catalog = open_catalog(copy.url, clock=clock)
    world = World(Build(catalog), catalog, *built.small)
    yield Estate(
        catalog, world, built.staging_gallery, built.staging_definition, dict(built.versions)
    )
    catalog.close()


def find(catalog: Catalog, text: str, limit: int = search.DEFAULT_LIMIT) -> list[search.Match]:
    with catalog.read() as db:
        return search.search(db, text, limit)


def by_path(matches: list[search.Match]) -> dict[str, search.Match]:
    return {m.path: m for m in matches}


# --- search ------------------------------------------------------------------------------


def test_search_finds_names_across_subscriptions_case_insensitively(estate: Estate) -> None:
    catalog = estate.catalog
    estate.world.build.definition(estate.world.gallery, "myimage1", "Contoso", "Finance", "Other")
    matches = find(catalog, "MYIMAGE")
    assert [(m.kind, m.path) for m in matches] == [
        (browse.DEFINITION, "Contoso / Production / rg-images / gallery1 / myimage1"),
        (browse.DEFINITION, "Contoso / Staging / rg-staging / galleryStaging / MyImage_2"),
    ]
    assert {m.matched for m in matches} == {"name"}


def test_every_match_carries_the_arm_id_of_its_resource(estate: Estate) -> None:
    catalog = estate.catalog
    matches = find(catalog, "i")  # names of every kind contain an "i"
    kinds = {m.kind for m in matches}
    assert kinds >= {
        browse.SUBSCRIPTION,
        browse.GROUP,
        browse.GALLERY,
        browse.DEFINITION,
        browse.MANAGED_IMAGE,
    }
    with catalog.read() as db:
        for match in matches:
            row = lookup.resolve(db, match.arm_id)
            assert row.name == match.name  # type: ignore[attr-defined]
            assert browse.path_to(db, match.arm_id)  # the tree can reveal it


def test_a_version_match_has_the_full_path(estate: Estate) -> None:
    catalog = estate.catalog
    match = by_path(find(catalog, "1.10"))[
        "Contoso / Production / rg-images / gallery1 / def1 / 1.10.0"
    ]
    assert match.kind == browse.VERSION
    assert match.arm_id == estate.versions["def1/1.10.0"]
    assert match.parent_path == "Contoso / Production / rg-images / gallery1 / def1"


@pytest.mark.parametrize(
    ("text", "matched"),
    [("fabrik", "publisher Fabrikam"), ("WEB", "offer Web"), ("frontend_", "SKU Frontend_x")],
)
def test_search_finds_definitions_by_publisher_offer_or_sku(
    estate: Estate, text: str, matched: str
) -> None:
    catalog = estate.catalog
    matches = find(catalog, text)
    assert [(m.name, m.matched) for m in matches] == [("MyImage_2", matched)]


@pytest.mark.parametrize("region", ["westeurope", "West Europe", "europe ouest", "Europe Ouest"])
def test_search_finds_resources_by_any_name_of_their_region(estate: Estate, region: str) -> None:
    catalog = estate.catalog
    matches = by_path(find(catalog, region))
    staging = "Contoso / Staging / rg-staging"
    assert matches[staging].matched == "region West Europe"
    assert matches[f"{staging} / galleryStaging"].kind == browse.GALLERY
    assert matches[f"{staging} / galleryStaging / MyImage_2"].kind == browse.DEFINITION
    assert matches[f"{staging} / galleryStaging / MyImage_2 / 1.0.0"].kind == browse.VERSION
    assert matches[f"{staging} / Managed images / image-weu"].kind == browse.MANAGED_IMAGE
    assert not any("Production" in path for path in matches)


def test_search_finds_versions_replicated_to_a_region(estate: Estate) -> None:
    catalog = estate.catalog
    matches = find(catalog, "North Europe")
    assert [(m.path, m.matched) for m in matches] == [
        (
            "Contoso / Production / rg-images / gallery1 / def1 / 1.2.0",
            "target region North Europe",
        )
    ]


def test_like_wildcards_in_the_text_are_literal(estate: Estate) -> None:
    catalog = estate.catalog
    assert [m.name for m in find(catalog, "image_")] == ["MyImage_2"]
    assert find(catalog, "%") == []
    assert find(catalog, "def_") == []  # would match "def1" if _ were a wildcard


def test_best_matches_come_first(estate: Estate) -> None:
    catalog = estate.catalog
    build = estate.world.build
    build.definition(estate.world.gallery, "xgallery1", "P", "O", "S1")
    build.gallery(estate.world.group, "gallery1b")
    names = [m.name for m in find(catalog, "gallery1")]
    assert names == ["gallery1", "gallery1b", "xgallery1"]  # exact, prefix, contains


def test_search_stops_at_the_limit(estate: Estate) -> None:
    catalog = estate.catalog
    assert len(find(catalog, "e")) > 5
    assert len(find(catalog, "e", limit=5)) == 5
    assert find(catalog, "   ") == []
    assert find(catalog, "nothing-like-this") == []


def test_search_costs_the_same_queries_however_many_rows_match(estate: Estate) -> None:
    catalog = estate.catalog
    with recorded_statements(catalog) as few:
        assert len(find(catalog, "gallery")) == 2
    build = estate.world.build
    for n in range(12):
        build.gallery(estate.world.group, f"galleryMore{n}")
    with recorded_statements(catalog) as many:
        assert len(find(catalog, "gallery")) == 14
    assert len(many) == len(few) <= 7


def test_a_text_no_version_name_can_hold_does_not_read_the_versions(estate: Estate) -> None:
    """Version names are digits and dots: a text with a letter skips reading every
    version's name (a scan at Azure's limits), and still finds versions by region."""
    catalog = estate.catalog
    with recorded_statements(catalog) as statements:
        find(catalog, "gallery")
    assert not any("image_version" in s for s in statements)
    with recorded_statements(catalog) as statements:
        by_version_name = [m for m in find(catalog, "1.0") if m.kind == browse.VERSION]
    assert by_version_name and any("image_version" in s for s in statements)
    in_a_region = [m for m in find(catalog, "West Europe") if m.kind == browse.VERSION]
    assert in_a_region and all(m.matched.startswith("region") for m in in_a_region)


# --- all versions ------------------------------------------------------------------------


def page(
    catalog: Catalog, sort: str = "subscription", descending: bool = False, **kw: int
) -> list[search.VersionRow]:
    with catalog.read() as db:
        return search.all_versions(db, sort, descending, **kw, now=catalog.clock.now())


def test_all_versions_lists_every_version_with_its_facts(estate: Estate) -> None:
    catalog = estate.catalog
    rows = {f"{r.definition}/{r.version}": r for r in page(catalog)}
    assert set(rows) == set(estate.versions)
    failed, replicating = rows["def1/1.0.0"], rows["def1/1.2.0"]
    assert (failed.state, failed.regions, failed.replication) == ("Failed", 2, "Failed")
    assert (replicating.state, replicating.replication) == ("InProgress", "InProgress 75%")
    assert rows["MyImage_2/1.0.0"].state == "Completed"
    assert rows["def1/1.10.0"].state == "Completed"  # the source region alone
    assert [k for k, r in rows.items() if r.latest] == ["def1/1.10.0", "MyImage_2/1.0.0"]
    assert [k for k, r in rows.items() if r.excluded] == ["def1/2.0.0"]
    staging = rows["MyImage_2/1.0.0"]
    assert (staging.subscription, staging.group, staging.gallery) == (
        "Staging",
        "rg-staging",
        "galleryStaging",
    )
    assert staging.source_region == "westeurope"
    assert staging.arm_id == estate.versions["MyImage_2/1.0.0"]
    assert rows["def1/1.10.0"].end_of_life == datetime(2026, 6, 30, 12, 59, 59, tzinfo=UTC)
    assert rows["def1/1.10.0"].expired(datetime(2026, 7, 1, tzinfo=UTC))
    assert not rows["def1/1.10.0"].expired(datetime(2026, 6, 30, tzinfo=UTC))


def test_all_versions_default_order_follows_the_tree(estate: Estate) -> None:
    catalog = estate.catalog
    names = [f"{r.subscription}/{r.version}" for r in page(catalog)]
    assert names == [
        "Production/2.0.0",
        "Production/1.10.0",  # numerically above 1.2.0
        "Production/1.2.0",
        "Production/1.0.0",
        "Staging/1.0.0",
    ]


SORT_VALUES = {
    "subscription": lambda r: r.subscription.casefold(),
    "gallery": lambda r: r.gallery.casefold(),
    "definition": lambda r: r.definition.casefold(),
    "version": lambda r: tuple(int(p) for p in r.version.split(".")),
    "source_region": lambda r: r.source_region,
    "regions": lambda r: r.regions,
    "replication": lambda r: (
        ["Completed", "InProgress", "Unknown", "Failed"].index(r.state),
        r.progress,
    ),
    "latest": lambda r: r.latest,
    "excluded": lambda r: r.excluded,
    "published": lambda r: r.published,
}


@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
@pytest.mark.parametrize("column", search.SORT_COLUMNS)
def test_all_versions_sorts_by_any_column(estate: Estate, column: str, descending: bool) -> None:
    catalog = estate.catalog
    rows = page(catalog, column, descending)
    assert len(rows) == len(estate.versions)
    if column == "end_of_life":  # versions without an end of life come last either way
        dated = [r.end_of_life for r in rows if r.end_of_life]
        assert [r.end_of_life for r in rows][: len(dated)] == dated
        return
    values = [SORT_VALUES[column](r) for r in rows]
    assert values == sorted(values, reverse=descending)


def test_all_versions_pages_cover_every_version_once(estate: Estate) -> None:
    catalog = estate.catalog
    whole = [r.arm_id for r in page(catalog, "published", True)]
    pages = [page(catalog, "published", True, offset=o, limit=2) for o in (0, 2, 4, 6)]
    assert [len(p) for p in pages] == [2, 2, 1, 0]
    assert [r.arm_id for p in pages for r in p] == whole


def test_all_versions_is_one_query_per_page(estate: Estate) -> None:
    catalog = estate.catalog
    with recorded_statements(catalog) as statements:
        page(catalog, "replication", limit=3)
    assert len(statements) == 1
    with recorded_statements(catalog) as statements, catalog.read() as db:
        assert search.count_versions(db) == len(estate.versions)
    assert len(statements) == 1


def test_all_versions_refuses_an_unknown_column(estate: Estate) -> None:
    catalog = estate.catalog
    with pytest.raises(ValueError, match="cannot sort versions by 'size'"):
        page(catalog, "size")


def test_an_empty_catalog_has_no_versions(catalog: Catalog) -> None:
    assert page(catalog) == []
    with catalog.read() as db:
        assert search.count_versions(db) == 0
        assert search.search(db, "anything") == []


def test_subscription_ids_are_searchable(estate: Estate) -> None:
    catalog = estate.catalog
    matches = find(catalog, SUBSCRIPTION_ID[:8])
    assert [(m.kind, m.name, m.matched) for m in matches] == [
        (browse.SUBSCRIPTION, "Production", "subscription id")
    ]


@pytest.fixture(params=ENGINES)
def demo(
    request: pytest.FixtureRequest, copy_of_built: CopyOfBuilt, clock: FixedClock
) -> Iterator[Catalog]:
    """The demo catalog loaded at the test clock's time (once per session, copied)."""
    catalog = open_catalog(copy_of_built(request.param, load_demo_into, clock).url, clock=clock)
    yield catalog
    catalog.close()


# the demo's versions replicate 10 times faster than Azure: in flight for a few minutes
@pytest.mark.parametrize("later", [0, 60, 10 * 3600], ids=["now", "1min", "10h"])
def test_all_versions_agree_with_the_tree_on_the_demo_catalog(demo: Catalog, later: int) -> None:
    """The SQL aggregate (replication state at a time, latest) says what the tree says."""
    now = demo.clock.now() + timedelta(seconds=later)
    with demo.read() as db:
        rows = search.all_versions(db, limit=1000, now=now)
        assert len(rows) == search.count_versions(db) > 20
        children: dict[browse.NodeRef, list[browse.Node]] = {}  # the tree, by definition
        for row in rows:
            *_, definition, version = browse.path_to(db, row.arm_id)
            if definition not in children:
                children[definition] = browse.children(db, definition, now)
            node = next(n for n in children[definition] if n.ref == version)
            assert row.replication in node.detail.split(" · "), (row, node)
            assert ("latest" in node.badges) == row.latest, (row, node)
            assert ("excluded from latest" in node.badges) == row.excluded, (row, node)
    states = {r.state for r in rows}
    assert "Failed" in states and ("InProgress" in states) == (later < 3600)


def test_all_versions_viewed_as_a_principal_are_those_its_tree_shows(demo: Catalog) -> None:
    """View as (SIG-ACCESS): for every principal of the demo catalog, the list and its
    count hold exactly the versions the principal's tree shows, filtered in SQL (one
    query a page)."""
    from sigtui.catalog.queries import sharing, view_as
    from sigtui.catalog.rules import access

    catalog = demo
    now = catalog.clock.now()
    with catalog.read() as db:
        everything = search.all_versions(db, limit=1000, now=now)
        principals = [p.object_id for p in sharing.principal_choices(db)]
        shown = set()
        for principal in principals:
            viewer = access.visibility(db, principal)
            with recorded_statements(catalog) as statements:
                rows = search.all_versions(db, "version", True, limit=1000, now=now, viewer=viewer)
            assert len(statements) == 1
            seen = [r.arm_id for r in everything if view_as.sees(db, r.arm_id, viewer)]
            assert sorted(r.arm_id for r in rows) == sorted(seen), viewer.principal
            assert search.count_versions(db, viewer) == len(seen)
            shown.add(len(seen))
    assert len(shown) > 2 and max(shown) < len(everything)  # principals see different parts


def test_all_versions_show_replication_as_of_now(estate: Estate) -> None:
    """A region in flight progresses with time and completes when its duration is over."""
    catalog = estate.catalog
    version = estate.versions["def1/1.2.0"]  # North Europe replicating, at 50 %
    north = targets(catalog, version)["northeurope"]
    assert north.duration_seconds

    def replication_now() -> str:
        now = catalog.clock.now()
        row = next(r for r in page(catalog) if r.arm_id == version)
        expected = browse.version_state(list(targets(catalog, version).values()), now)
        assert row.replication == expected
        return row.replication

    assert replication_now() == "InProgress 75%"  # West US done, North Europe at 50 %
    estate.world.clock.advance(north.duration_seconds * 0.3)
    assert replication_now() == "InProgress 90%"  # North Europe at 80 %
    estate.world.clock.advance(north.duration_seconds * 0.3)
    assert replication_now() == "Completed"
