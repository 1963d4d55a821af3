"""Look and keys (#21): the footer fits 80 columns and keeps help and quit, the focused pane
shows it has the focus, tree labels and limit gauges fit without cutting a word or running
over each other, the help screen groups sigtui's keys first and has pages for the rule
codes and the price sheet's provenance."""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

from rich.console import Console
from rich.style import Style as RichStyle
from rich.text import Text
from textual.binding import Binding
from textual.color import Color
from textual.pilot import Pilot
from textual.style import Style
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from sigtui.catalog.queries.costs.sheet_json import builtin_sheet
from sigtui.catalog.rules import limits
from sigtui.ui.app import SigtuiApp
from sigtui.ui.screens.help import HelpScreen, binding_rows, bindings_table, provenance_text
from sigtui.ui.screens.limits import LimitsScreen, heading_lines
from sigtui.ui.widgets.catalog_tree import fit_label
from sigtui.ui.widgets.gauge import gauge_content
from sigtui.ui.widgets.header_footer import AppFooter, fitted_keys, key_width
from tests.ui.helpers import open_screen, settle
from tests.ui.test_main_flows import FINANCE, main_screen, pilot_test, walk_to

# --- the pure parts ------------------------------------------------------------------------


def test_a_label_loses_whole_facts_then_ellipsizes_its_name() -> None:
    label = Text("rg-finance-builds  France Central · 0 galleries")
    assert fit_label(label, 60).plain == label.plain
    assert fit_label(label, 40).plain == "rg-finance-builds  France Central"
    assert fit_label(label, 25).plain == "rg-finance-builds"
    assert fit_label(label, 10).plain == "rg-financ…"
    wide = Text("镜像-finance  West Europe · 3 versions · ✓ Completed")
    for text in (label, wide, Text("no-facts-at-all")):
        for room in range(1, 70):  # the tree's lines are never wider than their room
            assert fit_label(text, room).cell_len <= room, room


def _key(binding: Binding) -> str:
    return binding.key


def test_footer_keys_drop_from_the_end_but_help_and_quit_stay() -> None:
    keys = [
        (Binding(key, key, title, id=binding_id), True, "")
        for key, title, binding_id in [
            ("n", "New", "main.new"),
            ("e", "Edit", "main.edit"),
            ("v", "All versions", "main.all_versions"),
            ("?", "Help", "app.help"),
            ("q", "Quit", "app.quit"),
        ]
    ]
    widths = [key_width(b.key, b.description) for b, _, _ in keys]
    assert [b.description for b, _, _ in fitted_keys(keys, sum(widths), _key)] == [
        "New",
        "Edit",
        "All versions",
        "Help",
        "Quit",
    ]
    shown = fitted_keys(keys, sum(widths) - 1, _key)
    assert [b.description for b, _, _ in shown] == ["New", "Edit", "Help", "Quit"]
    assert [b.description for b, _, _ in fitted_keys(keys, 5, _key)] == ["Help", "Quit"]


def test_a_gauge_never_runs_over_its_width_and_its_numbers_never_over_its_bar() -> None:
    """The bar is cells of a background colour, then one space, then the numbers."""
    style = Style()
    for width in (8, 12, 16, 22, 40):
        for used, limit in ((92, 100), (10, 10_000), (9_999, 10_000), (1_000, 1_000)):
            gauge = gauge_content(used, limit, width, style, style).plain
            assert len(gauge) <= width, (width, used, gauge)
            forms = (f"{used:,} / {limit:,}", f"{used:,}/{limit:,}")
            assert any(form in gauge for form in forms) or gauge.endswith("…"), gauge
    assert gauge_content(92, 100, 30, style, style).plain.endswith(" 92 / 100  92 %")
    assert gauge_content(92, 100, 16, style, style).plain.endswith(" 92/100 92%")


def test_limit_headings_are_whole_words() -> None:
    assert heading_lines(limits.DEFINITIONS, 30) == (
        "Definitions (of 1,000)",
        "SIG-LIMIT-DEFINITIONS",
    )
    assert heading_lines(limits.DEFINITIONS, 17) == ("Definitions", "of 1,000")


# --- in the app, at 80 x 24 ------------------------------------------------------------------


