"""The rules of DESIGN.md section 2 that the catalog's services enforce, rule by rule:
names, identifiers, OS state, regions, replicas, storage types, clouds, allowlisting,
limits, disk sizes, bad input, missing resources, access and replication state.

Each test is named after its rule code. Every refused case checks the error's code and
that the whole catalog is unchanged (`builders.refused`); every accepted case checks the
data that resulted. Versions' life cycle (latest, delete, EOL, recommended sizes, update,
concurrency) is in test_rules_versions.py. All run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from builders import (
    OTHER_SUBSCRIPTION_ID,
    SUBSCRIPTION_ID,
    Build,
    World,
    catalog_state,
    count,
    data_disks,
    definition_call,
    gallery_call,
    read,
    refused,
    replicas,
    small_catalog,
    targets,
    version_call,
    version_create,
    version_update_call,
)

from sigtui.catalog import services
from sigtui.catalog.model.enums import AggregatedState, ReplicationState
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import Gallery, ImageDefinition, ImageVersion
from sigtui.catalog.model.schemas import (
    DefinitionCreate,
    GalleryCreate,
    GroupCreate,
    ManagedImageCreate,
    PrincipalCreate,
    RoleAssignmentCreate,
    SnapshotCreate,
    SubscriptionCreate,
    TargetRegionSpec,
    TenantCreate,
    VersionCreate,
    build,
)
from sigtui.catalog.queries import fetch, lookup
from sigtui.catalog.replication import schedule
from sigtui.catalog.rules import checks, limits
from sigtui.catalog.rules.regions import get_region
from sigtui.catalog.store.db import Catalog

LRS, ZRS, PREMIUM = "Standard_LRS", "Standard_ZRS", "Premium_LRS"


# --- SIG-NAME ------------------------------------------------------------------------------


def test_SIG_NAME_gallery_names(world: World) -> None:
    for name in [
        "",
        "my-gallery",
        "_gallery",
        "gallery_",
        ".gallery",
        "gallery.",
        "a" * 81,
        "my gallery",
        "galérie",
        "gallery/1",
        "gallery1\n",
        "gallery-",
    ]:
        error = world.refused("SIG-NAME", gallery_call(world, name))
        assert error.field == "name"
    for name in ["g", "7", "My.Gallery_2", "a.b_c", "a" * 80]:
        gallery = world.write(gallery_call(world, name))
        assert (gallery.name, gallery.name_key) == (name, name.casefold())
    assert count(world.catalog, Gallery) == 6


def test_SIG_NAME_definition_names(world: World) -> None:
    for i, name in enumerate(
        [
            "",
            "-def",
            "def-",
            ".def",
            "def.",
            "_def",
            "def_",
            "a" * 81,
            "my def",
            "déf",
            "def/1",
            "def1\n",
        ]
    ):
        world.refused("SIG-NAME", definition_call(world, name, sku=f"sku{i}"))
    for i, name in enumerate(["d", "9", "def-1", "Ubuntu-22.04_LTS", "a" * 80]):
        definition = world.write(definition_call(world, name, sku=f"sku{i}"))
        assert definition.name == name
    assert count(world.catalog, ImageDefinition) == 6


def test_SIG_NAME_version_names(world: World) -> None:
    for name in [
        "",
        "1",
        "1.0",
        "1.0.0.0",
        "a.b.c",
        "1.0.x",
        "-1.0.0",
        "1..0",
        " 1.0.0",
        "v1.0.0",
        "1.0.0\n",
        "2147483648.0.0",
        "0.2147483648.0",
        "1.0.2147483648",
        "١.٠.٠",
        "1.0.+1",
    ]:
        world.refused("SIG-NAME", version_call(world, name))
    for name in ["0.0.0", "1.2.3", "2147483647.2147483647.2147483647"]:
        version = world.write(version_call(world, name))
        assert (version.name, version.major, version.minor, version.patch) == (
            name,
            *map(int, name.split(".")),
        )


def test_SIG_NAME_publisher_offer_sku_lengths(world: World) -> None:
    world.refused("SIG-NAME", definition_call(world, "d1", publisher="P" * 129))
    world.refused("SIG-NAME", definition_call(world, "d1", offer="O" * 65))
    world.refused("SIG-NAME", definition_call(world, "d1", sku="S" * 65))
    world.refused("SIG-NAME", definition_call(world, "d1", publisher=""))
    definition = world.write(
        definition_call(world, "d1", publisher="P" * 128, offer="O" * 64, sku="S" * 64)
    )
    assert (len(definition.publisher), len(definition.offer), len(definition.sku)) == (
        128,
        64,
        64,
    )


def test_SIG_NAME_publisher_offer_sku_characters(world: World) -> None:
    bad = ["Contoso Ltd", "Contoso.", "Contoso/IT", "Contosö", "Contoso\n", "Con+toso", "."]
    for i, value in enumerate(bad):
        error = world.refused("SIG-NAME", definition_call(world, f"p{i}", publisher=value))
        assert error.field == "publisher"
        error = world.refused("SIG-NAME", definition_call(world, f"o{i}", offer=value))
        assert error.field == "offer"
        error = world.refused("SIG-NAME", definition_call(world, f"s{i}", sku=value))
        assert error.field == "sku"
    definition = world.write(
        definition_call(
            world, "d1", publisher="Contoso-IT.eu_1", offer="Fin.ance-2", sku="_back-end"
        )
    )
    assert (definition.publisher, definition.offer, definition.sku) == (
        "Contoso-IT.eu_1",
        "Fin.ance-2",
        "_back-end",
    )


def test_SIG_NAME_resource_groups(world: World) -> None:
    def group(name: str):
        data = GroupCreate(subscription=SUBSCRIPTION_ID, name=name, location="westus")
        return lambda db: services.create_group(db, data, world.clock)

    for name in ["", "a" * 91, "rg.", "rg/x", "rg x", "rg#1", "rg\n"]:
        world.refused("SIG-NAME", group(name))
    for name in ["r", "a" * 90, "rg-images.v2(prod)_1", "données", "-rg", "(rg)"]:
        row = world.write(group(name))
        assert (row.name, row.location) == (name, "westus")


def test_SIG_NAME_managed_images_and_snapshots(world: World) -> None:
    def image(name: str):
        data = ManagedImageCreate(
            group_id=world.group, name=name, location="westus", os_type="Linux", os_disk_size_gb=8
        )
        return lambda db: services.create_managed_image(db, data, world.clock)

    def snapshot(name: str):
        data = SnapshotCreate(group_id=world.group, name=name, location="westus", size_gb=8)
        return lambda db: services.create_snapshot(db, data, world.clock)

    for name in ["", "-img", ".img", "img.", "img-", "a" * 81, "my image", "img\n"]:
        world.refused("SIG-NAME", image(name))
        world.refused("SIG-NAME", snapshot(name))
    for name in ["i", "_img", "img_", "my-image.v1", "a" * 80]:
        assert world.write(image(name)).name == name
        assert world.write(snapshot(name)).name == name


def test_SIG_NAME_unique_among_siblings_ignoring_case(world: World) -> None:
    build = world.build
    # galleries within a resource group
    world.refused("SIG-NAME", gallery_call(world, "GALLERY1"))
    other_group = build.group("rg-other")
    assert read(world.catalog, build.gallery(other_group, "GALLERY1")).name == "GALLERY1"
    # definitions within a gallery (another triple, so that only the name clashes)
    world.refused("SIG-NAME", definition_call(world, "DEF1", sku="Other"))
    other_gallery = build.gallery(world.group, "gallery2")
    assert read(world.catalog, build.definition(other_gallery, "DEF1")).name == "DEF1"
    # versions within a definition (compared as numbers)
    world.version("1.0.0")
    world.refused("SIG-NAME", version_call(world, "1.0.0"))
    world.refused("SIG-NAME", version_call(world, "01.00.0"))
    other_definition = build.definition(world.gallery, "def2", sku="Frontend")
    assert read(world.catalog, world.build.version(other_definition, image=world.image)).name == (
        "1.0.0"
    )
    # resource groups within a subscription, managed images and snapshots within a group
    world.refused(
        "SIG-NAME",
        lambda db: services.create_group(
            db,
            GroupCreate(subscription=SUBSCRIPTION_ID, name="RG-Images", location="westus"),
            world.clock,
        ),
    )
    world.refused(
        "SIG-NAME",
        lambda db: services.create_managed_image(
            db,
            ManagedImageCreate(
                group_id=world.group,
                name="IMAGE1",
                location="westus",
                os_type="Linux",
                os_disk_size_gb=8,
            ),
            world.clock,
        ),
    )
    build.snapshot(world.group, "snap1")
    world.refused(
        "SIG-NAME",
        lambda db: services.create_snapshot(
            db,
            SnapshotCreate(group_id=world.group, name="SNAP1", location="westus", size_gb=8),
            world.clock,
        ),
    )
    # another subscription may reuse a group name
    build.subscription("Staging", OTHER_SUBSCRIPTION_ID)
    assert "RG-IMAGES" in build.group("RG-IMAGES", subscription="staging")


def test_SIG_NAME_tenants_subscriptions_principals_unique(world: World) -> None:
    world.refused(
        "SIG-NAME", lambda db: services.create_tenant(db, TenantCreate(name="CONTOSO"), world.clock)
    )
    world.refused(
        "SIG-NAME",
        lambda db: services.create_subscription(
            db,
            SubscriptionCreate(
                name="production", subscription_id=OTHER_SUBSCRIPTION_ID, tenant="Contoso"
            ),
            world.clock,
        ),
    )
    world.refused(
        "SIG-NAME",
        lambda db: services.create_subscription(
            db,
            SubscriptionCreate(name="Other", subscription_id=SUBSCRIPTION_ID, tenant="Contoso"),
            world.clock,
        ),
    )
    world.build.principal("alice")
    world.refused(
        "SIG-NAME",
        lambda db: services.create_principal(
            db, PrincipalCreate(name="ALICE", principal_type="User", tenant="Contoso"), world.clock
        ),
    )
    for name in ["", " padded", "x" * 129]:
        world.refused(
            "SIG-NAME",
            lambda db, name=name: services.create_tenant(db, TenantCreate(name=name), world.clock),
        )


# --- SIG-IDENT -----------------------------------------------------------------------------


def test_SIG_IDENT_source_document_example(catalog: Catalog, world: World) -> None:
    gallery = world.build.gallery(world.group, "gallery2")
    example = [
        ("myImage1", "Contoso", "Finance", "Backend"),
        ("myImage2", "Contoso", "Finance", "Frontend"),
        ("myImage3", "Test", "Finance", "Frontend"),
    ]
    for name, publisher, offer, sku in example:
        world.build.definition(gallery, name, publisher, offer, sku)
    error = world.refused(
        "SIG-IDENT", definition_call(world, "myImage4", "Contoso", "Finance", "Backend", gallery)
    )
    assert "myImage1" in error.message
    world.refused(
        "SIG-IDENT", definition_call(world, "myImage5", "contoso", "FINANCE", "backend", gallery)
    )
    with catalog.read() as db:
        rows = fetch.definitions(db, lookup.resolve_as(db, gallery, Gallery).pk)
        assert [(d.name, d.publisher, d.offer, d.sku) for d in rows] == example
    # the same triple in another gallery is fine (the small catalog's gallery1 has it too)
    third = world.build.gallery(world.group, "gallery3")
    definition = read(catalog, world.build.definition(third, "myImage4"))
    assert (definition.publisher, definition.offer, definition.sku) == (
        "Contoso",
        "Finance",
        "Backend",
    )


# --- SIG-OSSTATE ---------------------------------------------------------------------------


def test_SIG_OSSTATE_specialized_definition_needs_a_snapshot(world: World) -> None:
    specialized = world.build.definition(
        world.gallery, "special", sku="Special", os_state="Specialized"
    )
    world.refused("SIG-OSSTATE", version_call(world, definition=specialized))
    snapshot = world.build.snapshot(world.group, "os-disk", size_gb=40)
    version = read(world.catalog, world.build.version(specialized, os_snapshot=snapshot))
    assert version.managed_image_pk is None
    assert version.os_snapshot_pk is not None
    assert version.os_disk_size_gb == 40


def test_SIG_OSSTATE_managed_images_are_generalized(world: World) -> None:
    data = ManagedImageCreate(
        group_id=world.group,
        name="img2",
        location="westus",
        os_type="Linux",
        os_state="Specialized",
        os_disk_size_gb=8,
    )
    world.refused("SIG-OSSTATE", lambda db: services.create_managed_image(db, data, world.clock))
    assert read(world.catalog, world.image).os_state == "Generalized"


# --- SIG-SOURCE-REGION ---------------------------------------------------------------------


def test_SIG_SOURCE_REGION_targets_must_include_the_source_region(world: World) -> None:
    world.refused("SIG-SOURCE-REGION", version_call(world, targets=["eastus"]))
    world.refused("SIG-SOURCE-REGION", version_call(world, targets=["eastus=2", "westeurope"]))
    version = world.version(targets=["West US", "eastus"])
    assert set(replicas(world.catalog, version)) == {"westus", "eastus"}


def test_SIG_SOURCE_REGION_cannot_be_removed(world: World) -> None:
    version = world.version(targets=["westus", "eastus"])
    world.refused(
        "SIG-SOURCE-REGION",
        lambda db: services.remove_target_regions(db, version, ["West US"], world.clock),
    )
    world.refused("SIG-SOURCE-REGION", version_update_call(world, version, targets=["eastus"]))
    world.write(lambda db: services.remove_target_regions(db, version, ["eastus"], world.clock))
    assert replicas(world.catalog, version) == {"westus": (1, LRS)}


def test_SIG_SOURCE_REGION_source_in_the_version_location(world: World) -> None:
    east_image = world.build.managed_image(world.group, "image-east", "eastus")
    world.refused("SIG-SOURCE-REGION", version_call(world, image=east_image))
    east_snapshot = world.build.snapshot(world.group, "snap-east", "eastus")
    world.refused("SIG-SOURCE-REGION", version_call(world, image=None, os_snapshot=east_snapshot))
    west_snapshot = world.build.snapshot(world.group, "snap-west", "westus")
    world.refused(
        "SIG-SOURCE-REGION",
        version_call(
            world, image=None, os_snapshot=west_snapshot, data_snapshot_ids=[east_snapshot]
        ),
    )
    # the same image makes a version whose source region is East US
    version = read(world.catalog, world.version("1.0.0", image=east_image, location="East US"))
    assert version.location == "eastus"
    assert replicas(world.catalog, world.version("1.0.1", image=east_image, location="eastus")) == {
        "eastus": (1, LRS)
    }


def test_SIG_SOURCE_REGION_omitted_targets_mean_the_source_region_alone(world: World) -> None:
    version = world.version(replica_count=3)
    assert replicas(world.catalog, version) == {"westus": (3, LRS)}
    assert read(world.catalog, version).location == "westus"


# --- SIG-REPLICAS --------------------------------------------------------------------------


def test_SIG_REPLICAS_target_region_syntax() -> None:
    parse = services.parse_target_region
    assert parse("southcentralus=2") == TargetRegionSpec(region="southcentralus", replica_count=2)
    assert parse("westeurope=1=standard_zrs") == TargetRegionSpec(
        region="westeurope", replica_count=1, storage_account_type=ZRS
    )
    assert parse("westus") == TargetRegionSpec(region="westus")
    assert parse("westus==Premium_LRS") == TargetRegionSpec(
        region="westus", storage_account_type=PREMIUM
    )
    assert parse("USA Centre Sud=2") == TargetRegionSpec(region="USA Centre Sud", replica_count=2)


def test_SIG_REPLICAS_region_equals_storage_type_as_az(world: World) -> None:
    parse = services.parse_target_region
    assert parse("eastus=standard_zrs") == TargetRegionSpec(
        region="eastus", storage_account_type=ZRS
    )
    assert parse("eastus = PREMIUM_LRS").storage_account_type == PREMIUM
    version = world.version(targets=["westus", "eastus=standard_zrs"], replica_count=2)
    assert replicas(world.catalog, version) == {"westus": (2, LRS), "eastus": (2, ZRS)}
    error = world.refused("SIG-REPLICAS", version_call(world, "1.0.1", targets=["eastus=fast"]))
    assert "neither a replica count nor a storage account type" in error.message


def test_SIG_REPLICAS_bad_syntax_refused(world: World) -> None:
    for text in ["", "=2", "westus=two", "westus=-1", "westus=1.5", "westus=1=Standard_LRS=x"]:
        world.refused("SIG-REPLICAS", version_call(world, targets=["westus", text]))
    world.refused("SIG-REPLICAS", version_call(world, targets=["westus", "atlantis=2"]))
    assert count(world.catalog, ImageVersion) == 0


def test_SIG_REPLICAS_region_names_of_every_kind(world: World) -> None:
    names = [
        "southcentralus",
        "South Central US",
        "USA Centre Sud",
        "États-Unis - partie centrale méridionale",
        "SOUTHCENTRALUS",
        "south central us",
        "usa centre sud",
        "ÉTATS-UNIS - PARTIE CENTRALE MÉRIDIONALE",
        "etats-unis - partie centrale meridionale",
    ]
    for i, name in enumerate(names):
        version = world.version(f"1.0.{i}", targets=["westus", f"{name}=2"])
        assert replicas(world.catalog, version) == {"westus": (1, LRS), "southcentralus": (2, LRS)}


def test_SIG_REPLICAS_common_count_is_the_default(world: World) -> None:
    version = world.version("1.0.0", targets=["westus", "eastus=2", "centralus"], replica_count=3)
    assert replicas(world.catalog, version) == {
        "westus": (3, LRS),
        "eastus": (2, LRS),
        "centralus": (3, LRS),
    }
    assert read(world.catalog, version).replica_count == 3
    default = world.version("1.0.1", targets=["westus", "eastus"])
    assert replicas(world.catalog, default) == {"westus": (1, LRS), "eastus": (1, LRS)}
    # a region added later gets the version's common count too
    world.write(
        version_update_call(
            world, version, targets=["westus", "eastus", "centralus", "northeurope"]
        )
    )
    assert replicas(world.catalog, version)["northeurope"] == (3, LRS)


def test_SIG_REPLICAS_count_from_1_to_100(world: World) -> None:
    for bad in (["westus=0"], ["westus=101"], ["westus", "eastus=0"], ["westus", "eastus=101"]):
        error = world.refused("SIG-REPLICAS", version_call(world, targets=bad))
        assert error.field == "target_regions"
    for common in (0, 101, -1):
        error = world.refused("SIG-REPLICAS", version_call(world, replica_count=common))
        assert error.field == "replica_count"
    version = world.version("1.0.0", targets=["westus=100", "eastus=1"])
    assert replicas(world.catalog, version) == {"westus": (100, LRS), "eastus": (1, LRS)}
    other = world.version("1.0.1", replica_count=100)
    assert replicas(world.catalog, other) == {"westus": (100, LRS)}
    # on update too
    for bad in (["westus=0", "eastus"], ["westus", "eastus=101"]):
        world.refused("SIG-REPLICAS", version_update_call(world, version, targets=bad))
    world.write(version_update_call(world, version, targets=["westus=5", "eastus=100"]))
    assert replicas(world.catalog, version) == {"westus": (5, LRS), "eastus": (100, LRS)}


def test_SIG_REPLICAS_a_region_appears_once(world: World) -> None:
    for twice in (
        ["westus", "westus=2"],
        ["westus", "West US"],
        ["westus", "eastus", "USA Est=3"],
        ["westus", "southcentralus", "USA Centre Sud"],
    ):
        world.refused("SIG-REPLICAS", version_call(world, targets=twice))
    version = world.version(targets=["westus", "eastus"])
    world.refused(
        "SIG-REPLICAS",
        version_update_call(world, version, targets=["westus", "eastus", "East US=2"]),
    )
    world.refused(
        "SIG-REPLICAS",
        lambda db: services.add_target_regions(
            db,
            version,
            [
                TargetRegionSpec(region="centralus", replica_count=2),
                TargetRegionSpec(region="Central US", replica_count=3),
            ],
            world.clock,
        ),
    )
    # adding a region already there sets its count: it still appears once
    world.write(
        lambda db: services.add_target_regions(
            db, version, [TargetRegionSpec(region="East US", replica_count=4)], world.clock
        )
    )
    assert replicas(world.catalog, version) == {"westus": (1, LRS), "eastus": (4, LRS)}


# --- SIG-ZRS -------------------------------------------------------------------------------


def test_SIG_ZRS_only_where_there_are_zones(world: World) -> None:
    # North Central US and West Central US have no availability zones
    world.refused(
        "SIG-ZRS", version_call(world, targets=["westus", "northcentralus=1=Standard_ZRS"])
    )
    world.refused(
        "SIG-ZRS",
        version_call(
            world, targets=["westus", "westcentralus"], storage_account_type="Standard_ZRS"
        ),
    )
    version = world.version("1.0.0", targets=["westus=1=standard_zrs", "northcentralus"])
    assert replicas(world.catalog, version) == {"westus": (1, ZRS), "northcentralus": (1, LRS)}
    common = world.version(
        "1.0.1", targets=["westus", "eastus=2"], storage_account_type="Standard_ZRS"
    )
    assert replicas(world.catalog, common) == {"westus": (1, ZRS), "eastus": (2, ZRS)}
    assert read(world.catalog, common).storage_account_type == ZRS
    premium = world.version("1.0.2", targets=["westus", "northcentralus=1=Premium_LRS"])
    assert replicas(world.catalog, premium) == {"westus": (1, LRS), "northcentralus": (1, PREMIUM)}


def test_SIG_ZRS_storage_type_of_an_existing_region_cannot_change(world: World) -> None:
    version = world.version(targets=["westus", "eastus=2=Standard_ZRS"])
    world.refused(
        "SIG-ZRS", version_update_call(world, version, targets=["westus=1=Standard_ZRS", "eastus"])
    )
    world.refused(
        "SIG-ZRS", version_update_call(world, version, targets=["westus", "eastus=2=Standard_LRS"])
    )
    world.refused(
        "SIG-ZRS",
        lambda db: services.add_target_regions(
            db,
            version,
            [TargetRegionSpec(region="eastus", storage_account_type=PREMIUM)],
            world.clock,
        ),
    )
    # a region added on update: ZRS only where there are zones
    world.refused(
        "SIG-ZRS",
        version_update_call(
            world, version, targets=["westus", "eastus", "westcentralus=1=Standard_ZRS"]
        ),
    )
    # repeating each region's storage type is fine, and a new region may take ZRS
    world.write(
        version_update_call(
            world,
            version,
            targets=["westus=1=Standard_LRS", "eastus=3=Standard_ZRS", "centralus=1=Standard_ZRS"],
        )
    )
    assert replicas(world.catalog, version) == {
        "westus": (1, LRS),
        "eastus": (3, ZRS),
        "centralus": (1, ZRS),
    }


# --- SIG-CLOUD -----------------------------------------------------------------------------


def test_SIG_CLOUD_no_target_in_another_cloud(world: World) -> None:
    for other in ("chinaeast", "China North", "usgovvirginia", "germanycentral"):
        error = world.refused("SIG-CLOUD", version_call(world, targets=["westus", other]))
        assert error.field == "target_regions"
    version = world.version(targets=["westus"])
    world.refused("SIG-CLOUD", version_update_call(world, version, targets=["westus", "chinaeast"]))
    assert replicas(world.catalog, version) == {"westus": (1, LRS)}


def test_SIG_CLOUD_no_location_in_another_cloud(world: World) -> None:
    world.refused("SIG-CLOUD", gallery_call(world, "gallery2", "chinaeast"))
    world.refused("SIG-CLOUD", definition_call(world, location="Chine orientale"))
    world.refused("SIG-CLOUD", version_call(world, location="usgovvirginia"))
    world.refused(
        "SIG-CLOUD",
        lambda db: services.create_group(
            db,
            GroupCreate(subscription=SUBSCRIPTION_ID, name="rg-cn", location="chinaeast"),
            world.clock,
        ),
    )
    world.refused(
        "SIG-CLOUD",
        lambda db: services.create_snapshot(
            db,
            SnapshotCreate(group_id=world.group, name="s", location="chinaeast", size_gb=8),
            world.clock,
        ),
    )


def test_SIG_CLOUD_a_subscription_in_another_cloud(catalog: Catalog) -> None:
    build = Build(catalog)
    build.tenant("Contoso China")
    build.subscription("China", SUBSCRIPTION_ID, tenant="Contoso China", cloud="azurechinacloud")
    assert read(catalog, f"/subscriptions/{SUBSCRIPTION_ID}").cloud == "AzureChinaCloud"
    group = build.group("rg-cn", "chinaeast")
    gallery = build.gallery(group, "gallery_cn", "China East")
    definition = build.definition(gallery, location="chinaeast")
    image = build.managed_image(group, "img", "chinaeast")
    refused(
        catalog,
        "SIG-CLOUD",
        lambda db: services.create_gallery(
            db, group, GalleryCreate(name="g2", location="westus"), catalog.clock
        ),
    )
    refused(
        catalog,
        "SIG-CLOUD",
        lambda db: services.create_version(
            db,
            definition,
            version_create(location="chinaeast", image=image, targets=["chinaeast", "westus"]),
            catalog.clock,
        ),
    )
    version = build.version(
        definition, location="chinaeast", image=image, targets=["chinaeast", "chinanorth=2"]
    )
    assert replicas(catalog, version) == {"chinaeast": (1, LRS), "chinanorth": (2, LRS)}


# --- SIG-REGION-ALLOWLIST ------------------------------------------------------------------


def test_SIG_REGION_ALLOWLIST_australia_central_needs_allowlisting(world: World) -> None:
    for region in ("australiacentral", "Australia Central 2", "Centre de l'Australie"):
        world.refused("SIG-REGION-ALLOWLIST", version_call(world, targets=["westus", region]))
    with world.catalog.write() as db:
        subscription = lookup.find_subscription(db, SUBSCRIPTION_ID)
        assert services.set_region_allowlist(
            db, subscription, ["Australia Central"], world.clock
        ) == ["australiacentral"]
    version = world.version(targets=["westus", "australiacentral=2"])
    assert replicas(world.catalog, version) == {"westus": (1, LRS), "australiacentral": (2, LRS)}
    # Australia Central 2 still needs its own entry
    world.refused(
        "SIG-REGION-ALLOWLIST",
        version_call(world, "1.0.1", targets=["westus", "australiacentral2"]),
    )


def test_SIG_REGION_ALLOWLIST_at_subscription_creation(catalog: Catalog) -> None:
    world = small_catalog(catalog, allowlisted=["australiacentral", "Centre de l’Australie 2"])
    with catalog.read() as db:
        subscription = lookup.find_subscription(db, SUBSCRIPTION_ID)
        assert services.allowlisted_regions(db, subscription) == [
            "australiacentral",
            "australiacentral2",
        ]
    version = world.version(targets=["westus", "australiacentral", "australiacentral2=3"])
    assert replicas(catalog, version) == {
        "westus": (1, LRS),
        "australiacentral": (1, LRS),
        "australiacentral2": (3, LRS),
    }


def test_SIG_REGION_ALLOWLIST_only_regions_that_need_it(world: World) -> None:
    def allow(regions: list[str]):
        def action(db):
            subscription = lookup.find_subscription(db, SUBSCRIPTION_ID)
            return services.set_region_allowlist(db, subscription, regions, world.clock)

        return action

    world.refused("SIG-REGION-ALLOWLIST", allow(["westus"]))
    world.refused("SIG-REGION-ALLOWLIST", allow(["australiacentral", "eastus"]))
    world.refused(
        "SIG-REGION-ALLOWLIST",
        lambda db: services.create_subscription(
            db,
            SubscriptionCreate(
                name="Staging",
                subscription_id=OTHER_SUBSCRIPTION_ID,
                tenant="Contoso",
                allowlisted_regions=["westeurope"],
            ),
            world.clock,
        ),
    )
    assert world.write(allow(["australiacentral2", "Australia Central 2"])) == ["australiacentral2"]


# --- SIG-SOURCE-REGIONS --------------------------------------------------------------------


def test_SIG_SOURCE_REGIONS_every_region_of_the_cloud_can_hold_galleries(world: World) -> None:
    """Today's Azure: regions outside the seed's 2020 table hold galleries, definitions and
    versions; only unknown names (SIG-SOURCE-REGIONS) and other clouds (SIG-CLOUD) fail."""
    for name, location in [
        ("g3", "westus3"),
        ("gsweden", "Sweden Central"),
        ("gmx", "mexicocentral"),
    ]:
        assert (
            world.write(gallery_call(world, name, location)).location == get_region(location).name
        )
    assert world.write(definition_call(world, location="westus3")).location == "westus3"
    west3_image = world.build.managed_image(world.group, "img3", "westus3")
    version = world.write(version_call(world, location="westus3", image=west3_image))
    assert version.location == "westus3"
    for location in ("atlantis", ""):
        error = world.refused("SIG-SOURCE-REGIONS", gallery_call(world, "gallery2", location))
        assert error.field == "location"
    world.refused("SIG-CLOUD", gallery_call(world, "gallery2", "chinaeast"))


def test_SIG_SOURCE_REGIONS_newer_regions_are_target_regions(world: World) -> None:
    targets = ["westus", "mexicocentral=2=Standard_ZRS", "New Zealand North", "spaincentral=3"]
    version = world.version(targets=targets)
    assert replicas(world.catalog, version) == {
        "westus": (1, LRS),
        "mexicocentral": (2, ZRS),
        "newzealandnorth": (1, LRS),
        "spaincentral": (3, LRS),
    }


# --- SIG-LIMIT-* ---------------------------------------------------------------------------


def test_SIG_LIMIT_values_as_azure_has_them_today() -> None:
    assert [(lim.code, lim.maximum) for lim in limits.ALL_LIMITS] == [
        ("SIG-LIMIT-GALLERIES", 100),
        ("SIG-LIMIT-DEFINITIONS", 1_000),
        ("SIG-LIMIT-VERSIONS", 10_000),
    ]
    assert (limits.MAX_DISK_SIZE_GB, limits.MAX_REPLICAS_PER_REGION) == (2_048, 100)


def _lower_limit(monkeypatch: pytest.MonkeyPatch, name: str, maximum: int) -> None:
    """The services read `limits.GALLERIES` etc. at each call: patch them smaller."""
    monkeypatch.setattr(limits, name, dataclasses.replace(getattr(limits, name), maximum=maximum))


def test_SIG_LIMIT_GALLERIES(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    _lower_limit(monkeypatch, "GALLERIES", 3)
    world.build.gallery(world.group, "gallery2")  # 1 used before
    # 2 used before: one below the limit, accepted (in another group: counted all the same)
    world.build.gallery(world.build.group("rg2"), "gallery3")
    # 3 used: exactly at the limit, refused
    error = world.refused("SIG-LIMIT-GALLERIES", gallery_call(world, "gallery4"))
    assert "already has 3 galleries in West US" in error.message
    assert "at most 3 per subscription per region" in error.message
    # per subscription per region: another region, another subscription still fit
    assert world.write(gallery_call(world, "gallery4", "eastus")).location == "eastus"
    world.build.subscription("Staging", OTHER_SUBSCRIPTION_ID)
    other_group = world.build.group(subscription=OTHER_SUBSCRIPTION_ID)
    assert read(world.catalog, world.build.gallery(other_group, "gallery1")).location == "westus"
    assert count(world.catalog, Gallery) == 5


def test_SIG_LIMIT_DEFINITIONS(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    _lower_limit(monkeypatch, "DEFINITIONS", 3)
    world.build.definition(world.gallery, "def2", sku="Frontend")  # 1 used before
    gallery2 = world.build.gallery(world.group, "gallery2")
    world.build.definition(gallery2, "def3")  # 2 used before: one below the limit, accepted
    # 3 used: exactly at the limit, refused (in any gallery of the subscription and region)
    error = world.refused("SIG-LIMIT-DEFINITIONS", definition_call(world, "def4", sku="Other"))
    assert "already has 3 image definitions in West US" in error.message
    world.refused(
        "SIG-LIMIT-DEFINITIONS", definition_call(world, "def4", gallery=gallery2, sku="X")
    )
    east = world.write(definition_call(world, "def4", sku="Other", location="eastus"))
    assert east.location == "eastus"
    assert count(world.catalog, ImageDefinition) == 4


def test_SIG_LIMIT_VERSIONS(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    _lower_limit(monkeypatch, "VERSIONS", 3)
    world.version("1.0.0")
    world.version("1.0.1")
    world.version("1.0.2")  # 2 used before: one below the limit, accepted
    # 3 used: exactly at the limit, refused
    error = world.refused("SIG-LIMIT-VERSIONS", version_call(world, "1.0.3"))
    assert "already has 3 image versions in West US" in error.message
    # counted per subscription and region, across definitions
    definition2 = world.build.definition(world.gallery, "def2", sku="Frontend")
    world.refused("SIG-LIMIT-VERSIONS", version_call(world, "1.0.0", definition=definition2))
    east_image = world.build.managed_image(world.group, "img-east", "eastus")
    version = world.write(version_call(world, "1.0.3", image=east_image, location="eastus"))
    assert version.location == "eastus"
    assert count(world.catalog, ImageVersion) == 4


# --- SIG-DISK-SIZE -------------------------------------------------------------------------


def test_SIG_DISK_SIZE_a_version_takes_disks_up_to_2_TB(world: World) -> None:
    big = world.build.managed_image(
        world.group, "big", os_disk_size_gb=2048, data_disk_sizes_gb=[2048, 1]
    )
    version = world.version(image=big)
    assert read(world.catalog, version).os_disk_size_gb == 2048
    assert data_disks(world.catalog, version) == [(0, 2048), (1, 1)]
    os_disk = world.build.snapshot(world.group, "os", size_gb=2048)
    data_disk = world.build.snapshot(world.group, "data", size_gb=2048, os_type=None)
    data_disk2 = world.build.snapshot(world.group, "data2", size_gb=10, os_type=None)
    version = world.version(
        "1.0.1",
        image=None,
        os_snapshot=os_disk,
        data_snapshot_ids=[data_disk, data_disk2],
        data_snapshot_luns=[7, 3],
    )
    assert read(world.catalog, version).os_disk_size_gb == 2048
    assert data_disks(world.catalog, version) == [(3, 10), (7, 2048)]


def test_SIG_DISK_SIZE_a_bigger_image_or_snapshot_exists_but_makes_no_version(
    world: World,
) -> None:
    big_os = world.build.managed_image(world.group, "bigos", os_disk_size_gb=2049)
    big_data = world.build.managed_image(world.group, "bigdata", data_disk_sizes_gb=[100, 4096])
    big_snapshot = world.build.snapshot(world.group, "bigsnap", size_gb=32_767)
    big_data_snapshot = world.build.snapshot(world.group, "bigdatasnap", size_gb=2049, os_type=None)
    assert read(world.catalog, big_snapshot).size_gb == 32_767
    for source in (
        {"image": big_os},
        {"image": big_data},
        {"image": None, "os_snapshot": big_snapshot},
        {"image": None, "os_snapshot": world.build.snapshot(world.group, "os"),
         "data_snapshot_ids": [big_data_snapshot]},
    ):  # fmt: skip
        error = world.refused("SIG-DISK-SIZE", version_call(world, **source))
        assert "at most 2 TB (2,048 GiB)" in error.message
    assert count(world.catalog, ImageVersion) == 0


def test_SIG_DISK_SIZE_no_disk_beyond_azures_largest_managed_disk(world: World) -> None:
    def image(os_gb: int, data_gb: list[int]):
        data = ManagedImageCreate(
            group_id=world.group,
            name="huge",
            location="westus",
            os_type="Linux",
            os_disk_size_gb=os_gb,
            data_disk_sizes_gb=data_gb,
        )
        return lambda db: services.create_managed_image(db, data, world.clock)

    def snapshot(size: int):
        data = SnapshotCreate(group_id=world.group, name="huge", location="westus", size_gb=size)
        return lambda db: services.create_snapshot(db, data, world.clock)

    for action in (image(65_537, []), image(30, [65_537]), snapshot(65_537), snapshot(0)):
        world.refused("SIG-INPUT", action)
    assert read(world.catalog, world.build.snapshot(world.group, "max", size_gb=65_536)).size_gb


def test_SIG_DISK_SIZE_unique_luns(world: World) -> None:
    os_disk = world.build.snapshot(world.group, "os")
    data = world.build.snapshot(world.group, "data", os_type=None)
    data2 = world.build.snapshot(world.group, "data2", os_type=None)
    world.refused(
        "SIG-DISK-SIZE",
        version_call(
            world,
            image=None,
            os_snapshot=os_disk,
            data_snapshot_ids=[data, data2],
            data_snapshot_luns=[2, 2],
        ),
    )
    version = world.version(image=None, os_snapshot=os_disk, data_snapshot_ids=[data, data2])
    assert data_disks(world.catalog, version) == [(0, 64), (1, 64)]


def test_SIG_INPUT_bad_enum_values(world: World) -> None:
    for field, value in [
        ("os_type", "Solaris"),
        ("os_state", "Frozen"),
        ("hyper_v_generation", "V3"),
        ("disallowed_disk_types", ["Floppy"]),
    ]:
        error = world.refused("SIG-INPUT", definition_call(world, **{field: value}))
        assert error.field == field
    world.refused("SIG-INPUT", version_call(world, storage_account_type="Ultra_LRS"))
    world.refused("SIG-INPUT", version_call(world, targets=["westus=1=Ultra_LRS"]))
    world.refused(
        "SIG-INPUT",
        lambda db: services.create_subscription(
            db,
            SubscriptionCreate(
                name="Mars",
                subscription_id=OTHER_SUBSCRIPTION_ID,
                tenant="Contoso",
                cloud="MarsCloud",
            ),
            world.clock,
        ),
    )
    world.refused(
        "SIG-INPUT",
        lambda db: services.create_principal(
            db, PrincipalCreate(name="bot", principal_type="Robot", tenant="Contoso"), world.clock
        ),
    )
    # enum values are matched case-insensitively and stored canonically
    definition = world.write(
        definition_call(
            world,
            os_type="windows",
            os_state="generalized",
            hyper_v_generation="v2",
            disallowed_disk_types=["premium_lrs", "Premium_LRS", "standardssd_lrs"],
        )
    )
    assert (definition.os_type, definition.os_state, definition.hyper_v_generation) == (
        "Windows",
        "Generalized",
        "V2",
    )
    assert definition.disallowed_disk_types == ["Premium_LRS", "StandardSSD_LRS"]


def test_SIG_INPUT_dates(world: World) -> None:
    # end-of-life dates are date-times: a date alone is 12:59:59 UTC, as az sends it
    assert checks.parse_date("2026-12-31") == datetime(2026, 12, 31, 12, 59, 59, tzinfo=UTC)
    assert checks.parse_date("2026-12-31T08:30:00+02:00") == datetime(
        2026, 12, 31, 6, 30, tzinfo=UTC
    )
    assert checks.parse_date(" ") is None
    assert checks.parse_date(None) is None
    for text in ["2026-02-30", "31/12/2026", "next week", "2026-13-01", "20261231x"]:
        error = world.refused(
            "SIG-INPUT",
            lambda db, text=text: services.create_definition(
                db,
                world.gallery,
                build(
                    DefinitionCreate,
                    name="def2",
                    location="westus",
                    publisher="P",
                    offer="O",
                    sku="S",
                    os_type="Linux",
                    end_of_life_date=checks.parse_date(text),
                ),
                world.clock,
            ),
        )
        assert error.field == "end_of_life_date"
    definition = world.write(
        definition_call(world, end_of_life_date=checks.parse_date("2026-12-31"))
    )
    assert definition.end_of_life_date == datetime(2026, 12, 31, 12, 59, 59, tzinfo=UTC)


def test_SIG_INPUT_sizes_must_be_positive(world: World) -> None:
    for size in (0, -5):
        world.refused(
            "SIG-INPUT",
            lambda db, size=size: services.create_snapshot(
                db,
                SnapshotCreate(group_id=world.group, name="s", location="westus", size_gb=size),
                world.clock,
            ),
        )
    for os_gb, data_gb in ((-30, []), (0, []), (30, [-1]), (30, [10, 0])):
        world.refused(
            "SIG-INPUT",
            lambda db, os_gb=os_gb, data_gb=data_gb: services.create_managed_image(
                db,
                ManagedImageCreate(
                    group_id=world.group,
                    name="i",
                    location="westus",
                    os_type="Linux",
                    os_disk_size_gb=os_gb,
                    data_disk_sizes_gb=data_gb,
                ),
                world.clock,
            ),
        )
    os_disk = world.build.snapshot(world.group, "os")
    data = world.build.snapshot(world.group, "data", os_type=None)
    world.refused(
        "SIG-INPUT",
        version_call(
            world,
            image=None,
            os_snapshot=os_disk,
            data_snapshot_ids=[data],
            data_snapshot_luns=[-1],
        ),
    )


def test_SIG_INPUT_schemas_build_with_a_wrong_type(world: World) -> None:
    error = world.refused(
        "SIG-INPUT",
        lambda db: services.create_version(
            db,
            world.definition,
            build(
                VersionCreate,
                name="1.0.0",
                location="westus",
                replica_count="many",
                managed_image_id=world.image,
            ),
            world.clock,
        ),
    )
    assert error.field == "replica_count"
    for schema, values in [
        (GalleryCreate, {"name": "g2", "location": ["westus"]}),
        (GalleryCreate, {"location": "westus"}),
        (
            SnapshotCreate,
            {"group_id": world.group, "name": "s", "location": "westus", "size_gb": "large"},
        ),
        (
            DefinitionCreate,
            {
                "name": "d",
                "location": "westus",
                "publisher": "P",
                "offer": "O",
                "sku": "S",
                "os_type": "Linux",
                "end_of_life_date": "someday",
            },
        ),
    ]:
        world.refused(
            "SIG-INPUT",
            lambda db, schema=schema, values=values: services.create_gallery(
                db, world.group, build(schema, **values), world.clock
            ),
        )
    data = build(GalleryCreate, name="g2", location="West Europe", tags={"env": "test"})
    gallery = world.write(lambda db: services.create_gallery(db, world.group, data, world.clock))
    assert (gallery.location, gallery.tags) == ("westeurope", {"env": "test"})


def test_SIG_INPUT_ids_and_sources(world: World) -> None:
    data = GalleryCreate(name="g2", location="westus")
    for bad_id in ("not-an-id", "/subscriptions/", world.gallery):  # the last: not a group
        world.refused(
            "SIG-INPUT",
            lambda db, bad_id=bad_id: services.create_gallery(db, bad_id, data, world.clock),
        )
    snapshot = world.build.snapshot(world.group, "os")
    world.refused("SIG-INPUT", version_call(world, image=None))  # no source
    world.refused("SIG-INPUT", version_call(world, os_snapshot=snapshot))  # two sources
    world.refused("SIG-INPUT", version_call(world, data_snapshot_ids=[snapshot]))
    world.refused(
        "SIG-INPUT",
        version_call(
            world,
            image=None,
            os_snapshot=snapshot,
            data_snapshot_ids=[snapshot],
            data_snapshot_luns=[1, 2],
        ),
    )
    windows = world.build.managed_image(world.group, "win", os_type="Windows")
    world.refused("SIG-INPUT", version_call(world, image=windows))  # the definition is Linux
    world.refused(
        "SIG-INPUT",
        lambda db: services.create_subscription(
            db,
            SubscriptionCreate(name="Bad", subscription_id="not-a-uuid", tenant="Contoso"),
            world.clock,
        ),
    )
    world.refused(
        "SIG-INPUT",
        lambda db: services.create_subscription(
            db,
            SubscriptionCreate(
                name="Bad", subscription_id=OTHER_SUBSCRIPTION_ID + "\n", tenant="Contoso"
            ),
            world.clock,
        ),
    )
    world.refused(
        "SIG-INPUT",
        lambda db: services.create_gallery(
            db,
            world.group,
            GalleryCreate(name="g2", location="westus", tags={f"t{i}": "x" for i in range(51)}),
            world.clock,
        ),
    )


@pytest.mark.parametrize("name", ["a<b", "a>b", "a%b", "a&b", "a\\b", "a?b", "a/b", ""])
def test_SIG_INPUT_tag_names_without_the_characters_ARM_refuses(name: str) -> None:
    with pytest.raises(CatalogError) as refused:
        checks.check_tags({name: "x"})
    assert refused.value.code == "SIG-INPUT"
    assert checks.check_tags({"a-b_c.d:e f": "x"}) == {"a-b_c.d:e f": "x"}


# --- SIG-NOT-FOUND -------------------------------------------------------------------------


def test_SIG_NOT_FOUND_each_kind_of_resource(world: World) -> None:
    sub = f"/subscriptions/{SUBSCRIPTION_ID}"
    missing_sub = f"/subscriptions/{OTHER_SUBSCRIPTION_ID}/resourceGroups/rg-images"
    gallery_data = GalleryCreate(name="g2", location="westus")

    def gallery_in(group_id: str):
        return lambda db: services.create_gallery(db, group_id, gallery_data, world.clock)

    world.refused(
        "SIG-NOT-FOUND",
        lambda db: services.create_group(
            db, GroupCreate(subscription="Nope", name="rg", location="westus"), world.clock
        ),
    )
    world.refused("SIG-NOT-FOUND", gallery_in(missing_sub))
    world.refused("SIG-NOT-FOUND", gallery_in(f"{sub}/resourceGroups/rg-missing"))
    world.refused("SIG-NOT-FOUND", definition_call(world, gallery=world.gallery + "x"))
    world.refused("SIG-NOT-FOUND", version_call(world, definition=world.definition + "x"))
    world.refused(
        "SIG-NOT-FOUND",
        version_update_call(world, world.definition + "/versions/9.9.9", exclude_from_latest=True),
    )
    world.refused("SIG-NOT-FOUND", version_call(world, image=world.image + "x"))
    snapshot_id = world.group + "/providers/Microsoft.Compute/snapshots/missing"
    world.refused("SIG-NOT-FOUND", version_call(world, image=None, os_snapshot=snapshot_id))
    os_disk = world.build.snapshot(world.group, "os")
    world.refused(
        "SIG-NOT-FOUND",
        version_call(world, image=None, os_snapshot=os_disk, data_snapshot_ids=[snapshot_id]),
    )
    world.refused(
        "SIG-NOT-FOUND",
        lambda db: services.create_subscription(
            db,
            SubscriptionCreate(name="S", subscription_id=OTHER_SUBSCRIPTION_ID, tenant="Fabrikam"),
            world.clock,
        ),
    )
    world.refused(
        "SIG-NOT-FOUND",
        lambda db: services.create_role_assignment(
            db,
            RoleAssignmentCreate(assignee="nobody", role="Reader", scope=world.gallery),
            world.clock,
        ),
    )
    world.refused("SIG-NOT-FOUND", lambda db: services.delete_role_assignment(db, 12345))
    version = world.version(targets=["westus"])
    world.refused(
        "SIG-NOT-FOUND",
        lambda db: services.remove_target_regions(db, version, ["eastus"], world.clock),
    )
    # names and ids are matched case-insensitively, as in ARM
    assert read(world.catalog, world.gallery.upper()).name == "gallery1"


# --- SIG-ACCESS ----------------------------------------------------------------------------


def _assign(world: World, role: str, scope: str, assignee: str = "alice"):
    data = RoleAssignmentCreate(assignee=assignee, role=role, scope=scope)
    return lambda db: services.create_role_assignment(db, data, world.clock)


def test_SIG_ACCESS_roles_and_scopes(world: World) -> None:
    world.build.principal("alice")
    error = world.refused("SIG-ACCESS", _assign(world, "Superuser", world.gallery))
    assert error.field == "role"
    for scope in (world.group, f"/subscriptions/{SUBSCRIPTION_ID}", world.image):
        error = world.refused("SIG-ACCESS", _assign(world, "Reader", scope))
        assert error.field == "scope"
    version = world.version()
    for role, scope in [
        ("compute gallery image reader", world.gallery),
        ("Reader", world.definition),
        ("Compute Gallery Artifacts Publisher", version),
    ]:
        world.write(_assign(world, role, scope))
    with world.catalog.read() as db:
        rows = fetch.role_assignments(db)
        assert [r.role for r in rows] == [
            "Compute Gallery Image Reader",
            "Reader",
            "Compute Gallery Artifacts Publisher",
        ]
        assert [
            (r.gallery_pk is not None, r.definition_pk is not None, r.version_pk is not None)
            for r in rows
        ] == [(True, False, False), (False, True, False), (False, False, True)]
        # sharing a single version is discouraged: a warning, not a refusal
        assert [services.assignment_warnings(db, r) for r in rows] == [
            [],
            [],
            [services.roles.VERSION_SCOPE_WARNING],
        ]
        assert "discouraged" in services.roles.VERSION_SCOPE_WARNING
    world.refused("SIG-ACCESS", _assign(world, "Reader", world.definition))  # the same twice


def test_SIG_ACCESS_principals_from_other_tenants(world: World) -> None:
    world.build.tenant("Fabrikam")
    object_id = world.build.principal("bob", "ServicePrincipal", tenant="Fabrikam")
    assignment = world.write(_assign(world, "Reader", world.gallery, assignee=object_id))
    assert assignment.role == "Reader"


def test_SIG_ACCESS_readonly_catalog(world: World) -> None:
    readonly = Catalog(engine=world.catalog.engine, clock=world.clock, readonly=True)
    refused(readonly, "SIG-ACCESS", gallery_call(world, "gallery2"))


# --- SIG-REPLICATION -----------------------------------------------------------------------


def test_SIG_REPLICATION_a_new_version_starts_replicating(world: World) -> None:
    now = world.clock.now()
    version = world.version(targets=["westus", "eastus=2", "westeurope"])
    regions = targets(world.catalog, version)
    source = regions["westus"]
    assert (source.state, source.progress) == (ReplicationState.COMPLETED, 100)
    assert source.started_at == source.completed_at == now
    for name in ("eastus", "westeurope"):
        target = regions[name]
        assert (target.state, target.progress, target.completed_at) == ("Replicating", 0, None)
        assert target.started_at == now
    states = [t.state for t in regions.values()]
    assert schedule.aggregated_state(states) == AggregatedState.IN_PROGRESS


def test_SIG_REPLICATION_aggregated_state() -> None:
    aggregated = schedule.aggregated_state
    assert aggregated([]) == AggregatedState.UNKNOWN
    assert aggregated(["Completed"]) == AggregatedState.COMPLETED
    assert aggregated(["Completed", "Completed"]) == AggregatedState.COMPLETED
    assert aggregated(["Completed", "Replicating"]) == AggregatedState.IN_PROGRESS
    assert aggregated(["Replicating", "Failed", "Completed"]) == AggregatedState.FAILED
    assert aggregated(["Completed", "Unknown"]) == AggregatedState.UNKNOWN
    assert aggregated(["Unknown"]) == AggregatedState.UNKNOWN


def test_SIG_REPLICATION_record_each_region(world: World) -> None:
    version = world.version(targets=["westus", "eastus", "westeurope"])
    world.clock.advance(600)
    world.write(
        lambda db: schedule.record(
            db, version, "East US", "Replicating", world.clock.now(), progress=40
        )
    )
    assert (targets(world.catalog, version)["eastus"].progress) == 40
    world.write(lambda db: schedule.record(db, version, "eastus", "Completed", world.clock.now()))
    world.write(
        lambda db: schedule.record(
            db, version, "westeurope", "Failed", world.clock.now(), details="quota"
        )
    )
    regions = targets(world.catalog, version)
    assert (regions["eastus"].state, regions["eastus"].progress) == ("Completed", 100)
    assert regions["eastus"].completed_at == world.clock.now()
    assert (regions["westeurope"].state, regions["westeurope"].details) == ("Failed", "quota")
    states = [t.state for t in regions.values()]
    assert schedule.aggregated_state(states) == AggregatedState.FAILED
    now = world.clock.now()
    world.refused(
        "SIG-NOT-FOUND", lambda db: schedule.record(db, version, "centralus", "Completed", now)
    )
    world.refused("SIG-INPUT", lambda db: schedule.record(db, version, "eastus", "Done", now))
    world.refused(
        "SIG-REPLICATION", lambda db: schedule.record(db, version, "atlantis", "Completed", now)
    )


def test_SIG_REPLICATION_regions_added_and_removed_after_creation(world: World) -> None:
    version = world.version(targets=["westus", "eastus"])
    world.clock.advance(3600)
    world.write(lambda db: schedule.record(db, version, "eastus", "Completed", world.clock.now()))
    world.write(
        lambda db: services.add_target_regions(
            db, version, [TargetRegionSpec(region="North Europe", replica_count=2)], world.clock
        )
    )
    regions = targets(world.catalog, version)
    assert {name: (t.state, t.progress) for name, t in regions.items()} == {
        "westus": ("Completed", 100),
        "eastus": ("Completed", 100),
        "northeurope": ("Replicating", 0),
    }
    assert regions["northeurope"].started_at == world.clock.now()
    assert regions["northeurope"].replica_count == 2
    # removing a region cancels its replication: its row goes
    world.write(lambda db: services.remove_target_regions(db, version, ["eastus"], world.clock))
    assert set(targets(world.catalog, version)) == {"westus", "northeurope"}


def test_the_catalog_snapshot_sees_a_row_added_changed_or_removed(catalog: Catalog) -> None:
    """`refused` trusts `catalog_state`: any write it missed would pass as "unchanged"."""
    world = small_catalog(catalog)
    before = catalog_state(catalog)
    assert catalog_state(catalog) == before
    table = Gallery.__table__  # type: ignore[attr-defined]
    with catalog.engine.begin() as conn:
        conn.execute(table.update().values(description="changed"))
    changed = catalog_state(catalog)
    assert changed != before
    assert [row["description"] for row in changed["gallery"]] == ["changed"]
    world.build.gallery(world.group, name="second")
    added = catalog_state(catalog)
    assert len(added["gallery"]) == 2
    with catalog.engine.begin() as conn:
        conn.execute(table.delete().where(table.c.name == "second"))
    assert catalog_state(catalog)["gallery"] == changed["gallery"]
