"""The root command: `sigtui` opens the app; its subcommands mirror az (DESIGN.md §4).

Exit codes, as az: 0 success; 1 a rule error (`error: SIG-CODE: message` on stderr; an
unexpected failure is `error: SIG-INTERNAL: ...`, its traceback in the log file, never on
screen); 2 bad usage, said in the same one line (`error: SIG-INPUT: missing option ...;
see ...`), not in click's usage block; 3 the resource a `show` or `update` names does not
exist (`error: SIG-NOT-FOUND: ...`).
"""

from __future__ import annotations

import importlib
import os
import re
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click
import sqlalchemy as sa

from sigtui import crash_report
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.replication import speed
from sigtui.catalog.store import db as catalog_db
from sigtui.cli.context import CliState, state_of
from sigtui.cli.options import as_option, common_options, expand_multi_values
from sigtui.cli.output import emit_message
from sigtui.safe_text import visible

if TYPE_CHECKING:
    from sigtui.catalog.store.downgrade import DowngradePlan

DEBUG_ENV = "SIGTUI_DEBUG"  # set it to see the traceback of an unexpected error

# The subcommands defined in other modules, imported when one is run (or listed, in
# --help): a command's start does not pay for every other command's imports.
LAZY_COMMANDS = {
    "account": "sigtui.cli.accounts:account_group",
    "group": "sigtui.cli.accounts:group_group",
    "image": "sigtui.cli.sources:image_group",
    "snapshot": "sigtui.cli.sources:snapshot_group",
    "sig": "sigtui.cli.sig:sig_group",
    "replication": "sigtui.cli.replication:replication_group",
    "role": "sigtui.cli.roles:role_group",
    "limits": "sigtui.cli.limits:limits_command",
    "rules": "sigtui.cli.rules:rules_command",
    "cost": "sigtui.cli.insights:cost_command",
    "replicas": "sigtui.cli.insights:replicas_group",
    "import": "sigtui.cli.transfer:import_command",
    "export": "sigtui.cli.export:export_group",
    "serve": "sigtui.cli.serve:serve_command",
    "sync": "sigtui.cli.sync:sync_command",
}


class SigtuiGroup(click.Group):
    """The root group: expands az's multi-value options, turns errors into `error: ...`
    lines and exit codes, and imports a subcommand's module only when it is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS and cmd_name not in self.commands:
            module, name = LAZY_COMMANDS[cmd_name].split(":")
            self.add_command(getattr(importlib.import_module(module), name), cmd_name)
        return super().get_command(ctx, cmd_name)

    def main(self, args: Sequence[str] | None = None, *rest: Any, **extra: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        extra.setdefault("prog_name", "sigtui")
        return super().main(expand_multi_values(argv), *rest, **extra)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:  # the root's own options (`--db`, `--replication-speed`, ...) are read here
            return super().make_context(info_name, args, parent, **extra)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.ClickException as exc:
            raise OneLineError.of(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CatalogError as exc:
            _fail(ctx, f"{exc.code}: {exc.message}", getattr(exc, "exit_code", 1))
        except click.exceptions.NoArgsIsHelpError:
            raise  # a group given no command shows its help
        except click.ClickException as exc:  # a subcommand's usage or option value
            raise OneLineError.of(exc) from None
        except click.Abort:  # a question answered no (or end of input)
            raise OneLineError("SIG-INPUT: aborted; nothing changed") from None
        except click.exceptions.Exit:
            raise
        except sa.exc.OperationalError as exc:
            _fail(ctx, f"SIG-DB: cannot use the catalog at {_shown_url(ctx)}: {_first_line(exc)}")
        except Exception as exc:
            if os.environ.get(DEBUG_ENV):
                raise
            if state_of(ctx).debug:  # az's --debug: the traceback, its passwords masked
                trace = "".join(traceback.format_exception(exc))
                click.echo(visible(crash_report.mask(trace, _url(ctx)), newlines=True), err=True)
            _fail(ctx, crash_report.report(exc, _url(ctx)))


class OneLineError(click.ClickException):
    """A click error (bad usage, a bad option value) said as every error is said: one
    line `error: SIG-INPUT: message`, with click's exit code (2 for bad usage)."""

    exit_code = 1

    @classmethod
    def of(cls, exc: click.ClickException) -> OneLineError:
        if isinstance(exc, OneLineError):
            return exc
        # click lays some messages out on lines (a Choice's values): one line here
        text = re.sub(r"\n[\t ]*", " ", exc.format_message().strip()).rstrip(".")
        text = text[:1].lower() + text[1:] if text[1:2].islower() else text
        context = getattr(exc, "ctx", None)
        if isinstance(context, click.Context) and isinstance(exc, click.UsageError):
            text += f"; see `{context.command_path} --help`"
        kind = OneLineUsageError if exc.exit_code == OneLineUsageError.exit_code else cls
        return kind(f"SIG-INPUT: {text}")

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {visible(crash_report.mask(self.message))}", err=True)


