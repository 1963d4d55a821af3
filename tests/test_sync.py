"""`sigtui sync` (issue #23), offline: the Azure SDKs' real HTTP pipeline against recorded
ARM responses shaped as Azure's GalleryRP 2025-03-03 examples (tests/azure_recorded.py),
with a fake credential. The write path runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from azure_recorded import FAKE_TOKEN, FakeCredential, RecordedArm, small_estate
from cli_runner import Sigtui
from sqlmodel import select

from sigtui.catalog.azure.sync import SyncOptions, SyncReport, run_sync
from sigtui.catalog.azure.sync import run as sync_run
from sigtui.catalog.model import models
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.queries import browse
from sigtui.catalog.queries.node_details import origin_fields
from sigtui.catalog.replication import schedule
from sigtui.catalog.store.clock import FixedClock
from sigtui.catalog.store.db import Catalog, open_catalog

PROD = "11111111-1111-1111-1111-111111111111"
TEST = "22222222-2222-2222-2222-222222222222"
ESTATE_ROWS = 10  # small_estate: 2 galleries, 3 definitions, 5 versions


def _sync(catalog: Catalog, arm: RecordedArm, **options: Any) -> SyncReport:
    return run_sync(catalog, SyncOptions(**options), connect=arm.connect)


def _rows(catalog: Catalog, model: type[Any]) -> list[Any]:
    with catalog.read() as db:
        return list(db.exec(select(model)))


def _names(catalog: Catalog, model: type[Any]) -> set[str]:
    return {row.name for row in _rows(catalog, model)}


def _region(catalog: Catalog, version: str, region: str) -> schedule.Status:
    with catalog.read() as db:
        row = db.exec(
            select(models.TargetRegion)
            .join(models.ImageVersion)
            .where(models.ImageVersion.name == version, models.TargetRegion.region == region)
        ).one()
    return schedule.status_at(row, catalog.clock.now())


def test_a_sync_reads_the_estate_once_and_a_second_sync_writes_nothing(
    catalog: Catalog, clock: FixedClock
) -> None:
    arm = RecordedArm()
    small_estate(arm, PROD, "Prod")
    report = _sync(catalog, arm)
    assert [o.summary(False) for o in report.outcomes] == [
        f"subscription Prod ({PROD}): 10 created, 0 updated, 0 unchanged, 0 removed"
    ]
    assert _names(catalog, models.Gallery) == {"gallery1", "gallery2"}
    assert _names(catalog, models.ImageVersion) == {"1.0.0", "1.0.1", "2.0.0", "2.0.1", "3.0.0"}
    [subscription] = _rows(catalog, models.Subscription)
    [tenant] = _rows(catalog, models.Tenant)
    assert (subscription.name, subscription.subscription_id, tenant.name) == (
        "Prod",
        PROD,
        "Contoso",
    )
    for model in (models.Gallery, models.ImageDefinition, models.ImageVersion):
        assert {(r.origin, r.synced_at) for r in _rows(catalog, model)} == {
            (models.AZURE, clock.now())
        }
    # the cost: one list per collection, one expanded GET per version, nothing else
    galleries, definitions, versions = 1, 2, 3
    expanded = [r for r in arm.requests if "$expand=ReplicationStatus" in r]
    assert len(expanded) == 5
    assert len(arm.requests) == 2 + galleries + definitions + versions + len(expanded)
    assert arm.authorizations == {f"Bearer {FAKE_TOKEN}"}

    marker = catalog.change_marker()
    etags = {r.pk: r.etag for r in _rows(catalog, models.ImageVersion)}
    clock.set(clock.now() + timedelta(hours=1))
    again = _sync(catalog, arm)
    assert again.summary() == "synced 1 of 1 subscriptions: nothing changed"
    assert again.outcomes[0].summary(False).endswith(f"nothing changed ({ESTATE_ROWS} unchanged)")
    assert catalog.change_marker() == marker
    assert {r.pk: r.etag for r in _rows(catalog, models.ImageVersion)} == etags


def test_observed_replication_is_azures_and_the_simulator_never_moves_it(
    catalog: Catalog, clock: FixedClock
) -> None:
    arm = RecordedArm()
    sub = small_estate(arm, PROD, "Prod")
    _sync(catalog, arm)
    synced_at = clock.now()
    clock.set(clock.now() + timedelta(days=30))
    assert _region(catalog, "2.0.0", "eastus") == schedule.Status("Replicating", 40, None)
    [version] = [v for v in _rows(catalog, models.ImageVersion) if v.name == "2.0.0"]
    with catalog.read() as db:  # what the details pane shows of it
        shown = origin_fields(db, browse.NodeRef(browse.VERSION, version.pk))
    assert shown == [
        ("Origin", "Azure (observed by sigtui sync)"),
        ("Last synced", synced_at.strftime("%Y-%m-%d %H:%M UTC")),
    ]
    sub.galleries["gallery1"].definitions["def2"].versions["2.0.0"].regions["East US"] = (
        "Replicating",
        70,
    )
    report = _sync(catalog, arm)
    assert (
        report.outcomes[0]
        .summary(False)
        .startswith(f"subscription Prod ({PROD}): 0 created, 1 updated")
    )
    clock.set(clock.now() + timedelta(days=30))
    assert _region(catalog, "2.0.0", "eastus") == schedule.Status("Replicating", 70, None)


def test_what_azure_no_longer_has_goes_only_within_the_scope_synced(catalog: Catalog) -> None:
    arm = RecordedArm()
    sub = small_estate(arm, PROD, "Prod")
    _sync(catalog, arm)
    del sub.galleries["gallery1"].definitions["def1"].versions["1.0.1"]
    del sub.galleries["gallery2"]
    report = _sync(catalog, arm, resource_group="rg1")
    assert report.outcomes[0].written is not None
    assert report.outcomes[0].written.removed == ["version rg1/gallery1/def1/1.0.1"]
    assert _names(catalog, models.Gallery) == {"gallery1", "gallery2"}  # rg2 not synced
    assert "1.0.1" not in _names(catalog, models.ImageVersion)

    report = _sync(catalog, arm)
    assert report.outcomes[0].written is not None
    assert report.outcomes[0].written.removed == [
        "version rg2/gallery2/def3/3.0.0",
        "definition rg2/gallery2/def3",
        "gallery rg2/gallery2",
    ]
    assert _names(catalog, models.Gallery) == {"gallery1"}


def test_a_resource_made_in_sigtui_stays_when_azure_does_not_have_it(sigtui: Sigtui) -> None:
    catalog = open_catalog(sigtui.url, clock=sigtui.clock)
    arm = RecordedArm()
    small_estate(arm, PROD, "Prod")
    _sync(catalog, arm)
    sigtui.ok("sig", "create", "-g", "rg1", "-r", "localgallery", "--subscription", "Prod")
    _sync(catalog, arm)
    assert _names(catalog, models.Gallery) == {"gallery1", "gallery2", "localgallery"}
    [local] = [g for g in _rows(catalog, models.Gallery) if g.name == "localgallery"]
    assert local.origin == models.LOCAL
    with catalog.read() as db:
        assert origin_fields(db, browse.NodeRef(browse.GALLERY, local.pk)) == []
    catalog.close()


def test_a_dry_run_plans_the_same_and_writes_nothing(catalog: Catalog) -> None:
    arm = RecordedArm()
    small_estate(arm, PROD, "Prod")
    marker = catalog.change_marker()
    report = _sync(catalog, arm, dry_run=True)
    assert report.outcomes[0].summary(True) == (
        f"subscription Prod ({PROD}): 10 would be created, 0 would be updated, "
        "0 unchanged, 0 would be removed"
    )
    assert report.summary() == "planned 1 of 1 subscriptions: nothing written (--dry-run)"
    assert catalog.change_marker() == marker
    assert _rows(catalog, models.Subscription) == []


def test_a_403_on_one_subscription_leaves_the_others_syncing(catalog: Catalog) -> None:
    arm = RecordedArm()
    small_estate(arm, PROD, "Prod")
    small_estate(arm, TEST, "Test")
    message = f"The client with object id 'x' does not have authorization; token {FAKE_TOKEN}"
    arm.fail(f"/subscriptions/{TEST}/providers", 403, "AuthorizationFailed", message)
    report = _sync(catalog, arm)
    assert [o.error is None for o in report.outcomes] == [True, False]
    [error] = report.errors()
    assert error.code == "SIG-AZURE"
    assert error.message.startswith(
        f"subscription Test ({TEST}): access denied (403): AuthorizationFailed: The client"
    )
    assert FAKE_TOKEN not in error.message
    assert report.summary() == f"synced 1 of 2 subscriptions; failed: subscription Test ({TEST})"
    assert {s.name for s in _rows(catalog, models.Subscription)} == {"Prod"}


def test_a_subscription_gone_mid_sync_writes_nothing_of_it(catalog: Catalog) -> None:
    arm = RecordedArm()
    small_estate(arm, PROD, "Prod")
    arm.fail(
        "/images/def2/versions/2.0.1",
        404,
        "SubscriptionNotFound",
        f"The subscription '{PROD}' could not be found.",
    )
    report = _sync(catalog, arm)
    [error] = report.errors()
    assert error.message == (
        f"subscription Prod ({PROD}): not found (404): SubscriptionNotFound: "
        f"The subscription '{PROD}' could not be found."
    )
    assert _rows(catalog, models.Gallery) == []  # all or nothing


def test_throttling_and_transient_faults_are_retried_as_the_sdk_does(
    sqlite_catalog: Catalog,
) -> None:
    arm = RecordedArm()
    small_estate(arm, PROD, "Prod")
    arm.fail("/versions/1.0.0", 429, "TooManyRequests", headers={"Retry-After": "7"}, times=2)
    arm.fail("/galleries/gallery1/images\\?", 503, "ServiceUnavailable", times=2)
    report = _sync(sqlite_catalog, arm)
    assert report.errors() == []
    assert arm.sleeps == [7, 7]  # Retry-After honoured (and never slept in a test)
    assert _names(sqlite_catalog, models.ImageVersion) == {
        "1.0.0",
        "1.0.1",
        "2.0.0",
        "2.0.1",
        "3.0.0",
    }


def test_an_authentication_failure_is_one_sig_azure_error_without_the_token(
    sqlite_catalog: Catalog,
) -> None:
    arm = RecordedArm()
    small_estate(arm, PROD, "Prod")
    failing = FakeCredential(fails=f"AzureCliCredential: Please run 'az login'. {FAKE_TOKEN}")
    with pytest.raises(CatalogError) as caught:
        run_sync(sqlite_catalog, SyncOptions(), connect=lambda cloud: arm.connection(failing))
    assert caught.value.code == "SIG-AZURE"
    assert "authentication failed: AzureCliCredential: Please run 'az login'." in str(caught.value)
    assert FAKE_TOKEN not in str(caught.value)
    assert arm.requests == []  # no call went out without a token


# --- the command line -------------------------------------------------------------------


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> RecordedArm:
    """`sigtui sync` served by the recorded ARM (its credential the fake one)."""
    arm = RecordedArm()
    monkeypatch.setattr(sync_run, "default_connect", lambda credential: arm.connect)
    return arm


def test_the_command_syncs_prints_a_summary_and_names_a_refused_subscription(
    new_database: Any, clock: FixedClock, recorded: RecordedArm
) -> None:
    sigtui = Sigtui(new_database("sqlite"), clock)
    small_estate(recorded, PROD, "Prod")
    small_estate(recorded, TEST, "Test")
    recorded.fail(f"/subscriptions/{TEST}/", 403, "AuthorizationFailed", f"no: {FAKE_TOKEN}")

    dry = sigtui("sync", "--dry-run", "--subscription", "Prod", "--credential", "cli")
    assert dry.exit_code == 0, dry.output
    assert dry.stdout.splitlines() == [
        f"subscription Prod ({PROD}): 10 would be created, 0 would be updated, 0 unchanged, "
        "0 would be removed",
        "planned 1 of 1 subscriptions: nothing written (--dry-run)",
    ]
    assert sigtui.ok("sig", "list") == []

    result = sigtui("sync")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == (
        f"synced 1 of 2 subscriptions; failed: subscription Test ({TEST})"
    )
    assert result.stderr.splitlines() == [
        f"error: SIG-AZURE: subscription Test ({TEST}): access denied (403): "
        "AuthorizationFailed: no: ***"
    ]
    assert FAKE_TOKEN not in result.output and "Traceback" not in result.output
    shown = sigtui.ok("sig", "show", "-g", "rg1", "-r", "gallery1", "--subscription", "Prod")
    assert shown["name"] == "gallery1"

    unknown = sigtui("sync", "--subscription", "Nope", "--subscription", "Prod")
    assert unknown.exit_code == 1
    assert unknown.stderr == (
        "error: SIG-AZURE: subscription Nope: not a subscription the credential can see\n"
    )


def test_the_command_refuses_clearly_without_the_azure_extra(
    new_database: Any, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    sigtui = Sigtui(new_database("sqlite"), clock)
    monkeypatch.setattr(sync_run, "azure_sdk_missing", lambda: "the Azure SDKs are not installed")
    result = sigtui("sync")
    assert (result.exit_code, result.stderr) == (
        1,
        "error: SIG-AZURE: the Azure SDKs are not installed\n",
    )


def test_the_endpoint_follows_the_cloud_unless_sigtui_arm_endpoint_overrides_it(
    sqlite_catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    arm = RecordedArm()
    small_estate(arm, PROD, "Prod")
    credential = FakeCredential()
    connect = lambda cloud: arm.connection(credential)  # noqa: E731
    monkeypatch.delenv("SIGTUI_ARM_ENDPOINT", raising=False)
    run_sync(sqlite_catalog, SyncOptions(), connect=connect)
    assert arm.hosts == {"https://management.azure.com"}
    assert set(credential.scopes) == {("https://management.azure.com/.default",)}

    with sqlite_catalog.write() as db:  # the catalog knows Prod is in Azure China
        db.exec(select(models.Subscription)).one().cloud = "AzureChinaCloud"
    arm.hosts.clear()
    run_sync(sqlite_catalog, SyncOptions(("Prod",)), connect=connect)
    assert arm.hosts == {"https://management.chinacloudapi.cn"}
    assert ("https://management.chinacloudapi.cn/.default",) in credential.scopes

    monkeypatch.setenv("SIGTUI_ARM_ENDPOINT", "https://arm.stack.example/")
    arm.hosts.clear()
    run_sync(sqlite_catalog, SyncOptions(), connect=connect)
    assert arm.hosts == {"https://arm.stack.example"}


def test_a_fault_that_outlasts_the_retries_names_the_subscription(
    sqlite_catalog: Catalog,
) -> None:
    arm = RecordedArm()
    small_estate(arm, PROD, "Prod")
    arm.fail("/providers/Microsoft.Compute/galleries\\?", 503, "ServerBusy", times=100)
    [error] = _sync(sqlite_catalog, arm).errors()
    assert error.message == (
        f"subscription Prod ({PROD}): Azure answered 503, retries exhausted: ServerBusy"
    )
    galleries_calls = [r for r in arm.requests if r.endswith("galleries?api-version=2026-03-03")]
    assert len(galleries_calls) == 4  # the first try and the SDK's 3 retries
