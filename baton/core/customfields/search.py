"""Searchable custom fields in the list search and the global search.

A field marked searchable (text, long text, URL, e-mail or phone) is searched like the record's own
fields, but only for readers who may read it: ``search_lookups`` adds ``icontains`` on its value to
the list's search for that reader (``core.listing.apply_spec``, so list pages, the API and the global
search alike). Its text also feeds the record's ``search_tokens`` (``core.textsearch``), so a short
Korean term still narrows by the token index. The tokens only narrow: the exact ``icontains`` over the
fields the reader may read decides, so a field hidden from the reader never makes a record match.
Its text is not added to ``search_text`` (initial consonants and phone digits), which matches on
its own and would reveal a hidden value.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from baton.core.customfields.models import CustomField, FieldType
from baton.core.customfields.schema import (
    KindSchema,
    can_read_field,
    current_schemas,
    kind_for_model,
    schema_for,
)
from baton.core.records import record_model
from baton.core.textsearch import backfill

MEMO = "_baton_cf_schemas"
SEARCHABLE_TYPES = (FieldType.TEXT, FieldType.LONG_TEXT, FieldType.URL, FieldType.EMAIL, FieldType.PHONE)


def is_searchable(definition: CustomField) -> bool:
    return definition.searchable and definition.type in SEARCHABLE_TYPES


def search_lookups(user: Any, model: type[models.Model]) -> list[str]:
    """The ``icontains`` lookups of the searchable custom fields ``user`` may read on ``model``.

    The schemas are read once per user object, i.e. once per request (``request.user`` is loaded for
    each request), so the global search over four kinds costs one query, not four."""
    kind = kind_for_model(model)
    if kind is None:
        return []
    memo = getattr(user, "__dict__", None)
    schemas = memo.get(MEMO) if memo is not None else None
    if schemas is None:
        schemas = current_schemas()
        if memo is not None:
            memo[MEMO] = schemas
    fields = schemas.get(kind, KindSchema()).fields
    readable = [f for f in fields if is_searchable(f) and can_read_field(user, f)]
    return [f"custom_field_data__{f.key}__icontains" for f in readable]


def texts_of(data: Any, fields: Iterable[CustomField]) -> list[str]:
    if not isinstance(data, dict) or not data:
        return []
    return [data[f.key] for f in fields if is_searchable(f) and isinstance(data.get(f.key), str)]


def token_texts(record: models.Model, schema: KindSchema | None = None) -> list[str]:
    """The searchable custom values of ``record`` (for its search tokens); the schema is read only
    when the record holds custom values and the caller did not pass it."""
    data = getattr(record, "custom_field_data", None)
    if not data:
        return []
    if schema is None:
        kind = kind_for_model(record)
        if kind is None:
            return []
        schema = schema_for(kind)
    return texts_of(data, schema.fields)


def token_source(model: type[models.Model]) -> Any:
    """For ``textsearch.backfill``: a function of a row's ``custom_field_data`` giving its searchable
    texts, or None when the model has no searchable custom field."""
    kind = kind_for_model(model)
    if kind is None:
        return None
    fields = [f for f in schema_for(kind).fields if is_searchable(f)]
    if not fields:
        return None
    return lambda data: texts_of(data, fields)


def reindex(definition: CustomField) -> int:
    """Recompute the search tokens of the records holding a value of ``definition`` (a field just
    made searchable); returns how many rows changed."""
    model = record_model(definition.object)
    return backfill(model, only=models.Q(custom_field_data__has_key=definition.key))
