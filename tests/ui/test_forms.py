"""The create and edit forms (`n`, `e`), driven by the keyboard through Textual's pilot.

The forms' catalog is built here through the services (a tenant, a subscription, a group,
a gallery with one definition and one version, a managed image and three snapshots), so
that what the tests type and the snapshots show does not move with the demo seed.
"""

from __future__ import annotations

import asyncio
import io
import shutil
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from rich.console import Console
from sqlmodel import SQLModel
from textual.css.scalar import Scalar
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, SelectionList, Static, Switch
from textual.widgets.tree import TreeNode

from sigtui.catalog import services
from sigtui.catalog.model.models import ImageDefinition, ImageVersion
from sigtui.catalog.model.schemas import (
    DefinitionCreate,
    GalleryCreate,
    GalleryUpdate,
    GroupCreate,
    ManagedImageCreate,
    SnapshotCreate,
    SubscriptionCreate,
    TenantCreate,
    VersionCreate,
)
from sigtui.catalog.queries import fetch, lookup
from sigtui.catalog.store.clock import FixedClock
from sigtui.catalog.store.db import Catalog, open_catalog
from sigtui.ui.app import SigtuiApp
from sigtui.ui.screens.forms import FormScreen
from sigtui.ui.screens.forms.base import FORM_CHROME_ROWS, DiscardChanges
from sigtui.ui.screens.forms.chooser import KindChooser
from sigtui.ui.screens.forms.column_header import ColumnHeader
from sigtui.ui.screens.forms.fields import ChoiceField, FormField
from sigtui.ui.screens.forms.region_picker import RegionField, RegionPicker
from sigtui.ui.screens.forms.target_regions import TargetRegionsField
from sigtui.ui.screens.help import HelpScreen, binding_rows, bindings_table
from sigtui.ui.screens.main import MainScreen
from sigtui.ui.widgets.catalog_tree import TreeEntry

from .helpers import settle, until

FORMS_NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
TERMINAL = (120, 40)
TENANT_ID = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
SUB_ID = "11111111-1111-4111-8111-111111111111"
SUB = f"/subscriptions/{SUB_ID}"
GROUP = f"{SUB}/resourceGroups/rg-images"
GALLERY = f"{GROUP}/providers/Microsoft.Compute/galleries/gallery1"
DEFINITION = f"{GALLERY}/images/myImage1"
VERSION = f"{DEFINITION}/versions/1.0.0"
IMAGE = f"{GROUP}/providers/Microsoft.Compute/images/image1"
OS_SNAPSHOT = f"{GROUP}/providers/Microsoft.Compute/snapshots/snap-os"
DATA_SNAPSHOT = f"{GROUP}/providers/Microsoft.Compute/snapshots/snap-data"


# --- the catalog of these tests -----------------------------------------------------------


def build_forms_world(catalog: Catalog) -> None:
    """Contoso / Production / rg-images (West US): gallery1 with myImage1 (Contoso,
    Finance, Backend) and its version 1.0.0 in three regions; image1 and three snapshots."""
    clock = catalog.clock
    with catalog.write() as db:
        services.create_tenant(db, TenantCreate(name="Contoso", tenant_id=TENANT_ID), clock)
        services.create_subscription(
            db,
            SubscriptionCreate(
                name="Production",
                subscription_id=SUB_ID,
                tenant="Contoso",
                allowlisted_regions=["australiacentral"],
            ),
            clock,
        )
        services.create_group(
            db, GroupCreate(subscription=SUB_ID, name="rg-images", location="westus"), clock
        )
        services.create_gallery(
            db,
            GROUP,
            GalleryCreate(
                name="gallery1",
                location="westus",
                description="Images of the finance team",
                tags={"team": "finance"},
            ),
            clock,
        )
        services.create_definition(
            db,
            GALLERY,
            DefinitionCreate(
                name="myImage1",
                location="westus",
                publisher="Contoso",
                offer="Finance",
                sku="Backend",
                os_type="Linux",
                description="Finance back end",
                end_of_life_date=date(2028, 1, 1),
                min_vcpus=2,
                max_vcpus=8,
                disallowed_disk_types=["Standard_LRS"],
            ),
            clock,
        )
        _sources(db, clock)
        services.create_version(
            db,
            DEFINITION,
            VersionCreate(
                name="1.0.0",
                location="westus",
                managed_image_id=IMAGE,
                target_regions=[
                    services.parse_target_region(text)
                    for text in ("westus", "eastus=2", "westeurope=1=standard_zrs")
                ],
                tags={"build": "42"},
            ),
            clock,
        )


def _sources(db: Any, clock: FixedClock) -> None:
    services.create_managed_image(
        db,
        ManagedImageCreate(
            group_id=GROUP,
            name="image1",
            location="westus",
            os_type="Linux",
            os_disk_size_gb=30,
            data_disk_sizes_gb=[100],
        ),
        clock,
    )
    for name, location, size, os_type in (
        ("snap-os", "westus", 64, "Linux"),
        ("snap-data", "westus", 128, None),
        ("snap-east", "eastus", 64, "Linux"),
    ):
        services.create_snapshot(
            db,
            SnapshotCreate(
                group_id=GROUP, name=name, location=location, size_gb=size, os_type=os_type
            ),
            clock,
        )


@pytest.fixture(scope="session")
def forms_catalog_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("forms") / "forms.db"
    catalog = open_catalog(f"sqlite:///{path}", clock=FixedClock(FORMS_NOW))
    build_forms_world(catalog)
    with catalog.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    catalog.close()
    return path


