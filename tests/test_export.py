"""Export to an ARM template and an az script; the round trip through import."""

from __future__ import annotations

import json
import shlex
from typing import Any

import pytest
from builders import GROUP, LOCATION, SUBSCRIPTION_ID, Build
from conftest import NewDatabase

from sigtui.catalog.azure import azure_json, exporter
from sigtui.catalog.azure.importing.write import import_document
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import Gallery, ImageDefinition, ImageVersion
from sigtui.catalog.queries import lookup
from sigtui.catalog.store.clock import FixedClock
from sigtui.catalog.store.db import Catalog, open_catalog

GALLERY_TYPE = "Microsoft.Compute/galleries"
DEFINITION_TYPE = "Microsoft.Compute/galleries/images"
VERSION_TYPE = "Microsoft.Compute/galleries/images/versions"


class Estate:
    """A gallery with two definitions: versions from a managed image (one of them on
    ZRS in East US) and from snapshots."""

    def __init__(self, catalog: Catalog) -> None:
        build = Build(catalog)
        build.tenant()
        build.subscription()
        self.group = build.group()
        image = build.managed_image(self.group, data_disk_sizes_gb=[100])
        os_snapshot = build.snapshot(self.group, "os-snap", size_gb=40, os_type="Windows")
        data_snapshot = build.snapshot(self.group, "data-snap", size_gb=20, os_type=None)
        self.gallery = build.gallery(self.group, description="images", tags={"team": "x"})
        self.linux = build.definition(
            self.gallery,
            "linux",
            min_vcpus=2,
            max_vcpus=8,
            end_of_life_date="2030-01-01",
            disallowed_disk_types=["Standard_LRS"],
        )
        self.windows = build.definition(
            self.gallery,
            "windows",
            "Contoso",
            "Windows",
            "2022",
            os_type="Windows",
            hyper_v_generation="V2",
            features={"SecurityType": "TrustedLaunch"},
            min_memory_mb=4096,
        )
        self.lrs = build.version(self.linux, "1.0.0", image=image, targets=["westus=2", "eastus"])
        self.zrs = build.version(
            self.linux,
            "1.1.0",
            image=image,
            targets=["westus", "eastus=1=Standard_ZRS"],
            exclude_from_latest=True,
            tags={"build": "7"},
        )
        self.snapshots = build.version(
            self.windows,
            "2.0.0",
            os_snapshot=os_snapshot,
            data_snapshot_ids=[data_snapshot],
            data_snapshot_luns=[3],
        )


@pytest.fixture
def estate(catalog: Catalog) -> Estate:
    return Estate(catalog)


def template(catalog: Catalog, scope: str) -> dict[str, Any]:
    with catalog.read() as db:
        text = json.dumps(exporter.arm_template(db, scope))
    loaded: dict[str, Any] = json.loads(text)  # it is plain JSON
    return loaded


def by_name(template_json: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in template_json["resources"]}


# --- the template ------------------------------------------------------------------------------


def test_the_template_has_the_quickstart_shape(catalog: Catalog, estate: Estate) -> None:
    shaped = template(catalog, estate.group)
    assert shaped["$schema"] == (
        "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
    )
    assert shaped["contentVersion"] == "1.0.0.0"
    assert shaped["parameters"] == {
        "location": {
            "type": "string",
            "defaultValue": LOCATION,
            "metadata": {"description": "Location of the resources now in westus."},
        }
    }


def test_the_template_holds_exactly_the_resources_and_api_versions(
    catalog: Catalog, estate: Estate
) -> None:
    resources = by_name(template(catalog, f"/subscriptions/{SUBSCRIPTION_ID}"))
    assert {name: (r["type"], r["apiVersion"]) for name, r in resources.items()} == {
        "gallery1": (GALLERY_TYPE, "2024-03-03"),
        "gallery1/linux": (DEFINITION_TYPE, "2024-03-03"),
        "gallery1/windows": (DEFINITION_TYPE, "2024-03-03"),
        "gallery1/linux/1.0.0": (VERSION_TYPE, "2024-03-03"),
        "gallery1/linux/1.1.0": (VERSION_TYPE, "2024-03-03"),
        "gallery1/windows/2.0.0": (VERSION_TYPE, "2024-03-03"),
    }
    assert all(r["location"] == "[parameters('location')]" for r in resources.values())


