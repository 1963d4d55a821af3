"""Reading a price sheet from JSON: the built-in one (`data/prices.json`) or the user's
file; SIG-INPUT naming the first bad key."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.queries.costs.sheet import (
    BASES,
    BUILT_IN,
    CERTAINTIES,
    CONTINENTS,
    LRS,
    MANAGED_DISK,
    PREMIUM,
    STORAGE_TYPES,
    DiskTier,
    Figure,
    PriceSheet,
)

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
