"""Who may do what (SIG-ACCESS): the built-in roles and what they allow, the source
document's sharing matrix, who has access to a resource, what a principal sees, and
the guard that refuses a write the acting principal's roles do not allow.

Sharing matrix (source document, "Accès"): a role at a gallery reaches the gallery, its
definitions and their versions; at a definition, the definition and its versions but
not the gallery; at a version, that version only. Access flows down, never up.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fnmatch import fnmatchcase
from functools import cache
from importlib import resources
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, or_, select

from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import (
    DataDisk,
    Gallery,
    ImageDefinition,
    ImageVersion,
    Principal,
    Resource,
    ResourceGroup,
    RoleAssignment,
    Subscription,
    TargetRegion,
    Tenant,
)
from sigtui.catalog.queries import lookup
from sigtui.catalog.store.db import ACTING_AS


class Capability(StrEnum):
    READ = "read"  # see it, and deploy VMs and scale sets from its versions
    PUBLISH = "publish"  # create, update and delete definitions and versions
    SHARE = "share"  # give others a role at it


# The ARM operation each capability stands for; a role allows a capability when its
# actions match one of them and its notActions do not.
CAPABILITY_OPERATIONS: dict[Capability, tuple[str, ...]] = {
    Capability.READ: ("Microsoft.Compute/galleries/images/versions/read",),
    Capability.PUBLISH: ("Microsoft.Compute/galleries/images/versions/write",),
    Capability.SHARE: (
        "Microsoft.Authorization/roleAssignments/write",
        "Microsoft.Compute/galleries/share/action",
    ),
}


@dataclass(frozen=True)
class RoleDefinition:
    name: str
    role_id: str
    description: str
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]

    def allows(self, operation: str) -> bool:
        def matches(patterns: Iterable[str]) -> bool:
            return any(fnmatchcase(operation.lower(), p.lower()) for p in patterns)

        return matches(self.actions) and not matches(self.not_actions)

    @property
    def capabilities(self) -> frozenset[Capability]:
        return frozenset(
            capability
            for capability, operations in CAPABILITY_OPERATIONS.items()
            if any(self.allows(op) for op in operations)
        )


@cache
def role_definitions() -> dict[str, RoleDefinition]:
    """The built-in roles that matter for galleries, from `data/roles.json`."""
    text = resources.files("sigtui.catalog").joinpath("data/roles.json").read_text("utf-8")
    return {
        role["roleName"]: RoleDefinition(
            name=role["roleName"],
            role_id=role["id"],
            description=role["description"],
            actions=tuple(role["actions"]),
            not_actions=tuple(role["notActions"]),
        )
        for role in json.loads(text)["roles"]
    }


ROLES: tuple[str, ...] = tuple(role_definitions())


def capabilities_of(role: str) -> frozenset[Capability]:
    definition = role_definitions().get(role)
    return definition.capabilities if definition else frozenset()


def roles_allowing(capability: Capability) -> list[str]:
    return [name for name in ROLES if capability in capabilities_of(name)]


def canonical_role(name: str) -> str:
    for role in ROLES:
        if role.casefold() == (name or "").strip().casefold():
            return role
    raise CatalogError(
        "SIG-ACCESS", f"role {name!r} is not one of: {', '.join(ROLES)}", field="role"
    )


# --- scopes -------------------------------------------------------------------------

Scoped = Gallery | ImageDefinition | ImageVersion


@dataclass(frozen=True)
class ScopeChain:
    """A resource and the scopes above it whose roles reach it."""

    gallery_pk: int
    definition_pk: int | None = None
    version_pk: int | None = None

    def condition(self) -> Any:
        terms = [RoleAssignment.gallery_pk == self.gallery_pk]
        if self.definition_pk is not None:
            terms.append(RoleAssignment.definition_pk == self.definition_pk)
        if self.version_pk is not None:
            terms.append(RoleAssignment.version_pk == self.version_pk)
        return or_(*terms)


def chain_of(db: Session, resource: Scoped) -> ScopeChain:
    if isinstance(resource, Gallery):
        return ScopeChain(gallery_pk=_pk(resource))
    if isinstance(resource, ImageDefinition):
        return ScopeChain(gallery_pk=resource.gallery_pk, definition_pk=_pk(resource))
    gallery_pk = db.exec(
        select(ImageDefinition.gallery_pk).where(ImageDefinition.pk == resource.definition_pk)
    ).one()
    return ScopeChain(gallery_pk, resource.definition_pk, _pk(resource))


def _pk(row: Any) -> int:
    assert row.pk is not None, "a stored resource has a key"
    return int(row.pk)


def scope_kind(assignment: RoleAssignment) -> str:
    if assignment.gallery_pk is not None:
        return "gallery"
    return "definition" if assignment.definition_pk is not None else "version"


def scope_of(db: Session, assignment: RoleAssignment) -> Scoped:
    if assignment.gallery_pk is not None:
        return _get(db, Gallery, assignment.gallery_pk)
    if assignment.definition_pk is not None:
        return _get(db, ImageDefinition, assignment.definition_pk)
    return _get(db, ImageVersion, int(assignment.version_pk or 0))


_Model = TypeVar("_Model", bound=SQLModel)


def _get(db: Session, model: type[_Model], pk: int) -> _Model:
    row = db.get(model, pk)
    if row is None:
        raise CatalogError("SIG-NOT-FOUND", f"{model.__tablename__} {pk} does not exist")
    return row


def tenant_pk_of(db: Session, resource: Scoped) -> int:
    return int(
        db.exec(
            select(Subscription.tenant_pk).where(Subscription.pk == resource.subscription_pk)
        ).one()
    )


# --- who has access to a resource ---------------------------------------------------


@dataclass(frozen=True)
class AccessEntry:
    """One role assignment that reaches a resource, as the Access section shows it."""

    assignment_pk: int
    assignment_etag: int
    principal: str
    principal_type: str
    principal_tenant: str
    role: str
    scope_kind: str  # gallery, definition or version
    scope_name: str  # "gallery", "gallery/definition" or "gallery/definition/version"
    scope_id: str
    inherited: bool  # given at a scope above the resource
    cross_tenant: bool  # the principal is from another tenant than the resource
    capabilities: tuple[str, ...]


def access_to(db: Session, resource: Scoped) -> list[AccessEntry]:
    """Everyone with a role that reaches `resource`, direct assignments first."""
    chain = chain_of(db, resource)
    rows = db.exec(
        select(RoleAssignment, Principal, Tenant)
        .join(Principal, col(Principal.pk) == RoleAssignment.principal_pk)
        .join(Tenant, col(Tenant.pk) == Principal.tenant_pk)
        .where(chain.condition())
    ).all()
    home_tenant = tenant_pk_of(db, resource)
    entries = [
        _entry(db, assignment, principal, tenant, resource, home_tenant)
        for assignment, principal, tenant in rows
    ]
    return sorted(entries, key=lambda e: (e.inherited, e.principal.casefold(), e.role))


def _entry(
    db: Session,
    assignment: RoleAssignment,
    principal: Principal,
    tenant: Tenant,
    resource: Scoped,
    home_tenant: int,
) -> AccessEntry:
    scope = scope_of(db, assignment)
    return AccessEntry(
        assignment_pk=_pk(assignment),
        assignment_etag=assignment.etag,
        principal=principal.name,
        principal_type=principal.principal_type,
        principal_tenant=tenant.name,
        role=assignment.role,
        scope_kind=scope_kind(assignment),
        scope_name=scope_path(db, scope),
        scope_id=lookup.arm_id(db, scope),
        inherited=type(scope) is not type(resource) or scope.pk != resource.pk,
        cross_tenant=principal.tenant_pk != home_tenant,
        capabilities=tuple(c.value for c in Capability if c in capabilities_of(assignment.role)),
    )


def scope_path(db: Session, resource: Scoped) -> str:
    """'gallery', 'gallery/definition' or 'gallery/definition/version'."""
    if isinstance(resource, Gallery):
        return resource.name
    if isinstance(resource, ImageDefinition):
        return f"{_get(db, Gallery, resource.gallery_pk).name}/{resource.name}"
    definition = _get(db, ImageDefinition, resource.definition_pk)
    return f"{scope_path(db, definition)}/{resource.name}"


def is_cross_tenant(db: Session, assignment: RoleAssignment) -> bool:
    principal = _get(db, Principal, assignment.principal_pk)
    return principal.tenant_pk != tenant_pk_of(db, scope_of(db, assignment))


# --- what a principal may do --------------------------------------------------------


def capabilities_at(db: Session, principal_pk: int, resource: Scoped) -> frozenset[Capability]:
    """The union of what the principal's roles reaching `resource` allow."""
    roles = db.exec(
        select(RoleAssignment.role).where(
            RoleAssignment.principal_pk == principal_pk, chain_of(db, resource).condition()
        )
    ).all()
    return frozenset(c for role in roles for c in capabilities_of(role))


