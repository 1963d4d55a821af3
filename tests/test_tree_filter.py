"""The narrowed tree (`/`), the jump (`:`), and one resource's JSON and az command, on
SQLite and PostgreSQL."""

from __future__ import annotations

import json
import shlex
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import datetime

import pytest
from builders import small_catalog
from cli_runner import SUB_ID, Sigtui
from conftest import ENGINES, CopyOfBuilt, load_demo_into
from sql_counter import recorded_statements
from sqlmodel import Session

from sigtui.catalog.azure import exporter, show
from sigtui.catalog.model import ids
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.queries import browse, search, tree_filter, view_as
from sigtui.catalog.rules import access
from sigtui.catalog.store.clock import FixedClock
from sigtui.catalog.store.db import Catalog, open_catalog


@pytest.fixture(params=ENGINES)
def demo(
    request: pytest.FixtureRequest, copy_of_built: CopyOfBuilt, clock: FixedClock
) -> Iterator[Catalog]:
    """The demo catalog (loaded once per session, copied)."""
    catalog = open_catalog(copy_of_built(request.param, load_demo_into, clock).url, clock=clock)
    yield catalog
    catalog.close()


def narrowed(catalog: Catalog, text: str, limit: int = 200) -> tree_filter.Narrowed:
    return catalog.query(tree_filter.narrowed, text, catalog.clock.now(), None, limit)


def tree_of(found: tree_filter.Narrowed) -> list[str]:
    """The narrowed tree as indented names, top down."""
    lines: list[str] = []

    def walk(ref: browse.NodeRef | None, depth: int) -> None:
        for node in found.levels.get(ref, []):
            lines.append("  " * depth + node.name + (" *" if node.ref in found.matched else ""))
            walk(node.ref, depth + 1)

    walk(None, 0)
    return lines


# --- the narrowed tree -------------------------------------------------------------------


def test_the_tree_narrows_to_the_matches_and_their_ancestors(demo: Catalog) -> None:
    found = narrowed(demo, "myImage")
    assert tree_of(found) == [
        "Contoso",
        "  contoso-finance-prod",
        "    rg-finance-images",
        "      sigFinance",
        "        myImage1 *",
        "        myImage2 *",
        "        myImage3 *",
    ]
    assert (found.count, found.more) == (3, False)
    assert narrowed(demo, "zzz-nothing").levels == {None: []}


def test_narrowed_nodes_are_the_tree_s_own(demo: Catalog) -> None:
    """Each kept node is the node the whole tree shows (same label, facts, badges), in
    the tree's order, for matches of every kind: subscriptions, groups, galleries,
    definitions, versions, managed images, snapshots (found by name or region)."""
    now = demo.clock.now()
    found = narrowed(demo, "e")
    kinds = {ref.kind for ref in found.matched}
    assert {browse.SUBSCRIPTION, browse.GROUP, browse.GALLERY, browse.DEFINITION} <= kinds
    assert {browse.VERSION, browse.MANAGED_IMAGE, browse.SNAPSHOT} <= kinds
    with demo.read() as db:
        for parent, kept in found.levels.items():
            whole = browse.roots(db) if parent is None else browse.children(db, parent, now)
            whole = whole if parent is None else browse.more_pages(db, parent, now, whole)
            assert kept == [node for node in whole if node in kept]


def test_paths_are_those_of_path_to(demo: Catalog) -> None:
    with demo.read() as db:
        for text in ("e", "snap", "1.0"):  # every kind of resource among them
            arm_ids = [m.arm_id for m in search.search(db, text, 30)]
            assert arm_ids
            expected = [browse.path_to(db, arm_id) for arm_id in arm_ids]
            assert tree_filter._paths(db, arm_ids) == expected


def test_paths_cost_one_query_per_level_however_many_match(demo: Catalog) -> None:
    with demo.read() as db:
        few = [m.arm_id for m in search.search(db, "myImage1", 500)]
        many = [m.arm_id for m in search.search(db, "e", 500)]
    assert len(many) > 10 * len(few)
    counts = []
    for arm_ids in (few, many):
        with recorded_statements(demo) as statements, demo.read() as db:
            tree_filter._paths(db, arm_ids)
        counts.append(len(statements))
    assert counts[0] <= counts[1] <= 7  # the subscriptions, then one per level below


