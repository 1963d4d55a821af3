"""`sigtui rules`: every rule code an error can name, with what it means.

It needs no catalog: the lines ship with the package (`catalog/model/rule_codes.py`)."""

from __future__ import annotations

import click

from sigtui.catalog.model.rule_codes import rule_lines
from sigtui.cli.options import az_global_options
from sigtui.cli.output import Column, Json, print_result, render_table
from sigtui.safe_text import visible


def rules_json() -> list[Json]:
    return [{"code": code, "meaning": meaning} for code, meaning in rule_lines()]


@click.command("rules")
@az_global_options
def rules_command() -> None:
    """The rule codes of `error: SIG-CODE: message`, one a line, with what each means."""
    rules = rules_json()

    def show_table() -> None:
        columns: list[Column] = [("Code", lambda r: r["code"]), ("Meaning", lambda r: r["meaning"])]
        click.echo(visible(render_table(rules, columns), newlines=True))

    print_result(rules, show_table, default="table")
