"""Azure regions, from the data file `data/regions.csv` (one place for every region fact).

A region is found by its programmatic name (`southcentralus`), its English display
name (`South Central US`) or the source document's French name (`USA Centre Sud`),
case-, accent- and spacing-insensitively. Today every region of a cloud can hold galleries,
definitions and versions and be a target region (SIG-SOURCE-REGIONS); `seed_source_region`
only records the source document's 2020 table of source regions. Each row names where its
figures come from (`source`).
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from sigtui.catalog.model.errors import CatalogError

CLOUDS = ("AzureCloud", "AzureChinaCloud", "AzureUSGovernment", "AzureGermanCloud")

# Continents group geographies for distance (replication time, egress rates).
CONTINENT_OF_GEOGRAPHY = {
    "North America": "North America",
    "US Government": "North America",
    "South America": "South America",
    "Europe": "Europe",
    "Germany": "Europe",
    "Middle East": "Middle East and Africa",
    "Africa": "Middle East and Africa",
    "Asia Pacific": "Asia Pacific",
    "China": "Asia Pacific",
}


@dataclass(frozen=True)
class Region:
    name: str
    display_name: str
    french_name: str
    cloud: str
    geography: str
    availability_zones: bool
    paired_region: str
    seed_source_region: bool  # in the source document's 2020 table (history, not a rule)
    needs_allowlist: bool
    access_restricted: bool
    aliases: tuple[str, ...]
    source: str  # where the row's figures come from

    @property
    def continent(self) -> str:
        return CONTINENT_OF_GEOGRAPHY[self.geography]

    @property
    def all_names(self) -> tuple[str, ...]:
        names = (self.name, self.display_name, self.french_name, *self.aliases)
        return tuple(n for n in names if n)


def _key(text: str) -> str:
    """Fold case, accents, spacing, quotes and dashes so that spellings compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    for odd, plain in (("’", "'"), ("–", "-"), ("—", "-")):
        kept = kept.replace(odd, plain)
    return "".join(kept.split())


def _yes(value: str) -> bool:
    return value.strip().lower() == "yes"


@cache
def all_regions() -> tuple[Region, ...]:
    text = resources.files("sigtui.catalog").joinpath("data/regions.csv").read_text("utf-8")
    return tuple(
        Region(
            name=row["name"],
            display_name=row["display_name"],
            french_name=row["seed_display_name_fr"],
            cloud=row["cloud"],
            geography=row["geography"],
            availability_zones=_yes(row["availability_zones"]),
            paired_region=row["paired_region"],
            seed_source_region=_yes(row["seed_source_region"]),
            needs_allowlist=_yes(row["needs_allowlist"]),
            access_restricted=_yes(row["access_restricted"]),
            aliases=tuple(a for a in row["aliases"].split("|") if a),
            source=row["source"],
        )
        for row in csv.DictReader(text.splitlines())
    )


@cache
def _index() -> dict[str, Region]:
    index: dict[str, Region] = {}
    for region in all_regions():
        for name in region.all_names:
            index.setdefault(_key(name), region)
    return index


@lru_cache(maxsize=1024)  # a hot path: every target region of every version names one
def find_region(name: str) -> Region | None:
    return _index().get(_key(name))


def get_region(name: str, *, code: str = "SIG-INPUT", field: str | None = None) -> Region:
    """The region called `name`, or a CatalogError with `code` naming the unknown region."""
    region = find_region(name) if name else None
    if region is None:
        raise CatalogError(code, f"unknown Azure region {name!r}", field=field)
    return region


def search_regions(text: str) -> list[Region]:
    """Regions any of whose names contains `text` (for pickers)."""
    wanted = _key(text)
    return [r for r in all_regions() if any(wanted in _key(n) for n in r.all_names)]
