"""Options shared by many commands, az's multi-value options, and parsing helpers."""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import Any, TypeVar, cast

import click

from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.rules import checks
from sigtui.cli import formats
from sigtui.cli.context import state_of

F = TypeVar("F", bound=Callable[..., Any])

# Options that take several values after one flag, as in az (`--tags a=b c=d`).
MULTI_VALUE_OPTIONS = frozenset(
    {
        "--tags",
        "--allow-region",
        "--data-disk-sizes-gb",
        "--data-snapshots",
        "--data-snapshot-luns",
        "--data-vhds-uris",
        "--data-vhds-luns",
        "--data-vhds-storage-accounts",
        "--data-vhds-sa",
        "--target-regions",
        "--add-target-regions",
        "--remove-target-regions",
        "--disallowed-disk-types",
        "--set",
    }
)

# az's generic update arguments: each `--add PATH VALUE...` / `--remove PATH [INDEX]` is
# one action, its words kept together (joined by GROUP_SEPARATOR, which no argv holds)
GROUPED_OPTIONS = frozenset({"--add", "--remove"})
GROUP_SEPARATOR = "\x00"

_NEGATIVE_NUMBER = re.compile(r"^-\d+$")


def _is_value(token: str) -> bool:
    return not token.startswith("-") or bool(_NEGATIVE_NUMBER.match(token))


def expand_multi_values(argv: Sequence[str]) -> list[str]:
    """`--opt a b c` -> `--opt a --opt b --opt c` for the known multi-value options,
    up to the next token that starts with `-` (click has no variadic options); the words
    of a grouped option (`--add a b c`) become one value."""
    expanded: list[str] = []
    current: str | None = None  # the multi-value option whose values are being read
    seen_value = False
    tokens = _group_words(argv)
    for index, token in enumerate(tokens):
        if token == "--":
            expanded.extend(tokens[index:])
            break
        name, has_inline, inline = token.partition("=")
        if name in MULTI_VALUE_OPTIONS:
            current, seen_value = name, has_inline == "="
            expanded += [name, inline] if seen_value else [name]
        elif current is not None and _is_value(token):
            expanded += [current, token] if seen_value else [token]
            seen_value = True
        else:
            current = None
            expanded.append(token)
    return expanded


def _group_words(argv: Sequence[str]) -> list[str]:
    """`--add a b --x` -> `--add`, `a<SEP>b`, `--x` for the grouped options."""
    tokens: list[str] = []
    words: list[str] | None = None  # the words of the grouped option being read
    for index, token in enumerate(argv):
        if token == "--":
            return tokens + list(argv[index:])
        if words is not None and _is_value(token):
            if words:
                tokens.pop()
            words.append(token)
            tokens.append(GROUP_SEPARATOR.join(words))
            continue
        words = [] if token in GROUPED_OPTIONS else None
        tokens.append(token)
    return tokens


def grouped_words(value: str) -> list[str]:
    """The words of one `--add`/`--remove` (see `expand_multi_values`)."""
    return value.split(GROUP_SEPARATOR)


# --- options every command takes ----------------------------------------------------------


