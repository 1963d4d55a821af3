"""What the app and the CLI say (#21, feedback): counts in the singular for one, ARM ids
shortened in the middle, what blocks a delete named before it is tried (SIG-DELETE), and
the demo catalog replicating visibly while other versions keep realistic durations."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from rich.console import Console
from rich.table import Table

from sigtui.catalog import services
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import ImageVersion, pk_of
from sigtui.catalog.model.schemas import TargetRegionSpec, VersionUpdate
from sigtui.catalog.queries import deletes, fetch, lookup
from sigtui.catalog.replication import schedule
from sigtui.catalog.store.clock import FixedClock
from sigtui.catalog.store.db import Catalog, open_catalog
from sigtui.safe_text import counted, short_id
from sigtui.ui.text import ShortId
from tests.conftest import CopyOfBuilt, load_demo_into

GROUP = "/subscriptions/d1bd77e0-eff4-41ef-a963-6abecd85dea2/resourceGroups/rg-finance-legacy"
LEGACY = f"{GROUP}/providers/Microsoft.Compute/galleries/sigFinanceLegacy"
LEDGER = f"{LEGACY}/images/ledger-ws2012r2"  # one version
VERSION = (
    "/subscriptions/d1bd77e0-eff4-41ef-a963-6abecd85dea2/resourceGroups/rg-finance-images"
    "/providers/Microsoft.Compute/galleries/sigFinance/images/myImage1/versions/1.1.0"
)


@pytest.fixture
def demo(copy_of_built: CopyOfBuilt, clock: FixedClock) -> Iterator[Catalog]:
    catalog = open_catalog(copy_of_built("sqlite", load_demo_into, clock).url, clock=clock)
    yield catalog
    catalog.close()


def test_counts_are_singular_for_one() -> None:
    assert counted(1, "version") == "1 version"
    assert counted(0, "version") == "0 versions"
    assert counted(1_200, "gallery", "galleries") == "1,200 galleries"


@pytest.mark.parametrize("width", [7, 12, 24, 31, 40, 60, 100, len(VERSION)])
def test_an_arm_id_is_shortened_in_the_middle_and_keeps_its_name(width: int) -> None:
    shown = short_id(VERSION, width)
    assert len(shown) <= width
    assert shown.endswith("/1.1.0")
    if width < len(VERSION):
        assert shown.count("…") == 1
    if width >= 31:  # room for the start of the id and the resource's type
        assert shown.startswith("/subscriptions/") and shown.endswith("/versions/1.1.0")


def test_an_arm_id_in_a_narrow_table_keeps_its_name_and_what_comes_before_it() -> None:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column()
    grid.add_row("ARM id", ShortId(VERSION))
    grid.add_row("Source", ShortId(f"managed image {LEGACY}"))
    console = Console(width=50, record=True)
    console.print(grid)
    lines = console.export_text().splitlines()
    assert lines[0].rstrip().endswith("/versions/1.1.0") and "…" in lines[0]
    assert lines[1].split()[1:3] == ["managed", "image"]
    assert lines[1].rstrip().endswith("…/sigFinanceLegacy")
    assert all(len(line.rstrip()) <= 50 for line in lines)


def test_what_blocks_a_delete_is_named_before_it_is_tried(demo: Catalog) -> None:
    gallery = demo.query(deletes.delete_refusal, LEGACY)
    assert gallery == (
        "gallery 'sigFinanceLegacy' cannot be deleted: it still holds 1 image definition "
        "(ledger-ws2012r2); delete it first"
    )
    definition = demo.query(deletes.delete_refusal, LEDGER)
    assert definition is not None and "still holds 1 image version (" in definition
    group = demo.query(deletes.delete_refusal, GROUP)
    assert group is not None and "resources (" in group  # a gallery and its sources
    assert demo.query(deletes.delete_refusal, VERSION) is None  # a version holds nothing
    assert demo.query(deletes.delete_refusal, LEGACY + "x") is None  # gone: deleting succeeds
    with pytest.raises(CatalogError) as refused, demo.write() as db:
        services.delete_gallery(db, LEGACY)
    assert (refused.value.code, refused.value.message) == ("SIG-DELETE", gallery)


def test_the_demo_replicates_visibly_and_other_versions_realistically(demo: Catalog) -> None:
    now = demo.clock.now()
    board = demo.query(schedule.board, now, limit=50)
    in_flight = [a for a in board.active if a.state == "Replicating"]
    assert in_flight
    assert all(a.eta is not None and a.eta - now < timedelta(minutes=15) for a in in_flight)
    with demo.write() as db:
        version = lookup.resolve_as(db, VERSION, ImageVersion)
        assert version.replication_speed == 10  # seed.replication_speed
        version.replication_speed = 1.0  # as every version made outside the demo
        db.add(version)
    with demo.write() as db:
        version = lookup.resolve_as(db, VERSION, ImageVersion)
        targets = [
            TargetRegionSpec(region=t.region, replica_count=t.replica_count)
            for t in fetch.target_regions(db, pk_of(version))
        ]
        update = VersionUpdate(target_regions=[*targets, TargetRegionSpec(region="japaneast")])
        services.update_version(db, VERSION, update, demo.clock)
    added = next(
        a
        for a in demo.query(schedule.activity, now)
        if a.version_id == VERSION and a.region == "japaneast"
    )
    assert added.eta is not None and added.eta - now > timedelta(minutes=30)
