"""Textual's Input and Button for forms, styled once as they mount.

Textual restyles a widget each time one of its classes changes, and its constructors
change some (`compact`, a Button's variant and flat look) before the widget is in the
DOM, where nothing is shown yet and where it is styled anyway as it is mounted: a form
of twenty inputs and buttons restyled them forty times, for nothing. These skip a
restyle asked for before the widget is attached; once attached, every one happens.
"""

from __future__ import annotations

from textual.widgets import Button, Input


class StyledWhenAttached:
    """Mixed into a widget: no restyle before it is attached to the DOM."""

    is_attached: bool

    def update_node_styles(self, animate: bool = True) -> None:
        if self.is_attached:
            super().update_node_styles(animate)  # type: ignore[misc]


class FormInput(StyledWhenAttached, Input):
    pass


class FormButton(StyledWhenAttached, Button):
    pass
