"""Costs (SIG-BILLING): the source document's own examples, every basis and storage type,
egress once per target region, rollups as SQL aggregates, and the price sheet (built-in,
replaced, refused)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from builders import World, read
from conftest import small_catalog_and, world_fixture
from sql_counter import recorded_statements

from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.queries.costs import ranking as ranking_module
from sigtui.catalog.queries.costs import rollups, sheet_json
from sigtui.catalog.queries.costs.estimate import Target, disk_sizes, what_if
from sigtui.catalog.queries.costs.overview import CostReport, cost_overview, cost_report
from sigtui.catalog.queries.costs.prices import Cost, egress_rate, replica_price
from sigtui.catalog.queries.costs.ranking import Ranking, costliest, costliest_of
from sigtui.catalog.queries.costs.scopes import CATALOG, Scope, scope_of
from sigtui.catalog.queries.costs.sheet import BASES, CERTAINTIES, MANAGED_DISK, SNAPSHOT
from sigtui.catalog.queries.costs.sheet_json import builtin_sheet, load_sheet
from sigtui.catalog.rules.limits import MAX_DISK_SIZE_GB
from sigtui.catalog.rules.regions import CONTINENT_OF_GEOGRAPHY, get_region

SHEET = builtin_sheet()
D = Decimal


def _tier(storage: str, name: str) -> Decimal:
    [tier] = [t for t in SHEET.disk_tiers[storage] if t.name == name]
    return tier.price.value


def _within(continent: str) -> Decimal:
    return SHEET.egress_within[continent].value


def _between(continent: str) -> Decimal:
    return SHEET.egress_between[continent].value


def _total(world: World, scope: Scope = CATALOG, **kwargs: Any) -> Cost:
    with world.catalog.read() as db:
        return rollups.total(db, kwargs.pop("sheet", SHEET), scope, **kwargs)


def _report(world: World, scope: Scope = CATALOG, **kwargs: Any) -> CostReport:
    with world.catalog.read() as db:
        return cost_report(db, kwargs.pop("sheet", SHEET), scope, **kwargs)


def _scope(world: World, arm_id: str) -> Scope:
    with world.catalog.read() as db:
        return scope_of(db, arm_id)


# --- the source document's examples ---------------------------------------------------------


def test_two_versions_in_three_regions_bill_six_disks(world: World) -> None:
    """Facturation: 2 images replicated to 3 regions = 6 managed disks, by their size."""
    for name in ("1.0.0", "1.0.1"):
        world.version(name, targets=["westus", "eastus", "westeurope"])
    cost = _total(world)
    assert cost.replicas == 6
    assert cost.monthly_storage == 6 * _tier("Standard_LRS", "S4")  # 30 GB: an S4 each
    assert cost.monthly_storage == D("9.24")


def test_egress_is_charged_once_per_target_region_not_per_replica(world: World) -> None:
    version = world.version(targets=["westus=3", "eastus=5", "westeurope=2"])
    cost = _total(world, _scope(world, version))
    size = D(30)
    # the source region (West US) costs no egress; each other region once
    assert cost.egress_gb == 2 * size
    assert cost.one_time_egress == size * _within("North America") + size * _between(
        "North America"
    )
    assert cost.replicas == 10
    assert cost.monthly_storage == 10 * _tier("Standard_LRS", "S4")


def test_more_replicas_cost_storage_but_no_more_egress(world: World) -> None:
    one = what_if(
        30, [("westus", 1, "Standard_LRS"), ("eastus", 1, "Standard_LRS")], "westus", SHEET
    )
    many = what_if(
        30, [("westus", 1, "Standard_LRS"), ("eastus", 9, "Standard_LRS")], "westus", SHEET
    )
    assert many.one_time == one.one_time == 30 * _within("North America")
    assert many.monthly == one.monthly + 8 * _tier("Standard_LRS", "S4")
    assert many.by_region["eastus"].replicas == 9


# --- sizes, tiers, bases, storage types ------------------------------------------------------


def test_a_versions_size_is_its_os_disk_plus_its_data_disks(world: World) -> None:
    image = world.build.managed_image(
        world.group, "big", os_disk_size_gb=30, data_disk_sizes_gb=[100, 200]
    )
    version = world.version(image=image)
    cost = _total(world, _scope(world, version))
    assert cost.monthly_storage == _tier("Standard_LRS", "S20")  # 330 GB: S20 (512)
    snapshot = _total(world, _scope(world, version), basis=SNAPSHOT)
    assert snapshot.monthly_storage == 330 * SHEET.snapshot_per_gb["Standard_LRS"].value


@pytest.mark.parametrize(
    ("size", "tiers"),
    [(1, ["S4"]), (32, ["S4"]), (33, ["S6"]), (1024, ["S30"]), (1100, ["S30", "S10"]),
     (2048, ["S30", "S30"])],
)  # fmt: skip
def test_managed_disk_basis_takes_the_smallest_tier_that_holds_the_size(
    size: int, tiers: list[str]
) -> None:
    expected = sum(_tier("Standard_LRS", name) for name in tiers)
    assert replica_price(SHEET, size, "Standard_LRS", MANAGED_DISK) == expected


def test_every_basis_and_storage_type_is_priced_apart() -> None:
    size = 100  # an S10 / P10
    lrs, zrs, premium = "Standard_LRS", "Standard_ZRS", "Premium_LRS"
    multiplier = SHEET.zrs_multiplier.value
    disk = {s: replica_price(SHEET, size, s, MANAGED_DISK) for s in (lrs, zrs, premium)}
    assert disk == {
        lrs: _tier(lrs, "S10"),
        zrs: _tier(lrs, "S10") * multiplier,
        premium: _tier(premium, "P10"),
    }
    snap = {s: replica_price(SHEET, size, s, SNAPSHOT) for s in (lrs, zrs, premium)}
    per_gb = SHEET.snapshot_per_gb
    assert snap == {
        lrs: size * per_gb[lrs].value,
        zrs: size * per_gb[lrs].value * multiplier,
        premium: size * per_gb[premium].value,
    }
    assert len(set(disk.values())) == len(set(snap.values())) == 3


def test_the_default_basis_is_the_source_documents_managed_disk() -> None:
    assert SHEET.default_basis == MANAGED_DISK
    assert replica_price(SHEET, 30, "Standard_LRS") == _tier("Standard_LRS", "S4")


def test_storage_types_of_the_catalog_are_priced(world: World) -> None:
    world.version(
        targets=["westus=1=Standard_LRS", "eastus=2=Standard_ZRS", "westeurope=1=Premium_LRS"]
    )
    by_region = _report(world).by_region
    assert by_region["westus"].monthly_storage == _tier("Standard_LRS", "S4")
    assert by_region["eastus"].monthly_storage == 2 * _tier("Standard_LRS", "S4") * D("1.5")
    assert by_region["westeurope"].monthly_storage == _tier("Premium_LRS", "P4")


# --- egress rates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "target", "continent", "within"),
    [
        ("westus", "westus", None, None),
        ("westus", "eastus", "North America", True),
        ("westeurope", "northeurope", "Europe", True),
        ("japaneast", "eastus", "Asia Pacific", False),
        ("brazilsouth", "westeurope", "South America", False),
        ("westeurope", "japaneast", "Europe", False),
    ],
)
def test_egress_rate_by_continent(
    source: str, target: str, continent: str | None, within: bool | None
) -> None:
    rate = egress_rate(SHEET, get_region(source), get_region(target))
    if continent is None:
        assert rate == 0
    else:
        assert rate == (_within(continent) if within else _between(continent))


# --- rollups ------------------------------------------------------------------------------------


def test_rollups_by_version_definition_gallery_subscription_and_region(world: World) -> None:
    world.version("1.0.0", targets=["westus=2", "eastus"])
    world.version("1.0.1", targets=["westus"])
    second = world.build.definition(world.gallery, "def2", sku="Other")
    world.build.version(second, "2.0.0", image=world.image, targets=["westus", "westeurope=3"])
    report = _report(world)
    total = report.total
    for rollup in (
        report.by_region,
        report.by_version,
        report.by_definition,
        report.by_gallery,
        report.by_subscription,
    ):
        assert sum(rollup.values(), Cost()) == total
    assert total.replicas == 2 + 1 + 1 + 1 + 3
    assert set(report.by_region) == {"westus", "eastus", "westeurope"}
    assert report.by_region["westus"].replicas == 4
    assert set(report.by_definition) == {world.definition, second}
    assert report.by_definition[second].replicas == 4
    assert set(report.by_gallery) == {world.gallery}
    assert set(report.by_subscription) == {f"/subscriptions/{world.subscription}"}
    assert set(report.by_version) == {
        f"{world.definition}/versions/1.0.0",
        f"{world.definition}/versions/1.0.1",
        f"{second}/versions/2.0.0",
    }


def test_a_scope_narrows_every_rollup(world: World) -> None:
    world.version("1.0.0", targets=["westus", "eastus"])
    second = world.build.definition(world.gallery, "def2", sku="Other")
    world.build.version(second, "2.0.0", image=world.image, targets=["westus", "westeurope"])
    report = _report(world, _scope(world, second))
    assert set(report.by_definition) == {second}
    assert set(report.by_region) == {"westus", "westeurope"}
    group = _total(world, _scope(world, world.group))
    assert group == _report(world).total
    version_pk = read(world.catalog, f"{second}/versions/2.0.0").pk
    assert _total(world, Scope("version", version_pk)) == report.total


def test_rollups_are_one_aggregate_query_and_one_naming_its_keys(world: World) -> None:
    """However many versions: no query per version."""
    for total in (6, 12):
        for n in range(total - 6, total):
            world.version(f"1.0.{n}", targets=["westus=2", "eastus", "westeurope"])
        with recorded_statements(world.catalog) as statements, world.catalog.read() as db:
            lines = rollups.rollup(db, SHEET, "version")
        assert len(lines) == total
        assert len(statements) == 2
    with recorded_statements(world.catalog) as statements, world.catalog.read() as db:
        rollups.rollup(db, SHEET, "region")
    assert len(statements) == 1  # a region is named by its key


def test_an_empty_catalog_costs_nothing(world: World) -> None:
    assert _total(world) == Cost()
    assert _report(world).by_region == {}


def test_scopes_that_hold_no_versions_are_refused(world: World) -> None:
    with pytest.raises(CatalogError) as error:
        _scope(world, world.image)
    assert error.value.code == "SIG-INPUT"


# --- what-if ------------------------------------------------------------------------------------


def test_what_if_prices_a_version_before_it_exists() -> None:
    estimate = what_if(
        330,
        [("westeurope", 2, "Standard_LRS"), ("USA Est", 1, "Standard_ZRS")],
        "West Europe",
        SHEET,
    )
    s20 = _tier("Standard_LRS", "S20")
    assert estimate.monthly == 2 * s20 + s20 * SHEET.zrs_multiplier.value
    assert estimate.one_time == 330 * _between("Europe")
    assert list(estimate.by_region) == ["westeurope", "eastus"]
    assert estimate.by_region["westeurope"].one_time_egress == 0
    assert (estimate.currency, estimate.basis, estimate.replicas) == ("USD", "managedDisk", 3)
    snapshot = what_if(330, [("westeurope", 1, "Standard_LRS")], "westeurope", SHEET, "snapshot")
    assert snapshot.monthly == 330 * SHEET.snapshot_per_gb["Standard_LRS"].value


@pytest.mark.parametrize(
    ("size", "targets", "code"),
    [
        (30, [("eastus", 1, "Standard_LRS")], "SIG-SOURCE-REGION"),
        (30, [("westus", 1, "Standard_LRS"), ("USA Ouest", 1, "Standard_LRS")], "SIG-REPLICAS"),
        (30, [("westus", 0, "Standard_LRS")], "SIG-REPLICAS"),
        (30, [("westus", 101, "Standard_LRS")], "SIG-REPLICAS"),
        (30, [("westus", 1, "Standard_GRS")], "SIG-INPUT"),
        (30, [("atlantis", 1, "Standard_LRS")], "SIG-INPUT"),
        (0, [("westus", 1, "Standard_LRS")], "SIG-INPUT"),
        (-5, [("westus", 1, "Standard_LRS")], "SIG-INPUT"),
        (30, [("westus", 1, "Standard_LRS"), ("chinaeast", 1, "Standard_LRS")], "SIG-CLOUD"),
        (30, [("westus", 1, "Standard_LRS"), ("westcentralus", 1, "Standard_ZRS")], "SIG-ZRS"),
    ],
)
def test_what_if_refuses_bad_input(size: int, targets: list[Target], code: str) -> None:
    with pytest.raises(CatalogError) as error:
        what_if(size, targets, "westus", SHEET)
    assert error.value.code == code


@pytest.mark.parametrize(
    ("sizes", "code"),
    [([], "SIG-INPUT"), ([0], "SIG-INPUT"), ([30, -1], "SIG-INPUT"), ([30, 2049], "SIG-DISK-SIZE")],
)
def test_what_if_disks_are_bounded_as_a_versions_disks(sizes: list[int], code: str) -> None:
    with pytest.raises(CatalogError) as error:
        disk_sizes(sizes)
    assert error.value.code == code
    assert disk_sizes([MAX_DISK_SIZE_GB, 1]) == MAX_DISK_SIZE_GB + 1


def test_an_unknown_basis_is_refused() -> None:
    with pytest.raises(CatalogError) as error:
        replica_price(SHEET, 30, "Standard_LRS", "reserved")
    assert error.value.code == "SIG-INPUT"


# --- the price sheet ------------------------------------------------------------------------------


def test_the_built_in_sheet_names_currency_date_source_and_certainty_of_every_figure() -> None:
    assert (SHEET.currency, SHEET.origin) == ("USD", "built-in")
    for figure in SHEET.figures():
        assert figure.date and figure.source
        assert figure.certainty in CERTAINTIES
        if figure is not SHEET.zrs_multiplier:
            assert figure.currency == "USD"
    hdd = [(t.name, t.size_gb, t.price.value) for t in SHEET.disk_tiers["Standard_LRS"]]
    assert hdd == [
        ("S4", 32, D("1.54")),
        ("S6", 64, D("3.01")),
        ("S10", 128, D("5.89")),
        ("S15", 256, D("11.33")),
        ("S20", 512, D("21.76")),
        ("S30", 1024, D("40.96")),
    ]
    premium = [t.name for t in SHEET.disk_tiers["Premium_LRS"]]
    assert premium == ["P4", "P6", "P10", "P15", "P20", "P30"]
    assert all(t.price.certainty == "unverified" for t in SHEET.disk_tiers["Standard_LRS"])
    assert SHEET.zrs_multiplier.certainty == "unverified"
    assert (
        set(SHEET.egress_within)
        == set(SHEET.egress_between)
        == set(CONTINENT_OF_GEOGRAPHY.values())
    )


def _sheet_data() -> dict[str, Any]:
    path = Path(sheet_json.__file__).parents[2] / "data" / "prices.json"
    return json.loads(path.read_text("utf-8"))


def _write(tmp_path: Path, data: Any, name: str = "prices.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), "utf-8")
    return path


def test_a_users_sheet_replaces_the_built_in_one(world: World, tmp_path: Path) -> None:
    data = _sheet_data()
    data["currency"] = "EUR"
    for section in ("managedDisk",):
        for tiers in data[section].values():
            for tier in tiers:
                tier["currency"] = "EUR"
                tier["value"] = 10
    for figure in [*data["snapshotPerGbMonth"].values()]:
        figure["currency"] = "EUR"
    for rates in data["egressPerGb"].values():
        for figure in rates.values():
            figure["currency"] = "EUR"
    sheet = load_sheet(_write(tmp_path, data))
    assert (sheet.currency, sheet.origin) == ("EUR", str(tmp_path / "prices.json"))
    world.version(targets=["westus", "eastus"])
    assert _total(world, sheet=sheet).monthly_storage == 20
    assert _report(world, sheet=sheet).currency == "EUR"


def test_a_users_figures_inherit_the_sheets_currency_date_and_source(tmp_path: Path) -> None:
    def bare(value: float) -> dict[str, Any]:
        return {"value": value}

    continents = sorted(set(CONTINENT_OF_GEOGRAPHY.values()))
    data = {
        "currency": "EUR",
        "date": "2026-06-01",
        "source": "Azure Retail Prices API, westeurope",
        "certainty": "official",
        "managedDisk": {
            "Standard_LRS": [{"tier": "S4", "sizeGb": 32, "value": 1.7}],
            "Premium_LRS": [{"tier": "P4", "sizeGb": 32, "value": 5.9}],
        },
        "zrsMultiplier": bare(1.25),
        "snapshotPerGbMonth": {"Standard_LRS": bare(0.05), "Premium_LRS": bare(0.13)},
        "egressPerGb": {
            "withinContinent": {c: bare(0.02) for c in continents},
            "betweenContinents": {c: bare(0.05) for c in continents},
        },
    }
    sheet = load_sheet(_write(tmp_path, data))
    s4 = sheet.disk_tiers["Standard_LRS"][0].price
    assert (s4.currency, s4.date, s4.source, s4.certainty) == (
        "EUR",
        "2026-06-01",
        "Azure Retail Prices API, westeurope",
        "official",
    )
    assert replica_price(sheet, 30, "Standard_ZRS") == D("1.7") * D("1.25")
    # beyond its largest tier: whole largest-tier disks
    assert replica_price(sheet, 64, "Premium_LRS") == 2 * D("5.9")


def _broken(change: Any) -> dict[str, Any]:
    data = _sheet_data()
    change(data)
    return data


@pytest.mark.parametrize(
    ("data", "bad_key"),
    [
        (_broken(lambda d: d.pop("currency")), "currency"),
        (_broken(lambda d: d.update(zrsMultiplyer=1)), "zrsMultiplyer"),
        (_broken(lambda d: d["managedDisk"].pop("Premium_LRS")), "managedDisk.Premium_LRS"),
        (
            _broken(lambda d: d["managedDisk"]["Standard_LRS"][1].update(value=-1)),
            "managedDisk.Standard_LRS[1].value",
        ),
        (
            _broken(lambda d: d["managedDisk"]["Standard_LRS"][2].update(value="cheap")),
            "managedDisk.Standard_LRS[2].value",
        ),
        (
            _broken(lambda d: d["managedDisk"]["Standard_LRS"][0].update(sizeGb=4096)),
            "managedDisk.Standard_LRS[1].sizeGb",
        ),
        (
            _broken(lambda d: d["snapshotPerGbMonth"]["Standard_LRS"].update(currency="EUR")),
            "snapshotPerGbMonth.Standard_LRS.currency",
        ),
        (
            _broken(lambda d: d["zrsMultiplier"].update(certainty="sure")),
            "zrsMultiplier.certainty",
        ),
        (
            _broken(lambda d: d["egressPerGb"]["withinContinent"]["Europe"].pop("certainty")),
            "egressPerGb.withinContinent.Europe.certainty",
        ),
        (
            _broken(lambda d: d["egressPerGb"]["betweenContinents"].pop("South America")),
            "egressPerGb.betweenContinents.South America",
        ),
        (_broken(lambda d: d.update(defaultBasis="reserved")), "defaultBasis"),
        (_broken(lambda d: d.update(date="May 2026")), "date"),
        ([1, 2, 3], ""),
    ],
)
def test_a_bad_price_sheet_is_refused_naming_the_bad_key(
    tmp_path: Path, data: Any, bad_key: str
) -> None:
    path = _write(tmp_path, data)
    with pytest.raises(CatalogError) as error:
        load_sheet(path)
    assert error.value.code == "SIG-INPUT"
    assert error.value.message.startswith(f"price sheet {path}: {bad_key}:"), error.value.message


@pytest.mark.parametrize("text", ["not json at all", "{'currency': 'USD'}", "", "\x00\xff"])
def test_a_price_sheet_that_is_not_json_is_refused(tmp_path: Path, text: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(CatalogError) as error:
        load_sheet(path)
    assert error.value.code == "SIG-INPUT"
    assert "is not JSON" in error.value.message


def test_a_missing_price_sheet_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CatalogError) as error:
        load_sheet(tmp_path / "nope.json")
    assert error.value.code == "SIG-INPUT"
    assert "cannot read price sheet" in error.value.message


def test_many_keys_are_named_in_one_read_of_their_level(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(4):
        world.version(f"1.0.{n}", targets=["westus=2", "eastus"])
    with world.catalog.read() as db:
        by_chunks = rollups.rollup(db, SHEET, "version")
        monkeypatch.setattr(rollups, "NAMES_BY_KEYS", 2)
        with recorded_statements(world.catalog) as statements:
            whole_level = rollups.rollup(db, SHEET, "version")
    assert whole_level == by_chunks and len(whole_level) == 4
    assert all(line.key.endswith(f"/versions/1.0.{line.key[-1]}") for line in whole_level)
    assert len(statements) == 2


# --- the costliest, ranked in SQL ------------------------------------------------------------

# (name, targets): costs that differ by replicas, storage type and egress, with ties
RANKED_VERSIONS = (
    ("1.0.0", ["westus=3", "eastus"]),
    ("1.0.1", ["westus", "eastus=2=Standard_ZRS"]),
    ("1.0.2", ["westus=2"]),
    ("1.0.3", ["westus", "eastus"]),  # ties with 1.0.2 in storage; egress is not ranked
    ("1.0.4", ["westus=2"]),  # ties with 1.0.2 exactly
    ("1.0.5", ["westus"]),
    ("1.0.6", ["westus", "westeurope=1=Premium_LRS"]),
)


def _ranked(world: World) -> None:
    """RANKED_VERSIONS, and a version of another gallery."""
    for name, targets in RANKED_VERSIONS:
        world.version(name, targets=targets)
    other = world.build.gallery(world.group, "gallery2")
    definition = world.build.definition(other, "def2", sku="Other")
    world.build.version(definition, "2.0.0", image=world.image, targets=["westus=4"])


# `small_catalog` and `_ranked` (the tests read it)
ranked_world = world_fixture(small_catalog_and(_ranked), "ranked_world")


@pytest.mark.parametrize("basis", BASES)
@pytest.mark.parametrize("level", ["version", "definition", "gallery", "subscription"])
def test_the_costliest_are_the_first_lines_of_the_rollup(
    ranked_world: World, level: str, basis: str
) -> None:
    """Ranked by floats in SQL, costed exactly: the same lines, figures and order of ties
    as the exact rollup, whatever the limit (ties straddle several of them)."""
    with ranked_world.catalog.read() as db:
        exact = rollups.rollup(db, SHEET, level, basis=basis)
        for limit in range(1, len(exact) + 2):
            ranking = costliest(db, SHEET, level, limit, basis=basis)
            assert ranking.lines == exact[:limit], limit
            assert ranking.count == len(exact)


def test_ties_past_the_rows_read_are_all_costed(
    ranked_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no spare rows read, the tie at the last place goes on past them: every tied
    version is still costed, and the order of ties is the rollup's."""
    monkeypatch.setattr(ranking_module, "RANKED_SPARE", 1)
    with ranked_world.catalog.read() as db:
        exact = rollups.rollup(db, SHEET, "version")
        tied = [
            line.key for line in exact if line.cost.monthly_storage == exact[2].cost.monthly_storage
        ]
        assert len(tied) > 1
        for limit in range(1, len(exact) + 1):
            assert costliest(db, SHEET, "version", limit).lines == exact[:limit]


