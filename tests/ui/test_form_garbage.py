"""Garbage in every text input of every create and edit form, then save: the app keeps
running, and the form either saves (and closes) or refuses with a SIG- code shown under a
field or at its top, the catalog exactly as it was.

One app per form: the other fields hold valid values (a fresh name per attempt, so that
a save that succeeds does not make the next one a duplicate), each input in turn gets
each garbage value, and the form is opened again after a save that succeeded.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from sigtui.catalog.queries import browse
from sigtui.catalog.store.db import Catalog
from sigtui.ui.app import SigtuiApp
from sigtui.ui.screens.forms import FormScreen
from sigtui.ui.screens.main import MainScreen

from .helpers import settle
from .test_form_snapshots import opened
from .test_forms import (  # the forms' catalog and its fixtures
    DEFINITION,
    GALLERY,
    GROUP,
    IMAGE,
    OS_SNAPSHOT,
    SUB,
    VERSION,
    catalog_dump,
    drive,
    forms_app,  # noqa: F401
    forms_catalog,  # noqa: F401
    forms_catalog_file,  # noqa: F401
)

GARBAGE = (
    "",
    "   ",
    "x" * 300,
    "a\x00b\x07\x1b[31m",
    "🙂🚀 שלום مرحبا",
    "-1",
    "1e309",
    "99999999999999999999",
    "1.2.3.4.5",
    "../../etc",
    "'; DROP TABLE x;--",
    "2026-02-30",
)

pytestmark = pytest.mark.slow


def garbage_for(form: str, index: int) -> str:
    """The value input `index` of `form` gets: a form's inputs take turns through GARBAGE,
    each form starting further along, so that every value reaches inputs of every kind
    (one value per input keeps a form of twenty inputs to twenty saves)."""
    start = list(FORMS).index(form) * 5
    return GARBAGE[(start + index) % len(GARBAGE)]


Open = Callable[[Pilot[Any]], Awaitable[None]]

# each form: how to open it, and valid text for the fields a save needs ({n}: a fresh
# number per attempt), plus a source for a new version
FORMS: dict[str, tuple[Open, dict[str, str]]] = {
    "new_subscription": (
        opened(None, "n"),
        {"name": "Garbage {n}", "subscription_id": "22222222-2222-4222-8222-{n:012d}"},
    ),
    "new_group": (opened(SUB, "n"), {"name": "rg-garbage{n}", "location": "westus"}),
    "new_gallery": (opened(GROUP, "n", "g"), {"name": "garbage{n}", "location": "westus"}),
    "new_managed_image": (
        opened(IMAGE, "n", folder=browse.IMAGES),
        {"name": "image-garbage{n}", "location": "westus", "os_disk_size_gb": "30"},
    ),
    "new_snapshot": (
        opened(OS_SNAPSHOT, "n", folder=browse.SNAPSHOTS),
        {"name": "snap-garbage{n}", "location": "westus", "size_gb": "64"},
    ),
    "new_definition": (
        opened(GALLERY, "n"),
        {"name": "garbage{n}", "location": "westus", "publisher": "P", "offer": "O", "sku": "S{n}"},
    ),
    "new_version": (opened(DEFINITION, "n"), {"name": "2.0.{n}", "location": "westus"}),
    "edit_gallery": (opened(GALLERY, "e"), {}),
    "edit_definition": (opened(DEFINITION, "e"), {}),
    "edit_version": (opened(VERSION, "e"), {}),
}


def text_inputs(form: FormScreen) -> list[Input]:
    """Every input a user can type into, in the order of the form."""
    return [i for i in form.query_one("#form-fields").query(Input) if not i.is_disabled]


class Attempts:
    """One form reused for every attempt: its inputs set back to what they held when it
    opened, then the valid values (a fresh number each time)."""

    def __init__(self, pilot: Pilot[Any], name: str) -> None:
        self.pilot = pilot
        self.open, self.valid = FORMS[name]
        self.count = 0
        self.initial: list[str] = []

    async def form(self) -> FormScreen:
        if not isinstance(self.pilot.app.screen, FormScreen):
            await settle(self.pilot)
            await self.open(self.pilot)
            await settle(self.pilot)  # the rows' region pickers are disabled on their mount
            self.initial = [i.value for i in text_inputs(self.pilot.app.screen)]  # type: ignore[arg-type]
        form = self.pilot.app.screen
        assert isinstance(form, FormScreen), form
        for control, text in zip(text_inputs(form), self.initial, strict=True):
            control.value = text
        self.count += 1
        for key, text in self.valid.items():
            form.field(key).query_one(Input).value = text.format(n=self.count)
        if form.query("#select-source"):
            form.field("source").select.value = IMAGE  # type: ignore[attr-defined]
        await self.pilot.pause()
        return form


async def save_garbage(
    pilot: Pilot[Any], attempts: Attempts, index: int, text: str, catalog: Catalog
) -> None:
    form = await attempts.form()
    target = text_inputs(form)[index]
    target.focus()
    target.value = text
    before = catalog_dump(catalog)
    await pilot.press("ctrl+s")  # the save runs in the key's handler: done after a pause
    await pilot.pause()
    assert pilot.app.is_running
    screen = pilot.app.screen
    where = f"input {index} ({target.id or target.parent}) = {text!r}"
    if isinstance(screen, MainScreen):
        return  # saved: the garbage was acceptable there
    assert screen is form, where
    shown = form.errors
    assert shown and all(e.startswith("SIG-") for e in shown.values()), (where, shown)
    assert catalog_dump(catalog) == before, where


@pytest.mark.parametrize("name", list(FORMS))
def test_garbage_in_every_field_is_refused_with_a_code_or_saved(
    name: str,
    forms_app: SigtuiApp,  # noqa: F811
    forms_catalog: Catalog,  # noqa: F811
) -> None:
    async def scenario(pilot: Pilot[Any]) -> None:
        attempts = Attempts(pilot, name)
        await attempts.form()
        await settle(pilot)
        inputs = len(text_inputs(pilot.app.screen))  # type: ignore[arg-type]
        assert inputs > 0
        for index in range(inputs):
            await save_garbage(pilot, attempts, index, garbage_for(name, index), forms_catalog)

    drive(forms_app, scenario)
