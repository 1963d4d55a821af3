"""Import of Azure JSON (az output, REST bodies and examples, templates) into the catalog."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from builders import catalog_state, count, data_disks, replicas, targets

from sigtui.catalog.azure.importing import reading
from sigtui.catalog.azure.importing.documents import stable_subscription_id
from sigtui.catalog.azure.importing.reading import read_file
from sigtui.catalog.azure.importing.result import ImportResult
from sigtui.catalog.azure.importing.scope import IMPORT_TENANT
from sigtui.catalog.azure.importing.template import Deployment
from sigtui.catalog.azure.importing.write import import_document
from sigtui.catalog.model import models
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.queries import lookup
from sigtui.catalog.store.db import Catalog

DATA = Path(__file__).parent / "data"
IMPORT = DATA / "import"
AZURE = DATA / "azure"
SAMPLE_GALLERY = IMPORT / "sample-gallery.az-sig-list.json"
SAMPLE_DEFINITION = AZURE / "rest-example-2024-03-03-GalleryImage_Get.json"
SAMPLE_VERSION = (
    AZURE / "rest-example-2024-03-03-GalleryImageVersion_Get_WithReplicationStatus.json"
)
ESTATE = IMPORT / "estate.az.json"

PLACEHOLDER_SUB = stable_subscription_id("{subscription-id}")
SAMPLE_GROUP = f"/subscriptions/{PLACEHOLDER_SUB}/resourceGroups/myResourceGroup"
SAMPLE_GALLERY_ID = f"{SAMPLE_GROUP}/providers/Microsoft.Compute/galleries/myGalleryName"
SAMPLE_DEFINITION_ID = f"{SAMPLE_GALLERY_ID}/images/myGalleryImageName"
SAMPLE_VERSION_ID = f"{SAMPLE_DEFINITION_ID}/versions/1.0.0"

ESTATE_SUB = "33333333-3333-3333-3333-333333333333"
ESTATE_GALLERY = (
    f"/subscriptions/{ESTATE_SUB}/resourceGroups/rg-estate/providers/Microsoft.Compute"
    "/galleries/estateGallery"
)
ESTATE_DEFINITION = f"{ESTATE_GALLERY}/images/ubuntu"
ESTATE_VERSION = f"{ESTATE_DEFINITION}/versions/1.2.3"


def run_import(catalog: Catalog, *paths: Path) -> list[ImportResult]:
    results = []
    for path in paths:
        document = read_file(path)
        with catalog.write() as db:
            results.append(import_document(db, document, catalog.clock, file=path.name))
    return results


def refused_import(catalog: Catalog, code: str, document: Any) -> CatalogError:
    before = catalog_state(catalog)
    with pytest.raises(CatalogError) as caught, catalog.write() as db:
        import_document(db, document, catalog.clock)
    assert caught.value.code == code, caught.value
    assert catalog_state(catalog) == before
    return caught.value


def resolve(catalog: Catalog, arm_id: str) -> Any:
    with catalog.read() as db:
        return lookup.resolve(db, arm_id)


# --- the reference samples -------------------------------------------------------------------


def test_the_rest_examples_import_with_their_gallery(catalog: Catalog) -> None:
    results = run_import(catalog, SAMPLE_GALLERY, SAMPLE_DEFINITION, SAMPLE_VERSION)
    assert [r.created for r in results] == [1, 1, 1]
    definition = resolve(catalog, SAMPLE_DEFINITION_ID)
    assert (definition.publisher, definition.offer, definition.sku) == (
        "myPublisherName",
        "myOfferName",
        "mySkuName",
    )
    assert (definition.os_type, definition.os_state, definition.location) == (
        "Windows",
        "Generalized",
        "westus",
    )
    version = resolve(catalog, SAMPLE_VERSION_ID)
    assert version.external_source_id.endswith("/providers/Microsoft.Compute/images/{imageName}")
    assert version.os_disk_size_gb == 10
    assert data_disks(catalog, SAMPLE_VERSION_ID) == [(1, 10)]
    assert replicas(catalog, SAMPLE_VERSION_ID) == {
        "westus": (1, "Standard_LRS"),
        "eastus": (2, "Standard_LRS"),
    }
    states = {name: t.state for name, t in targets(catalog, SAMPLE_VERSION_ID).items()}
    assert states == {"westus": "Completed", "eastus": "Completed"}


def test_a_definitions_architecture_features_and_memory_in_mb_import_as_rest_gives_them(
    catalog: Catalog,
) -> None:
    """GalleryImage_Get of 2025-03-03: `architecture`, `features[]` of name/value pairs and
    `recommended.memory` in MB are kept as they are."""
    example = json.loads(SAMPLE_DEFINITION.read_text("utf-8"))
    example["responses"]["200"]["body"]["properties"].update(
        architecture="Arm64",
        hyperVGeneration="V2",
        features=[
            {"name": "SecurityType", "value": "TrustedLaunch"},
            {"name": "IsAcceleratedNetworkSupported", "value": "True"},
        ],
        recommended={"vCPUs": {"min": 2, "max": 8}, "memory": {"min": 2048, "max": 16384}},
    )
    run_import(catalog, SAMPLE_GALLERY)
    with catalog.write() as db:
        import_document(db, example, catalog.clock)
    definition = resolve(catalog, SAMPLE_DEFINITION_ID)
    assert definition.architecture == "Arm64"
    assert definition.features == {
        "SecurityType": "TrustedLaunch",
        "IsAcceleratedNetworkSupported": "True",
    }
    assert (definition.min_memory_mb, definition.max_memory_mb) == (2048, 16384)
    with catalog.write() as db:
        again = import_document(db, example, catalog.clock)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_the_placeholder_subscription_is_created_under_the_import_tenant(
    catalog: Catalog,
) -> None:
    run_import(catalog, SAMPLE_GALLERY)
    subscription = resolve(catalog, f"/subscriptions/{PLACEHOLDER_SUB}")
    with catalog.read() as db:
        tenant = db.get_one(models.Tenant, subscription.tenant_pk)
    assert tenant.name == IMPORT_TENANT
    assert resolve(catalog, SAMPLE_GROUP).location == "westus"


def test_a_definition_without_its_gallery_is_not_found(catalog: Catalog) -> None:
    error = refused_import(catalog, "SIG-NOT-FOUND", read_file(SAMPLE_DEFINITION))
    assert SAMPLE_DEFINITION_ID in error.message


# --- an estate: az output, external sources, skipped types --------------------------------------


def test_an_estate_imports_whole_with_external_sources(catalog: Catalog) -> None:
    [result] = run_import(catalog, ESTATE)
    assert (result.created, result.skipped) == (
        3,
        {"Microsoft.Compute/snapshots": 1, "Microsoft.Network/virtualNetworks": 1},
    )
    assert resolve(catalog, ESTATE_GALLERY).tags == {"env": "prod"}
    definition = resolve(catalog, ESTATE_DEFINITION)
    assert (definition.hyper_v_generation, definition.min_vcpus, definition.max_vcpus) == (
        "V2",
        2,
        8,
    )
    assert str(definition.end_of_life_date) == "2030-01-01 00:00:00+00:00"  # Azure's time kept
    version = resolve(catalog, ESTATE_VERSION)
    assert version.external_source_id.endswith("/snapshots/os-snap")
    assert replicas(catalog, ESTATE_VERSION) == {
        "westeurope": (2, "Standard_ZRS"),
        "eastus": (1, "Standard_LRS"),
    }
    assert data_disks(catalog, ESTATE_VERSION) == [(0, 128)]
    east = targets(catalog, ESTATE_VERSION)["eastus"]
    assert (east.state, east.progress) == ("Replicating", 40)


def test_importing_twice_changes_nothing(catalog: Catalog) -> None:
    run_import(catalog, SAMPLE_GALLERY, SAMPLE_DEFINITION, SAMPLE_VERSION, ESTATE)
    before = catalog_state(catalog)
    results = run_import(catalog, SAMPLE_GALLERY, SAMPLE_DEFINITION, SAMPLE_VERSION, ESTATE)
    assert [(r.created, r.updated) for r in results] == [(0, 0)] * 4
    assert sum(r.unchanged for r in results) == 6
    assert catalog_state(catalog) == before


def test_a_newer_file_updates(catalog: Catalog) -> None:
    run_import(catalog, ESTATE)
    [result] = run_import(catalog, IMPORT / "estate-newer.az.json")
    assert (result.created, result.updated, result.unchanged) == (0, 3, 0)
    assert resolve(catalog, ESTATE_GALLERY).description == "imported estate, described again"
    assert resolve(catalog, ESTATE_DEFINITION).max_vcpus == 16
    assert resolve(catalog, ESTATE_VERSION).exclude_from_latest is True
    assert replicas(catalog, ESTATE_VERSION)["eastus"] == (3, "Standard_LRS")


def test_a_file_changing_a_fixed_field_is_refused(catalog: Catalog) -> None:
    run_import(catalog, ESTATE)
    document = read_file(IMPORT / "estate-changed-sku.az.json")
    error = refused_import(catalog, "SIG-UPDATE", document)
    assert ESTATE_DEFINITION in error.message


def test_a_file_with_one_bad_resource_imports_nothing(catalog: Catalog) -> None:
    document = read_file(IMPORT / "estate-bad-replicas.az.json")
    error = refused_import(catalog, "SIG-REPLICAS", document)
    assert ESTATE_VERSION in error.message
    assert count(catalog, models.Gallery) == 0
    assert count(catalog, models.Subscription) == 0


def test_a_changed_source_is_refused(catalog: Catalog) -> None:
    run_import(catalog, ESTATE)
    document = json.loads(ESTATE.read_text())[:3]
    document[2]["storageProfile"]["osDiskImage"]["source"]["id"] += "-other"
    refused_import(catalog, "SIG-UPDATE", document)


def test_arm_rest_bodies_and_lists_are_accepted(catalog: Catalog) -> None:
    gallery = json.loads(SAMPLE_GALLERY.read_text())[0]
    body = {
        "id": gallery["id"],
        "name": gallery["name"],
        "location": "West US",
        "type": gallery["type"],
        "properties": {"description": "from REST"},
    }
    with catalog.write() as db:
        import_document(db, {"value": [body]}, catalog.clock)
    assert resolve(catalog, SAMPLE_GALLERY_ID).description == "from REST"


# --- unreadable files -------------------------------------------------------------------------


def test_a_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not json at all")
    with pytest.raises(CatalogError, match="not JSON") as caught:
        read_file(path)
    assert caught.value.code == "SIG-INPUT"


def test_a_file_over_the_size_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 10)
    path = tmp_path / "big.json"
    path.write_text("[" + " " * 20 + "]")
    with pytest.raises(CatalogError, match="at most 10 bytes") as caught:
        read_file(path)
    assert caught.value.code == "SIG-INPUT"


def test_a_past_end_of_life_date_is_kept_as_azure_holds_it(catalog: Catalog) -> None:
    """SIG-EOL is for what a user sets (a form, the CLI); a file says what Azure holds."""
    document = json.loads(ESTATE.read_text())[:2]
    document[1]["endOfLifeDate"] = "2020-01-01"
    with catalog.write() as db:
        result = import_document(db, document, catalog.clock)
    assert result.created == 2
    eol = resolve(catalog, ESTATE_DEFINITION).end_of_life_date
    assert str(eol) == "2020-01-01 12:59:59+00:00"  # a date alone, as az sends it


# --- ARM templates -----------------------------------------------------------------------------

QUICKSTART_GALLERY = IMPORT / "arm-quickstart-sig-create.azuredeploy.json"
QUICKSTART_DEFINITION = IMPORT / "arm-quickstart-sig-image-definition-create.azuredeploy.json"


def test_the_quickstart_templates_deploy_into_a_resource_group(catalog: Catalog) -> None:
    run_import(catalog, SAMPLE_GALLERY)  # creates the subscription and myResourceGroup
    names = {"galleryName": "quickGallery", "galleryImageDefinitionName": "quickDef"}
    deployment = Deployment(group_id=SAMPLE_GROUP, parameters=names)
    for path in (QUICKSTART_GALLERY, QUICKSTART_DEFINITION):
        with catalog.write() as db:
            document = read_file(path)
            result = import_document(db, document, catalog.clock, deployment=deployment)
        assert result.created == 1
    gallery_id = f"{SAMPLE_GROUP}/providers/Microsoft.Compute/galleries/quickGallery"
    assert resolve(catalog, gallery_id).description == "My Private Gallery"
    definition = resolve(catalog, f"{gallery_id}/images/quickDef")
    assert (definition.location, definition.publisher, definition.max_vcpus) == (
        "westus",
        "myPublisher",
        64,
    )


def test_a_template_parameter_without_a_value_is_named(catalog: Catalog) -> None:
    run_import(catalog, SAMPLE_GALLERY)
    deployment = Deployment(group_id=SAMPLE_GROUP)
    with pytest.raises(CatalogError, match="galleryName") as caught, catalog.write() as db:
        document = read_file(QUICKSTART_GALLERY)
        import_document(db, document, catalog.clock, deployment=deployment)
    assert caught.value.code == "SIG-INPUT"


def test_a_template_without_ids_needs_a_resource_group(catalog: Catalog) -> None:
    document = read_file(QUICKSTART_GALLERY)
    document["parameters"]["galleryName"]["defaultValue"] = "g"
    error = refused_import(catalog, "SIG-INPUT", document)
    assert "--resource-group" in error.message