def test_the_narrowed_tree_stops_at_the_limit(demo: Catalog) -> None:
    found = narrowed(demo, "e", limit=5)
    assert (found.count, found.more) == (5, True)
    assert len(found.matched) == 5


def per_parent_levels(
    db: Session, found: tree_filter.Narrowed, text: str, now: datetime
) -> view_as.Levels:
    """The levels of `found` as reading each parent's kept children alone gives them
    (`browse.children(..., only=...)` for galleries and definitions)."""
    matches = view_as.visible_matches(db, text, 201, None)[:200]
    kept: dict[browse.NodeRef | None, set[browse.NodeRef]] = defaultdict(set)
    for path in tree_filter._paths(db, [m.arm_id for m in matches]):
        for parent, ref in zip([None, *path], path, strict=False):
            kept[parent].add(ref)
    levels: view_as.Levels = {None: []}
    for parent, refs in kept.items():
        if parent is None:
            nodes = browse.roots(db)
        elif parent.kind in (browse.GALLERY, browse.DEFINITION):
            nodes = browse.children(db, parent, now, only={ref.pk for ref in refs})
        else:
            nodes = browse.children(db, parent, now)
        levels[parent] = [node for node in nodes if node.ref in refs]
    return levels


def test_kept_children_are_read_as_each_parent_alone_gives_them(demo: Catalog) -> None:
    """Node for node (labels, facts, badges, ids, order), for texts keeping definitions
    under several galleries and versions under several definitions."""
    now = demo.clock.now()
    parents: Counter[str] = Counter()
    for text in ("e", "1.0", "1.0.0", "myImage", "snap", "West"):
        found = narrowed(demo, text)
        parents.update(ref.kind for ref in found.levels if ref)
        with demo.read() as db:
            assert found.levels == per_parent_levels(db, found, text, now), text
    assert parents[browse.GALLERY] > 2 and parents[browse.DEFINITION] > 2


def test_narrowing_costs_the_same_however_many_parents_keep_children(
    sqlite_catalog: Catalog,
) -> None:
    """Definitions kept under one gallery or three, versions under one definition or six:
    the same number of statements (the kept children of all the galleries, of all the
    definitions, are read at once)."""
    world = small_catalog(sqlite_catalog)
    world.version("9.0.0", targets=["westus", "eastus"])
    for gallery_name in ("galleryA", "galleryB", "galleryC"):
        gallery = world.build.gallery(world.group, gallery_name)
        for definition_name in ("shared-def-1", "shared-def-2"):
            definition = world.build.definition(gallery, definition_name, sku=definition_name)
            world.build.version(definition, "7.0.0", image=world.image, targets=["westus"])
    costs = {}
    for text in ("def1", "shared-def", "9.0.0", "7.0.0"):
        with recorded_statements(sqlite_catalog) as statements:
            found = narrowed(sqlite_catalog, text)
        costs[text] = len(statements)
        kinds = Counter(ref.kind for ref in found.levels if ref)
        wide = text in ("shared-def", "7.0.0")
        assert kinds[browse.GALLERY] == (3 if wide else 1), text
    assert Counter(ref.kind for ref in found.levels if ref)[browse.DEFINITION] == 6
    assert costs["shared-def"] == costs["def1"]
    assert costs["7.0.0"] == costs["9.0.0"]


def test_narrowing_costs_the_same_however_many_resource_groups_keep_galleries(
    sqlite_catalog: Catalog,
) -> None:
    """Galleries kept under one resource group or three: the same number of statements
    (what all the groups hold is read at once)."""
    world = small_catalog(sqlite_catalog)
    world.build.gallery(world.group, "lonelyGallery")
    for group_name in ("rg-two", "rg-three", "rg-four"):
        world.build.gallery(world.build.group(group_name), "spreadGallery")
    assert_one_parent_or_three_cost_the_same(
        sqlite_catalog, browse.GROUP, "lonelyGallery", "spreadGallery"
    )


