"""The command line (DESIGN.md section 4): `sigtui` opens the app; subcommands mirror az."""

from __future__ import annotations

from sigtui.cli.app import cli

__all__ = ["cli", "main"]


def main() -> None:
    """The `sigtui` console script."""
    cli.main(prog_name="sigtui")
