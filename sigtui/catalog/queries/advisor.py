"""The replica advisor (SIG-SCALE, as Azure advises today).

From what will be deployed at once in one region, the minimum replicas of an image
version there, and a recommended count with a stated over-provisioning margin:

- VMs that are not in scale sets: one replica per 50 VMs created concurrently
  (500 VMs -> 10 replicas);
- scale sets: one replica per scale set deployed concurrently, each of up to 1,000
  instances from a gallery image (2 scale sets -> 2 replicas);
- "always over-provision": the recommendation adds 20 %, rounded up, at least one more,
  within the 100 replicas a region may hold (SIG-REPLICAS).

The source document (2020) advised one replica per 20 VMs and one per scale-set
deployment of up to 600 instances: shown as history (`HISTORY`), not used. The inputs
are bounded by what one region's replicas can serve (SIG-INPUT beyond).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import Session, select

from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import ImageVersion, TargetRegion
from sigtui.catalog.rules.limits import MAX_REPLICAS_PER_REGION
from sigtui.catalog.rules.regions import get_region
from sigtui.safe_text import counted

if TYPE_CHECKING:
    from sigtui.catalog.rules.access import Visibility

VMS_PER_REPLICA = 50  # non-VMSS VMs created concurrently per replica
SCALE_SETS_PER_REPLICA = 1  # scale sets deployed concurrently per replica
MAX_SCALE_SET_INSTANCES_FROM_GALLERY_IMAGE = 1_000
MAX_SCALE_SET_INSTANCES_FROM_MANAGED_IMAGE = 600
DEFAULT_INSTANCES_PER_SCALE_SET = MAX_SCALE_SET_INSTANCES_FROM_GALLERY_IMAGE
# What one region's replicas can serve: more is not a plan for one region.
MAX_CONCURRENT_VMS = VMS_PER_REPLICA * MAX_REPLICAS_PER_REGION
MAX_CONCURRENT_SCALE_SETS = SCALE_SETS_PER_REPLICA * MAX_REPLICAS_PER_REGION
MARGIN_PERCENT = 20
MARGIN_AT_LEAST = 1

SEED_VMS_PER_REPLICA = 20
SEED_INSTANCES_PER_REPLICA = 600
HISTORY = (
    f"The source document (2020) advised one replica per {SEED_VMS_PER_REPLICA} VMs "
    f"created concurrently and one per scale-set deployment of up to "
    f"{SEED_INSTANCES_PER_REPLICA} instances; Azure advises today one per "
    f"{VMS_PER_REPLICA} VMs and one per scale set (each up to "
    f"{MAX_SCALE_SET_INSTANCES_FROM_GALLERY_IMAGE:,} instances)."
)

MARGIN_TEXT = (
    f"+{MARGIN_PERCENT} % over the minimum, rounded up, at least +{MARGIN_AT_LEAST} "
    f"(at most {MAX_REPLICAS_PER_REGION} per region): Azure advises always "
    "over-provisioning replicas, for the image's size, content and OS type"
)

ENOUGH = "enough"  # at least the recommended count
NO_MARGIN = "noMargin"  # the minimum, not the margin
TOO_FEW = "tooFew"  # below the minimum: a warning


@dataclass(frozen=True)
class Plan:
    """What is deployed at once in one region from one image version."""

    concurrent_vms: int = 0
    scale_sets: int = 0
    instances_per_scale_set: int = DEFAULT_INSTANCES_PER_SCALE_SET


@dataclass(frozen=True)
class Advice:
    plan: Plan
    for_vms: int  # replicas for the VMs outside scale sets
    for_scale_sets: int  # replicas for the scale sets
    minimum: int
    margin: int  # replicas added to the minimum
    recommended: int
    warnings: tuple[str, ...] = ()
    margin_text: str = MARGIN_TEXT


def _count(value: int, what: str, most: int, why: str) -> int:
    """A whole number from 0 to `most` (SIG-INPUT otherwise, saying `why` the bound)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise CatalogError("SIG-INPUT", f"{what} must be a whole number, 0 or more, not {value!r}")
    if value > most:
        raise CatalogError("SIG-INPUT", f"{what} must be at most {most:,} ({why}), not {value:,}")
    return value


