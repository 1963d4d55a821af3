"""Import files are parsed as they stream in (issue #18): the file's text is never held
whole, only what it parses to, which is what `json` would make of it. Files the
streaming parser cannot take safely are read the exact way, to the same result."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sigtui.catalog.azure.importing import reading
from sigtui.catalog.azure.importing.reading import Digested, Known, StreamedFile, read_file
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


def _az_list(items: list[Any]) -> str:
    return json.dumps(items, indent=2)  # as az prints: each item closes on "\n  }"


@pytest.fixture
def cut_items(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many items orjson decoded from their cut text (the pretty-printed way)."""
    decoded: list[int] = []
    loads = orjson.loads

    def counted(text: str) -> Any:
        decoded.append(len(text))
        return loads(text)

    monkeypatch.setattr(orjson, "loads", counted)
    return decoded


def test_az_pretty_printed_items_are_cut_at_their_closing_line(
    tmp_path: Path, exact_reads: list[Path], cut_items: list[int]
) -> None:
    items = [{"id": f"/v/{n}", "size": n, "ratio": n / 3, "tags": {"a": "}\n"}} for n in range(50)]
    text = _az_list(items)
    assert read_file(_written(tmp_path, text)) == items
    assert len(cut_items) == 50 and exact_reads == []


def test_what_orjson_would_read_otherwise_is_read_as_json_reads_it(
    tmp_path: Path, exact_reads: list[Path], cut_items: list[int]
) -> None:
    """Integers beyond 64 bits (orjson would make them floats), a lone surrogate and a
    constant orjson refuses, and an item whose nested object closes at the items'
    indentation (the cut is not a whole value): each as `json` reads it."""
    big = [{"n": 18446744073709551616}, {"n": -9223372036854775809}, {"n": 10**19 + 1}]
    surrogate = '[\n  {\n    "s": "\\ud800"\n  }\n]'
    uneven = '[\n  {\n    "a": {\n  "b": 1\n  },\n    "c": [1]\n  },\n  {\n    "d": 2\n  }\n]'
    for text in (_az_list(big), surrogate, uneven):
        read = read_file(_written(tmp_path, text))
        assert read == json.loads(text)
        assert json.dumps(read) == json.dumps(json.loads(text))  # ints stay ints
    assert read_file(_written(tmp_path, _az_list(big)))[0]["n"] == 18446744073709551616
    assert exact_reads == []
    with pytest.raises(CatalogError, match="NaN is not a number JSON allows"):
        read_file(_written(tmp_path, '[\n  {\n    "x": NaN\n  }\n]'))


def test_nesting_too_deep_in_a_pretty_printed_item_is_refused(
    tmp_path: Path, exact_reads: list[Path], cut_items: list[int]
) -> None:
    deep: Any = 1
    for _ in range(64):
        deep = {"d": deep}
    first = {"pad": "x" * (2 * CHUNK)}  # past the first chunk, which is checked as it is read
    with pytest.raises(CatalogError, match=r"at \[1\]\.d\.d.*nested more than 64 levels deep"):
        read_file(_written(tmp_path, _az_list([first, deep])))
    assert len(cut_items) == 2  # orjson read the item; its depth refused it


@settings(max_examples=100, deadline=None)
@given(items=st.lists(json_values, max_size=6), indent=st.sampled_from([1, 2, 4]))
def test_items_read_with_their_digests_read_as_json_reads_them(
    tmp_path_factory: pytest.TempPathFactory, items: list[Any], indent: int
) -> None:
    """As an import reads a list (each item's text digested, the digests looked up): with
    none known, every item as `json` reads it (those cut at their closing line with their
    digest); read again knowing those digests, those items come as `Known` (not decoded),
    the rest as `json` reads them."""
    text = json.dumps(items, indent=indent)
    path = _written(tmp_path_factory.mktemp("d"), text)
    expected = json.loads(text)
    first = list(StreamedFile(path).entries(lambda digests: set()))
    read = [e.value if isinstance(e, Digested) else e for e in first]
    assert read == expected
    assert json.dumps(read) == json.dumps(expected)
    kept = {e.digest for e in first if isinstance(e, Digested)}  # as an import keeps them
    again = list(StreamedFile(path).entries(lambda digests: kept & set(digests)))
    assert len(again) == len(expected)
    for before, entry, item in zip(first, again, expected, strict=True):
        if isinstance(before, Digested):
            assert entry == Known(before.digest)
        else:
            assert entry == item
