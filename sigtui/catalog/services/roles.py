"""Role assignments: a principal's role at a gallery, definition or version (SIG-ACCESS)."""

from __future__ import annotations

from sqlmodel import Session, select

from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import (
    Gallery,
    ImageDefinition,
    ImageVersion,
    RoleAssignment,
    pk_of,
)
from sigtui.catalog.model.schemas import RoleAssignmentCreate
from sigtui.catalog.queries import lookup
from sigtui.catalog.rules import access
from sigtui.catalog.rules.access import canonical_role
from sigtui.catalog.services._common import add_created, check_etag
from sigtui.catalog.store.clock import Clock

MAX_KEY = 2**63 - 1  # the largest key a database holds; beyond it, nothing is found

VERSION_SCOPE_WARNING = (
    "SIG-ACCESS: sharing a single image version is discouraged; share the gallery "
    "(recommended) or the image definition instead"
)


def create_role_assignment(db: Session, data: RoleAssignmentCreate, clock: Clock) -> RoleAssignment:
    principal = lookup.find_principal(db, data.assignee)
    role = canonical_role(data.role)
    scope = lookup.resolve(db, data.scope)
    if not isinstance(scope, Gallery | ImageDefinition | ImageVersion):
        raise CatalogError(
            "SIG-ACCESS",
            "gallery roles are assigned at a gallery, an image definition or an image version",
            field="scope",
        )
    assignment = RoleAssignment(
        principal_pk=pk_of(principal),
        role=role,
        gallery_pk=scope.pk if isinstance(scope, Gallery) else None,
        definition_pk=scope.pk if isinstance(scope, ImageDefinition) else None,
        version_pk=scope.pk if isinstance(scope, ImageVersion) else None,
    )
    duplicate = db.exec(
        select(RoleAssignment.pk).where(
            RoleAssignment.principal_pk == principal.pk,
            RoleAssignment.role == role,
            RoleAssignment.gallery_pk == assignment.gallery_pk,
            RoleAssignment.definition_pk == assignment.definition_pk,
            RoleAssignment.version_pk == assignment.version_pk,
        )
    ).first()
    if duplicate is not None:
        raise CatalogError(
            "SIG-ACCESS", f"{principal.name} already has {role} at that scope", field="role"
        )
    add_created(db, assignment, clock.now())
    return assignment


def assignment_warnings(db: Session, assignment: RoleAssignment) -> list[str]:
    """Allowed but worth a word: a single version shared, a principal of another tenant."""
    warnings = [VERSION_SCOPE_WARNING] if assignment.version_pk is not None else []
    if access.is_cross_tenant(db, assignment):
        warnings.append(
            "SIG-ACCESS: the principal is from another tenant (cross-tenant sharing); "
            "it needs a multi-tenant app registration or a guest account to use the images"
        )
    return warnings


def give_role(db: Session, data: RoleAssignmentCreate, clock: Clock) -> list[str]:
    """`create_role_assignment`, answered by what `assignment_warnings` says of it."""
    return assignment_warnings(db, create_role_assignment(db, data, clock))


def delete_role_assignment(db: Session, pk: int, if_match: str | None = None) -> None:
    in_range = isinstance(pk, int) and 0 < pk <= MAX_KEY
    assignment = db.get(RoleAssignment, pk) if in_range else None
    if assignment is None:
        raise CatalogError("SIG-NOT-FOUND", f"role assignment {pk} does not exist")
    check_etag(assignment, if_match, "the role assignment")
    db.delete(assignment)
    db.flush()
