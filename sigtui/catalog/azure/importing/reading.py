"""Reading an import file: only a regular file, within a size limit, holding JSON within
the nesting and number limits below. Everything else is one SIG-INPUT error.

This is the one way an import file is read (the CLI and the app). The file is parsed as
it streams in (ijson's C parser, 64 KiB at a time): the text is never held whole, only
the parsed values. A file the streaming parser refuses, or one it cannot take safely
(a run of digits long enough to crash ijson's C parser), is read again the exact way
(whole, with `json`), which names its problem as it always has."""

from __future__ import annotations

import codecs
import hashlib
import json
import math
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, TypeAlias

import ijson
import orjson

from sigtui.catalog.model.errors import CatalogError

MAX_FILE_BYTES = 512 * 1024 * 1024  # the default size limit: 512 MiB
ENV_MAX_SIZE = "SIGTUI_IMPORT_MAX_SIZE"  # changes it, e.g. 2G (so does `import --max-size`)
MAX_DEPTH = 64  # objects and arrays nested deeper are refused; Azure's documents are shallow
MAX_INTEGER_DIGITS = 20  # every 64-bit integer fits; longer integers are refused

_SIZE = re.compile(r"(\d+)\s*([KMG]?)(?:I?B)?", re.IGNORECASE)
_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}
_NOT_REGULAR: tuple[tuple[Callable[[int], bool], str], ...] = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
_SHOWN_TEXT = 40  # characters of a key or a number shown in an error
_SHOWN_LOCATION = 120
_BOM = b"\xef\xbb\xbf"
_DIGITS = b"0123456789"
# ijson's C parser turns an integer's digits into an int itself, and crashes the process
# on one longer than Python's int-to-text limit (4,300 digits by default, 640 at the
# least). A file with a run of this many digits outside strings is read the exact way.
_UNSAFE_DIGITS = 640
_UNSAFE_RUN = re.compile(b"[0-9]{%d,}" % _UNSAFE_DIGITS)
_LARGEST_INTEGER = 10**MAX_INTEGER_DIGITS  # exclusive
_STRING_BODY = re.compile(rb'[^"\\]*(?:\\.[^"\\]*)*', re.DOTALL)
_STRINGS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def parse_size(text: str, source: str) -> int:
    """Bytes from `512M`, `2G`, `1048576` (K, M, G are powers of 1024); `source` names
    where the text came from, for the error."""
    match = _SIZE.fullmatch(text.strip())
    if match is None or int(match[1]) == 0:
        raise CatalogError(
            "SIG-INPUT",
            f"{source}={text!r} is not a size: give bytes, or a number with K, M or G (512M)",
        )
    return int(match[1]) * _UNITS[match[2].upper()]


def max_file_bytes() -> int:
    """The size limit: $SIGTUI_IMPORT_MAX_SIZE, else MAX_FILE_BYTES."""
    text = os.environ.get(ENV_MAX_SIZE, "").strip()
    return parse_size(text, ENV_MAX_SIZE) if text else MAX_FILE_BYTES


def read_file(path: Path, max_bytes: int | None = None) -> Any:
    """The JSON document in `path`, or SIG-INPUT: not a regular file, larger than
    `max_bytes` (default: `max_file_bytes()`), not JSON, or beyond the limits."""
    limit = max_file_bytes() if max_bytes is None else max_bytes
    try:
        with _opened(path, limit) as file:
            return _streamed(path, _Guarded(path, file, limit))
    except (ijson.JSONError, _Unsafe):
        return _read_exactly(path, limit)


