"""What image versions cost (SIG-BILLING), from a price sheet.

The gallery service is free. Each replica of each version in each target region is
billed as storage: by default (the source document's basis, `managedDisk`) a managed
disk at the smallest tier that holds the version's size (OS disk + data disks); or
(Azure's basis today, `snapshot`) a snapshot per GB-month of that size. Standard_LRS,
Standard_ZRS and Premium_LRS are priced apart. Replicating costs egress once: the
version's size times the rate from its source region to each other target region (the
first replica); further replicas in a region cost no egress.

The price sheet is a JSON data file (`data/prices.json`, or the user's own via
`load_sheet`): every figure carries its currency, date, source and certainty.

Rollups are SQL aggregates: target regions grouped by (owner, version size, storage
type, region, source region) with SUM(replicas) and COUNT(regions); only those groups
are priced in Python. Money is `Decimal`, in the sheet's currency. The costliest things of
a level (`costliest`, for the cost screen) are ranked in SQL with float prices, then
costed exactly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import Select

from sigtui.catalog.model import ids
from sigtui.catalog.model.enums import StorageAccountType
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.models import (
    Gallery,
    ImageDefinition,
    ImageVersion,
    Resource,
    ResourceGroup,
    Subscription,
    TargetRegion,
)
from sigtui.catalog.queries import lookup
from sigtui.catalog.queries.browse import DEFINITION, GALLERY, GROUP, SUBSCRIPTION, TENANT, VERSION
from sigtui.catalog.rules.checks import check_replica_count
from sigtui.catalog.rules.regions import CONTINENT_OF_GEOGRAPHY, Region, get_region

MANAGED_DISK = "managedDisk"  # the source document's basis: a managed disk tier per replica
SNAPSHOT = "snapshot"  # Azure's basis today: a snapshot per GB-month per replica
BASES = (MANAGED_DISK, SNAPSHOT)

CERTAINTIES = ("official", "third-party", "unverified")
CONTINENTS = tuple(sorted(set(CONTINENT_OF_GEOGRAPHY.values())))
STORAGE_TYPES = tuple(s.value for s in StorageAccountType)
LRS = StorageAccountType.STANDARD_LRS.value
ZRS = StorageAccountType.STANDARD_ZRS.value
PREMIUM = StorageAccountType.PREMIUM_LRS.value

BUILT_IN = "built-in"
ZERO = Decimal(0)


# --- the price sheet ----------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One figure of the sheet, with where it comes from and how sure it is."""

    path: str  # its key in the sheet, e.g. "managedDisk.Standard_LRS[0]"
    value: Decimal
    currency: str | None  # None for a ratio (zrsMultiplier)
    date: str
    source: str
    certainty: str  # official | third-party | unverified


@dataclass(frozen=True)
class DiskTier:
    name: str  # S4, P10, ...
    size_gb: int
    price: Figure  # per disk per month


@dataclass(frozen=True)
class PriceSheet:
    currency: str
    date: str
    source: str
    origin: str  # "built-in", or the path of the user's file
    default_basis: str
    disk_tiers: Mapping[str, tuple[DiskTier, ...]]  # by storage account type
    zrs_multiplier: Figure  # Standard_ZRS = Standard_LRS x this, where not given apart
    snapshot_per_gb: Mapping[str, Figure]  # by storage account type, per GB-month
    egress_within: Mapping[str, Figure]  # per GB, by continent
    egress_between: Mapping[str, Figure]  # per GB, by the source region's continent
    notes: tuple[str, ...] = ()

    def figures(self) -> list[Figure]:
        """Every figure, for a screen that lists the sheet with its certainty."""
        tiers = [tier.price for group in self.disk_tiers.values() for tier in group]
        return [
            *tiers,
            self.zrs_multiplier,
            *self.snapshot_per_gb.values(),
            *self.egress_within.values(),
            *self.egress_between.values(),
        ]


_DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")
_TOP_KEYS = {
    "currency",
    "date",
    "source",
    "certainty",
    "notes",
    "defaultBasis",
    "managedDisk",
    "zrsMultiplier",
    "snapshotPerGbMonth",
    "egressPerGb",
}
_FIGURE_KEYS = {"value", "currency", "date", "source", "certainty", "note"}


