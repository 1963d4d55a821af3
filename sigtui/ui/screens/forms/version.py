"""Image versions: name, source region, source (a managed image, or an OS snapshot with
data-disk snapshots), target regions, common replica count, default storage type,
exclude-from-latest, end-of-life date, tags. On edit only the target regions (and their
replica counts), exclude-from-latest, the end-of-life date and the tags change.

The source list offers only the sources a version of this definition can be made from in
the chosen source region (`forms.source_misfit`: the definition's OS type, a managed image
only for a Generalized definition and of its Hyper-V generation, the version's location),
and its hint counts the others and says why they are hidden."""

from __future__ import annotations

from collections import Counter
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.widgets import Select as TextualSelect

from sigtui.catalog import services
from sigtui.catalog.model import schemas
from sigtui.catalog.model.fields import VERSION_FIELDS, updatable_names
from sigtui.catalog.queries import browse
from sigtui.catalog.queries.forms import (
    SourceChoice,
    VersionPlace,
    VersionState,
    generation_text,
    saved_arm_id,
    source_misfit,
    version_state,
)
from sigtui.catalog.rules import checks
from sigtui.catalog.rules.limits import MAX_REPLICAS_PER_REGION
from sigtui.catalog.store.db import Catalog
from sigtui.ui.screens.forms.base import FormScreen
from sigtui.ui.screens.forms.data_disks import DataDisksField
from sigtui.ui.screens.forms.fields import (
    ChoiceField,
    DateField,
    IntField,
    StaticField,
    SwitchField,
    TagsField,
    TextField,
    selected,
)
from sigtui.ui.screens.forms.gallery import source_location_check
from sigtui.ui.screens.forms.region_picker import (
    RegionField,
    RegionPicker,
    in_cloud,
    source_region_in,
)
from sigtui.ui.screens.forms.target_regions import STORAGE_TYPES, TargetRegionsField, TargetRow

TARGETS_CREATE_HINT = (
    "blank cells: the defaults below · the source region stays (SIG-SOURCE-REGION)"
)
TARGETS_EDIT_HINT = (
    "replicas change; a region's storage type stays (SIG-ZRS), so does the source region"
)
UPDATABLE = updatable_names(VERSION_FIELDS)

REPLICA_HINT = f"per target region unless a row says otherwise (1-{MAX_REPLICAS_PER_REGION})"
REPLICA_EDIT_HINT = f"for target regions added later (1-{MAX_REPLICAS_PER_REGION})"


def offered_sources(
    place: VersionPlace, location: str | None
) -> tuple[list[tuple[str, str]], Counter[str]]:
    """The sources a new version of the definition in `location` can be made from (Select
    options), and why the others are hidden: reason -> count (`source_misfit`)."""
    fitting: list[SourceChoice] = []
    hidden: Counter[str] = Counter()
    for source in place.sources:
        misfit = source_misfit(source, place, location)
        if misfit is None:
            fitting.append(source)
        else:
            hidden[misfit] += 1
    fitting.sort(key=lambda s: (s.kind, s.name.casefold()))
    return [(s.label, s.arm_id) for s in fitting], hidden


def data_disk_sources(place: VersionPlace, location: str | None) -> list[tuple[str, str]]:
    """Snapshots a data disk may come from: those in the version's location
    (SIG-SOURCE-REGION)."""
    chosen = [s for s in place.sources if s.kind == browse.SNAPSHOT and s.location == location]
    chosen.sort(key=lambda s: s.name.casefold())
    return [(s.label, s.arm_id) for s in chosen]


def hidden_text(hidden: Counter[str]) -> str:
    """`3 sources hidden: 2 Windows, 1 Gen1` (blank when none is)."""
    total = sum(hidden.values())
    if not total:
        return ""
    by_count = sorted(hidden.items(), key=lambda item: (-item[1], item[0]))
    reasons = ", ".join(f"{count} {reason}" for reason, count in by_count)
    return f"{total} source{'s' if total != 1 else ''} hidden: {reasons}"


