"""SIG-ACCESS: roles and what they allow, the source document's sharing matrix, who has
access to a resource, cross-tenant principals, the single-version warning, the tree as
a principal sees it, and writes refused when the acting principal's role does not allow
them. On SQLite and PostgreSQL (the `catalog` fixture)."""

from __future__ import annotations

from datetime import datetime

import pytest
from builders import (
    World,
    definition_call,
    definition_update_call,
    gallery_call,
    gallery_update_call,
    refused,
    version_call,
)
from conftest import small_catalog_and, world_fixture
from sqlmodel import Session

from sigtui.catalog import services
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.schemas import RoleAssignmentCreate
from sigtui.catalog.queries import browse, lookup, view_as
from sigtui.catalog.rules import access
from sigtui.catalog.rules.access import Capability
from sigtui.catalog.store.db import Catalog

READ, PUBLISH, SHARE = Capability.READ, Capability.PUBLISH, Capability.SHARE


def _alice_without_roles(world: World) -> None:
    world.version("1.0.0")
    world.build.principal("alice")


# the small catalog with a version, 1.0.0, and a principal, alice (who has no roles)
world = world_fixture(small_catalog_and(_alice_without_roles), "world")


def _version_id(world: World, name: str = "1.0.0") -> str:
    with world.catalog.read() as db:
        definition = lookup.resolve(db, world.definition)
        return lookup.arm_id(db, lookup.find_version(db, definition, name))  # type: ignore[arg-type]


def _assign(world: World, role: str, scope: str, assignee: str = "alice") -> None:
    data = RoleAssignmentCreate(assignee=assignee, role=role, scope=scope)
    world.write(lambda db: services.create_role_assignment(db, data, world.clock))


def _scopes(world: World) -> dict[str, str]:
    return {"gallery": world.gallery, "definition": world.definition, "version": _version_id(world)}


# --- what each role allows ------------------------------------------------------------------

ROLE_CAPABILITIES = [
    ("Reader", {READ}),
    ("Contributor", {READ, PUBLISH}),  # Contributor may not write role assignments
    ("Owner", {READ, PUBLISH, SHARE}),
    ("Compute Gallery Image Reader", {READ}),
    ("Compute Gallery Artifacts Publisher", {READ, PUBLISH}),  # notActions: share/action
    ("Compute Gallery Sharing Admin", {SHARE}),  # only galleries/share/action
]


@pytest.mark.parametrize(("role", "expected"), ROLE_CAPABILITIES)
def test_SIG_ACCESS_what_each_role_allows(role: str, expected: set[Capability]) -> None:
    assert access.capabilities_of(role) == expected


def test_SIG_ACCESS_roles_come_from_the_reference_definitions() -> None:
    assert tuple(role for role, _ in ROLE_CAPABILITIES) == access.ROLES
    publisher = access.role_definitions()["Compute Gallery Artifacts Publisher"]
    assert publisher.role_id == "85a2d0d9-2eba-4c9c-b355-11c2cc0788ab"
    assert publisher.allows("Microsoft.Compute/galleries/images/versions/write")
    assert not publisher.allows("Microsoft.Compute/galleries/share/action")


# --- the sharing matrix ---------------------------------------------------------------------

# Source document, "Accès": shared with the user at (row) -> sees (column).
SHARING_MATRIX = [
    ("gallery", {"gallery": True, "definition": True, "version": True}),
    ("definition", {"gallery": False, "definition": True, "version": True}),
    ("version", {"gallery": False, "definition": False, "version": True}),
]


@pytest.mark.parametrize(("shared_at", "row"), SHARING_MATRIX)
@pytest.mark.parametrize("column", ["gallery", "definition", "version"])
def test_SIG_ACCESS_sharing_matrix(
    world: World, shared_at: str, row: dict[str, bool], column: str
) -> None:
    scopes = _scopes(world)
    _assign(world, "Compute Gallery Image Reader", scopes[shared_at])
    expected = row[column]
    with world.catalog.read() as db:
        resource = lookup.resolve(db, scopes[column])
        viewer = access.visibility(db, "alice")
        assert viewer.sees(db, resource) is expected
        reaching = [e.principal for e in access.access_to(db, resource)]  # type: ignore[arg-type]
        assert reaching == (["alice"] if expected else [])
        principal_pk = viewer.principal_pk
        capabilities = access.capabilities_at(db, principal_pk, resource)  # type: ignore[arg-type]
        assert capabilities == ({READ} if expected else set())


