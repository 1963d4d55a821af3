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
async def test_a_screens_footer_has_its_keys_from_its_first_compose(
    app: SigtuiApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No footer waits a frame for its keys, and none composes them a second time as its
    screen opens: a form's footer shows help's `f1` (its text field has the focus, where
    `?` is typed) by updating its key in place."""
    composed_again: list[Screen[Any]] = []
    recompose = Footer.recompose

    async def counted(footer: Footer) -> None:
        composed_again.append(footer.screen)
        await recompose(footer)

    monkeypatch.setattr(Footer, "recompose", counted)
    async with app.run_test() as pilot:
        await walk_to(pilot, *FINANCE)
        main = main_screen(pilot)
        for key in ("e", "l"):  # a form, a full screen
            composed_again.clear()
            await pilot.press(key)
            await settle(pilot)
            screen = pilot.app.screen
            assert screen is not main
            footer = screen.query_one(AppFooter)
            keys = list(footer.query(FooterKey))
            assert keys
            assert composed_again == []
            if key == "e":
                assert ("f1", "Help", False) in _footer_keys_shown(screen)
                await pilot.press("tab")  # a switch next, then back to a text field
                await pilot.press("shift+tab")
                await settle(pilot)
                assert list(footer.query(FooterKey)) == keys
            await pilot.press("escape")
            await settle(pilot)
