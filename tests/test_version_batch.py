"""One change to many versions (services.version_batch): the dry run finds every refusal
and keeps nothing; the change applies to all the given versions in one transaction, or
to none with every refused one named; the single-version rules decide. On SQLite (where a
SAVEPOINT must not begin the transaction) and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from builders import World, catalog_state, read, refused, targets

from sigtui.catalog import services
from sigtui.catalog.model.errors import Refusals
from sigtui.catalog.model.schemas import RoleAssignmentCreate, TargetRegionSpec
from sigtui.catalog.queries import events, lookup
from sigtui.catalog.services.version_batch import (
    EditKind,
    VersionsEdit,
    edit_versions,
    preview_versions_edit,
)
from sigtui.catalog.store.db import Catalog

EXCLUDE = VersionsEdit(EditKind.EXCLUDE)


@pytest.fixture
def versions(world: World) -> list[str]:
    return [world.version(name, targets=["westus"]) for name in ("1.0.0", "1.1.0", "1.2.0")]


def test_the_dry_run_names_every_refusal_and_keeps_nothing(
    world: World, versions: list[str]
) -> None:
    missing = world.definition + "/versions/9.9.9"
    before = catalog_state(world.catalog)  # the change marker too: a dry run announces nothing
    outcome = world.catalog.preview(
        preview_versions_edit, [*versions, missing], EXCLUDE, world.clock
    )
    assert outcome.applied == versions
    assert [(arm_id, error.code) for arm_id, error in outcome.refused] == [
        (missing, "SIG-NOT-FOUND")
    ]
    assert outcome.summary() == (
        "4 versions: 3 can be excluded from latest; 1 refused: SIG-NOT-FOUND (1)"
    )
    assert catalog_state(world.catalog) == before
    with world.catalog.write() as db:
        edit_versions(db, versions[:1], EXCLUDE, world.clock)
    etag = read(world.catalog, versions[0]).etag
    again = world.catalog.preview(preview_versions_edit, versions[:2], EXCLUDE, world.clock)
    assert (again.applied, again.unchanged) == (versions[1:2], versions[:1])
    with world.catalog.write() as db:
        edit_versions(db, versions[:2], EXCLUDE, world.clock)
    assert read(world.catalog, versions[0]).etag == etag  # already excluded: left as it was


def test_a_refused_version_refuses_the_batch_naming_each(world: World, versions: list[str]) -> None:
    past = world.clock.now() - timedelta(days=1)
    edit = VersionsEdit(EditKind.END_OF_LIFE, end_of_life=past)
    error = refused(
        world.catalog, "SIG-EOL", lambda db: edit_versions(db, versions, edit, world.clock)
    )
    assert isinstance(error, Refusals)
    assert [arm_id for arm_id, _ in error.refusals] == versions
    # the first two were applied in SAVEPOINTs before the refusal: none of it stays
    missing = world.definition + "/versions/9.9.9"
    refused(
        world.catalog,
        "SIG-NOT-FOUND",
        lambda db: edit_versions(db, [*versions, missing], EXCLUDE, world.clock),
    )


def test_the_change_applies_to_all_with_one_event(world: World, versions: list[str]) -> None:
    before = world.catalog.query(events.recent_events, world.clock.now())
    region = VersionsEdit(EditKind.ADD_REGION, region=TargetRegionSpec(region="East US"))
    with world.catalog.write() as db:
        edit_versions(db, versions, region, world.clock)
    assert all(set(targets(world.catalog, v)) == {"westus", "eastus"} for v in versions)
    with world.catalog.write() as db:
        edit_versions(db, versions[:2], VersionsEdit(EditKind.DELETE), world.clock)
    assert read(world.catalog, versions[2]).name == "1.2.0"
    with pytest.raises(Exception, match="SIG-NOT-FOUND"):
        read(world.catalog, versions[0])
    found = world.catalog.query(events.recent_events, world.clock.now())
    recorded = [e for e in found if e not in before and e.actor != events.REPLICATION_ACTOR]
    assert [(e.action, e.summary) for e in recorded] == [
        ("bulk delete", "Deleted 2 versions: def1 1.0.0, def1 1.1.0"),
        ("bulk update", "Added East US to 3 versions: def1 1.0.0, def1 1.1.0, def1 1.2.0"),
    ]


def test_viewed_as_a_principal_its_roles_decide_each_version(
    world: World, versions: list[str]
) -> None:
    """A publisher of one definition: its versions take the change, the others' are
    refused (SIG-ACCESS), each named, in the dry run as in the change."""
    other = world.build.definition(world.gallery, "def2", sku="Other")
    world.build.principal("alice")
    role = "Compute Gallery Artifacts Publisher"
    data = RoleAssignmentCreate(assignee="alice", role=role, scope=world.definition)
    world.write(lambda db: services.create_role_assignment(db, data, world.clock))
    outside = world.build.version(other, "1.0.0", image=world.image, targets=["westus"])
    with world.catalog.read() as db:
        alice = lookup.find_principal(db, "alice").pk
    as_alice = Catalog(engine=world.catalog.engine, clock=world.clock, acting_as=alice)
    outcome = as_alice.preview(preview_versions_edit, [versions[0], outside], EXCLUDE, world.clock)
    assert outcome.applied == [versions[0]]
    assert [(arm_id, error.code) for arm_id, error in outcome.refused] == [(outside, "SIG-ACCESS")]