def test_the_template_properties(catalog: Catalog, estate: Estate) -> None:
    resources = by_name(template(catalog, estate.gallery))
    gallery = resources["gallery1"]
    assert gallery["properties"] == {"description": "images"}
    assert gallery["tags"] == {"team": "x"}
    assert "dependsOn" not in gallery
    linux = resources["gallery1/linux"]
    assert linux["dependsOn"] == ["[resourceId('Microsoft.Compute/galleries', 'gallery1')]"]
    assert linux["properties"] == {
        "osType": "Linux",
        "osState": "Generalized",
        "hyperVGeneration": "V1",
        "architecture": "x64",
        "identifier": {"publisher": "Contoso", "offer": "Finance", "sku": "Backend"},
        "endOfLifeDate": "2030-01-01T12:59:59+00:00",  # a date alone, as az sends it
        "recommended": {"vCPUs": {"min": 2, "max": 8}},
        "disallowed": {"diskTypes": ["Standard_LRS"]},
    }
    zrs = resources["gallery1/linux/1.1.0"]
    assert zrs["dependsOn"] == [
        "[resourceId('Microsoft.Compute/galleries/images', 'gallery1', 'linux')]"
    ]
    assert zrs["tags"] == {"build": "7"}
    assert zrs["properties"]["publishingProfile"] == {
        "targetRegions": [
            {
                "name": "[parameters('location')]",
                "regionalReplicaCount": 1,
                "storageAccountType": "Standard_LRS",
            },
            {"name": "East US", "regionalReplicaCount": 1, "storageAccountType": "Standard_ZRS"},
        ],
        "replicaCount": 1,
        "storageAccountType": "Standard_LRS",
        "excludeFromLatest": True,
    }
    assert zrs["properties"]["safetyProfile"] == {"allowDeletionOfReplicatedLocations": False}
    assert resources["gallery1/linux/1.0.0"]["metadata"]["resourceId"] == estate.lrs


def test_a_definition_has_its_features_and_memory_in_mb(catalog: Catalog, estate: Estate) -> None:
    windows = by_name(template(catalog, estate.windows))["gallery1/windows"]["properties"]
    assert windows["hyperVGeneration"] == "V2"
    assert windows["features"] == [{"name": "SecurityType", "value": "TrustedLaunch"}]
    assert windows["recommended"] == {"memory": {"min": 4096}}


def test_a_version_from_a_managed_image_names_only_its_source(
    catalog: Catalog, estate: Estate
) -> None:
    zrs = by_name(template(catalog, estate.zrs))["gallery1/linux/1.1.0"]["properties"]
    assert zrs["storageProfile"] == {
        "source": {
            "id": f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{GROUP}"
            "/providers/Microsoft.Compute/images/image1"
        }
    }


def test_a_version_from_snapshots_names_each_disks_source(catalog: Catalog, estate: Estate) -> None:
    resources = by_name(template(catalog, estate.snapshots))
    snapshots = f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{GROUP}" + (
        "/providers/Microsoft.Compute/snapshots"
    )
    assert resources["gallery1/windows/2.0.0"]["properties"]["storageProfile"] == {
        "osDiskImage": {"hostCaching": "ReadWrite", "source": {"id": f"{snapshots}/os-snap"}},
        "dataDiskImages": [
            {"lun": 3, "hostCaching": "None", "source": {"id": f"{snapshots}/data-snap"}}
        ],
    }


def test_a_version_from_a_vm_names_its_virtual_machine_id(catalog: Catalog, estate: Estate) -> None:
    vm = f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{GROUP}" + (
        "/providers/Microsoft.Compute/virtualMachines/vm1"
    )
    _source_outside_the_catalog(catalog, estate.lrs, vm)
    lrs = by_name(template(catalog, estate.lrs))["gallery1/linux/1.0.0"]["properties"]
    assert lrs["storageProfile"] == {"source": {"virtualMachineId": vm}}


def test_a_version_from_a_vhd_names_the_blob_of_its_os_disk(
    catalog: Catalog, estate: Estate
) -> None:
    blob = "https://contoso.blob.core.windows.net/vhds/os.vhd"
    _source_outside_the_catalog(catalog, estate.lrs, blob)
    lrs = by_name(template(catalog, estate.lrs))["gallery1/linux/1.0.0"]["properties"]
    assert lrs["storageProfile"]["osDiskImage"] == {
        "hostCaching": "ReadWrite",
        "source": {"uri": blob},
    }


