"""Custom fields on board cards: the fields an administrator marked ``show_on_card`` that the reader
may read, with each card's values as people read them (empty ones left out)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from baton.core.customfields.display import display
from baton.core.customfields.models import CustomField, FieldType
from baton.core.customfields.schema import readable_custom_fields
from baton.core.models import User


def card_fields(user: Any, kind: str) -> list[CustomField]:
    return [f for f in readable_custom_fields(user, kind) if f.show_on_card]


def card_values(
    fields: Iterable[CustomField], record: Any, users: dict[int, str] | None = None
) -> list[tuple[str, str]]:
    """(label, text) of the record's values of ``fields`` that are filled in (``users``: names of the
    users a user field may hold, read once for many cards)."""
    data = getattr(record, "custom_field_data", None) or {}
    out = []
    for definition in fields:
        value = data.get(definition.key)
        if definition.type == FieldType.USER and users is not None and value is not None:
            text = users.get(value, f"#{value}")
        else:
            text = display(definition, value)[0] if value is not None else ""
        if text:
            out.append((definition.label, text))
    return out


def mark_cards(user: Any, kind: str, records: Iterable[Any]) -> None:
    """Set ``card_fields`` on each record: what its card shows (one schema read for them all)."""
    fields = card_fields(user, kind)
    records = list(records)
    users = None
    if any(f.type == FieldType.USER for f in fields):
        users = {u.pk: str(u) for u in User.objects.only("id", "display_name", "username", "first_name")}
    for record in records:
        record.card_fields = card_values(fields, record, users) if fields else []
