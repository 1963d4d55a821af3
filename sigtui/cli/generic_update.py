"""az's generic update: `--set path=value`, `--add path value...`, `--remove path [index]`
on the resource's JSON shape.

As az does, the operations are applied to the JSON that `show` prints (paths matched
case-insensitively; `--set` first, then `--add`, then `--remove`); what they changed
then becomes fields of the service's Update schema. Paths of updatable properties, and
of fixed ones the service can compare (name, location, identifier.publisher, ...), map
to fields: the service refuses a changed fixed field with SIG-UPDATE. A change anywhere
else is read-only (id, provisioningState, ...) or unknown: SIG-UPDATE as well.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sigtui.catalog.model import schemas
from sigtui.catalog.model.errors import CatalogError
from sigtui.catalog.model.fields import (
    DEFINITION_FIELDS,
    GALLERY_FIELDS,
    VERSION_FIELDS,
    ResourceField,
)
from sigtui.catalog.model.schemas import TargetRegionSpec
from sigtui.cli.options import grouped_words, parse_eol, usage_error

Json = dict[str, Any]
Convert = Callable[[Any], Any]

TARGET_REGIONS = "publishingprofile.targetregions"
TARGET_KEYS = ("name", "regionalreplicacount", "storageaccounttype")


@dataclass(frozen=True)
class Assignment:
    path: str
    value: str


@dataclass(frozen=True)
class GenericUpdate:
    """What `--set`, `--add` and `--remove` ask, parsed (bad usage: exit 2)."""

    sets: list[Assignment] = field(default_factory=list)
    adds: list[tuple[str, list[str]]] = field(default_factory=list)
    removes: list[tuple[str, int | None]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.sets or self.adds or self.removes)


def parse_assignments(values: Sequence[str]) -> list[Assignment]:
    parsed = []
    for text in values:
        path, sep, value = text.partition("=")
        if not sep or not path.strip():
            raise usage_error(f"--set takes path=value, not {text!r}")
        parsed.append(Assignment(path.strip(), value))
    return parsed


def _parse_add(value: str) -> tuple[str, list[str]]:
    path, *items = grouped_words(value)
    if not path.strip() or not items:
        raise usage_error("--add takes a list's path and what to add: PATH KEY=VALUE...")
    return path.strip(), items


def _parse_remove(value: str) -> tuple[str, int | None]:
    words = grouped_words(value)
    if len(words) > 2 or not words[0].strip():
        raise usage_error("--remove takes a path and, for a list, an index: PATH [INDEX]")
    if len(words) == 1:
        return words[0].strip(), None
    if not re.fullmatch(r"-?\d+", words[1]):
        raise usage_error(
            f"--remove {words[0]}: the index must be a whole number, not {words[1]!r}"
        )
    return words[0].strip(), int(words[1])


def parse_generic_update(
    sets: Sequence[str], adds: Sequence[str] = (), removes: Sequence[str] = ()
) -> GenericUpdate:
    return GenericUpdate(
        parse_assignments(sets),
        [_parse_add(value) for value in adds],
        [_parse_remove(value) for value in removes],
    )


# --- values as az reads them -------------------------------------------------------------


def _json(value: str, what: str) -> Any:
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        raise CatalogError("SIG-INPUT", f"{what}: {value!r} is not JSON") from None


def _value(text: str, what: str) -> Any:
    """`null` clears; a JSON object or list is read as JSON; anything else is text as
    typed (the schema converts numbers and booleans)."""
    if text == "null":
        return None
    if text.lstrip().startswith(("{", "[")):
        return _json(text, what)
    return text


# --- walking the JSON by az's paths ---------------------------------------------------------

_SEGMENT = re.compile(r"^([^\[\]]*)((?:\[-?\d+\])*)$")


def _steps(path: str) -> list[str | int]:
    """`a.b[0].c` -> ["a", "b", 0, "c"]."""
    steps: list[str | int] = []
    for segment in path.split("."):
        match = _SEGMENT.match(segment)
        if match is None or not match.group(1):
            raise CatalogError("SIG-UPDATE", f"{path!r} is not a property path", field=path)
        steps.append(match.group(1))
        steps += [int(index) for index in re.findall(r"-?\d+", match.group(2))]
    return steps


def _key(container: Json, name: str) -> str:
    """The key of `container` that `name` names, ignoring case (else `name` itself)."""
    for key in container:
        if str(key).casefold() == name.casefold():
            return str(key)
    return name


def _child(container: Any, step: str | int, path: str, *, create: bool) -> Any:
    if isinstance(step, int):
        if not isinstance(container, list) or not -len(container) <= step < len(container):
            raise CatalogError("SIG-UPDATE", f"{path!r}: no item at index {step}", field=path)
        return container[step]
    if not isinstance(container, dict):
        raise CatalogError("SIG-UPDATE", f"{path!r} does not name a property", field=path)
    key = _key(container, step)
    if container.get(key) is None and create:
        container[key] = {}
    if key not in container:
        raise CatalogError("SIG-UPDATE", f"{path!r} does not name a property", field=path)
    return container[key]


def _parent(doc: Json, path: str, *, create: bool) -> tuple[Any, str | int]:
    steps = _steps(path)
    container: Any = doc
    for step in steps[:-1]:
        container = _child(container, step, path, create=create)
    return container, steps[-1]


def _set(doc: Json, path: str, value: Any) -> None:
    container, last = _parent(doc, path, create=True)
    if isinstance(last, int):
        _child(container, last, path, create=False)  # the index must exist
        container[last] = value
    elif isinstance(container, dict):
        container[_key(container, last)] = value
    else:
        raise CatalogError("SIG-UPDATE", f"{path!r} does not name a property", field=path)


def _list_at(doc: Json, path: str) -> list[Any]:
    container, last = _parent(doc, path, create=True)
    if isinstance(container, dict) and isinstance(last, str):
        key = _key(container, last)
        if container.get(key) is None:
            container[key] = []  # az refuses an absent list; adding to it is what is meant
        found = container[key]
    else:
        found = _child(container, last, path, create=False)
    if not isinstance(found, list):
        raise CatalogError("SIG-UPDATE", f"{path!r} is not a list", field=path)
    return found


def _add(doc: Json, path: str, items: list[str]) -> None:
    """As az: consecutive `key=value` words make one object; a word alone is one item."""
    target = _list_at(doc, path)
    entry: Json = {}
    for word in items:
        key, sep, text = word.partition("=")
        if sep and key and not word.lstrip().startswith(("{", "[")):
            entry[key] = _value(text, path)
            continue
        if entry:
            target.append(entry)
            entry = {}
        target.append(_value(word, path))
    if entry:
        target.append(entry)


def _remove(doc: Json, path: str, index: int | None) -> None:
    if index is not None:
        target = _list_at(doc, path)
        _child(target, index, f"{path}[{index}]", create=False)
        del target[index]
        return
    container, last = _parent(doc, path, create=False)
    if isinstance(last, int):
        _child(container, last, path, create=False)
        del container[last]
    elif isinstance(container, dict) and _key(container, last) in container:
        del container[_key(container, last)]
    else:
        raise CatalogError("SIG-UPDATE", f"{path!r} does not name a property", field=path)


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Leaves by dotted path (lists are leaves); an empty object is a leaf too."""
    if not isinstance(value, dict) or not value:
        return {prefix: value}
    flat: dict[str, Any] = {}
    for key, item in value.items():
        flat |= _flatten(item, f"{prefix}.{key}" if prefix else str(key))
    return flat


