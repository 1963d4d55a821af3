"""Use of Azure's limits as gauges (SIG-LIMIT-*): counts per subscription x region on a
crafted catalog, levels, fullest first, and headroom at and one below each limit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from builders import (
    OTHER_SUBSCRIPTION_ID,
    SUBSCRIPTION_ID,
    World,
    definition_call,
    gallery_call,
    read,
    version_call,
)
from sql_counter import recorded_statements

from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import (
    Gallery,
    ImageDefinition,
    ImageVersion,
    Subscription,
    table_of,
)
from sigtui.catalog.queries import counts, usage
from sigtui.catalog.rules import limits
from sigtui.catalog.store.db import Catalog, open_catalog
from sigtui.catalog.store.sql_functions import RowsAsJson


def _pk(world: World, arm_id: str) -> int:
    pk = read(world.catalog, arm_id).pk
    assert pk is not None
    return pk


def _subscription_pk(world: World, subscription_id: str = SUBSCRIPTION_ID) -> int:
    return _pk(world, f"/subscriptions/{subscription_id}")


def _rows(world: World, **filters: Any) -> list[usage.UsageRow]:
    with world.catalog.read() as db:
        return usage.usage_rows(db, **filters)


def _counts(rows: list[usage.UsageRow]) -> list[tuple[str, str, int, int, int]]:
    return [
        (r.subscription, r.location, r.galleries.used, r.definitions.used, r.versions.used)
        for r in rows
    ]


def _headroom(world: World, kind: str, location: str = "westus") -> usage.Headroom:
    with world.catalog.read() as db:
        return usage.headroom(db, _subscription_pk(world), location, kind)


# --- counts ------------------------------------------------------------------------------------


def test_counts_per_subscription_and_region_on_a_crafted_catalog(world: World) -> None:
    build = world.build
    build.gallery(world.group, "gallery2")  # West US
    east = build.gallery(world.group, "galleryEast", "eastus")
    build.definition(east, "defEast", location="eastus")
    world.version("1.0.0")
    world.version("1.0.1")
    build.subscription("Staging", OTHER_SUBSCRIPTION_ID)
    other_group = build.group("rg-other", "westeurope", subscription=OTHER_SUBSCRIPTION_ID)
    build.gallery(other_group, "galleryOther", "westeurope")

    assert sorted(_counts(_rows(world))) == [
        ("Production", "eastus", 1, 1, 0),
        ("Production", "westus", 2, 1, 2),
        ("Staging", "westeurope", 1, 0, 0),
    ]
    [row] = _rows(world, subscription_pk=_subscription_pk(world), location="USA Ouest")
    assert (row.location, row.region, row.subscription_id) == ("westus", "West US", SUBSCRIPTION_ID)
    assert [(g.kind, g.limit) for g in row.gauges] == [
        ("galleries", 100),
        ("imageDefinitions", 1_000),
        ("imageVersions", 10_000),
    ]
    assert (row.galleries.share, row.galleries.percent, row.galleries.free) == (0.02, 2, 98)


def test_the_limits_come_from_the_limits_module(world: World) -> None:
    [row] = _rows(world)
    assert [(g.limit, g.code) for g in row.gauges] == [
        (limit.maximum, limit.code) for limit in limits.ALL_LIMITS
    ]


def test_one_aggregate_query_for_the_whole_screen(world: World) -> None:
    """Counts are one statement whatever the number of rows (plus one for the names)."""
    for location in ("eastus", "westeurope", "northeurope", "japaneast"):
        world.build.gallery(world.group, f"g{location}", location)
    with recorded_statements(world.catalog) as statements, world.catalog.read() as db:
        rows = usage.usage_rows(db)
    assert len(rows) == 5
    assert len(statements) <= 2


def test_the_counts_arrive_in_one_row(world: World) -> None:
    """Many rows' values come back as one result row: SQLite's driver hands the GIL over
    for every row, and a worker thread's rows wait at each hand-over while the UI draws."""
    for location in ("eastus", "westeurope", "northeurope"):
        world.build.gallery(world.group, f"g{location}", location)
    galleries = sa.select(Gallery.name, Gallery.location).subquery()
    statement = sa.select(RowsAsJson(*galleries.c)).select_from(galleries)
    with world.catalog.read() as db:
        result = db.execute(statement).all()
        counted = counts.usage(db)
    assert len(result) == 1
    assert sorted(tuple(row) for row in result[0][0]) == [
        ("gallery1", "westus"),
        ("geastus", "eastus"),
        ("gnortheurope", "northeurope"),
        ("gwesteurope", "westeurope"),
    ]
    assert len(counted) == 4 and {c.galleries for c in counted} == {1}


