"""SQL clauses that keep what a principal sees ("view as", `access.Visibility`), for the
queries that list or total resources. No viewer (None): everything, as without --as.

The clauses take the columns to test, so that a query over plain tables (`counts`)
uses them as well as one over the models."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

if TYPE_CHECKING:
    from sigtui.catalog.rules.access import Visibility


def galleries(viewer: Visibility | None, gallery_pk: Any) -> sa.ColumnElement[bool]:
    if viewer is None:
        return sa.true()
    return _member(gallery_pk, viewer.galleries)


def definitions(
    viewer: Visibility | None, definition_pk: Any, gallery_pk: Any
) -> sa.ColumnElement[bool]:
    if viewer is None:
        return sa.true()
    return sa.or_(_member(gallery_pk, viewer.galleries), _member(definition_pk, viewer.definitions))


def versions(
    viewer: Visibility | None, version_pk: Any, definition_pk: Any, gallery_pk: Any
) -> sa.ColumnElement[bool]:
    if viewer is None:
        return sa.true()
    return sa.or_(
        _member(gallery_pk, viewer.galleries),
        _member(definition_pk, viewer.definitions),
        _member(version_pk, viewer.versions),
    )


def subscriptions(viewer: Visibility | None, subscription_pk: Any) -> sa.ColumnElement[bool]:
    if viewer is None:
        return sa.true()
    return _member(subscription_pk, viewer.subscriptions)


def _member(column: Any, keys: frozenset[int]) -> sa.ColumnElement[bool]:
    if not keys:
        return sa.false()
    clause: sa.ColumnElement[bool] = column.in_(sorted(keys))
    return clause
