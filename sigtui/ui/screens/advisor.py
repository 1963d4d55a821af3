"""`a`: the replica advisor (SIG-SCALE).

From VMs created concurrently, scale-set deployments and instances per scale set: the
minimum and recommended replicas in one region, the margin's wording and the scale-set
caps. Opened with a version selected, it compares the advice with that version's replicas
in each of its target regions and warns where they are too few; `e` then opens the
version's edit form.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.queries import advisor
from sigtui.catalog.rules import checks
from sigtui.catalog.rules.access import Visibility
from sigtui.catalog.store.db import Catalog
from sigtui.safe_text import counted
from sigtui.ui.screens.styled_once import StyledOnce
from sigtui.ui.text import markup, plain
from sigtui.ui.unavailable import explain_unavailable_key, read_only
from sigtui.ui.widgets.header_footer import AppFooter, AppHeader

FIELDS = ("vms", "scale-sets", "instances")
STATUS_MARKUP = {advisor.TOO_FEW: "$error", advisor.NO_MARGIN: "$warning", advisor.ENOUGH: ""}
CAPS = (
    f"A scale set holds at most {advisor.MAX_SCALE_SET_INSTANCES_FROM_GALLERY_IMAGE:,} "
    f"instances from a gallery image ({advisor.MAX_SCALE_SET_INSTANCES_FROM_MANAGED_IMAGE} "
    "from a managed image)."
)
RULES = (
    f"One replica per {advisor.VMS_PER_REPLICA} VMs created concurrently; one per scale set "
    f"deployed concurrently (each up to {advisor.MAX_SCALE_SET_INSTANCES_FROM_GALLERY_IMAGE:,} "
    "instances)."
)


class CountInput(Input):
    """A whole number: takes digits only and leaves other keys (`e`) to the screen."""

    def __init__(self, value: str, *, id: str) -> None:
        super().__init__(value, id=id, restrict=r"[0-9]*")

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return character is not None and checks.is_whole_number(character)


@dataclass(frozen=True)
class AdvisedVersion:
    """The version the advisor was opened on."""

    pk: int
    arm_id: str
    label: str


@dataclass(frozen=True)
class AdvisorResult:
    """What the advisor closes with: a version to go to, and whether to edit it."""

    arm_id: str
    edit: bool = False
    replicas: dict[str, int] = field(default_factory=dict)  # region -> what to prefill


def whole(text: str, what: str) -> int:
    value = text.strip()
    if not checks.is_whole_number(value):
        raise CatalogError("SIG-INPUT", f"{what} must be a whole number, 0 or more")
    return int(value)


def plan_of(vms: str, scale_sets: str, instances: str) -> advisor.Plan:
    return advisor.Plan(
        whole(vms, "concurrent VMs"),
        whole(scale_sets, "scale sets"),
        whole(instances, "instances per scale set"),
    )


def advice_text(advice: advisor.Advice) -> Content:
    lines = [
        Content.from_markup(
            f"Minimum [b]{advice.minimum}[/b] replicas per region "
            f"({advice.for_vms} for VMs + {advice.for_scale_sets} for scale sets)"
        ),
        Content.from_markup(f"Recommended [b]{advice.recommended}[/b] (+{advice.margin})"),
        markup("[dim]$margin[/dim]", margin=advice.margin_text),
    ]
    lines += [markup("[$warning]⚠ $warning[/]", warning=w) for w in advice.warnings]
    return Content("\n").join(lines)


def comparison_text(found: list[advisor.Comparison]) -> Content:
    """One line per target region; a first line counts the regions with too few."""
    few = sum(1 for comparison in found if comparison.status == advisor.TOO_FEW)
    lines = []
    if few:
        lines.append(
            Content.from_markup(
                f"[$error b]{few} of {counted(len(found), 'target region')} "
                f"{'has' if few == 1 else 'have'} too few replicas[/] "
                "· e edits the version"
            )
        )
    for comparison in found:
        colour = STATUS_MARKUP[comparison.status]
        mark = "⚠ " if comparison.status == advisor.TOO_FEW else "· "
        text = plain(mark + comparison.message)
        lines.append(text.stylize(colour) if colour else text)
    return Content("\n").join(lines)


class AdvisorScreen(StyledOnce, Screen[AdvisorResult | None]):
    """The advice as you type; with a version, its regions compared; `e` edits it."""

    help_title = "Replica advisor"
    help_note = advisor.HISTORY

    BINDINGS = [
        Binding("escape", "close", "Back", id="advisor.back"),
        # a priority key: the inputs take digits only (CountInput), so `e` works in them
        Binding("e", "edit", "Edit version", priority=True, id="advisor.edit"),
    ]

    class Loaded(Message):
        def __init__(self, replicas: dict[str, int]) -> None:
            super().__init__()
            self.replicas = replicas

    def __init__(
        self,
        catalog: Catalog,
        version: AdvisedVersion | None = None,
        viewer: Visibility | None = None,
    ) -> None:
        super().__init__()
        self.catalog = catalog
        self.viewer = viewer  # "view as": a version it does not see shows no replicas
        self.version = version
        self.replicas: dict[str, int] = {}
        self.comparisons: list[advisor.Comparison] = []

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with Vertical(id="advisor"):
            yield Static(f"[b]Replica advisor[/b] (SIG-SCALE) · {RULES}", classes="insight-summary")
            for field, label, value in (
                ("vms", "VMs created concurrently (not in scale sets)", "120"),
                ("scale-sets", "Scale-set deployments at once", "0"),
                (
                    "instances",
                    "Instances per scale set",
                    str(advisor.DEFAULT_INSTANCES_PER_SCALE_SET),
                ),
            ):
                with Horizontal(classes="advisor-row"):
                    yield Label(label)
                    yield CountInput(value, id=f"advisor-{field}")
            yield Static("", id="advisor-result")
            yield Static(CAPS, classes="insight-note")
            yield Static("", id="advisor-version")
            yield Static("", id="advisor-comparison")
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one("#advisor-vms", Input).focus()
        if self.version is not None:
            self.query_one("#advisor-version", Static).update(
                markup("[b]$label[/b]: its replicas per target region", label=self.version.label)
            )
            self.load()
        else:
            self.query_one("#advisor-version", Static).update(
                "[dim]Select an image version in the tree before pressing a, to compare "
                "the advice with its replicas in each target region.[/dim]"
            )
        self.recompute()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "edit":
            return self.version is not None and not self.catalog.readonly
        return True

    def on_key(self, event: events.Key) -> None:
        explain_unavailable_key(self, event.key, self._why_unavailable)

    def _why_unavailable(self, action: str, label: str) -> str | None:
        if action != "edit":
            return None
        if self.catalog.readonly:
            return read_only(label)
        return f"{label} edits a version: select one in the tree, then open the advisor"

    @work(thread=True, exclusive=True, group="advisor")
    def load(self) -> None:
        assert self.version is not None
        replicas = self.catalog.query(advisor.regional_replicas, self.version.pk, self.viewer)
        self.post_message(self.Loaded(replicas))

    def on_advisor_screen_loaded(self, message: Loaded) -> None:
        self.replicas = message.replicas
        self.recompute()

    @on(Input.Changed)
    def recompute(self) -> None:
        result = self.query_one("#advisor-result", Static)
        try:
            advice = advisor.advise(
                plan_of(*(self.query_one(f"#advisor-{f}", Input).value for f in FIELDS))
            )
        except CatalogError as error:
            result.update(markup("[$error]$error[/]", error=error))
            self.comparisons = []
            self.query_one("#advisor-comparison", Static).update("")
            return
        result.update(advice_text(advice))
        self.comparisons = [
            advisor.compare(advice, region, count)
            for region, count in sorted(self.replicas.items())
        ]
        self.query_one("#advisor-comparison", Static).update(comparison_text(self.comparisons))

    def action_close(self) -> None:
        self.dismiss(None)

    def action_edit(self) -> None:
        """Close and open the version's edit form, prefilled with the recommended replica
        counts where the version has fewer."""
        if self.version is not None:
            raise_to = {
                c.region: c.advice.recommended
                for c in self.comparisons
                if c.current < c.advice.recommended
            }
            self.dismiss(AdvisorResult(self.version.arm_id, edit=True, replicas=raise_to))
