"""Bad input everywhere (property-based): every service write, the importer and the CLI's
parsers either succeed or raise a CatalogError with a rule code, never anything else; a
refused call leaves the catalog exactly as it was.

The service runs use one SQLite catalog per test (the small catalog of builders.py plus a
version); each example runs in a write transaction that is rolled back when the call
succeeds, so that every example starts from the same catalog.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from builders import SUBSCRIPTION_ID, World, catalog_state, small_catalog
from click.testing import CliRunner
from hypothesis import HealthCheck, currently_in_test_context, event, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from sigtui.catalog import services
from sigtui.catalog.azure.importing.reading import read_file
from sigtui.catalog.azure.importing.shapes import KIND_OF_TYPE
from sigtui.catalog.azure.importing.write import import_document
from sigtui.catalog.model import schemas
from sigtui.catalog.model.errors import RULE_CODES, CatalogError
from sigtui.catalog.replication import schedule
from sigtui.catalog.rules import checks
from sigtui.catalog.store.clock import FixedClock
from sigtui.catalog.store.db import Catalog, open_catalog
from sigtui.cli import cli
from sigtui.cli.context import CliState

EXAMPLES = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- strategies --------------------------------------------------------------------------------

REGIONS = [
    "westus", "eastus", "West Europe", "westeurope", "USA Centre Sud", "South Central US",
    "australiacentral", "chinaeast", "usgovvirginia", "germanycentral", "japaneast", "",
    " westus ", "WESTUS", "nowhere", "westus2",
]  # fmt: skip
ENUMS = [
    "Linux", "Windows", "linux", "Generalized", "Specialized", "V1", "V2", "v2",
    "Standard_LRS", "Standard_ZRS", "Premium_LRS", "standard_zrs", "StandardSSD_LRS",
    "Premium_ZRS", "User", "Group", "ServicePrincipal", "Reader", "Contributor",
    "AzureCloud", "AzureChinaCloud", "Unknown", "Replicating", "Completed", "Failed", "",
]  # fmt: skip

texts = st.one_of(
    st.text(max_size=12),
    st.text(min_size=75, max_size=300),
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,20}[A-Za-z0-9]", fullmatch=True),
    st.sampled_from(["a", "x" * 80, "x" * 81, "a-b", "a.", "-a", "é", "a\nb", "a\x00b", " a"]),
)
regions = st.one_of(st.sampled_from(REGIONS), st.text(max_size=20))
enums = st.one_of(st.sampled_from(ENUMS), st.text(max_size=12))
ints = st.one_of(
    st.integers(min_value=-5, max_value=1100),
    st.sampled_from([0, -1, 2**31 - 1, 2**31, 2**63, -(2**63) - 1, 10**30]),
    st.integers(),
)
dates = st.one_of(
    st.dates(),
    st.sampled_from(["2030-01-01", "2026-01-15", "2020-02-30", "tomorrow", "", "2030-13-01"]),
    st.text(max_size=12),
)
junk = st.one_of(
    st.none(), st.booleans(), st.floats(allow_nan=True), st.integers(), st.text(max_size=8),
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers()),
)  # fmt: skip
tags = st.one_of(
    st.dictionaries(texts, texts, max_size=4),
    st.dictionaries(st.text(max_size=4), st.text(max_size=4), min_size=51, max_size=55),
)
target_region_texts = st.one_of(
    st.builds(
        lambda r, n, s: "=".join(p for p in (r, n, s) if p is not None),
        st.sampled_from(REGIONS),
        st.one_of(st.none(), st.integers(-3, 200).map(str), st.text(max_size=4)),
        st.one_of(st.none(), enums),
    ),
    st.text(max_size=30),
    st.sampled_from(["=", "==", "westus=1=Standard_LRS=x", "westus=", "westus==Premium_LRS"]),
)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A field's value: mostly of its kind, sometimes of a wrong type."""
    return st.one_of(strategy, strategy, strategy, junk)


