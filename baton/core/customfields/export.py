"""Custom field values in list downloads (CSV/XLSX), in a form a person reads and the importer reads
back (``customfields.imports``): numbers as numbers, money as ``1500 USD``, dates ISO, date-times in
Seoul time, yes/no, choices by their label, users by name, records by ``#id``.

Only the fields the reader may read are columns; the user names a user field holds are read once per
download, not once per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from baton.core.customfields.models import CustomField, FieldType
from baton.core.customfields.schema import readable_custom_fields
from baton.core.models import User


def export_fields(user: Any, model: Any) -> list[CustomField]:
    """The custom field columns of ``model``'s download for ``user`` (none when nobody is named)."""
    if user is None:
        return []
    return readable_custom_fields(user, model)


def export_headers(fields: Sequence[CustomField]) -> list[str]:
    return [definition.label for definition in fields]


class CellWriter:
    """Turns stored values into cells; user names are fetched in one query per download (lazily)."""

    def __init__(self, fields: Sequence[CustomField]):
        self.fields = list(fields)
        self._users: dict[int, str] | None = None

    def _user(self, value: Any) -> str:
        if self._users is None:
            self._users = {u.pk: str(u) for u in User.objects.only("id", "display_name", "username")}
        try:
            return self._users.get(int(value), f"#{value}")
        except (TypeError, ValueError):
            return str(value)

    def cell(self, definition: CustomField, value: Any) -> Any:
        if value is None or value == "" or value == []:
            return ""
        kind = definition.type
        if kind in (FieldType.NUMBER, FieldType.PERCENT):
            return value if isinstance(value, int | float) and not isinstance(value, bool) else str(value)
        if kind == FieldType.MONEY and isinstance(value, dict):
            return f"{value.get('amount')} {value.get('currency') or 'KRW'}"
        if kind == FieldType.BOOLEAN:
            return _("Yes") if value is True else _("No") if value is False else str(value)
        if kind == FieldType.CHOICE:
            return definition.choice_label(str(value))
        if kind == FieldType.MULTI_CHOICE and isinstance(value, list):
            return ", ".join(definition.choice_label(str(v)) for v in value)
        if kind == FieldType.DATETIME and isinstance(value, str):
            try:
                return timezone.localtime(dt.datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M")
            except ValueError:
                return value
        if kind == FieldType.USER:
            return self._user(value)
        if kind == FieldType.REFERENCE:
            return f"#{value}"
        if isinstance(value, list | dict):
            return str(value)
        return value

    def cells(self, record: Any) -> list[Any]:
        data = getattr(record, "custom_field_data", None) or {}
        return [self.cell(definition, data.get(definition.key)) for definition in self.fields]

    def rows(self, records: Iterable[Any]) -> Iterable[list[Any]]:
        for record in records:
            yield self.cells(record)