@pytest.fixture
def forms_catalog(forms_catalog_file: Path, tmp_path: Path) -> Iterator[Catalog]:
    path = tmp_path / "catalog.db"
    shutil.copy(forms_catalog_file, path)
    catalog = open_catalog(f"sqlite:///{path}", clock=FixedClock(FORMS_NOW))
    yield catalog
    catalog.close()


@pytest.fixture
def forms_app(forms_catalog: Catalog) -> SigtuiApp:
    return SigtuiApp(forms_catalog, remember_theme=False)


def catalog_dump(catalog: Catalog) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table: a refused save must leave this unchanged."""
    with catalog.engine.connect() as conn:
        return {
            table.name: [
                tuple(row)
                for row in conn.execute(sa.select(table).order_by(*table.primary_key.columns))
            ]
            for table in SQLModel.metadata.sorted_tables
        }


# --- driving the app ------------------------------------------------------------------------


def tree_node(
    screen: MainScreen, arm_id: str | None, name: str | None = None
) -> TreeNode[TreeEntry] | None:
    """The loaded tree node of a resource (by ARM id, or by name for a tenant)."""
    pending = list(screen.tree.root.children)
    while pending:
        node = pending.pop()
        entry = node.data
        if entry is not None and (
            (arm_id and entry.node.arm_id == arm_id) or (name and entry.node.name == name)
        ):
            return node
        pending.extend(node.children)
    return None


async def select_node(pilot: Pilot[Any], arm_id: str | None, name: str | None = None) -> None:
    """Reveal a resource in the tree and put the cursor on it."""
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    if arm_id:
        screen.jump_to(arm_id)
    for _ in range(10):
        await settle(pilot)
        node = tree_node(screen, arm_id, name)
        if node is not None:
            screen.tree.move_cursor(node)
            await settle(pilot)
            return
    raise AssertionError(f"{arm_id or name} is not in the tree")


async def open_form(pilot: Pilot[Any], arm_id: str | None, *keys: str) -> FormScreen:
    await select_node(pilot, arm_id, None if arm_id else "Contoso")
    await pilot.press(*keys)
    await settle(pilot)
    form = pilot.app.screen
    assert isinstance(form, FormScreen), form
    return form


async def fill(pilot: Pilot[Any], form: FormScreen, key: str, text: str) -> None:
    """Focus a field's text, clear it and type `text`, as a user would."""
    form.field(key).focus_control()
    await pilot.pause()
    await pilot.press("end", "ctrl+u", *text)
    await pilot.pause()


def drive(app: SigtuiApp, scenario: Callable[[Pilot[Any]], Awaitable[None]]) -> None:
    """Run the app headless at the tests' terminal size and play `scenario` on it."""

    async def run() -> None:
        async with app.run_test(size=TERMINAL) as pilot:
            await scenario(pilot)

    asyncio.run(run())


async def save(pilot: Pilot[Any]) -> None:
    await pilot.press("ctrl+s")
    await settle(pilot)


async def discard(pilot: Pilot[Any]) -> None:
    """Close the form, its changes dropped (escape, then yes to the question)."""
    await pilot.press("escape")
    await settle(pilot)
    if isinstance(pilot.app.screen, DiscardChanges):
        await pilot.press("y")
        await settle(pilot)
    assert isinstance(pilot.app.screen, MainScreen), pilot.app.screen


def text_of(form: FormScreen, key: str) -> str:
    return form.field(key).query_one(Input).value


# --- create -------------------------------------------------------------------------------


def test_a_definition_created_through_its_form_is_in_the_catalog_and_the_tree(
    forms_app: SigtuiApp, forms_catalog: Catalog
) -> None:
    async def scenario(pilot: Pilot[Any]) -> None:
        form = await open_form(pilot, GALLERY, "n")
        assert form.noun == "image definition"
        # keyboard only: the name has the focus, tab walks the fields in order
        await pilot.press(*"myImage2", "tab", "tab")
        await pilot.press(*"Contoso", "tab", *"Finance", "tab", *"Frontend", "tab")
        await pilot.press("tab", "enter", "down", "enter")  # OS state: Specialized
        assert form.value("os_state") == "Specialized"
        await fill(pilot, form, "end_of_life_date", "2030-06-30")
        await fill(pilot, form, "min_memory_mb", "4")
        await fill(pilot, form, "tags", "env=prod, team=finance")
        await save(pilot)
        assert isinstance(pilot.app.screen, MainScreen)
        arm_id = f"{GALLERY}/images/myImage2"
        with forms_catalog.read() as db:
            created = lookup.resolve_as(db, arm_id, ImageDefinition)
        assert (created.publisher, created.offer, created.sku) == ("Contoso", "Finance", "Frontend")
        assert created.location == "westus"  # the gallery's, pre-filled
        assert created.os_state == "Specialized"
        assert created.end_of_life_date == datetime(2030, 6, 30, 12, 59, 59, tzinfo=UTC)
        assert created.min_memory_mb == 4
        assert created.tags == {"env": "prod", "team": "finance"}
        for _ in range(5):
            await settle(pilot)
        assert tree_node(pilot.app.screen, arm_id) is not None

    drive(forms_app, scenario)


