"""A version's data-disk snapshots, as rows: the snapshot and its LUN (SIG-DISK-SIZE:
LUNs unique). Only for versions made from an OS snapshot; a managed image brings its own
data disks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input
from textual.widgets import Select as TextualSelect

from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.rules import checks
from sigtui.ui.screens.forms.column_header import DataDisksHeader
from sigtui.ui.screens.forms.controls import FormButton, FormInput
from sigtui.ui.screens.forms.fields import VALID, FormField, error_text, parse_whole_number
from sigtui.ui.screens.forms.select import FormSelect

Options = Sequence[tuple[str, str]]


class DataDiskRow(Horizontal):
    def __init__(self, options: Options, lun: int, snapshot: str | None = None) -> None:
        super().__init__(classes="disk-row")
        self.options = options
        self.lun = lun
        self.snapshot = snapshot

    def compose(self) -> ComposeResult:
        yield FormSelect(
            self.options,
            value=self.snapshot or TextualSelect.NULL,
            prompt="choose a snapshot",
            compact=True,
            classes="disk-snapshot",
        )
        yield FormInput(str(self.lun), compact=True, classes=f"disk-lun {VALID}")
        yield FormButton("remove", compact=True, classes="disk-remove")

    @property
    def snapshot_id(self) -> str | None:
        return self.query_one(".disk-snapshot", TextualSelect).selection

    @property
    def lun_text(self) -> str:
        return self.query_one(".disk-lun", Input).value.strip()


class DataDisksField(FormField):
    """`value`: (snapshot ids, LUNs as typed), for VersionCreate. The columns' header
    shows only above rows (`-empty` hides it)."""

    def __init__(self, options: Options, *, key: str = "data_disks", **kw: Any) -> None:
        kw.setdefault("aliases", ("data_snapshot_ids", "data_snapshot_luns"))
        super().__init__(key, "Data-disk snapshots", **kw)
        self.options = list(options)
        self.add_class("-empty")

    def compose_control(self) -> ComposeResult:
        yield DataDisksHeader(classes="disk-header")
        yield Vertical(classes="disk-rows")
        yield FormButton("add data disk", compact=True, classes="disk-add")

    @property
    def rows(self) -> list[DataDiskRow]:
        return list(self.query(DataDiskRow))

    @property
    def value(self) -> tuple[list[str], list[str]]:
        rows = [row for row in self.rows if row.snapshot_id]
        return [row.snapshot_id or "" for row in rows], [row.lun_text for row in rows]

    def problems(self) -> list[CatalogError]:
        """LUNs as typed: whole numbers from 0, each once (SIG-DISK-SIZE: unique LUNs)."""
        luns = []
        for row in self.rows:
            if not row.snapshot_id:
                continue
            try:
                lun = parse_whole_number(row.lun_text, "a LUN", self.key)
            except CatalogError as error:
                return [error]
            if lun < 0:
                return [CatalogError("SIG-INPUT", f"LUN {lun} is negative", field=self.key)]
            luns.append(lun)
        if len(set(luns)) != len(luns):
            return [CatalogError("SIG-DISK-SIZE", "data disks need unique LUNs", field=self.key)]
        return []

    @on(Input.Changed, ".disk-lun")
    def _lun_typed(self, event: Input.Changed) -> None:
        event.stop()
        problems = self.problems()
        self.show_error(error_text(problems[0]) if problems else "")

    def set_options(self, options: Options) -> None:
        self.options = list(options)
        for row in self.rows:
            select = row.query_one(".disk-snapshot", TextualSelect)
            kept = select.selection
            select.set_options(self.options)
            if kept is not None and any(v == kept for _, v in self.options):
                select.value = kept

    def add_row(self) -> DataDiskRow:
        luns = [int(row.lun_text) for row in self.rows if checks.is_whole_number(row.lun_text)]
        row = DataDiskRow(self.options, max(luns, default=-1) + 1)
        self.query_one(".disk-rows", Vertical).mount(row)
        self.remove_class("-empty")
        return row

    @on(Button.Pressed, ".disk-add")
    def _add_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        row = self.add_row()
        self.call_after_refresh(lambda: row.query_one(TextualSelect).focus())

    @on(Button.Pressed, ".disk-remove")
    def _remove_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        row = next(a for a in event.button.ancestors if isinstance(a, DataDiskRow))
        row.remove()
        self.set_class(self.rows == [row], "-empty")
        self.query_one(".disk-add", Button).focus()