def test_SIG_ACCESS_access_section_direct_and_inherited(world: World) -> None:
    world.build.principal("bob")
    _assign(world, "Reader", world.gallery)
    _assign(world, "Compute Gallery Artifacts Publisher", world.definition, assignee="bob")
    with world.catalog.read() as db:
        version = lookup.resolve(db, _version_id(world))
        entries = access.access_to(db, version)  # type: ignore[arg-type]
    assert [(e.principal, e.role, e.scope_kind, e.inherited) for e in entries] == [
        ("alice", "Reader", "gallery", True),
        ("bob", "Compute Gallery Artifacts Publisher", "definition", True),
    ]
    assert entries[1].capabilities == ("read", "publish")
    assert entries[1].scope_name == "gallery1/def1"
    with world.catalog.read() as db:
        definition = lookup.resolve(db, world.definition)
        details = browse.details(db, browse.NodeRef(browse.DEFINITION, definition.pk), NOW)
    table = next(t for t in details.tables if t.title == "Access")
    assert table.rows == [
        (
            "bob",
            "User",
            "Compute Gallery Artifacts Publisher",
            "read, publish",
            "direct",
            "Contoso",
        ),
        ("alice", "User", "Reader", "read", "inherited from gallery gallery1", "Contoso"),
    ]


NOW = datetime(2030, 1, 1)


# --- cross-tenant principals and the single-version warning -----------------------------------


def test_SIG_ACCESS_cross_tenant_principals_are_allowed_and_marked(world: World) -> None:
    world.build.tenant("Fabrikam")
    world.build.principal("bob@fabrikam.com", tenant="Fabrikam")
    _assign(world, "Reader", world.gallery, assignee="bob@fabrikam.com")
    _assign(world, "Reader", world.gallery)
    with world.catalog.read() as db:
        gallery = lookup.resolve(db, world.gallery)
        entries = {e.principal: e for e in access.access_to(db, gallery)}  # type: ignore[arg-type]
        assignments = access.find_assignments(db, scope_id=world.gallery)
        warnings = {
            a.role + str(a.principal_pk): services.assignment_warnings(db, a) for a in assignments
        }
    assert entries["bob@fabrikam.com"].cross_tenant
    assert entries["bob@fabrikam.com"].principal_tenant == "Fabrikam"
    assert not entries["alice"].cross_tenant
    cross = [w for ws in warnings.values() for w in ws]
    assert len(cross) == 1 and "another tenant" in cross[0]


def test_SIG_ACCESS_sharing_one_version_is_allowed_with_a_warning(world: World) -> None:
    _assign(world, "Reader", _version_id(world))
    with world.catalog.read() as db:
        (assignment,) = access.find_assignments(db, assignee="alice")
        assert services.assignment_warnings(db, assignment) == [
            services.roles.VERSION_SCOPE_WARNING
        ]
        version = lookup.resolve(db, _version_id(world))
        details = browse.details(db, browse.NodeRef(browse.VERSION, version.pk), NOW)
    assert any("single version" in note for note in details.notes)


# --- writes as a principal ------------------------------------------------------------------


def _as(world: World, principal: str) -> Catalog:
    with world.catalog.read() as db:
        pk = lookup.find_principal(db, principal).pk
    return Catalog(engine=world.catalog.engine, clock=world.clock, acting_as=pk)


def test_SIG_ACCESS_a_reader_may_not_write(world: World) -> None:
    _assign(world, "Reader", world.gallery)
    reader = _as(world, "alice")
    error = refused(reader, "SIG-ACCESS", definition_update_call(world, description="x"))
    assert "publish" in error.message and "alice" in error.message
    refused(reader, "SIG-ACCESS", definition_call(world, "def2"))
    refused(reader, "SIG-ACCESS", version_call(world, "2.0.0"))
    refused(reader, "SIG-ACCESS", gallery_update_call(world, description="x"))
    refused(reader, "SIG-ACCESS", lambda db: services.delete_version(db, _version_id(world)))
    data = RoleAssignmentCreate(assignee="alice", role="Owner", scope=world.gallery)
    share = refused(
        reader, "SIG-ACCESS", lambda db: services.create_role_assignment(db, data, world.clock)
    )
    assert "share" in share.message