async def a_created_resource_is_selected_in_the_tree(pilot: Pilot[Any]) -> None:
    form = await open_form(pilot, GROUP, "n", "g")
    await fill(pilot, form, "name", "gallery2")
    await save(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    for _ in range(5):
        await settle(pilot)
    node = screen.tree.cursor_node
    assert node is not None and node.data is not None
    assert node.data.node.arm_id == f"{GROUP}/providers/Microsoft.Compute/galleries/gallery2"


def test_a_gallery_a_managed_image_and_a_snapshot_from_the_group_chooser(
    forms_app: SigtuiApp, forms_catalog: Catalog
) -> None:
    """A gallery created (and selected in the tree), then a managed image from the chooser."""

    async def scenario(pilot: Pilot[Any]) -> None:
        await a_created_resource_is_selected_in_the_tree(pilot)
        await select_node(pilot, GROUP)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(pilot.app.screen, KindChooser)
        await pilot.press("i")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, FormScreen) and form.noun == "managed image"
        await fill(pilot, form, "name", "image2")
        await fill(pilot, form, "os_disk_size_gb", "40")
        await fill(pilot, form, "data_disk_sizes_gb", "100, 200")
        await save(pilot)
        assert isinstance(pilot.app.screen, MainScreen), form.errors
        with forms_catalog.read() as db:
            image = lookup.resolve(db, f"{GROUP}/providers/Microsoft.Compute/images/image2")
        assert (image.os_disk_size_gb, image.data_disk_sizes_gb) == (40, [100, 200])

    drive(forms_app, scenario)


def test_a_subscription_from_the_tenant(forms_app: SigtuiApp, forms_catalog: Catalog) -> None:
    async def scenario(pilot: Pilot[Any]) -> None:
        form = await open_form(pilot, None, "n")
        await pilot.press(*"Staging", "tab", *"22222222-2222-4222-8222-222222222222", "tab")
        await pilot.press("tab", "space")  # allowlist the first region offered
        await save(pilot)
        assert isinstance(pilot.app.screen, MainScreen), form.errors
        with forms_catalog.read() as db:
            sub = lookup.find_subscription(db, "Staging")
            assert services.allowlisted_regions(db, sub) == ["australiacentral"]

    drive(forms_app, scenario)


# --- errors -----------------------------------------------------------------------------------


def test_an_invalid_name_shows_its_rule_code_and_the_region_picker_finds_any_name(
    forms_app: SigtuiApp, forms_catalog: Catalog
) -> None:
    """In one new gallery form: an invalid name shows its rule code beside the field and
    writes nothing; then the region picker finds a region by any of its names."""
    before = catalog_dump(forms_catalog)

    async def scenario(pilot: Pilot[Any]) -> None:
        form = await open_form(pilot, GROUP, "n", "g")
        await pilot.press(*"my-gallery", "tab")
        await pilot.pause()
        assert form.field("name").error.startswith("SIG-NAME: ")  # live, on leaving the field
        await save(pilot)
        assert pilot.app.screen is form
        assert form.errors.keys() == {"name"}
        assert "SIG-NAME" in form.errors["name"] and "no '-'" in form.errors["name"]
        assert text_of(form, "name") == "my-gallery"
        await fill(pilot, form, "name", "my_gallery")
        assert form.field("name").error == ""  # cleared as soon as it is valid
        await the_region_picker_finds_a_region_by_any_of_its_names(pilot, form)

    drive(forms_app, scenario)
    assert catalog_dump(forms_catalog) == before


REFUSED_SAVES = (  # (field, text typed, the code it is refused with)
    ("end_of_life_date", "2020-01-01", "SIG-EOL"),
    ("end_of_life_date", "next year", "SIG-INPUT"),
    ("min_vcpus", "16", "SIG-RECOMMENDED"),  # the max is 8
    ("location", "Atlantis", "SIG-SOURCE-REGIONS"),
    ("tags", "env", "SIG-INPUT"),
)


def test_a_refused_update_names_the_field_and_keeps_what_was_typed(
    forms_app: SigtuiApp, forms_catalog: Catalog
) -> None:
    """Each of REFUSED_SAVES in a form of its own, opened in one app and discarded after."""
    before = catalog_dump(forms_catalog)

    async def refused(pilot: Pilot[Any], key: str, text: str, code: str) -> None:
        if key == "location":
            form = await open_form(pilot, GALLERY, "n")
            await fill(pilot, form, "name", "myImage2")
            for other, value in (("publisher", "P"), ("offer", "O"), ("sku", "S")):
                await fill(pilot, form, other, value)
        else:
            form = await open_form(pilot, DEFINITION, "e")
        await fill(pilot, form, key, text)
        await save(pilot)
        assert pilot.app.screen is form, (key, text)
        assert form.field(key).error.startswith(f"{code}: "), (key, text, form.errors)
        assert text_of(form, key) == text, (key, text)
        await discard(pilot)

    async def scenario(pilot: Pilot[Any]) -> None:
        for key, text, code in REFUSED_SAVES:
            await refused(pilot, key, text, code)

    drive(forms_app, scenario)
    assert catalog_dump(forms_catalog) == before


