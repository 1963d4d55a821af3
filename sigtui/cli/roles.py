"""`sigtui account principal ...` and `sigtui role assignment ...` (SIG-ACCESS), as az."""

from __future__ import annotations

from collections.abc import Callable

import click

from sigtui.catalog import services
from sigtui.catalog.azure import azure_json
from sigtui.catalog.model import schemas
from sigtui.catalog.model.enums import PrincipalType
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.queries import fetch, lookup
from sigtui.catalog.rules import access
from sigtui.cli import refs
from sigtui.cli.context import current_state
from sigtui.cli.options import F, common_options
from sigtui.cli.output import emit, warn

# --- principals -------------------------------------------------------------------------


@click.group("principal")
def principal_group() -> None:
    """Users, groups and service principals (each in a tenant) that roles are given to."""


@principal_group.command("create")
@click.option("--name", required=True, help="Display name (a user's sign-in name, say).")
@click.option(
    "--type",
    "principal_type",
    required=True,
    type=click.Choice([t.value for t in PrincipalType], case_sensitive=False),
    help="User, Group or ServicePrincipal.",
)
@click.option("--tenant", required=True, metavar="NAME_OR_ID", help="The principal's tenant.")
@click.option("--object-id", metavar="UUID", help="Object id (made up when omitted).")
@common_options
def principal_create(name: str, principal_type: str, tenant: str, object_id: str | None) -> None:
    """Add a principal."""
    catalog = current_state().catalog(writes=True)
    kind = next(t.value for t in PrincipalType if t.value.lower() == principal_type.lower())
    data = schemas.build(
        schemas.PrincipalCreate,
        name=name,
        principal_type=kind,
        tenant=tenant,
        object_id=object_id,
    )
    with catalog.write() as db:
        shown = azure_json.principal(db, services.create_principal(db, data, catalog.clock))
    emit(shown, "principal")


@principal_group.command("list")
@click.option("--tenant", metavar="NAME_OR_ID", help="Only this tenant's principals.")
@common_options
def principal_list(tenant: str | None) -> None:
    """List the principals."""
    with current_state().catalog().read() as db:
        rows = fetch.principals(db)
        if tenant:
            tenant_pk = lookup.find_tenant(db, tenant).pk
            rows = [p for p in rows if p.tenant_pk == tenant_pk]
        shown = [azure_json.principal(db, p) for p in rows]
    emit(shown, "principal")


# --- role assignments -------------------------------------------------------------------


@click.group("role")
def role_group() -> None:
    """Role-based access to galleries, definitions and versions (as `az role`)."""


@role_group.group("assignment")
def assignment_group() -> None:
    """Who has which role where. Shared at a gallery: the gallery, its definitions and
    versions; at a definition: it and its versions, not the gallery (SIG-ACCESS)."""


def _role_option(*, required: bool) -> Callable[[F], F]:
    return click.option(
        "--role",
        required=required,
        metavar="ROLE",
        help=f"One of: {', '.join(access.ROLES)} (any case).",
    )


@assignment_group.command("create")
@click.option("--assignee", required=True, metavar="PRINCIPAL", help="Name or object id.")
@_role_option(required=True)
@click.option("--scope", required=True, metavar="ARM_ID", help="A gallery, definition or version.")
@common_options
def assignment_create(assignee: str, role: str, scope: str) -> None:
    """Give a principal a role at a gallery (recommended), a definition or a version."""
    catalog = current_state().catalog(writes=True)
    data = schemas.build(schemas.RoleAssignmentCreate, assignee=assignee, role=role, scope=scope)
    with catalog.write() as db:
        assignment = services.create_role_assignment(db, data, catalog.clock)
        warnings = services.assignment_warnings(db, assignment)
        shown = azure_json.role_assignment(db, assignment)
    for warning in warnings:
        warn(warning)
    emit(shown, "role_assignment")


@assignment_group.command("list")
@click.option("--assignee", metavar="PRINCIPAL", help="Only this principal's assignments.")
@_role_option(required=False)
@click.option("--scope", metavar="ARM_ID", help="Only assignments at this scope.")
@click.option(
    "--include-inherited",
    is_flag=True,
    help="With --scope: also the assignments above it that reach it.",
)
@common_options
def assignment_list(
    assignee: str | None, role: str | None, scope: str | None, include_inherited: bool
) -> None:
    """List role assignments (with --as: those at scopes the principal sees)."""
    with current_state().catalog().read() as db:
        rows = access.find_assignments(
            db, assignee=assignee, role=role, scope_id=scope, include_inherited=include_inherited
        )
        visible_scopes = refs.visible(db, [access.scope_of(db, r) for r in rows])
        rows = [r for r in rows if access.scope_of(db, r) in visible_scopes]
        shown = [azure_json.role_assignment(db, r) for r in rows]
    emit(shown, "role_assignment")


@assignment_group.command("delete")
@click.option("--assignee", metavar="PRINCIPAL", help="The principal whose roles to remove.")
@_role_option(required=False)
@click.option("--scope", metavar="ARM_ID", help="The scope to remove them at.")
@click.option("--ids", metavar="ASSIGNMENT_ID", help="A role assignment's id (as listed).")
@common_options
def assignment_delete(
    assignee: str | None, role: str | None, scope: str | None, ids: str | None
) -> None:
    """Remove the matching role assignments (at least --assignee or --scope, or --ids)."""
    if not (assignee or scope or ids):
        raise click.UsageError("give --ids, or --assignee and/or --scope (and --role)")
    catalog = current_state().catalog(writes=True)
    with catalog.write() as db:
        rows = access.find_assignments(db, assignee=assignee, role=role, scope_id=scope)
        if ids:
            rows = [
                r for r in rows if azure_json.role_assignment(db, r)["id"].lower() == ids.lower()
            ]
        if not rows:
            raise CatalogError("SIG-NOT-FOUND", "no role assignment matches")
        shown = [azure_json.role_assignment(db, r) for r in rows]
        for row in rows:
            services.delete_role_assignment(db, row.pk or 0, if_match=str(row.etag))
    emit(shown, "role_assignment")
