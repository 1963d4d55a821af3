"""What every command shares: the catalog it opens (lazily, once) and the output format."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import sqlalchemy as sa

from sigtui.catalog.store.clock import SYSTEM_CLOCK, Clock
from sigtui.catalog.store.db import Catalog, open_catalog, resolve_url
from sigtui.safe_text import visible

if TYPE_CHECKING:
    from jmespath.parser import ParsedResult

    from sigtui.catalog.rules import access


@dataclass
class CliState:
    """Options gathered from the root group and the subcommand, and the open catalog.

    Tests may pass one as `obj` (e.g. with a FixedClock); click makes one otherwise."""

    db: str | None = None
    no_seed: bool = False
    readonly: bool = False
    output: str | None = None
    acting_as: str | None = None  # --as: a principal's name or object id (SIG-ACCESS)
    query: ParsedResult | None = None  # --query: a compiled JMESPath expression
    only_show_errors: bool = False  # --only-show-errors: no warnings on stderr
    debug: bool = False  # --debug: the (masked) traceback of an unexpected error
    no_wait: bool = False  # --no-wait: as az, print no result (the change is made all the same)
    clock: Clock = SYSTEM_CLOCK
    _catalog: Catalog | None = field(default=None, repr=False)
    _viewer: access.Visibility | None = field(default=None, repr=False)

    def catalog(self, *, writes: bool = False, seed_default: bool = True) -> Catalog:
        """The catalog of --db / SIGTUI_DB / the default file.

        A command that `writes` creates the catalog or brings its schema to head; one that
        only reads opens it without writing a byte, and is refused a catalog whose schema
        is behind. The default file gets the demo seed on its first use (unless
        --no-seed or --readonly); a catalog named by --db or SIGTUI_DB starts empty."""
        if self._catalog is None:
            url, is_default = resolve_url(self.db)
            first_use = is_default and not self.readonly and not _exists(url)
            catalog = open_catalog(
                url,
                clock=self.clock,
                readonly=self.readonly,
                private=is_default,
                migrate=writes or first_use,
            )
            self._catalog = catalog
            if first_use and catalog.is_new and seed_default and not self.no_seed:
                _seed_first_use(catalog)
            if self.acting_as:
                from sigtui.catalog.rules import access  # only --as needs it

                with catalog.read() as db:
                    self._viewer = access.visibility(db, self.acting_as)
                catalog.acting_as = self._viewer.principal_pk
        return self._catalog

    def viewer(self) -> access.Visibility | None:
        """What the --as principal sees (None without --as: everything)."""
        self.catalog()
        return self._viewer

    def close(self) -> None:
        if self._catalog is not None:
            self._catalog.close()
            self._catalog = None


def _exists(url: str) -> bool:
    """Whether the default catalog's file is there (it is always a SQLite file)."""
    database = sa.make_url(url).database
    return bool(database) and Path(str(database)).exists()


def _seed_first_use(catalog: Catalog) -> None:
    from sigtui.catalog.services.seed import load_demo

    result = load_demo(catalog)
    if not state_of(click.get_current_context()).only_show_errors:
        click.echo(visible(f"First use of {catalog.display_name}: {result.summary()}"), err=True)


class CommandFailed(click.ClickException):
    """A failure that no rule code names (a missing part of the build): exit 1."""

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {visible(self.format_message())}", err=True)


def state_of(ctx: click.Context) -> CliState:
    return ctx.ensure_object(CliState)


def current_state() -> CliState:
    return state_of(click.get_current_context())