class StreamedFile:
    """An import file's JSON values as they stream in, checked as `read_file` checks
    them: the items of a top-level list one at a time (az's output; never all held),
    anything else as one whole value. `bytes_read` of `size` tells how far it has got;
    `error` is the refusal the reading raised, if any."""

    def __init__(self, path: Path, max_bytes: int | None = None) -> None:
        self.path = path
        self.limit = max_file_bytes() if max_bytes is None else max_bytes
        self.size = 0
        self.error: CatalogError | None = None
        self._file: _Guarded | None = None

    @property
    def bytes_read(self) -> int:
        return self._file.bytes_read if self._file is not None else 0

    def check(self) -> None:
        """SIG-INPUT unless the path is a regular file within the size limit."""
        try:
            self.size = _checked_size(self.path, self.limit)
        except CatalogError as exc:
            self.error = exc
            raise

    def read_through(self) -> None:
        """Read the whole file, holding nothing: SIG-INPUT as the import would refuse it."""
        for _ in self.values():
            pass

    def values(self) -> Iterator[Any]:
        return self.entries(None)

    def entries(self, known: KnownDigests | None) -> Iterator[Any]:
        """The values, as `values`; with `known`, an item of a pretty-printed list comes
        as `Digested` (its value and its text's digest), or as `Known` when `known` says
        the catalog holds its text's digest (then its text is not decoded)."""
        try:
            yield from self._values(known)
        except CatalogError as exc:
            self.error = exc
            raise

    def _values(self, known: KnownDigests | None) -> Iterator[Any]:
        given = 0
        try:
            with _opened(self.path, self.limit) as file:
                self.size = os.fstat(file.fileno()).st_size
                self._file = guarded = _Guarded(self.path, file, self.limit)
                if _first_byte(guarded) != b"[":
                    document = _whole(self.path, guarded)
                else:
                    for item in _ListScanner(self.path, guarded, known).items():
                        yield item
                        given += 1
                    return
        except (ijson.JSONError, _Unsafe):
            exact = _read_exactly(self.path, self.limit)  # names the problem
            yield from exact[given:] if isinstance(exact, list) else [exact]
            return
        yield document


def _checked_size(path: Path, limit: int) -> int:
    try:
        info = os.stat(path)
    except OSError as exc:
        raise CatalogError("SIG-INPUT", f"cannot read {path}: {exc.strerror}") from None
    except ValueError:  # a NUL character in the path
        raise CatalogError("SIG-INPUT", f"cannot read {path}: not a valid path") from None
    _check_file(path, info, limit)
    return info.st_size


def _read_exactly(path: Path, limit: int) -> Any:
    """The whole text, parsed by `json`: slower and larger, but it names any problem
    exactly (its message, or the location of a refused number or nesting)."""
    document = _parsed(path, _contents(path, limit))
    _check_tree(path, document)
    return document


# --- streaming ---------------------------------------------------------------------------


class _Unsafe(Exception):
    """The file holds what ijson's C parser cannot take safely (see _Guarded)."""


@contextmanager
def _opened(path: Path, limit: int) -> Iterator[BinaryIO]:
    """The file open for reading, checked as `_contents` checks it; a read error is a
    SIG-INPUT error."""
    try:
        _check_file(path, os.stat(path), limit)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise CatalogError("SIG-INPUT", f"cannot read {path}: {exc.strerror}") from None
    except ValueError:  # a NUL character in the path
        raise CatalogError("SIG-INPUT", f"cannot read {path}: not a valid path") from None
    try:
        with os.fdopen(fd, "rb") as file:
            _check_file(path, os.fstat(fd), limit)
            yield file
    except OSError as exc:
        raise CatalogError("SIG-INPUT", f"cannot read {path}: {exc.strerror}") from None


