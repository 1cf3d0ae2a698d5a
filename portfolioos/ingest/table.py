"""Bytes to rows: encoding, delimiter, line numbers, size limits.

A broker file may be UTF-8 with or without a BOM, cp1252 (Excel on Windows), comma,
semicolon or tab separated. Each row keeps the physical line it started on, so every
later message can say "line 12". Binary, empty and absurdly wide input is refused here
with an ImportFileError, never a traceback from the csv module.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from portfolioos.errors import ImportFileError, Location

MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_FIELD_CHARS = 10_000


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    cells: tuple[str, ...]

    @property
    def blank(self) -> bool:
        return not any(c.strip() for c in self.cells)


@dataclass(frozen=True, slots=True)
class Table:
    """A decoded delimited file: its rows, delimiter and the encoding that worked."""

    name: str
    rows: tuple[Row, ...]
    delimiter: str
    encoding: str


def read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportFileError(
                f"{path.name}: {size} bytes is larger than the "
                f"{MAX_FILE_BYTES // 2**20} MB an import accepts."
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise ImportFileError(f"{path}: no such file.") from None
    except IsADirectoryError:
        raise ImportFileError(f"{path}: is a folder, not a file.") from None
    except OSError as exc:
        raise ImportFileError(f"{path}: cannot be read ({exc.strerror}).") from None


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Text and the encoding used: UTF-8 (BOM stripped), else cp1252, else refused."""
    if not data.strip():
        raise ImportFileError(f"{Location(name, 1)}: the file is empty.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    nul = data.find(b"\x00", 0, 65536)
    if nul >= 0:
        raise ImportFileError(
            f"{Location(name, _line_of(data, nul))}: this is a binary file, "
            "not a CSV or OFX export (it contains NUL bytes)."
        )
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportFileError(
            f"{Location(name, _line_of(data, utf8_error.start))}: the text is neither UTF-8 nor "
            "Windows-1252; save the export as UTF-8 and try again."
        ) from None
    return text, "cp1252"


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the most lines into the same number (> 1) of cells."""
    best, best_score = ",", -1
    sample = [ln for ln in lines[:200] if ln.strip()]
    for delim in (",", ";", "\t", "|"):
        counts: dict[int, int] = {}
        for ln in sample:
            n = _count_cells(ln, delim)
            if n > 1:
                counts[n] = counts.get(n, 0) + 1
        if not counts:
            continue
        width, freq = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        score = freq * 1000 + width
        if score > best_score:
            best, best_score = delim, score
    return best


def _count_cells(line: str, delim: str) -> int:
    try:
        return len(next(csv.reader([line], delimiter=delim)))
    except (csv.Error, StopIteration):
        return 0


def read_table(path: Path, *, delimiter: str | None = None) -> Table:
    data = read_bytes(path)
    return parse_table(data, path.name, delimiter=delimiter)


def parse_table(data: bytes, name: str, *, delimiter: str | None = None) -> Table:
    text, encoding = decode(data, name)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    delim = delimiter or sniff_delimiter(lines)
    rows: list[Row] = []
    reader = csv.reader(io.StringIO(text), delimiter=delim, strict=False)
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ImportFileError(f"{Location(name, reader.line_num)}: {exc}.") from None
        for i, cell in enumerate(cells):
            if len(cell) > MAX_FIELD_CHARS:
                raise ImportFileError(
                    f"{Location(name, start, i + 1)}: a field of {len(cell)} characters is longer "
                    f"than the {MAX_FIELD_CHARS} an import accepts (an unclosed quote?)."
                )
        rows.append(Row(start, tuple(c.strip() for c in cells)))
        start = reader.line_num + 1
    return Table(name, tuple(rows), delim, encoding)
