"""The palette's "Sync from Azure" (issue #23): refused with one SIG-AZURE line without the
Azure SDKs; else a sync in a worker, against the recorded ARM (tests/azure_recorded.py),
whose result the screen says and the tree then shows."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from sigtui.catalog.azure.sync import run as sync_run
from sigtui.catalog.model import models
from sigtui.catalog.store.db import Catalog
from sigtui.ui.app import SigtuiApp
from sigtui.ui.screens.sync import SyncScreen
from tests.azure_recorded import FAKE_TOKEN, RecordedArm, small_estate
from tests.ui.conftest import TERMINAL
from tests.ui.helpers import settle
from tests.ui.test_main_flows import pilot_test

PROD = "11111111-1111-1111-1111-111111111111"


@pilot_test
async def test_sync_from_the_app_refuses_without_the_sdks_then_syncs(
    app: SigtuiApp, demo_catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    arm = RecordedArm()
    small_estate(arm, PROD, "Prod")
    monkeypatch.setattr(sync_run, "default_connect", lambda credential: arm.connect)
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        with monkeypatch.context() as missing:
            missing.setattr("sigtui.catalog.azure.sync.azure_sdk_missing", lambda: "not installed")
            await app.screen.run_action("sync_azure")
            await settle(pilot)
        assert not isinstance(app.screen, SyncScreen)
        [notice] = app._notifications
        assert (notice.message, notice.severity) == ("SIG-AZURE: not installed", "error")

        await app.screen.run_action("sync_azure")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SyncScreen)
        await pilot.press("ctrl+s")
        await settle(pilot)
        status = str(screen.query_one("#sync-status", Static).render())
        assert f"subscription Prod ({PROD}): 10 created" in status, status
        assert "synced 1 of 1 subscriptions" in status and FAKE_TOKEN not in status
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, SyncScreen)
    with demo_catalog.read() as db:
        synced = db.get(models.Subscription, 1)
        assert synced is not None
    assert arm.authorizations == {f"Bearer {FAKE_TOKEN}"}
