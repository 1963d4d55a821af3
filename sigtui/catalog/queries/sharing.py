"""Sharing a gallery, definition or version (SIG-ACCESS): the resource as the share
form shows it, who could be given a role there, and who has one."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import Gallery, ImageDefinition, ImageVersion, Resource
from sigtui.catalog.queries import fetch, lookup
from sigtui.catalog.rules import access
from sigtui.catalog.rules.access import AccessEntry

KIND_WORDS: dict[type, str] = {
    Gallery: "gallery",
    ImageDefinition: "definition",
    ImageVersion: "version",
}


@dataclass(frozen=True)
class PrincipalChoice:
    object_id: str
    name: str
    principal_type: str
    tenant: str
    cross_tenant: bool  # of another tenant than the resource shared

    @property
    def label(self) -> str:
        text = f"{self.name} · {self.principal_type} · {self.tenant}"
        return f"{text} (cross-tenant)" if self.cross_tenant else text


@dataclass(frozen=True)
class ShareTarget:
    """The resource being shared and who could be given a role at it."""

    arm_id: str
    kind: str  # gallery, definition or version (AccessEntry.scope_kind's words)
    path: str  # "gallery", "gallery/definition" or "gallery/definition/version"
    tenant: str
    principals: tuple[PrincipalChoice, ...]

    @property
    def label(self) -> str:
        return f"{self.kind} {self.path}"


def _scope(resource: Resource) -> access.Scoped:
    if not isinstance(resource, access.Scoped):
        raise CatalogError(
            "SIG-ACCESS", "roles are given at a gallery, an image definition or a version"
        )
    return resource


def _tenant_names(db: Session) -> dict[int | None, str]:
    return {t.pk: t.name for t in fetch.tenants(db)}


def principal_choices(db: Session) -> list[PrincipalChoice]:
    """Every principal with its tenant's name ("view as" offers them)."""
    return _choices(db, _tenant_names(db), home_tenant_pk=None)


def _choices(
    db: Session, tenants: dict[int | None, str], home_tenant_pk: int | None
) -> list[PrincipalChoice]:
    return [
        PrincipalChoice(
            object_id=p.object_id,
            name=p.name,
            principal_type=p.principal_type,
            tenant=tenants.get(p.tenant_pk, "?"),
            cross_tenant=home_tenant_pk is not None and p.tenant_pk != home_tenant_pk,
        )
        for p in fetch.principals(db)
    ]


def share_target(db: Session, arm_id: str) -> ShareTarget:
    """The gallery, definition or version with this ARM id, as the share form shows it."""
    resource = _scope(lookup.resolve(db, arm_id))
    home = access.tenant_pk_of(db, resource)
    tenants = _tenant_names(db)
    return ShareTarget(
        arm_id=arm_id,
        kind=KIND_WORDS[type(resource)],
        path=access.scope_path(db, resource),
        tenant=tenants.get(home, "?"),
        principals=tuple(_choices(db, tenants, home)),
    )


def access_entries(db: Session, arm_id: str) -> list[AccessEntry]:
    """Everyone with a role reaching the gallery, definition or version with this ARM id."""
    return access.access_to(db, _scope(lookup.resolve(db, arm_id)))
