"""Import files are parsed as they stream in (issue #18): the file's text is never held
whole, only what it parses to, which is what `json` would make of it. Files the
streaming parser cannot take safely are read the exact way, to the same result."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sigtui.catalog.azure.importing import reading
from sigtui.catalog.azure.importing.reading import read_file
from sigtui.catalog.model.errors import CatalogError

CHUNK = 64 * 1024  # what ijson reads at a time (of a file that is not a list)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20) + 1, max_value=10**20 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=30,
)


@pytest.fixture
def exact_reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files read the exact (whole-text) way."""
    calls: list[Path] = []
    exact = reading._read_exactly

    def recorded(path: Path, limit: int) -> Any:
        calls.append(path)
        return exact(path, limit)

    monkeypatch.setattr(reading, "_read_exactly", recorded)
    return calls


def _written(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "file.json"
    path.write_text(text, encoding="utf-8")
    return path


@settings(max_examples=150, deadline=None)
@given(value=json_values, as_list=st.booleans())
def test_a_streamed_file_reads_as_json_reads_it(
    tmp_path_factory: pytest.TempPathFactory, value: Any, as_list: bool
) -> None:
    document = [value, value] if as_list else value
    text = json.dumps(document, indent=1)
    path = _written(tmp_path_factory.mktemp("s"), text)
    read = read_file(path)
    assert read == json.loads(text)
    assert json.dumps(read) == json.dumps(json.loads(text))  # floats as floats, -0.0 kept


def test_the_text_is_not_held_while_reading(tmp_path: Path, exact_reads: list[Path]) -> None:
    """A file of 8 MiB, mostly white space between its items: reading it takes a small
    fraction of that (only the items), both for az's list and for an ARM `value` list."""
    item = '{"name": "v", "tags": {"build": "42"}, "size": 1.5}'
    padding = " " * 4096
    for text in (
        "[" + ",".join(padding + item for _ in range(2048)) + "]",
        '{"value": [' + ",".join(padding + item for _ in range(2048)) + "]}",
    ):
        path = _written(tmp_path, text)
        tracemalloc.start()
        try:
            document = read_file(path)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        items = document if isinstance(document, list) else document["value"]
        assert len(items) == 2048 and items[0] == json.loads(item)
        assert peak < len(text) / 4, (peak, len(text))
    assert exact_reads == []


@pytest.mark.parametrize("offset", [-700, -350, -1, 0, 1])
def test_a_long_integer_across_a_chunk_edge_is_read_the_exact_way(
    tmp_path: Path, exact_reads: list[Path], offset: int
) -> None:
    """A run of digits long enough to crash ijson's C parser, placed across the edge of
    two chunks of an object's text (ijson reads it): as an integer it is refused, by its
    location, without a crash (read the exact way); inside a string it streams, read as
    it is. In a top-level list (`json`'s scanner reads its items), across the edge of
    the scanner's chunk, it is refused by its location without reading again."""
    head = '{"value": [{"pad": "' + "x" * (CHUNK + offset) + '", "tag": '
    digits = "7" * 700
    with pytest.raises(CatalogError, match=r"at \.value\[0\]\.tag: an integer of 700 digits"):
        read_file(_written(tmp_path, head + digits + "}]}"))
    assert len(exact_reads) == 1
    document = read_file(_written(tmp_path, head + f'"{digits}"' + "}]}"))
    assert document["value"][0]["tag"] == digits
    assert len(exact_reads) == 1
    head = '[{"pad": "' + "x" * (reading._SCAN_CHUNK + offset) + '", "tag": '
    with pytest.raises(CatalogError, match=r"at \[0\]\.tag: an integer of 700 digits"):
        read_file(_written(tmp_path, head + digits + "}]"))
    assert read_file(_written(tmp_path, head + f'"{digits}"' + "}]"))[0]["tag"] == digits
    assert len(exact_reads) == 1


def test_short_runs_of_digits_stream(tmp_path: Path, exact_reads: list[Path]) -> None:
    text = "[" + ", ".join(["1" * 20, '"' + "2" * 600 + '"'] * 200) + "]"
    assert read_file(_written(tmp_path, text)) == json.loads(text)
    assert exact_reads == []


def test_a_byte_order_mark_is_skipped_as_before(tmp_path: Path, exact_reads: list[Path]) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b'\xef\xbb\xbf  [{"a": 1.25}]')
    assert read_file(path) == [{"a": 1.25}]
    assert exact_reads == []


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('[{"a": 1}, {"b": [1e999]}]', r"at \[1\]\.b\[0\]: the number 1e999 is out of range"),
        ('{"a": -25e400}', r"at \.a: the number -2\.5e401 is out of range"),
        ("[1, 2, " + "9" * 21 + "]", r"at \[2\]: an integer of 21 digits"),
        ('[{"a": {"b": [1e999]}, "c": 1e999}]', r"at \[0\]\.a\.b\[0\]: the number"),
    ],
)
def test_refusals_in_a_streamed_file_name_the_first_in_the_files_order(
    tmp_path: Path, exact_reads: list[Path], text: str, says: str
) -> None:
    with pytest.raises(CatalogError, match=says) as caught:
        read_file(_written(tmp_path, text))
    assert caught.value.code == "SIG-INPUT"
    assert exact_reads == []


def test_nesting_too_deep_is_refused_before_the_parser_builds_it(
    tmp_path: Path, exact_reads: list[Path]
) -> None:
    """ijson keeps each value's path as text: 100,000 levels would take gigabytes. The
    nesting is counted as the file streams in, and named the exact way."""
    with pytest.raises(CatalogError, match=r"at \[0\]\[1\]\[0\].*nested more than 64 levels"):
        read_file(_written(tmp_path, '[[{"a": 1}, ' + "[" * 65 + "]" * 65 + "]]"))
    with pytest.raises(CatalogError, match="nested more than 64 levels deep"):
        read_file(_written(tmp_path, "[" * 100_000 + "]" * 100_000))
    assert len(exact_reads) == 2


def test_text_after_the_document_is_refused_as_before(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="is not JSON: Extra data"):
        read_file(_written(tmp_path, '[{"a": 1}] [2]'))


@pytest.mark.parametrize("offset", [-3, -2, -1, 0, 1])
def test_brackets_inside_strings_do_not_count_as_nesting(
    tmp_path: Path, exact_reads: list[Path], offset: int
) -> None:
    """Strings full of brackets and escaped quotes, one of them across the edge of two
    chunks (cut after a backslash or not): the file streams, read as json reads it."""
    head = '[{"pad": "' + "x" * (CHUNK - 14 + offset) + '\\\\\\"'
    text = head + "[" * 100 + '\\\\", "deep": ' + "[" * 62 + "]" * 62 + "}]"
    assert read_file(_written(tmp_path, text)) == json.loads(text)
    assert exact_reads == []


@pytest.mark.parametrize("offset", [-4, -3, -1, 0, 1])
def test_items_across_the_scanners_chunks_read_as_json_reads_them(
    tmp_path: Path, exact_reads: list[Path], offset: int
) -> None:
    """A number cut by the edge of the list scanner's chunk (it reads on before taking
    it), and an item three chunks long (read with larger chunks): as `json` reads them."""
    edge = reading._SCAN_CHUNK - len("[") - 3 + offset
    big = {"tags": {"note": "y" * (3 * reading._SCAN_CHUNK)}, "size": 1.5}
    text = "[" + " " * edge + "1234567, " + json.dumps(big) + ", true, -2.5e3]"
    assert read_file(_written(tmp_path, text)) == json.loads(text)
    assert exact_reads == []
