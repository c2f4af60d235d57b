"""CSV downloads that a spreadsheet cannot be tricked by (cells that start a formula are neutralised)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse

from baton.core.events import DataExport, data_exported

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A text cell that a spreadsheet would read as a formula gets a leading apostrophe; numbers pass."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_response(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    filename: str,
    exported_by: Any = None,
    what: str = "",
) -> HttpResponse:
    """A CSV download; with ``exported_by`` the export is announced (``data_exported``) to be logged."""
    out = io.StringIO()
    # A BOM so that Excel opens Korean text as UTF-8.
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([safe_cell(str(h)) for h in header])
    count = 0
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
        count += 1
    if exported_by is not None:
        data_exported.emit(DataExport(user=exported_by, what=(what or filename)[:200], rows=count))
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
