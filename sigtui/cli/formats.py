"""az's global output arguments: `--query` (JMESPath) and the text formats tsv, yaml and
the automatic table az shows for a query's result (knack's rules, DESIGN.md §4).

Every value goes through sigtui/safe_text.py: no control character reaches a terminal raw
in any format."""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from sigtui.catalog.model.errors import CatalogError
from sigtui.safe_text import visible

if TYPE_CHECKING:  # imported where used: a command's start does not pay for them
    import yaml
    from jmespath.parser import ParsedResult

FORMATS = ("json", "jsonc", "table", "tsv", "yaml", "yamlc", "none")


def plain_json(data: Any) -> Any:
    """`data` as JSON values only (dates as text), as az's formatters see it."""
    return json.loads(json.dumps(data, default=str))


# --- --query ------------------------------------------------------------------------------


def compile_query(expression: str) -> ParsedResult:
    """The JMESPath expression compiled; ValueError (one line) when it is not one."""
    import jmespath
    import jmespath.exceptions

    try:
        return jmespath.compile(expression)
    except (jmespath.exceptions.JMESPathError, KeyError) as exc:
        lines = str(exc).strip().splitlines() or [type(exc).__name__]
        raise ValueError(lines[0]) from None


def apply_query(query: ParsedResult, data: Any) -> Any:
    """The query's result on `data`; as az, objects it builds keep the query's key order."""
    import jmespath
    import jmespath.exceptions

    try:
        return query.search(plain_json(data), jmespath.Options(dict_cls=OrderedDict))
    except jmespath.exceptions.JMESPathError as exc:
        raise CatalogError("SIG-INPUT", f"--query: {str(exc).splitlines()[0]}") from None


# --- tsv -----------------------------------------------------------------------------------


def _tsv_field(value: Any) -> str:
    """One field: a list is its length, an object an empty field, else the value's text
    (as knack's `_TsvOutput`); a tab or newline in a value is shown as an escape."""
    if isinstance(value, list):
        return str(len(value))
    if isinstance(value, dict):
        return ""
    return visible(value)


def _tsv_row(item: Any) -> str:
    if isinstance(item, OrderedDict):  # a query's object: in the query's order
        return "\t".join(_tsv_field(value) for value in item.values())
    if isinstance(item, dict):
        return "\t".join(_tsv_field(value) for _, value in sorted(item.items()))
    if isinstance(item, list):
        return "\t".join(_tsv_field(value) for value in item)
    if isinstance(item, bool):
        return str(item).lower()
    return _tsv_field(item)


def to_tsv(data: Any) -> str:
    """az's tsv: one line per item of a list (a single result is one line), values only."""
    items = data if isinstance(data, list) else [data]
    return "".join(_tsv_row(item) + "\n" for item in items)


# --- yaml ----------------------------------------------------------------------------------

# What a terminal must not get raw; PyYAML escapes C0 and C1 itself in double quotes, but
# with allow_unicode it writes the bidi and invisible characters as they are.
_INVISIBLE = "\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff"
_YAML_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f{_INVISIBLE}]")  # LF and TAB: layout
_ANY_UNSAFE = re.compile(f"[\x00-\x1f{_INVISIBLE}]")


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    """A string holding an unsafe character double-quoted, where `\\uXXXX` escapes mean
    the same character."""
    style = '"' if _ANY_UNSAFE.search(text) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


def to_yaml(data: Any) -> str:
    """az's yaml (PyYAML's safe_dump, block style, keys sorted), every unsafe character
    as an escape inside a double-quoted string: loading it gives the exact value."""
    import yaml

    class SafeTextDumper(yaml.SafeDumper):
        pass

    SafeTextDumper.add_representer(str, _represent_text)
    text = yaml.dump(
        plain_json(data), Dumper=SafeTextDumper, default_flow_style=False, allow_unicode=True
    )
    # Only double-quoted strings can hold these characters here (see _represent_text).
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


# --- the table az makes of a query's result ------------------------------------------------

_TABLE_SKIPS = {"id", "type", "etag"}


def _auto_row(item: Any) -> dict[str, Any]:
    if isinstance(item, dict):
        return {
            key[:1].upper() + key[1:]: value
            for key, value in item.items()
            if key not in _TABLE_SKIPS and value is not None and not isinstance(value, list | dict)
        }
    if isinstance(item, list):
        return {f"Column{n}": value for n, value in enumerate(item, start=1)}
    return {"Result": item}


def auto_table_rows(data: Any) -> list[dict[str, Any]]:
    """az's table of any result: an object's scalar fields as columns (not id, type,
    etag), first letter capitalised; a list's values as Column1..; a scalar as Result."""
    items = data if isinstance(data, list) else [data]
    return [_auto_row(item) for item in items]


def colored(text: str, language: str) -> str:
    """`text` (JSON or YAML, every value already escaped) with az's colours for jsonc and
    yamlc: the colour codes are pygments' own, around the text's tokens."""
    from pygments import highlight
    from pygments.formatters import TerminalFormatter
    from pygments.lexers import get_lexer_by_name

    return str(highlight(text, get_lexer_by_name(language), TerminalFormatter()))
