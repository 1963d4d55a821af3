"""Printing results as -o and --query ask: az's JSON (sorted keys, two-space indent),
jsonc, yaml, yamlc, tsv, none, or a readable table."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

import click

from sigtui.cli import formats
from sigtui.cli.context import current_state
from sigtui.safe_text import json_text, visible

Json = dict[str, Any]
Column = tuple[str, Callable[[Json], Any]]


def _get(*path: str) -> Callable[[Json], Any]:
    def read(item: Json) -> Any:
        value: Any = item
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        return value

    return read


def _date_only(*path: str) -> Callable[[Json], Any]:
    read = _get(*path)
    return lambda item: (read(item) or "")[:10]


def _targets(item: Json) -> str:
    regions = item.get("publishingProfile", {}).get("targetRegions", [])
    return ", ".join(f"{r['name']}={r['regionalReplicaCount']}" for r in regions)


def _replication(item: Json) -> str:
    status = item.get("replicationStatus")
    return status["aggregatedState"] if status else ""


def _recommended(kind: str) -> Callable[[Json], str]:
    def read(item: Json) -> str:
        low, high = _get("recommended", kind, "min")(item), _get("recommended", kind, "max")(item)
        return "" if low is None and high is None else f"{low or ''}-{high or ''}"

    return read


COLUMNS: dict[str, list[Column]] = {
    "tenant": [("DisplayName", _get("displayName")), ("TenantId", _get("tenantId"))],
    "subscription": [
        ("Name", _get("name")),
        ("SubscriptionId", _get("id")),
        ("TenantId", _get("tenantId")),
        ("CloudName", _get("cloudName")),
        ("AllowlistedRegions", lambda i: ", ".join(i.get("allowlistedRegions", []))),
    ],
    "group": [
        ("Name", _get("name")),
        ("Location", _get("location")),
        ("Status", _get("properties", "provisioningState")),
    ],
    "image": [
        ("Name", _get("name")),
        ("ResourceGroup", _get("resourceGroup")),
        ("Location", _get("location")),
        ("OsType", _get("storageProfile", "osDisk", "osType")),
        ("OsDiskSizeGb", _get("storageProfile", "osDisk", "diskSizeGb")),
        ("DataDisks", lambda i: len(i["storageProfile"]["dataDisks"])),
    ],
    "snapshot": [
        ("Name", _get("name")),
        ("ResourceGroup", _get("resourceGroup")),
        ("Location", _get("location")),
        ("DiskSizeGb", _get("diskSizeGb")),
        ("OsType", _get("osType")),
    ],
    "gallery": [
        ("Name", _get("name")),
        ("ResourceGroup", _get("resourceGroup")),
        ("Location", _get("location")),
        ("Description", _get("description")),
        ("ProvisioningState", _get("provisioningState")),
    ],
    "definition": [
        ("Name", _get("name")),
        ("ResourceGroup", _get("resourceGroup")),
        ("Location", _get("location")),
        ("Publisher", _get("identifier", "publisher")),
        ("Offer", _get("identifier", "offer")),
        ("Sku", _get("identifier", "sku")),
        ("OsType", _get("osType")),
        ("OsState", _get("osState")),
        ("HyperVGeneration", _get("hyperVGeneration")),
        ("vCPUs", _recommended("vCPUs")),
        ("MemoryMb", _recommended("memory")),
        ("EndOfLifeDate", _date_only("endOfLifeDate")),
    ],
    "version": [
        ("Name", _get("name")),
        ("ResourceGroup", _get("resourceGroup")),
        ("Location", _get("location")),
        ("TargetRegions", _targets),
        ("ExcludeFromLatest", _get("publishingProfile", "excludeFromLatest")),
        ("EndOfLifeDate", _date_only("publishingProfile", "endOfLifeDate")),
        ("Replication", _replication),
    ],
    "principal": [
        ("DisplayName", _get("displayName")),
        ("PrincipalType", _get("principalType")),
        ("Tenant", _get("tenantName")),
        ("ObjectId", _get("id")),
    ],
    "role_assignment": [
        ("Principal", _get("principalName")),
        ("Role", _get("roleDefinitionName")),
        ("Allows", lambda i: ", ".join(i["allows"])),
        ("Scope", _get("scope")),
        ("CrossTenant", _get("crossTenant")),
    ],
    "message": [("Result", _get("message"))],
}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, dict | list):
        return visible(json.dumps(value, sort_keys=True, ensure_ascii=False))
    return visible(value)


def render_table(items: Sequence[Json], columns: Sequence[Column]) -> str:
    """az's table layout: a header, a dashed rule, one line per item; empty columns
    (every cell blank) are left out."""
    rows = [[_cell(read(item)) for _, read in columns] for item in items]
    keep = [i for i in range(len(columns)) if any(row[i] for row in rows)] or [0]
    headers = [columns[i][0] for i in keep]
    cells = [[row[i] for i in keep] for row in rows]
    widths = [max(len(h), *(len(r[n]) for r in cells)) for n, h in enumerate(headers)]
    lines = [headers, ["-" * w for w in widths], *cells]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in lines
    )


def to_json(data: Any) -> str:
    return json_text(data, default=str)


def output_format(default: str = "json") -> str:
    """The format asked for with -o/--output, else `default`."""
    return current_state().output or default


def warn(message: str) -> None:
    """`warning: message` on stderr, unless --only-show-errors."""
    if not current_state().only_show_errors:
        click.echo(f"warning: {visible(message)}", err=True)


def print_result(
    data: Any, show_table: Callable[[], None] | None = None, *, default: str = "json"
) -> None:
    """Print a command's result as -o and --query ask (az's global arguments).

    `show_table` prints the command's own table; a query's result, or a command without
    one, gets az's automatic table instead."""
    state = current_state()
    if state.no_wait:  # az returns at once, before the operation's result exists
        return
    output = output_format(default)
    if state.query is not None:
        data = formats.apply_query(state.query, data)
    if output == "none" or (data is None and state.query is not None):
        return  # az prints nothing for a query that finds nothing
    if output in ("json", "jsonc"):
        _echo_document(to_json(data) + "\n", "json", coloured=output == "jsonc")
    elif output in ("yaml", "yamlc"):
        _echo_document(formats.to_yaml(data), "yaml", coloured=output == "yamlc")
    elif output == "tsv":
        shown = data if state.query is not None else formats.plain_json(data)
        click.echo(formats.to_tsv(shown), nl=False)  # a query's objects keep its key order
    elif show_table is not None and state.query is None:
        show_table()
    else:
        rows = formats.auto_table_rows(data)
        columns = list(dict.fromkeys(key for row in rows for key in row))
        if columns:
            click.echo(render_table(rows, [(key, _get(key)) for key in columns]))


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def _echo_document(text: str, language: str, *, coloured: bool) -> None:
    """jsonc and yamlc are coloured on a terminal, as az colours them; piped, plain."""
    if coloured and stdout_is_terminal():
        click.echo(formats.colored(text, language), nl=False, color=True)
    else:
        click.echo(text, nl=False)


def emit(data: Json | list[Json] | None, kind: str, *, default: str = "json") -> None:
    """Print a result in the format asked with -o (json unless told otherwise)."""
    if data is None:
        return
    items = data if isinstance(data, list) else [data]

    def show_table() -> None:
        if items:
            click.echo(render_table(items, COLUMNS[kind]))

    print_result(data, show_table, default=default)


def emit_message(message: str, **details: Any) -> None:
    """A command's plain result (db, seed): text by default, an object with -o json."""

    def show_text() -> None:
        click.echo(visible(message, newlines=True))

    print_result({"message": message, **details}, show_text, default="table")