async def after_an_edit_the_details_show_the_resource_as_saved(
    pilot: Pilot[Any], catalog: Catalog
) -> None:
    """The details pane (and the etag the next action sends) is the saved resource's at
    once, not what it was before the edit."""
    form = await open_form(pilot, DEFINITION, "e")
    await fill(pilot, form, "description", "Edited here")
    await save(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    saved = catalog.query(lookup.resolve, DEFINITION)
    shown = screen.details.details
    assert shown is not None and shown.etag == saved.etag
    assert dict(shown.fields)["Description"] == "Edited here"


def test_a_save_the_service_refuses_keeps_the_form_open_and_every_refused_field_shows(
    forms_app: SigtuiApp, forms_catalog: Catalog
) -> None:
    """In one app: the service's refusals keep the form open with the typed values; then,
    in a new form, every refused field shows at once beside its field."""
    before = catalog_dump(forms_catalog)

    async def scenario(pilot: Pilot[Any]) -> None:
        form = await open_form(pilot, GALLERY, "n")
        # the service's refusals, all at once: the name is taken and so is the identity
        typed = {"name": "MYIMAGE1", "publisher": "contoso", "offer": "FINANCE", "sku": "backend"}
        for key, text in typed.items():
            await fill(pilot, form, key, text)
        await save(pilot)
        assert pilot.app.screen is form
        assert form.errors.keys() == {"name", "sku"}, form.errors
        assert form.field("name").error.startswith("SIG-NAME: ")
        assert form.field("sku").error.startswith("SIG-IDENT: ")
        assert "myImage1" in form.field("sku").error
        assert {key: text_of(form, key) for key in typed} == typed
        assert pilot.app.focused is form.field("name").query_one(Input)
        await discard(pilot)
        await every_refused_field_shows_at_once_beside_its_field(pilot)

    drive(forms_app, scenario)
    assert catalog_dump(forms_catalog) == before


def test_an_edit_based_on_a_stale_read_is_refused_at_the_top_of_the_form(
    forms_app: SigtuiApp, forms_catalog: Catalog
) -> None:
    async def scenario(pilot: Pilot[Any]) -> None:
        form = await open_form(pilot, GALLERY, "e")
        with forms_catalog.write() as db:  # another session changes the gallery meanwhile
            services.update_gallery(
                db, GALLERY, GalleryUpdate(description="changed elsewhere"), forms_catalog.clock
            )
        await fill(pilot, form, "description", "mine")
        await save(pilot)
        assert pilot.app.screen is form
        assert form.errors.keys() == {""}
        assert form.errors[""].startswith("SIG-CONFLICT: ")

    drive(forms_app, scenario)
    with forms_catalog.read() as db:
        assert lookup.resolve(db, GALLERY).description == "changed elsewhere"


# --- edit ---------------------------------------------------------------------------------------


def test_edit_forms_enable_only_what_may_change_and_the_details_show_a_saved_edit(
    forms_app: SigtuiApp, forms_catalog: Catalog
) -> None:
    updatable = {
        GALLERY: {"description", "tags"},
        DEFINITION: {
            "description",
            "end_of_life_date",
            "min_vcpus",
            "max_vcpus",
            "min_memory_mb",
            "max_memory_mb",
            "eula",
            "privacy_statement_uri",
            "release_note_uri",
            "disallowed_disk_types",
            "tags",
        },
        VERSION: {
            "target_regions",
            "replica_count",
            "exclude_from_latest",
            "end_of_life_date",
            "tags",
        },
        SUB: {"allowlisted_regions"},
    }

    async def scenario(pilot: Pilot[Any]) -> None:
        for arm_id, enabled in updatable.items():
            form = await open_form(pilot, arm_id, "e")
            editable = {f.key for f in form.fields if not f.disabled and not f.has_class("-static")}
            shown = {f.key for f in form.fields}
            assert editable - {"gallery", "group", "definition", "tenant"} == enabled
            assert "name" in shown or arm_id == VERSION
            await pilot.press("escape")
            await settle(pilot)
        await after_an_edit_the_details_show_the_resource_as_saved(pilot, forms_catalog)

    drive(forms_app, scenario)


def test_editing_a_versions_target_regions_updates_the_catalog(
    forms_app: SigtuiApp, forms_catalog: Catalog
) -> None:
    async def scenario(pilot: Pilot[Any]) -> None:
        form = await open_form(pilot, VERSION, "e")
        targets = form.query_one(TargetRegionsField)
        assert_the_source_region_row_cannot_be_removed(targets)
        east = targets.row_for("eastus")
        assert east is not None
        east.replicas_input.focus()
        await pilot.press("end", "ctrl+u", "3")
        targets.add_input.focus()
        await pilot.press(*"North Europe", "enter")  # a row, by the display name
        await pilot.pause()
        assert [row.region_name for row in targets.rows] == [
            "westus",
            "eastus",
            "westeurope",
            "northeurope",
        ]
        await pilot.press("tab")
        form.query_one("#switch-exclude_from_latest", Switch).focus()
        await pilot.press("space")
        await save(pilot)
        assert isinstance(pilot.app.screen, MainScreen), form.errors

    drive(forms_app, scenario)
    with forms_catalog.read() as db:
        version = lookup.resolve_as(db, VERSION, ImageVersion)
        rows = {
            t.region: (t.replica_count, t.storage_account_type)
            for t in fetch.target_regions(db, version.pk)
        }
    assert rows == {
        "westus": (1, "Standard_LRS"),
        "eastus": (3, "Standard_LRS"),
        "westeurope": (1, "Standard_ZRS"),
        "northeurope": (1, "Standard_LRS"),
    }
    assert version.exclude_from_latest is True


def test_the_target_region_shorthand_is_accepted(
    forms_app: SigtuiApp, forms_catalog: Catalog
) -> None:
    async def scenario(pilot: Pilot[Any]) -> None:
        form = await open_form(pilot, DEFINITION, "n")
        await fill(pilot, form, "name", "2.0.0")
        form.field("source").focus_control()
        await pilot.press("enter", "down", "enter")  # the first source: image1, in West US
        assert form.value("source") == IMAGE
        targets = form.query_one(TargetRegionsField)
        targets.add_input.focus()
        await pilot.press(*"westeurope=2=standard_zrs", "enter")
        await pilot.press(*"USA Est=3", "enter")  # the French name of East US
        await pilot.pause()
        assert targets.value == [
            {"region": "westus", "replica_count": None, "storage_account_type": None},
            {"region": "westeurope", "replica_count": "2", "storage_account_type": "Standard_ZRS"},
            {"region": "eastus", "replica_count": "3", "storage_account_type": None},
        ]
        await pilot.press(*"westeurope=x", "enter")
        await pilot.pause()
        assert targets.error.startswith("SIG-REPLICAS: ")
        await save(pilot)  # what is left on the add line counts: refused again
        assert pilot.app.screen is form and targets.error.startswith("SIG-REPLICAS: ")
        await pilot.press("ctrl+u")
        await save(pilot)
        assert isinstance(pilot.app.screen, MainScreen), form.errors

    drive(forms_app, scenario)
    with forms_catalog.read() as db:
        version = lookup.resolve_as(db, f"{DEFINITION}/versions/2.0.0", ImageVersion)
        rows = {
            t.region: (t.replica_count, t.storage_account_type)
            for t in fetch.target_regions(db, version.pk)
        }
    assert rows == {
        "westus": (1, "Standard_LRS"),
        "westeurope": (2, "Standard_ZRS"),
        "eastus": (3, "Standard_LRS"),
    }


def test_a_target_region_typed_but_not_entered_counts_on_save(
    forms_app: SigtuiApp, forms_catalog: Catalog
) -> None:
    async def scenario(pilot: Pilot[Any]) -> None:
        form = await open_form(pilot, VERSION, "e")
        form.query_one(TargetRegionsField).add_input.focus()
        await pilot.press(*"northeurope=2")
        await save(pilot)
        assert isinstance(pilot.app.screen, MainScreen), form.errors

    drive(forms_app, scenario)
    with forms_catalog.read() as db:
        version = lookup.resolve_as(db, VERSION, ImageVersion)
        rows = {t.region: t.replica_count for t in fetch.target_regions(db, version.pk)}
    assert rows == {"westus": 1, "eastus": 2, "westeurope": 1, "northeurope": 2}


OBVIOUS_MISTAKES = (  # (the form's node, the keys opening it, field, text typed, code)
    # yesterday; today's date alone is 12:59:59 UTC, still ahead of the 09:00 clock
    (GALLERY, ("n",), "end_of_life_date", "2026-11-24", "SIG-EOL"),
    (IMAGE, ("n",), "data_disk_sizes_gb", "100, x", "SIG-INPUT"),
    (IMAGE, ("n",), "os_disk_size_gb", "65537", "SIG-INPUT"),  # beyond any managed disk
    (GROUP, ("n", "g"), "location", "China East", "SIG-CLOUD"),
)


def test_obvious_mistakes_show_when_the_field_is_left(forms_app: SigtuiApp) -> None:
    """Each of OBVIOUS_MISTAKES in a form of its own, opened in one app and discarded after."""

    async def scenario(pilot: Pilot[Any]) -> None:
        for arm_id, keys, key, text, code in OBVIOUS_MISTAKES:
            await mistake_shown_when_left(pilot, arm_id, keys, key, text, code)
            await discard(pilot)

    drive(forms_app, scenario)


async def mistake_shown_when_left(
    pilot: Pilot[Any], arm_id: str, keys: tuple[str, ...], key: str, text: str, code: str
) -> None:
    if arm_id == IMAGE:  # a managed image's form opens on its folder
        await select_node(pilot, IMAGE)
        screen = pilot.app.screen
        assert isinstance(screen, MainScreen) and screen.tree.cursor_node
        screen.tree.move_cursor(screen.tree.cursor_node.parent)
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, FormScreen)
    else:
        form = await open_form(pilot, arm_id, *keys)
    await fill(pilot, form, key, text)
    await pilot.press("tab")
    await pilot.pause()
    assert form.field(key).error.startswith(f"{code}: "), (key, text, form.errors)


