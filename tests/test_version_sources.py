"""Image versions from a VM, from VHD blobs (storage account + URI) and from another
gallery's version, as `az sig image-version create` takes them (`--virtual-machine`,
`--os-vhd-uri`/`--os-vhd-storage-account`, `--data-vhds-*`, `--image-version`), shown
as GalleryRP 2025-03-03 returns them; data disks given without LUNs get 0..n-1 (as az)."""

from __future__ import annotations

import pytest
from cli_runner import DEF, SUB_ID, G, Sigtui

GROUP_ID = f"/subscriptions/{SUB_ID}/resourceGroups/rg1"
VM_ID = (
    f"/subscriptions/{SUB_ID}/resourceGroups/vmrg/providers/Microsoft.Compute/virtualMachines/vm1"
)
ACCOUNT_ID = f"{GROUP_ID}/providers/Microsoft.Storage/storageAccounts/acct1"
BLOBS = "https://acct1.blob.core.windows.net/vhds"
SOURCE_VERSION_ID = (
    f"{GROUP_ID}/providers/Microsoft.Compute/galleries/gallery1/images/def1/versions/1.0.0"
)
V2 = [*DEF, "-e", "2.0.0"]
CREATE = ["sig", "image-version", "create"]


def _storage(shown: dict) -> dict:
    storage: dict = shown["storageProfile"]
    return storage


def _second_definition(estate: Sigtui, *extra: str) -> list[str]:
    """A definition `def2` in gallery1 (Linux, V1, generalized unless `extra` says)."""
    names = [*G, "-i", "def2"]
    estate.ok(
        "sig", "image-definition", "create", *names, "-p", "Contoso", "-f", "Finance",
        "-s", "Other", "--os-type", "Linux", "--hyper-v-generation", "V1", *extra,
    )  # fmt: skip
    return [*names, "-e", "1.0.0"]


def test_a_version_from_a_vm_shows_its_virtual_machine_id(estate: Sigtui) -> None:
    created = estate.ok(*CREATE, *V2, "--virtual-machine", VM_ID)
    storage = _storage(created)
    assert storage["source"] == {"virtualMachineId": VM_ID}
    assert "sizeInGB" not in storage["osDiskImage"]  # the catalog cannot measure a VM's disk
    assert storage["dataDiskImages"] == []
    assert _storage(estate.ok("sig", "image-version", "show", *V2)) == storage


def test_a_vm_version_created_again_succeeds_and_its_source_cannot_change(
    estate: Sigtui,
) -> None:
    first = estate.ok(*CREATE, *V2, "--virtual-machine", VM_ID)
    again = estate.ok(*CREATE, *V2, "--virtual-machine", VM_ID.upper().replace("/SUBS", "/subs"))
    assert again["etag"] == first["etag"]
    other_vm = VM_ID.replace("vm1", "vm2")
    estate.fails("SIG-UPDATE", *CREATE, *V2, "--virtual-machine", other_vm)


def test_a_vm_source_must_be_the_id_of_a_virtual_machine(estate: Sigtui) -> None:
    disk = VM_ID.replace("virtualMachines", "disks")
    result = estate.fails("SIG-INPUT", *CREATE, *V2, "--virtual-machine", disk)
    assert "not the ARM id of a virtual machine" in result.stderr
    assert estate("sig", "image-version", "show", *V2).exit_code == 3


def test_a_whole_image_source_takes_no_data_disks(estate: Sigtui) -> None:
    estate.ok("snapshot", "create", "-g", "rg1", "-n", "d1", "--size-gb", "8")
    result = estate.fails(
        "SIG-INPUT", *CREATE, *V2, "--virtual-machine", VM_ID, "--data-snapshots", "d1"
    )
    assert "not with a whole-image source" in result.stderr


def test_a_version_from_vhd_blobs_shows_each_uri_with_its_storage_account(
    estate: Sigtui,
) -> None:
    created = estate.ok(
        *CREATE, *V2, "--os-vhd-uri", f"{BLOBS}/os.vhd", "--os-vhd-storage-account", "acct1",
        "--data-vhds-uris", f"{BLOBS}/a.vhd", f"{BLOBS}/b.vhd",
        "--data-vhds-storage-accounts", "acct1", ACCOUNT_ID,
    )  # fmt: skip
    storage = _storage(created)
    assert "source" not in storage
    assert storage["osDiskImage"] == {
        "hostCaching": "ReadWrite",
        "source": {"storageAccountId": ACCOUNT_ID, "uri": f"{BLOBS}/os.vhd"},
    }
    assert [(d["lun"], d["source"]) for d in storage["dataDiskImages"]] == [
        (0, {"storageAccountId": ACCOUNT_ID, "uri": f"{BLOBS}/a.vhd"}),
        (1, {"storageAccountId": ACCOUNT_ID, "uri": f"{BLOBS}/b.vhd"}),
    ]
    assert _storage(estate.ok("sig", "image-version", "show", *V2)) == storage


def test_data_snapshots_without_luns_get_0_to_n_minus_1(estate: Sigtui) -> None:
    estate.ok("snapshot", "create", "-g", "rg1", "-n", "os", "--size-gb", "30")
    estate.ok("snapshot", "create", "-g", "rg1", "-n", "d1", "--size-gb", "8")
    estate.ok("snapshot", "create", "-g", "rg1", "-n", "d2", "--size-gb", "9")
    created = estate.ok(*CREATE, *V2, "--os-snapshot", "os", "--data-snapshots", "d1", "d2")
    disks = _storage(created)["dataDiskImages"]
    assert [(d["lun"], d["sizeInGB"], d["source"]["id"][-2:]) for d in disks] == [
        (0, 8, "d1"),
        (1, 9, "d2"),
    ]


