"""What the create and edit forms read (catalog/queries/forms.py), what a save tells them,
the subscription allowlist's etag check, and what a "view as" principal finds
(view_as.sees, view_as.visible_matches)."""

from __future__ import annotations

import pytest
from builders import LOCATION, SUBSCRIPTION_ID, World

from sigtui.catalog import services
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import pk_of
from sigtui.catalog.model.schemas import GalleryCreate, GalleryUpdate, RoleAssignmentCreate
from sigtui.catalog.queries import browse, lookup, search, view_as
from sigtui.catalog.queries.forms import (
    DataDiskState,
    TargetState,
    definition_state,
    gallery_state,
    place,
    saved_arm_id,
    subscription_state,
    version_place,
    version_state,
)
from sigtui.catalog.rules import access


def _pk(world: World, arm_id: str) -> int:
    with world.catalog.read() as db:
        return pk_of(lookup.resolve(db, arm_id))


def _subscription_pk(world: World) -> int:
    return _pk(world, f"/subscriptions/{SUBSCRIPTION_ID}")


def test_a_group_as_the_place_of_a_new_gallery(world: World) -> None:
    group = world.catalog.query(place, browse.NodeRef(browse.GROUP, _pk(world, world.group)))
    assert group.ref == world.group
    assert group.name == "rg-images"
    assert group.label == "rg-images (Production, West US)"
    assert (group.cloud, group.location) == ("AzureCloud", LOCATION)
    assert group.subscription_pk == _subscription_pk(world)


def test_a_tenant_place_is_named_by_its_tenant_id(world: World) -> None:
    with world.catalog.read() as db:
        tenant = lookup.find_tenant(db, "Contoso")
    found = world.catalog.query(place, browse.NodeRef(browse.TENANT, pk_of(tenant)))
    assert (found.ref, found.name) == (tenant.tenant_id, "Contoso")
    assert found.subscription_pk is None


def test_a_gallery_as_it_is_with_its_etag_and_group(world: World) -> None:
    world.write(
        lambda db: services.update_gallery(
            db,
            world.gallery,
            GalleryUpdate(description="shared", tags={"env": "dev"}),
            world.clock,
        )
    )
    state = world.catalog.query(gallery_state, _pk(world, world.gallery))
    assert (state.arm_id, state.name, state.location) == (world.gallery, "gallery1", LOCATION)
    assert (state.description, state.tags, state.etag) == ("shared", {"env": "dev"}, 2)
    assert state.group.ref == world.group


def test_a_definition_as_it_is(world: World) -> None:
    state = world.catalog.query(definition_state, _pk(world, world.definition))
    assert state.arm_id == world.definition
    assert (state.publisher, state.offer, state.sku) == ("Contoso", "Finance", "Backend")
    assert (state.os_type, state.os_state, state.etag) == ("Linux", "Generalized", 1)
    assert state.gallery.ref == world.gallery
    assert state.gallery.label == "gallery1 (rg-images, West US)"


def test_a_resource_deleted_since_the_form_opened_is_not_found(world: World) -> None:
    pk = _pk(world, world.definition)
    world.write(lambda db: services.delete_definition(db, world.definition))
    with pytest.raises(CatalogError) as error:
        world.catalog.query(definition_state, pk)
    assert error.value.code == "SIG-NOT-FOUND"
    assert "deleted by someone else" in error.value.message


def test_a_subscription_with_its_allowlist(world: World) -> None:
    state = world.catalog.query(subscription_state, _subscription_pk(world))
    assert (state.name, state.subscription_id, state.cloud) == (
        "Production",
        SUBSCRIPTION_ID,
        "AzureCloud",
    )
    assert (state.tenant_name, state.allowlist) == ("Contoso", [])


def test_a_new_version_offers_the_sources_and_the_next_name(world: World) -> None:
    snapshot = world.build.snapshot(world.group)
    world.version("1.2.3")
    offered = world.catalog.query(version_place, _pk(world, world.definition))
    assert offered.definition.ref == world.definition
    assert offered.next_name == "1.2.4"
    assert [(s.arm_id, s.kind) for s in offered.sources] == [
        (world.image, browse.MANAGED_IMAGE),
        (snapshot, browse.SNAPSHOT),
    ]
    assert offered.sources[0].label == "image image1 · rg-images · West US · Linux · 30 GiB"


def test_a_version_as_it_is_with_its_targets_and_data_disks(world: World) -> None:
    os_disk = world.build.snapshot(world.group, "os")
    data = world.build.snapshot(world.group, "data", size_gb=100, os_type=None)
    version = world.version(
        image=None,
        os_snapshot=os_disk,
        data_snapshot_ids=[data],
        data_snapshot_luns=[1],
        targets=["westus=2", "eastus"],
    )
    state = world.catalog.query(version_state, _pk(world, version))
    assert (state.arm_id, state.name, state.etag) == (version, "1.0.0", 1)
    assert state.source == "snapshot os · West US"
    assert state.targets == [
        TargetState("westus", 2, "Standard_LRS"),
        TargetState("eastus", 1, "Standard_LRS"),
    ]
    assert state.data_disks == [DataDiskState(1, 100, "data")]
    assert state.definition.ref == world.definition


def test_a_save_tells_the_arm_id_of_what_it_wrote(world: World) -> None:
    data = GalleryCreate(name="gallery2", location=LOCATION)
    arm_id = world.catalog.apply(
        saved_arm_id, services.create_gallery, world.group, data, world.clock
    )
    assert arm_id == f"{world.group}/providers/Microsoft.Compute/galleries/gallery2"


def test_an_allowlist_edit_on_a_stale_read_is_a_conflict(world: World) -> None:
    allowlist = services.update_region_allowlist
    read = str(world.catalog.query(subscription_state, _subscription_pk(world)).etag)
    world.catalog.apply(allowlist, SUBSCRIPTION_ID, ["australiacentral"], world.clock, read)
    world.refused(
        "SIG-CONFLICT",
        lambda db: allowlist(db, SUBSCRIPTION_ID, ["australiacentral2"], world.clock, read),
    )
    state = world.catalog.query(subscription_state, _subscription_pk(world))
    assert state.allowlist == ["australiacentral"]
    assert str(state.etag) != read


def test_a_principal_finds_only_what_it_sees(world: World) -> None:
    world.build.principal("alice")
    other = world.build.gallery(world.group, "other")
    role = RoleAssignmentCreate(
        assignee="alice", role="Compute Gallery Image Reader", scope=world.gallery
    )
    world.write(lambda db: services.create_role_assignment(db, role, world.clock))
    with world.catalog.read() as db:
        alice = access.visibility(db, "alice")
        everything = search.search(db, "gallery")
    assert world.catalog.query(view_as.sees, world.definition, alice)
    assert not world.catalog.query(view_as.sees, other, alice)
    assert world.catalog.query(view_as.sees, other, None)
    found = world.catalog.query(view_as.visible_matches, "gallery", 10, alice)
    assert [m.arm_id for m in found] == [world.gallery]
    assert world.catalog.query(view_as.visible_matches, "gallery", 10, None) == everything