def shown_note(field: FormField) -> str | None:
    """The text under a field's control (its hint or error), None with no note row."""
    return None if field.has_class("-no-note") else field.note


def put(form: FormScreen, texts: dict[str, str]) -> None:
    """Set fields' texts at once (quicker than typing them; `fill` types)."""
    for key, text in texts.items():
        form.field(key).query_one(Input).value = text


REFUSED_TOGETHER = {
    "name": "bad-",
    "sku": "x.",
    "min_vcpus": "1_",
    "max_vcpus": "-5",
    "max_memory_mb": "abc",
    "end_of_life_date": "2020-01-01",
}


async def every_refused_field_shows_at_once_beside_its_field(pilot: Pilot[Any]) -> None:
    """One save shows every field's refusal with its rule code; numbers are never
    filtered as typed, and their refusal reads in words (no pydantic text)."""
    typed = REFUSED_TOGETHER
    form = await open_form(pilot, GALLERY, "n")
    publisher, offer = form.field("publisher"), form.field("offer")
    assert shown_note(publisher) is None  # no hint: no note, its row kept empty
    rows = offer.region.y - publisher.region.y
    await fill(pilot, form, "min_vcpus", "1_")
    # refused as typed, before any save or leaving the field
    assert form.field("min_vcpus").error.startswith("SIG-RECOMMENDED: ")
    put(form, typed)
    await save(pilot)
    assert pilot.app.screen is form
    codes = {key: error.split(":")[0] for key, error in form.errors.items()}
    assert codes == {
        "name": "SIG-NAME",
        "publisher": "SIG-NAME",  # required, left blank
        "offer": "SIG-NAME",
        "sku": "SIG-NAME",
        "min_vcpus": "SIG-RECOMMENDED",
        "max_vcpus": "SIG-RECOMMENDED",
        "max_memory_mb": "SIG-RECOMMENDED",
        "end_of_life_date": "SIG-EOL",
    }, form.errors
    assert "'1_'" in form.errors["min_vcpus"] and "whole number" in form.errors["min_vcpus"]
    assert not any("validation" in e or "int_parsing" in e for e in form.errors.values())
    assert {key: text_of(form, key) for key in typed} == typed  # kept as typed
    assert pilot.app.focused is form.field("name").query_one(Input)  # the first refused
    assert shown_note(publisher) == form.errors["publisher"]
    # fields fine on their own, refused together: min above max
    put(form, {"name": "myImage9", "publisher": "P", "offer": "O", "sku": "S"})
    put(form, {"min_vcpus": "8", "max_vcpus": "2", "max_memory_mb": "", "end_of_life_date": ""})
    await save(pilot)
    assert form.errors.keys() == {"min_vcpus"}, form.errors
    assert form.errors["min_vcpus"].startswith("SIG-RECOMMENDED: ")
    assert shown_note(publisher) == ""  # the note emptied, in the row it had
    # (the form laid out again: a busy machine takes more than the save's pauses)
    await until(pilot, lambda: offer.region.y - publisher.region.y == rows)