def assert_one_parent_or_three_cost_the_same(
    catalog: Catalog, kind: str, under_one: str, under_three: str
) -> None:
    """Narrowing to `under_one` keeps one parent of `kind`, to `under_three` three: both
    in the same number of statements."""
    costs = []
    for text, parents in ((under_one, 1), (under_three, 3)):
        with recorded_statements(catalog) as statements:
            found = narrowed(catalog, text)
        costs.append(len(statements))
        assert Counter(ref.kind for ref in found.levels if ref)[kind] == parents, text
    assert costs[1] == costs[0]


def test_narrowing_costs_the_same_however_many_subscriptions_keep_groups(
    sqlite_catalog: Catalog,
) -> None:
    """Resource groups kept under one subscription or three: the same number of
    statements (the groups of all the subscriptions are read at once)."""
    world = small_catalog(sqlite_catalog)
    world.build.group("rg-lonely")
    for number in (2, 3, 4):
        subscription_id = f"{number}{number}{number}{number}0000-0000-0000-0000-000000000000"
        world.build.subscription(f"Subscription {number}", subscription_id)
        world.build.group("rg-spread", subscription=subscription_id)
    assert_one_parent_or_three_cost_the_same(
        sqlite_catalog, browse.SUBSCRIPTION, "rg-lonely", "rg-spread"
    )