def test_the_costliest_of_a_scope(ranked_world: World) -> None:
    scope = _scope(ranked_world, ranked_world.definition)
    with ranked_world.catalog.read() as db:
        ranking = costliest(db, SHEET, "version", 3, scope)
        exact = rollups.rollup(db, SHEET, "version", scope)
    assert ranking.lines == exact[:3] and ranking.count == len(RANKED_VERSIONS)
    assert all(line.key.startswith(ranked_world.definition) for line in ranking.lines)


@pytest.mark.parametrize("spare", [1, 2])
def test_levels_ranked_at_once_are_each_levels_own_ranking(
    ranked_world: World, monkeypatch: pytest.MonkeyPatch, spare: int
) -> None:
    """The cost screen ranks several levels from one sum per version, in one statement:
    each level's lines, figures, order of ties and count are its exact rollup's, whatever
    the limits (ties straddle them; with no spare rows, ties go on past those read)."""
    monkeypatch.setattr(ranking_module, "RANKED_SPARE", spare)
    levels = ("version", "definition", "gallery", "subscription")
    with ranked_world.catalog.read() as db:
        exact = {level: rollups.rollup(db, SHEET, level) for level in levels}
        for limit in range(1, len(exact["version"]) + 2):
            limits = {level: limit if level != "gallery" else 1 + limit % 2 for level in levels}
            ranked = costliest_of(db, SHEET, limits)
            for level in levels:
                assert ranked[level].lines == exact[level][: limits[level]], (level, limit)
                assert ranked[level].count == len(exact[level])


