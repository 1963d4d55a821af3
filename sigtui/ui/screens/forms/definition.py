"""Image definitions: every field of DESIGN section 1. On edit only the recommended
vCPUs and memory, the description, the end-of-life date and the tags change. A new
definition is Hyper-V V2 and x64 unless chosen otherwise, as az and the portal make it."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.widgets import Select as TextualSelect

from sigtui.catalog import services
from sigtui.catalog.model import schemas
from sigtui.catalog.model.enums import Architecture, DiskType
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.fields import DEFINITION_FIELDS, fixed_names, updatable_names
from sigtui.catalog.queries.forms import DefinitionState, Place, definition_state, saved_arm_id
from sigtui.catalog.rules import checks
from sigtui.catalog.rules.features import check_features, format_features, parse_features
from sigtui.catalog.store.db import Catalog
from sigtui.ui.screens.forms.base import FormScreen
from sigtui.ui.screens.forms.fields import (
    ChoiceField,
    DateField,
    IntField,
    MultiChoiceField,
    StaticField,
    TagsField,
    TextField,
    TextInputField,
    enum_options,
    selected,
)
from sigtui.ui.screens.forms.gallery import source_location_check
from sigtui.ui.screens.forms.region_picker import RegionField, source_region_in
from sigtui.ui.screens.forms.sources import GENERATIONS, OS_STATES, OS_TYPES

DISK_TYPES = enum_options(d.value for d in DiskType)
ARCHITECTURES = enum_options(a.value for a in Architecture)
FEATURES_HINT = (
    "NAME=VALUE separated by spaces: SecurityType (TrustedLaunch, ConfidentialVM, ...), "
    "IsAcceleratedNetworkSupported, IsHibernateSupported, DiskControllerTypes"
)
SPECIALIZED_HINT = (
    "Specialized (SIG-OSSTATE): VMs keep the source's computer name and accounts, "
    "have no osProfile; portal/API only while in preview"
)
LOCATION_HINT = "the definition's region, in the subscription's cloud (SIG-SOURCE-REGIONS)"
UPDATABLE = updatable_names(DEFINITION_FIELDS)
CREATE_FIELDS = (*fixed_names(DEFINITION_FIELDS), *UPDATABLE)


def recommended_bound(key: str) -> Callable[[int], object]:
    """SIG-RECOMMENDED for one end (`min_vcpus`...): a positive whole number."""
    end, _, what = key.partition("_")
    prefix, label = ("memory_mb", "memory (MB)") if what == "memory_mb" else ("vcpus", "vCPUs")
    if end == "min":
        return lambda n: checks.check_recommended(n, None, label, prefix)
    return lambda n: checks.check_recommended(None, n, label, prefix)


def os_state_hint(os_state: str | None) -> str:
    return SPECIALIZED_HINT if os_state == "Specialized" else ""


def _checked_features(text: str) -> dict[str, str]:
    return check_features(parse_features(text))


class FeaturesField(TextInputField):
    """A definition's features as az's `--features` takes them: `NAME=VALUE NAME=VALUE`."""

    def __init__(self, value: dict[str, str] | None = None, **options: Any) -> None:
        options.setdefault("placeholder", "e.g. SecurityType=TrustedLaunch")
        super().__init__(
            "features", "Features", format_features(value or {}), check=_checked_features, **options
        )

    @property
    def value(self) -> dict[str, str]:
        return parse_features(self.text)


class DefinitionForm(FormScreen):
    """A new image definition in a gallery, or an edit of one (`state` given)."""

    noun = "image definition"
    limit_kind = "imageDefinitions"

    def __init__(
        self, catalog: Catalog, place: Place, state: DefinitionState | None = None
    ) -> None:
        super().__init__(catalog)
        self.place = place
        self.state = state
        self.form_title = (
            f"Edit image definition {state.name}"
            if state
            else f"New image definition in gallery {place.name}"
        )

    def compose_fields(self) -> ComposeResult:
        d = self.state
        fixed = d is not None  # the fields that cannot change (SIG-UPDATE)
        yield StaticField("gallery", "Gallery", self.place.label)
        yield TextField(
            "name",
            "Name",
            d.name if d else "",
            check=checks.check_definition_name,
            hint="" if fixed else "1-80 letters, digits, '-', '.' and '_' (SIG-NAME)",
            required=True,
            disabled=fixed,
        )
        yield RegionField(
            "location",
            "Location",
            d.location if d else self.place.location,
            allowed=source_region_in(self.place.cloud),
            check=source_location_check(self.place.cloud),
            hint="" if fixed else LOCATION_HINT,
            required=True,
            disabled=fixed,
        )
        yield from self._identifier_fields(d)
        yield ChoiceField(
            "os_type", "OS type", OS_TYPES, d.os_type if d else "Linux", disabled=fixed
        )
        yield ChoiceField(
            "os_state",
            "OS state",
            OS_STATES,
            d.os_state if d else "Generalized",
            hint=os_state_hint(d.os_state if d else None),
            disabled=fixed,
        )
        yield ChoiceField(
            "hyper_v_generation",
            "Hyper-V generation",
            GENERATIONS,
            d.hyper_v_generation if d else "V2",
            disabled=fixed,
        )
        yield ChoiceField(
            "architecture",
            "Architecture",
            ARCHITECTURES,
            d.architecture if d else Architecture.X64.value,
            disabled=fixed,
        )
        yield FeaturesField(
            d.features if d else None, hint="" if fixed else FEATURES_HINT, disabled=fixed
        )
        yield TextField("description", "Description", d.description if d else "")
        yield TextField("eula", "EULA", d.eula if d else "")
        yield TextField(
            "privacy_statement_uri", "Privacy statement URI", d.privacy_statement_uri if d else ""
        )
        yield TextField("release_note_uri", "Release notes URI", d.release_note_uri if d else "")
        yield DateField(
            "end_of_life_date",
            "End-of-life date",
            d.end_of_life_date if d else None,
            now=self.catalog.clock.now(),
            hint="in the future (SIG-EOL)",
        )
        yield from self._recommended_fields(d)
        yield MultiChoiceField(
            "disallowed_disk_types",
            "Disallowed disk types",
            DISK_TYPES,
            d.disallowed_disk_types if d else (),
        )
        yield TagsField(value=d.tags if d else None)

    def _identifier_fields(self, d: DefinitionState | None) -> ComposeResult:
        fixed = d is not None
        identity = "publisher/offer/SKU unique in the gallery (SIG-IDENT)"
        for key, label, limit in (("publisher", "Publisher", 128), ("offer", "Offer", 64)):
            yield TextField(
                key,
                label,
                getattr(d, key) if d else "",
                check=partial(checks.check_identifier, what=key, max_length=limit),
                required=True,
                disabled=fixed,
            )
        yield TextField(
            "sku",
            "SKU",
            d.sku if d else "",
            check=lambda text: checks.check_identifier(text, "sku", 64),
            hint="" if fixed else identity,
            required=True,
            disabled=fixed,
        )

    def _recommended_fields(self, d: DefinitionState | None) -> ComposeResult:
        for key, alias, label in (
            ("min_vcpus", "vcpus_min", "Recommended vCPUs min"),
            ("max_vcpus", "vcpus_max", "Recommended vCPUs max"),
            ("min_memory_mb", "memory_mb_min", "Recommended memory min"),
            ("max_memory_mb", "memory_mb_max", "Recommended memory max"),
        ):
            unit = "MB" if "memory" in key else "vCPUs"
            yield IntField(
                key,
                label,
                getattr(d, key) if d else None,
                rule="SIG-RECOMMENDED",
                bound=recommended_bound(key),
                aliases=(alias,),
                placeholder=f"{unit}, a positive whole number",
                hint="min ≤ max (SIG-RECOMMENDED)" if key == "max_memory_mb" else "",
            )

    @on(TextualSelect.Changed, "#select-os_state")
    def _os_state_changed(self, event: TextualSelect.Changed) -> None:
        self.field("os_state").set_hint(os_state_hint(selected(event)))

    def cross_problems(self) -> list[CatalogError]:
        """SIG-RECOMMENDED: each min at most its max, both refused at once."""
        found = []
        for low, high, what, prefix in (
            ("min_vcpus", "max_vcpus", "vCPUs", "vcpus"),
            ("min_memory_mb", "max_memory_mb", "memory (MB)", "memory_mb"),
        ):
            try:
                checks.check_recommended(self.value(low), self.value(high), what, prefix)
            except CatalogError as error:
                found.append(error)
        return found

    def reload_state(self) -> bool:
        if self.state is None:
            return False
        self.state = self.catalog.query(definition_state, self.state.pk)
        return True

    def collect(self) -> dict[str, Any]:
        return self.values(*(UPDATABLE if self.state else CREATE_FIELDS))

    def write(self, values: dict[str, Any]) -> str:
        clock = self.catalog.clock
        if self.state is None:
            data = schemas.build(schemas.DefinitionCreate, **values)
            return self.catalog.apply(
                saved_arm_id, services.create_definition, self.place.ref, data, clock
            )
        update = schemas.build(schemas.DefinitionUpdate, **values)
        return self.catalog.apply(
            saved_arm_id,
            services.update_definition,
            self.state.arm_id,
            update,
            clock,
            if_match=str(self.state.etag),
        )