class _Guarded:
    """The file as ijson reads it: without a UTF-8 BOM, within the size limit (a file
    that grows while read is refused), and never handing over what would crash or
    swamp the C parser: a long run of digits, or nesting deeper than MAX_DEPTH (ijson
    keeps each value's path as text, which grows as the square of the depth). Both are
    checked across the chunks' edges; the nesting outside strings only."""

    def __init__(self, path: Path, file: BinaryIO, limit: int) -> None:
        self._path, self._file, self._limit = path, file, limit
        self._read = 0
        self._trailing_digits = 0  # the digits that ended the chunk before
        self._long_digits_read = False  # a run of _LONG_DIGITS digits, so far
        self._pending: bytes | None = None  # a chunk peeked at
        self._depth = 0
        self._in_string = False
        self._escaped = False  # the chunk before ended inside a string on a lone `\`
        self.guards = True  # False: for a reader that needs none (_ListScanner)

    @property
    def bytes_read(self) -> int:
        return self._read

    def peek(self) -> bytes:
        """The first chunk, kept to be read again."""
        if self._pending is None:
            self._pending = self.read(64 * 1024)
        return self._pending

    def read(self, size: int) -> bytes:
        if size == 0:  # ijson asks for nothing first, to learn bytes from text
            return b""
        if self._pending is not None:
            data, self._pending = self._pending, None
            return data
        data = self._file.read(size)
        if self._read == 0:
            data = data.removeprefix(_BOM)
        self._read += len(data)
        if self._read > self._limit:
            raise _too_large(self._path, f"more than {self._limit:,}", self._limit)
        if self.guards:
            self._guard_digits(self._guard_depth(data))
        return data

    def _guard_digits(self, data: bytes) -> None:
        """`data`: the chunk's text outside strings (a number is never in one)."""
        leading = len(data) - len(data.lstrip(_DIGITS))
        if self._trailing_digits + leading >= _UNSAFE_DIGITS or _UNSAFE_RUN.search(data):
            raise _Unsafe
        if leading == len(data):
            self._trailing_digits += leading
        else:
            self._trailing_digits = len(data) - len(data.rstrip(_DIGITS))

    def _guard_depth(self, data: bytes) -> bytes:
        """Refuse nesting too deep; the chunk's text outside strings."""
        start = self._string_end(data, 0) if self._in_string else 0
        if start is None:
            return b""
        outside = _STRINGS.sub(b"", data[start:])
        opened = outside.find(b'"')  # a string that goes on into the next chunk
        if opened >= 0:
            tail = data[len(data) - (len(outside) - opened) + 1 :]
            self._in_string = True
            self._escaped = (len(tail) - len(tail.rstrip(b"\\"))) % 2 == 1
            outside = outside[:opened]
        depth = self._depth
        for byte in outside.translate(None, _NOT_BRACKETS):
            if byte == 91 or byte == 123:  # [ {
                depth += 1
                if depth > MAX_DEPTH:
                    raise _Unsafe
            else:
                depth -= 1
        self._depth = depth
        return outside

    def _string_end(self, data: bytes, start: int) -> int | None:
        """Where the string the chunk began in ends (after its quote), or None."""
        if self._escaped:
            start += 1
        end = _STRING_BODY.match(data, start)
        assert end is not None  # the pattern matches the empty text
        stop = end.end()
        if stop < len(data) and data[stop] == 34:  # "
            self._in_string = self._escaped = False
            return stop + 1
        self._escaped = stop < len(data)  # stopped on a lone `\`, the chunk's last byte
        return None


def _streamed(path: Path, file: _Guarded) -> Any:
    """The one JSON value of the file, built as it streams in and checked: a top-level
    list (az's output) an item at a time, anything else whole."""
    if _first_byte(file) != b"[":
        return _whole(path, file)
    checker = _Checker(path)  # shares the keys between the items held
    items = _ListScanner(path, file).items()
    return [checker.checked(item, (None, index)) for index, item in enumerate(items)]


# which of these digests of items' texts the catalog holds
KnownDigests = Callable[[list[str]], set[str]]


@dataclass(frozen=True, slots=True)
class Digested:
    """An item of a pretty-printed list, with the digest of its text (`text_digest`)."""

    value: Any
    digest: str
    # its text holds no NUL character (`may_hold_nul`): its values are not walked for one
    # (`schemas.build_checked`)
    nul_free: bool = False


@dataclass(frozen=True, slots=True)
class Known:
    """An item whose text the catalog holds as it is (by its digest): not decoded. The
    text was a whole JSON value when the catalog took it, and so it is here."""

    digest: str


def may_hold_nul(json_text: str) -> bool:
    """Whether the values decoded from this JSON text may hold a NUL character: JSON
    writes one only as the escape `\\u0000` (a raw one is refused by every decoder)."""
    return "\\u0000" in json_text or "\x00" in json_text


def text_digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


_DIGESTS_AT_ONCE = 500  # items' digests looked up together (at most a chunk's worth)
_SCAN_CHUNK = 256 * 1024  # bytes read at a time while scanning a list's items
_SPACE = re.compile(r"[ \t\n\r]*")
_SEPARATOR = re.compile(r"[ \t\n\r]*,[ \t\n\r]*")  # between two items of a list
# orjson turns an integer beyond 64 bits into a float: from a run of this many digits on
# (outside strings or in), the items are decoded by `json`, which keeps it an int (or
# refuses it)
_LONG_DIGITS = 19
_AS_DIGITS = bytes(48 if byte in _DIGITS else 32 for byte in range(256))  # "0" or " "


