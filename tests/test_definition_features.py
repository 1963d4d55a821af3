"""An image definition's architecture, features and recommended memory, as Azure has them
(GalleryRP 2025-03-03: `architecture`, `features[]`, `recommended.memory` in MB) and as
az takes them (`--architecture`, `--features "NAME=VALUE ..."`, `--hyper-v-generation`
V2 by default, `--minimum-memory`/`--maximum-memory` in MB)."""

from __future__ import annotations

from typing import Any

import pytest
from builders import World, definition_call, definition_update_call, read
from cli_runner import G, Sigtui

from sigtui.catalog.azure import azure_json, exporter

# GalleryImage_UpdateFeatures (2025-03-03): the feature as Azure returns it
AZURE_FEATURE = {"name": "SecurityType", "value": "TrustedLaunch"}
NEW_DEFINITION = ("--publisher", "Contoso", "--offer", "Windows", "--sku", "2022")
NEW_DEFINITION += ("--os-type", "Windows")


def _new_definition(world: World, **fields: Any) -> str:
    """A second definition of the small catalog's gallery (its own publisher/offer/SKU)."""
    fields.setdefault("hyper_v_generation", "V2")
    return world.build.definition(world.gallery, "def2", sku="Frontend", **fields)


def _shown(world: World, arm_id: str) -> dict[str, Any]:
    with world.catalog.read() as db:
        return azure_json.definition(db, db.merge(read(world.catalog, arm_id)))


# --- the rules -----------------------------------------------------------------------------


def test_features_are_kept_in_azures_spelling_in_the_order_given(world: World) -> None:
    given = {"securitytype": "trustedlaunch", "IsAcceleratedNetworkSupported": "true"}
    row = read(world.catalog, _new_definition(world, features=given))
    assert list(row.features.items()) == [
        ("SecurityType", "TrustedLaunch"),
        ("IsAcceleratedNetworkSupported", "true"),
    ]


@pytest.mark.parametrize(
    "features",
    [
        {"Turbo": "true"},
        {"SecurityType": "Secure"},
        {"IsHibernateSupported": "yes"},
        {"DiskControllerTypes": "SCSI, IDE"},
        {"SecurityType": "TrustedLaunch", "securityType": "ConfidentialVM"},
    ],
    ids=["unknown-name", "unknown-security-type", "not-a-boolean", "unknown-controller", "twice"],
)
def test_a_feature_azure_does_not_know_is_refused(world: World, features: dict[str, str]) -> None:
    call = definition_call(world, hyper_v_generation="V2", features=features)
    assert world.refused("SIG-INPUT", call).field == "features"


def test_security_type_standard_means_none_as_az_sends_it(world: World) -> None:
    row = read(world.catalog, _new_definition(world, features={"SecurityType": "Standard"}))
    assert row.features == {}


@pytest.mark.parametrize(
    "security_type", ["TrustedLaunch", "TrustedLaunchSupported", "ConfidentialVM"]
)
def test_trusted_launch_and_confidential_vms_need_hyper_v_v2(
    world: World, security_type: str
) -> None:
    features = {"SecurityType": security_type}
    call = definition_call(world, hyper_v_generation="V1", features=features)
    assert world.refused("SIG-INPUT", call).field == "hyper_v_generation"
    world.write(definition_call(world, hyper_v_generation="V2", features=features))


def test_arm64_needs_hyper_v_v2(world: World) -> None:
    call = definition_call(world, hyper_v_generation="V1", architecture="Arm64")
    assert world.refused("SIG-INPUT", call).field == "hyper_v_generation"
    assert read(world.catalog, _new_definition(world, architecture="arm64")).architecture == (
        "Arm64"
    )


def test_an_architecture_azure_does_not_know_is_refused(world: World) -> None:
    error = world.refused("SIG-INPUT", definition_call(world, architecture="x86"))
    assert error.field == "architecture"


def test_a_definition_is_x64_without_features_unless_asked(world: World) -> None:
    row = read(world.catalog, world.definition)
    assert (row.architecture, row.features) == ("x64", {})


@pytest.mark.parametrize(
    "change",
    [{"architecture": "Arm64"}, {"features": {"IsHibernateSupported": "True"}}],
    ids=["architecture", "features"],
)
def test_architecture_and_features_cannot_change_after_creation(
    world: World, change: dict[str, Any]
) -> None:
    arm_id = _new_definition(world)
    error = world.refused("SIG-UPDATE", definition_update_call(world, arm_id, **change))
    assert error.field == next(iter(change))
    world.write(definition_update_call(world, arm_id, architecture="X64", features={}))


# --- the JSON az prints, and the export --------------------------------------------------------


def test_features_are_shown_as_azures_features_array(world: World) -> None:
    arm_id = _new_definition(world, features={"SecurityType": "TrustedLaunch"})
    shown = _shown(world, arm_id)
    assert shown["features"] == [AZURE_FEATURE]
    assert (shown["architecture"], shown["hyperVGeneration"]) == ("x64", "V2")