def check_plan(plan: Plan) -> Plan:
    """Refuse what cannot be planned: negative or absurd counts (SIG-INPUT), a scale set
    larger than a gallery image allows (SIG-SCALE)."""
    per_region = f"{MAX_REPLICAS_PER_REGION} replicas per region"
    _count(
        plan.concurrent_vms,
        "concurrent VMs",
        MAX_CONCURRENT_VMS,
        f"{per_region} x {VMS_PER_REPLICA} VMs each; spread the deployments over regions",
    )
    _count(
        plan.scale_sets,
        "scale sets",
        MAX_CONCURRENT_SCALE_SETS,
        f"{per_region}, one per scale set; spread the deployments over regions",
    )
    size = plan.instances_per_scale_set
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise CatalogError("SIG-INPUT", "a scale set has at least 1 instance")
    if size > MAX_SCALE_SET_INSTANCES_FROM_GALLERY_IMAGE:
        raise CatalogError(
            "SIG-SCALE",
            f"a scale set from a gallery image holds at most "
            f"{MAX_SCALE_SET_INSTANCES_FROM_GALLERY_IMAGE:,} instances, not {size:,}; "
            "split it into several scale sets",
        )
    return plan


def _ceil_div(n: int, d: int) -> int:
    return -(-n // d)


def margin_for(minimum: int) -> int:
    """The over-provisioning margin: +20 % rounded up, at least +1."""
    return max(MARGIN_AT_LEAST, _ceil_div(minimum * MARGIN_PERCENT, 100))


def advise(plan: Plan) -> Advice:
    """The minimum and recommended replicas in one region for `plan`."""
    check_plan(plan)
    for_vms = _ceil_div(plan.concurrent_vms, VMS_PER_REPLICA)
    for_scale_sets = _ceil_div(plan.scale_sets, SCALE_SETS_PER_REPLICA)
    minimum = max(1, for_vms + for_scale_sets)  # every target region holds one at least
    recommended = min(MAX_REPLICAS_PER_REGION, minimum + margin_for(minimum))
    return Advice(
        plan,
        for_vms,
        for_scale_sets,
        minimum,
        max(0, recommended - minimum),
        recommended,
        _warnings(minimum, recommended),
    )


def _warnings(minimum: int, recommended: int) -> tuple[str, ...]:
    found = []
    if minimum > MAX_REPLICAS_PER_REGION:
        found.append(
            f"{minimum} replicas are needed but a region holds at most "
            f"{MAX_REPLICAS_PER_REGION} (SIG-REPLICAS): spread the deployments over regions "
            "or over time"
        )
    elif recommended - minimum < margin_for(minimum):
        found.append(
            f"the margin is cut to {recommended - minimum} by the limit of "
            f"{MAX_REPLICAS_PER_REGION} replicas per region"
        )
    return tuple(found)


@dataclass(frozen=True)
class Comparison:
    """A version's current replicas in a region against the advice."""

    region: str  # programmatic name
    current: int
    advice: Advice
    status: str  # enough | noMargin | tooFew

    @property
    def message(self) -> str:
        region = get_region(self.region).display_name
        if self.status == TOO_FEW:
            return (
                f"too few replicas in {region}: {self.current}, at least "
                f"{self.advice.minimum} needed ({self.advice.recommended} recommended)"
            )
        if self.status == NO_MARGIN:
            return (
                f"{counted(self.current, 'replica')} in {region} "
                f"{'meets' if self.current == 1 else 'meet'} the minimum of "
                f"{self.advice.minimum} without the margin ({self.advice.recommended} "
                "recommended)"
            )
        return (
            f"{counted(self.current, 'replica')} in {region}: enough "
            f"({self.advice.recommended} recommended)"
        )


def compare(advice: Advice, region: str, current: int) -> Comparison:
    """How `current` replicas in `region` stand against `advice`."""
    if current < advice.minimum:
        status = TOO_FEW
    elif current < advice.recommended:
        status = NO_MARGIN
    else:
        status = ENOUGH
    return Comparison(get_region(region).name, current, advice, status)


def regional_replicas(
    db: Session, version_pk: int, viewer: Visibility | None = None
) -> dict[str, int]:
    """A version's regional replica counts, by programmatic region name (one query);
    SIG-ACCESS when `viewer` does not see the version."""
    if viewer is not None:
        from sigtui.catalog.rules import access  # access imports the queries

        access.require_visible(db, viewer, db.get_one(ImageVersion, version_pk))
    rows = db.exec(
        select(TargetRegion.region, TargetRegion.replica_count).where(
            TargetRegion.version_pk == version_pk
        )
    )
    return dict(rows.all())


def compare_version(db: Session, version_pk: int, region: str, plan: Plan) -> Comparison:
    """The advice for `plan` against the version's replicas in `region` (any spelling);
    SIG-NOT-FOUND when the version does not replicate there."""
    name = get_region(region, field="region")
    current = regional_replicas(db, version_pk)
    if name.name not in current:
        raise CatalogError(
            "SIG-NOT-FOUND", f"{name.display_name} is not a target region of this version"
        )
    return compare(advise(plan), name.name, current[name.name])
