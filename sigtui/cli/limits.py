"""`sigtui limits`: use of Azure's limits per subscription and region (SIG-LIMIT-*).

It imports only what showing the limits needs (not the table models: see
catalog/queries/counts.py), so that the command starts quickly."""

from __future__ import annotations

import click
from sqlmodel import Session

from sigtui.catalog.queries import usage
from sigtui.cli.context import current_state
from sigtui.cli.options import common_options, subscription_option
from sigtui.cli.output import Column, Json, print_result, render_table
from sigtui.safe_text import visible


def _subscription_pk(db: Session, subscription: str) -> int | None:
    from sigtui.catalog.queries import lookup  # with the table models: only when filtering
    from sigtui.catalog.rules import access

    row = lookup.find_subscription(db, subscription)
    access.require_visible(db, current_state().viewer(), row)  # --as: one it sees
    return row.pk


def _gauge_json(gauge: usage.Gauge) -> Json:
    return {"used": gauge.used, "limit": gauge.limit}


def limits_json(row: usage.UsageRow) -> Json:
    """One subscription x region, as `sigtui limits -o json` prints it."""
    return {
        "subscription": row.subscription,
        "location": row.location,
        **{gauge.kind: _gauge_json(gauge) for gauge in row.gauges},
    }


def _gauge_cell(gauge: usage.Gauge) -> str:
    return f"{gauge.used:,}/{gauge.limit:,} ({gauge.percent}%)"


def _limits_table(rows: list[usage.UsageRow]) -> str:
    items = [
        {
            "subscription": row.subscription,
            "region": row.region,
            "level": row.level,
            **{gauge.kind: _gauge_cell(gauge) for gauge in row.gauges},
        }
        for row in rows
    ]
    columns: list[Column] = [
        ("Subscription", lambda i: i["subscription"]),
        ("Location", lambda i: i["region"]),
        ("Galleries", lambda i: i["galleries"]),
        ("ImageDefinitions", lambda i: i["imageDefinitions"]),
        ("ImageVersions", lambda i: i["imageVersions"]),
        ("Level", lambda i: i["level"]),
    ]
    return render_table(items, columns)


@click.command("limits")
@subscription_option
@click.option("-l", "--location", metavar="REGION", help="Only this region.")
@common_options
def limits_command(subscription: str | None, location: str | None) -> None:
    """Use of Azure's limits per subscription and region, fullest first: 100 galleries,
    1,000 image definitions, 10,000 image versions (SIG-LIMIT-*)."""
    state = current_state()
    with state.catalog().read() as db:
        subscription_pk = _subscription_pk(db, subscription) if subscription else None
        rows = usage.usage_rows(
            db, subscription_pk=subscription_pk, location=location, viewer=state.viewer()
        )

    def show_table() -> None:
        if rows:
            click.echo(visible(_limits_table(rows), newlines=True))

    print_result([limits_json(row) for row in rows], show_table)