class _ListScanner:
    """The items of a top-level JSON list, each decoded by `json`'s C scanner from a
    buffer that holds the text of one item and a chunk at most (read again with a larger
    chunk when an item runs past it): `json`'s result and its speed, memory bounded by
    the largest item. Numbers go through the exact reading's checks (a refused one is
    named by its location); an item nested deeper than MAX_DEPTH, and any text `json`
    refuses, raise _Unsafe (the exact reading names the problem).

    Pretty-printed lists (az's output) go quicker: each item ends with a line that
    closes it at the first item's indentation (a newline is never inside a JSON string),
    so its text is cut there and decoded whole by orjson (numbers natively: a third of
    the time). Whatever orjson refuses or might read otherwise (a run of 19 digits, a
    cut that is not one whole value) is decoded the exact way above instead. With
    `known`, the cut texts' digests are looked up a chunk at a time, and a known one is
    not decoded at all (`Known`)."""

    def __init__(self, path: Path, file: _Guarded, known: KnownDigests | None = None) -> None:
        self._path, self._file, self._known = path, file, known
        # by an item's start: its text's digest, whether the catalog knows it, its end, and
        # where the next item starts (-1: not found yet)
        self._digests: dict[int, tuple[str, bool, int, int]] = {}
        self._following = -1  # where the item after the one just given starts, if known
        file.guards = False  # `json` takes any run of digits and any nesting safely
        self._decode = codecs.getincrementaldecoder("utf-8")().decode
        self._text = ""
        self._at = 0
        self._eof = False
        self._refused = False
        self._item_end: str | None = None  # the line that ends an item, once known
        self._trailing_digits = 0  # the digits that ended the chunk before
        self._long_digits_read = False  # a run of _LONG_DIGITS digits, so far
        decoder = json.JSONDecoder(
            parse_int=self._integer, parse_float=self._float, parse_constant=self._constant
        )
        self._scan = decoder.raw_decode

    def items(self) -> Iterator[Any]:
        try:
            yield from self._items()
        except (ValueError, RecursionError):  # not UTF-8, not JSON, or nested too deep
            raise _Unsafe from None

    def _items(self) -> Iterator[Any]:
        if self._next_char() != "[":
            raise _Unsafe
        self._at += 1
        if self._next_char() == "]":
            self._at += 1
            return self._end()
        self._item_end = _item_end(self._text, self._at)
        index = 0
        while True:
            yield self._item(index)
            index += 1
            if self._following >= 0:  # its separator was read already (`_look_up`)
                self._at, self._following = self._following, -1
                continue
            following = self._next_char()
            self._at += 1
            if following == "]":
                return self._end()
            if following != ",":
                raise _Unsafe
            self._next_char()

    def _item(self, index: int) -> Any:
        if self._item_end is not None and not self._long_digits_read:
            value = self._cut_item()
            if value is not _NOT_CUT:
                return value
            self._digests = {}  # the cuts after this item may not be items
        size = _SCAN_CHUNK
        while True:
            start = self._at
            try:
                value, end = self._scan(self._text, start)
            except json.JSONDecodeError:
                end = -1
            # an item ending where the text ends may go on (a number) unless the file has
            if (end < 0 or end == len(self._text)) and self._more(size):
                size *= 2
                continue
            if end < 0:
                raise _Unsafe
            self._at = end
            return self._checked(value, index, start, end)

    def _cut_item(self) -> Any:
        """The item decoded by orjson from its text up to the line that ends it (or not
        decoded: `Known`), or _NOT_CUT (the exact way decodes it)."""
        digest = None
        if self._known is None:
            end = self._cut_end()
        else:
            looked_up = self._digests.get(self._at) or self._look_up()
            if looked_up is None:
                return _NOT_CUT
            digest, known, end, following = looked_up
            if known:
                self._at, self._following = end, following
                return Known(digest)
        if end is None:
            return _NOT_CUT
        text = self._text[self._at : end]
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError:
            return _NOT_CUT
        brackets = text.count("[") + text.count("{")
        if brackets >= MAX_DEPTH - 1 and _depth(value) > MAX_DEPTH - 1:  # the list is 1
            raise _Unsafe
        self._at = end
        if digest is None:
            return value
        self._following = following
        return Digested(value, digest, not may_hold_nul(text))

    def _cut_end(self) -> int | None:
        """Where the item's closing line ends (reading on as needed), or None."""
        assert self._item_end is not None
        searched = self._at
        while (found := self._text.find(self._item_end, searched)) < 0:
            searched = max(self._at, len(self._text) - len(self._item_end))
            start = self._at
            if not self._more(_SCAN_CHUNK):
                return None
            searched -= start  # `_more` dropped the text before the item
        return found + len(self._item_end)

    def _look_up(self) -> tuple[str, bool, int, int] | None:
        """The item's digest, whether the catalog knows it, its end and where the next
        item starts; and those of the items cut after it in the text read so far (one
        look-up for them all)."""
        assert self._known is not None and self._item_end is not None
        end = self._cut_end()  # may read on
        if end is None:
            return None
        text, at = self._text, self._at
        cuts: dict[int, tuple[str, int, int]] = {}
        while True:
            separator = _SEPARATOR.match(text, end)
            following = -1 if separator is None else separator.end()
            cuts[at] = (text_digest(text[at:end]), end, following)
            if following < 0 or len(cuts) == _DIGESTS_AT_ONCE:
                break
            found = text.find(self._item_end, following)
            if found < 0:
                break
            at, end = following, found + len(self._item_end)
        known = self._known([digest for digest, _, _ in cuts.values()])
        self._digests = {
            at: (digest, digest in known, end, following)
            for at, (digest, end, following) in cuts.items()
        }
        return self._digests[self._at]

    def _checked(self, value: Any, index: int, start: int, end: int) -> Any:
        text = self._text
        brackets = text.count("[", start, end) + text.count("{", start, end)
        if brackets >= MAX_DEPTH - 1 and _depth(value) > MAX_DEPTH - 1:  # the list is 1
            raise _Unsafe
        if self._refused:
            _check_tree(self._path, value, (None, index), depth=2)
        return value

    def _next_char(self) -> str:
        """The next character after white space ("" at the end of the file)."""
        while True:
            found = _SPACE.match(self._text, self._at)
            assert found is not None  # the pattern matches the empty text
            self._at = found.end()
            if self._at < len(self._text):
                return self._text[self._at]
            if not self._more(_SCAN_CHUNK):
                return ""

    def _more(self, size: int) -> bool:
        """Add the next chunk to the text (the part scanned dropped); False at the end."""
        if self._eof:
            return False
        data = self._file.read(size)
        self._eof = not data
        if not self._long_digits_read:  # from there on, every item the exact way
            self._long_digits_read = self._long_digits(data)
        added = self._decode(data, final=self._eof)
        self._text = self._text[self._at :] + added
        self._at = 0
        self._digests, self._following = {}, -1  # their places moved
        return bool(data)

    def _long_digits(self, data: bytes) -> bool:
        """Whether a run of _LONG_DIGITS digits ends in the chunk (across its start too)."""
        digits = data.translate(_AS_DIGITS)
        run = b"0" * _LONG_DIGITS
        if (b"0" * self._trailing_digits + digits[:_LONG_DIGITS]).find(run) >= 0:
            return True
        kept = len(digits) - len(digits.rstrip(b"0"))
        self._trailing_digits = self._trailing_digits + kept if kept == len(digits) else kept
        return digits.find(run) >= 0

    def _end(self) -> None:
        """After the list: white space only."""
        if self._next_char() != "":
            raise _Unsafe

    def _integer(self, text: str) -> int | _Refused:
        number = _integer(text)
        if type(number) is not int:
            self._refused = True
        return number

    def _float(self, text: str) -> float | _Refused:
        number = _float(text)
        if type(number) is not float:
            self._refused = True
        return number

    def _constant(self, text: str) -> _Refused:
        self._refused = True
        return _constant(text)


