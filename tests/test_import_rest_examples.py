"""Import of what Azure gives (issue #20): every Get, Create and List body of galleries,
definitions and versions, shaped as Azure's REST examples of GalleryRP 2025-03-03
(tests/data/azure/rest-2025-03-03, one file per example, named after it), kept as Azure
reported it. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from builders import catalog_state, count, data_disks, replicas, targets
from cli_runner import Sigtui
from sqlmodel import select

from sigtui.catalog.azure.importing.documents import stable_subscription_id
from sigtui.catalog.azure.importing.reading import read_file
from sigtui.catalog.azure.importing.result import ImportResult
from sigtui.catalog.azure.importing.write import import_document
from sigtui.catalog.model import models
from sigtui.catalog.model.errors import Refusals
from sigtui.catalog.queries import lookup
from sigtui.catalog.store.db import Catalog

EXAMPLES = Path(__file__).parent / "data" / "azure" / "rest-2025-03-03"

SUB = stable_subscription_id("{subscription-id}")
GROUP = f"/subscriptions/{SUB}/resourceGroups/myResourceGroup"
GALLERY = f"{GROUP}/providers/Microsoft.Compute/galleries/myGalleryName"
DEFINITION = f"{GALLERY}/images/myGalleryImageName"
VERSION = f"{DEFINITION}/versions/1.0.0"

# each example, with what it names and the examples its parents come from
PARENTS = {
    "gallery": [],
    "definition": ["Gallery_Get"],
    "version": ["Gallery_Get", "GalleryImage_Get"],
}
KIND = {
    models.Gallery: "gallery",
    models.ImageDefinition: "definition",
    models.ImageVersion: "version",
}
ID = {"gallery": GALLERY, "definition": DEFINITION, "version": VERSION}
GET_AND_CREATE = {
    "Gallery_Get": "gallery",
    "Gallery_Create": "gallery",
    "GalleryImage_Get": "definition",
    "GalleryImage_Create": "definition",
    "GalleryImageVersion_Get": "version",
    "GalleryImageVersion_Create": "version",
    "GalleryImageVersion_Create_WithSnapshotsAsSource": "version",
    "GalleryImageVersion_Create_WithVmAsSource": "version",
    "GalleryImageVersion_Get_WithVhdAsSource": "version",
    "GalleryImageVersion_Create_WithImageVersionAsSource": "version",
}
# a version from each of Azure's sources: a VM, VHD blobs, another gallery's version, snapshots
SOURCE_EXAMPLES = [
    "GalleryImageVersion_Create_WithVmAsSource",
    "GalleryImageVersion_Get_WithVhdAsSource",
    "GalleryImageVersion_Create_WithImageVersionAsSource",
    "GalleryImageVersion_Create_WithSnapshotsAsSource",
]
LISTS = {
    "Gallery_ListByResourceGroup": "gallery",
    "Gallery_ListBySubscription": "gallery",
    "GalleryImage_ListByGallery": "definition",
    "GalleryImageVersion_ListByGalleryImage": "version",
}


def example(name: str) -> Any:
    return read_file(EXAMPLES / f"{name}.json")


def imported(catalog: Catalog, *names: str) -> list[ImportResult]:
    results = []
    for name in names:
        with catalog.write() as db:
            results.append(import_document(db, example(name), catalog.clock, file=name))
    return results


def resolve(catalog: Catalog, arm_id: str) -> Any:
    with catalog.read() as db:
        return lookup.resolve(db, arm_id)


def counts(result: ImportResult) -> tuple[int, int, int]:
    return (result.created, result.updated, result.unchanged)


@pytest.mark.parametrize("name", GET_AND_CREATE)
def test_each_get_and_create_example_creates_its_resource_at_its_parameters_path(
    catalog: Catalog, name: str
) -> None:
    """The examples' ids are abbreviated (`/providers/...`, `.../galleries/myGallery`,
    `.../locations/westus/Galleries/...`): the path comes from the parameters."""
    kind = GET_AND_CREATE[name]
    imported(catalog, *PARENTS[kind])
    [result] = imported(catalog, name)
    assert counts(result) == (1, 0, 0)
    row = resolve(catalog, ID[kind])
    assert KIND[type(row)] == kind
    assert (row.name, row.location) == (ID[kind].rsplit("/", 1)[1], "westus")
    again = imported(catalog, name)[0]
    assert counts(again) == (0, 0, 1)


@pytest.mark.parametrize(
    "name", ["Gallery_Create", "GalleryImage_Create", "GalleryImageVersion_Create"]
)
def test_a_create_example_keeps_what_its_request_asked(catalog: Catalog, name: str) -> None:
    document = example(name)
    request = next(
        v
        for k, v in document["parameters"].items()
        if k.startswith("gallery") and isinstance(v, dict)
    )
    kind = GET_AND_CREATE[name]
    imported(catalog, *PARENTS[kind], name)
    row = resolve(catalog, ID[kind])
    asked = request["properties"]
    if kind == "gallery":
        assert row.description == asked["description"]
    elif kind == "definition":
        wanted = (
            *asked["identifier"].values(),
            asked["osType"],
            asked["osState"],
            asked["hyperVGeneration"],
        )
        assert (
            row.publisher,
            row.offer,
            row.sku,
            row.os_type,
            row.os_state,
            row.hyper_v_generation,
        ) == wanted
    else:
        assert row.external_source_id == asked["storageProfile"]["source"]["id"]
        asked_replicas = {
            t["name"]: t["regionalReplicaCount"]
            for t in asked["publishingProfile"]["targetRegions"]
        }
        assert asked_replicas == {"West US": 1, "East US": 2}
        assert replicas(catalog, VERSION) == {
            "westus": (1, "Standard_LRS"),
            "eastus": (2, "Standard_ZRS"),
        }


@pytest.mark.parametrize("name", LISTS)
def test_a_list_example_creates_each_of_its_items_and_nothing_else(
    catalog: Catalog, name: str
) -> None:
    kind = LISTS[name]
    imported(catalog, *PARENTS[kind])
    before = {model: count(catalog, model) for model in KIND}
    [result] = imported(catalog, name)
    items = example(name)["responses"]["200"]["body"]["value"]
    assert counts(result) == (len(items), 0, 0)
    after = {model: count(catalog, model) for model in KIND}
    assert {KIND[m]: after[m] - before[m] for m in KIND} == {
        k: len(items) if k == kind else 0 for k in ID
    }
    assert KIND[type(resolve(catalog, ID[kind]))] == kind


def test_a_version_list_imports_through_the_cli_and_says_so(sigtui: Sigtui) -> None:
    files = [
        str(EXAMPLES / f"{n}.json")
        for n in (*PARENTS["version"], "GalleryImageVersion_ListByGalleryImage")
    ]
    shown = sigtui.ok("import", *files, "-o", "json")
    assert [f["created"] for f in shown["files"]] == [1, 1, 1]
    listed = sigtui.ok(
        "sig", "image-version", "list", "-g", "myResourceGroup", "-r", "myGalleryName",
        "-i", "myGalleryImageName", "-o", "json",
    )  # fmt: skip
    assert [v["name"] for v in listed] == ["1.0.0"]


def test_imported_values_are_kept_as_azure_reported_them(catalog: Catalog) -> None:
    """publishedDate, the disks Azure reports and each region's replication state (a
    version published in 2018 has long completed)."""
    imported(catalog, *PARENTS["version"], "GalleryImageVersion_Create_WithSnapshotsAsSource")
    version = resolve(catalog, VERSION)
    assert version.published_at == datetime(2018, 1, 1, tzinfo=UTC)
    assert version.external_source_id.endswith("/snapshots/{osSnapshotName}")
    assert version.os_disk_size_gb == 10
    assert data_disks(catalog, VERSION) == [(1, 10)]
    states = {region: t.state for region, t in targets(catalog, VERSION).items()}
    assert states == {"westus": "Completed", "eastus": "Completed"}


def test_a_sharing_update_is_skipped_with_a_note(catalog: Catalog) -> None:
    imported(catalog, "Gallery_Get")
    before = catalog_state(catalog)
    [result] = imported(catalog, "Gallery_AddToSharingProfile")
    assert counts(result) == (0, 0, 0)
    assert dict(result.skipped) == {"SharingUpdate": 1}
    assert result.notes == ["skipped SharingUpdate: not a gallery resource, nothing imported"]
    assert "skipped SharingUpdate" in result.summary()
    assert result.as_json()["notes"] == result.notes
    assert catalog_state(catalog) == before


def test_an_operation_status_is_skipped_with_a_note(catalog: Catalog) -> None:
    status = {
        "name": "0f8bc5b1-5ba8-4cf9-b0b4-b8a2d67ac3a8",
        "status": "Succeeded",
        "startTime": "2025-03-03T10:00:00.0000000+00:00",
        "endTime": "2025-03-03T10:00:05.0000000+00:00",
    }
    with catalog.write() as db:
        result = import_document(db, [status, status], catalog.clock)
    assert dict(result.skipped) == {"OperationStatus": 2}
    assert len(result.notes) == 1
    assert result.notes[0].startswith("skipped OperationStatus 0f8bc5b1-")


def test_a_version_past_its_end_of_life_imports_as_azure_holds_it(catalog: Catalog) -> None:
    """SIG-EOL is for what a user sets: what Azure holds is taken as it is, new or updated."""
    document = example("GalleryImageVersion_Get")
    profile = document["responses"]["200"]["body"]["properties"]["publishingProfile"]
    imported(catalog, *PARENTS["version"])
    with catalog.write() as db:
        import_document(db, document, catalog.clock)
    profile["endOfLifeDate"] = "2024-06-30T00:00:00Z"
    with catalog.write() as db:
        result = import_document(db, document, catalog.clock)
    assert counts(result) == (0, 1, 0)
    assert resolve(catalog, VERSION).end_of_life_date == datetime(2024, 6, 30, tzinfo=UTC)
    with catalog.write() as db:
        again = import_document(db, json.loads(json.dumps(document)), catalog.clock)
    assert counts(again) == (0, 0, 1)


def test_a_gallery_application_listed_like_images_is_not_taken_for_a_definition(
    catalog: Catalog,
) -> None:
    """GalleryApplication_ListByGallery has the parameters of GalleryImage_ListByGallery:
    the item's own id says it is no image."""
    document = example("GalleryImage_ListByGallery")
    [item] = document["responses"]["200"]["body"]["value"]
    item["id"] = f"{GALLERY}/applications/myGalleryApplicationName"
    item["name"] = "myGalleryApplicationName"
    item["properties"] = {"description": "This is the gallery application description."}
    imported(catalog, "Gallery_Get")
    before = catalog_state(catalog)
    with catalog.write() as db:
        result = import_document(db, document, catalog.clock)
    assert (counts(result), sum(result.skipped.values())) == ((0, 0, 0), 1)
    assert catalog_state(catalog) == before


