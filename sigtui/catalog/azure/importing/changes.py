"""What a resource of the file changes in the catalog: the fields whose value differs."""

from __future__ import annotations

from sqlmodel import SQLModel

from sigtui.catalog.azure.importing.shapes import Json
from sigtui.catalog.model.schemas import build


def differences(current: Json, wanted: Json) -> Json:
    """The wanted fields whose value differs from the current one (text ignores case
    only for names and regions, as refuse_changes does)."""
    changed: Json = {}
    for name, value in wanted.items():
        old = current.get(name)
        if isinstance(old, str) and isinstance(value, str) and name in ("name", "location"):
            if old.casefold() == value.casefold():
                continue
        elif old == value:
            continue
        changed[name] = value
    return changed


def typed(schema: type[SQLModel], values: Json) -> Json:
    """Values as the schema types them (ints, dates), for comparing with a row."""
    return build(schema, **values).model_dump(exclude_unset=True)