def test_a_definition_without_features_shows_null_as_az(world: World) -> None:
    assert _shown(world, world.definition)["features"] is None


def test_recommended_memory_is_shown_in_mb_as_rest(world: World) -> None:
    world.write(definition_update_call(world, min_memory_mb=2048, max_memory_mb=65536))
    assert _shown(world, world.definition)["recommended"]["memory"] == {"min": 2048, "max": 65536}


def test_the_arm_export_carries_architecture_and_features(world: World) -> None:
    arm_id = _new_definition(
        world, architecture="Arm64", features={"SecurityType": "TrustedLaunch"}
    )
    with world.catalog.read() as db:
        template = exporter.arm_template(db, arm_id)
        script = exporter.az_script(db, arm_id)
    [properties] = [r["properties"] for r in template["resources"] if r["type"].endswith("/images")]
    assert properties["architecture"] == "Arm64"
    assert properties["features"] == [AZURE_FEATURE]
    assert "--architecture Arm64 --features SecurityType=TrustedLaunch" in script


def test_the_arm_export_leaves_out_the_resource_group_az_adds_to_nested_ids(
    world: World,
) -> None:
    version = world.version()
    with world.catalog.read() as db:
        template = exporter.arm_template(db, version)
    [properties] = [
        r["properties"] for r in template["resources"] if r["type"].endswith("/versions")
    ]
    assert properties["storageProfile"]["source"] == {"id": world.image}


# --- the command line ----------------------------------------------------------------------------


def test_cli_features_take_azs_space_separated_pairs(estate: Sigtui) -> None:
    shown = estate.ok(
        "sig", "image-definition", "create", *G, "-i", "win", *NEW_DEFINITION,
        "--features", "SecurityType=TrustedLaunch IsAcceleratedNetworkSupported=true",
    )  # fmt: skip
    assert shown["features"] == [
        AZURE_FEATURE,
        {"name": "IsAcceleratedNetworkSupported", "value": "true"},
    ]


def test_cli_hyper_v_generation_defaults_to_v2_and_architecture_to_x64(estate: Sigtui) -> None:
    shown = estate.ok("sig", "image-definition", "create", *G, "-i", "win", *NEW_DEFINITION)
    assert (shown["hyperVGeneration"], shown["architecture"]) == ("V2", "x64")


def test_cli_a_feature_without_a_value_is_sig_input(estate: Sigtui) -> None:
    result = estate.fails(
        "SIG-INPUT",
        *("sig", "image-definition", "create", *G, "-i", "win", *NEW_DEFINITION),
        *("--features", "SecurityType"),
    )
    assert "NAME=VALUE" in result.stderr


def test_cli_recommended_memory_is_in_mb(estate: Sigtui) -> None:
    shown = estate.ok(
        "sig", "image-definition", "create", *G, "-i", "win", *NEW_DEFINITION,
        "--minimum-memory", "2048", "--maximum-memory", "16384",
    )  # fmt: skip
    assert shown["recommended"]["memory"] == {"min": 2048, "max": 16384}
    result = estate("sig", "image-definition", "create", "--help")
    assert "memory in MB" in result.output


# --- nested ids and sources, as GalleryRP 2025-03-03 places them -------------------------------

SUB = "/subscriptions/{subscription-id}/resourceGroups/myResourceGroup/providers/Microsoft.Compute"


@pytest.mark.parametrize(
    ("source", "place", "shown"),
    [
        (f"{SUB}/virtualMachines/{{vmName}}", "whole", "virtualMachineId"),
        (f"{SUB}/galleries/other/images/def/versions/1.0.0", "whole", "id"),
        (f"{SUB}/images/{{imageName}}", "whole", "id"),
        (f"{SUB}/snapshots/{{snapshotName}}", "disk", "id"),
        ("https://gallerysourcencus.blob.core.windows.net/myvhds/os.vhd", "disk", "uri"),
    ],
    ids=["vm", "gallery-version", "managed-image", "snapshot", "vhd"],
)
def test_a_source_the_catalog_does_not_hold_takes_its_place_in_the_storage_profile(
    source: str, place: str, shown: str
) -> None:
    assert azure_json.external_source(source) == (place, {shown: source})


def test_only_ids_under_a_resource_group_get_one_added() -> None:
    """GalleryImage_Get's abbreviated id lies under no group; an object that has a group
    keeps it; a nested id gets its group, as az adds it."""
    body = {
        "id": "/providers/Microsoft.Compute/galleries/myGallery/Images/myGalleryImageName",
        "source": {"id": f"{SUB}/images/{{imageName}}"},
        "kept": {"id": f"{SUB}/images/x", "resourceGroup": "given"},
    }
    azure_json.with_resource_groups(body)
    assert "resourceGroup" not in body
    assert body["source"]["resourceGroup"] == "myResourceGroup"
    assert body["kept"]["resourceGroup"] == "given"