def _source_outside_the_catalog(catalog: Catalog, version_id: str, source: str) -> None:
    """Make the version's source one the catalog does not hold (as an import leaves it)."""
    with catalog.write() as db:
        row = lookup.resolve_as(db, version_id, ImageVersion)
        row.managed_image_pk, row.external_source_id = None, source
        db.add(row)


def test_read_only_values_are_left_out_and_kept_in_metadata(
    catalog: Catalog, estate: Estate
) -> None:
    resources = by_name(template(catalog, estate.gallery))
    text = json.dumps([r["properties"] for r in resources.values()])
    for read_only in ("provisioningState", "publishedDate", "sizeInGB", "uniqueName"):
        assert read_only not in text
    assert '"resourceGroup"' not in text
    with catalog.read() as db:
        published = lookup.resolve_as(db, estate.snapshots, ImageVersion).published_at
    assert resources["gallery1/windows/2.0.0"]["metadata"]["reported"] == {
        "publishingProfile": {"publishedDate": azure_json.arm_datetime(published)},
        "storageProfile": {
            "osDiskImage": {"sizeInGB": 40},
            "dataDiskImages": [{"lun": 3, "sizeInGB": 20}],
        },
    }


def test_a_version_scope_brings_its_parents(catalog: Catalog, estate: Estate) -> None:
    resources = by_name(template(catalog, estate.snapshots))
    assert list(resources) == ["gallery1", "gallery1/windows", "gallery1/windows/2.0.0"]


def test_an_unknown_scope_is_not_found(catalog: Catalog, estate: Estate) -> None:
    with pytest.raises(CatalogError) as caught, catalog.read() as db:
        exporter.arm_template(db, estate.gallery + "x")
    assert caught.value.code == "SIG-NOT-FOUND"


# --- the az script -----------------------------------------------------------------------------


def test_the_az_script_recreates_the_scope(catalog: Catalog, estate: Estate) -> None:
    with catalog.read() as db:
        script = exporter.az_script(db, estate.group)
    commands = [shlex.split(line) for line in script.splitlines() if line.startswith("az ")]
    assert [c[:4] for c in commands] == [
        ["az", "group", "create", "--subscription"],
        ["az", "sig", "create", "--subscription"],
        ["az", "sig", "image-definition", "create"],
        ["az", "sig", "image-definition", "create"],
        ["az", "sig", "image-version", "create"],
        ["az", "sig", "image-version", "create"],
        ["az", "sig", "image-version", "create"],
    ]
    zrs = commands[5]
    at = zrs.index("--target-regions")
    assert zrs[at + 1 : at + 3] == ["westus=1=Standard_LRS", "eastus=1=Standard_ZRS"]
    assert zrs[6:14] == ["-g", GROUP, "-r", "gallery1", "-i", "linux", "-e", "1.1.0"]
    snapshots = commands[6]
    assert snapshots[snapshots.index("--data-snapshot-luns") + 1] == "3"


# --- the round trip ----------------------------------------------------------------------------


def everything(catalog: Catalog) -> list[dict[str, Any]]:
    """Every gallery resource as az prints it, without etags."""
    with catalog.read() as db:
        shown = [
            *azure_json.galleries(db, list(db.exec(_all(Gallery)))),
            *azure_json.definitions(db, list(db.exec(_all(ImageDefinition)))),
            *azure_json.versions(
                db, list(db.exec(_all(ImageVersion))), replication_at=catalog.clock.now()
            ),
        ]
    return sorted(
        ({k: v for k, v in item.items() if k != "etag"} for item in shown),
        key=lambda item: item["id"],
    )


def _all(model: type[Any]) -> Any:
    from sqlmodel import select

    return select(model)


def test_export_then_import_gives_the_same_resources(
    catalog: Catalog, estate: Estate, new_database: NewDatabase, clock: FixedClock
) -> None:
    exported = template(catalog, f"/subscriptions/{SUBSCRIPTION_ID}")
    empty = open_catalog(new_database(catalog.engine.dialect.name), clock=clock)
    try:
        with empty.write() as db:
            result = import_document(db, exported, clock)
        assert result.created == 6
        assert everything(empty) == everything(catalog)
        with empty.write() as db:
            again = import_document(db, exported, clock)
        assert again.unchanged == 6
        with empty.read() as db:
            version = lookup.resolve_as(db, estate.lrs, ImageVersion)
        assert version.external_source_id is not None
    finally:
        empty.close()
