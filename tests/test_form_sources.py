"""Which sources a new version's form offers (queries.forms.source_misfit): the rules the
version service applies to a chosen source, as the word the form counts hidden ones by."""

from __future__ import annotations

import pytest

from sigtui.catalog.queries import browse
from sigtui.catalog.queries.forms import Place, SourceChoice, VersionPlace, source_misfit

PLACE = Place("/subscriptions/x/.../images/d", "d", "d")


def image(os_type: str = "Linux", generation: str = "V2", location: str = "westus") -> SourceChoice:
    return SourceChoice(
        "id", browse.MANAGED_IMAGE, "i", "rg", location, os_type, 30, (), generation
    )


def snapshot(os_type: str | None = "Linux", location: str = "westus") -> SourceChoice:
    return SourceChoice("id", browse.SNAPSHOT, "s", "rg", location, os_type, 64)


def definition(os_state: str = "Generalized", generation: str = "V2") -> VersionPlace:
    return VersionPlace(PLACE, "Linux", [], "1.0.0", os_state, generation)


@pytest.mark.parametrize(
    ("source", "place", "why"),
    [
        (image(), definition(), None),
        (image(os_type="Windows"), definition(), "Windows"),  # the OS type first
        (image(generation="V1"), definition(), "Gen1"),
        (image(), definition(os_state="Specialized"), "Generalized"),  # SIG-OSSTATE
        (image(location="eastus"), definition(), "in another region"),  # SIG-SOURCE-REGION
        (snapshot(), definition(os_state="Specialized", generation="V1"), None),
        (snapshot(os_type=None), definition(), None),  # a data disk's: the service takes it
        (snapshot(os_type="Windows", location="eastus"), definition(), "Windows"),
    ],
)
def test_a_source_that_cannot_make_the_version_says_why(
    source: SourceChoice, place: VersionPlace, why: str | None
) -> None:
    assert source_misfit(source, place, "westus") == why
