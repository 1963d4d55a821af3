"""`sigtui cost` and `sigtui replicas advise`: what the catalog costs (SIG-BILLING) and
replica advice (SIG-SCALE). `sigtui limits` is in cli/limits.py."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import click

from sigtui.catalog.model.models import ImageVersion
from sigtui.catalog.queries import advisor, lookup
from sigtui.catalog.queries.costs.sheet import BASES
from sigtui.catalog.rules import access
from sigtui.catalog.rules.limits import MAX_REPLICAS_PER_REGION
from sigtui.catalog.rules.regions import find_region
from sigtui.cli.context import current_state
from sigtui.cli.options import common_options, usage_error
from sigtui.cli.output import Column, Json, print_result, render_table, warn
from sigtui.safe_text import visible

if TYPE_CHECKING:  # the cost modules are imported by `cost` alone, when it runs
    from sigtui.catalog.queries.costs.overview import CostReport
    from sigtui.catalog.queries.costs.prices import Cost


def _region_label(name: str) -> str:
    region = find_region(name)
    return region.display_name if region else name


# --- cost --------------------------------------------------------------------------------


def money(value: Decimal) -> float:
    """An amount for JSON: a number, to the cent."""
    return float(value.quantize(Decimal("0.01")))


def _quantity(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def cost_json(cost: Cost) -> Json:
    return {
        "monthlyStorage": money(cost.monthly_storage),
        "oneTimeEgress": money(cost.one_time_egress),
        "replicas": cost.replicas,
        "egressGb": _quantity(cost.egress_gb),
    }


def report_json(report: CostReport, scope_id: str | None) -> Json:
    """The cost of a scope, as `sigtui cost -o json` prints it."""
    sheet = report.sheet
    return {
        "currency": report.currency,
        "basis": report.basis,
        "scope": scope_id,
        **cost_json(report.total),
        "byRegion": {k: cost_json(v) for k, v in report.by_region.items()},
        "byVersion": {k: cost_json(v) for k, v in report.by_version.items()},
        "byDefinition": {k: cost_json(v) for k, v in report.by_definition.items()},
        "byGallery": {k: cost_json(v) for k, v in report.by_gallery.items()},
        "bySubscription": {k: cost_json(v) for k, v in report.by_subscription.items()},
        "priceSheet": {
            "origin": sheet.origin,
            "currency": sheet.currency,
            "date": sheet.date,
            "source": sheet.source,
        },
    }


def _cost_table(report: CostReport) -> str:
    rows = [
        {"region": _region_label(name), **cost_json(cost)}
        for name, cost in sorted(report.by_region.items())
    ]
    rows.append({"region": "Total", **cost_json(report.total)})
    columns: list[Column] = [
        ("Region", lambda r: r["region"]),
        ("Replicas", lambda r: r["replicas"]),
        (f"MonthlyStorage ({report.currency})", lambda r: f"{r['monthlyStorage']:,.2f}"),
        (f"OneTimeEgress ({report.currency})", lambda r: f"{r['oneTimeEgress']:,.2f}"),
    ]
    sheet = report.sheet
    return (
        render_table(rows, columns)
        + f"\n\nBasis {report.basis}; price sheet {sheet.origin} ({sheet.date}): {sheet.source}"
    )


@click.command("cost")
@click.option(
    "--scope", metavar="ARM_ID", help="A subscription, group, gallery, definition or version."
)
@click.option("--prices", metavar="FILE", help="A price sheet (JSON) instead of the built-in one.")
@click.option(
    "--basis",
    type=click.Choice(BASES, case_sensitive=False),
    help="Bill each replica as a managed disk tier (the source document's) or a snapshot "
    "per GB (Azure's today); default: the price sheet's.",
)
@common_options
def cost_command(scope: str | None, prices: str | None, basis: str | None) -> None:
    """Monthly storage and one-time egress of the image versions in a scope (SIG-BILLING)."""
    from sigtui.catalog.queries.costs.overview import cost_report
    from sigtui.catalog.queries.costs.scopes import scope_of
    from sigtui.catalog.queries.costs.sheet_json import load_sheet

    sheet = load_sheet(prices)
    chosen = next((b for b in BASES if basis and b.lower() == basis.lower()), None)
    state = current_state()
    with state.catalog().read() as db:
        scope_id = None
        if scope:
            row = lookup.resolve(db, scope)
            access.require_visible(db, state.viewer(), row)  # --as: a scope it sees
            scope_id = lookup.arm_id(db, row)
        report = cost_report(db, sheet, scope_of(db, scope_id), chosen, state.viewer())
    print_result(
        report_json(report, scope_id),
        lambda: click.echo(visible(_cost_table(report), newlines=True)),
    )


# --- replicas advise -------------------------------------------------------------------------


@click.group("replicas")
def replicas_group() -> None:
    """How many replicas an image version needs (SIG-SCALE)."""


def advice_json(advice: advisor.Advice) -> Json:
    plan = advice.plan
    return {
        "minimumReplicas": advice.minimum,
        "recommendedReplicas": advice.recommended,
        "margin": {
            "replicas": advice.margin,
            "percent": advisor.MARGIN_PERCENT,
            "atLeast": advisor.MARGIN_AT_LEAST,
            "text": advice.margin_text,
        },
        "replicasForVms": advice.for_vms,
        "replicasForScaleSets": advice.for_scale_sets,
        "concurrentVms": plan.concurrent_vms,
        "scaleSets": plan.scale_sets,
        "instancesPerScaleSet": plan.instances_per_scale_set,
        "maxReplicasPerRegion": MAX_REPLICAS_PER_REGION,
        "scaleSetInstanceCap": {
            "galleryImage": advisor.MAX_SCALE_SET_INSTANCES_FROM_GALLERY_IMAGE,
            "managedImage": advisor.MAX_SCALE_SET_INSTANCES_FROM_MANAGED_IMAGE,
        },
        "warnings": list(advice.warnings),
    }


def _comparison_json(comparison: advisor.Comparison, version_id: str) -> Json:
    return {
        "id": version_id,
        "region": comparison.region,
        "regionalReplicaCount": comparison.current,
        "status": comparison.status,
        "message": comparison.message,
    }


def _advice_table(shown: Json) -> str:
    lines = [
        ("Minimum replicas", shown["minimumReplicas"]),
        ("Recommended replicas", shown["recommendedReplicas"]),
        ("Margin", f"+{shown['margin']['replicas']}: {shown['margin']['text']}"),
    ]
    if "current" in shown:
        lines.append(("Current", shown["current"]["message"]))
    columns: list[Column] = [("Advice", lambda r: r["name"]), ("Value", lambda r: r["value"])]
    return render_table([{"name": n, "value": v} for n, v in lines], columns)


@replicas_group.command("advise")
@click.option("--concurrent-vms", type=int, default=0, show_default=True, metavar="N",
              help="VMs (not in scale sets) created at once in the region.")  # fmt: skip
@click.option("--scale-sets", type=int, default=0, show_default=True, metavar="M",
              help="Scale-set deployments at once in the region.")  # fmt: skip
@click.option("--instances-per-scale-set", type=int, metavar="K",
              default=advisor.DEFAULT_INSTANCES_PER_SCALE_SET, show_default=True,
              help="Instances per scale set (at most 1,000 from a gallery image).")  # fmt: skip
@click.option("--version", "version_id", metavar="VERSION_ID",
              help="Compare with this version's replicas in --region.")  # fmt: skip
@click.option("--region", metavar="REGION", help="The region of --version to compare.")
@common_options
def advise_command(
    concurrent_vms: int,
    scale_sets: int,
    instances_per_scale_set: int,
    version_id: str | None,
    region: str | None,
) -> None:
    """Minimum and recommended replicas in one region, as Azure advises today: 1 per 50 VMs
    created at once, 1 per scale set deployed at once (each up to 1,000 instances), plus an
    over-provisioning margin. (The source document of 2020 advised 1 per 20 VMs and 1 per
    scale set of up to 600 instances.)"""
    if bool(version_id) != bool(region):
        raise usage_error("--version and --region go together")
    plan = advisor.Plan(concurrent_vms, scale_sets, instances_per_scale_set)
    advice = advisor.advise(plan)
    shown = advice_json(advice)
    if version_id and region:
        with current_state().catalog().read() as db:
            version = lookup.resolve_as(db, version_id, ImageVersion)
            access.require_visible(db, current_state().viewer(), version)
            assert version.pk is not None
            comparison = advisor.compare_version(db, version.pk, region, plan)
            shown["current"] = _comparison_json(comparison, lookup.arm_id(db, version))
        if comparison.status == advisor.TOO_FEW:
            shown["warnings"].append(comparison.message)
    for warning in shown["warnings"]:
        warn(warning)
    print_result(shown, lambda: click.echo(visible(_advice_table(shown), newlines=True)))