@dataclass(frozen=True)
class Visibility:
    """What one principal sees ("view as"): the scopes it may read, and the folders
    above them that lead there in the tree."""

    principal_pk: int
    principal: str
    galleries: frozenset[int]  # read at the gallery: the gallery and everything in it
    definitions: frozenset[int]  # read at the definition itself: it and its versions
    versions: frozenset[int]  # read at the version itself
    definition_galleries: frozenset[int]  # galleries holding definitions in `definitions`
    version_definitions: frozenset[int]  # definitions holding versions in `versions`
    groups: frozenset[int]
    subscriptions: frozenset[int]
    tenants: frozenset[int]

    def sees_gallery(self, gallery_pk: int) -> bool:
        return gallery_pk in self.galleries

    def sees_definition(self, definition_pk: int, gallery_pk: int) -> bool:
        return gallery_pk in self.galleries or definition_pk in self.definitions

    def sees_version(self, version_pk: int, definition_pk: int, gallery_pk: int) -> bool:
        return self.sees_definition(definition_pk, gallery_pk) or version_pk in self.versions

    def sees(self, db: Session, resource: Any) -> bool:
        """Whether the principal sees this row: a gallery, definition or version by the
        sharing matrix; a tenant, subscription or group when it leads to one of those;
        never a managed image or snapshot (gallery roles do not reach them)."""
        folders: dict[type[Resource], frozenset[int]] = {
            Tenant: self.tenants,
            Subscription: self.subscriptions,
            ResourceGroup: self.groups,
        }
        if type(resource) in folders:
            return resource.pk in folders[type(resource)]
        if not isinstance(resource, Scoped):
            return False
        chain = chain_of(db, resource)
        if isinstance(resource, Gallery):
            return self.sees_gallery(chain.gallery_pk)
        if isinstance(resource, ImageDefinition):
            return self.sees_definition(_pk(resource), chain.gallery_pk)
        return self.sees_version(_pk(resource), resource.definition_pk, chain.gallery_pk)


