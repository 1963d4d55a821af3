"""The fields of galleries, image definitions and image versions are declared once
(sigtui/catalog/model/fields.py): the table, the Create/Update schemas, the create form,
the CLI's create and update options and the JSON az prints must all agree with it, so
that a field added in one place and forgotten in another fails here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import click
import pytest
from click.testing import CliRunner
from sqlmodel import SQLModel

from sigtui.catalog.model import schemas
from sigtui.catalog.model.fields import (
    DEFINITION_FIELDS,
    GALLERY_FIELDS,
    VERSION_FIELDS,
    ResourceField,
    updatable_json_paths,
)
from sigtui.catalog.model.models import Gallery, ImageDefinition, ImageVersion, table_of
from sigtui.catalog.queries import browse, forms
from sigtui.catalog.store.db import open_catalog
from sigtui.cli import cli
from sigtui.cli.versions import VERSION_UPDATABLE
from sigtui.ui.screens.forms.definition import DefinitionForm
from sigtui.ui.screens.forms.fields import FormField, StaticField
from sigtui.ui.screens.forms.gallery import GalleryForm
from sigtui.ui.screens.forms.version import VersionForm

SUB_ID = "11111111-1111-4111-8111-111111111111"
GROUP = f"/subscriptions/{SUB_ID}/resourceGroups/rg"
SNAPSHOTS = f"{GROUP}/providers/Microsoft.Compute/snapshots"
VIRTUAL_MACHINE = f"{GROUP}/providers/Microsoft.Compute/virtualMachines/vm1"
BLOBS = "https://acct1.blob.core.windows.net/vhds"

# columns that are not input: keys, etags, times, and what the services derive
BOOKKEEPING = {"pk", "etag", "created_at", "updated_at", "name_key", "subscription_pk"}
# what Azure reports of a resource, kept as an import gives it: not a field a user sets
REPORTED = {"provisioning_state"}
# where a resource came from (sigtui or a sync from Azure) and its last sync: not input
OBSERVED = {"origin", "synced_at"}
# the replication simulator's speed for a version's regions (the demo's own): not input
SIMULATED = {"replication_speed"}
# the digest of the import file's text a version was written from: not input
IMPORTED = {"import_digest"}
# options every command takes, and those naming the parent or the resource to change
CONTEXT_OPTIONS = {
    "--db",
    "--output",
    "--query",
    "--only-show-errors",
    "--debug",
    "--as",
    "--help",
    "--resource-group",
    "--subscription",
    "--gallery-name",
    "--gallery-image-definition",
    "--ids",
    "--set",
    "--add",
    "--remove",
    "--no-wait",
    "--if-match",
}


@dataclass(frozen=True)
class Resource:
    fields: tuple[ResourceField, ...]
    table: type[SQLModel]
    derived_columns: set[str]
    create: type[SQLModel]
    update: type[SQLModel]
    command: tuple[str, ...]
    update_extras: set[str]  # update options that are not fields


GALLERY = Resource(
    GALLERY_FIELDS,
    Gallery,
    {"resource_group_pk", *REPORTED},
    schemas.GalleryCreate,
    schemas.GalleryUpdate,
    ("sig",),
    set(),
)
DEFINITION = Resource(
    DEFINITION_FIELDS,
    ImageDefinition,
    {"gallery_pk", "publisher_key", "offer_key", "sku_key", *REPORTED},
    schemas.DefinitionCreate,
    schemas.DefinitionUpdate,
    ("sig", "image-definition"),
    set(),
)
VERSION = Resource(
    VERSION_FIELDS,
    ImageVersion,
    {
        "definition_pk",
        "major",
        "minor",
        "patch",
        "external_source_id",
        "os_disk_size_gb",
        "os_host_caching",
        "published_at",
        *REPORTED,
    },
    schemas.VersionCreate,
    schemas.VersionUpdate,
    ("sig", "image-version"),
    {"--add-target-regions", "--remove-target-regions"},
)
RESOURCES = pytest.mark.parametrize(
    "resource", [GALLERY, DEFINITION, VERSION], ids=["gallery", "definition", "version"]
)


@RESOURCES
def test_the_table_has_a_column_for_each_field(resource: Resource) -> None:
    columns = {column.name for column in table_of(resource.table).columns}
    declared = {f.table_column for f in resource.fields if f.table_column is not None}
    assert (
        columns - BOOKKEEPING - OBSERVED - SIMULATED - IMPORTED - resource.derived_columns
        == declared
    )


@RESOURCES
def test_the_schemas_take_each_field(resource: Resource) -> None:
    assert list(resource.create.model_fields) == [f.name for f in resource.fields]
    assert set(resource.update.model_fields) == {f.name for f in resource.fields if f.in_update}


def _options(*path: str) -> set[str]:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        found = command.get_command(click.Context(command), name)
        assert found is not None, name
        command = found
    return {
        next(opt for opt in param.opts if opt.startswith("--"))
        for param in command.params
        if isinstance(param, click.Option)
    }


@RESOURCES
def test_the_cli_has_an_option_for_each_field(resource: Resource) -> None:
    declared = {f.option for f in resource.fields}
    created = _options(*resource.command, "create")
    assert created - CONTEXT_OPTIONS == declared - CONTEXT_OPTIONS
    updated = _options(*resource.command, "update") - CONTEXT_OPTIONS - resource.update_extras
    assert {f.option for f in resource.fields if f.updatable} <= updated <= declared


def test_the_cli_names_the_updatable_json_paths() -> None:
    plain_paths = tuple(path for path in VERSION_UPDATABLE if "[" not in path)
    assert plain_paths == updatable_json_paths(VERSION_FIELDS)


# --- a catalog made through the CLI: its JSON, and the forms over it ---------------------------


def _run(db: str, *args: str) -> Any:
    result = CliRunner().invoke(cli, [*args, "--db", db, "-o", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output) if result.output.strip() else None


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, list[Any]]]:
    """A gallery, a definition with every field set, and two versions: one from a managed
    image, one from snapshots with a data disk."""
    db = f"sqlite:///{tmp_path_factory.mktemp('fields') / 'catalog.db'}"
    _run(db, "account", "tenant", "create", "--name", "Contoso")
    _run(
        db,
        "account",
        "create",
        "--name",
        "Prod",
        "--subscription-id",
        SUB_ID,
        "--tenant",
        "Contoso",
    )
    _run(db, "group", "create", "-n", "rg", "-l", "westus", "--subscription", SUB_ID)
    where = ("-g", "rg", "-r", "gallery1")
    image = _run(
        db,
        "image",
        "create",
        "-g",
        "rg",
        "-n",
        "image1",
        "--os-type",
        "Linux",
        "--os-disk-size-gb",
        "30",
    )
    for name in ("snap-os", "snap-data"):
        _run(db, "snapshot", "create", "-g", "rg", "-n", name, "--size-gb", "64")
    gallery = _run(db, "sig", "create", *where, "--description", "d", "--tags", "a=b")
    definition = _run(
        db,
        *("sig", "image-definition", "create", *where, "-i", "def1"),
        *("--publisher", "P", "--offer", "O", "--sku", "S", "--os-type", "Linux"),
        *("--hyper-v-generation", "V1", "--architecture", "x64"),
        *("--features", "IsAcceleratedNetworkSupported=true"),
        *("--description", "d", "--eula", "e", "--privacy-statement-uri", "https://p"),
        *("--release-note-uri", "https://r", "--end-of-life-date", "2099-01-01"),
        *("--minimum-cpu-core", "1", "--maximum-cpu-core", "2"),
        *("--minimum-memory", "1", "--maximum-memory", "2"),
        *("--disallowed-disk-types", "Standard_LRS", "--tags", "a=b"),
    )
    version = ("sig", "image-version", "create", *where, "-i", "def1")
    from_image = _run(db, *version, "-e", "1.0.0", "--managed-image", image["id"])
    from_snapshots = _run(
        db,
        *(*version, "-e", "1.0.1", "--os-snapshot", f"{SNAPSHOTS}/snap-os"),
        *("--data-snapshots", f"{SNAPSHOTS}/snap-data", "--data-snapshot-luns", "0"),
    )
    from_vm = _run(db, *version, "-e", "1.0.2", "--virtual-machine", VIRTUAL_MACHINE)
    from_vhds = _run(
        db,
        *(*version, "-e", "1.0.3", "--os-vhd-uri", f"{BLOBS}/os.vhd"),
        *("--os-vhd-storage-account", "acct1", "--data-vhds-uris", f"{BLOBS}/d.vhd"),
        *("--data-vhds-luns", "1", "--data-vhds-storage-accounts", "acct1"),
    )
    from_version = _run(db, *version, "-e", "1.0.4", "--image-version", from_image["id"])
    return db, {
        "gallery": [gallery],
        "definition": [definition],
        "version": [from_image, from_snapshots, from_vm, from_vhds, from_version],
    }


# what the JSON shows that is no input: ids, state, and what the catalog derives
READ_ONLY_JSON = {
    "id",
    "resourceGroup",
    "type",
    "etag",
    "provisioningState",
    "identifier.uniqueName",
    "publishingProfile.publishedDate",
    "storageProfile.osDiskImage.sizeInGB",
    "storageProfile.osDiskImage.hostCaching",
    "storageProfile.dataDiskImages[].sizeInGB",
    "storageProfile.dataDiskImages[].hostCaching",
    "storageProfile.source.resourceGroup",
    "storageProfile.osDiskImage.source.resourceGroup",
    "storageProfile.dataDiskImages[].source.resourceGroup",
    "safetyProfile.allowDeletionOfReplicatedLocations",
    "safetyProfile.reportedForPolicyViolation",
}


def _leaves(value: Any, path: str = "") -> set[str]:
    """The paths of a JSON's values, `[]` for the items of a list of objects."""
    if path == "tags" or not value or not isinstance(value, dict | list):
        return {path}
    if isinstance(value, list):
        if not isinstance(value[0], dict):
            return {path}
        return set().union(*(_leaves(item, f"{path}[]") for item in value))
    return set().union(*(_leaves(v, f"{path}.{k}" if path else k) for k, v in value.items()))