def test_the_version_form_offers_only_sources_that_fit_and_says_why_others_hide(
    forms_app: SigtuiApp, forms_catalog: Catalog
) -> None:
    with forms_catalog.write() as db:  # beside image1 (Linux, V1) and the snapshots
        for name, os_type, generation in (
            ("image-win", "Windows", "V1"),
            ("image-g2", "Linux", "V2"),
        ):
            services.create_managed_image(
                db,
                ManagedImageCreate(
                    group_id=GROUP,
                    name=name,
                    location="westus",
                    os_type=os_type,
                    hyper_v_generation=generation,
                    os_disk_size_gb=30,
                ),
                forms_catalog.clock,
            )

    async def scenario(pilot: Pilot[Any]) -> None:
        form = await open_form(pilot, DEFINITION, "n")  # myImage1: Linux, V1, West US
        source = form.field("source")
        assert isinstance(source, ChoiceField)
        offered = {arm_id.rsplit("/", 1)[1] for _, arm_id in source.options}
        assert offered == {"image1", "snap-os", "snap-data"}
        assert "3 sources hidden: 1 Gen2, 1 Windows, 1 in another region" in source.hint
        await fill(pilot, form, "location", "eastus")
        await pilot.press("tab")
        await settle(pilot)
        offered = {arm_id.rsplit("/", 1)[1] for _, arm_id in source.options}
        assert offered == {"snap-east"}
        assert "5 sources hidden: 3 in another region, 1 Gen2, 1 Windows" in source.hint

    drive(forms_app, scenario)


def test_the_target_region_editor_refuses_a_region_twice_or_0_replicas_at_once(
    forms_app: SigtuiApp, forms_catalog: Catalog
) -> None:
    before = catalog_dump(forms_catalog)

    async def scenario(pilot: Pilot[Any]) -> None:
        form = await open_form(pilot, VERSION, "e")  # West US, East US, West Europe
        targets = form.query_one(TargetRegionsField)
        targets.add_input.focus()
        await pilot.press(*"eastus=2", "enter")
        await pilot.pause()
        assert targets.error.startswith("SIG-REPLICAS: East US is already a target region")
        assert [row.region_name for row in targets.rows] == ["westus", "eastus", "westeurope"]
        await pilot.press("end", "ctrl+u")
        east = targets.row_for("eastus")
        assert east is not None
        east.replicas_input.focus()
        await pilot.press("end", "ctrl+u", "0")  # refused as typed, not at save
        await pilot.pause()
        assert targets.error.startswith("SIG-REPLICAS: East US: replica count 0")
        await pilot.press("backspace", "2")
        await pilot.pause()
        assert targets.error == ""
        existing = targets.row_for("westeurope")
        assert existing is not None and not existing.query(RegionPicker)  # its region is fixed
        fixed = [str(shown.content) for shown in existing.query(".-fixed").results(Static)]
        assert fixed == ["West Europe", "Standard_ZRS"]  # shown as text, not as controls
        targets.add_input.focus()
        await pilot.press(*"northeurope", "enter")
        await settle(pilot)
        north_europe = targets.row_for("northeurope")
        assert north_europe is not None
        north_europe.picker.input.value = "East US"  # a region picked twice
        await pilot.pause()
        assert "East US is already a target region" in targets.error
        await save(pilot)
        assert pilot.app.screen is form and "target_regions" in form.errors
        north_europe.picker.input.value = "North Europe"
        targets.add_input.focus()
        await pilot.press(*"westcentralus=1=standard_zrs", "enter")  # no zones there
        await settle(pilot)
        assert targets.error.startswith("SIG-ZRS: "), targets.error

    drive(forms_app, scenario)
    assert catalog_dump(forms_catalog) == before


async def new_version_from_the_os_snapshot(pilot: Pilot[Any]) -> tuple[FormScreen, FormField]:
    """The new version form of DEFINITION with its OS snapshot as the source; its data
    disks' field."""
    form = await open_form(pilot, DEFINITION, "n")
    form.field("source").select.value = OS_SNAPSHOT  # type: ignore[attr-defined]
    await pilot.pause()
    return form, form.field("data_disks")


def test_a_version_from_an_os_snapshot_with_a_data_disk(
    forms_app: SigtuiApp, forms_catalog: Catalog
) -> None:
    async def scenario(pilot: Pilot[Any]) -> None:
        form, disks = await new_version_from_the_os_snapshot(pilot)
        assert not disks.disabled
        await pilot.click(".disk-add")
        await pilot.pause()
        row = disks.rows[0]  # type: ignore[attr-defined]
        row.query_one(".disk-snapshot").value = DATA_SNAPSHOT
        lun = row.query_one(".disk-lun", Input)
        lun.value = "x1"  # kept as typed, refused beside the disks as it is typed
        await pilot.pause()
        assert lun.value == "x1" and disks.error.startswith("SIG-INPUT: "), disks.error
        lun.value = "0"
        await save(pilot)
        assert isinstance(pilot.app.screen, MainScreen), form.errors

    drive(forms_app, scenario)
    with forms_catalog.read() as db:
        version = lookup.resolve_as(db, f"{DEFINITION}/versions/1.0.1", ImageVersion)
        assert [(d.lun, d.size_gb) for d in fetch.data_disks(db, version.pk)] == [(0, 128)]