def _footer_keys(pilot: Pilot[Any]) -> list[FooterKey]:
    return list(pilot.app.screen.query(FooterKey))


def _text(renderable: Any) -> str:
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def styling_counts(app: SigtuiApp) -> Counter[object]:
    """From now on: how many times each node is styled."""
    counts: Counter[object] = Counter()
    apply = app.stylesheet.apply

    def counted(node: Any, *args: Any, **kwargs: Any) -> Any:
        counts[node] += 1
        return apply(node, *args, **kwargs)

    app.stylesheet.apply = counted  # type: ignore[method-assign]
    return counts


def _accent(app: SigtuiApp) -> Color:
    return Color.parse(app.theme_variables["accent"])


@pilot_test
async def test_at_80_columns_keys_fit_focus_shows_and_labels_fit(app: SigtuiApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await walk_to(pilot, *FINANCE, "myImage1", "1.1.0")
        keys = _footer_keys(pilot)
        assert sum(key.outer_size.width for key in keys) <= 80
        shown = {key.description for key in keys}
        assert {"Help", "Quit", "Palette", "New"} <= shown
        assert "Replication" not in shown  # dropped first: the screen's last keys

        screen = main_screen(pilot)
        tree = screen.tree
        room = tree.scrollable_content_region.width
        assert tree.virtual_size.width <= room  # no label wider than the pane
        assert not tree.show_horizontal_scrollbar
        nodes = [tree.get_node_at_line(line) for line in range(tree.last_line + 1)]
        shown = [node for node in nodes if node is not None]
        drawn = [tree.render_label(node, RichStyle(), RichStyle()).cell_len for node in shown]
        widths = [tree.get_label_width(node) for node in shown]  # each label's room
        assert all(d <= w for d, w in zip(drawn, widths, strict=True)) and len(drawn) > 5
        assert tree.styles.border_left[1] == _accent(app)
        await pilot.press("tab")
        await settle(pilot)
        details = screen.query_one("#details")
        assert details.has_focus_within
        assert details.styles.border_left[1] == _accent(app)
        assert tree.styles.border_left[0] == "blank"  # the tree no longer claims the focus

        await pilot.resize_terminal(160, 40)
        await settle(pilot)
        assert {"Replication", "Filter", "Help", "Quit"} <= {
            key.description for key in _footer_keys(pilot)
        }


@pilot_test
async def test_help_groups_keys_and_has_rules_and_price_pages(app: SigtuiApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        styled = styling_counts(app)
        help_screen = await open_screen(pilot, "question_mark", HelpScreen)
        # its widgets styled as they mounted and as the focus came in (Textual restyles
        # what the focused container holds), not a third time as the screen was first
        # shown (StyledOnce): the screen alone is styled then
        assert styled[help_screen.query_one("#help-bindings")] == 2
        keys = _text(bindings_table(binding_rows(help_screen.under)))
        own, _, standard = keys.partition("Standard keys (Textual)")
        assert "main.new" in own and "app.help" in own
        assert "Cursor" in standard and "main." not in standard
        await pilot.press("r")
        await settle(pilot)
        rules = help_screen.query_one("#help-rules", Static)
        assert rules.display and not help_screen.query_one("#help-bindings").display
        await pilot.press("p")
        await settle(pilot)
        assert help_screen.query_one("#help-prices").display and not rules.display
        prices = provenance_text(builtin_sheet()).plain
        assert builtin_sheet().source in prices and "unverified" in prices


@pilot_test
async def test_limits_columns_fit_at_80_columns(app: SigtuiApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        styled = styling_counts(app)
        screen = await open_screen(pilot, "l", LimitsScreen)
        # each key bound to the footer styled once as it mounted, not three times (as it
        # came, compact, then not: AppFooterKey); the palette key is Textual's
        keys = screen.query_one(AppFooter).query(FooterKey)
        bound = [key for key in keys if not key.has_class("-command-palette")]
        assert bound and [styled[key] for key in bound] == [1] * len(bound)
        table = screen.table
        width = table.size.width
        for y in range(len(table.rows) * 2):
            line = "".join(segment.text for segment in table.render_line(y))
            assert len(line) <= width
        heading = _text(screen.query_one("#limits-heading").render())
        assert "Definitions" in heading and "Definitions (of" not in heading