def test_a_catalog_without_galleries_has_no_rows(catalog: Catalog) -> None:
    """No row at all: an aggregate of nothing (NULL on PostgreSQL, [] on SQLite)."""
    with catalog.read() as db:
        assert counts.usage(db) == []
        assert usage.usage_rows(db) == []


def test_a_filter_that_matches_nothing_has_no_rows(world: World) -> None:
    assert _rows(world, location="japaneast") == []


def test_an_unknown_region_is_refused(world: World) -> None:
    with pytest.raises(CatalogError) as error, world.catalog.read() as db:
        usage.usage_rows(db, location="atlantis")
    assert error.value.code == "SIG-INPUT"


# --- levels and order --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("used", "level"),
    [(0, "ok"), (79, "ok"), (80, "warning"), (94, "warning"), (95, "critical"), (100, "critical")],
)
def test_levels_from_80_and_95_percent(used: int, level: str) -> None:
    assert usage.level_of(used, 100) == level
    assert usage.level_of(used * 100, 10_000) == level


def test_fullest_first(world: World) -> None:
    _craft_galleries(world, 85, location="eastus")  # 85 % of the galleries: warning
    _craft_definitions(world, 960, location="westeurope")  # 96 % of definitions: critical
    rows = _rows(world)
    assert [(r.location, r.level) for r in rows] == [
        ("westeurope", "critical"),
        ("eastus", "warning"),
        ("westus", "ok"),
    ]
    assert rows[0].fullest == 0.96
    assert rows[0].definitions.level == "critical"
    assert rows[0].galleries.level == "ok"


# --- at the limit, and one below ------------------------------------------------------------


def test_galleries_headroom_one_below_and_at_the_limit(world: World) -> None:
    maximum = limits.MAX_GALLERIES_PER_SUBSCRIPTION_REGION
    _craft_galleries(world, maximum - 1 - 1)  # + the small catalog's gallery
    below = _headroom(world, "galleries")
    assert (below.used, below.free, below.at_limit) == (maximum - 1, 1, False)
    assert below.message == "1 of 100 galleries left in West US"
    world.write(gallery_call(world, "lastOne"))  # one below: accepted
    at = _headroom(world, "galleries")
    assert (at.used, at.free, at.at_limit, at.level) == (maximum, 0, True, "critical")
    assert at.message.startswith("SIG-LIMIT-GALLERIES: at the limit: 100 of 100 galleries")
    world.refused("SIG-LIMIT-GALLERIES", gallery_call(world, "oneTooMany"))
    [row] = _rows(world)
    assert (row.galleries.used, row.galleries.at_limit) == (maximum, True)


def test_definitions_headroom_one_below_and_at_the_limit(world: World) -> None:
    maximum = limits.MAX_DEFINITIONS_PER_SUBSCRIPTION_REGION
    _craft_definitions(world, maximum - 1 - 1)
    assert _headroom(world, "imageDefinitions").free == 1
    world.write(definition_call(world, "lastOne", sku="Last"))
    assert _headroom(world, "imageDefinitions").at_limit
    world.refused("SIG-LIMIT-DEFINITIONS", definition_call(world, "oneTooMany", sku="More"))
    assert _headroom(world, "imageDefinitions", "eastus").free == maximum  # per region