def response_body(name: str) -> Any:
    return example(name)["responses"]["200"]["body"]


def without_resource_groups(value: Any) -> Any:
    """What az prints, without the `resourceGroup` it adds to nested ids."""
    if isinstance(value, list):
        return [without_resource_groups(item) for item in value]
    if isinstance(value, dict):
        return {k: without_resource_groups(v) for k, v in value.items() if k != "resourceGroup"}
    return value


def shown_version(sigtui: Sigtui) -> Any:
    return sigtui.ok(
        "sig", "image-version", "show", "-g", "myResourceGroup", "-r", "myGalleryName",
        "-i", "myGalleryImageName", "-e", "1.0.0", "-o", "json",
    )  # fmt: skip


def import_examples(sigtui: Sigtui, *names: str) -> None:
    sigtui.ok("import", *(str(EXAMPLES / f"{n}.json") for n in names), "-o", "json")


@pytest.mark.parametrize("name", SOURCE_EXAMPLES)
def test_a_version_from_each_source_shows_its_storage_profile_as_azure_reported_it(
    sigtui: Sigtui, name: str
) -> None:
    """The VM's id, the VHD blobs' URIs and storage accounts, the other version's id, the
    disk sizes where Azure gives them and each disk's host caching come back as imported."""
    import_examples(sigtui, *PARENTS["version"], name)
    body = response_body(name)["properties"]
    shown = shown_version(sigtui)
    assert without_resource_groups(shown["storageProfile"]) == body["storageProfile"]
    assert shown["provisioningState"] == body["provisioningState"]


