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
