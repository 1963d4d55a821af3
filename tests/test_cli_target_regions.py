"""Target regions on the command line as `az sig image-version create --target-regions`
parses them (`region[=replicas][=storage-type]` and `region=storage-type`), storage types
back in Azure's casing whatever the user typed, and today's newer regions."""

from __future__ import annotations

from cli_runner import DEF, Sigtui

V2 = [*DEF, "-e", "2.0.0"]


def _targets(shown: dict) -> dict[str, tuple[int, str]]:
    return {
        t["name"]: (t["regionalReplicaCount"], t["storageAccountType"])
        for t in shown["publishingProfile"]["targetRegions"]
    }


def test_target_region_storage_types_come_back_in_azures_casing(estate: Sigtui) -> None:
    created = estate.ok(
        "sig", "image-version", "create", *V2, "--managed-image", "img1",
        "--target-regions", "westeurope", "eastus=standard_zrs", "northeurope=2=PREMIUM_lrs",
        "--storage-account-type", "standard_lrs", "--replica-count", "3",
    )  # fmt: skip
    expected = {
        "West Europe": (3, "Standard_LRS"),
        "East US": (3, "Standard_ZRS"),
        "North Europe": (2, "Premium_LRS"),
    }
    assert _targets(created) == expected
    assert created["publishingProfile"]["storageAccountType"] == "Standard_LRS"
    assert _targets(estate.ok("sig", "image-version", "show", *V2)) == expected


def test_target_region_neither_count_nor_storage_type_is_refused(estate: Sigtui) -> None:
    result = estate.fails(
        "SIG-REPLICAS", "sig", "image-version", "create", *V2, "--managed-image", "img1",
        "--target-regions", "westeurope", "eastus=zrs",
    )  # fmt: skip
    assert "neither a replica count nor a storage account type" in result.stderr
    assert estate("sig", "image-version", "show", *V2).exit_code == 3


def test_newer_regions_hold_galleries_and_are_targets(estate: Sigtui) -> None:
    estate.ok("group", "create", "-n", "rg-mx", "-l", "Mexico Central", "--subscription", "Prod")
    gallery = estate.ok("sig", "create", "-g", "rg-mx", "-r", "galleryMx", "-l", "mexicocentral")
    assert gallery["location"] == "mexicocentral"
    estate.ok(
        "sig", "image-version", "create", *V2, "--managed-image", "img1",
        "--target-regions", "westeurope", "spaincentral=standard_zrs", "newzealandnorth=2",
    )  # fmt: skip
    assert _targets(estate.ok("sig", "image-version", "show", *V2)) == {
        "West Europe": (1, "Standard_LRS"),
        "Spain Central": (1, "Standard_ZRS"),
        "New Zealand North": (2, "Standard_LRS"),
    }
