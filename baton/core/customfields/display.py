"""Custom field values as people read them: on detail pages, in list cells and in the change history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from baton.core.customfields.models import CustomField, FieldType
from baton.core.customfields.schema import can_read_field, kind_for_model, readable_custom_fields, schema_for
from baton.core.models import User
from baton.core.money import format_money
from baton.core.phones import format_phone, phone_uri
from baton.core.records import record_url


def display(definition: CustomField, value: Any) -> tuple[str, str]:
    """(text, link) of a stored value."""
    if value is None or value == "" or value == []:
        return "", ""
    kind = definition.type
    if kind == FieldType.MONEY and isinstance(value, dict):
        return format_money(Decimal(str(value.get("amount", 0))), str(value.get("currency", "KRW"))), ""
    if kind == FieldType.PERCENT:
        return f"{value}%", ""
    if kind == FieldType.BOOLEAN:
        return (_("Yes") if value else _("No")), ""
    if kind == FieldType.CHOICE:
        return definition.choice_label(str(value)), ""
    if kind == FieldType.MULTI_CHOICE and isinstance(value, list):
        return ", ".join(definition.choice_label(str(v)) for v in value), ""
    if kind == FieldType.DATETIME and isinstance(value, str):
        try:
            return timezone.localtime(dt.datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M"), ""
        except ValueError:
            return value, ""
    if kind == FieldType.USER:
        user = User.objects.filter(pk=value).first()
        return (str(user) if user else f"#{value}"), ""
    if kind == FieldType.REFERENCE:
        return f"#{value}", record_url(definition.reference_kind, int(value))
    if kind == FieldType.URL:
        return str(value), str(value)
    if kind == FieldType.EMAIL:
        return str(value), f"mailto:{value}"
    if kind == FieldType.PHONE:
        return format_phone(str(value)), phone_uri(str(value))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value), ""


def custom_rows(user: User, record: Any) -> list[tuple[str, str, str]]:
    """(label, text, link) of the custom fields ``user`` may read on ``record``, in order."""
    return [(label, text, url) for _key, label, text, url in keyed_custom_rows(user, record)]


def keyed_custom_rows(user: User, record: Any) -> list[tuple[str, str, str, str]]:
    """(key, label, text, link) of the custom fields ``user`` may read on ``record``, in order."""
    data = getattr(record, "custom_field_data", None) or {}
    if not data:
        return []  # nothing to show: no need to read the schema
    rows = []
    for definition in readable_custom_fields(user, type(record)):
        text, url = display(definition, data.get(definition.key))
        rows.append((definition.key, definition.label, text, url))
    return rows


def label_custom_history(user: User | None, record: Any, rows: list[Any]) -> None:
    """Add to each change-log row of ``record`` (``.readable``, see ``core.audit``) the custom field
    values it changed, labelled, for the fields the reader may read; archived fields keep their label."""
    kind = kind_for_model(type(record))
    if kind is None or not any(
        row.before.get("custom_field_data") or row.after.get("custom_field_data") for row in rows
    ):
        return  # no custom values changed: no need to read the schema
    schema = schema_for(kind)
    readable = {f.key for f in schema.fields if can_read_field(user, f)}
    by_key = {f.key: f for f in schema.fields if f.key in readable}
    by_key |= {f.key: f for f in schema.archived if not f.read_roles}
    for row in rows:
        before, after = row.before.get("custom_field_data"), row.after.get("custom_field_data")
        if not isinstance(before, dict) and not isinstance(after, dict):
            continue
        before = before if isinstance(before, dict) else {}
        after = after if isinstance(after, dict) else {}
        for key in sorted(set(before) | set(after)):
            definition = by_key.get(key)
            if definition is None or before.get(key) == after.get(key):
                continue
            old, new = display(definition, before.get(key))[0], display(definition, after.get(key))[0]
            getattr(row, "readable", []).append((definition.label, old, new))