def test_versions_headroom_one_below_and_at_the_limit(world: World) -> None:
    maximum = limits.MAX_VERSIONS_PER_SUBSCRIPTION_REGION
    _craft_versions(world, maximum - 1)
    below = _headroom(world, "imageVersions")
    assert (below.used, below.free) == (maximum - 1, 1)
    world.write(version_call(world, "9.9.9"))
    assert _headroom(world, "imageVersions").at_limit
    world.refused("SIG-LIMIT-VERSIONS", version_call(world, "9.9.10"))
    [row] = _rows(world)
    assert (row.versions.used, row.versions.level) == (maximum, "critical")


def test_headroom_refuses_an_unknown_kind(world: World) -> None:
    with pytest.raises(CatalogError) as error:
        _headroom(world, "disks")
    assert error.value.code == "SIG-INPUT"


# --- crafting many rows at once (bulk inserts: the services would take too long) -------------


def _insert(world: World, model: Any, rows: list[dict[str, Any]]) -> None:
    with world.catalog.engine.begin() as conn:
        conn.execute(sa.insert(model.__table__), rows)


def _craft_galleries(world: World, n: int, location: str = "westus") -> None:
    group_pk, sub_pk = _pk(world, world.group), _subscription_pk(world)
    rows = [
        {
            "resource_group_pk": group_pk,
            "subscription_pk": sub_pk,
            "name": f"crafted{location}{i}",
            "name_key": f"crafted{location}{i}",
            "location": location,
            "tags": {},
            "etag": 1,
        }
        for i in range(n)
    ]
    _insert(world, Gallery, rows)


def _craft_definitions(world: World, n: int, location: str = "westus") -> None:
    gallery_pk, sub_pk = _pk(world, world.gallery), _subscription_pk(world)
    rows = [
        {
            "gallery_pk": gallery_pk,
            "subscription_pk": sub_pk,
            "name": f"crafted-{location}-{i}",
            "name_key": f"crafted-{location}-{i}",
            "location": location,
            "publisher": "Crafted",
            "offer": location,
            "sku": f"sku{i}",
            "publisher_key": "crafted",
            "offer_key": location,
            "sku_key": f"sku{i}",
            "os_type": "Linux",
            "os_state": "Generalized",
            "hyper_v_generation": "V1",
            "disallowed_disk_types": [],
            "tags": {},
            "etag": 1,
        }
        for i in range(n)
    ]
    _insert(world, ImageDefinition, rows)


def _craft_versions(world: World, n: int) -> None:
    definition_pk, sub_pk = _pk(world, world.definition), _subscription_pk(world)
    image_pk = _pk(world, world.image)
    rows = [
        {
            "definition_pk": definition_pk,
            "subscription_pk": sub_pk,
            "name": f"0.{i // 1000}.{i % 1000}",
            "major": 0,
            "minor": i // 1000,
            "patch": i % 1000,
            "location": "westus",
            "managed_image_pk": image_pk,
            "os_disk_size_gb": 30,
            "replica_count": 1,
            "storage_account_type": "Standard_LRS",
            "exclude_from_latest": False,
            "tags": {},
            "etag": 1,
        }
        for i in range(n)
    ]
    _insert(world, ImageVersion, rows)


def test_the_counts_name_columns_the_table_models_have() -> None:
    """queries/counts.py names its tables and columns without the models: the same names."""
    models = {m.__tablename__: table_of(m) for m in (Gallery, ImageDefinition, ImageVersion)}
    assert set(counts.COUNTED_TABLES.values()) == set(models)
    for table in models.values():
        assert {"subscription_pk", "location"} <= set(table.c.keys())
    assert counts.SUBSCRIPTION.name == Subscription.__tablename__
    assert set(counts.SUBSCRIPTION.c.keys()) <= set(table_of(Subscription).c.keys())


def test_sigtui_limits_starts_without_the_table_models(tmp_path: Path) -> None:
    """Its start pays for what showing the limits needs, not for building every model."""
    import subprocess
    import sys

    script = (
        "import sys; from sigtui.cli import main; sys.argv = ['sigtui', '--db', sys.argv[1], "
        "'limits']\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('sigtui.catalog.model.models', "
        "'sqlalchemy.dialects.postgresql'))))"
    )
    catalog = open_catalog(f"sqlite:///{tmp_path / 'c.db'}")
    catalog.close()
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "c.db")], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"