def test_the_data_disks_header_shows_only_above_rows(
    forms_app: SigtuiApp, forms_catalog: Catalog
) -> None:
    async def scenario(pilot: Pilot[Any]) -> None:
        form, disks = await new_version_from_the_os_snapshot(pilot)
        header = form.query_one(".disk-header")
        assert not header.display  # no disk yet: no columns to name
        await pilot.click(".disk-add")
        await pilot.pause()
        assert header.display
        await pilot.click(".disk-row .disk-remove")
        await pilot.pause()
        assert not disks.rows and not header.display  # type: ignore[attr-defined]

    drive(forms_app, scenario)


def assert_titles_over_their_columns(header: ColumnHeader, row: Widget) -> None:
    """Each title of the line `header` draws starts at the column of the row's widget it
    names."""
    line = header.render_lines(Region(0, 0, header.outer_size.width, 1))[0].text
    for name, title in header.COLUMNS:
        if title:
            column = row.query_one(f".{name}").region.x - header.region.x
            assert line[column:].startswith(title), (name, column, line)


def test_the_column_titles_stand_over_their_columns_at_any_width(
    forms_app: SigtuiApp, forms_catalog: Catalog
) -> None:
    """The titles are one line drawn from the rows' own widths (forms.tcss): target
    regions (a column that takes the rest) and data disks, in two terminals."""

    async def scenario(pilot: Pilot[Any]) -> None:
        form, disks = await new_version_from_the_os_snapshot(pilot)
        await pilot.click(".disk-add")
        await settle(pilot)
        for size in (None, (120, 50), (160, 50)):  # as the form opened, then resized
            if size is not None:
                await pilot.resize_terminal(*size)
                await settle(pilot)
            targets = form.field("target_regions")
            assert_titles_over_their_columns(
                targets.query_one(ColumnHeader), targets.query_one(".target-row")
            )
            assert_titles_over_their_columns(
                disks.query_one(ColumnHeader), disks.query_one(".disk-row")
            )

    drive(forms_app, scenario)


def assert_the_source_region_row_cannot_be_removed(targets: TargetRegionsField) -> None:
    """Checked in the version's edit form (test_editing_a_versions_target_regions_...)."""
    removable = {
        row.region_name: not row.query_one(".target-remove").disabled for row in targets.rows
    }
    assert removable == {"westus": False, "eastus": True, "westeurope": True}


def test_the_subscriptions_allowlist_is_edited(
    forms_app: SigtuiApp, forms_catalog: Catalog
) -> None:
    async def scenario(pilot: Pilot[Any]) -> None:
        form = await open_form(pilot, SUB, "e")
        choices = form.query_one(SelectionList)
        assert list(choices.selected) == ["australiacentral"]
        choices.focus()
        await pilot.press("space", "down", "space")  # off Australia Central, on Central 2
        await save(pilot)
        assert isinstance(pilot.app.screen, MainScreen), form.errors

    drive(forms_app, scenario)
    with forms_catalog.read() as db:
        sub = lookup.find_subscription(db, SUB_ID)
        assert services.allowlisted_regions(db, sub) == ["australiacentral2"]


# --- the region picker ------------------------------------------------------------------------


async def the_region_picker_finds_a_region_by_any_of_its_names(
    pilot: Pilot[Any], form: FormScreen
) -> None:
    """In a new gallery's form (test_an_invalid_name_shows_its_rule_code_and_...)."""
    location = form.field("location")
    assert isinstance(location, RegionField)
    picker = location.picker
    for text, expected in (("Europe Ou", "westeurope"), ("northeu", "northeurope")):
        await fill(pilot, form, "location", text)  # part of a French or a programmatic name
        shown = [o.id for o in picker.suggestions.options]
        assert picker.is_open and expected in shown, shown
    for text in ("Europe Ouest", "WESTEUROPE", "west europe"):
        await fill(pilot, form, "location", text)  # a whole name: nothing left to choose
        assert picker.value == "westeurope" and not picker.is_open
    await fill(pilot, form, "location", "West US")
    shown = [o.id for o in picker.suggestions.options]
    assert "westus3" in shown  # today every region holds galleries (SIG-SOURCE-REGIONS)
    await fill(pilot, form, "location", "China")
    assert not picker.suggestions.options  # another cloud (SIG-CLOUD)
    await fill(pilot, form, "location", "europe")
    await pilot.press("down", "enter")
    assert picker.value == "westeurope" and text_of(form, "location") == "West Europe"
    assert not picker.is_open
    await pilot.press("tab")
    assert pilot.app.focused is form.field("description").query_one(Input)


# --- keys -----------------------------------------------------------------------------------------


def test_escape_closes_an_untouched_form_asks_before_it_drops_changes_and_help_lists_keys(
    forms_app: SigtuiApp, forms_catalog: Catalog
) -> None:
    """Escape in a form, then (in the same app) the form's help."""
    before = catalog_dump(forms_catalog)

    async def scenario(pilot: Pilot[Any]) -> None:
        form = await open_form(pilot, SUB, "n")
        await pilot.press("escape")  # nothing typed: closes at once
        await settle(pilot)
        assert isinstance(pilot.app.screen, MainScreen)
        form = await open_form(pilot, SUB, "n")
        await pilot.press(*"rg-new", "escape")
        await settle(pilot)
        question = pilot.app.screen
        assert isinstance(question, DiscardChanges)
        assert "Name" in str(question.query_one("#confirm-question").render())
        await pilot.press("escape")  # escape again keeps editing, the text as typed
        await settle(pilot)
        assert pilot.app.screen is form and text_of(form, "name") == "rg-new"
        await pilot.press("escape", "y")  # discard
        await settle(pilot)
        assert isinstance(pilot.app.screen, MainScreen)
        assert form.saved_id is None
        await help_lists_the_forms_bindings(pilot)
        await the_label_follows_the_focus(pilot)
        await the_form_follows_the_terminal(pilot)

    drive(forms_app, scenario)
    assert catalog_dump(forms_catalog) == before


