"""The migration history: pytest-alembic's standard tests on SQLite and on PostgreSQL, and
how sigtui reads the history without Alembic."""

from __future__ import annotations

from collections.abc import Iterator

import alembic.config
import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from pytest_alembic.tests import (  # noqa: F401  (collected here, once per engine)
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
from revisions import FUTURE_REVISION, revision_of, set_revision

from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.store.db import known_revisions, make_engine, migrations_dir, open_catalog


@pytest.fixture
def alembic_config() -> alembic.config.Config:
    config = alembic.config.Config()
    config.set_main_option("script_location", str(migrations_dir()))
    return config


@pytest.fixture
def alembic_engine(empty_db_url: str) -> Iterator[sa.Connection]:
    """A connection, not an engine: pytest-alembic hands this to env.py as
    `config.attributes["connection"]`, which env.py uses as a Connection."""
    engine = make_engine(empty_db_url)
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def test_known_revisions_agree_with_alembic(alembic_config: alembic.config.Config) -> None:
    script = ScriptDirectory.from_config(alembic_config)
    revisions, head = known_revisions()
    assert head == script.get_current_head()
    assert set(revisions) == {rev.revision for rev in script.walk_revisions()}


def test_a_catalog_from_a_newer_sigtui_is_refused(catalog_url: str) -> None:
    set_revision(catalog_url, FUTURE_REVISION)
    with pytest.raises(CatalogError) as info:
        open_catalog(catalog_url)
    error = info.value
    assert error.code == "SIG-INPUT"
    assert "newer sigtui" in error.message
    assert FUTURE_REVISION in error.message
    assert error.__cause__ is None and error.__context__ is None  # a clean error, no chain
    assert revision_of(catalog_url) == FUTURE_REVISION  # nothing was migrated
