"""A version's target regions, edited as rows: region, regional replicas, storage type.

The line under the rows adds one: a region name, or the `az` shorthand
`region[=replicas][=storage-type]` (`westeurope=2=standard_zrs`), parsed by
`services.parse_target_region`. A region already in the rows, or a replica count out of
1-100, is refused at once, beside the rows (SIG-REPLICAS). The source region's row cannot
be removed (SIG-SOURCE-REGION); rows that already exist on a version keep their region and
storage type (SIG-ZRS), only their replica count changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input
from textual.widgets import Select as TextualSelect

from sigtui.catalog import services
from sigtui.catalog.model.enums import StorageAccountType
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.rules import checks
from sigtui.catalog.rules.regions import find_region
from sigtui.ui.screens.forms.column_header import TargetRegionsHeader
from sigtui.ui.screens.forms.controls import FormButton, FormInput
from sigtui.ui.screens.forms.fields import (
    VALID,
    FormField,
    enum_options,
    error_text,
    fixed_text,
    parse_whole_number,
)
from sigtui.ui.screens.forms.region_picker import (
    RegionFilter,
    RegionPicker,
    any_region,
    region_text,
)
from sigtui.ui.screens.forms.select import FormSelect

STORAGE_TYPES = enum_options(s.value for s in StorageAccountType)
SHORTHAND_HINT = "+ region[=replicas][=storage], e.g. westeurope=2=standard_zrs ⏎"
FIELD = "target_regions"


def twice(region_name: str, field: str, advice: str = "") -> CatalogError:
    """SIG-REPLICAS: a region appears once per version."""
    region = find_region(region_name)
    shown = region.display_name if region else region_name
    return CatalogError(
        "SIG-REPLICAS",
        f"{shown} is already a target region (a region appears once per version){advice}",
        field=field,
    )


@dataclass(frozen=True)
class TargetRow:
    """A row's starting values."""

    region: str
    replicas: int | None = None
    storage: str | None = None
    existing: bool = False  # already a target of the version: region and storage are fixed


class TargetRegionRow(Horizontal):
    def __init__(self, row: TargetRow, *, allowed: RegionFilter, is_source: bool) -> None:
        super().__init__(classes="target-row")
        self.row = row
        self.allowed = allowed
        self.is_source = is_source

    def compose(self) -> ComposeResult:
        row = self.row
        if row.existing:  # fixed: shown as text (a disabled control is 2 to 4 widgets)
            yield fixed_text(region_text(row.region), classes="target-region")
        else:
            yield RegionPicker(
                row.region,
                allowed=self.allowed,
                classes="target-region",
                disabled=self.is_source,
            )
        yield FormInput(
            "" if row.replicas is None else str(row.replicas),
            placeholder="default",
            compact=True,
            classes=f"target-replicas {VALID}",
        )
        if row.existing:
            yield fixed_text(row.storage or "default", classes="target-storage")
        else:
            yield FormSelect(
                STORAGE_TYPES,
                value=row.storage or TextualSelect.NULL,
                prompt="default",
                compact=True,
                classes="target-storage",
            )
        yield FormButton(
            "remove",
            compact=True,
            classes="target-remove",
            disabled=self.is_source,
            tooltip=self._remove_tooltip,
        )

    def set_source(self, is_source: bool) -> None:
        """The source region's row: its region follows the version's location and it
        cannot be removed (SIG-SOURCE-REGION); a row the version has keeps its region.
        (Composed so from the start: a control disabled once mounted is styled again.)"""
        if is_source == self.is_source:
            return
        self.is_source = is_source
        if self.is_mounted:
            if not self.row.existing:
                self.picker.disabled = is_source
            remove = self.query_one(".target-remove", Button)
            remove.disabled = is_source
            remove.tooltip = self._remove_tooltip

    @property
    def _remove_tooltip(self) -> str:
        if self.is_source:
            return "The source region stays a target (SIG-SOURCE-REGION)"
        return "Stop replicating to this region"

    @property
    def picker(self) -> RegionPicker:
        return self.query_one(RegionPicker)

    @property
    def replicas_input(self) -> Input:
        return self.query_one(".target-replicas", Input)

    @property
    def storage_select(self) -> TextualSelect[str]:
        return self.query_one(".target-storage", TextualSelect)

    @property
    def region_name(self) -> str | None:
        pickers = self.query(RegionPicker)  # none yet in a row mounted a moment ago
        return pickers.first().value if pickers else self.row.region

    def spec(self) -> dict[str, Any]:
        """The row as schemas.TargetRegionSpec fields (raw replicas: build checks them)."""
        replicas = self.replicas_input.value.strip()
        storage = None if self.row.existing else self.storage_select.selection
        return {
            "region": self.row.region if self.row.existing else (self.picker.value or ""),
            "replica_count": replicas or None,
            "storage_account_type": storage,
        }

    def replicas_problem(self) -> CatalogError | None:
        """SIG-REPLICAS: the row's replica count, when given, is 1 to 100 (as typed: `0`,
        `-1` or `2x` stay in the cell, refused beside it)."""
        cells = self.query(".target-replicas").results(Input)
        text = next(cells, None)
        if text is None or not text.value.strip():
            return None  # blank: the default; none yet: a row mounted a moment ago
        typed = text.value.strip()
        region = find_region(self.region_name or "")
        where = region.display_name if region else (self.region_name or "a new row")
        try:
            count = parse_whole_number(typed, "replica count", FIELD, "SIG-REPLICAS")
            checks.check_replica_count(count, FIELD)
        except CatalogError as error:
            return CatalogError(error.code, f"{where}: {error.message}", field=FIELD)
        return None

    def set_values(self, replicas: int | None, storage: str | None) -> None:
        if replicas is not None:
            self.replicas_input.value = str(replicas)
        if storage is not None and not self.row.existing:
            self.storage_select.value = storage


