"""Catalog rows in the Azure CLI's JSON shape (sigtui.catalog.azure.azure_json), compared with
Azure's own REST examples, and the list functions' constant number of queries."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from azure_shapes import ADDED_BY_AZ, AZURE_DEFINITION_KEYS, AZURE_VERSION_KEYS
from builders import Build, World, small_catalog
from sql_counter import recorded_statements

from sigtui.catalog import services
from sigtui.catalog.azure import azure_json
from sigtui.catalog.model.models import (
    Gallery,
    ImageDefinition,
    ImageVersion,
    ManagedImage,
    ResourceGroup,
    Snapshot,
    Subscription,
)
from sigtui.catalog.model.schemas import DefinitionUpdate
from sigtui.catalog.queries import fetch, lookup
from sigtui.catalog.replication import schedule
from sigtui.catalog.store.db import Catalog

SAMPLES = Path(__file__).parent / "data" / "azure"  # copies of shared/reference/samples
VERSION_SAMPLE = "rest-example-2024-03-03-GalleryImageVersion_Get_WithReplicationStatus.json"
DEFINITION_SAMPLE = "rest-example-2024-03-03-GalleryImage_Get.json"


def flattened_keys(body: dict[str, Any]) -> set[str]:
    return (set(body) - {"properties"}) | set(body.get("properties", {}))


def sample_body(name: str) -> dict[str, Any]:
    return json.loads((SAMPLES / name).read_text("utf-8"))["responses"]["200"]["body"]


@pytest.mark.parametrize(
    ("sample", "keys"),
    [(VERSION_SAMPLE, AZURE_VERSION_KEYS), (DEFINITION_SAMPLE, AZURE_DEFINITION_KEYS)],
)
def test_the_recorded_keys_are_those_of_azures_samples(sample: str, keys: set[str]) -> None:
    assert flattened_keys(sample_body(sample)) == keys


def _show(catalog: Catalog, arm_id: str, **options: Any) -> dict[str, Any]:
    with catalog.read() as db:
        row = lookup.resolve(db, arm_id)
        render = {
            Gallery: azure_json.gallery,
            ImageDefinition: azure_json.definition,
            ImageVersion: azure_json.version,
            ManagedImage: azure_json.managed_image,
            Snapshot: azure_json.snapshot,
            ResourceGroup: azure_json.resource_group,
            Subscription: azure_json.subscription,
        }[type(row)]
        return render(db, row, **options)  # type: ignore[operator]


# --- definitions -----------------------------------------------------------------------------


def test_a_definition_has_azures_keys_and_values(world: World) -> None:
    world.write(
        lambda db: services.update_definition(
            db,
            world.definition,
            DefinitionUpdate(min_vcpus=2, max_vcpus=8, max_memory_mb=32),
            world.clock,
        )
    )
    shown = _show(world.catalog, world.definition)
    assert set(shown) >= AZURE_DEFINITION_KEYS | ADDED_BY_AZ
    assert shown["id"] == world.definition
    assert shown["type"] == "Microsoft.Compute/galleries/images"
    assert shown["resourceGroup"] == "rg-images"
    assert shown["identifier"] == {"publisher": "Contoso", "offer": "Finance", "sku": "Backend"}
    assert shown["recommended"] == {
        "vCPUs": {"min": 2, "max": 8},
        "memory": {"min": None, "max": 32},
    }
    assert shown["disallowed"] == {"diskTypes": []}
    assert (shown["osType"], shown["osState"], shown["hyperVGeneration"]) == (
        "Linux",
        "Generalized",
        "V1",
    )
    assert shown["provisioningState"] == "Succeeded"
    assert shown["etag"] == "2"  # created, then updated once


def test_an_end_of_life_date_is_an_arm_date_time(world: World) -> None:
    from datetime import date

    world.write(
        lambda db: services.update_definition(
            db, world.definition, DefinitionUpdate(end_of_life_date=date(2030, 1, 1)), world.clock
        )
    )
    # a date alone is 12:59:59 UTC that day, as az sends it
    assert _show(world.catalog, world.definition)["endOfLifeDate"] == "2030-01-01T12:59:59+00:00"


# --- versions ---------------------------------------------------------------------------------


def test_a_version_has_azures_keys_and_values(world: World) -> None:
    version = world.version(targets=["westus=2", "eastus"])
    shown = _show(world.catalog, version, replication_at=world.clock.now())
    assert set(shown) >= AZURE_VERSION_KEYS | ADDED_BY_AZ
    assert shown["type"] == "Microsoft.Compute/galleries/images/versions"
    assert (shown["name"], shown["location"]) == ("1.0.0", "westus")
    profile = shown["publishingProfile"]
    assert profile["targetRegions"] == [
        {"name": "West US", "regionalReplicaCount": 2, "storageAccountType": "Standard_LRS"},
        {"name": "East US", "regionalReplicaCount": 1, "storageAccountType": "Standard_LRS"},
    ]
    assert profile["replicaCount"] == 1
    assert profile["excludeFromLatest"] is False
    assert profile["endOfLifeDate"] is None
    assert profile["publishedDate"] == "2026-01-15T12:00:00+00:00"
    assert shown["storageProfile"] == {
        "source": {"id": world.image, "resourceGroup": "rg-images"},
        "osDiskImage": {"sizeInGB": 30, "hostCaching": "ReadWrite"},
        "dataDiskImages": [],
    }


def test_the_nested_keys_match_azures_sample(world: World) -> None:
    azure = sample_body(VERSION_SAMPLE)["properties"]
    ours = _show(world.catalog, world.version(), replication_at=world.clock.now())
    assert set(azure["publishingProfile"]) <= set(ours["publishingProfile"])
    assert set(ours["publishingProfile"]["targetRegions"][0]) <= set(
        azure["publishingProfile"]["targetRegions"][0]
    )
    assert set(azure["storageProfile"]) <= set(ours["storageProfile"])
    assert set(azure["storageProfile"]["osDiskImage"]) <= set(ours["storageProfile"]["osDiskImage"])
    assert set(azure["replicationStatus"]) == set(ours["replicationStatus"])
    assert set(azure["replicationStatus"]["summary"][0]) == set(
        ours["replicationStatus"]["summary"][0]
    )


def test_replication_status_only_when_asked(world: World) -> None:
    version = world.version()
    assert "replicationStatus" not in _show(world.catalog, version)


def test_replication_status_follows_each_region(world: World) -> None:
    version = world.version(targets=["westus", "eastus", "northeurope"])
    status = _show(world.catalog, version, replication_at=world.clock.now())["replicationStatus"]
    assert status["aggregatedState"] == "InProgress"
    assert status["summary"][0] == {
        "region": "West US",
        "state": "Completed",
        "details": "",
        "progress": 100,
    }
    assert status["summary"][1]["state"] == "Replicating"
    now = world.clock.now()
    world.write(lambda db: schedule.record(db, version, "eastus", "Completed", now))
    world.write(lambda db: schedule.record(db, version, "northeurope", "Completed", now))
    status = _show(world.catalog, version, replication_at=world.clock.now())["replicationStatus"]
    assert status["aggregatedState"] == "Completed"
    world.write(lambda db: schedule.record(db, version, "East US", "Failed", now, details="quota"))
    status = _show(world.catalog, version, replication_at=world.clock.now())["replicationStatus"]
    assert status["aggregatedState"] == "Failed"
    assert status["summary"][1] == {
        "region": "East US",
        "state": "Failed",
        "details": "quota",
        "progress": 0,
    }


def test_a_version_from_snapshots_names_them_per_disk(world: World) -> None:
    os_disk = world.build.snapshot(world.group, "os", size_gb=40)
    data_disk = world.build.snapshot(world.group, "data", size_gb=100, os_type=None)
    version = world.build.version(
        world.definition,
        os_snapshot=os_disk,
        data_snapshot_ids=[data_disk],
        data_snapshot_luns=[3],
    )
    storage = _show(world.catalog, version)["storageProfile"]
    assert "source" not in storage
    assert storage["osDiskImage"] == {
        "sizeInGB": 40,
        "hostCaching": "ReadWrite",
        "source": {"id": os_disk, "resourceGroup": "rg-images"},
    }
    data_source = {"id": data_disk, "resourceGroup": "rg-images"}
    assert storage["dataDiskImages"] == [
        {"lun": 3, "sizeInGB": 100, "hostCaching": "None", "source": data_source}
    ]


def test_a_managed_images_data_disks_become_the_versions(catalog: Catalog) -> None:
    build = Build(catalog)
    build.tenant()
    build.subscription()
    group = build.group()
    definition = build.definition(build.gallery(group))
    image = build.managed_image(group, data_disk_sizes_gb=[100, 200])
    version = build.version(definition, image=image)
    assert _show(catalog, version)["storageProfile"]["dataDiskImages"] == [
        {"lun": 0, "sizeInGB": 100, "hostCaching": "None"},
        {"lun": 1, "sizeInGB": 200, "hostCaching": "None"},
    ]
    assert _show(catalog, image)["storageProfile"] == {
        "osDisk": {"osType": "Linux", "osState": "Generalized", "diskSizeGb": 30},
        "dataDisks": [{"lun": 0, "diskSizeGb": 100}, {"lun": 1, "diskSizeGb": 200}],
    }


# --- galleries, sources, accounts -----------------------------------------------------------


def test_a_gallerys_unique_name_is_the_subscription_and_its_name_in_capitals(
    world: World,
) -> None:
    shown = _show(world.catalog, world.gallery)
    assert shown["identifier"] == {"uniqueName": f"{world.subscription}-GALLERY1"}
    assert shown["type"] == "Microsoft.Compute/galleries"
    assert (shown["name"], shown["location"], shown["resourceGroup"]) == (
        "gallery1",
        "westus",
        "rg-images",
    )
    assert (shown["tags"], shown["etag"], shown["description"]) == ({}, "1", None)


def test_a_snapshot_and_a_group_as_az_prints_them(world: World) -> None:
    snapshot = world.build.snapshot(world.group, "snap1", size_gb=64)
    assert _show(world.catalog, snapshot) == {
        "id": snapshot,
        "name": "snap1",
        "location": "westus",
        "resourceGroup": "rg-images",
        "type": "Microsoft.Compute/snapshots",
        "tags": {},
        "etag": "1",
        "diskSizeGb": 64,
        "osType": "Linux",
        "provisioningState": "Succeeded",
    }
    assert _show(world.catalog, world.group) == {
        "id": world.group,
        "name": "rg-images",
        "location": "westus",
        "managedBy": None,
        "tags": {},
        "type": "Microsoft.Resources/resourceGroups",
        "properties": {"provisioningState": "Succeeded"},
    }


def test_a_subscription_as_az_account_list_prints_it(catalog: Catalog) -> None:
    world = small_catalog(catalog, allowlisted=["australiacentral"])
    shown = _show(catalog, f"/subscriptions/{world.subscription}")
    with catalog.read() as db:
        tenant = azure_json.tenants(fetch.tenants(db))[0]
    assert shown == {
        "id": world.subscription,
        "name": "Production",
        "tenantId": tenant["tenantId"],
        "homeTenantId": tenant["tenantId"],
        "cloudName": "AzureCloud",
        "state": "Enabled",
        "isDefault": False,
        "managedByTenants": [],
        "allowlistedRegions": ["australiacentral"],
    }
    assert tenant["id"] == f"/tenants/{tenant['tenantId']}"
    assert tenant["displayName"] == "Contoso"


# --- lists: a constant number of queries --------------------------------------------------------


def _queries_to_render(catalog: Catalog, model: type[Any], render: Any) -> int:
    """Queries run by `render` for every row of `model`, in a fresh session."""
    with catalog.read() as db:
        rows = db.exec(sa.select(model).order_by(model.pk)).scalars().all()  # type: ignore[call-overload]
        db.expunge_all()  # parents must be loaded by the list function itself
        rows = [db.merge(row, load=False) for row in rows]
        with recorded_statements(catalog) as statements:
            render(db, rows)
        return len(statements)


def _galleries_with_versions(catalog: Catalog, count: int) -> None:
    build = Build(catalog)
    build.tenant()
    build.subscription()
    for n in range(count):
        group = build.group(f"rg{n}")
        definition = build.definition(build.gallery(group, f"gallery{n}"))
        image = build.managed_image(group, data_disk_sizes_gb=[10])
        snapshot = build.snapshot(group, size_gb=20)
        build.version(definition, "1.0.0", image=image, targets=["westus", "eastus"])
        build.version(definition, "2.0.0", os_snapshot=snapshot)


@pytest.mark.parametrize(
    ("model", "render"),
    [
        (Gallery, azure_json.galleries),
        (ImageDefinition, azure_json.definitions),
        (ImageVersion, azure_json.versions),
        (ManagedImage, azure_json.managed_images),
        (Snapshot, azure_json.snapshots),
        (ResourceGroup, azure_json.resource_groups),
        (Subscription, azure_json.subscriptions),
    ],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_a_list_costs_the_same_queries_for_one_row_or_many(
    new_database: Any, clock: Any, model: type[Any], render: Any
) -> None:
    from sigtui.catalog.store.db import open_catalog

    costs = []
    for count in (1, 4):
        catalog = open_catalog(new_database("sqlite"), clock=clock)
        try:
            _galleries_with_versions(catalog, count)
            costs.append(_queries_to_render(catalog, model, render))
        finally:
            catalog.close()
    assert costs[0] == costs[1], f"{costs[0]} queries for one, {costs[1]} for four"


def test_the_module_imports_neither_click_nor_textual() -> None:
    code = (
        "import sys, sigtui.catalog.azure.azure_json; "
        "print(sorted(m for m in ('click', 'textual') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
