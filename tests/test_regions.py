"""Azure regions from the package's data file (sigtui/catalog/data/regions.csv): every row
loaded, every name of a region finds it (programmatic, English display, the source
document's French name, aliases), spellings compared loosely, unknown names refused."""

from __future__ import annotations

import unicodedata
from collections import Counter

import pytest

from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.rules import regions
from sigtui.catalog.rules.regions import (
    CLOUDS,
    all_regions,
    find_region,
    get_region,
    search_regions,
)

# The source document's "Régions sources" table, as it spells them (41 regions).
SOURCE_DOCUMENT_SOURCE_REGIONS = [
    "Centre de l’Australie", "Chine orientale", "Inde Sud", "Europe Ouest",
    "Centre de l’Australie 2", "Chine orientale 2", "Asie Sud-Est", "Sud du Royaume-Uni",
    "Australie Est", "Chine du Nord", "Japon Est", "Ouest du Royaume-Uni",
    "Sud-Australie Est", "Chine Nord 2", "OuJapon Est", "Centre des États-Unis – US DoD",
    "Brésil Sud", "Asie Est", "Centre de la Corée", "Est des États-Unis – US DoD",
    "Centre du Canada", "USA Est", "Corée du Sud", "Gouvernement des États-Unis – Arizona",
    "Est du Canada", "USA Est 2", "Centre-Nord des États-Unis",
    "Gouvernement des États-Unis – Texas",
    "Inde centrale", "USA Est 2 (EUAP)", "Europe Nord", "Gouvernement américain - Virginie",
    "USA Centre", "France Centre", "États-Unis - partie centrale méridionale", "Inde Ouest",
    "EUAP USA Centre", "France Sud", "Centre-USA Ouest", "USA Ouest",
    "USA Ouest 2",
]  # fmt: skip


def test_all_77_regions_are_loaded() -> None:
    loaded = all_regions()
    assert len(loaded) == 77
    assert len({r.name for r in loaded}) == 77
    assert Counter(r.cloud for r in loaded) == {
        "AzureCloud": 64,
        "AzureChinaCloud": 6,
        "AzureUSGovernment": 5,
        "AzureGermanCloud": 2,
    }
    assert set(CLOUDS) == {r.cloud for r in loaded}
    for region in loaded:
        assert region.name == region.name.lower() and " " not in region.name
        assert region.display_name
        assert region.continent  # every geography belongs to a continent
        assert region.paired_region == "" or find_region(region.paired_region) is not None


def test_the_seed_source_regions_are_the_source_documents_table() -> None:
    """History only: today every region can hold galleries (test_rules.py)."""
    sources = [r for r in all_regions() if r.seed_source_region]
    assert len(sources) == len(SOURCE_DOCUMENT_SOURCE_REGIONS) == 41
    assert {r.french_name for r in sources} == set(SOURCE_DOCUMENT_SOURCE_REGIONS)
    for french in SOURCE_DOCUMENT_SOURCE_REGIONS:
        region = find_region(french)
        assert region is not None and region.seed_source_region, french
    assert not get_region("westus3").seed_source_region
    assert get_region("westus").seed_source_region


@pytest.mark.parametrize(
    ("name", "display_name", "geography"),
    [
        ("mexicocentral", "Mexico Central", "North America"),
        ("spaincentral", "Spain Central", "Europe"),
        ("italynorth", "Italy North", "Europe"),
        ("polandcentral", "Poland Central", "Europe"),
        ("israelcentral", "Israel Central", "Middle East"),
        ("qatarcentral", "Qatar Central", "Middle East"),
        ("newzealandnorth", "New Zealand North", "Asia Pacific"),
        ("chilecentral", "Chile Central", "South America"),
        ("indonesiacentral", "Indonesia Central", "Asia Pacific"),
        ("malaysiawest", "Malaysia West", "Asia Pacific"),
        ("austriaeast", "Austria East", "Europe"),
    ],
)
def test_todays_newer_regions_have_display_names_and_zones(
    name: str, display_name: str, geography: str
) -> None:
    region = get_region(display_name)
    assert (region.name, region.cloud, region.geography) == (name, "AzureCloud", geography)
    assert region.availability_zones and not region.access_restricted
    assert not region.seed_source_region  # not in the 2020 table, a region all the same