class TargetRegionsField(FormField):
    """The rows, a header, and the line that adds a row."""

    def __init__(
        self,
        rows: Iterable[TargetRow],
        *,
        source_region: str | None,
        allowed: RegionFilter = any_region,
        key: str = "target_regions",
        label: str = "Target regions",
        **options: Any,
    ) -> None:
        options.setdefault("aliases", ("target_regions",))
        super().__init__(key, label, **options)
        self.initial_rows = list(rows)
        self.source_region = source_region
        self.allowed = allowed
        self._recheck_pending = False

    def compose_control(self) -> ComposeResult:
        yield TargetRegionsHeader(classes="target-header")
        with Vertical(classes="target-rows"):
            for row in self.initial_rows:
                yield self._row_widget(row)
        with Horizontal(classes="target-add"):
            yield FormInput(
                placeholder=SHORTHAND_HINT, compact=True, classes=f"target-add-text {VALID}"
            )
            yield FormButton("add", compact=True, classes="target-add-button")

    def _row_widget(self, row: TargetRow) -> TargetRegionRow:
        region = find_region(row.region)
        is_source = region is not None and region.name == self.source_region
        return TargetRegionRow(row, allowed=self.allowed, is_source=is_source)

    @property
    def rows(self) -> list[TargetRegionRow]:
        return list(self.query(TargetRegionRow))

    @property
    def add_input(self) -> Input:
        return self.query_one(".target-add-text", Input)

    @property
    def value(self) -> list[dict[str, Any]]:
        specs = [row.spec() for row in self.rows]
        return [spec for spec in specs if spec["region"]]

    @property
    def raw(self) -> tuple[tuple[str, str, str], ...]:
        return tuple(
            (spec["region"], spec["replica_count"] or "", spec["storage_account_type"] or "")
            for spec in self.value
        )

    @property
    def raw_text(self) -> str:
        rows = [f"{region}×{replicas or 'default'}" for region, replicas, _ in self.raw]
        return ", ".join(rows) or "none"

    def row_for(self, region_name: str) -> TargetRegionRow | None:
        return next((row for row in self.rows if row.region_name == region_name), None)

    def problems(self) -> list[CatalogError]:
        """SIG-REPLICAS: every row's replica count in range, no region twice; SIG-ZRS:
        Standard_ZRS only where the region has zones (for a row that may still choose)."""
        rows = self.rows
        found = [p for row in rows if (p := row.replicas_problem()) is not None]
        for row in rows:
            region = find_region(row.region_name or "")
            if region is not None and not row.row.existing and row.query(".target-storage"):
                try:
                    checks.check_zone_storage(region, row.storage_select.selection, self.key)
                except CatalogError as error:
                    found.append(error)
        names = [name for row in rows if (name := row.region_name)]
        for name in dict.fromkeys(n for n in names if names.count(n) > 1):
            found.append(twice(name, self.key))
        return found

    def recheck(self) -> None:
        """Refuse at once what a row holds wrong (a 0, a region twice); clear when fixed."""
        problems = self.problems()
        if problems:
            self.show_error(error_text(problems[0]))
        elif self.error.startswith(("SIG-REPLICAS", "SIG-ZRS")):
            self.clear_error()

    @on(Input.Changed, ".target-replicas")
    def _replicas_typed(self, event: Input.Changed) -> None:
        event.stop()
        self._recheck_soon()

    @on(RegionPicker.Changed)
    @on(TextualSelect.Changed, ".target-storage")
    def _region_typed(self) -> None:
        self._recheck_soon()

    def _recheck_soon(self) -> None:
        """One recheck for the changes of a moment: the three controls of each row say
        they changed as they mount (15 rechecks of every row for a version of 5 regions,
        a third of its form's opening), and a recheck reads every row."""
        if not self._recheck_pending:
            self._recheck_pending = True
            self.call_later(self._pending_recheck)

    def _pending_recheck(self) -> None:
        self._recheck_pending = False
        self.recheck()

    async def add(self, text: str) -> TargetRegionRow:
        """Add the row `text` names: a region, or the az shorthand. A region that has a
        row already is refused (SIG-REPLICAS: once per version): its row is where its
        replicas change."""
        spec = services.parse_target_region(text)
        region = find_region(spec.region)
        if region is None:
            raise CatalogError(
                "SIG-REPLICAS", f"unknown target region {spec.region!r}", field=self.key
            )
        if self.row_for(region.name) is not None:
            raise twice(region.name, self.key, "; change its replicas in its row")
        if spec.replica_count is not None:
            checks.check_replica_count(spec.replica_count, self.key)
        row = self._row_widget(
            TargetRow(region.name, spec.replica_count, spec.storage_account_type)
        )
        await self.query_one(".target-rows", Vertical).mount(row)
        return row

    def set_source_region(self, name: str | None) -> None:
        """The version's location changed: the source row follows it (SIG-SOURCE-REGION)."""
        old = self.source_region
        if name == old:
            return
        self.source_region = name
        source_row = self.row_for(old) if old else None
        if source_row is not None and not source_row.row.existing:
            source_row.remove()
        if name and self.row_for(name) is None:
            self.query_one(".target-rows", Vertical).mount(
                self._row_widget(TargetRow(name)), before=0
            )
        for row in self.rows:
            row.set_source(row.region_name == name)

    def set_allowed(self, allowed: RegionFilter) -> None:
        self.allowed = allowed
        for row in self.rows:
            if not row.row.existing:
                row.picker.set_allowed(allowed)

    def focus_control(self) -> None:
        """After a refusal: the add line when it holds what was refused, else the rows."""
        if self.add_input.value.strip():
            self.add_input.focus()
        else:
            super().focus_control()

    async def commit_pending(self) -> None:
        """A region typed on the add line but not entered still counts on save."""
        text = self.add_input.value.strip()
        if text:
            await self.add(text)
            self.add_input.value = ""

    async def _add_typed(self) -> None:
        try:
            await self.commit_pending()
        except CatalogError as error:
            self.show_error(error_text(error))
            return
        self.clear_error()
        self.call_after_refresh(self.recheck)  # the new row, once composed (e.g. SIG-ZRS)

    @on(Input.Submitted, ".target-add-text")
    async def _add_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        await self._add_typed()

    @on(Button.Pressed, ".target-add-button")
    async def _add_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        await self._add_typed()
        self.add_input.focus()

    @on(Button.Pressed, ".target-remove")
    def _remove_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        row = next(a for a in event.button.ancestors if isinstance(a, TargetRegionRow))
        row.remove()
        self.add_input.focus()