def data_disks_text(state: VersionState) -> str:
    disks = [
        f"LUN {d.lun}: {d.size_gb} GiB" + (f" ({d.snapshot})" if d.snapshot else "")
        for d in state.data_disks
    ]
    return ", ".join(disks) or "none"


class VersionForm(FormScreen):
    """A new version of a definition, or an edit of one (see `for_edit`)."""

    noun = "image version"
    limit_kind = "imageVersions"

    def __init__(
        self,
        catalog: Catalog,
        place: VersionPlace,
        state: VersionState | None = None,
        prefill_replicas: dict[str, int] | None = None,
    ) -> None:
        super().__init__(catalog)
        self.prefill_replicas = prefill_replicas or {}
        self.version_place = place
        self.place = place.definition
        self.state = state
        self.sources = {s.arm_id: s for s in place.sources}
        self.hidden: Counter[str] = Counter()  # sources not offered: why -> how many
        self.offered_in: str | None = None  # the location the sources offered are in
        name = state.name if state else ""
        self.form_title = (
            f"Edit image version {self.place.name} {name}"
            if state
            else f"New image version of {self.place.name}"
        )

    @classmethod
    def for_edit(
        cls,
        catalog: Catalog,
        state: VersionState,
        prefill_replicas: dict[str, int] | None = None,
    ) -> VersionForm:
        place = VersionPlace(state.definition, "", [], state.name)
        return cls(catalog, place, state, prefill_replicas)

    # --- fields -----------------------------------------------------------------------

    def compose_fields(self) -> ComposeResult:
        version = self.state
        fixed = version is not None
        cloud = self.place.cloud
        location = version.location if version else self.place.location
        yield StaticField("definition", "Image definition", self.place.label)
        yield TextField(
            "name",
            "Version",
            version.name if version else self.version_place.next_name,
            check=checks.parse_version_name,
            hint="" if fixed else "Major.Minor.Patch, each 0 to 2147483647 (SIG-NAME)",
            required=True,
            disabled=fixed,
        )
        yield RegionField(
            "location",
            "Source region",
            location,
            allowed=source_region_in(cloud),
            check=source_location_check(cloud),
            hint="" if fixed else "the version's location; its source lives there too",
            required=True,
            disabled=fixed,
        )
        if self.state is None:
            yield from self._source_fields(location)
        else:
            yield TextField("source", "Source", self.state.source, disabled=True)
            yield TextField("data_disks", "Data disks", data_disks_text(self.state), disabled=True)
        yield TargetRegionsField(
            self._target_rows(),
            source_region=location,
            allowed=in_cloud(cloud),
            hint=TARGETS_EDIT_HINT if fixed else TARGETS_CREATE_HINT,
        )
        yield IntField(
            "replica_count",
            "Replica count",
            version.replica_count if version else 1,
            rule="SIG-REPLICAS",
            bound=checks.check_replica_count,
            hint=REPLICA_EDIT_HINT if fixed else REPLICA_HINT,
        )
        yield ChoiceField(
            "storage_account_type",
            "Storage type",
            STORAGE_TYPES,
            version.storage_account_type if version else "Standard_LRS",
            aliases=("storage_type",),
            hint="" if fixed else "Standard_ZRS only where the region has zones (SIG-ZRS)",
            disabled=fixed,
        )
        yield SwitchField(
            "exclude_from_latest",
            "Exclude from latest",
            version.exclude_from_latest if version else False,
            hint="excluded versions are never 'latest' (SIG-LATEST)",
        )
        yield DateField(
            "end_of_life_date",
            "End-of-life date",
            version.end_of_life_date if version else None,
            now=self.catalog.clock.now(),
            hint="in the future (SIG-EOL)",
        )
        yield TagsField(value=version.tags if version else None)

    def _source_fields(self, location: str | None) -> ComposeResult:
        options, self.hidden = offered_sources(self.version_place, location)
        self.offered_in = location
        yield ChoiceField(
            "source",
            "Source",
            options,
            blank="choose a managed image or an OS snapshot",
            aliases=("managed_image_id", "os_snapshot_id"),
            hint=self._source_hint(None),
            required=True,
            classes="-wide",
        )
        yield DataDisksField(
            data_disk_sources(self.version_place, location),
            hint="for an OS snapshot source: its data disks' snapshots and LUNs",
            disabled=True,
        )

    def _target_rows(self) -> list[TargetRow]:
        if self.state is None:
            return [TargetRow(self.place.location)] if self.place.location else []
        return [
            TargetRow(
                t.region,
                t.replica_count,
                t.storage_account_type,
                existing=True,
            )
            for t in self.state.targets
        ]

    def _source_hint(self, source: SourceChoice | None) -> str:
        """What the chosen source brings, and why sources are missing from the list."""
        place = self.version_place
        if source is None:
            generation = generation_text(place.hyper_v_generation)
            what = f"{place.os_type} {place.os_state} {generation}, in the source region"
        elif source.kind == browse.MANAGED_IMAGE:
            disks = ", ".join(f"{gb} GiB" for gb in source.data_disks_gb) or "none"
            what = f"a managed image brings its data disks: {disks}"
        else:
            what = f"OS disk {source.size_gb} GiB; add its data disks' snapshots below"
        hidden = hidden_text(self.hidden)
        return f"{what}\n{hidden}" if hidden else what

    # --- reactions --------------------------------------------------------------------

    @on(RegionPicker.Changed, "#region-location")
    def _location_changed(self, event: RegionPicker.Changed) -> None:
        if self.state is not None or event.region is None:
            return
        name = event.region.name
        if name == self.offered_in:
            return  # the picker saying, as it mounts, the location the form opened with
        self.offered_in = name
        self.query_one(TargetRegionsField).set_source_region(name)
        source_field = self.field("source")
        assert isinstance(source_field, ChoiceField)
        options, self.hidden = offered_sources(self.version_place, name)
        source_field.set_options(options, keep=source_field.value)
        source_field.set_hint(self._source_hint(self.sources.get(source_field.value or "")))
        disks = self.query_one(DataDisksField)
        disks.set_options(data_disk_sources(self.version_place, name))

    @on(TextualSelect.Changed, "#select-source")
    def _source_changed(self, event: TextualSelect.Changed) -> None:
        source = self.sources.get(selected(event) or "")
        self.field("source").set_hint(self._source_hint(source))
        self.query_one(DataDisksField).disabled = source is None or source.kind != browse.SNAPSHOT

    # --- saving -------------------------------------------------------------------------

    def reload_state(self) -> bool:
        if self.state is None:
            return False
        self.state = self.catalog.query(version_state, self.state.pk)
        return True

    def prefill(self) -> None:
        rows = self.query_one(TargetRegionsField)
        for region, replicas in self.prefill_replicas.items():
            row = rows.row_for(region)
            if row is not None:
                row.set_values(replicas, None)

    def collect(self) -> dict[str, Any]:
        if self.state is not None:
            return self.values(*UPDATABLE)
        values = self.values(
            "name",
            "location",
            "target_regions",
            "replica_count",
            "storage_account_type",
            "exclude_from_latest",
            "end_of_life_date",
            "tags",
        )
        values.update(self._source_values())
        values["replica_count"] = values["replica_count"] or 1
        return values

    def _source_values(self) -> dict[str, Any]:
        source = self.sources.get(self.value("source") or "")
        if source is None:
            return {}
        if source.kind == browse.MANAGED_IMAGE:
            return {"managed_image_id": source.arm_id}
        snapshot_ids, luns = self.query_one(DataDisksField).value
        return {
            "os_snapshot_id": source.arm_id,
            "data_snapshot_ids": snapshot_ids,
            "data_snapshot_luns": luns,
        }

    def write(self, values: dict[str, Any]) -> str:
        clock = self.catalog.clock
        if self.state is None:
            data = schemas.build(schemas.VersionCreate, **values)
            return self.catalog.apply(
                saved_arm_id, services.create_version, self.place.ref, data, clock
            )
        update = schemas.build(schemas.VersionUpdate, **values)
        return self.catalog.apply(
            saved_arm_id,
            services.update_version,
            self.state.arm_id,
            update,
            clock,
            if_match=str(self.state.etag),
        )
