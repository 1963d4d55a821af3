"""Resource groups: name, location (any region of the subscription's cloud), tags."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult

from sigtui.catalog import services
from sigtui.catalog.model import schemas
from sigtui.catalog.queries.forms import Place, saved_arm_id
from sigtui.catalog.rules import checks
from sigtui.catalog.rules.regions import get_region
from sigtui.catalog.store.db import Catalog
from sigtui.ui.screens.forms.base import FormScreen
from sigtui.ui.screens.forms.fields import StaticField, TagsField, TextField
from sigtui.ui.screens.forms.region_picker import RegionField, in_cloud


def location_in_cloud(cloud: str, field: str = "location") -> Any:
    """The live check of a location that may be any region of the cloud (SIG-CLOUD)."""

    def check(text: str) -> None:
        checks.check_region_cloud(get_region(text, field=field), cloud, field)

    return check


class GroupForm(FormScreen):
    noun = "resource group"

    def __init__(self, catalog: Catalog, place: Place) -> None:
        super().__init__(catalog)
        self.place = place
        self.form_title = f"New resource group in subscription {place.name}"

    def compose_fields(self) -> ComposeResult:
        yield StaticField("subscription", "Subscription", self.place.label)
        yield TextField(
            "name",
            "Name",
            check=checks.check_group_name,
            hint="1-90 letters, digits, '-', '_', '.', '(' and ')'; not ending with '.'",
            required=True,
        )
        yield RegionField(
            "location",
            "Location",
            allowed=in_cloud(self.place.cloud),
            check=location_in_cloud(self.place.cloud),
            hint=f"any region of {self.place.cloud}",
            required=True,
        )
        yield TagsField()

    def collect(self) -> dict[str, Any]:
        return self.values("name", "location", "tags")

    def write(self, values: dict[str, Any]) -> str:
        data = schemas.build(schemas.GroupCreate, subscription=self.place.ref, **values)
        return self.catalog.apply(saved_arm_id, services.create_group, data, self.catalog.clock)