def visibility(db: Session, principal_ref: str) -> Visibility:
    """What `principal_ref` (a name or object id) may read, by the sharing matrix."""
    principal = lookup.find_principal(db, principal_ref)
    readers = roles_allowing(Capability.READ)
    rows = db.exec(
        select(
            RoleAssignment.gallery_pk, RoleAssignment.definition_pk, RoleAssignment.version_pk
        ).where(RoleAssignment.principal_pk == principal.pk, col(RoleAssignment.role).in_(readers))
    ).all()
    galleries = frozenset(g for g, _, _ in rows if g is not None)
    definitions = frozenset(d for _, d, _ in rows if d is not None)
    versions = frozenset(v for _, _, v in rows if v is not None)
    version_definitions = _column_of(db, ImageVersion.definition_pk, ImageVersion.pk, versions)
    definition_galleries = _column_of(
        db, ImageDefinition.gallery_pk, ImageDefinition.pk, definitions | version_definitions
    )
    every_gallery = galleries | definition_galleries
    groups = _column_of(db, Gallery.resource_group_pk, Gallery.pk, every_gallery)
    subscriptions = _column_of(db, ResourceGroup.subscription_pk, ResourceGroup.pk, groups)
    return Visibility(
        principal_pk=_pk(principal),
        principal=principal.name,
        galleries=galleries,
        definitions=definitions,
        versions=versions,
        definition_galleries=definition_galleries,
        version_definitions=version_definitions,
        groups=groups,
        subscriptions=subscriptions,
        tenants=_column_of(db, Subscription.tenant_pk, Subscription.pk, subscriptions),
    )


def _column_of(db: Session, wanted: Any, key: Any, keys: frozenset[int]) -> frozenset[int]:
    if not keys:
        return frozenset()
    return frozenset(db.exec(select(wanted).where(col(key).in_(sorted(keys)))).all())


def visible(db: Session, viewer: Visibility | None, rows: Sequence[Any]) -> list[Any]:
    """The galleries, definitions or versions of `rows` that `viewer` may see."""
    if viewer is None:
        return list(rows)
    return [row for row in rows if viewer.sees(db, row)]


OWNER = "Owner"


def require_catalog_owner(db: Session, principal_ref: str, doing: str) -> None:
    """Refuse (SIG-ACCESS) `doing` unless `principal_ref` is the catalog's owner: it holds
    the Owner role at every gallery of the catalog (and there is one). Without --as,
    whoever holds the database's credentials is the owner and nobody asks this."""
    principal = lookup.find_principal(db, principal_ref)
    galleries = db.exec(select(sa.func.count()).select_from(Gallery)).one()
    owned = db.exec(
        select(sa.func.count(sa.distinct(col(RoleAssignment.gallery_pk)))).where(
            RoleAssignment.principal_pk == principal.pk,
            RoleAssignment.role == OWNER,
            col(RoleAssignment.gallery_pk).is_not(None),
        )
    ).one()
    if galleries == 0 or owned < galleries:
        raise CatalogError(
            "SIG-ACCESS",
            f"{principal.name} may not {doing}: that needs the catalog's owner, who holds "
            f"the {OWNER} role at every gallery ({principal.name} holds it at {owned} "
            f"of {galleries})",
        )