def test_an_os_vhd_uri_goes_with_its_storage_account(estate: Sigtui) -> None:
    result = estate.fails("SIG-INPUT", *CREATE, *V2, "--os-vhd-uri", f"{BLOBS}/os.vhd")
    assert "--os-vhd-uri and --os-vhd-storage-account go together" in result.stderr


@pytest.mark.parametrize(
    "uri",
    [
        "http://acct1.blob.core.windows.net/vhds/os.vhd",  # not https
        "https://acct1.file.core.windows.net/vhds/os.vhd",  # not a blob endpoint
        "https://acct1.blob.core.windows.net/os.vhd",  # no container
        "https://other.blob.core.windows.net/vhds/os.vhd",  # another storage account
        "not a uri",
    ],
)
def test_a_vhd_uri_must_be_an_https_blob_of_its_storage_account(estate: Sigtui, uri: str) -> None:
    estate.fails(
        "SIG-INPUT", *CREATE, *V2, "--os-vhd-uri", uri, "--os-vhd-storage-account", "acct1"
    )
    assert estate("sig", "image-version", "show", *V2).exit_code == 3


def test_a_vhd_in_another_cloud_is_refused(estate: Sigtui) -> None:
    china = "https://acct1.blob.core.chinacloudapi.cn/vhds/os.vhd"
    estate.fails(
        "SIG-CLOUD", *CREATE, *V2, "--os-vhd-uri", china, "--os-vhd-storage-account", "acct1"
    )


def test_a_version_from_another_version_in_the_catalog_takes_its_disks(
    estate: Sigtui,
) -> None:
    new = _second_definition(estate)
    created = estate.ok(*CREATE, *new, "--image-version", SOURCE_VERSION_ID)
    storage = _storage(created)
    assert storage["source"] == {"id": SOURCE_VERSION_ID, "resourceGroup": "rg1"}
    assert storage["osDiskImage"]["sizeInGB"] == 30  # img1's disks, as version 1.0.0 has them
    assert [(d["lun"], d["sizeInGB"]) for d in storage["dataDiskImages"]] == [(0, 100), (1, 200)]


def test_a_source_version_of_another_os_state_is_refused(estate: Sigtui) -> None:
    new = _second_definition(estate, "--os-state", "Specialized")
    estate.fails("SIG-OSSTATE", *CREATE, *new, "--image-version", SOURCE_VERSION_ID)


def test_a_source_version_of_another_hyper_v_generation_is_refused(estate: Sigtui) -> None:
    names = [*G, "-i", "def2"]
    estate.ok(
        "sig", "image-definition", "create", *names, "-p", "Contoso", "-f", "Finance",
        "-s", "Other", "--os-type", "Linux", "--hyper-v-generation", "V2",
    )  # fmt: skip
    result = estate.fails(
        "SIG-INPUT", *CREATE, *names, "-e", "1.0.0", "--image-version", SOURCE_VERSION_ID
    )
    assert "Hyper-V" in result.stderr


def test_a_source_version_of_another_os_type_is_refused(estate: Sigtui) -> None:
    names = [*G, "-i", "def2"]
    estate.ok(
        "sig", "image-definition", "create", *names, "-p", "Contoso", "-f", "Finance",
        "-s", "Other", "--os-type", "Windows", "--hyper-v-generation", "V1",
    )  # fmt: skip
    estate.fails("SIG-INPUT", *CREATE, *names, "-e", "1.0.0", "--image-version", SOURCE_VERSION_ID)


def test_a_source_version_without_a_replica_in_the_versions_region_is_refused(
    estate: Sigtui,
) -> None:
    new = _second_definition(estate)
    estate.ok(
        "sig", "image-version", "update", *DEF, "-e", "1.0.0",
        "--target-regions", "westeurope=2",
    )  # fmt: skip
    estate.fails(
        "SIG-SOURCE-REGION", *CREATE, *new, "-l", "eastus", "--image-version", SOURCE_VERSION_ID,
        "--target-regions", "eastus",
    )  # fmt: skip


def test_a_version_outside_the_catalog_is_an_external_source(estate: Sigtui) -> None:
    outside = SOURCE_VERSION_ID.replace(SUB_ID, "99999999-9999-9999-9999-999999999999")
    created = estate.ok(*CREATE, *V2, "--image-version", outside)
    storage = _storage(created)
    assert storage["source"]["id"] == outside
    assert "sizeInGB" not in storage["osDiskImage"]


def test_a_missing_version_of_a_definition_in_the_catalog_is_not_found(estate: Sigtui) -> None:
    missing = SOURCE_VERSION_ID.replace("1.0.0", "9.9.9")
    estate.fails("SIG-NOT-FOUND", *CREATE, *V2, "--image-version", missing)


def test_the_az_script_recreates_a_version_from_vhd_blobs(estate: Sigtui) -> None:
    estate.ok(
        *CREATE, *V2, "--os-vhd-uri", f"{BLOBS}/os.vhd", "--os-vhd-storage-account", "acct1",
        "--data-vhds-uris", f"{BLOBS}/a.vhd", "--data-vhds-luns", "3",
        "--data-vhds-sa", "acct1",
    )  # fmt: skip
    script = estate("export", "az-script", "--scope", GROUP_ID)
    assert script.exit_code == 0, script.output
    [line] = [x for x in script.stdout.splitlines() if "-e 2.0.0" in x]
    assert f"--os-vhd-uri {BLOBS}/os.vhd" in line
    assert f"--data-vhds-uris {BLOBS}/a.vhd --data-vhds-luns 3" in line
    assert f"--data-vhds-storage-accounts {ACCOUNT_ID}" in line