def test_SIG_ACCESS_a_publisher_publishes_only_where_shared(world: World) -> None:
    other = world.build.definition(world.gallery, "def2", sku="Other")
    _assign(world, "Compute Gallery Artifacts Publisher", world.definition)
    publisher = _as(world, "alice")
    with publisher.write() as db:
        call = version_call(world, "2.0.0", targets=["westus", "eastus"])
        call(db)
        definition_update_call(world, description="by alice")(db)
    refused(publisher, "SIG-ACCESS", version_call(world, "1.0.0", definition=other))
    refused(publisher, "SIG-ACCESS", definition_call(world, "def3"))  # needs the gallery
    refused(publisher, "SIG-ACCESS", gallery_call(world, "gallery2"))  # needs the group


def test_SIG_ACCESS_owners_and_sharing_admins_share(world: World) -> None:
    world.build.principal("bob")
    world.build.principal("carol")
    _assign(world, "Owner", world.gallery)
    _assign(world, "Compute Gallery Sharing Admin", world.gallery, assignee="carol")
    for sharer, assignee in (("alice", "bob"), ("carol", "bob")):
        data = RoleAssignmentCreate(assignee=assignee, role="Reader", scope=world.definition)
        with _as(world, sharer).write() as db:
            assignment = services.create_role_assignment(db, data, world.clock)
            services.delete_role_assignment(db, assignment.pk or 0)


# --- the tree as a principal sees it -----------------------------------------------------------


def _tree(db: Session, viewer: access.Visibility, ref: browse.NodeRef | None = None) -> list[str]:
    nodes = view_as.roots(db, viewer) if ref is None else view_as.children(db, ref, NOW, viewer)
    lines = []
    for node in nodes:
        lines.append(node.name)
        if node.has_children:
            lines += ["  " + line for line in _tree(db, viewer, node.ref)]
    return lines


def _alices_tree(world: World) -> list[str]:
    with world.catalog.read() as db:
        return _tree(db, access.visibility(db, "alice"))


def test_SIG_ACCESS_view_as_shared_at_a_definition(world: World) -> None:
    world.build.definition(world.gallery, "def2", sku="Other")
    _assign(world, "Compute Gallery Image Reader", world.definition)
    assert _alices_tree(world) == [
        "Contoso",
        "  Production",
        "    rg-images",
        "      gallery1/def1",  # the definition, without its gallery
        "        1.0.0",
    ]


def test_SIG_ACCESS_view_as_shared_at_the_gallery_and_a_version(world: World) -> None:
    group2 = world.build.group("rg-other")
    gallery2 = world.build.gallery(group2, "gallery2")
    definition2 = world.build.definition(gallery2, "defB")
    world.build.version(definition2, "3.0.0", image=world.image)
    _assign(world, "Reader", world.gallery)
    with world.catalog.read() as db:
        version = lookup.find_version(db, lookup.resolve(db, definition2), "3.0.0")  # type: ignore[arg-type]
        version_id = lookup.arm_id(db, version)
    _assign(world, "Reader", version_id)
    assert _alices_tree(world) == [
        "Contoso",
        "  Production",
        "    rg-images",
        "      gallery1",
        "        def1",
        "          1.0.0",
        "    rg-other",
        "      gallery2/defB/3.0.0",
    ]
    with world.catalog.read() as db:
        # the whole tree, without a viewer, has the managed image folders too
        assert "Managed images" in "\n".join(_tree(db, None))  # type: ignore[arg-type]


def test_SIG_ACCESS_a_principal_with_no_roles_sees_nothing(world: World) -> None:
    assert _alices_tree(world) == []
    with world.catalog.read() as db:
        with pytest.raises(CatalogError) as error:
            access.visibility(db, "nobody")
        assert error.value.code == "SIG-NOT-FOUND"


def test_SIG_ACCESS_view_as_finds_shared_items_beyond_the_first_page(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Galleries and definitions come a page at a time (browse.PAGE_SIZE): what is shared
    on a later page still shows, and no "more" node leaks into the principal's tree."""
    monkeypatch.setattr(browse, "PAGE_SIZE", 2)
    for name in ("def2", "def3", "zdef"):
        world.build.definition(world.gallery, name, sku=name)
    last = world.gallery + "/images/zdef"
    for name in ("1.0.0", "1.1.0", "1.2.0"):
        world.build.version(last, name, image=world.image)
    with world.catalog.read() as db:
        oldest = lookup.find_version(db, lookup.resolve(db, last), "1.0.0")  # type: ignore[arg-type]
        _assign(world, "Reader", lookup.arm_id(db, oldest))
    assert _alices_tree(world) == [
        "Contoso",
        "  Production",
        "    rg-images",
        "      gallery1/zdef/1.0.0",
    ]
