"""On a resource group, `n` first asks which kind of child to create."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from sigtui.catalog.queries import browse
from sigtui.ui.screens.modal import Modal
from sigtui.ui.text import plain
from sigtui.ui.widgets.header_footer import AppFooter

KINDS = (
    (browse.GALLERY, "g", "Gallery", "holds image definitions and their versions"),
    (browse.MANAGED_IMAGE, "i", "Managed image", "a source for image versions"),
    (browse.SNAPSHOT, "s", "Snapshot", "an OS or data disk source for image versions"),
)


def choice_label(key: str, label: str, what: str) -> Text:
    text = Text(f"{key}  ", style="bold")
    text.append(f"{label:<17}", style="bold")
    text.append(what, style="dim")
    return text


class KindChooser(Modal[str | None]):
    """Returns browse.GALLERY, MANAGED_IMAGE or SNAPSHOT, or None when cancelled."""

    BINDINGS = [
        Binding("g", "choose('gallery')", "Gallery", id="chooser.gallery"),
        Binding("i", "choose('managed_image')", "Managed image", id="chooser.managed_image"),
        Binding("s", "choose('snapshot')", "Snapshot", id="chooser.snapshot"),
        Binding("escape", "choose(None)", "Cancel", id="chooser.cancel"),
        Binding("question_mark,f1", "app.help", "Help", id="chooser.help"),
    ]

    def __init__(self, group_name: str) -> None:
        super().__init__()
        self.group_name = group_name

    def compose(self) -> ComposeResult:
        with Vertical(id="chooser-box"):
            yield Static(plain(f"New in resource group {self.group_name}"), id="chooser-title")
            yield OptionList(
                *[
                    Option(choice_label(key, label, what), id=kind)
                    for kind, key, label, what in KINDS
                ],
                id="chooser-options",
            )
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_choose(self, kind: str | None) -> None:
        self.dismiss(kind)