class OneLineUsageError(OneLineError):
    exit_code = 2


def _url(ctx: click.Context) -> str | None:
    state = state_of(ctx)
    try:
        return catalog_db.resolve_url(state.db)[0]
    except Exception:  # a malformed --db: mask what was given
        return state.db


def _shown_url(ctx: click.Context) -> str:
    url = _url(ctx) or ""
    try:
        return catalog_db.display_url(url)
    except Exception:
        return crash_report.mask(url)


def _first_line(exc: BaseException) -> str:
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _fail(ctx: click.Context, message: str, exit_code: int = 1) -> NoReturn:
    shown = visible(crash_report.mask(message, _url(ctx)))
    click.echo(f"error: {shown}", err=True)
    ctx.exit(exit_code)


@click.group("sigtui", cls=SigtuiGroup, invoke_without_command=True)
@click.option("--db", metavar="URL", help="Catalog database URL or SQLite file.")
@click.option("--no-seed", is_flag=True, help="Do not load the demo into a new default catalog.")
@click.option("--readonly", is_flag=True, help="Open the catalog read-only.")
@click.option(
    "--prices",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A price sheet (JSON) for the app's costs instead of the built-in one.",
)
@click.option(
    "--replication-speed",
    type=float,
    metavar="X",
    help="Replicate X times faster than real time (demos; default $SIGTUI_REPLICATION_SPEED or 1).",
)
@as_option
@click.version_option(package_name="sigtui", prog_name="sigtui")
@click.pass_context
def cli(
    ctx: click.Context,
    db: str | None,
    no_seed: bool,
    readonly: bool,
    prices: Path | None,
    replication_speed: float | None,
) -> None:
    """sigtui: a terminal dashboard over a catalog of Azure Compute Gallery resources.

    With no command, opens the app. The commands mirror the Azure CLI (az)."""
    state = state_of(ctx)
    state.db = db or state.db
    state.no_seed = no_seed or state.no_seed
    state.readonly = readonly or state.readonly
    speed.set_speed(replication_speed)
    ctx.call_on_close(state.close)
    if ctx.invoked_subcommand is None:
        _open_app(state, prices)


def _open_app(state: CliState, prices: Path | None) -> None:
    from sigtui.catalog.queries.costs.sheet_json import load_sheet

    sheet = load_sheet(prices) if prices else None  # a bad sheet: refused up front
    catalog = state.catalog(writes=True)
    if sheet is not None:
        catalog.extras["prices"] = sheet
    from sigtui.ui.app import run_app  # imported here: Textual is not needed by commands

    failure = run_app(catalog, view_as=state.acting_as)
    if failure is not None:  # already masked; its traceback is in the log file
        _fail(click.get_current_context(), failure)


# --- db ----------------------------------------------------------------------------------


@cli.group("db")
def db_group() -> None:
    """The catalog's schema (migrations)."""


