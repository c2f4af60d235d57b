"""Reading an uploaded CSV or XLSX file row by row, without loading it into memory.

CSV: UTF-8 (with or without the byte-order mark) or CP949/EUC-KR, the encodings Korean Excel writes;
the encoding is decided on the first megabyte and the whole file is checked as it is read. XLSX: the
first sheet, read in openpyxl's streaming mode. The first row names the columns.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook  # type: ignore[import-untyped]

ENCODINGS = ("utf-8-sig", "cp949")
SNIFF_BYTES = 1 << 20
MAX_COLUMNS = 200


class FileError(Exception):
    """The file cannot be read as a table; the message says why, in the reader's words."""


def is_xlsx(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(4) == b"PK\x03\x04"


def detect_encoding(path: Path) -> str:
    """utf-8-sig when the start decodes as UTF-8, else cp949 (a superset of EUC-KR), else refuse."""
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    for encoding in ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            decoder.decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    raise FileError(_("The file is neither UTF-8 nor CP949/EUC-KR text. Save it as CSV UTF-8 or XLSX."))


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dt.datetime | dt.date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_header(header: list[Any]) -> list[str]:
    names = [str(_cell(h)) for h in header]
    while names and not names[-1]:
        names.pop()
    if not names or not any(names):
        raise FileError(_("The first row must name the columns; it is empty."))
    if len(names) > MAX_COLUMNS:
        raise FileError(_("The file has more than %(n)s columns.") % {"n": MAX_COLUMNS})
    seen = set()
    for name in names:
        if name and name in seen:
            raise FileError(_("The column “%(name)s” appears twice in the first row.") % {"name": name})
        seen.add(name)
    return names


class Table:
    """Open with ``open_table(path)``; ``headers`` names the columns and ``rows()`` yields
    (line number, {column: value}) for every non-empty row after the header."""

    def __init__(self, path: Path, encoding: str, headers: list[str]):
        self.path = path
        self.encoding = encoding
        self.headers = headers

    def rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        if self.encoding == "xlsx":
            yield from self._xlsx_rows()
        else:
            yield from self._csv_rows()

    def _pack(self, number: int, values: list[Any]) -> tuple[int, dict[str, Any]] | None:
        cells = [_cell(v) for v in values]
        if not any(c != "" for c in cells):
            return None
        return number, {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(self.headers) if h}

    def _lines(self) -> Iterator[str]:
        """The file's lines decoded one by one, so a bad byte is reported at its own line."""
        with self.path.open("rb") as fh:
            for number, raw in enumerate(fh, start=1):
                encoding = self.encoding if number == 1 or self.encoding != "utf-8-sig" else "utf-8"
                try:
                    yield raw.decode(encoding)
                except UnicodeDecodeError as exc:
                    raise FileError(
                        _("Line %(line)s is not valid %(encoding)s text; save the file as CSV UTF-8 or XLSX.")
                        % {"encoding": self.encoding, "line": number}
                    ) from exc

    def _csv_rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        reader = csv.reader(self._lines())
        try:
            next(reader, None)
            for values in reader:
                packed = self._pack(reader.line_num, values)
                if packed is not None:
                    yield packed
        except csv.Error as exc:
            raise FileError(
                _("Line %(line)s is not valid CSV: %(error)s") % {"line": reader.line_num, "error": exc}
            ) from exc

    def _xlsx_rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        book = load_workbook(self.path, read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            for number, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
                packed = self._pack(number, list(values))
                if packed is not None:
                    yield packed
        finally:
            book.close()


def open_table(path: Path) -> Table:
    """Check the file's format and header; raises FileError with a readable message."""
    if not path.exists() or path.stat().st_size == 0:
        raise FileError(_("The file is empty."))
    if is_xlsx(path):
        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds on a damaged file
            raise FileError(_("The XLSX file cannot be opened: it is damaged or not a workbook.")) from exc
        try:
            if not book.worksheets:
                raise FileError(_("The workbook has no sheet."))
            first = next(book.worksheets[0].iter_rows(max_row=1, values_only=True), None)
        finally:
            book.close()
        if first is None:
            raise FileError(_("The first sheet is empty."))
        return Table(path, "xlsx", _check_header(list(first)))
    encoding = detect_encoding(path)
    with path.open("rb") as fh:
        first = fh.readline(SNIFF_BYTES)
    try:
        header = next(csv.reader(io.StringIO(first.decode(encoding))), None)
    except UnicodeDecodeError as exc:
        raise FileError(_("The first row is not valid %(encoding)s text.") % {"encoding": encoding}) from exc
    if header is None:
        raise FileError(_("The file is empty."))
    return Table(path, encoding, _check_header(header))


def count_rows(table: Table) -> int:
    return sum(1 for _row in table.rows())