def test_every_region_says_where_its_figures_come_from() -> None:
    for region in all_regions():
        assert region.source, region.name
    assert get_region("westus").source.startswith("sigtui reference/regions.csv")
    assert get_region("mexicocentral").source.startswith("today's Azure")


def test_region_facts_the_rules_use() -> None:
    # SIG-REGION-ALLOWLIST: exactly Australia Central and Australia Central 2
    assert [r.name for r in all_regions() if r.needs_allowlist] == [
        "australiacentral",
        "australiacentral2",
    ]
    # SIG-ZRS: zones or not
    assert get_region("westus").availability_zones
    assert get_region("southcentralus").availability_zones
    assert not get_region("northcentralus").availability_zones
    assert not get_region("westcentralus").availability_zones
    # SIG-CLOUD
    assert get_region("chinaeast").cloud == "AzureChinaCloud"
    assert get_region("usgovvirginia").cloud == "AzureUSGovernment"
    assert get_region("germanycentral").cloud == "AzureGermanCloud"


@pytest.mark.parametrize("region", all_regions(), ids=lambda r: r.name)
def test_every_name_of_a_region_finds_it(region: regions.Region) -> None:
    names = [region.name, region.display_name, region.french_name, *region.aliases]
    for name in filter(None, names):
        for spelling in (name, name.upper(), name.lower(), f"  {name} "):
            assert find_region(spelling) is region, spelling
            assert get_region(spelling) is region, spelling
        assert search_regions(name) and region in search_regions(name)


def test_names_of_different_regions_never_collide() -> None:
    owners: dict[str, str] = {}
    for region in all_regions():
        for name in region.all_names:
            key = regions._key(name)
            assert owners.setdefault(key, region.name) == region.name, (name, owners[key])


def test_south_central_us_by_every_name() -> None:
    """The source document writes it two ways: "USA Centre Sud" (FAQ, replicas) and
    "États-Unis - partie centrale méridionale" (the source regions table)."""
    region = get_region("southcentralus")
    assert region.display_name == "South Central US"
    assert region.french_name == "États-Unis - partie centrale méridionale"
    assert "USA Centre Sud" in region.aliases
    for name in [
        "southcentralus",
        "SouthCentralUS",
        "South Central US",
        "south central us",
        "SOUTH  CENTRAL  US",
        "USA Centre Sud",
        "usa centre sud",
        "USA CENTRE SUD",
        "États-Unis - partie centrale méridionale",
        "états-unis - partie centrale méridionale",
        "ETATS-UNIS - PARTIE CENTRALE MERIDIONALE",
        "Etats-Unis – partie centrale méridionale",  # an en dash
        unicodedata.normalize("NFD", "États-Unis - partie centrale méridionale"),
    ]:
        assert find_region(name) is region, name


def test_accents_quotes_and_dashes_are_loose() -> None:
    assert find_region("Centre de l'Australie") is get_region("australiacentral")  # ASCII quote
    assert find_region("centre de l’australie 2") is get_region("australiacentral2")
    assert find_region("Bresil Sud") is get_region("brazilsouth")
    assert find_region("Gouvernement des Etats-Unis - Texas") is get_region("usgovtexas")
    assert find_region("Centre des États-Unis — US DoD") is get_region("usdodcentral")  # em dash


@pytest.mark.parametrize(
    "name", ["", "   ", "atlantis", "westus4", "West US 9", "USA Centre Nord", "west-us", "us"]
)
def test_unknown_names(name: str) -> None:
    assert find_region(name) is None
    with pytest.raises(CatalogError) as caught:
        get_region(name)
    assert caught.value.code == "SIG-INPUT"
    with pytest.raises(CatalogError) as caught:
        get_region(name, code="SIG-REPLICAS", field="target_regions")
    assert (caught.value.code, caught.value.field) == ("SIG-REPLICAS", "target_regions")


def test_search_regions_for_pickers() -> None:
    assert [r.name for r in search_regions("centre sud")] == ["southcentralus"]
    assert {r.name for r in search_regions("australia central")} == {
        "australiacentral",
        "australiacentral2",
    }
    assert search_regions("atlantis") == []
    assert len(search_regions("")) == 77
