"""A list page's current filter as a CSV or XLSX download (``?export=csv`` / ``?export=xlsx``).

The rows are the list's own queryset (so only records the reader may see) with its search, filters and
sort applied; the columns are model fields named by the list view, shown as the page shows them
(choice labels, related records by name), then the custom fields the reader may read
(``customfields.export``). The download is announced so the privacy app logs it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone

from baton.core.customfields.export import CellWriter, export_fields, export_headers
from baton.core.models import User
from baton.core.xlsxout import table_response

EXPORT_FORMATS = ("csv", "xlsx")
MAX_EXPORT_ROWS = 100_000


def _field(model: type[models.Model], name: str) -> models.Field:
    return model._meta.get_field(name)  # type: ignore[return-value]


def export_header(model: type[models.Model], columns: Sequence[str], *, user: Any = None) -> list[str]:
    """The column titles; with ``user``, the custom fields they may read follow the model's fields."""
    return [str(_field(model, name).verbose_name) for name in columns] + export_headers(
        export_fields(user, model)
    )


def _cell(obj: models.Model, field: models.Field) -> Any:
    if field.is_relation:
        related = getattr(obj, field.name)
        return str(related) if related is not None else ""
    if field.choices:
        return getattr(obj, f"get_{field.name}_display")()
    value = getattr(obj, field.attname)
    if isinstance(value, list | dict):
        return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    if hasattr(value, "tzinfo") and value is not None and getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value)
    return value


def export_rows(qs: QuerySet, columns: Sequence[str], *, user: Any = None) -> Iterator[list[Any]]:
    fields = [_field(qs.model, name) for name in columns]
    related = [f.name for f in fields if f.is_relation]
    custom = CellWriter(export_fields(user, qs.model))
    for obj in qs.select_related(*related)[:MAX_EXPORT_ROWS].iterator(chunk_size=2000):
        yield [_cell(obj, f) for f in fields] + (custom.cells(obj) if custom.fields else [])


def list_export(
    fmt: str, qs: QuerySet, columns: Sequence[str], *, user: User, filename: str, what: str
) -> HttpResponse:
    stamp = timezone.localdate().isoformat()
    return table_response(
        fmt,
        export_header(qs.model, columns, user=user),
        export_rows(qs, columns, user=user),
        filename=f"{filename}-{stamp}",
        exported_by=user,
        what=what,
    )