_NOT_CUT = object()
_INDENT = re.compile(r"\n([ \t]*)\Z")


def _item_end(text: str, first: int) -> str | None:
    """The line that closes an item of a pretty-printed list: a newline, the first
    item's indentation and `}` (None: the first item is not an object on a line of its
    own)."""
    indent = _INDENT.search(text, 0, first)
    if indent is None or not text.startswith("{", first):
        return None
    return f"\n{indent[1]}}}"


def _depth(value: Any) -> int:
    """How deep a value's arrays and objects are nested (a scalar: 0)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        value, depth = stack.pop()
        children = _children(value)
        if children is not None:
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for _, child in children)
    return deepest


def _whole(path: Path, file: _Guarded) -> Any:
    """The file's one JSON value, built whole and checked."""
    values = ijson.items(file, "", use_float=False)  # numbers with a fraction: Decimal
    document = _Checker(path).checked(next(values), None)
    for _ in values:  # there is none: this reads to the end, where text is refused
        pass
    return document


def _first_byte(file: _Guarded) -> bytes:
    """The first byte of the JSON text (after white space), left to be read again."""
    first = file.peek()
    return first.lstrip(b" \t\r\n")[:1]


_Entry: TypeAlias = tuple[Any, "_Location"]


class _Checker:
    """Checks each value as `json` would have it: numbers as `json` gives them (floats,
    not Decimals), refused numbers named by their location (the first in the file's
    order; the nesting was checked as the file streamed in); and shares each object
    key's text between objects, as `json` does (ijson makes one per occurrence: a
    third of the memory)."""

    def __init__(self, path: Path, *, share_keys: bool = True) -> None:
        self._path = path
        self._keys: dict[str, str] = {}
        self._share_keys = share_keys  # not for values that are dropped once planned

    def checked(self, value: Any, location: _Location) -> Any:
        """`value` checked, its numbers converted; iterative (no recursion)."""
        value = self._shared(value) if type(value) is dict else value
        if type(value) is not dict and type(value) is not list:
            return self._scalar(value, location)
        stack: list[_Entry] = [(value, location)]
        while stack:
            container, where = stack.pop()
            if isinstance(container, _Refused):
                raise self._refused(container, where)
            stack.extend(reversed(self._children(container, where)))
        return value

    def _children(self, container: dict[str, Any] | list[Any], location: _Location) -> list[_Entry]:
        """Convert the container's numbers and share its objects' keys, in place; its
        nested containers (and the first refused number, after which nothing
        matters), in the file's order."""
        nested: list[_Entry] = []
        pairs: Iterable[tuple[Any, Any]] = (
            container.items() if type(container) is dict else enumerate(container)
        )
        for key, value in pairs:
            kind = type(value)
            if kind is dict:
                value = container[key] = self._shared(value)
                nested.append((value, (location, key)))
            elif kind is list:
                nested.append((value, (location, key)))
            elif kind is Decimal or kind is int:
                number = _number(value)
                if isinstance(number, _Refused):
                    nested.append((number, (location, key)))
                    break
                container[key] = number
        return nested

    def _shared(self, value: dict[str, Any]) -> dict[str, Any]:
        if not self._share_keys:
            return value
        keys = self._keys
        return {keys.setdefault(key, key): item for key, item in value.items()}

    def _scalar(self, value: Any, location: _Location) -> Any:
        number = _number(value) if type(value) is int or type(value) is Decimal else value
        if isinstance(number, _Refused):
            raise self._refused(number, location)
        return number

    def _refused(self, refused: _Refused, location: _Location) -> CatalogError:
        return CatalogError("SIG-INPUT", f"{self._path}: at {_shown(location)}: {refused.problem}")


