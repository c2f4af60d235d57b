"""The ``custom_fields`` object of the record APIs (leads, accounts, contacts, opportunities): the
input type, and the output filtered to the fields the caller may read."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field

from baton.core.customfields.schema import readable_custom_fields

CUSTOM_FIELDS_DOC = (
    "Custom field values by key (see `GET /api/v1/custom-fields?object=<type>` for the keys, types and "
    "rules). Text, long text, URL, e-mail and phone: a string; number and percent: a number; money: "
    '`{"amount": 1000, "currency": "KRW"}` (or a number in KRW); date: `YYYY-MM-DD`; date-time: ISO 8601; '
    "yes/no: a boolean; single choice: a choice value; multiple choice: a list of values; user and "
    "record reference: an id; null clears a value. Unknown or archived keys, ill-typed values and fields "
    "you may not edit are refused (422, errors keyed `cf_<key>`); on update send only the keys to change."
)

CustomFieldsIn = Annotated[dict[str, Any], Field(description=CUSTOM_FIELDS_DOC, max_length=200)]


def readable_values(request: HttpRequest, record: Any) -> dict[str, Any]:
    """The record's custom field values the API caller may read (the readable fields are worked out
    once per request and kind)."""
    data = getattr(record, "custom_field_data", None) or {}
    if not data:
        return {}  # nothing to filter: no need to read the schema
    user = getattr(request, "auth", None) or getattr(request, "user", None)
    cache: dict[type, set[str]] = request.__dict__.setdefault("_baton_readable_cf", {})
    model = type(record)
    if model not in cache:
        cache[model] = {f.key for f in readable_custom_fields(user, model)}
    return {key: value for key, value in data.items() if key in cache[model]}


def rename_custom_fields(data: dict[str, Any]) -> dict[str, Any]:
    """An API payload's ``custom_fields`` as the services take it (``custom_field_data``)."""
    if "custom_fields" in data:
        data["custom_field_data"] = data.pop("custom_fields")
    return data
