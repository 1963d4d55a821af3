"""Headers and footers: closed screens leave none of theirs behind (Textual keeps a
removed widget's watchers until the watched value changes; sigtui's never do), and a
footer composes its keys again only when the keys shown would change."""

from __future__ import annotations

import gc
import weakref
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header
from textual.widgets._footer import FooterKey

from sigtui.ui.app import SigtuiApp
from sigtui.ui.screens.forms.base import FormScreen
from sigtui.ui.widgets.header_footer import AppFooter
from tests.ui.helpers import settle
from tests.ui.test_main_flows import FINANCE, main_screen, pilot_test, walk_to


def _headers_and_footer_keys() -> list[Widget]:
    gc.collect()
    return [o for o in gc.get_objects() if isinstance(o, Header | FooterKey)]


def _left_behind(older: weakref.WeakSet[Widget]) -> tuple[int, int]:
    """Headers and footer keys still in memory, though no longer in any screen; not
    counting those `older` holds (made before the test, by earlier tests in the process:
    not this app's to let go of)."""
    found = [o for o in _headers_and_footer_keys() if not o.is_attached and o not in older]
    return (
        sum(isinstance(o, Header) for o in found),
        sum(isinstance(o, FooterKey) for o in found),
    )


@pytest.mark.draws_frames  # what the app keeps in memory depends on the frames it draws
@pilot_test
async def test_screens_opened_and_closed_leave_no_headers_and_no_growing_footer_keys(
    app: SigtuiApp,
) -> None:
    older = weakref.WeakSet(_headers_and_footer_keys())
    async with app.run_test() as pilot:
        await settle(pilot)
        for _ in range(4):
            for key in ("l", "f", "v"):  # screens over the main one
                await pilot.press(key)
                await settle(pilot)
                await pilot.press("escape")
                await settle(pilot)
            await pilot.press("tab")  # the main footer composes its keys again
            await settle(pilot)
        # a footer's list of children may still cache the keys it composed before, until
        # its next layout: at most one set of the main footer's keys, never more
        most = len(main_screen(pilot).query(FooterKey))
        for _ in range(200):  # the last screen closed may still be tearing down (busy CI)
            headers, keys = _left_behind(older)
            if headers == 0 and keys <= most:
                break
            main_screen(pilot).refresh(layout=True)  # what drops a footer's cached keys
            await pilot.pause(0.05)
        headers, keys = _left_behind(older)
        assert headers == 0
        assert keys <= most


def _share_key(pilot: Pilot[Any]) -> FooterKey:
    return next(k for k in main_screen(pilot).query(FooterKey) if k.action == "share")


@pilot_test
async def test_a_covered_screens_footer_keeps_its_keys(app: SigtuiApp) -> None:
    async with app.run_test() as pilot:
        await settle(pilot)
        keys = list(main_screen(pilot).query(FooterKey))
        for key in ("l", "f", "v"):  # screens over the main one (`/` filters in place)
            await pilot.press(key)
            await settle(pilot)
            await pilot.press("escape")
            await settle(pilot)
        assert list(main_screen(pilot).query(FooterKey)) == keys  # the same widgets


@pilot_test
async def test_the_footer_follows_what_the_selection_allows(app: SigtuiApp) -> None:
    """Share is greyed out on a resource group and allowed on a gallery, on the same key
    widgets (a key enabled or not is updated in place, not composed again)."""
    async with app.run_test() as pilot:
        await walk_to(pilot, *FINANCE[:3])
        await settle(pilot)
        keys = list(main_screen(pilot).query(FooterKey))
        assert _share_key(pilot).has_class("-disabled")
        assert _share_key(pilot)._disabled
        await walk_to(pilot, *FINANCE[2:])
        await settle(pilot)
        assert not _share_key(pilot).has_class("-disabled")
        assert not _share_key(pilot)._disabled
        assert list(main_screen(pilot).query(FooterKey)) == keys


def _footer_keys_shown(screen: Screen[Any]) -> list[tuple[str, str, bool]]:
    return [
        (key.key_display, key.description, key._disabled)
        for key in screen.query_one(AppFooter).query(FooterKey)
    ]


@pilot_test
async def test_a_screens_footer_has_its_keys_in_its_first_frame_then_updates_them_in_place(
    app: SigtuiApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a form opens, its footer's keys are composed with it and drawn in its first
    frame, never composed again (they came a frame later, composed after the first); as
    its text field takes the focus, help shows as `f1` (`?` is typed there), on the same
    key widgets; so as the focus moves to a button (`?`) and back."""
    composed: list[Screen[Any]] = []
    first_frames: dict[Screen[Any], list[tuple[str, str, bool]]] = {}
    recompose, display = Footer.recompose, app._display

    async def counted(footer: Footer) -> None:
        composed.append(footer.screen)
        await recompose(footer)

    def drawn(screen: Screen[Any], update: Any) -> None:
        display(screen, update)
        if isinstance(screen, FormScreen):  # a frame (drawn, or skipped in these tests)
            first_frames.setdefault(screen, _footer_keys_shown(screen))

    monkeypatch.setattr(Footer, "recompose", counted)
    monkeypatch.setattr(app, "_display", drawn)
    async with app.run_test() as pilot:
        await walk_to(pilot, *FINANCE)
        composed.clear()
        await pilot.press("e")
        await settle(pilot)
        form = pilot.app.screen
        assert {key for _, key, _ in first_frames[form]} >= {"Save", "Cancel", "Help"}
        assert composed == []
        footer = form.query_one(AppFooter)
        keys = list(footer.query(FooterKey))
        assert ("f1", "Help", False) in _footer_keys_shown(form)
        field = pilot.app.focused
        form.query_one("#form-save").focus()  # a button: `?` is help there
        await settle(pilot)
        assert ("?", "Help", False) in _footer_keys_shown(form)
        assert field is not None
        field.focus()
        await settle(pilot)
        assert ("f1", "Help", False) in _footer_keys_shown(form)
        assert list(footer.query(FooterKey)) == keys
        assert composed == []