def test_a_vhd_source_keeps_each_blobs_storage_account(catalog: Catalog) -> None:
    imported(catalog, *PARENTS["version"], "GalleryImageVersion_Get_WithVhdAsSource")
    version = resolve(catalog, VERSION)
    account = "/providers/Microsoft.Storage/storageAccounts/{storageAccount}"
    assert version.external_source_id.startswith("https://gallerysourcencus.blob.")
    assert version.source_storage_account_id.endswith(account)
    assert version.os_disk_size_gb == 0  # Azure's example gives no size: unknown
    with catalog.read() as db:
        [disk] = db.exec(select(models.DataDisk).where(models.DataDisk.version_pk == version.pk))
    assert (disk.lun, disk.size_gb, disk.storage_account_id.endswith(account)) == (1, 0, True)


def test_a_version_made_from_a_version_the_catalog_holds_imports(catalog: Catalog) -> None:
    """The example's source is another gallery's version: here one of the catalog's."""
    document = example("GalleryImageVersion_Create_WithImageVersionAsSource")
    body = document["responses"]["200"]["body"]
    body["id"] = body["id"].replace("/Versions/1.0.0", "/Versions/2.0.0")
    body["name"] = document["parameters"]["galleryImageVersionName"] = "2.0.0"
    body["properties"]["storageProfile"]["source"]["id"] = VERSION
    imported(catalog, *PARENTS["version"], "GalleryImageVersion_Get")
    with catalog.write() as db:
        result = import_document(db, document, catalog.clock)
    assert counts(result) == (1, 0, 0)
    made = resolve(catalog, VERSION.replace("/versions/1.0.0", "/versions/2.0.0"))
    assert (made.external_source_id, made.os_disk_size_gb) == (VERSION, 10)