def fields(**strategies: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Either every field, each of its kind (to reach the rules past the types), or some
    of them, sometimes of a wrong type."""
    every = st.fixed_dictionaries(strategies)
    some = st.fixed_dictionaries({}, optional={k: maybe(v) for k, v in strategies.items()})
    return st.one_of(every, some)


# --- running one call ----------------------------------------------------------------------------


class _RollBack(Exception):
    """Raised after a successful call, to keep the catalog as it was for the next example."""


def attempt(catalog: Catalog, action: Callable[[Session], object]) -> str:
    """Run `action` in a write transaction: it must succeed (then it is rolled back) or be
    refused with a rule code; either way the catalog is left as it was."""
    before = catalog_state(catalog)
    try:
        with catalog.write() as db:
            action(db)
            db.flush()
            raise _RollBack
    except _RollBack:
        outcome = "accepted"
    except CatalogError as exc:
        assert exc.code in RULE_CODES
        assert exc.message and "Traceback" not in exc.message
        outcome = exc.code
    assert catalog_state(catalog) == before, f"{outcome}, but the catalog changed"
    if currently_in_test_context():
        event(outcome)
    return outcome


@pytest.fixture
def env(tmp_path: Path, clock: FixedClock) -> Iterator[dict[str, Any]]:
    """A SQLite catalog: the small catalog, a principal, a snapshot and version 1.0.0."""
    catalog = open_catalog(f"sqlite:///{tmp_path / 'bad-input.db'}", clock=clock)
    try:
        world = small_catalog(catalog)
        world.build.principal()
        snapshot = world.build.snapshot(world.group)
        version = world.version("1.0.0", targets=["westus", "eastus=2"])
        yield {"catalog": catalog, "world": world, "snapshot": snapshot, "version": version}
    finally:
        catalog.close()


def ids_from(env: dict[str, Any]) -> st.SearchStrategy[str]:
    world = env["world"]
    known = [world.group, world.gallery, world.definition, world.image, env["snapshot"]]
    known.append(env["version"])
    return st.one_of(
        st.sampled_from(known),
        st.sampled_from(known).map(lambda i: i.upper()),
        st.sampled_from(known).map(lambda i: i + "/x"),
        st.text(max_size=40),
        st.sampled_from(["", "/", "/subscriptions/", "img1", "snap1", "image1"]),
    )


# --- accounts, groups, sources ---------------------------------------------------------------


@EXAMPLES
@given(data=st.data())
def test_account_writes_succeed_or_name_a_rule(env: dict[str, Any], data: st.DataObject) -> None:
    catalog, world = env["catalog"], env["world"]
    clock = world.clock
    kind = data.draw(st.sampled_from(["tenant", "subscription", "group", "principal"]))
    if kind == "tenant":
        values = data.draw(fields(name=texts, tenant_id=texts))
        attempt(
            catalog,
            lambda db: services.create_tenant(
                db, schemas.build(schemas.TenantCreate, **values), clock
            ),
        )
    elif kind == "subscription":
        values = data.draw(
            fields(
                name=texts,
                subscription_id=st.one_of(st.uuids().map(str), texts),
                tenant=st.one_of(st.just("Contoso"), texts),
                cloud=enums,
                allowlisted_regions=st.lists(regions, max_size=3),
            )
        )
        attempt(
            catalog,
            lambda db: services.create_subscription(
                db, schemas.build(schemas.SubscriptionCreate, **values), clock
            ),
        )
    elif kind == "group":
        values = data.draw(
            fields(
                subscription=st.one_of(st.just("Production"), texts),
                name=texts,
                location=regions,
                tags=tags,
            )
        )
        attempt(
            catalog,
            lambda db: services.create_group(
                db, schemas.build(schemas.GroupCreate, **values), clock
            ),
        )
    else:
        values = data.draw(fields(name=texts, principal_type=enums, tenant=texts, object_id=texts))
        attempt(
            catalog,
            lambda db: services.create_principal(
                db, schemas.build(schemas.PrincipalCreate, **values), clock
            ),
        )


@EXAMPLES
@given(data=st.data())
def test_source_writes_succeed_or_name_a_rule(env: dict[str, Any], data: st.DataObject) -> None:
    catalog, world = env["catalog"], env["world"]
    group_ids = st.one_of(st.just(world.group), ids_from(env))
    if data.draw(st.booleans()):
        values = data.draw(
            fields(
                group_id=group_ids,
                name=texts,
                location=regions,
                os_type=enums,
                os_state=enums,
                hyper_v_generation=enums,
                os_disk_size_gb=ints,
                data_disk_sizes_gb=st.lists(ints, max_size=3),
                tags=tags,
            )
        )
        attempt(
            catalog,
            lambda db: services.create_managed_image(
                db, schemas.build(schemas.ManagedImageCreate, **values), world.clock
            ),
        )
    else:
        values = data.draw(
            fields(
                group_id=group_ids,
                name=texts,
                location=regions,
                size_gb=ints,
                os_type=st.one_of(st.none(), enums),
                tags=tags,
            )
        )
        attempt(
            catalog,
            lambda db: services.create_snapshot(
                db, schemas.build(schemas.SnapshotCreate, **values), world.clock
            ),
        )


# --- galleries and definitions ------------------------------------------------------------------


@EXAMPLES
@given(data=st.data())
def test_gallery_writes_succeed_or_name_a_rule(env: dict[str, Any], data: st.DataObject) -> None:
    catalog, world = env["catalog"], env["world"]
    values = data.draw(fields(name=texts, location=regions, description=texts, tags=tags))
    if data.draw(st.booleans()):
        group = data.draw(st.one_of(st.just(world.group), ids_from(env)))
        attempt(
            catalog,
            lambda db: services.create_gallery(
                db, group, schemas.build(schemas.GalleryCreate, **values), world.clock
            ),
        )
    else:
        gallery = data.draw(st.one_of(st.just(world.gallery), ids_from(env)))
        etag = data.draw(st.one_of(st.none(), texts, st.sampled_from(["1", "*", '"1"'])))
        attempt(
            catalog,
            lambda db: services.update_gallery(
                db, gallery, schemas.build(schemas.GalleryUpdate, **values), world.clock, etag
            ),
        )


DEFINITION_FIELDS = dict(
    name=texts, location=regions, publisher=texts, offer=texts, sku=texts, os_type=enums,
    os_state=enums, hyper_v_generation=enums, description=texts, eula=texts,
    privacy_statement_uri=texts, release_note_uri=texts, end_of_life_date=dates,
    min_vcpus=ints, max_vcpus=ints, min_memory_mb=ints, max_memory_mb=ints,
    disallowed_disk_types=st.lists(enums, max_size=3), tags=tags,
)  # fmt: skip


@EXAMPLES
@given(data=st.data())
def test_definition_writes_succeed_or_name_a_rule(env: dict[str, Any], data: st.DataObject) -> None:
    catalog, world = env["catalog"], env["world"]
    values = data.draw(fields(**DEFINITION_FIELDS))
    if data.draw(st.booleans()):
        gallery = data.draw(st.one_of(st.just(world.gallery), ids_from(env)))
        attempt(
            catalog,
            lambda db: services.create_definition(
                db, gallery, schemas.build(schemas.DefinitionCreate, **values), world.clock
            ),
        )
    else:
        definition = data.draw(st.one_of(st.just(world.definition), ids_from(env)))
        attempt(
            catalog,
            lambda db: services.update_definition(
                db, definition, schemas.build(schemas.DefinitionUpdate, **values), world.clock
            ),
        )


# --- versions -------------------------------------------------------------------------------------


@EXAMPLES
@given(data=st.data())
def test_version_writes_succeed_or_name_a_rule(env: dict[str, Any], data: st.DataObject) -> None:
    catalog, world = env["catalog"], env["world"]
    clock = world.clock
    version = data.draw(st.one_of(st.just(env["version"]), ids_from(env)))
    targets = st.lists(target_region_texts, max_size=4)
    kind = data.draw(st.sampled_from(["create", "update", "add", "remove", "delete"]))

    def specs(texts_: list[str]) -> list[schemas.TargetRegionSpec]:
        return [services.parse_target_region(t) for t in texts_]

    if kind == "create":
        values = data.draw(
            fields(
                name=st.one_of(texts, st.from_regex(r"\d{1,11}\.\d{1,3}\.\d{1,3}", fullmatch=True)),
                location=regions,
                managed_image_id=st.one_of(st.just(world.image), ids_from(env)),
                os_snapshot_id=st.one_of(st.just(env["snapshot"]), ids_from(env)),
                data_snapshot_ids=st.lists(st.just(env["snapshot"]), max_size=2),
                data_snapshot_luns=st.lists(ints, max_size=2),
                replica_count=ints,
                storage_account_type=enums,
                exclude_from_latest=st.booleans(),
                end_of_life_date=dates,
                tags=tags,
            )
        )
        regions_given = data.draw(st.one_of(st.none(), targets))
        definition = data.draw(st.one_of(st.just(world.definition), ids_from(env)))

        def create(db: Session) -> object:
            given_targets = None if regions_given is None else specs(regions_given)
            data_ = schemas.build(schemas.VersionCreate, **values, target_regions=given_targets)
            return services.create_version(db, definition, data_, clock)

        attempt(catalog, create)
    elif kind == "update":
        values = data.draw(
            fields(
                replica_count=ints,
                storage_account_type=enums,
                exclude_from_latest=st.booleans(),
                end_of_life_date=dates,
                tags=tags,
                name=texts,
                location=regions,
            )
        )
        regions_given = data.draw(st.one_of(st.none(), targets))
        etag = data.draw(st.one_of(st.none(), texts))

        def update(db: Session) -> object:
            extra = {} if regions_given is None else {"target_regions": specs(regions_given)}
            data_ = schemas.build(schemas.VersionUpdate, **values, **extra)
            return services.update_version(db, version, data_, clock, if_match=etag)

        attempt(catalog, update)
    elif kind == "add":
        given_targets = data.draw(targets)
        attempt(
            catalog,
            lambda db: services.add_target_regions(db, version, specs(given_targets), clock),
        )
    elif kind == "remove":
        names = data.draw(st.lists(regions, max_size=3))
        attempt(catalog, lambda db: services.remove_target_regions(db, version, names, clock))
    else:
        etag = data.draw(st.one_of(st.none(), texts, st.just("1")))
        attempt(catalog, lambda db: services.delete_version(db, version, etag))


@EXAMPLES
@given(data=st.data())
def test_deletes_roles_and_replication_succeed_or_name_a_rule(
    env: dict[str, Any], data: st.DataObject
) -> None:
    catalog, world = env["catalog"], env["world"]
    now = world.clock.now()
    target = data.draw(ids_from(env))
    etag = data.draw(st.one_of(st.none(), texts, st.just("1"), st.just("*")))
    kind = data.draw(
        st.sampled_from(
            [
                "gallery",
                "definition",
                "group",
                "image",
                "snapshot",
                "subscription",
                "role",
                "unrole",
                "retry",
                "fail",
                "record",
                "allowlist",
            ]
        )
    )
    region = data.draw(regions)
    calls: dict[str, Callable[[Session], object]] = {
        "gallery": lambda db: services.delete_gallery(db, target, etag),
        "definition": lambda db: services.delete_definition(db, target, etag),
        "group": lambda db: services.delete_group(db, target, etag),
        "image": lambda db: services.delete_managed_image(db, target, etag),
        "snapshot": lambda db: services.delete_snapshot(db, target, etag),
        "subscription": lambda db: services.delete_subscription(db, data.draw(texts), etag),
        "role": lambda db: services.create_role_assignment(
            db,
            schemas.build(
                schemas.RoleAssignmentCreate,
                **data.draw(fields(assignee=st.sampled_from(["alice", ""]), role=enums)),
                scope=target,
            ),
            world.clock,
        ),
        "unrole": lambda db: services.delete_role_assignment(db, data.draw(ints), etag),
        "retry": lambda db: schedule.retry(db, target, region, now),
        "fail": lambda db: schedule.fail(db, target, region, data.draw(texts), now),
        "record": lambda db: schedule.record(
            db, target, region, data.draw(enums), now, data.draw(st.one_of(st.none(), ints))
        ),
        "allowlist": lambda db: services.set_region_allowlist(
            db,
            services.accounts.lookup.find_subscription(db, "Production"),
            data.draw(st.lists(regions, max_size=3)),
            world.clock,
        ),
    }
    attempt(catalog, calls[kind])


# --- parsers ------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(text=target_region_texts)
def test_target_region_parsing_succeeds_or_names_a_rule(text: str) -> None:
    try:
        spec = services.parse_target_region(text)
    except CatalogError as exc:
        assert exc.code in RULE_CODES
        return
    assert spec.region
    assert spec.replica_count is None or spec.replica_count >= 0


@settings(max_examples=300, deadline=None)
@given(value=st.one_of(dates, st.none()))
def test_date_parsing_succeeds_or_names_a_rule(value: Any) -> None:
    try:
        parsed = checks.parse_date(value)
    except CatalogError as exc:
        assert exc.code == "SIG-INPUT"
        return
    assert parsed is None or isinstance(parsed, date)


@settings(max_examples=300, deadline=None)
@given(name=texts)
def test_name_checks_succeed_or_name_a_rule(name: str) -> None:
    name_checks = [
        checks.check_gallery_name,
        checks.check_definition_name,
        checks.check_group_name,
        checks.parse_version_name,
        lambda n: checks.check_resource_name(n, "snapshot"),
        lambda n: checks.check_plain_name(n, "tenant"),
        lambda n: checks.check_identifier(n, "publisher", 128),
        checks.check_os_type,
        checks.check_storage_type,
        checks.check_cloud,
    ]
    for check in name_checks:
        try:
            check(name)
        except CatalogError as exc:
            assert exc.code in RULE_CODES


# --- import files -------------------------------------------------------------------------------

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), texts),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=12,
)
GALLERY = "/subscriptions/{s}/resourceGroups/rg1/providers/Microsoft.Compute/galleries/g1"
resource_docs = st.fixed_dictionaries(
    {
        "id": st.one_of(
            st.sampled_from(
                [GALLERY, GALLERY + "/images/d1", GALLERY + "/images/d1/versions/1.0.0"]
            ).map(lambda i: i.format(s=SUBSCRIPTION_ID)),
            st.text(max_size=20),
        ),
    },
    optional={
        "type": st.sampled_from([*KIND_OF_TYPE, "Microsoft.Compute/disks", ""]),
        "location": maybe(regions),
        "tags": tags,
        "osType": maybe(enums),
        "osState": maybe(enums),
        "identifier": maybe(
            st.fixed_dictionaries({}, optional={"publisher": texts, "offer": texts, "sku": texts})
        ),
        "endOfLifeDate": maybe(dates.map(str)),
        "recommended": json_values,
        "publishingProfile": maybe(
            st.fixed_dictionaries(
                {},
                optional={
                    "targetRegions": maybe(
                        st.lists(
                            st.fixed_dictionaries(
                                {"name": maybe(regions)},
                                optional={
                                    "regionalReplicaCount": maybe(ints),
                                    "storageAccountType": maybe(enums),
                                },
                            ),
                            max_size=3,
                        )
                    ),
                    "replicaCount": maybe(ints),
                    "endOfLifeDate": maybe(dates.map(str)),
                    "excludeFromLatest": junk,
                },
            )
        ),
        "storageProfile": json_values,
        "replicationStatus": json_values,
        "properties": json_values,
    },
)


import_documents = st.one_of(
    json_values,
    st.lists(resource_docs, max_size=4),
    resource_docs,
    st.fixed_dictionaries({"value": st.lists(resource_docs, max_size=3)}),
    st.fixed_dictionaries(
        {"resources": st.lists(resource_docs, max_size=3)},
        optional={"parameters": json_values},
    ),
)


@EXAMPLES
@given(document=import_documents)
def test_import_of_any_document_succeeds_or_names_a_rule(
    env: dict[str, Any], document: Any
) -> None:
    catalog = env["catalog"]
    attempt(catalog, lambda db: import_document(db, document, catalog.clock))


@EXAMPLES
@given(content=st.one_of(st.binary(max_size=200), import_documents.map(json.dumps).map(str.encode)))
def test_reading_any_file_succeeds_or_names_a_rule(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "estate.json"
    path.write_bytes(content)
    try:
        read_file(path)
    except CatalogError as exc:
        assert exc.code == "SIG-INPUT"


# --- the CLI's parsers ----------------------------------------------------------------------------

CREATE = ["sig", "image-version", "create", "-g", "rg-images", "-r", "gallery1", "-i", "def1"]
cli_values = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
            max_size=20),
    st.sampled_from(["-1", "0", "2", "101", "99999999999999999999", "westus=2", "--", "-"]),
)  # fmt: skip


@EXAMPLES
@given(data=st.data())
def test_the_cli_never_shows_a_traceback(env: dict[str, Any], data: st.DataObject) -> None:
    catalog, world = env["catalog"], env["world"]
    url = str(catalog.url)
    option_values = {
        "--target-regions": st.lists(
            target_region_texts.filter(lambda t: "\x00" not in t), max_size=3
        ),
        "--replica-count": st.lists(cli_values, min_size=1, max_size=1),
        "--end-of-life-date": st.lists(cli_values, min_size=1, max_size=1),
        "--storage-account-type": st.lists(
            enums.filter(lambda t: "\x00" not in t), min_size=1, max_size=1
        ),
        "--exclude-from-latest": st.lists(cli_values, max_size=1),
        "--tags": st.lists(cli_values, max_size=2),
        "--data-snapshot-luns": st.lists(cli_values, max_size=2),
        "-e": st.lists(
            st.one_of(st.from_regex(r"\d{1,12}\.\d{1,2}\.\d{1,2}", fullmatch=True), cli_values),
            min_size=1,
            max_size=1,
        ),
    }
    argv = list(CREATE)
    chosen = data.draw(st.lists(st.sampled_from(sorted(option_values)), unique=True, max_size=5))
    for option in chosen:
        argv += [option, *data.draw(option_values[option])]
    if "-e" not in chosen:
        argv += ["-e", "2.0.0"]
    argv += ["--managed-image", "image1"]
    before = catalog_state(catalog)
    result = CliRunner().invoke(
        cli, ["--db", url, *argv], obj=CliState(clock=world.clock), catch_exceptions=True
    )
    assert result.exit_code in (0, 1, 2), (argv, result.output, result.exception)
    event(f"exit {result.exit_code}")
    assert "Traceback" not in result.output, (argv, result.output)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    if result.exit_code != 0:
        assert catalog_state(catalog) == before, (argv, result.output)
    else:
        with catalog.write() as db:  # keep the catalog as it was for the next example
            services.delete_version(db, _created(world, argv))


def _created(world: Any, argv: list[str]) -> str:
    name = argv[argv.index("-e") + 1]
    return f"{world.definition}/versions/{checks.parse_version_name(name)}"


# --- values a database cannot store, on both engines -----------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        {"description": "nul \x00 inside"},
        {"tags": {"env": "nul\x00"}},
        {"min_vcpus": 2**31, "max_vcpus": 2**40},
        {"min_memory_mb": 2**63},
    ],
    ids=["nul-description", "nul-tag", "int32-overflow", "int64-overflow"],
)
def test_values_a_database_cannot_store_are_refused_cleanly(
    catalog: Catalog, world: World, values: dict[str, Any]
) -> None:
    outcome = attempt(
        catalog,
        lambda db: services.update_definition(
            db, world.definition, schemas.build(schemas.DefinitionUpdate, **values), world.clock
        ),
    )
    if any(isinstance(v, int) for v in values.values()):
        assert outcome == "SIG-RECOMMENDED"  # a rule names the range before the database
    else:  # PostgreSQL's text cannot hold a NUL character: refused alike on both engines
        assert outcome == "SIG-INPUT"
