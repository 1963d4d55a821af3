"""The domain rules of DESIGN.md section 2 that need no database: each check raises a
CatalogError with its rule code, naming the offending field."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache

from sigtui.catalog.model.enums import (
    DiskType,
    HyperVGeneration,
    OsState,
    OsType,
    StorageAccountType,
)
from sigtui.catalog.model.eol import eol_datetime, eol_text
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.rules.limits import (
    MAX_DISK_SIZE_GB,
    MAX_MANAGED_DISK_SIZE_GB,
    MAX_REPLICAS_PER_REGION,
)
from sigtui.catalog.rules.regions import CLOUDS, Region, get_region

INT32_MAX = 2**31 - 1

_GALLERY_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._]{0,78}[A-Za-z0-9])?$")
_DEFINITION_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,78}[A-Za-z0-9])?$")
_RESOURCE_NAME = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9._-]{0,78}[A-Za-z0-9_])?$")
_GROUP_NAME = re.compile(r"^[-\w._()]{0,89}[-\w_()]$")
_IDENTIFIER = re.compile(r"^[A-Za-z0-9._-]*[A-Za-z0-9_-]$")
_VERSION_NAME = re.compile(r"^([0-9]+)\.([0-9]+)\.([0-9]+)$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


def is_whole_number(text: str) -> bool:
    """ASCII digits only: `str.isdigit` also takes `¹` and `١`, which `int()` refuses."""
    return text.isascii() and text.isdigit()


def name_key(name: str) -> str:
    """The case-insensitive form of a name, as ARM compares them."""
    return name.casefold()


# --- names (SIG-NAME) -------------------------------------------------------------------


def check_gallery_name(name: str) -> str:
    if not _GALLERY_NAME.fullmatch(name or ""):
        raise CatalogError(
            "SIG-NAME",
            f"gallery name {name!r} is invalid: 1-80 characters, letters, digits, '.' and '_', "
            "starting and ending with a letter or digit (no '-')",
            field="name",
        )
    return name


def check_definition_name(name: str) -> str:
    if not _DEFINITION_NAME.fullmatch(name or ""):
        raise CatalogError(
            "SIG-NAME",
            f"image definition name {name!r} is invalid: 1-80 characters, letters, digits, "
            "'-', '.' and '_', starting and ending with a letter or digit",
            field="name",
        )
    return name


def check_resource_name(name: str, what: str) -> str:
    """Managed images and snapshots: Azure's 1-80 letters, digits, '-', '.', '_'."""
    if not _RESOURCE_NAME.fullmatch(name or ""):
        raise CatalogError(
            "SIG-NAME",
            f"{what} name {name!r} is invalid: 1-80 characters, letters, digits, '-', '.' "
            "and '_', not starting with '-' or '.', not ending with '-' or '.'",
            field="name",
        )
    return name


def check_group_name(name: str) -> str:
    if not name or not _GROUP_NAME.fullmatch(name):
        raise CatalogError(
            "SIG-NAME",
            f"resource group name {name!r} is invalid: 1-90 characters, letters, digits, "
            "'-', '_', '.', '(' and ')', not ending with '.'",
            field="name",
        )
    return name


def check_plain_name(name: str, what: str, max_length: int = 128) -> str:
    """Tenants, subscriptions and principals: any non-blank text up to `max_length`."""
    if not name or not name.strip() or len(name) > max_length or name != name.strip():
        raise CatalogError(
            "SIG-NAME",
            f"{what} name {name!r} is invalid: 1-{max_length} characters, "
            "no leading or trailing spaces",
            field="name",
        )
    return name


def check_identifier(value: str, what: str, max_length: int) -> str:
    """Publisher (<= 128), offer and SKU (<= 64): letters, digits, '-', '.', '_'."""
    if not value or len(value) > max_length or not _IDENTIFIER.fullmatch(value):
        raise CatalogError(
            "SIG-NAME",
            f"{what} {value!r} is invalid: 1-{max_length} characters, letters, digits, "
            "'-', '.' and '_', not ending with '.'",
            field=what,
        )
    return value


