"""`sigtui account ...` (tenants, subscriptions) and `sigtui group ...` (resource groups)."""

from __future__ import annotations

import click

from sigtui.catalog import services
from sigtui.catalog.azure import azure_json
from sigtui.catalog.model import schemas
from sigtui.catalog.queries import fetch, lookup
from sigtui.cli import refs
from sigtui.cli.context import current_state
from sigtui.cli.options import (
    F,
    common_options,
    confirm_delete,
    if_match_option,
    parse_tags,
    subscription_option,
    tags_option,
    yes_option,
)
from sigtui.cli.output import emit
from sigtui.cli.roles import principal_group

# --- account -----------------------------------------------------------------------------


@click.group("account")
def account_group() -> None:
    """Tenants and subscriptions (as `az account`)."""


@account_group.group("tenant")
def tenant_group() -> None:
    """Tenants (Microsoft Entra ID directories)."""


@tenant_group.command("create")
@click.option("--name", required=True, help="Tenant display name.")
@click.option("--tenant-id", metavar="UUID", help="Tenant id (made up when omitted).")
@common_options
def tenant_create(name: str, tenant_id: str | None) -> None:
    """Add a tenant."""
    catalog = current_state().catalog(writes=True)
    data = schemas.build(schemas.TenantCreate, name=name, tenant_id=tenant_id)
    with catalog.write() as db:
        shown = azure_json.tenant(services.create_tenant(db, data, catalog.clock))
    emit(shown, "tenant")


@tenant_group.command("list")
@common_options
def tenant_list() -> None:
    """List the tenants."""
    with current_state().catalog().read() as db:
        shown = azure_json.tenants(refs.visible(db, fetch.tenants(db)))
    emit(shown, "tenant")


@account_group.command("create")
@click.option("--name", required=True, help="Subscription name.")
@click.option("--subscription-id", required=True, metavar="UUID", help="Subscription id.")
@click.option("--tenant", required=True, metavar="NAME_OR_ID", help="Its tenant.")
@click.option(
    "--cloud",
    default="AzureCloud",
    show_default=True,
    help="AzureCloud, AzureChinaCloud, AzureUSGovernment or AzureGermanCloud.",
)
@click.option(
    "--allow-region",
    multiple=True,
    metavar="REGION...",
    help="Regions the subscription is allowlisted for (australiacentral, australiacentral2).",
)
@common_options
def account_create(
    name: str, subscription_id: str, tenant: str, cloud: str, allow_region: tuple[str, ...]
) -> None:
    """Add a subscription."""
    catalog = current_state().catalog(writes=True)
    data = schemas.build(
        schemas.SubscriptionCreate,
        name=name,
        subscription_id=subscription_id,
        tenant=tenant,
        cloud=cloud,
        allowlisted_regions=list(allow_region),
    )
    with catalog.write() as db:
        created = services.create_subscription(db, data, catalog.clock)
        shown = azure_json.subscription(db, created)
    emit(shown, "subscription")


@account_group.command("list")
@click.option("--tenant", metavar="NAME_OR_ID", help="Only this tenant's subscriptions.")
@common_options
def account_list(tenant: str | None) -> None:
    """List the subscriptions (as `az account list`)."""
    with current_state().catalog().read() as db:
        tenant_pk = lookup.find_tenant(db, tenant).pk if tenant else None
        rows = refs.visible(db, fetch.subscriptions(db, tenant_pk))
        shown = azure_json.subscriptions(db, rows)
    emit(shown, "subscription")


@account_group.command("show")
@subscription_option
@common_options
def account_show(subscription: str | None) -> None:
    """Show a subscription (the only one, when the catalog has one)."""
    with current_state().catalog().read() as db:
        shown = azure_json.subscription(db, refs.shown(db, refs.subscription(db, subscription)))
    emit(shown, "subscription")


# --- group -------------------------------------------------------------------------------


@click.group("group")
def group_group() -> None:
    """Resource groups (as `az group`)."""


def _group_name_option(command: F) -> F:
    return click.option(
        "-n", "--name", "-g", "--resource-group", "name", required=True, help="Resource group."
    )(command)


@group_group.command("create")
@_group_name_option
@click.option("-l", "--location", required=True, help="Region, e.g. westeurope.")
@subscription_option
@tags_option
@common_options
def group_create(name: str, location: str, subscription: str | None, tags: tuple[str, ...]) -> None:
    """Create a resource group."""
    catalog = current_state().catalog(writes=True)
    with catalog.write() as db:
        owner = refs.subscription(db, subscription)
        data = schemas.build(
            schemas.GroupCreate,
            subscription=owner.subscription_id,
            name=name,
            location=location,
            tags=parse_tags(tags) or {},
        )
        shown = azure_json.resource_group(db, services.create_group(db, data, catalog.clock))
    emit(shown, "group")


@group_group.command("list")
@subscription_option
@common_options
def group_list(subscription: str | None) -> None:
    """List resource groups (of one subscription when given)."""
    with current_state().catalog().read() as db:
        owner = lookup.find_subscription(db, subscription) if subscription else None
        rows = refs.visible(db, fetch.groups(db, owner.pk if owner else None))
        shown = azure_json.resource_groups(db, rows)
    emit(shown, "group")


@group_group.command("show")
@_group_name_option
@subscription_option
@common_options
def group_show(name: str, subscription: str | None) -> None:
    """Show a resource group."""
    with current_state().catalog().read() as db:
        with refs.missing_exits_3():
            row = refs.group(db, name, subscription)
        shown = azure_json.resource_group(db, refs.shown(db, row))
    emit(shown, "group")


@group_group.command("delete")
@_group_name_option
@subscription_option
@if_match_option
@yes_option
@common_options
def group_delete(name: str, subscription: str | None, if_match: str | None, yes: bool) -> None:
    """Delete an empty resource group."""
    confirm_delete(f"resource group {name!r}", yes)
    catalog = current_state().catalog(writes=True)
    with catalog.write() as db:
        row = refs.group(db, name, subscription)
        services.delete_group(db, lookup.arm_id(db, row), if_match=if_match)


account_group.add_command(principal_group)