class _Reader:
    """Reads a sheet's JSON, failing with SIG-INPUT messages that name the bad key."""

    def __init__(self, origin: str, top: Mapping[str, Any]) -> None:
        self.origin = origin
        self.top = top

    def fail(self, path: str, problem: str) -> CatalogError:
        return CatalogError(
            "SIG-INPUT", f"price sheet {self.origin}: {path}: {problem}", field=path
        )

    def mapping(
        self, value: Any, path: str, allowed: Iterable[str] | None = None
    ) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"must be an object, not {_shown(value)}")
        if allowed is not None:
            unknown = sorted(set(value) - set(allowed))
            if unknown:
                raise self.fail(
                    _join(path, unknown[0]),
                    f"unknown key (expected one of {', '.join(sorted(allowed))})",
                )
        return value

    def required(self, data: Mapping[str, Any], key: str, path: str) -> Any:
        if key not in data:
            raise self.fail(_join(path, key), "missing")
        return data[key]

    def text(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(path, f"must be a non-empty string, not {_shown(value)}")
        return value.strip()

    def number(self, value: Any, path: str) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise self.fail(path, f"must be a number, not {_shown(value)}")
        number = Decimal(str(value))
        if not number.is_finite() or number < 0:
            raise self.fail(path, f"must be a non-negative number, not {value}")
        return number

    def inherited(self, data: Mapping[str, Any], key: str, path: str) -> str:
        """A figure's currency, date, source or certainty: its own, else the sheet's."""
        if key in data:
            return self.text(data[key], _join(path, key))
        if key in self.top:
            return self.text(self.top[key], key)
        raise self.fail(_join(path, key), "missing (and the sheet gives no default)")

    def figure(
        self, value: Any, path: str, *, money: bool = True, extra: frozenset[str] = frozenset()
    ) -> Figure:
        data = self.mapping(value, path, _FIGURE_KEYS | extra)
        number = self.number(self.required(data, "value", path), _join(path, "value"))
        currency = self.inherited(data, "currency", path) if money else None
        if currency is not None and currency != self.top.get("currency"):
            raise self.fail(
                _join(path, "currency"),
                f"{currency} differs from the sheet's currency {self.top.get('currency')}",
            )
        date = _date(self, self.inherited(data, "date", path), _join(path, "date"))
        certainty = self.inherited(data, "certainty", path)
        if certainty not in CERTAINTIES:
            raise self.fail(
                _join(path, "certainty"),
                f"must be one of {', '.join(CERTAINTIES)}, not {certainty!r}",
            )
        source = self.inherited(data, "source", path)
        return Figure(path, number, currency, date, source, certainty)


def _date(reader: _Reader, value: Any, path: str) -> str:
    text = reader.text(value, path)
    if not _DATE.match(text):
        raise reader.fail(path, f"must be YYYY-MM or YYYY-MM-DD, not {text!r}")
    return text


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _shown(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def _tiers(reader: _Reader, value: Any, path: str) -> tuple[DiskTier, ...]:
    if not isinstance(value, list) or not value:
        raise reader.fail(path, "must be a non-empty list of tiers")
    tiers: list[DiskTier] = []
    for index, item in enumerate(value):
        where = f"{path}[{index}]"
        data = reader.mapping(item, where, _FIGURE_KEYS | {"tier", "sizeGb"})
        name = reader.text(reader.required(data, "tier", where), f"{where}.tier")
        size = reader.required(data, "sizeGb", where)
        if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
            raise reader.fail(f"{where}.sizeGb", f"must be a positive whole number, not {size}")
        if tiers and size <= tiers[-1].size_gb:
            raise reader.fail(f"{where}.sizeGb", "tiers must be listed from the smallest up")
        figure = reader.figure(data, where, extra=frozenset({"tier", "sizeGb"}))
        tiers.append(DiskTier(name, size, figure))
    return tuple(tiers)


def _by_storage(
    reader: _Reader, value: Any, path: str, required: Sequence[str], read: Any
) -> dict[str, Any]:
    data = reader.mapping(value, path, STORAGE_TYPES)
    for storage in required:
        reader.required(data, storage, path)
    return {storage: read(reader, data[storage], _join(path, storage)) for storage in data}


def _rates(reader: _Reader, value: Any, path: str) -> dict[str, Figure]:
    data = reader.mapping(value, path, CONTINENTS)
    for continent in CONTINENTS:
        reader.required(data, continent, path)
    return {c: reader.figure(data[c], _join(path, c)) for c in CONTINENTS}


def parse_sheet(data: Any, origin: str = BUILT_IN) -> PriceSheet:
    """A price sheet from its parsed JSON; SIG-INPUT naming the first bad key."""
    reader = _Reader(origin, {})
    top = reader.mapping(data, "", _TOP_KEYS)
    reader.top = top
    currency = reader.text(reader.required(top, "currency", ""), "currency")
    basis = top.get("defaultBasis", MANAGED_DISK)
    if basis not in BASES:
        raise reader.fail("defaultBasis", f"must be one of {', '.join(BASES)}, not {basis!r}")
    egress = reader.mapping(
        reader.required(top, "egressPerGb", ""),
        "egressPerGb",
        ("withinContinent", "betweenContinents"),
    )
    notes = top.get("notes", [])
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        raise reader.fail("notes", "must be a list of strings")
    return PriceSheet(
        currency=currency,
        date=_date(reader, reader.required(top, "date", ""), "date"),
        source=reader.text(reader.required(top, "source", ""), "source"),
        origin=origin,
        default_basis=basis,
        disk_tiers=_by_storage(
            reader, reader.required(top, "managedDisk", ""), "managedDisk", (LRS, PREMIUM), _tiers
        ),
        zrs_multiplier=reader.figure(
            reader.required(top, "zrsMultiplier", ""), "zrsMultiplier", money=False
        ),
        snapshot_per_gb=_by_storage(
            reader,
            reader.required(top, "snapshotPerGbMonth", ""),
            "snapshotPerGbMonth",
            (LRS, PREMIUM),
            lambda r, v, p: r.figure(v, p),
        ),
        egress_within=_rates(
            reader,
            reader.required(egress, "withinContinent", "egressPerGb"),
            "egressPerGb.withinContinent",
        ),
        egress_between=_rates(
            reader,
            reader.required(egress, "betweenContinents", "egressPerGb"),
            "egressPerGb.betweenContinents",
        ),
        notes=tuple(notes),
    )


def parse_sheet_text(text: str, origin: str) -> PriceSheet:
    """A price sheet from JSON text; SIG-INPUT when it is not JSON."""
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise CatalogError(
            "SIG-INPUT",
            f"price sheet {origin} is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
        ) from None
    return parse_sheet(data, origin)


@cache
def builtin_sheet() -> PriceSheet:
    """The sheet shipped in the package (`sigtui/catalog/data/prices.json`)."""
    text = resources.files("sigtui.catalog").joinpath("data/prices.json").read_text("utf-8")
    return parse_sheet_text(text, BUILT_IN)


def load_sheet(path: str | Path | None = None) -> PriceSheet:
    """The user's price sheet at `path` (`--prices FILE`), or the built-in one."""
    if path is None:
        return builtin_sheet()
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise CatalogError(
            "SIG-INPUT", f"cannot read price sheet {path}: {exc.strerror or exc}"
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CatalogError(
            "SIG-INPUT", f"price sheet {path} is not JSON (not UTF-8 text)"
        ) from None
    return parse_sheet_text(text, str(path))


# --- prices of one replica and of egress -------------------------------------------------


def check_basis(basis: str | None, sheet: PriceSheet) -> str:
    """`basis`, or the sheet's default basis when None (SIG-INPUT if unknown)."""
    chosen = basis or sheet.default_basis
    if chosen not in BASES:
        raise CatalogError(
            "SIG-INPUT", f"unknown cost basis {chosen!r} (one of {', '.join(BASES)})", field="basis"
        )
    return chosen


def _storage(storage: str) -> str:
    if storage not in STORAGE_TYPES:
        raise CatalogError(
            "SIG-INPUT",
            f"unknown storage account type {storage!r} (one of {', '.join(STORAGE_TYPES)})",
            field="storage_type",
        )
    return storage


def tier_for(tiers: Sequence[DiskTier], size_gb: Decimal | int) -> DiskTier | None:
    """The smallest tier that holds `size_gb` (None when none is large enough)."""
    return next((tier for tier in tiers if tier.size_gb >= size_gb), None)


def _tiered_price(tiers: Sequence[DiskTier], size_gb: Decimal) -> Decimal:
    """The smallest tier holding the size; beyond the largest tier, whole largest-tier
    disks plus the smallest tier that holds the rest."""
    largest = tiers[-1]
    full, rest = divmod(size_gb, largest.size_gb)
    price = largest.price.value * full
    if rest:
        price += (tier_for(tiers, rest) or largest).price.value
    return price


def replica_price(
    sheet: PriceSheet, size_gb: Decimal | int, storage: str, basis: str | None = None
) -> Decimal:
    """The monthly price of one replica of a version of `size_gb` in `storage`."""
    chosen = check_basis(basis, sheet)
    storage = _storage(storage)
    size = Decimal(size_gb)
    if chosen == SNAPSHOT:
        per_gb = sheet.snapshot_per_gb.get(storage) or sheet.snapshot_per_gb[LRS]
        factor = _zrs_factor(sheet, storage, sheet.snapshot_per_gb)
        return size * per_gb.value * factor
    tiers = sheet.disk_tiers.get(storage) or sheet.disk_tiers[LRS]
    return _tiered_price(tiers, size) * _zrs_factor(sheet, storage, sheet.disk_tiers)


def _zrs_factor(sheet: PriceSheet, storage: str, given: Mapping[str, Any]) -> Decimal:
    """Standard_ZRS without figures of its own: Standard_LRS x the sheet's multiplier."""
    if storage == ZRS and ZRS not in given:
        return sheet.zrs_multiplier.value
    return Decimal(1)


def egress_rate(sheet: PriceSheet, source: Region, target: Region) -> Decimal:
    """Per GB, replicating from `source` to `target` (0 within one region)."""
    if source.name == target.name:
        return ZERO
    if source.continent == target.continent:
        return sheet.egress_within[source.continent].value
    return sheet.egress_between[source.continent].value


# --- costs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cost:
    """Storage per month, one-time egress, replicas billed and GB transferred."""

    monthly_storage: Decimal = ZERO
    one_time_egress: Decimal = ZERO
    replicas: int = 0  # each billed as a managed disk (or a snapshot)
    egress_gb: Decimal = ZERO

    def __add__(self, other: Cost) -> Cost:
        return Cost(
            self.monthly_storage + other.monthly_storage,
            self.one_time_egress + other.one_time_egress,
            self.replicas + other.replicas,
            self.egress_gb + other.egress_gb,
        )


def priced_group(
    sheet: PriceSheet,
    basis: str,
    size_gb: Decimal | int,
    storage: str,
    region: str,
    source_region: str,
    replicas: int,
    regions: int = 1,
) -> Cost:
    """The cost of `regions` version x region pairs alike (same size, storage, region and
    source region) holding `replicas` replicas between them."""
    size = Decimal(size_gb)
    target, source = get_region(region), get_region(source_region)
    crossings = 0 if target.name == source.name else regions  # egress once per region
    return Cost(
        monthly_storage=replica_price(sheet, size, storage, basis) * replicas,
        one_time_egress=size * egress_rate(sheet, source, target) * crossings,
        replicas=replicas,
        egress_gb=size * crossings,
    )


Target = tuple[str, int, str]  # (region in any spelling, replicas, storage account type)


@dataclass(frozen=True)
class Estimate:
    """What-if: one version of a size, replicated to some regions."""

    currency: str
    basis: str
    monthly: Decimal
    one_time: Decimal
    by_region: dict[str, Cost]  # by programmatic region name, in the order given
    replicas: int = 0


def what_if(
    size_gb: Decimal | int | float,
    targets: Sequence[Target],
    source_region: str,
    sheet: PriceSheet,
    basis: str | None = None,
) -> Estimate:
    """The monthly storage and one-time egress of one version of `size_gb` (OS + data
    disks) made in `source_region` and replicated to `targets` (the source region among
    them, SIG-SOURCE-REGION). Fast and without the catalog: for a calculator that
    updates as the user types; bad input raises CatalogError naming the field."""
    chosen = check_basis(basis, sheet)
    size = _size(size_gb)
    source = get_region(source_region, field="source_region")
    by_region: dict[str, Cost] = {}
    for region_name, replicas, storage in targets:
        region = get_region(region_name, field="target_regions")
        if region.name in by_region:
            raise CatalogError(
                "SIG-REPLICAS",
                f"{region.display_name} is listed twice; a region appears once per version",
                field="target_regions",
            )
        check_replica_count(replicas, "target_regions")
        by_region[region.name] = priced_group(
            sheet, chosen, size, storage, region.name, source.name, replicas
        )
    if source.name not in by_region:
        raise CatalogError(
            "SIG-SOURCE-REGION",
            f"the source region {source.display_name} must be one of the target regions",
            field="target_regions",
        )
    total = sum(by_region.values(), Cost())
    return Estimate(
        sheet.currency,
        chosen,
        total.monthly_storage,
        total.one_time_egress,
        by_region,
        total.replicas,
    )


def _size(size_gb: Decimal | int | float) -> Decimal:
    try:
        size = Decimal(str(size_gb))
    except ArithmeticError:
        size = Decimal("NaN")
    if isinstance(size_gb, bool) or not size.is_finite() or size <= 0:
        raise CatalogError(
            "SIG-INPUT",
            f"the version's size must be a positive number of GB, not {size_gb!r}",
            field="size_gb",
        )
    return size


# --- scopes ------------------------------------------------------------------------------

CATALOG_LEVEL = "catalog"
REGION_LEVEL = "region"
LEVELS = (CATALOG_LEVEL, REGION_LEVEL, SUBSCRIPTION, GALLERY, DEFINITION, VERSION)


@dataclass(frozen=True)
class Scope:
    """What a cost covers: the whole catalog, or a tenant, subscription, resource group,
    gallery, definition or version by its key (the kinds of `browse.NodeRef`)."""

    kind: str = CATALOG_LEVEL
    pk: int | None = None


CATALOG = Scope()

_SCOPE_OF_ROW: dict[type[Resource], str] = {
    Subscription: SUBSCRIPTION,
    ResourceGroup: GROUP,
    Gallery: GALLERY,
    ImageDefinition: DEFINITION,
    ImageVersion: VERSION,
}


def scope_of(db: Session, arm_id: str | None) -> Scope:
    """The scope an ARM id names (None: the whole catalog)."""
    if not arm_id:
        return CATALOG
    row = lookup.resolve(db, arm_id)
    kind = _SCOPE_OF_ROW.get(type(row))
    if kind is None:
        raise CatalogError(
            "SIG-INPUT",
            f"{arm_id!r} is not a scope for costs (a subscription, resource group, gallery, "
            "image definition or image version)",
            field="scope",
        )
    return Scope(kind, row.pk)


def scope_clause(scope: Scope, *, definitions: bool = False) -> sa.ColumnElement[bool]:
    """The WHERE clause of a scope, over versions joined with their definition, gallery
    and subscription (or, with `definitions`, over definitions joined likewise)."""
    if scope.kind == CATALOG_LEVEL:
        return sa.true()
    columns: dict[str, Any] = {
        TENANT: Subscription.tenant_pk,
        SUBSCRIPTION: ImageDefinition.subscription_pk,
        GROUP: Gallery.resource_group_pk,
        GALLERY: ImageDefinition.gallery_pk,
        DEFINITION: ImageDefinition.pk,
        VERSION: ImageVersion.pk,
    }
    if scope.kind not in columns:
        raise CatalogError("SIG-INPUT", f"unknown cost scope {scope.kind!r}", field="scope")
    if definitions and scope.kind == VERSION:
        return sa.false()  # a version holds no definition
    return col(columns[scope.kind]) == scope.pk


# --- rollups (SQL aggregates) ----------------------------------------------------------------

# The key a level groups by, from the nearest table to the target regions.
_LEVEL_KEYS: dict[str, Mapped[int]] = {
    SUBSCRIPTION: col(ImageVersion.subscription_pk),
    GALLERY: col(ImageDefinition.gallery_pk),
    DEFINITION: col(ImageVersion.definition_pk),
    VERSION: col(TargetRegion.version_pk),
}

# The names a level's ARM id is made of, by its key.
_LEVEL_NAMES: dict[str, tuple[Any, ...]] = {
    SUBSCRIPTION: (Subscription.pk, Subscription.subscription_id),
    GALLERY: (Gallery.pk, Subscription.subscription_id, ResourceGroup.name, Gallery.name),
    DEFINITION: (
        ImageDefinition.pk,
        Subscription.subscription_id,
        ResourceGroup.name,
        Gallery.name,
        ImageDefinition.name,
    ),
    VERSION: (
        ImageVersion.pk,
        Subscription.subscription_id,
        ResourceGroup.name,
        Gallery.name,
        ImageDefinition.name,
        ImageVersion.name,
    ),
}

_ID_OF_NAMES: dict[str, Callable[..., str]] = {
    SUBSCRIPTION: ids.subscription_id,
    GALLERY: ids.gallery_id,
    DEFINITION: ids.definition_id,
    VERSION: ids.version_id,
}

NAMES_BY_KEYS = 1000  # more keys than this are named from the whole level's table


@dataclass(frozen=True)
class CostLine:
    """The cost of one thing at a level: a version, definition, gallery, subscription
    (`pk` and its ARM id as `key`), a region (`key` its programmatic name) or the catalog."""

    level: str
    key: str
    pk: int | None
    cost: Cost


def _grouped(
    db: Session, level: str, scope: Scope, where: Sequence[sa.ColumnElement[bool]]
) -> Iterable[Any]:
    """Target regions grouped by (level's key, size, storage, region, source region), with
    SUM(replicas) and COUNT(regions): one statement, its rows streamed (a catalog at the
    limits has hundreds of thousands at the version level). Keys, not names: grouping
    900,000 rows by strings costs seconds; the keys are named afterwards."""
    key = [_LEVEL_KEYS[level]] if level in _LEVEL_KEYS else []
    shape = [
        col(TargetRegion.size_gb),
        col(TargetRegion.storage_account_type),
        col(TargetRegion.region),
        col(TargetRegion.source_region),
    ]
    statement = sa.select(*key, *shape, func.sum(TargetRegion.replica_count), func.count())
    statement = _narrowed(statement.select_from(TargetRegion), level, scope, where)
    return db.execute(statement.group_by(*key, *shape))


def _narrowed(
    statement: Any, level: str, scope: Scope, where: Sequence[sa.ColumnElement[bool]]
) -> Any:
    """A statement over the target regions, joined with what `level`'s key, the scope and
    `where` name, and narrowed to them."""
    whole = scope == CATALOG and not where
    if not whole or level in (SUBSCRIPTION, GALLERY, DEFINITION):
        statement = statement.join(
            ImageVersion, col(ImageVersion.pk) == col(TargetRegion.version_pk)
        )
    if not whole or level == GALLERY:
        statement = statement.join(
            ImageDefinition, col(ImageDefinition.pk) == col(ImageVersion.definition_pk)
        )
    if not whole:  # the scope's clause names these
        statement = (
            statement.join(Gallery, col(Gallery.pk) == col(ImageDefinition.gallery_pk))
            .join(ResourceGroup, col(ResourceGroup.pk) == col(Gallery.resource_group_pk))
            .join(Subscription, col(Subscription.pk) == col(ImageVersion.subscription_pk))
        )
    return statement.where(scope_clause(scope), *where)


def _names(db: Session, level: str, keys: Iterable[int]) -> dict[int, str]:
    """The ARM ids of a level's rows, by key."""
    wanted = sorted(keys)
    columns = _LEVEL_NAMES[level]
    statement = select(*columns).select_from(columns[0].class_)
    if level == VERSION:
        statement = statement.join(
            ImageDefinition, col(ImageDefinition.pk) == col(ImageVersion.definition_pk)
        )
    if level in (VERSION, DEFINITION):
        statement = statement.join(Gallery, col(Gallery.pk) == col(ImageDefinition.gallery_pk))
    if level != SUBSCRIPTION:
        statement = statement.join(
            ResourceGroup, col(ResourceGroup.pk) == col(Gallery.resource_group_pk)
        ).join(Subscription, col(Subscription.pk) == col(Gallery.subscription_pk))
    if not wanted:
        return {}
    if len(wanted) <= NAMES_BY_KEYS:  # else one read of the whole level
        statement = statement.where(col(columns[0]).in_(wanted))
    return {pk: _ID_OF_NAMES[level](*parts) for pk, *parts in db.exec(statement)}


def rollup(
    db: Session,
    sheet: PriceSheet,
    level: str,
    scope: Scope = CATALOG,
    basis: str | None = None,
    *,
    where: Sequence[sa.ColumnElement[bool]] = (),
) -> list[CostLine]:
    """The cost of everything in `scope`, at `level` (catalog, region, subscription,
    gallery, definition, version), largest monthly storage first. One aggregate query
    (and one naming its keys); `where` narrows the versions counted (catalog code only)."""
    if level not in LEVELS:
        raise CatalogError(
            "SIG-INPUT", f"unknown cost level {level!r} (one of {', '.join(LEVELS)})"
        )
    chosen = check_basis(basis, sheet)
    keyed = level in _LEVEL_KEYS
    totals: dict[Any, Cost] = {}
    prices: dict[tuple[Any, ...], Cost] = {}  # groups alike are priced once
    for row in _grouped(db, level, scope, where):
        shape = tuple(row[1:] if keyed else row)
        cost = prices.get(shape)
        if cost is None:
            size, storage, region, source, replicas, regions = shape
            cost = priced_group(
                sheet, chosen, size, storage, region, source, int(replicas), regions
            )
            prices[shape] = cost
        key = row[0] if keyed else (shape[2] if level == REGION_LEVEL else "")
        found = totals.get(key)
        totals[key] = cost if found is None else found + cost
    if level == CATALOG_LEVEL and not totals:
        totals[""] = Cost()
    if keyed:
        names = _names(db, level, totals)
        lines = [CostLine(level, names[pk], pk, cost) for pk, cost in totals.items()]
    else:
        lines = [CostLine(level, key, None, cost) for key, cost in totals.items()]
    return sorted(lines, key=lambda line: (-line.cost.monthly_storage, line.key))


def total(db: Session, sheet: PriceSheet, scope: Scope = CATALOG, basis: str | None = None) -> Cost:
    """The whole cost of a scope."""
    return rollup(db, sheet, CATALOG_LEVEL, scope, basis)[0].cost


# Float sums in SQL may differ from exact ones by a few units in the last place: the
# ranking keeps everything within this fraction of the last place, costed exactly after.
RANKING_MARGIN = 1e-9
RANKED_SPARE = 2  # the ranking reads this many times `limit` rows, ties past the last place


@dataclass(frozen=True)
class Ranking:
    """The costliest things at a level, most monthly storage first (as `rollup` orders
    them), and how many things with a cost the level has in the scope."""

    lines: list[CostLine]
    count: int


def costliest(
    db: Session,
    sheet: PriceSheet,
    level: str,
    limit: int,
    scope: Scope = CATALOG,
    basis: str | None = None,
) -> Ranking:
    """The `limit` costliest subscriptions, galleries, definitions or versions of a scope.

    A catalog at Azure's limits holds 300,000 versions: costing each exactly takes seconds.
    One SQL aggregate ranks them instead, with replica prices as floats; the things within
    a hair of the last place are then costed exactly by `rollup`, so the figures and the
    order of ties are the ones it gives."""
    chosen = check_basis(basis, sheet)
    if level not in _LEVEL_KEYS:
        raise CatalogError(
            "SIG-INPUT", f"cannot rank costs by {level!r} (one of {', '.join(_LEVEL_KEYS)})"
        )
    if limit < 1:
        return Ranking([], 0)
    ranked = _ranked(db, sheet, chosen, level, scope)
    if ranked is None:
        return Ranking([], 0)
    read = limit * RANKED_SPARE
    rows = db.exec(
        select(ranked.c.key, ranked.c.monthly, func.count().over())
        .order_by(ranked.c.monthly.desc())
        .limit(read)
    ).all()
    if not rows:
        return Ranking([], 0)
    floor = rows[min(limit, len(rows)) - 1][1] * (1 - RANKING_MARGIN)
    key = _LEVEL_KEYS[level]
    if len(rows) == read and rows[-1][1] >= floor:  # ties past what was read: all of them
        candidates: Any = select(ranked.c.key).where(ranked.c.monthly >= floor)
    else:
        candidates = [row[0] for row in rows if row[1] >= floor]
    lines = rollup(db, sheet, level, scope, chosen, where=[key.in_(candidates)])
    return Ranking(lines[:limit], int(rows[0][2]))


def _ranked(db: Session, sheet: PriceSheet, basis: str, level: str, scope: Scope) -> Any:
    """A subquery: each key of `level` in the scope (`key`) and its monthly storage as a
    float (`monthly`), summed per version first; None when no version has a target
    region."""
    price = _replica_price_case(db, sheet, basis)
    if price is None:
        return None
    version_key = col(TargetRegion.version_pk)
    monthly = func.sum(price * col(TargetRegion.replica_count))
    by_version = _narrowed(
        select(version_key.label("key"), monthly.label("monthly")).select_from(TargetRegion),
        VERSION,
        scope,
        (),
    ).group_by(version_key)
    if level == VERSION:
        return by_version.subquery("ranked")
    versions = by_version.subquery("by_version")
    key = _LEVEL_KEYS[level]
    # Mapped.label is typed Label[Never] (SQLAlchemy's stubs): say what the rows hold
    statement: Select[int, Any] = select(
        key.label("key"), func.sum(versions.c.monthly).label("monthly")
    )
    statement = statement.select_from(versions).join(
        ImageVersion, col(ImageVersion.pk) == versions.c.key
    )
    if level == GALLERY:
        statement = statement.join(
            ImageDefinition, col(ImageDefinition.pk) == col(ImageVersion.definition_pk)
        )
    return statement.group_by(key).subquery("ranked")


def _replica_price_case(db: Session, sheet: PriceSheet, basis: str) -> Any:
    """A replica's monthly price as a float SQL expression over a target region's storage
    type and size: one CASE branch per storage type and price, naming the sizes the
    catalog holds. None when the catalog has no target regions."""
    pairs = db.exec(
        select(col(TargetRegion.storage_account_type), col(TargetRegion.size_gb)).distinct()
    ).all()
    if not pairs:
        return None
    sizes: dict[tuple[str, float], list[int]] = {}
    for storage, size in pairs:
        price = float(replica_price(sheet, size, storage, basis))
        sizes.setdefault((storage, price), []).append(size)
    storage_type, size_gb = col(TargetRegion.storage_account_type), col(TargetRegion.size_gb)
    return sa.case(
        *(
            ((storage_type == storage) & size_gb.in_(sorted(held)), price)
            for (storage, price), held in sizes.items()
        ),
        else_=0.0,
    )


@dataclass(frozen=True)
class CostReport:
    """Every rollup of a scope, for the cost screen and `sigtui cost`."""

    currency: str
    basis: str
    sheet: PriceSheet
    scope: Scope
    total: Cost
    by_region: dict[str, Cost] = field(default_factory=dict)
    by_version: dict[str, Cost] = field(default_factory=dict)
    by_definition: dict[str, Cost] = field(default_factory=dict)
    by_gallery: dict[str, Cost] = field(default_factory=dict)
    by_subscription: dict[str, Cost] = field(default_factory=dict)


def cost_report(
    db: Session, sheet: PriceSheet, scope: Scope = CATALOG, basis: str | None = None
) -> CostReport:
    """Totals and rollups by region, version, definition, gallery and subscription of a
    scope: one aggregate query per level."""
    chosen = check_basis(basis, sheet)

    def by(level: str) -> dict[str, Cost]:
        return {line.key: line.cost for line in rollup(db, sheet, level, scope, chosen)}

    by_region = by(REGION_LEVEL)
    return CostReport(
        currency=sheet.currency,
        basis=chosen,
        sheet=sheet,
        scope=scope,
        total=sum(by_region.values(), Cost()),
        by_region=by_region,
        by_version=by(VERSION),
        by_definition=by(DEFINITION),
        by_gallery=by(GALLERY),
        by_subscription=by(SUBSCRIPTION),
    )


@dataclass(frozen=True)
class CostOverview:
    """What the cost screen shows of the whole catalog: the total and every region, and
    only the costliest galleries and versions (a catalog may hold 300,000 versions)."""

    currency: str
    basis: str
    sheet: PriceSheet
    total: Cost
    by_region: dict[str, Cost]
    galleries: Ranking
    versions: Ranking


def cost_overview(
    db: Session, sheet: PriceSheet, *, galleries: int, versions: int, basis: str | None = None
) -> CostOverview:
    """The whole catalog's cost by region, with its `galleries` and `versions` costliest."""
    chosen = check_basis(basis, sheet)
    by_region = {line.key: line.cost for line in rollup(db, sheet, REGION_LEVEL, basis=chosen)}
    return CostOverview(
        currency=sheet.currency,
        basis=chosen,
        sheet=sheet,
        total=sum(by_region.values(), Cost()),
        by_region=by_region,
        galleries=costliest(db, sheet, GALLERY, galleries, basis=chosen),
        versions=costliest(db, sheet, VERSION, versions, basis=chosen),
    )