@dataclass(frozen=True, order=True)
class VersionNumber:
    major: int
    minor: int
    patch: int

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


@lru_cache(maxsize=16_384)  # bulk loads parse the same names in every definition
def parse_version_name(name: str) -> VersionNumber:
    match = _VERSION_NAME.fullmatch(name or "")
    parts = tuple(int(p) for p in match.groups()) if match else ()
    if not parts or any(p > INT32_MAX for p in parts):
        raise CatalogError(
            "SIG-NAME",
            f"version name {name!r} is invalid: Major.Minor.Patch, each a whole number "
            f"from 0 to {INT32_MAX}",
            field="name",
        )
    return VersionNumber(*parts)


def check_uuid(value: str, what: str) -> str:
    if not _UUID.fullmatch(value or ""):
        raise CatalogError("SIG-INPUT", f"{what} {value!r} is not a UUID", field=what)
    return value.lower()


# --- enumerations (SIG-INPUT) --------------------------------------------------------------


def check_choice(value: str, allowed: Iterable[str], what: str, field: str) -> str:
    for option in allowed:
        if value and value.casefold() == option.casefold():
            return option
    options = ", ".join(allowed)
    raise CatalogError("SIG-INPUT", f"{what} {value!r} is not one of: {options}", field=field)


@lru_cache(maxsize=64)  # bulk loads check millions
def check_os_type(value: str) -> str:
    return check_choice(value, [t.value for t in OsType], "OS type", "os_type")


@lru_cache(maxsize=64)  # bulk loads check millions
def check_os_state(value: str) -> str:
    return check_choice(value, [s.value for s in OsState], "OS state", "os_state")


@lru_cache(maxsize=64)  # bulk loads check millions
def check_hyper_v_generation(value: str) -> str:
    return check_choice(
        value, [g.value for g in HyperVGeneration], "Hyper-V generation", "hyper_v_generation"
    )


@lru_cache(maxsize=64)  # bulk loads check millions
def check_storage_type(value: str) -> str:
    return check_choice(
        value, [s.value for s in StorageAccountType], "storage account type", "storage_type"
    )


def check_disk_types(values: Iterable[str]) -> list[str]:
    checked = [
        check_choice(v, [d.value for d in DiskType], "disk type", "disallowed_disk_types")
        for v in values
    ]
    return sorted(set(checked), key=checked.index)


def check_cloud(value: str) -> str:
    return check_choice(value, CLOUDS, "cloud", "cloud")


# --- regions ------------------------------------------------------------------------------


def check_source_location(location: str, cloud: str, field: str = "location") -> Region:
    """Where galleries, definitions and versions may be created: today any known region
    (SIG-SOURCE-REGIONS) inside the subscription's cloud (SIG-CLOUD)."""
    region = get_region(location, code="SIG-SOURCE-REGIONS", field=field)
    check_region_cloud(region, cloud, field)
    return region


def check_region_cloud(region: Region, cloud: str, field: str) -> None:
    if region.cloud != cloud:
        raise CatalogError(
            "SIG-CLOUD",
            f"{region.display_name} is in {region.cloud}, but the subscription is in {cloud}: "
            "no resources or replication across clouds",
            field=field,
        )


def check_zone_storage(region: Region, storage: str | None, field: str) -> None:
    """SIG-ZRS: Standard_ZRS only in a region with availability zones."""
    if storage == StorageAccountType.STANDARD_ZRS and not region.availability_zones:
        raise CatalogError(
            "SIG-ZRS",
            f"Standard_ZRS needs a region with availability zones; {region.display_name} "
            "has none (use Standard_LRS or Premium_LRS)",
            field=field,
        )


# --- numbers and dates ----------------------------------------------------------------------


