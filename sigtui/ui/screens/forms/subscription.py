"""Subscriptions: name, subscription id, cloud, allowlisted regions (SIG-CLOUD,
SIG-REGION-ALLOWLIST). On edit only the allowlisted regions change."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.widgets import Select as TextualSelect

from sigtui.catalog import services
from sigtui.catalog.model import schemas
from sigtui.catalog.queries.forms import Place, SubscriptionState, saved_arm_id, subscription_state
from sigtui.catalog.rules import checks
from sigtui.catalog.rules.regions import CLOUDS, all_regions
from sigtui.catalog.store.db import Catalog
from sigtui.ui.screens.forms.base import FormScreen
from sigtui.ui.screens.forms.fields import (
    ChoiceField,
    MultiChoiceField,
    StaticField,
    TextField,
    enum_options,
    selected,
)

ALLOWLIST_HINT = "regions Azure opens only to allowlisted subscriptions (SIG-REGION-ALLOWLIST)"


def allowlist_options(cloud: str) -> list[tuple[str, str]]:
    """The regions of `cloud` that need allowlisting (space toggles one)."""
    return [
        (f"{r.display_name} ({r.name})", r.name)
        for r in all_regions()
        if r.needs_allowlist and r.cloud == cloud
    ]


def allowlist_hint(cloud: str) -> str:
    if allowlist_options(cloud):
        return ALLOWLIST_HINT
    return f"no region of {cloud} needs allowlisting"


class SubscriptionForm(FormScreen):
    """A new subscription of a tenant."""

    noun = "subscription"

    def __init__(self, catalog: Catalog, place: Place) -> None:
        super().__init__(catalog)
        self.place = place
        self.form_title = f"New subscription in tenant {place.name}"

    def compose_fields(self) -> ComposeResult:
        yield StaticField("tenant", "Tenant", self.place.label)
        yield TextField(
            "name",
            "Name",
            check=lambda text: checks.check_plain_name(text, "subscription"),
            hint="1-128 characters",
            required=True,
        )
        yield TextField(
            "subscription_id",
            "Subscription id",
            placeholder="00000000-0000-0000-0000-000000000000",
            check=lambda text: checks.check_uuid(text, "subscription_id"),
            required=True,
        )
        yield ChoiceField("cloud", "Cloud", enum_options(CLOUDS), "AzureCloud", required=True)
        yield MultiChoiceField(
            "allowlisted_regions",
            "Allowlisted regions",
            allowlist_options("AzureCloud"),
            hint=ALLOWLIST_HINT,
        )

    @on(TextualSelect.Changed, "#select-cloud")
    def _cloud_changed(self, event: TextualSelect.Changed) -> None:
        cloud = selected(event) or "AzureCloud"
        allowlist = self.query_one("#field-allowlisted_regions", MultiChoiceField)
        allowlist.set_options(allowlist_options(cloud))
        allowlist.set_hint(allowlist_hint(cloud))

    def collect(self) -> dict[str, Any]:
        return self.values("name", "subscription_id", "cloud", "allowlisted_regions")

    def write(self, values: dict[str, Any]) -> str:
        data = schemas.build(schemas.SubscriptionCreate, tenant=self.place.ref, **values)
        clock = self.catalog.clock
        return self.catalog.apply(saved_arm_id, services.create_subscription, data, clock)


class SubscriptionEditForm(FormScreen):
    """A subscription's allowlisted regions: the one thing of it that changes."""

    noun = "subscription"

    def __init__(self, catalog: Catalog, state: SubscriptionState) -> None:
        super().__init__(catalog)
        self.state = state
        self.form_title = f"Edit subscription {state.name}"

    def compose_fields(self) -> ComposeResult:
        sub = self.state
        yield StaticField("tenant", "Tenant", self.state.tenant_name)
        yield TextField("name", "Name", sub.name, disabled=True)
        yield TextField("subscription_id", "Subscription id", sub.subscription_id, disabled=True)
        yield ChoiceField("cloud", "Cloud", enum_options(CLOUDS), sub.cloud, disabled=True)
        yield MultiChoiceField(
            "allowlisted_regions",
            "Allowlisted regions",
            allowlist_options(sub.cloud),
            self.state.allowlist,
            hint=allowlist_hint(sub.cloud),
        )

    def reload_state(self) -> bool:
        self.state = self.catalog.query(subscription_state, self.state.pk)
        return True

    def collect(self) -> dict[str, Any]:
        return self.values("allowlisted_regions")

    def write(self, values: dict[str, Any]) -> str:
        return self.catalog.apply(
            saved_arm_id,
            services.update_region_allowlist,
            self.state.subscription_id,
            values["allowlisted_regions"],
            self.catalog.clock,
            if_match=str(self.state.etag),
        )