def require_visible(db: Session, viewer: Visibility | None, resource: Any) -> None:
    if viewer is not None and not viewer.sees(db, resource):
        what = scope_path(db, resource) if isinstance(resource, Scoped) else resource.name
        raise CatalogError("SIG-ACCESS", f"{viewer.principal} has no role that reaches {what}")


# --- the write guard ----------------------------------------------------------------


def act_as(db: Session, principal_pk: int | None) -> None:
    """Make every later write of this session answer to that principal's roles."""
    db.info[ACTING_AS] = principal_pk


def _guard_writes(db: Session, _context: Any, _instances: Any) -> None:
    principal_pk = db.info.get(ACTING_AS)
    if principal_pk is None:
        return
    with db.no_autoflush:
        for verb, rows in (("create", db.new), ("change", db.dirty), ("delete", db.deleted)):
            for obj in rows:
                _check_write(db, principal_pk, obj, verb)


sa.event.listen(Session, "before_flush", _guard_writes)


def check_new_row(db: Session, principal_pk: int, obj: Any) -> None:
    """The guard's check of a new row written without a flush (the bulk path): `obj`, a
    transient row with its name and its parent's key, is one the principal may create."""
    with db.no_autoflush:
        _check_write(db, principal_pk, obj, "create")


def _check_write(db: Session, principal_pk: int, obj: Any, verb: str) -> None:
    capability, scope, what = _needed(db, obj, is_new=verb == "create")
    if verb == "change" and isinstance(obj, RoleAssignment):
        verb = "create"  # an assignment is only created or deleted
    if scope is not None and capability in capabilities_at(db, principal_pk, scope):
        return
    name = _get(db, Principal, principal_pk).name
    if scope is None:
        raise CatalogError(
            "SIG-ACCESS",
            f"{name} may not {verb} {what}: roles given at galleries, definitions and "
            "versions do not reach it (it needs a role at its resource group or subscription)",
        )
    raise CatalogError(
        "SIG-ACCESS",
        f"{name} may not {verb} {what}: that needs '{capability}' at "
        f"{scope_path(db, scope)} ({', '.join(roles_allowing(capability))})",
    )


def _needed(db: Session, obj: Any, is_new: bool) -> tuple[Capability, Scoped | None, str]:
    """The capability a change to `obj` needs, and the scope it must hold at."""
    publish = Capability.PUBLISH
    if isinstance(obj, RoleAssignment):
        return Capability.SHARE, scope_of(db, obj), f"a role assignment ({obj.role})"
    if isinstance(obj, Gallery):
        return publish, None if is_new else obj, f"gallery {obj.name}"
    if isinstance(obj, ImageDefinition):
        parent: Scoped = _get(db, Gallery, obj.gallery_pk) if is_new else obj
        return publish, parent, f"image definition {obj.name}"
    if isinstance(obj, ImageVersion):
        parent = _get(db, ImageDefinition, obj.definition_pk) if is_new else obj
        return publish, parent, f"image version {obj.name}"
    if isinstance(obj, TargetRegion | DataDisk):
        version = _get(db, ImageVersion, obj.version_pk)
        return publish, version, f"image version {version.name}"
    return publish, None, f"{type(obj).__tablename__.replace('_', ' ')} resources"


# --- finding assignments --------------------------------------------------------------


def find_assignments(
    db: Session,
    *,
    assignee: str | None = None,
    role: str | None = None,
    scope_id: str | None = None,
    include_inherited: bool = False,
) -> list[RoleAssignment]:
    """Assignments by principal, role and scope (`az role assignment list`): at the scope
    only, or also those above it that reach it with `include_inherited`."""
    query = select(RoleAssignment).order_by(col(RoleAssignment.pk))
    if assignee:
        query = query.where(RoleAssignment.principal_pk == lookup.find_principal(db, assignee).pk)
    if role:
        query = query.where(RoleAssignment.role == canonical_role(role))
    if scope_id:
        query = query.where(_scope_condition(db, scope_id, include_inherited))
    return list(db.exec(query).all())


def _scope_condition(db: Session, scope_id: str, include_inherited: bool) -> Any:
    scope = lookup.resolve(db, scope_id)
    if not isinstance(scope, Scoped):
        raise CatalogError(
            "SIG-ACCESS",
            "gallery roles are assigned at a gallery, an image definition or an image version",
            field="scope",
        )
    if include_inherited:
        return chain_of(db, scope).condition()
    column = {Gallery: RoleAssignment.gallery_pk, ImageDefinition: RoleAssignment.definition_pk}
    return column.get(type(scope), RoleAssignment.version_pk) == scope.pk
