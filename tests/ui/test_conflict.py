"""Concurrent edits of one resource: the later save is refused (SIG-CONFLICT), the form
then shows the resource as it is now and what the other session changed, and the user
re-applies their edits on top (or reloads). Never a silent overwrite."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from sigtui.catalog import services
from sigtui.catalog.model.schemas import GalleryUpdate, VersionUpdate
from sigtui.catalog.queries import lookup
from sigtui.catalog.store.db import Catalog
from sigtui.ui.app import SigtuiApp
from sigtui.ui.screens.forms import FormScreen
from sigtui.ui.screens.main import MainScreen

from .test_forms import (  # the forms' catalog and its fixtures
    GALLERY,
    VERSION,
    catalog_dump,
    drive,
    fill,
    forms_app,  # noqa: F401
    forms_catalog,  # noqa: F401
    forms_catalog_file,  # noqa: F401
    open_form,
    save,
    text_of,
)


def elsewhere(catalog: Catalog, arm_id: str, update: Any) -> None:
    """Another session saves the resource (its own write, its own transaction)."""
    with catalog.write() as db:
        if arm_id == GALLERY:
            services.update_gallery(db, arm_id, update, catalog.clock)
        else:
            services.update_version(db, arm_id, update, catalog.clock)


def conflict_text(form: FormScreen) -> str:
    return str(form.query_one("#form-conflict-text").render())


async def refused_edit(pilot: Pilot[Any], catalog: Catalog) -> FormScreen:
    """The gallery form open, someone else changes the description, the user changes the
    tags and saves: refused."""
    form = await open_form(pilot, GALLERY, "e")
    assert not form.query("#form-conflict")  # made the first time an edit conflicts
    elsewhere(catalog, GALLERY, GalleryUpdate(description="changed elsewhere"))
    await fill(pilot, form, "tags", "team=images, env=prod")
    before = catalog_dump(catalog)
    await save(pilot)
    assert catalog_dump(catalog) == before  # the refused save wrote nothing
    assert pilot.app.screen is form
    assert form.errors[""].startswith("SIG-CONFLICT: ")
    return form


def test_a_conflict_shows_the_current_values_and_re_apply_saves_my_edits_and_keeps_theirs(
    forms_app: SigtuiApp,  # noqa: F811
    forms_catalog: Catalog,  # noqa: F811
) -> None:
    async def scenario(pilot: Pilot[Any]) -> None:
        form = await refused_edit(pilot, forms_catalog)
        # the form shows the current values and what changed
        assert form.query_one("#form-conflict").has_class("-shown")
        assert text_of(form, "description") == "changed elsewhere"  # theirs, now
        assert text_of(form, "tags") == "team=finance"
        text = conflict_text(form)
        assert "Description: now 'changed elsewhere' (was 'Images of the finance team')" in text
        assert "Tags: 'team=finance' (you: 'team=images, env=prod')" in text
        # re-applied: saved and closed
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(pilot.app.screen, MainScreen)

    drive(forms_app, scenario)
    with forms_catalog.read() as db:
        gallery = lookup.resolve(db, GALLERY)
    assert gallery.description == "changed elsewhere"  # their change, untouched by me
    assert gallery.tags == {"team": "images", "env": "prod"}  # mine


def test_reload_drops_my_edits(
    forms_app: SigtuiApp,  # noqa: F811
    forms_catalog: Catalog,  # noqa: F811
) -> None:
    async def scenario(pilot: Pilot[Any]) -> None:
        form = await refused_edit(pilot, forms_catalog)
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert not form.query_one("#form-conflict").has_class("-shown")
        assert form.errors == {}
        assert text_of(form, "tags") == "team=finance"
        await save(pilot)  # saves the current values: nothing of mine
        assert isinstance(pilot.app.screen, MainScreen)

    drive(forms_app, scenario)
    with forms_catalog.read() as db:
        gallery = lookup.resolve(db, GALLERY)
    assert (gallery.description, gallery.tags) == ("changed elsewhere", {"team": "finance"})


def test_a_re_apply_that_conflicts_again_repeats_the_cycle(
    forms_app: SigtuiApp,  # noqa: F811
    forms_catalog: Catalog,  # noqa: F811
) -> None:
    async def scenario(pilot: Pilot[Any]) -> None:
        form = await refused_edit(pilot, forms_catalog)
        elsewhere(forms_catalog, GALLERY, GalleryUpdate(description="changed again"))
        before = catalog_dump(forms_catalog)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert catalog_dump(forms_catalog) == before
        assert pilot.app.screen is form
        assert form.errors[""].startswith("SIG-CONFLICT: ")
        assert "Description: now 'changed again' (was 'changed elsewhere')" in conflict_text(form)
        panels = form.query("#form-conflict")  # the same panel, shown again
        assert len(panels) == 1 and panels.first().has_class("-shown")
        assert "(you: 'team=images, env=prod')" in conflict_text(form)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(pilot.app.screen, MainScreen)

    drive(forms_app, scenario)
    with forms_catalog.read() as db:
        gallery = lookup.resolve(db, GALLERY)
    assert (gallery.description, gallery.tags) == (
        "changed again",
        {"team": "images", "env": "prod"},
    )


def test_a_versions_conflict_keeps_their_exclusion_and_a_version_deleted_meanwhile_is_said_so(
    forms_app: SigtuiApp,  # noqa: F811
    forms_catalog: Catalog,  # noqa: F811
) -> None:
    """In one app: a version's conflict re-applied keeps their exclusion and my tags; then,
    in its form opened again, the version deleted meanwhile is said so."""

    async def scenario(pilot: Pilot[Any]) -> None:
        form = await open_form(pilot, VERSION, "e")
        elsewhere(forms_catalog, VERSION, VersionUpdate(exclude_from_latest=True))
        await fill(pilot, form, "tags", "build=43")
        await save(pilot)
        assert form.errors[""].startswith("SIG-CONFLICT: ")
        text = conflict_text(form)
        assert "Exclude from latest: now yes (was no)" in text
        assert "Tags: 'build=42' (you: 'build=43')" in text
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(pilot.app.screen, MainScreen)
        with forms_catalog.read() as db:
            version = lookup.resolve(db, VERSION)
        assert (version.exclude_from_latest, version.tags) == (True, {"build": "43"})
        await a_resource_deleted_meanwhile_is_said_so(pilot, forms_catalog)

    drive(forms_app, scenario)


async def a_resource_deleted_meanwhile_is_said_so(pilot: Pilot[Any], catalog: Catalog) -> None:
    form = await open_form(pilot, VERSION, "e")
    with catalog.write() as db:
        services.delete_version(db, VERSION)
    await fill(pilot, form, "tags", "build=43")
    await save(pilot)
    assert pilot.app.screen is form
    assert [e[:14] for e in form.errors.values()] == ["SIG-NOT-FOUND:"]