def test_ranking_reads_a_few_statements_however_many_versions(ranked_world: World) -> None:
    """The sizes and storage types held, the ranking, then the rollup of the candidates
    and their names: no query per version."""
    with recorded_statements(ranked_world.catalog) as statements, ranked_world.catalog.read() as db:
        costliest(db, SHEET, "version", 2)
    assert len(statements) == 4
    with recorded_statements(ranked_world.catalog) as statements, ranked_world.catalog.read() as db:
        costliest_of(db, SHEET, {"version": 2, "gallery": 1})
    assert len(statements) == 6  # one ranking for both levels, then two a level


def test_nothing_to_rank(world: World) -> None:
    with world.catalog.read() as db:
        assert costliest(db, SHEET, "version", 5) == Ranking([], 0)
        world.version("1.0.0", targets=["westus"])
        assert costliest(db, SHEET, "gallery", 0) == Ranking([], 0)
        with pytest.raises(CatalogError) as error:
            costliest(db, SHEET, "region", 5)
    assert error.value.code == "SIG-INPUT"


def test_the_cost_screens_overview_agrees_with_the_report(ranked_world: World) -> None:
    report = _report(ranked_world, basis="snapshot")
    with ranked_world.catalog.read() as db:
        overview = cost_overview(db, SHEET, galleries=1, versions=3, basis="snapshot")
    assert (overview.total, overview.by_region) == (report.total, report.by_region)
    assert overview.basis == "snapshot" and overview.currency == report.currency
    assert [(line.key, line.cost) for line in overview.versions.lines] == list(
        report.by_version.items()
    )[:3]
    assert overview.versions.count == len(report.by_version)
    [gallery] = overview.galleries.lines
    assert (gallery.key, gallery.cost) == next(iter(report.by_gallery.items()))
    assert overview.galleries.count == 2
