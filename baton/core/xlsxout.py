"""XLSX downloads next to the CSV ones: the same header and rows, one sheet, text that would start a
formula neutralised the way ``csvout`` does it (and stored as text, never as a formula)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.utils.exceptions import IllegalCharacterError

from baton.core.csvout import csv_response, safe_cell
from baton.core.events import DataExport, data_exported

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Characters XML 1.0 cannot carry (openpyxl refuses them); replaced rather than failing the download.
_ILLEGAL = {c: "\ufffd" for c in [*range(0, 9), 11, 12, *range(14, 32)]}


def xlsx_value(value: Any) -> Any:
    """What one cell holds: numbers stay numbers Excel can sum (a Decimal of 15 digits or more is
    written as text, as a float could not hold it exactly), dates stay dates, the rest is text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        return float(value) if abs(value) < Decimal(10) ** 15 else str(value)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return value
    return safe_cell(str(value).translate(_ILLEGAL))


def xlsx_bytes(header: Sequence[Any], rows: Iterable[Sequence[Any]], *, title: str = "Baton") -> bytes:
    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = title[:31] or "Baton"
    for r, row in enumerate([header, *rows], start=1):
        for c, raw in enumerate(row, start=1):
            value = xlsx_value(str(raw) if r == 1 else raw)
            try:
                cell = sheet.cell(row=r, column=c, value=value)
            except IllegalCharacterError:  # pragma: no cover - _ILLEGAL covers XML's forbidden set
                cell = sheet.cell(row=r, column=c, value="")
            if isinstance(value, str):
                cell.data_type = TYPE_STRING  # never a formula, whatever the text looks like
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(header: Sequence[Any], rows: Iterable[Sequence[Any]], *, filename: str) -> HttpResponse:
    name = filename if filename.endswith(".xlsx") else f"{filename}.xlsx"
    response = HttpResponse(xlsx_bytes(header, rows), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def table_response(
    fmt: str,
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    filename: str,
    exported_by: Any = None,
    what: str = "",
) -> HttpResponse:
    """The table as ``csv`` or ``xlsx``; ``filename`` without its extension. With ``exported_by`` the
    export is announced (``data_exported``) so that the privacy app logs who took what."""
    base = filename.removesuffix(".csv").removesuffix(".xlsx")
    if fmt == "xlsx":
        listed = list(rows)
        if exported_by is not None:
            data_exported.emit(
                DataExport(user=exported_by, what=(what or base)[:200], rows=len(listed), kind="xlsx")
            )
        return xlsx_response(header, listed, filename=f"{base}.xlsx")
    return csv_response(header, rows, filename=f"{base}.csv", exported_by=exported_by, what=what)