async def help_lists_the_forms_bindings(pilot: Pilot[Any]) -> None:
    """`?` opens the help where no text is typed (in a text it is a character); F1 anywhere."""
    form = await open_form(pilot, GALLERY, "n")
    for focus, key in (("os_type", "question_mark"), ("name", "f1")):
        form.field(focus).focus_control()
        await pilot.press(key)
        await settle(pilot)
        help_screen = pilot.app.screen
        assert isinstance(help_screen, HelpScreen) and help_screen.under is form
        console = Console(width=100, record=True, file=io.StringIO())
        console.print(bindings_table(binding_rows(form)))
        shown = console.export_text()
        for binding_id in ("form.save", "form.cancel", "form.help"):
            assert binding_id in shown
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is form
    await pilot.press("question_mark")
    assert text_of(form, "name").endswith("?")


async def the_label_follows_the_focus(pilot: Pilot[Any]) -> None:
    """Only the label of the field holding the focus is highlighted (:focus-within)."""
    form = pilot.app.screen
    assert isinstance(form, FormScreen)
    for key in ("name", "description", "os_type"):
        form.field(key).focus_control()
        await pilot.pause()
        highlighted = [
            f.key
            for f in form.fields
            if f.get_component_styles("form-field--label").text_style.bold
        ]
        assert highlighted == [key]


async def the_form_follows_the_terminal(pilot: Pilot[Any]) -> None:
    """A resized terminal lays the open form out again (and the screen under it); its
    fields keep a scrollbar's room only while they scroll."""
    form = pilot.app.screen
    assert isinstance(form, FormScreen)
    fields = form.query_one("#form-fields")
    assert fields.styles.scrollbar_gutter == "stable" and fields.show_vertical_scrollbar
    for width, height in ((100, 30), (120, 90)):
        await pilot.resize_terminal(width, height)
        await settle(pilot)
        assert pilot.app.screen_stack[-2].outer_size == (width, height)  # the main screen
        assert form.query_one("#form-box").region.bottom <= height
        assert fields.styles.max_height == Scalar.parse(str(height - FORM_CHROME_ROWS))
    assert fields.styles.scrollbar_gutter == "auto" and not fields.show_vertical_scrollbar


@pytest.mark.draws_frames
def test_a_form_that_scrolls_has_its_scrollbar_from_its_first_frame(forms_app: SigtuiApp) -> None:
    """Its scrollbar is laid out with its fields, not by a second layout of the whole
    form a frame later (Textual shows it only once a layout has measured them)."""

    async def scenario(pilot: Pilot[Any]) -> None:
        app = pilot.app
        await select_node(pilot, DEFINITION)
        main = app.screen
        first_frames: list[bool] = []
        display = app._display

        def drawn(screen: Any, renderable: object) -> None:
            if screen is not main and renderable is not None and not first_frames:
                fields = screen.query_one("#form-fields")
                first_frames.append(fields.vertical_scrollbar in screen._compositor.full_map)
            display(screen, renderable)

        app._display = drawn  # type: ignore[method-assign]
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.query_one("#form-fields").show_vertical_scrollbar
        assert first_frames == [True]

    drive(forms_app, scenario)


NO_FORM = (  # (node, key, what the notification says)
    (VERSION, "n", "no children"),
    (GROUP, "e", "SIG-UPDATE"),
    (IMAGE, "e", "SIG-UPDATE"),
)


def test_nodes_without_that_form_say_so(forms_app: SigtuiApp) -> None:
    async def scenario(pilot: Pilot[Any]) -> None:
        for arm_id, key, message in NO_FORM:
            await select_node(pilot, arm_id)
            pilot.app.clear_notifications()  # only this key's notification counts
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(pilot.app.screen, MainScreen), (arm_id, key)
            shown = [n.message for n in pilot.app._notifications]
            assert any(message in m for m in shown), (arm_id, key, shown)

    drive(forms_app, scenario)


def test_a_fields_drawn_error_follows_the_theme(
    forms_app: SigtuiApp, forms_catalog: Catalog
) -> None:
    """An error drawn by the field under its control takes the new theme's error color when
    the theme changes under an open form (its style is a component class's, made as it is
    first drawn and made again as the field is styled again)."""

    def note_colors(form: FormScreen, key: str) -> set[object]:
        """The colors of the note's text, drawn right of the label, on the field's row 1."""
        field = form.field(key)
        left = field.styles.gutter.left
        line = field.render_lines(Region(left, 1, field.outer_size.width - left, 1))[0]
        return {segment.style.color for segment in line if segment.text.strip() and segment.style}

    async def scenario(pilot: Pilot[Any]) -> None:
        form = await open_form(pilot, DEFINITION, "n")
        form.field("name").show_error("SIG-NAME: a version name is Major.Minor.Patch")
        await settle(pilot)
        before = note_colors(form, "name")
        pilot.app.theme = "gruvbox"  # another error color than the default theme's
        await settle(pilot)
        after = note_colors(form, "name")
        assert before and after and before != after, (before, after)

    drive(forms_app, scenario)
