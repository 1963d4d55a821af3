"""A gallery with many definitions, or a definition with many versions, comes into the tree
a page at a time (browse.PAGE_SIZE, keyset pagination): a "more" node brings the next page,
and jumping to a resource on a later page (the filter) still finds it. Shown on the demo
catalog with pages of two."""

from __future__ import annotations

import pytest

from sigtui.catalog.queries import browse
from sigtui.ui.app import SigtuiApp
from tests.ui.conftest import TERMINAL
from tests.ui.helpers import settle
from tests.ui.test_main_flows import FINANCE, cursor_name, main_screen, pilot_test, walk_to


def _names(node: object) -> list[str]:
    return [child.data.node.name for child in node.children]  # type: ignore[attr-defined]


@pilot_test
async def test_enter_on_more_brings_the_next_page(
    app: SigtuiApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(browse, "PAGE_SIZE", 2)
    async with app.run_test(size=TERMINAL) as pilot:
        await walk_to(pilot, *FINANCE, "myImage1")
        gallery = main_screen(pilot).tree.cursor_node.parent  # type: ignore[union-attr]
        assert _names(gallery) == ["myImage1", "myImage2", "1 more image definition"]
        await walk_to(pilot, "1 more image definition")
        await pilot.press("enter")
        await settle(pilot)
        assert _names(gallery) == ["myImage1", "myImage2", "myImage3"]
        assert cursor_name(pilot) == "myImage3"


@pilot_test
async def test_a_reload_keeps_the_pages_shown_and_the_cursor_on_a_later_one(
    app: SigtuiApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another session's change reloads the tree: the pages brought in stay."""
    monkeypatch.setattr(browse, "PAGE_SIZE", 2)
    async with app.run_test(size=TERMINAL) as pilot:
        await walk_to(pilot, *FINANCE, "1 more image definition")
        await pilot.press("enter")
        await settle(pilot)
        tree = main_screen(pilot).tree
        assert cursor_name(pilot) == "myImage3"
        tree.reload_all()
        await settle(pilot)
        await settle(pilot)
        gallery = tree.cursor_node.parent  # type: ignore[union-attr]  # rebuilt
        assert _names(gallery) == ["myImage1", "myImage2", "myImage3"]
        assert cursor_name(pilot) == "myImage3"


@pilot_test
async def test_the_filter_jumps_to_a_resource_on_a_later_page(
    app: SigtuiApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(browse, "PAGE_SIZE", 1)
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        main_screen(pilot).jump_to(
            "/subscriptions/" + _finance_subscription(app) + "/resourceGroups/"
            f"{FINANCE[2]}/providers/Microsoft.Compute/galleries/{FINANCE[3]}/images/myImage3"
        )
        await settle(pilot)
        await settle(pilot)
        assert cursor_name(pilot) == "myImage3"


def _finance_subscription(app: SigtuiApp) -> str:
    from sigtui.catalog.queries import lookup

    with app.catalog.read() as db:
        return lookup.find_subscription(db, FINANCE[1]).subscription_id
