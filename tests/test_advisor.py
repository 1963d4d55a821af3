"""The replica advisor (SIG-SCALE), as Azure advises today: one replica per 50 VMs
created concurrently, one per scale set deployed concurrently (each up to 1,000
instances); the margin, the bounds on its inputs, and a version's current replicas
compared with the advice."""

from __future__ import annotations

import pytest
from builders import World, read

from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.queries import advisor
from sigtui.catalog.queries.advisor import Plan, advise
from sigtui.catalog.rules.limits import MAX_REPLICAS_PER_REGION

# --- Azure's examples --------------------------------------------------------------------------


def test_500_concurrent_vms_need_at_least_10_replicas() -> None:
    advice = advise(Plan(concurrent_vms=500))
    assert (advice.for_vms, advice.minimum) == (10, 10)


def test_2_concurrent_scale_sets_need_at_least_2_replicas() -> None:
    advice = advise(Plan(scale_sets=2, instances_per_scale_set=1_000))
    assert (advice.for_scale_sets, advice.minimum) == (2, 2)


@pytest.mark.parametrize(
    ("plan", "minimum"),
    [
        (Plan(concurrent_vms=1), 1),
        (Plan(concurrent_vms=50), 1),
        (Plan(concurrent_vms=51), 2),
        (Plan(), 1),  # a target region holds one replica at least
        (Plan(scale_sets=1, instances_per_scale_set=10), 1),
        (Plan(scale_sets=3), 3),  # one per scale set, whatever its size up to 1,000
        (Plan(concurrent_vms=500, scale_sets=5), 15),  # both at once add up
    ],
)
def test_minimum_replicas(plan: Plan, minimum: int) -> None:
    assert advise(plan).minimum == minimum


def test_the_seeds_older_figures_are_history_not_rules() -> None:
    assert (advisor.VMS_PER_REPLICA, advisor.DEFAULT_INSTANCES_PER_SCALE_SET) == (50, 1_000)
    assert advise(Plan(concurrent_vms=120)).minimum == 3  # 6 by the seed's 1 per 20
    assert advise(Plan(scale_sets=1, instances_per_scale_set=1_000)).minimum == 1
    assert "20 VMs" in advisor.HISTORY
    assert "600 instances" in advisor.HISTORY and "one per 50 VMs" in advisor.HISTORY


# --- the margin -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vms", "minimum", "recommended"),
    [(50, 1, 2), (250, 5, 6), (300, 6, 8), (500, 10, 12), (2_500, 50, 60)],
)
def test_the_recommendation_over_provisions_by_20_percent_at_least_one(
    vms: int, minimum: int, recommended: int
) -> None:
    advice = advise(Plan(concurrent_vms=vms))
    assert (advice.minimum, advice.recommended) == (minimum, recommended)
    assert advice.margin == recommended - minimum
    assert "+20 %" in advice.margin_text and "over-provision" in advice.margin_text


def test_the_recommendation_stays_within_100_replicas_per_region() -> None:
    advice = advise(Plan(concurrent_vms=4_500))  # minimum 90, +18 would be 108
    assert (advice.minimum, advice.recommended) == (90, MAX_REPLICAS_PER_REGION)
    assert any("margin is cut" in w for w in advice.warnings)
    beyond = advise(Plan(concurrent_vms=5_000, scale_sets=25))  # 125: more than a region holds
    assert (beyond.minimum, beyond.recommended, beyond.margin) == (125, 100, 0)
    assert any("at most 100" in w for w in beyond.warnings)


# --- the inputs' bounds --------------------------------------------------------------------------


def test_a_scale_set_above_1000_instances_is_refused() -> None:
    assert advise(Plan(scale_sets=1, instances_per_scale_set=1_000)).warnings == ()
    with pytest.raises(CatalogError) as error:
        advise(Plan(scale_sets=1, instances_per_scale_set=1_001))
    assert error.value.code == "SIG-SCALE"
    assert "1,000" in error.value.message


@pytest.mark.parametrize(
    "plan",
    [Plan(concurrent_vms=-1), Plan(scale_sets=-2), Plan(scale_sets=1, instances_per_scale_set=0)],
)
def test_negative_counts_are_refused(plan: Plan) -> None:
    with pytest.raises(CatalogError) as error:
        advise(plan)
    assert error.value.code == "SIG-INPUT"


@pytest.mark.parametrize(
    ("plan", "bound"),
    [
        (Plan(concurrent_vms=5_001), "at most 5,000"),  # 100 replicas x 50 VMs
        (Plan(concurrent_vms=99_999_999_999_999_999_999), "at most 5,000"),
        (Plan(scale_sets=101), "at most 100"),  # 100 replicas, one per scale set
        (Plan(scale_sets=2**70), "at most 100"),
    ],
)
def test_absurd_counts_are_refused_beyond_what_a_region_can_serve(plan: Plan, bound: str) -> None:
    assert advise(Plan(concurrent_vms=5_000, scale_sets=100)).minimum == 200  # the bounds hold
    with pytest.raises(CatalogError) as error:
        advise(plan)
    assert error.value.code == "SIG-INPUT"
    assert bound in error.value.message


# --- compared with a version ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "status"),
    [(5, advisor.TOO_FEW), (6, advisor.NO_MARGIN), (7, advisor.NO_MARGIN), (8, advisor.ENOUGH)],
)
def test_current_replicas_against_the_advice(current: int, status: str) -> None:
    comparison = advisor.compare(advise(Plan(concurrent_vms=300)), "westus", current)
    assert comparison.status == status
    if status == advisor.TOO_FEW:
        assert comparison.message.startswith("too few replicas in West US: 5")


def test_a_versions_regional_replicas_are_compared(world: World) -> None:
    version = world.version(targets=["westus=2", "eastus=8"])
    pk = read(world.catalog, version).pk
    plan = Plan(concurrent_vms=300)
    with world.catalog.read() as db:
        assert advisor.regional_replicas(db, pk) == {"westus": 2, "eastus": 8}
        west = advisor.compare_version(db, pk, "USA Ouest", plan)
        east = advisor.compare_version(db, pk, "East US", plan)
        with pytest.raises(CatalogError) as error:
            advisor.compare_version(db, pk, "westeurope", plan)
    assert (west.region, west.current, west.status) == ("westus", 2, advisor.TOO_FEW)
    assert (east.current, east.status) == (8, advisor.ENOUGH)
    assert error.value.code == "SIG-NOT-FOUND"
