"""Galleries: name, location, description, tags. On edit only the description and the
tags may change (SIG-UPDATE)."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult

from sigtui.catalog import services
from sigtui.catalog.model import schemas
from sigtui.catalog.model.models import Gallery, pk_of
from sigtui.catalog.rules import checks
from sigtui.ui.screens.forms.base import FormScreen, Session
from sigtui.ui.screens.forms.context import GalleryState, Place, load_gallery
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

    def __init__(self, catalog: Any, place: Place, state: GalleryState | None = None) -> None:
        super().__init__(catalog)
        self.place = place
        self.state = state
        self.form_title = (
            f"Edit gallery {state.gallery.name}" if state else f"New gallery in {place.name}"
        )

    def compose_fields(self) -> ComposeResult:
        gallery = self.state.gallery if self.state else None
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
        self.state = load_gallery(self.catalog, pk_of(self.state.gallery))
        return True

    def collect(self) -> dict[str, Any]:
        if self.state:
            return self.values("description", "tags")
        return self.values("name", "location", "description", "tags")

    def write(self, db: Session, values: dict[str, Any]) -> Gallery:
        clock = self.catalog.clock
        if self.state is None:
            data = schemas.build(schemas.GalleryCreate, **values)
            return services.create_gallery(db, self.place.ref, data, clock)
        update = schemas.build(schemas.GalleryUpdate, **values)
        return services.update_gallery(
            db, self.state.arm_id, update, clock, if_match=str(self.state.gallery.etag)
        )
