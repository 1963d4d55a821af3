"""The replica advisor (SIG-SCALE): the source document's examples, the margin, the
scale-set instance cap, and a version's current replicas compared with the advice."""

from __future__ import annotations

import pytest
from builders import World, read

from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.queries import advisor
from sigtui.catalog.queries.advisor import Plan, advise
from sigtui.catalog.rules.limits import MAX_REPLICAS_PER_REGION

# --- the source document's examples ----------------------------------------------------------


def test_120_concurrent_vms_need_at_least_6_replicas() -> None:
    advice = advise(Plan(concurrent_vms=120))
    assert (advice.for_vms, advice.minimum) == (6, 6)


def test_5_concurrent_scale_sets_of_600_need_at_least_5_replicas() -> None:
    advice = advise(Plan(scale_sets=5, instances_per_scale_set=600))
    assert (advice.for_scale_sets, advice.minimum) == (5, 5)


@pytest.mark.parametrize(
    ("plan", "minimum"),
    [
        (Plan(concurrent_vms=1), 1),
        (Plan(concurrent_vms=20), 1),
        (Plan(concurrent_vms=21), 2),
        (Plan(), 1),  # a target region holds one replica at least
        (Plan(scale_sets=1, instances_per_scale_set=10), 1),
        (Plan(scale_sets=2, instances_per_scale_set=1_000), 4),  # 1,000 = 2 x "up to 600"
        (Plan(concurrent_vms=120, scale_sets=5), 11),  # both at once add up
    ],
)
def test_minimum_replicas(plan: Plan, minimum: int) -> None:
    assert advise(plan).minimum == minimum


# --- the margin -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minimum_vms", "minimum", "recommended"),
    [(20, 1, 2), (100, 5, 6), (120, 6, 8), (200, 10, 12), (1_000, 50, 60)],
)
def test_the_recommendation_over_provisions_by_20_percent_at_least_one(
    minimum_vms: int, minimum: int, recommended: int
) -> None:
    advice = advise(Plan(concurrent_vms=minimum_vms))
    assert (advice.minimum, advice.recommended) == (minimum, recommended)
    assert advice.margin == recommended - minimum
    assert "+20 %" in advice.margin_text and "over-provision" in advice.margin_text


def test_the_recommendation_stays_within_100_replicas_per_region() -> None:
    advice = advise(Plan(concurrent_vms=1_800))  # minimum 90, +18 would be 108
    assert (advice.minimum, advice.recommended) == (90, MAX_REPLICAS_PER_REGION)
    assert any("margin is cut" in w for w in advice.warnings)
    beyond = advise(Plan(concurrent_vms=2_500))  # 125 needed: more than a region holds
    assert (beyond.minimum, beyond.recommended, beyond.margin) == (125, 100, 0)
    assert any("at most 100" in w for w in beyond.warnings)


# --- the scale-set instance cap ------------------------------------------------------------------


def test_a_scale_set_above_1000_instances_is_refused() -> None:
    with pytest.raises(CatalogError) as error:
        advise(Plan(scale_sets=1, instances_per_scale_set=1_001))
    assert error.value.code == "SIG-SCALE"
    assert "1,000" in error.value.message


def test_scale_sets_above_600_instances_need_a_gallery_image() -> None:
    assert advise(Plan(scale_sets=1, instances_per_scale_set=600)).warnings == ()
    advice = advise(Plan(scale_sets=1, instances_per_scale_set=1_000))
    assert any("managed image" in w and "600" in w for w in advice.warnings)


@pytest.mark.parametrize(
    "plan",
    [Plan(concurrent_vms=-1), Plan(scale_sets=-2), Plan(scale_sets=1, instances_per_scale_set=0)],
)
def test_negative_counts_are_refused(plan: Plan) -> None:
    with pytest.raises(CatalogError) as error:
        advise(plan)
    assert error.value.code == "SIG-INPUT"


# --- compared with a version ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "status"),
    [(5, advisor.TOO_FEW), (6, advisor.NO_MARGIN), (7, advisor.NO_MARGIN), (8, advisor.ENOUGH)],
)
def test_current_replicas_against_the_advice(current: int, status: str) -> None:
    comparison = advisor.compare(advise(Plan(concurrent_vms=120)), "westus", current)
    assert comparison.status == status
    if status == advisor.TOO_FEW:
        assert comparison.message.startswith("too few replicas in West US: 5")


def test_a_versions_regional_replicas_are_compared(world: World) -> None:
    version = world.version(targets=["westus=2", "eastus=8"])
    pk = read(world.catalog, version).pk
    plan = Plan(concurrent_vms=120)
    with world.catalog.read() as db:
        assert advisor.regional_replicas(db, pk) == {"westus": 2, "eastus": 8}
        west = advisor.compare_version(db, pk, "USA Ouest", plan)
        east = advisor.compare_version(db, pk, "East US", plan)
        with pytest.raises(CatalogError) as error:
            advisor.compare_version(db, pk, "westeurope", plan)
    assert (west.region, west.current, west.status) == ("westus", 2, advisor.TOO_FEW)
    assert (east.current, east.status) == (8, advisor.ENOUGH)
    assert error.value.code == "SIG-NOT-FOUND"