def _covers(path: str, leaf: str) -> bool:
    """Whether a field's path names this value, or holds it, or is a list it is empty of."""
    return (
        leaf == path or leaf.startswith((f"{path}.", f"{path}[]")) or path.startswith(f"{leaf}[]")
    )


@pytest.mark.parametrize("kind", ["gallery", "definition", "version"])
def test_the_json_shows_each_field(kind: str, estate: tuple[str, dict[str, list[Any]]]) -> None:
    fields = {"gallery": GALLERY_FIELDS, "definition": DEFINITION_FIELDS}.get(kind, VERSION_FIELDS)
    leaves = set().union(*(_leaves(shown) for shown in estate[1][kind]))
    for field in fields:
        assert any(_covers(field.json_path, leaf) for leaf in leaves), field.json_path
    unknown = {leaf for leaf in leaves if not any(_covers(f.json_path, leaf) for f in fields)}
    assert unknown <= READ_ONLY_JSON


def _form_keys(form: Any) -> set[str]:
    return {
        widget.key
        for widget in form.compose_fields()
        if isinstance(widget, FormField) and not isinstance(widget, StaticField)
    }


def test_the_create_forms_ask_for_each_field(estate: tuple[str, dict[str, list[Any]]]) -> None:
    catalog = open_catalog(estate[0])
    with catalog.read() as db:
        group = forms.place(db, browse.NodeRef(browse.GROUP, 1))
        gallery = forms.place(db, browse.NodeRef(browse.GALLERY, 1))
        definition = forms.version_place(db, 1)
    assert _form_keys(GalleryForm(catalog, group)) == {f.form_field for f in GALLERY_FIELDS}
    assert _form_keys(DefinitionForm(catalog, gallery)) == {f.form_field for f in DEFINITION_FIELDS}
    assert _form_keys(VersionForm(catalog, definition)) == {f.form_field for f in VERSION_FIELDS}
