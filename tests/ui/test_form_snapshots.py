"""Snapshots of every create and edit form, and of forms showing an error, at 120x40.

Regenerate with `pytest tests/ui/test_form_snapshots.py --snapshot-update`, then look at
each SVG under __snapshots__/test_form_snapshots/ before accepting it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from sigtui.catalog import services
from sigtui.catalog.model.schemas import GalleryUpdate
from sigtui.catalog.queries import browse
from sigtui.ui.app import SigtuiApp
from sigtui.ui.screens.forms.target_regions import TargetRegionsField
from sigtui.ui.screens.main import MainScreen

from .helpers import settle
from .test_forms import (  # the forms' catalog and its fixtures
    DEFINITION,
    GALLERY,
    GROUP,
    IMAGE,
    OS_SNAPSHOT,
    SUB,
    TERMINAL,
    VERSION,
    fill,
    forms_app,  # noqa: F401
    forms_catalog,  # noqa: F401
    forms_catalog_file,  # noqa: F401
    select_node,
)

RunBefore = Callable[[Pilot[Any]], Awaitable[None]]


def steady(pilot: Pilot[Any]) -> None:
    """What would change from run to run: the cursor's blink, the temporary catalog path."""
    app = pilot.app
    assert isinstance(app, SigtuiApp)
    app.sub_title = app.sub_title.replace(app.catalog.display_name, "catalog.db")
    for text in app.screen.query(Input):
        text.cursor_blink = False


def opened(arm_id: str | None, *keys: str, folder: str | None = None) -> RunBefore:
    """Select a node (or the folder of that kind above it), press `keys`."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await select_node(pilot, arm_id, None if arm_id else "Contoso")
        if folder:
            screen = pilot.app.screen
            assert isinstance(screen, MainScreen)
            node = screen.tree.cursor_node
            assert node is not None and node.parent is not None and node.parent.data
            assert node.parent.data.node.ref.kind == folder
            screen.tree.move_cursor(node.parent)
            await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)
        steady(pilot)

    return run_before


def with_error(run_before: RunBefore, typed: dict[str, str]) -> RunBefore:
    """Open a form, type into some fields and save: the refusal shows."""

    async def run(pilot: Pilot[Any]) -> None:
        await run_before(pilot)
        form = pilot.app.screen
        for key, text in typed.items():
            await fill(pilot, form, key, text)  # type: ignore[arg-type]
        await pilot.press("ctrl+s")
        await settle(pilot)
        steady(pilot)

    return run


def typed(run_before: RunBefore, key: str, text: str) -> RunBefore:
    """Open a form and type into one field (e.g. to show a picker's suggestions)."""

    async def run(pilot: Pilot[Any]) -> None:
        await run_before(pilot)
        await fill(pilot, pilot.app.screen, key, text)  # type: ignore[arg-type]
        await settle(pilot)
        steady(pilot)

    return run


def typed_into_targets(run_before: RunBefore, text: str, *, save: bool = False) -> RunBefore:
    """Open a version form, add a target region in the az shorthand, maybe save."""

    async def run(pilot: Pilot[Any]) -> None:
        await run_before(pilot)
        pilot.app.screen.query_one(TargetRegionsField).add_input.focus()
        await pilot.press(*text, "enter")
        if save:
            form = pilot.app.screen
            form.field("source").select.value = IMAGE  # type: ignore[attr-defined]
            await pilot.press("ctrl+s")
        await settle(pilot)
        steady(pilot)

    return run


def conflicting(run_before: RunBefore) -> RunBefore:
    """Open an edit form, let another session change the resource, change the tags, save:
    SIG-CONFLICT, and the panel with theirs and mine."""

    async def run(pilot: Pilot[Any]) -> None:
        await run_before(pilot)
        app = pilot.app
        assert isinstance(app, SigtuiApp)
        with app.catalog.write() as db:
            services.update_gallery(
                db, GALLERY, GalleryUpdate(description="changed elsewhere"), app.catalog.clock
            )
        await fill(pilot, app.screen, "tags", "team=images, env=prod")  # type: ignore[arg-type]
        await pilot.press("ctrl+s")
        await settle(pilot)
        steady(pilot)

    return run


FORMS: dict[str, RunBefore] = {
    "new_subscription": opened(None, "n"),
    "new_group": opened(SUB, "n"),
    "new_in_group_chooser": opened(GROUP, "n"),
    "new_gallery": opened(GROUP, "n", "g"),
    "new_definition": opened(GALLERY, "n"),
    "new_version": opened(DEFINITION, "n"),
    "new_managed_image": opened(IMAGE, "n", folder=browse.IMAGES),
    "new_snapshot": opened(OS_SNAPSHOT, "n", folder=browse.SNAPSHOTS),
    "edit_gallery": opened(GALLERY, "e"),
    "edit_definition": opened(DEFINITION, "e"),
    "edit_version": opened(VERSION, "e"),
    "edit_subscription": opened(SUB, "e"),
    "error_gallery_name": with_error(opened(GROUP, "n", "g"), {"name": "my-gallery"}),
    "error_definition_identity": with_error(
        opened(GALLERY, "n"),
        {"name": "myImage9", "publisher": "Contoso", "offer": "Finance", "sku": "Backend"},
    ),
    "error_version_eol": with_error(opened(VERSION, "e"), {"end_of_life_date": "2020-01-01"}),
    "error_definition_every_field": with_error(  # every refusal at once, each by its field
        opened(GALLERY, "n"), {"name": "bad-", "publisher": "P", "sku": "x."}
    ),
    "error_version_zrs_target": typed_into_targets(
        opened(DEFINITION, "n"), "westcentralus=1=standard_zrs", save=True
    ),
    "error_conflict": conflicting(opened(GALLERY, "e")),
    "region_suggestions": typed(opened(GROUP, "n", "g"), "location", "europe"),
    "target_region_added": typed_into_targets(opened(VERSION, "e"), "USA Centre Sud=2"),
}


@pytest.mark.parametrize("name", list(FORMS))
def test_form_snapshot(name: str, forms_app: SigtuiApp, snap_compare: Any) -> None:  # noqa: F811
    assert snap_compare(forms_app, terminal_size=TERMINAL, run_before=FORMS[name])