def check_source_disk_size(size_gb: int, what: str, field: str) -> int:
    """A managed image's or snapshot's disk: any size an Azure managed disk may have (a
    version made from a disk above 2 TB is what SIG-DISK-SIZE refuses)."""
    if not isinstance(size_gb, int) or isinstance(size_gb, bool) or size_gb < 1:
        raise CatalogError(
            "SIG-INPUT", f"{what} size must be a positive number of GiB", field=field
        )
    if size_gb > MAX_MANAGED_DISK_SIZE_GB:
        raise CatalogError(
            "SIG-INPUT",
            f"{what} is {size_gb:,} GiB; no Azure managed disk is larger than "
            f"{MAX_MANAGED_DISK_SIZE_GB:,} GiB",
            field=field,
        )
    return size_gb


def check_disk_size(size_gb: int, what: str, field: str) -> int:
    """A disk of an image version (SIG-DISK-SIZE): at most 2 TB today."""
    check_source_disk_size(size_gb, what, field)
    if size_gb > MAX_DISK_SIZE_GB:
        raise CatalogError(
            "SIG-DISK-SIZE",
            f"{what} is {size_gb:,} GiB; every disk of an image version is at most 2 TB "
            f"({MAX_DISK_SIZE_GB:,} GiB)",
            field=field,
        )
    return size_gb


def check_replica_count(count: int, field: str = "replica_count") -> int:
    if (
        not isinstance(count, int)
        or isinstance(count, bool)
        or not 1 <= count <= MAX_REPLICAS_PER_REGION
    ):
        raise CatalogError(
            "SIG-REPLICAS",
            f"replica count {count!r} is invalid: 1 to {MAX_REPLICAS_PER_REGION} per region",
            field=field,
        )
    return count


def check_future_eol(
    eol: date | datetime | None, now: datetime, field: str = "end_of_life_date"
) -> None:
    """SIG-EOL: an end-of-life date-time a user sets lies in the future."""
    if eol is None:
        return
    when = eol_datetime(eol)
    if when <= now:
        raise CatalogError(
            "SIG-EOL",
            f"end-of-life {eol_text(when)} must be in the future "
            f"(now {now.astimezone(UTC):%Y-%m-%d %H:%M} UTC)",
            field=field,
        )


def parse_date(value: str | date | None, field: str = "end_of_life_date") -> datetime | None:
    """An end-of-life date-time from ISO text: a time of day given is kept (UTC), a date
    alone (`YYYY-MM-DD`) becomes 12:59:59 UTC of that day, as az sends it."""
    if value is None:
        return None
    if isinstance(value, date):
        return eol_datetime(value)
    if not value.strip():
        return None
    try:
        return eol_datetime(value)
    except ValueError:
        raise CatalogError(
            "SIG-INPUT",
            f"{value!r} is not a date (YYYY-MM-DD) or date-time (YYYY-MM-DDTHH:MM:SSZ)",
            field=field,
        ) from None


def check_recommended(
    low: int | None, high: int | None, what: str, field_prefix: str
) -> tuple[int | None, int | None]:
    for value, end in ((low, "min"), (high, "max")):
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= INT32_MAX
        ):
            raise CatalogError(
                "SIG-RECOMMENDED",
                f"recommended {what} {end} must be a positive whole number up to {INT32_MAX}, "
                f"not {value!r}",
                field=f"{field_prefix}_{end}",
            )
    if low is not None and high is not None and low > high:
        raise CatalogError(
            "SIG-RECOMMENDED",
            f"recommended {what}: min {low} is greater than max {high}",
            field=f"{field_prefix}_min",
        )
    return low, high


_TAG_NAME_FORBIDDEN = re.compile(r"[<>%&\\?/]")


def check_tags(tags: dict[str, str] | None) -> dict[str, str]:
    """ARM tags: at most 50, names up to 512 characters, values up to 256."""
    tags = dict(tags or {})
    if len(tags) > 50:
        raise CatalogError("SIG-INPUT", "at most 50 tags per resource", field="tags")
    for key, value in tags.items():
        if not isinstance(key, str) or not key or len(key) > 512 or _TAG_NAME_FORBIDDEN.search(key):
            raise CatalogError("SIG-INPUT", f"tag name {key!r} is invalid", field="tags")
        if not isinstance(value, str) or len(value) > 256:
            raise CatalogError(
                "SIG-INPUT", f"tag {key!r}: value too long or not text", field="tags"
            )
    return tags