def _engine(state: CliState, *, writes: bool) -> sa.Engine:
    """An engine on the catalog without bringing its schema to head (downgrade, current);
    one that cannot write unless the command `writes`."""
    url, _ = catalog_db.resolve_url(state.db)
    parsed = sa.make_url(url)
    database = parsed.database or ""
    is_file = parsed.get_backend_name() == "sqlite" and database not in ("", ":memory:")
    if is_file and not Path(database).exists():
        raise CatalogError("SIG-NOT-FOUND", f"there is no catalog at {catalog_db.display_url(url)}")
    engine = catalog_db.make_engine(url)
    return engine if writes else catalog_db.make_read_engine(url, engine)


@db_group.command("upgrade")
@common_options
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Bring the catalog's schema to the newest revision."""
    catalog = state_of(ctx).catalog(writes=True)
    revision = catalog_db.current_revision(catalog.read_engine)
    emit_message(f"{catalog.display_name}: schema at {revision} (head)", revision=revision)


@db_group.command("downgrade")
@click.argument("revision")
@click.option("--yes", is_flag=True, help="Do it (without: say what it drops, change nothing).")
@common_options
@click.pass_context
def db_downgrade(ctx: click.Context, revision: str, yes: bool) -> None:
    """Take the catalog's schema back to REVISION (`base`: no schema), dropping the tables
    and columns of the revisions undone, and their rows. Only with --yes, and with --as
    only the catalog's owner (the Owner role at every gallery) may."""
    from sigtui.catalog.store import downgrade as schema

    state = state_of(ctx)
    if state.readonly:
        raise CatalogError("SIG-ACCESS", "the catalog is open read-only (--readonly)")
    engine = _engine(state, writes=True)
    reader = catalog_db.make_read_engine(catalog_db.resolve_url(state.db)[0], engine)
    try:
        plan = schema.plan_downgrade(reader, revision)
        if plan.changes_nothing:
            message = f"{plan.where}: schema at {plan.target_name} already; nothing to drop"
            emit_message(message, revision=plan.current, **plan.as_json())
            return
        if state.acting_as:
            _require_catalog_owner(reader, state.acting_as)
        if not yes:
            _refuse_unconfirmed(plan)
        schema.apply_downgrade(engine, plan)
        done = f"{plan.where}: schema at {plan.target_name} (was {plan.current}); dropped:"
        emit_message("\n".join([done, *plan.lines()]), revision=plan.target, **plan.as_json())
    finally:
        reader.dispose()
        engine.dispose()


def _require_catalog_owner(reader: sa.Engine, principal: str) -> None:
    from sqlmodel import Session

    from sigtui.catalog.rules import access

    with Session(reader) as db:
        access.require_catalog_owner(db, principal, "downgrade the catalog's schema")


def _refuse_unconfirmed(plan: DowngradePlan) -> NoReturn:
    """Say what the downgrade would drop (the output), then refuse it (one error line):
    nothing changes."""
    head = f"downgrading {plan.where} from {plan.current} to {plan.target_name} would drop:"
    for line in [head, *plan.lines()]:
        click.echo(visible(line))
    raise CatalogError("SIG-INPUT", "nothing was changed; add --yes to drop what is listed above")


@db_group.command("current")
@common_options
@click.pass_context
def db_current(ctx: click.Context) -> None:
    """Show the catalog's schema revision."""
    state = state_of(ctx)
    engine = _engine(state, writes=False)
    try:
        revision = catalog_db.current_revision(engine)
    finally:
        engine.dispose()
    _, head = catalog_db.known_revisions()
    suffix = " (head)" if revision == head else f" (head is {head})"
    emit_message(f"{revision or 'none'}{suffix}", revision=revision, head=head)


# --- seed ---------------------------------------------------------------------------------


@cli.command("seed")
@click.option("--reset", is_flag=True, help="Empty the catalog first.")
@common_options
@click.pass_context
def seed(ctx: click.Context, reset: bool) -> None:
    """Load the demo catalog (the source document's examples)."""
    catalog = state_of(ctx).catalog(writes=True, seed_default=False)
    from sigtui.catalog.services import seed as demo_seed

    result = demo_seed.load_demo(catalog, reset=reset)
    emit_message(result.summary(), catalog=catalog.display_name)
