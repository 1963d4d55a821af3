"""Children of a definition (and of a gallery) come a page at a time, by keyset: versions
highest first compared numerically, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from builders import World

from sigtui.catalog.queries import browse, lookup
from sigtui.catalog.store.db import Catalog


def _pages(catalog: Catalog, arm_id: str) -> list[list[str]]:
    with catalog.read() as db:
        row = lookup.resolve(db, arm_id)
        kind = (
            browse.DEFINITION
            if "/versions" not in arm_id and "/images/" in arm_id
            else browse.GALLERY
        )
        ref = browse.NodeRef(kind, row.pk)  # type: ignore[arg-type]
        pages, after = [], ()
        while True:
            nodes = browse.children(db, ref, catalog.clock.now(), after)
            pages.append([n.name for n in nodes])
            if nodes[-1].ref.kind != browse.MORE:
                return pages
            after = nodes[-1].ref.after


def test_versions_come_a_page_at_a_time_highest_first(
    catalog: Catalog, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("1.0.0", "1.10.0", "1.0.1", "2.0.0", "1.2.0"):
        world.version(name)
    monkeypatch.setattr(browse, "PAGE_SIZE", 2)
    assert _pages(catalog, world.definition) == [
        ["2.0.0", "1.10.0", "3 more versions"],
        ["1.2.0", "1.0.1", "1 more version"],
        ["1.0.0"],
    ]


def test_definitions_come_a_page_at_a_time_by_name(
    catalog: Catalog, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("c", "a", "b"):
        world.build.definition(world.gallery, name, sku=f"sku-{name}")
    monkeypatch.setattr(browse, "PAGE_SIZE", 3)
    assert _pages(catalog, world.gallery) == [["a", "b", "c", "1 more image definition"], ["def1"]]


def test_a_definition_s_latest_is_its_highest_version_not_excluded(
    catalog: Catalog, world: World
) -> None:
    """SIG-LATEST in the tree's labels: compared part by part (1.10.0 over 1.2.0), the
    excluded ones passed over; none when every version is excluded or there is none."""
    for name, excluded in (("1.0.0", False), ("1.9.0", False), ("1.10.0", False), ("2.0.0", True)):
        world.version(name, exclude_from_latest=excluded)
    excluded_only = world.build.definition(world.gallery, "excluded-only", sku="sku-x")
    world.build.version(excluded_only, "3.0.0", image=world.image, exclude_from_latest=True)
    empty = world.build.definition(world.gallery, "empty", sku="sku-e")
    with catalog.read() as db:
        pks = [lookup.resolve(db, arm_id).pk for arm_id in (world.definition, excluded_only, empty)]
        assert browse.latest_names(db, pks) == {pks[0]: "1.10.0"}
        assert browse.latest_names(db, []) == {}