# --- the paths of each resource -------------------------------------------------------------


def _text(value: Any) -> Any:
    return value


def _date(value: Any) -> Any:
    return None if value is None else parse_eol(str(value))


def _string_list(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def target_region_specs(items: Any) -> list[TargetRegionSpec]:
    """ARM's targetRegions objects (or `region=N=TYPE` strings) as service specs."""
    from sigtui.catalog.services import parse_target_region

    if not isinstance(items, list):
        raise CatalogError("SIG-INPUT", "publishingProfile.targetRegions takes a JSON list")
    specs = []
    for item in items:
        if isinstance(item, str):
            specs.append(parse_target_region(item))
        elif isinstance(item, dict):
            lowered = {str(k).casefold(): v for k, v in item.items()}
            specs.append(
                schemas.build(
                    TargetRegionSpec,
                    region=str(lowered.get("name") or ""),
                    replica_count=lowered.get("regionalreplicacount"),
                    storage_account_type=lowered.get("storageaccounttype"),
                )
            )
        else:
            raise CatalogError("SIG-INPUT", f"target region {item!r} is not understood")
    return specs


def _paths(
    fields: tuple[ResourceField, ...], converts: dict[str, Convert]
) -> dict[str, tuple[str, Convert]]:
    """Each field's path, casefolded, with its conversion; tags are merged apart, and
    data disks come with the source and cannot be set."""
    return {
        field.json_path.casefold(): (field.name, converts.get(field.name, _text))
        for field in fields
        if field.name != "tags" and field.in_update
    }


GALLERY_PATHS = _paths(GALLERY_FIELDS, {})
DEFINITION_PATHS = _paths(
    DEFINITION_FIELDS, {"end_of_life_date": _date, "disallowed_disk_types": _string_list}
)
VERSION_PATHS = _paths(
    VERSION_FIELDS, {"end_of_life_date": _date, "target_regions": target_region_specs}
)


def _refuse(path: str, shown: Json, updatable: Sequence[str]) -> CatalogError:
    if path.casefold() in {p.casefold() for p in _flatten(shown)}:
        return CatalogError(
            "SIG-UPDATE", f"{path} is read-only: it cannot change after creation", field=path
        )
    return CatalogError(
        "SIG-UPDATE",
        f"{path!r} is not a property that can be set; updatable: {', '.join(updatable)}",
        field=path,
    )


def _check_target_items(new: Any, old: Any) -> None:
    """Only a target region's name, replica count and storage type may be set."""
    if not isinstance(new, list):
        return
    before = old if isinstance(old, list) else []
    for index, item in enumerate(new):
        if not isinstance(item, dict):
            continue
        was = before[index] if index < len(before) and isinstance(before[index], dict) else {}
        for key, value in item.items():
            if str(key).casefold() not in TARGET_KEYS and was.get(key) != value:
                path = f"publishingProfile.targetRegions[{index}].{key}"
                raise CatalogError(
                    "SIG-UPDATE",
                    f"{path!r} cannot be set: a target region takes name, "
                    "regionalReplicaCount and storageAccountType",
                    field=path,
                )


def _bare(value: Any) -> Any:
    """An empty object is no value (a property made or emptied on the way)."""
    return None if value == {} else value


def _tags(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise CatalogError("SIG-INPUT", "tags takes a JSON object", field="tags")
    return {str(k): "" if v is None else str(v) for k, v in value.items()}


def _applied(update: GenericUpdate, shown: Json) -> Json:
    doc = copy.deepcopy(shown)
    for item in update.sets:
        _set(doc, item.path, _value(item.value, item.path))
    for path, items in update.adds:
        _add(doc, path, items)
    for path, index in update.removes:
        _remove(doc, path, index)
    return doc


def generic_changes(
    update: GenericUpdate,
    paths: dict[str, tuple[str, Convert]],
    shown: Json,
    updatable: Sequence[str],
) -> dict[str, Any]:
    """The Update-schema fields that `update` asks for, given the resource's JSON."""
    if not update:
        return {}
    doc = _applied(update, shown)
    before, after = _flatten(shown), _flatten(doc)
    changes: dict[str, Any] = {}
    for path in dict.fromkeys([*before, *after]):
        if _bare(before.get(path)) == _bare(after.get(path)):
            continue
        key = path.casefold()
        if key == "tags" or key.startswith("tags."):
            changes["tags"] = _tags(doc.get(_key(doc, "tags")))
        elif key in paths:
            name, convert = paths[key]
            if key == TARGET_REGIONS:
                _check_target_items(after.get(path), before.get(path))
            changes[name] = convert(after.get(path))
        else:
            raise _refuse(path, shown, updatable)
    return changes
