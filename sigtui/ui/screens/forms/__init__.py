"""Create and edit forms, opened from the main screen with `n` and `e`.

`n` creates a child of the selected node: tenant -> subscription, subscription -> resource
group, group -> gallery / managed image / snapshot (a chooser asks which), the "Managed
images" folder -> managed image, "Snapshots" -> snapshot, gallery -> image definition,
definition -> image version. `e` edits the selected gallery, definition or version (every
field shown, only the SIG-UPDATE ones enabled) or a subscription's allowlisted regions.
When a form saves, the main screen shows the catalog as it now is (every open level of the
tree, the details) and selects the saved resource.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.widget import Widget
from textual.widgets import SelectionList, Switch
from textual.widgets._select import SelectOverlay
from textual.widgets.tree import TreeNode

from sigtui.catalog.queries import browse
from sigtui.catalog.queries.forms import (
    Place,
    definition_state,
    gallery_state,
    place,
    subscription_state,
    version_place,
    version_state,
)
from sigtui.catalog.store.db import Catalog
from sigtui.safe_text import visible
from sigtui.ui.screens.forms.base import FormScreen
from sigtui.ui.screens.forms.chooser import KindChooser
from sigtui.ui.screens.forms.controls import FormButton, FormInput
from sigtui.ui.screens.forms.definition import DefinitionForm
from sigtui.ui.screens.forms.gallery import GalleryForm
from sigtui.ui.screens.forms.group import GroupForm
from sigtui.ui.screens.forms.select import FormSelect
from sigtui.ui.screens.forms.sources import ManagedImageForm, SnapshotForm
from sigtui.ui.screens.forms.subscription import SubscriptionEditForm, SubscriptionForm
from sigtui.ui.screens.forms.version import VersionForm
from sigtui.ui.screens.modal import Modal
from sigtui.ui.widgets.catalog_tree import KIND_NAMES

if TYPE_CHECKING:
    from sigtui.ui.actions import MainView
    from sigtui.ui.widgets.catalog_tree import TreeEntry

__all__ = ["FORM_KINDS", "FormScreen", "open_create_form", "open_edit_form"]

# The kinds of widget forms are made of, their screens' included, that the main screen
# has none of (`SigtuiApp` parses their own styles, Textual's DEFAULT_CSS, before the
# first form opens).
FORM_KINDS: tuple[type[Widget], ...] = (
    Modal,
    FormInput,
    FormButton,
    FormSelect,
    SelectOverlay,
    Switch,
    SelectionList,
)

NO_CHILDREN_ADVICE = {browse.VERSION: " Select its image definition to add a version."}

FormMaker = Callable[[Catalog, browse.NodeRef], FormScreen]


def with_article(noun: str) -> str:
    return f"an {noun}" if noun[:1].lower() in "aeiou" else f"a {noun}"


def _under(form: Callable[[Catalog, Place], FormScreen]) -> FormMaker:
    """The form of a new resource under the node (the node read as its Place)."""
    return lambda catalog, ref: form(catalog, catalog.query(place, ref))


def _version_form(catalog: Catalog, ref: browse.NodeRef) -> FormScreen:
    return VersionForm(catalog, catalog.query(version_place, ref.pk))


# the form `n` opens on a node of each kind (a group asks which child first)
CREATE_FORMS: dict[str, FormMaker] = {
    browse.TENANT: _under(SubscriptionForm),
    browse.SUBSCRIPTION: _under(GroupForm),
    browse.IMAGES: _under(ManagedImageForm),
    browse.SNAPSHOTS: _under(SnapshotForm),
    browse.GALLERY: _under(DefinitionForm),
    browse.DEFINITION: _version_form,
}

GROUP_CHILDREN: dict[str, FormMaker] = {
    browse.GALLERY: _under(GalleryForm),
    browse.MANAGED_IMAGE: _under(ManagedImageForm),
    browse.SNAPSHOT: _under(SnapshotForm),
}


def _edit_gallery(catalog: Catalog, ref: browse.NodeRef) -> FormScreen:
    state = catalog.query(gallery_state, ref.pk)
    return GalleryForm(catalog, state.group, state)


def _edit_definition(catalog: Catalog, ref: browse.NodeRef) -> FormScreen:
    state = catalog.query(definition_state, ref.pk)
    return DefinitionForm(catalog, state.gallery, state)


def _edit_version(catalog: Catalog, ref: browse.NodeRef) -> FormScreen:
    return VersionForm.for_edit(catalog, catalog.query(version_state, ref.pk))


def _edit_subscription(catalog: Catalog, ref: browse.NodeRef) -> FormScreen:
    return SubscriptionEditForm(catalog, catalog.query(subscription_state, ref.pk))


EDIT_FORMS: dict[str, FormMaker] = {
    browse.SUBSCRIPTION: _edit_subscription,
    browse.GALLERY: _edit_gallery,
    browse.DEFINITION: _edit_definition,
    browse.VERSION: _edit_version,
}


def _selected(screen: MainView) -> TreeNode[TreeEntry] | None:
    node = screen.selected()
    if node is None or node.data is None:
        screen.notify("Select a node in the tree first.", severity="warning")
        return None
    return node


def open_create_form(screen: MainView) -> None:
    """`n`: the form for a new child of the selected node."""
    node = _selected(screen)
    if node is None or node.data is None:
        return
    ref = node.data.node.ref
    if ref.kind == browse.GROUP:
        screen.app.push_screen(
            KindChooser(node.data.node.name), lambda kind: _create_in_group(screen, node, kind)
        )
        return
    maker = CREATE_FORMS.get(ref.kind)
    if maker is None:
        advice = NO_CHILDREN_ADVICE.get(ref.kind, "")
        screen.notify(
            f"{with_article(KIND_NAMES[ref.kind]).capitalize()} has no children to create "
            f"here.{advice}",
            severity="warning",
        )
        return
    _push(screen, maker(screen.catalog, ref), "Created")


def _create_in_group(screen: MainView, node: TreeNode[TreeEntry], kind: str | None) -> None:
    if kind is None or node.data is None:
        return
    form = GROUP_CHILDREN[kind](screen.catalog, node.data.node.ref)
    _push(screen, form, "Created")


def open_edit_form(screen: MainView, prefill_replicas: dict[str, int] | None = None) -> None:
    """`e`: the edit form of the selected node, if anything of it may change. A version's
    form can open with raised replica counts (`prefill_replicas`, from the advisor)."""
    node = _selected(screen)
    if node is None or node.data is None:
        return
    ref = node.data.node.ref
    if ref.kind == browse.VERSION and prefill_replicas:
        state = screen.catalog.query(version_state, ref.pk)
        form = VersionForm.for_edit(screen.catalog, state, prefill_replicas)
        _push(screen, form, "Saved")
        return
    maker = EDIT_FORMS.get(ref.kind)
    if maker is None:
        screen.notify(
            f"Nothing of {with_article(KIND_NAMES[ref.kind])} can change after creation "
            "(SIG-UPDATE).",
            severity="warning",
        )
        return
    _push(screen, maker(screen.catalog, ref), "Saved")


def _push(screen: MainView, form: FormScreen, verb: str) -> None:
    def saved(arm_id: str | None) -> None:
        if arm_id:
            screen.notify(visible(arm_id), title=f"{verb} {form.noun}", markup=False)
            screen.show_saved(arm_id)

    screen.app.push_screen(form, saved)