def test_a_match_past_the_first_page_shows_under_its_definition(
    sqlite_catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A definition's versions come a page at a time; a match on a later page is read
    alone, with no "more" node."""
    monkeypatch.setattr(browse, "PAGE_SIZE", 2)
    world = small_catalog(sqlite_catalog)
    for patch in range(4):
        world.version(f"3.0.{patch}")
    found = narrowed(sqlite_catalog, "3.0.0")
    definition = next(ref for ref in found.levels if ref and ref.kind == browse.DEFINITION)
    assert [n.name for n in found.levels[definition]] == ["3.0.0"]
    first_page = sqlite_catalog.query(browse.children, definition, sqlite_catalog.clock.now())
    assert "3.0.0" not in [n.name for n in first_page]  # the lowest: on the last page


def test_a_principal_sees_only_its_matches_where_its_tree_shows_them(demo: Catalog) -> None:
    """View as: Finance Developers has roles on myImage1 and myImage2, not on their
    gallery: its tree shows them under their group, named by path."""
    with demo.read() as db:
        viewer = access.visibility(db, "Finance Developers")
    found = demo.query(tree_filter.narrowed, "myImage", demo.clock.now(), viewer)
    assert tree_of(found) == [
        "Contoso",
        "  contoso-finance-prod",
        "    rg-finance-images",
        "      sigFinance/myImage1 *",
        "      sigFinance/myImage2 *",
    ]
    assert demo.query(tree_filter.jump_target, "myImage3", viewer).arm_id is None


# --- jump ---------------------------------------------------------------------------------


def test_jump_by_name_id_or_prefix(demo: Catalog) -> None:
    def jump(text: str) -> tree_filter.Jump:
        return demo.query(tree_filter.jump_target, text, None)

    my_image2 = jump("MYIMAGE2")  # names are case-insensitive
    assert my_image2.arm_id is not None and my_image2.arm_id.endswith("/images/myImage2")
    assert my_image2.message == ""
    assert jump(my_image2.arm_id.upper()) == tree_filter.Jump(my_image2.arm_id.upper())
    prefix = jump("myIma")
    assert prefix.arm_id is not None and prefix.arm_id.endswith("/images/myImage1")
    several = jump("1.0.0")
    assert several.arm_id is not None and "6 resources are named '1.0.0'" in several.message
    assert jump("no-such-thing") == tree_filter.Jump(
        None, "No resource is named 'no-such-thing' (nor a name starting with it)."
    )
    unknown = jump(ids.gallery_id(SUB_ID, "rg", "nope"))
    assert unknown.arm_id is None and "SIG-NOT-FOUND" in unknown.message
    assert jump("/not/an/id").message.endswith("(SIG-INPUT).")
    assert jump("  ") == tree_filter.Jump(None, "Type a name or an ARM id.")


def test_suggestions_complete_names(demo: Catalog) -> None:
    names = [m.name for m in demo.query(tree_filter.suggestions, "myimage", None)]
    assert names[:3] == ["myImage1", "myImage2", "myImage3"]
    assert demo.query(tree_filter.suggestions, "/subscriptions/", None) == []


# --- JSON and the az command of one resource ------------------------------------------------


def test_the_json_is_what_show_prints(estate: Sigtui) -> None:
    """Byte for byte what `sigtui ... show -o json` prints, for every kind shown."""
    where = ["-g", "rg1"]
    commands = {
        ids.subscription_id(SUB_ID): ["account", "show", "--subscription", SUB_ID],
        ids.group_id(SUB_ID, "rg1"): ["group", "show", "-n", "rg1", "--subscription", SUB_ID],
        ids.managed_image_id(SUB_ID, "rg1", "img1"): ["image", "show", *where, "-n", "img1"],
        ids.gallery_id(SUB_ID, "rg1", "gallery1"): ["sig", "show", *where, "-r", "gallery1"],
        ids.definition_id(SUB_ID, "rg1", "gallery1", "def1"): [
            "sig", "image-definition", "show", *where, "-r", "gallery1", "-i", "def1",
        ],
        ids.version_id(SUB_ID, "rg1", "gallery1", "def1", "1.0.0"): [
            "sig", "image-version", "show", *where, "-r", "gallery1", "-i", "def1",
            "-e", "1.0.0",
        ],
    }  # fmt: skip
    catalog = open_catalog(estate.url, clock=estate.clock)
    try:
        for arm_id, command in commands.items():
            printed = estate(*command, "-o", "json")
            assert printed.exit_code == 0, printed.output
            assert catalog.query(show.json_document, arm_id) == printed.stdout, command
            assert arm_id.casefold().endswith(json.loads(printed.stdout)["id"].casefold())
    finally:
        catalog.close()


def test_the_az_command_is_the_export_s_line(demo: Catalog) -> None:
    """A gallery's, definition's or version's command is its line in the az script
    export; a group's is `az group create` with its own location and tags."""
    with demo.read() as db:
        version = next(m for m in search.search(db, "1.0.0") if m.kind == browse.VERSION)
        gallery_id, definition_id = (
            version.arm_id.rsplit("/images/")[0],
            version.arm_id.rsplit("/versions/")[0],
        )
        script = exporter.az_script(db, version.arm_id).splitlines()
        for arm_id in (gallery_id, definition_id, version.arm_id):
            command = show.create_command(db, arm_id)
            assert command in script
        group_id = gallery_id.split("/providers/")[0]
        words = shlex.split(show.create_command(db, group_id))
        assert words[:8] == [
            "az", "group", "create", "--subscription", group_id.split("/")[2],
            "-n", "rg-finance-images", "-l",
        ]  # fmt: skip
        assert words[9:] == ["--tags", "owner=finance-it", "costCenter=CC-2040"]
        image = next(m for m in search.search(db, "img") if m.kind == browse.MANAGED_IMAGE)
        with pytest.raises(CatalogError) as refused:
            show.create_command(db, image.arm_id)
    assert refused.value.code == "SIG-INPUT"


def test_hostile_text_in_the_az_command_splits_back_exactly(sqlite_catalog: Catalog) -> None:
    world = small_catalog(sqlite_catalog)
    description = "it's \x1b[31mred\x1b[0m; rm -rf ~ `x` $(y)"
    gallery_id = world.build.gallery(world.group, "galleryHostile", description=description)
    command = sqlite_catalog.query(show.create_command, gallery_id)
    assert "\x1b" not in command  # no raw control character reaches the terminal
    assert "$'" in command  # bash's ANSI-C quoting carries it exactly
    document = sqlite_catalog.query(show.json_document, gallery_id)
    assert "\x1b" not in document and json.loads(document)["description"] == description