def _store_db(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        state_of(ctx).db = value


def _store_output(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        state_of(ctx).output = value.lower()


def _store_query(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is None:
        return
    try:
        state_of(ctx).query = formats.compile_query(value)
    except ValueError as exc:  # bad usage, as az (argparse) says it: exit 2
        raise click.UsageError(f"--query: {exc}", ctx=ctx) from None


def _store_flag(name: str) -> Callable[[click.Context, click.Parameter, bool], None]:
    def store(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
        if value:
            setattr(state_of(ctx), name, True)

    return store


def az_global_options(command: F) -> F:
    """az's global arguments: `-o/--output`, `--query`, `--only-show-errors`, `--debug`."""
    command = click.option(
        "--debug",
        is_flag=True,
        expose_value=False,
        callback=_store_flag("debug"),
        help="Show the traceback of an unexpected error (passwords masked).",
    )(command)
    command = click.option(
        "--only-show-errors",
        is_flag=True,
        expose_value=False,
        callback=_store_flag("only_show_errors"),
        help="Show errors only, no warnings.",
    )(command)
    command = click.option(
        "--query",
        metavar="JMESPATH",
        expose_value=False,
        callback=_store_query,
        help="JMESPath query applied to the result before output (see https://jmespath.org).",
    )(command)
    return click.option(
        "-o",
        "--output",
        type=click.Choice(formats.FORMATS, case_sensitive=False),
        expose_value=False,
        callback=_store_output,
        help="Output format: json (as az prints it), jsonc, table, tsv, yaml, yamlc or none.",
    )(command)


def _store_acting_as(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        state_of(ctx).acting_as = value


def as_option(command: F) -> F:
    return click.option(
        "--as",
        "acting_as",
        metavar="PRINCIPAL",
        expose_value=False,
        callback=_store_acting_as,
        help="Act as this principal (name or object id): lists and shows only what its "
        "roles reach, and writes its roles do not allow are refused (SIG-ACCESS).",
    )(command)


def common_options(command: F) -> F:
    """`--db URL` (also accepted before the subcommand), `--as PRINCIPAL` and az's global
    arguments (`-o`, `--query`, `--only-show-errors`, `--debug`)."""
    command = as_option(command)
    command = click.option(
        "--db",
        metavar="URL",
        expose_value=False,
        callback=_store_db,
        help="Catalog database URL or SQLite file (default: $SIGTUI_DB, else the user's file).",
    )(command)
    return az_global_options(command)


def subscription_option(command: F) -> F:
    return click.option("--subscription", metavar="NAME_OR_ID", help="Subscription name or id.")(
        command
    )


def group_option(*, required: bool = False) -> Callable[[F], F]:
    return click.option(
        "-g", "--resource-group", "group", metavar="RG", required=required, help="Resource group."
    )


def ids_option(command: F) -> F:
    return click.option("--ids", metavar="ARM_ID", help="The resource's ARM id, instead of names.")(
        command
    )


def tags_option(command: F) -> F:
    return click.option(
        "--tags",
        multiple=True,
        metavar="KEY[=VALUE]...",
        help='Space-separated tags (a key alone: an empty value); "" clears them.',
    )(command)


def if_match_option(command: F) -> F:
    return click.option(
        "--if-match",
        metavar="ETAG",
        help="Change only if the resource's etag is still this one (else SIG-CONFLICT).",
    )(command)


def yes_option(command: F) -> F:
    return click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")(command)


def accepted_yes_option(command: F) -> F:
    """az's `--yes` on a delete that never asks: accepted, and ignored."""
    return click.option(
        "-y", "--yes", is_flag=True, expose_value=False, help="Accepted and ignored (no question)."
    )(command)


def no_wait_option(command: F) -> F:
    """az's `--no-wait` on a long operation: the change is made, no result is printed."""
    return click.option(
        "--no-wait",
        is_flag=True,
        expose_value=False,
        callback=_store_flag("no_wait"),
        help="Do not wait for the result (as az: nothing is printed).",
    )(command)


# --- parsing ----------------------------------------------------------------------------


def parse_tags(values: Sequence[str]) -> dict[str, str] | None:
    """`("a=b", "c=d")` -> `{"a": "b", "c": "d"}`; nothing given -> None; `""` -> `{}`."""
    if not values:
        return None
    tags: dict[str, str] = {}
    for value in values:
        if not value:
            continue
        key, _, text = value.partition("=")
        tags[key] = text
    return tags


_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}


def parse_bool(value: str | None, what: str) -> bool | None:
    if value is None:
        return None
    text = value.strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise CatalogError("SIG-INPUT", f"{what} must be true or false, not {value!r}", field=what)


def parse_eol(value: str | None) -> Any:
    """`--end-of-life-date` as a date-time: a time of day given is kept, a date alone is
    12:59:59 UTC of that day, as az sends it (SIG-INPUT when it is neither)."""
    return checks.parse_date(value) if value is not None else None


def usage_error(message: str) -> click.UsageError:
    return click.UsageError(message, ctx=click.get_current_context(silent=True))


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


def confirm_delete(what: str, yes: bool) -> None:
    """Ask on a terminal; without one, refuse unless --yes (a script must say so)."""
    if yes:
        return
    if not stdin_is_terminal():
        raise usage_error(f"deleting {what} needs confirmation: pass --yes (no terminal to ask)")
    click.confirm(f"Are you sure you want to delete {what}?", abort=True)


# --- gallery resources: -r, -i, -e ----------------------------------------------------------


def gallery_name_option(*, required: bool = False) -> Callable[[F], F]:
    return click.option(
        "-r", "--gallery-name", "gallery", metavar="NAME", required=required, help="Gallery."
    )


def definition_name_option(*, required: bool = False) -> Callable[[F], F]:
    return click.option(
        "-i",
        "--gallery-image-definition",
        "definition",
        metavar="NAME",
        required=required,
        help="Image definition.",
    )


def version_name_option(*, required: bool = False) -> Callable[[F], F]:
    return click.option(
        "-e",
        "--gallery-image-version",
        "version",
        metavar="MAJOR.MINOR.PATCH",
        required=required,
        help="Image version (`latest` on show, update and delete).",
    )


def location_option(command: F) -> F:
    return click.option(
        "-l", "--location", help="Region (default: the resource group's location)."
    )(command)


def generic_update_options(command: F) -> F:
    """az's generic update arguments beside `--set`: `--add PATH VALUE...` and
    `--remove PATH [INDEX]`, each as many times as wanted (words grouped per use)."""
    command = click.option(
        "--remove",
        "removes",
        multiple=True,
        metavar="PATH [INDEX]",
        help="Remove a property or a list item (e.g. --remove tags.env, "
        "--remove publishingProfile.targetRegions 1).",
    )(command)
    return click.option(
        "--add",
        "adds",
        multiple=True,
        metavar="PATH KEY=VALUE...",
        help="Add an item to a list (e.g. --add publishingProfile.targetRegions "
        "name=westus regionalReplicaCount=2).",
    )(command)


def set_option(command: F) -> F:
    return click.option(
        "--set",
        "sets",
        multiple=True,
        metavar="PATH=VALUE...",
        help="Set properties by their JSON path, as az's generic update "
        "(e.g. --set description=x tags.env=prod).",
    )(command)


def eol_option(command: F) -> F:
    return click.option(
        "--end-of-life-date",
        metavar="DATE[THH:MM:SSZ]",
        help="End-of-life date-time, in the future (a date alone: 12:59:59 UTC that day).",
    )(command)


# --- bundles ------------------------------------------------------------------------------


def stack(*decorators: Callable[[Any], Any]) -> Callable[[F], F]:
    """Several decorators as one, listed in the order they would be written."""

    def apply(command: F) -> F:
        for decorator in reversed(decorators):
            command = decorator(command)
        return command

    return apply


@dataclass(frozen=True)
class Names:
    """What the user named: by names (`-g -r -i -e`, `-n`) or by `--ids`."""

    subscription: str | None = None
    group: str | None = None
    gallery: str | None = None
    definition: str | None = None
    version: str | None = None
    name: str | None = None  # a managed image or snapshot
    ids: str | None = None


_NAME_FIELDS = tuple(field.name for field in fields(Names))


def names_param(command: F) -> F:
    """Hand the command the resource options it was given (`--subscription`, `-g`, `-r`,
    `-i`, `-e`, `-n`, `--ids`) as one `names: Names`; written below those options."""

    @functools.wraps(command)
    def run(**params: Any) -> Any:
        given = {key: params.pop(key) for key in _NAME_FIELDS if key in params}
        return command(names=Names(**given), **params)

    return cast(F, run)


# the names of one existing resource, as `show`, `update` and `delete` take them (`names`)
gallery_ref_options = stack(
    group_option(), gallery_name_option(), subscription_option, ids_option, names_param
)
definition_ref_options = stack(
    group_option(),
    gallery_name_option(),
    definition_name_option(),
    subscription_option,
    ids_option,
    names_param,
)
version_ref_options = stack(
    group_option(),
    gallery_name_option(),
    definition_name_option(),
    version_name_option(),
    subscription_option,
    ids_option,
    names_param,
)
list_options = stack(group_option(), subscription_option, common_options)
delete_options = stack(if_match_option, accepted_yes_option, no_wait_option, common_options)
update_options = stack(
    tags_option,
    set_option,
    generic_update_options,
    if_match_option,
    no_wait_option,
    common_options,
)
create_options = stack(no_wait_option, common_options)