def test_host_caching_is_kept_as_azure_reported_it(catalog: Catalog) -> None:
    """ReadOnly on the OS disk where sigtui would give ReadWrite; data disks as given."""
    document = example("GalleryImageVersion_Create_WithVmAsSource")
    profile = document["responses"]["200"]["body"]["properties"]["storageProfile"]
    profile["dataDiskImages"].append({"lun": 2, "sizeInGB": 10, "hostCaching": "readwrite"})
    imported(catalog, *PARENTS["version"])
    with catalog.write() as db:
        import_document(db, document, catalog.clock)
    version = resolve(catalog, VERSION)
    assert version.os_host_caching == "ReadOnly"
    with catalog.read() as db:
        disks = db.exec(select(models.DataDisk).where(models.DataDisk.version_pk == version.pk))
        assert {d.lun: d.host_caching for d in disks} == {1: "None", 2: "ReadWrite"}


def test_a_host_caching_azure_does_not_know_is_refused(catalog: Catalog) -> None:
    document = example("GalleryImageVersion_Create_WithVmAsSource")
    profile = document["responses"]["200"]["body"]["properties"]["storageProfile"]
    profile["osDiskImage"]["hostCaching"] = "WriteBack"
    imported(catalog, *PARENTS["version"])
    with pytest.raises(Refusals) as refused, catalog.write() as db:
        import_document(db, document, catalog.clock)
    [(_, error)] = refused.value.refusals
    assert error.code == "SIG-INPUT" and "WriteBack" in error.message


def test_provisioning_states_are_kept_as_azure_reported_them(sigtui: Sigtui) -> None:
    """Each Create example's response is `Updating`: so the gallery, the definition and
    the version show it."""
    import_examples(sigtui, "Gallery_Create", "GalleryImage_Create", "GalleryImageVersion_Create")
    gallery = sigtui.ok("sig", "show", "-g", "myResourceGroup", "-r", "myGalleryName")
    definition = sigtui.ok(
        "sig", "image-definition", "show", "-g", "myResourceGroup", "-r", "myGalleryName",
        "-i", "myGalleryImageName",
    )  # fmt: skip
    states = [s["provisioningState"] for s in (gallery, definition, shown_version(sigtui))]
    assert states == ["Updating"] * 3


def test_a_reimport_keeps_the_provisioning_state_azure_reports_now(catalog: Catalog) -> None:
    """Created (`Updating`), then got once Azure is done (`Succeeded`): an update; the
    same body again changes nothing."""
    imported(catalog, "Gallery_Create")
    assert resolve(catalog, GALLERY).provisioning_state == "Updating"
    [result] = imported(catalog, "Gallery_Get")
    assert counts(result) == (0, 1, 0)
    assert resolve(catalog, GALLERY).provisioning_state == "Succeeded"
    assert counts(imported(catalog, "Gallery_Get")[0]) == (0, 0, 1)