def _number(value: int | Decimal) -> int | float | _Refused:
    """An int within MAX_INTEGER_DIGITS, or a Decimal as the finite float `json` reads
    from the same text (float() of a Decimal is correctly rounded, as float() of text)."""
    if type(value) is int:
        if -_LARGEST_INTEGER < value < _LARGEST_INTEGER:
            return value
        return _integer(str(value))
    number = float(value)
    return number if math.isfinite(number) else _float(_scientific(Decimal(value)))


def _scientific(value: Decimal) -> str:
    """`1e999`, `-1.5e400`: a Decimal's digits as a number's text."""
    sign, digits, exponent = value.as_tuple()
    mantissa = "".join(map(str, digits))
    shown = mantissa[0] + (f".{mantissa[1:]}" if len(mantissa) > 1 else "")
    return f"{'-' if sign else ''}{shown}e{int(exponent) + len(mantissa) - 1}"


# --- the exact reading ---------------------------------------------------------------------


def _contents(path: Path, limit: int) -> bytes:
    # Checked before opening, so that a FIFO or a device is never opened; opened without
    # blocking and checked again, so that one swapped in meanwhile cannot hang the read.
    try:
        _check_file(path, os.stat(path), limit)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as file:
            _check_file(path, os.fstat(fd), limit)
            data = file.read(limit + 1)
    except OSError as exc:
        raise CatalogError("SIG-INPUT", f"cannot read {path}: {exc.strerror}") from None
    except ValueError:  # a NUL character in the path
        raise CatalogError("SIG-INPUT", f"cannot read {path}: not a valid path") from None
    if len(data) > limit:  # it grew while being read
        raise _too_large(path, f"more than {limit:,}", limit)
    return data


