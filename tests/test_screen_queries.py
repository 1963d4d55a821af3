"""The catalog queries that the app's screens ask through `Catalog.query` (plain data,
several reads at once where they must agree), and `services.give_role`. On SQLite and
PostgreSQL (the `catalog` fixture)."""

from __future__ import annotations

import pytest
from builders import World
from conftest import small_catalog_and, world_fixture

from sigtui.catalog import services
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.schemas import RoleAssignmentCreate
from sigtui.catalog.queries import browse, fetch, lookup, search, sharing, view_as
from sigtui.catalog.queries.costs.sheet_json import builtin_sheet
from sigtui.catalog.queries.node_details import node_details
from sigtui.catalog.rules import access
from sigtui.catalog.rules.access import Capability
from sigtui.catalog.services.roles import VERSION_SCOPE_WARNING


def _alice_and_bob_elsewhere(world: World) -> None:
    world.version("1.0.0")
    world.build.principal("alice")
    world.build.tenant("Fabrikam")
    world.build.principal("bob", tenant="Fabrikam")


# the small catalog with a version, 1.0.0; alice of its tenant, bob of another
world = world_fixture(small_catalog_and(_alice_and_bob_elsewhere), "world")


def _version_id(world: World) -> str:
    with world.catalog.read() as db:
        definition = lookup.resolve(db, world.definition)
        return lookup.arm_id(db, lookup.find_version(db, definition, "1.0.0"))  # type: ignore[arg-type]


def _give(world: World, role: str, scope: str, assignee: str = "alice") -> list[str]:
    data = RoleAssignmentCreate(assignee=assignee, role=role, scope=scope)
    return world.catalog.apply(services.give_role, data, world.clock)


def _alice(world: World) -> access.Visibility:
    return world.catalog.query(access.visibility, "alice")


# --- sharing ------------------------------------------------------------------------------


def test_the_share_target_names_the_resource_and_marks_principals_of_other_tenants(
    world: World,
) -> None:
    target = world.catalog.query(sharing.share_target, world.definition)
    assert (target.kind, target.path, target.tenant) == ("definition", "gallery1/def1", "Contoso")
    assert target.label == "definition gallery1/def1"
    cross = {p.name: (p.tenant, p.cross_tenant) for p in target.principals}
    assert cross == {"alice": ("Contoso", False), "bob": ("Fabrikam", True)}


def test_principal_choices_name_every_principal_with_its_tenant(world: World) -> None:
    choices = world.catalog.query(sharing.principal_choices)
    assert [(p.name, p.tenant, p.cross_tenant) for p in choices] == [
        ("alice", "Contoso", False),
        ("bob", "Fabrikam", False),
    ]


def test_only_a_gallery_definition_or_version_is_shared(world: World) -> None:
    with pytest.raises(CatalogError) as error:
        world.catalog.query(sharing.share_target, world.group)
    assert error.value.code == "SIG-ACCESS"


def test_giving_a_role_answers_with_its_warnings_and_lists_it(world: World) -> None:
    version = _version_id(world)
    assert _give(world, "Reader", version, assignee="bob")[0] == VERSION_SCOPE_WARNING
    assert _give(world, "Reader", world.gallery) == []
    entries = world.catalog.query(sharing.access_entries, version)
    assert {(e.principal, e.inherited, e.cross_tenant) for e in entries} == {
        ("bob", False, True),
        ("alice", True, False),
    }


# --- view as --------------------------------------------------------------------------------


def test_the_visible_path_leaves_out_what_the_principal_does_not_see(world: World) -> None:
    version = _version_id(world)
    _give(world, "Reader", world.definition)
    whole = world.catalog.query(view_as.visible_path, version, None)
    with world.catalog.read() as db:
        assert whole == browse.path_to(db, version)
    seen = world.catalog.query(view_as.visible_path, version, _alice(world))
    assert [ref.kind for ref in seen] == [
        browse.TENANT,
        browse.SUBSCRIPTION,
        browse.GROUP,
        browse.DEFINITION,
        browse.VERSION,
    ]


def test_capabilities_at_a_resource_are_its_roles_reaching_it(world: World) -> None:
    _give(world, "Contributor", world.gallery)
    alice = _alice(world)
    at_definition = world.catalog.query(view_as.capabilities_at, world.definition, alice)
    assert at_definition == {Capability.READ, Capability.PUBLISH}
    assert world.catalog.query(view_as.capabilities_at, world.group, alice) == frozenset()


def test_levels_read_the_roots_and_each_opened_node_again(world: World) -> None:
    now = world.clock.now()
    with world.catalog.read() as db:
        roots = view_as.roots(db, None)
        subscription = browse.children(db, roots[0].ref, now)[0]
        groups = browse.children(db, subscription.ref, now)
    gone = browse.NodeRef(browse.GALLERY, 999_999)
    opened = [(subscription.ref, 1), (gone, 3)]
    levels = world.catalog.query(view_as.levels, opened, now, None)
    assert levels == {None: roots, subscription.ref: groups, gone: []}


# --- the replication screen, all versions, the details pane -----------------------------------


def test_subscription_names_come_in_name_order(world: World) -> None:
    world.build.subscription("Alpha", "22222222-2222-2222-2222-222222222222")
    assert world.catalog.query(fetch.subscription_names) == ["Alpha", "Production"]


def test_a_versions_page_comes_with_the_count_when_asked(world: World) -> None:
    world.version("2.0.0")
    now = world.clock.now()
    page = world.catalog.query(search.versions_page, "version", True, 0, 1, now, count=True)
    assert ([row.version for row in page.rows], page.total) == (["2.0.0"], 2)
    page = world.catalog.query(search.versions_page, "version", True, 1, 1, now, count=False)
    assert ([row.version for row in page.rows], page.total) == (["1.0.0"], None)


def test_node_details_add_the_cost_and_a_subscriptions_limits(world: World) -> None:
    now, sheet = world.clock.now(), builtin_sheet()
    with world.catalog.read() as db:
        subscription = lookup.find_subscription(db, world.subscription)
        image = lookup.resolve(db, world.image)
    shown = world.catalog.query(
        node_details, browse.NodeRef(browse.SUBSCRIPTION, subscription.pk or 0), now, sheet
    )
    assert "Storage per month" in dict(shown.details.fields)
    assert {row.location for row in shown.limits} == {"westus"}
    shown = world.catalog.query(
        node_details, browse.NodeRef(browse.MANAGED_IMAGE, image.pk or 0), now, sheet
    )
    assert "Storage per month" not in dict(shown.details.fields)
    assert shown.limits == []
