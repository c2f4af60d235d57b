"""Filter and sort record lists by custom fields (``?cf_<key>=value``, ``?cf_sort=[-]<key>``).

Only fields marked filterable and readable by the user are offered. On PostgreSQL the filter reads
``custom_field_data->>'key'`` (text), the expression ``services.ensure_index`` indexes; numbers sort
by the value cast to double precision (indexed too). SQLite compares ``json_extract`` values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F, FloatField, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from baton.core.customfields.models import CustomField, FieldType
from baton.core.customfields.schema import readable_custom_fields
from baton.core.customfields.values import coerce

NUMERIC = (FieldType.NUMBER, FieldType.PERCENT)
UNFILTERABLE = (FieldType.MULTI_CHOICE, FieldType.MONEY, FieldType.LONG_TEXT)


def filterable_fields(user: Any, kind: str) -> list[CustomField]:
    return [f for f in readable_custom_fields(user, kind) if f.filterable and f.type not in UNFILTERABLE]


def _parse(definition: CustomField, raw: str) -> Any:
    if definition.type == FieldType.BOOLEAN:
        if raw not in ("true", "false"):
            raise ValidationError(_("Answer yes or no (true or false)."))
        return raw == "true"
    return coerce(definition, raw)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def sort_expression(definition: CustomField) -> Any:
    path = f"custom_field_data__{definition.key}"
    if connection.vendor == "postgresql":
        return Cast(KT(path), FloatField()) if definition.type in NUMERIC else KT(path)
    return F(path)


def apply_custom(
    qs: QuerySet, user: Any, kind: str, params: Mapping[str, Any], *, strict: bool = True
) -> tuple[QuerySet, dict[str, Any]]:
    """Filter and sort ``qs`` by the custom field parameters; bad values raise (``strict``) or are
    listed in ``state["_ignored"]``. Returns the queryset and the state applied."""
    state: dict[str, Any] = {}
    fields = {f.key: f for f in filterable_fields(user, kind)}
    for key, definition in fields.items():
        raw = params.get(f"cf_{key}")
        if raw in (None, ""):
            continue
        try:
            value = _parse(definition, str(raw)[:200])
        except ValidationError as exc:
            error = ValidationError({f"cf_{key}": exc.messages})
            if strict:
                raise error from None
            state.setdefault("_ignored", []).append(error)
            continue
        if value is None:
            continue
        path = f"custom_field_data__{key}"
        if connection.vendor == "postgresql":
            qs = qs.alias(**{f"_cf_{key}": KT(path)}).filter(**{f"_cf_{key}": _text(value)})
        else:
            qs = qs.filter(**{path: value})
        state[f"cf_{key}"] = value
    sort = str(params.get("cf_sort") or "")
    if sort:
        chosen = fields.get(sort.lstrip("-"))
        if chosen is None:
            error = ValidationError({"cf_sort": [_("Sort by a filterable custom field.")]})
            if strict:
                raise error
            state.setdefault("_ignored", []).append(error)
        else:
            expression = sort_expression(chosen)
            # The database's own null order (PostgreSQL: empty values last ascending, first
            # descending), so one expression index serves both directions.
            ordered = expression.desc() if sort.startswith("-") else expression.asc()
            qs = qs.order_by(ordered, "-pk")
            state["cf_sort"] = sort
    return qs, state
