"""What the app reads at start does not grow with the catalog: the first node's details
come without their cost, and the cost of a tenant that holds every subscription (what the
app selects at start) is summed from the target regions' covering index, with the same
total as the tenant's own scope."""

from __future__ import annotations

from builders import TENANT, Build, World, small_catalog

from sigtui.catalog.queries import browse, fetch, forms, lookup
from sigtui.catalog.queries.costs.rollups import total
from sigtui.catalog.queries.costs.scopes import CATALOG, Scope
from sigtui.catalog.queries.costs.sheet_json import builtin_sheet
from sigtui.catalog.queries.node_details import cost_fields, node_details
from sigtui.catalog.store.db import Catalog
from sigtui.safe_text import counted
from tests.test_query_plans import plans_of

OTHER_SUBSCRIPTION_ID = "9f0c2c9e-0000-4000-8000-000000000002"


def _world_with_versions(catalog: Catalog) -> World:
    world = small_catalog(catalog)
    world.version("1.0.0", targets=["westus", "eastus"])
    world.version("1.0.1", targets=["westus"])
    return world


def _tenant_ref(catalog: Catalog, name: str) -> browse.NodeRef:
    tenant = next(t for t in catalog.query(fetch.tenants) if t.name == name)
    return browse.NodeRef(browse.TENANT, tenant.pk or 0)


def _storage(catalog: Catalog, ref: browse.NodeRef) -> str:
    return dict(catalog.query(cost_fields, ref, builtin_sheet()))["Storage per month"]


def test_the_only_tenants_cost_is_the_catalogs_read_from_the_covering_index(
    sqlite_catalog: Catalog,
) -> None:
    _world_with_versions(sqlite_catalog)
    ref = _tenant_ref(sqlite_catalog, TENANT)
    own_scope = sqlite_catalog.query(total, builtin_sheet(), Scope(ref.kind, ref.pk))
    assert own_scope.replicas > 0
    with plans_of(sqlite_catalog, "target_region") as plans, sqlite_catalog.write() as db:
        shown = dict(cost_fields(db, ref, builtin_sheet()))
    assert shown["Storage per month"].endswith(f"({counted(own_scope.replicas, 'replica')})")
    assert shown == dict(sqlite_catalog.query(cost_fields, ref, builtin_sheet()))
    assert sqlite_catalog.query(total, builtin_sheet(), CATALOG) == own_scope
    assert any("ix_target_region_cost" in plan for plan in plans), plans
    assert not any("image_version" in plan for plan in plans), plans  # no join


def test_a_tenant_beside_another_costs_only_its_own(catalog: Catalog) -> None:
    _world_with_versions(catalog)
    build = Build(catalog)
    build.tenant("Fabrikam")
    build.subscription("fabrikam-prod", OTHER_SUBSCRIPTION_ID, tenant="Fabrikam")
    gallery = build.gallery(build.group(subscription=OTHER_SUBSCRIPTION_ID), "fabrikamGallery")
    definition = build.definition(gallery)
    image = build.managed_image(build.group("rg-src", subscription=OTHER_SUBSCRIPTION_ID))
    build.version(definition, "2.0.0", image=image, targets=["westus"])
    first = _tenant_ref(catalog, TENANT)
    other = _tenant_ref(catalog, "Fabrikam")
    sheet = builtin_sheet()
    for ref in (first, other):
        own = catalog.query(total, sheet, Scope(ref.kind, ref.pk))
        assert _storage(catalog, ref).endswith(f"({counted(own.replicas, 'replica')})")
    assert _storage(catalog, first) != _storage(catalog, other)


def test_the_details_without_their_cost_read_no_target_region(sqlite_catalog: Catalog) -> None:
    world = _world_with_versions(sqlite_catalog)
    ref = _tenant_ref(sqlite_catalog, TENANT)
    now, sheet = world.clock.now(), builtin_sheet()
    with plans_of(sqlite_catalog, "target_region") as plans, sqlite_catalog.write() as db:
        shown = node_details(db, ref, now, sheet, with_cost=False)
    assert plans == []
    assert "Storage per month" not in dict(shown.details.fields)
    with_cost = sqlite_catalog.query(node_details, ref, now, sheet)
    assert "Storage per month" in dict(with_cost.details.fields)


def test_the_new_version_form_names_the_one_after_the_highest(sqlite_catalog: Catalog) -> None:
    """It reads the highest version only (a definition may hold thousands), compared as
    numbers: 1.10.0 is above 1.9.9."""
    world = small_catalog(sqlite_catalog)
    for name in ("1.9.9", "1.10.0", "1.2.3"):
        world.version(name)
    definition = sqlite_catalog.query(lookup.resolve, world.definition)
    offered = sqlite_catalog.query(forms.version_place, definition.pk or 0)
    assert offered.next_name == "1.10.1"