def _check_file(path: Path, info: os.stat_result, limit: int) -> None:
    for is_kind, kind in _NOT_REGULAR:
        if is_kind(info.st_mode):
            raise CatalogError("SIG-INPUT", f"{path} is {kind}; import reads only regular files")
    if not stat.S_ISREG(info.st_mode):
        raise CatalogError(
            "SIG-INPUT", f"{path} is not a regular file; import reads only regular files"
        )
    if info.st_size > limit:
        raise _too_large(path, f"{info.st_size:,}", limit)


def _too_large(path: Path, size: str, limit: int) -> CatalogError:
    return CatalogError(
        "SIG-INPUT",
        f"{path} is {size} bytes; import takes files of at most {limit:,} bytes "
        f"(split it, or raise the limit with {ENV_MAX_SIZE} or `sigtui import --max-size`)",
    )


class _Refused:
    """A number the parser met that is refused; found, with its location, by _check_tree."""

    def __init__(self, problem: str) -> None:
        self.problem = problem


def _integer(text: str) -> int | _Refused:
    digits = len(text.lstrip("-"))
    if digits > MAX_INTEGER_DIGITS:
        return _Refused(
            f"an integer of {digits:,} digits; import takes integers of at most "
            f"{MAX_INTEGER_DIGITS} digits"
        )
    return int(text)


def _float(text: str) -> float | _Refused:
    value = float(text)
    if math.isfinite(value):
        return value
    shown = text if len(text) <= _SHOWN_TEXT else text[: _SHOWN_TEXT - 1] + "…"
    return _Refused(f"the number {shown} is out of range")


def _constant(text: str) -> _Refused:
    return _Refused(f"{text} is not a number JSON allows")


def _parsed(path: Path, data: bytes) -> Any:
    try:
        text = data.decode("utf-8-sig")
        return json.loads(text, parse_int=_integer, parse_float=_float, parse_constant=_constant)
    except RecursionError:
        raise CatalogError("SIG-INPUT", _too_deep(path, "")) from None
    except UnicodeDecodeError as exc:
        raise CatalogError("SIG-INPUT", f"{path} is not JSON (not UTF-8): {exc.reason}") from None
    except ValueError as exc:  # JSONDecodeError
        raise CatalogError("SIG-INPUT", f"{path} is not JSON: {exc}") from None


# A location, built only when needed: (parent, key), the document itself being None.
_Location: TypeAlias = tuple["_Location", str | int] | None


def _check_tree(path: Path, document: Any, location: _Location = None, depth: int = 1) -> None:
    """Refuse nesting deeper than MAX_DEPTH and a refused number, naming the first (in
    the file's order) by its location. Iterative: no recursion however deep the file.
    `location` and `depth`: of a value within the document."""
    stack: list[tuple[Any, int, _Location]] = [(document, depth, location)]
    while stack:
        value, depth, location = stack.pop()
        if isinstance(value, _Refused):
            raise CatalogError("SIG-INPUT", f"{path}: at {_shown(location)}: {value.problem}")
        children = _children(value)
        if children is None:
            continue
        if depth > MAX_DEPTH:
            raise CatalogError("SIG-INPUT", _too_deep(path, f" at {_shown(location)}:"))
        stack.extend(reversed([(child, depth + 1, (location, key)) for key, child in children]))


def _children(value: Any) -> Iterable[tuple[str | int, Any]] | None:
    if isinstance(value, dict):
        return value.items()
    if isinstance(value, list):
        return enumerate(value)
    return None


def _too_deep(path: Path, where: str) -> str:
    return (
        f"{path}:{where} objects and arrays are nested more than {MAX_DEPTH} levels deep; "
        f"import takes at most {MAX_DEPTH}"
    )


def _shown(location: _Location) -> str:
    """`.value[3].properties` (the document itself: `the top level`)."""
    parts: list[str] = []
    while location is not None:
        location, key = location
        parts.append(_step(key))
    shown = "".join(reversed(parts)) or "the top level"
    return shown if len(shown) <= _SHOWN_LOCATION else shown[: _SHOWN_LOCATION - 1] + "…"


def _step(key: str | int) -> str:
    if isinstance(key, int):
        return f"[{key}]"
    if key.isidentifier():
        return f".{key}"
    return f"[{json.dumps(key[:_SHOWN_TEXT])}]"
