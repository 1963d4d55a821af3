"""`sigtui` with no command opens the app, on the catalog and price sheet it was given."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sigtui.catalog.store.clock import FixedClock
from sigtui.cli import cli
from sigtui.cli.context import CliState


def _run_app_capturing(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Catalogs the app would have opened; `view_as` kept in the catalog's extras."""
    opened: list[Any] = []

    def run_app(catalog: Any, view_as: str | None = None) -> None:
        catalog.extras["view_as"] = view_as
        opened.append(catalog)

    monkeypatch.setattr("sigtui.ui.app.run_app", run_app)
    return opened


def test_the_app_gets_the_users_price_sheet(
    catalog_url: str, clock: FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = _run_app_capturing(monkeypatch)
    text = resources.files("sigtui.catalog").joinpath("data/prices.json").read_text("utf-8")
    sheet = json.loads(text)
    sheet["source"] = "our negotiated rates"
    mine = tmp_path / "prices.json"
    mine.write_text(json.dumps(sheet), encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["--db", catalog_url, "--prices", str(mine)], obj=CliState(clock=clock)
    )
    assert result.exit_code == 0, result.output
    assert opened[0].extras["prices"].source == "our negotiated rates"


def test_a_bad_price_sheet_is_refused_before_the_app_opens(
    catalog_url: str, clock: FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = _run_app_capturing(monkeypatch)
    bad = tmp_path / "prices.json"
    bad.write_text('{"nope": 1}', encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["--db", catalog_url, "--prices", str(bad)], obj=CliState(clock=clock)
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("error: SIG-INPUT: ")
    assert opened == []


def test_the_app_opens_as_a_principal(
    catalog_url: str, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = _run_app_capturing(monkeypatch)
    invoke = CliRunner().invoke
    assert invoke(cli, ["--db", catalog_url, "seed"], obj=CliState(clock=clock)).exit_code == 0
    result = invoke(cli, ["--db", catalog_url, "--as", "nobody"], obj=CliState(clock=clock))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: SIG-NOT-FOUND: ")
    assert opened == []
    result = invoke(
        cli, ["--db", catalog_url, "--as", "Finance Developers"], obj=CliState(clock=clock)
    )
    assert result.exit_code == 0, result.output
    (catalog,) = opened
    assert catalog.extras["view_as"] == "Finance Developers"
    assert catalog.acting_as is not None  # its writes answer to the principal's roles
