"""Galleries: name, location, description, tags. On edit only the description and the
tags may change (SIG-UPDATE)."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult

from sigtui.catalog import services
from sigtui.catalog.model import schemas
from sigtui.catalog.model.fields import GALLERY_FIELDS, all_names, updatable_names
from sigtui.catalog.queries.forms import GalleryState, Place, gallery_state, saved_arm_id
from sigtui.catalog.rules import checks
from sigtui.catalog.store.db import Catalog
from sigtui.ui.screens.forms.base import FormScreen
from sigtui.ui.screens.forms.fields import StaticField, TagsField, TextField
from sigtui.ui.screens.forms.region_picker import RegionField, source_region_in

NAME_HINT = "1-80 letters, digits, '.' and '_'; no '-' (SIG-NAME)"
LOCATION_HINT = "a source region of the subscription's cloud (SIG-SOURCE-REGIONS)"


def source_location_check(cloud: str) -> Any:
    return lambda text: checks.check_source_location(text, cloud)


class GalleryForm(FormScreen):
    """Create a gallery in a resource group, or edit one (`state` given)."""

    noun = "gallery"
    limit_kind = "galleries"

    def __init__(self, catalog: Catalog, place: Place, state: GalleryState | None = None) -> None:
        super().__init__(catalog)
        self.place = place
        self.state = state
        self.form_title = f"Edit gallery {state.name}" if state else f"New gallery in {place.name}"

    def compose_fields(self) -> ComposeResult:
        gallery = self.state
        editing = gallery is not None
        default_location = gallery.location if gallery is not None else self.place.location
        yield StaticField("group", "Resource group", self.place.label)
        yield TextField(
            "name",
            "Name",
            gallery.name if gallery else "",
            check=checks.check_gallery_name,
            hint="" if editing else NAME_HINT,
            required=True,
            disabled=editing,
        )
        yield RegionField(
            "location",
            "Location",
            default_location,
            allowed=source_region_in(self.place.cloud),
            check=source_location_check(self.place.cloud),
            hint="" if editing else LOCATION_HINT,
            required=True,
            disabled=editing,
        )
        yield TextField("description", "Description", gallery.description if gallery else "")
        yield TagsField(value=gallery.tags if gallery else None)

    def reload_state(self) -> bool:
        if self.state is None:
            return False
        self.state = self.catalog.query(gallery_state, self.state.pk)
        return True

    def collect(self) -> dict[str, Any]:
        if self.state:
            return self.values(*updatable_names(GALLERY_FIELDS))
        return self.values(*all_names(GALLERY_FIELDS))

    def write(self, values: dict[str, Any]) -> str:
        clock = self.catalog.clock
        if self.state is None:
            data = schemas.build(schemas.GalleryCreate, **values)
            return self.catalog.apply(
                saved_arm_id, services.create_gallery, self.place.ref, data, clock
            )
        update = schemas.build(schemas.GalleryUpdate, **values)
        return self.catalog.apply(
            saved_arm_id,
            services.update_gallery,
            self.state.arm_id,
            update,
            clock,
            if_match=str(self.state.etag),
        )
