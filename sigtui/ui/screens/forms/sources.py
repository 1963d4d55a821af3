"""Managed images and snapshots: the sources image versions are made from (SIG-MIGRATE).
Nothing of them changes after creation, so they have create forms only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult

from sigtui.catalog import services
from sigtui.catalog.model import schemas
from sigtui.catalog.model.enums import HyperVGeneration, OsState, OsType
from sigtui.catalog.queries.forms import Place, saved_arm_id
from sigtui.catalog.rules import checks
from sigtui.catalog.rules.limits import MAX_DISK_SIZE_GB
from sigtui.catalog.store.db import Catalog
from sigtui.ui.screens.forms.base import FormScreen
from sigtui.ui.screens.forms.fields import (
    ChoiceField,
    IntField,
    NumberListField,
    StaticField,
    TagsField,
    TextField,
    enum_options,
)
from sigtui.ui.screens.forms.group import location_in_cloud
from sigtui.ui.screens.forms.region_picker import RegionField, in_cloud

OS_TYPES = enum_options(t.value for t in OsType)
OS_STATES = enum_options(s.value for s in OsState)
GENERATIONS = enum_options(g.value for g in HyperVGeneration)
NAME_HINT = "1-80 letters, digits, '-', '.' and '_' (SIG-NAME)"
VERSION_DISKS = f"a version takes disks up to {MAX_DISK_SIZE_GB:,} GiB (SIG-DISK-SIZE)"
SIZE_HINT = f"GiB; {VERSION_DISKS}"


def _name_check(what: str) -> Any:
    return lambda text: checks.check_resource_name(text, what)


def disk_size_bound(what: str, field: str) -> Callable[[int], object]:
    """A managed disk's size: a disk above 2 TB may exist here, only a version made from
    it is refused (SIG-DISK-SIZE)."""
    return lambda size_gb: checks.check_source_disk_size(size_gb, what, field)


class _SourceForm(FormScreen):
    """The fields every source has: the group, name, location (default: the group's)."""

    def __init__(self, catalog: Catalog, place: Place) -> None:
        super().__init__(catalog)
        self.place = place
        self.form_title = f"New {self.noun} in resource group {place.name}"

    def compose_common(self) -> ComposeResult:
        yield StaticField("group", "Resource group", self.place.label)
        yield TextField("name", "Name", check=_name_check(self.noun), hint=NAME_HINT, required=True)
        yield RegionField(
            "location",
            "Location",
            self.place.location,
            allowed=in_cloud(self.place.cloud),
            check=location_in_cloud(self.place.cloud),
            hint="versions made from it live in the same region (SIG-SOURCE-REGION)",
            required=True,
        )


class ManagedImageForm(_SourceForm):
    noun = "managed image"

    def compose_fields(self) -> ComposeResult:
        yield from self.compose_common()
        yield ChoiceField("os_type", "OS type", OS_TYPES, "Linux", required=True)
        yield ChoiceField(
            "os_state",
            "OS state",
            OS_STATES,
            "Generalized",
            hint="managed images come from generalized VMs (SIG-OSSTATE)",
            required=True,
        )
        yield ChoiceField("hyper_v_generation", "Hyper-V generation", GENERATIONS, "V1")
        yield IntField(
            "os_disk_size_gb",
            "OS disk size",
            placeholder="GiB",
            bound=disk_size_bound("the OS disk", "os_disk_size_gb"),
            hint=SIZE_HINT,
            required=True,
        )
        yield NumberListField(
            "data_disk_sizes_gb",
            "Data disk sizes",
            placeholder="GiB each, e.g. 100, 200",
            hint=f"one per data disk; {VERSION_DISKS}",
        )
        yield TagsField()

    def collect(self) -> dict[str, Any]:
        return self.values(
            "name",
            "location",
            "os_type",
            "os_state",
            "hyper_v_generation",
            "os_disk_size_gb",
            "data_disk_sizes_gb",
            "tags",
        )

    def write(self, values: dict[str, Any]) -> str:
        data = schemas.build(schemas.ManagedImageCreate, group_id=self.place.ref, **values)
        clock = self.catalog.clock
        return self.catalog.apply(saved_arm_id, services.create_managed_image, data, clock)


class SnapshotForm(_SourceForm):
    noun = "snapshot"

    def compose_fields(self) -> ComposeResult:
        yield from self.compose_common()
        yield IntField(
            "size_gb",
            "Size",
            placeholder="GiB",
            bound=disk_size_bound("the snapshot's disk", "size_gb"),
            hint=SIZE_HINT,
            required=True,
        )
        yield ChoiceField(
            "os_type",
            "OS type",
            OS_TYPES,
            blank="none (a data disk)",
            hint="an OS disk's snapshot has an OS type; a data disk's has none",
        )
        yield TagsField()

    def collect(self) -> dict[str, Any]:
        return self.values("name", "location", "size_gb", "os_type", "tags")

    def write(self, values: dict[str, Any]) -> str:
        data = schemas.build(schemas.SnapshotCreate, group_id=self.place.ref, **values)
        return self.catalog.apply(saved_arm_id, services.create_snapshot, data, self.catalog.clock)
