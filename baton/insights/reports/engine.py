"""The report builder's engine: what can be reported on, and how a definition becomes a result.

A definition is plain data (kept in ``SavedReport.definition`` and in the page's query string):

    {"object": "opportunities",
     "columns": ["name", "account", "amount"],            # for a list of records
     "filters": [{"field": "stage_outcome", "op": "eq", "value": "won"},
                 {"field": "closed_at", "op": "relative", "value": "this_quarter"}],
     "group_by": ["owner", "stage"],                       # zero, one or two fields (rows × columns)
     "aggregate": "sum", "measure": "amount",              # count | sum | avg | median | min | max
     "sort": "-value"}                                     # value | -value | label | -label

Every report reads through the reader's visibility (``visible_to``), so a shared report shows each
reader only the rows they may open. Fields are whitelisted per object: nothing else reaches the ORM.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BooleanField, F, Model, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncMonth, TruncQuarter, TruncYear
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from baton.core import fieldaccess
from baton.core.models import User
from baton.insights.periods import add_months, period_containing
from baton.insights.reports.amounts import Amounts, display, money_cell, scalar
from baton.insights.reports.grouping import (
    HIDDEN,
    GroupKeys,
    combine,
    median_groups,
    money_measure,
    reference_names,
    sortable,
    sql_groups,
)
from baton.insights.reports.objects import (
    OBJECTS,
    ReportField,
    ReportObject,
    custom_report_fields,
    is_custom,
    is_custom_money,
    is_custom_reference,
)

MAX_LIST_ROWS = 500
MAX_GROUPS = 200
AGGREGATE_LABELS = {
    "count": gettext_lazy("count"),
    "sum": gettext_lazy("sum"),
    "avg": gettext_lazy("average"),
    "median": gettext_lazy("median"),
    "min": gettext_lazy("minimum"),
    "max": gettext_lazy("maximum"),
}
AGGREGATES = tuple(AGGREGATE_LABELS)
OPERATOR_LABELS = {
    "eq": gettext_lazy("is"),
    "ne": gettext_lazy("is not"),
    "in": gettext_lazy("is one of (comma-separated)"),
    "contains": gettext_lazy("contains"),
    "gt": ">",
    "gte": "≥",
    "lt": "<",
    "lte": "≤",
    "empty": gettext_lazy("is empty"),
    "not_empty": gettext_lazy("is not empty"),
    "relative": gettext_lazy("in (relative date)"),
}
OPERATORS = tuple(OPERATOR_LABELS)
RELATIVE = {
    "today": gettext_lazy("today"),
    "this_week": gettext_lazy("this week"),
    "this_month": gettext_lazy("this month"),
    "last_month": gettext_lazy("last month"),
    "this_quarter": gettext_lazy("this quarter"),
    "last_quarter": gettext_lazy("last quarter"),
    "this_year": gettext_lazy("this year"),
    "last_year": gettext_lazy("last year"),
    "last_30_days": gettext_lazy("last 30 days"),
    "last_90_days": gettext_lazy("last 90 days"),
    "last_365_days": gettext_lazy("last 365 days"),
}
DATE_BUCKETS = {"month": TruncMonth, "quarter": TruncQuarter, "year": TruncYear}
#: Operators a multiple-choice field may be filtered with ("is": has that value among its values).
MULTI_OPERATORS = ("eq", "ne", "in", "empty", "not_empty")


# --- definitions ----------------------------------------------------------------------------------


@dataclass
class Definition:
    object: ReportObject
    columns: list[ReportField]
    filters: list[tuple[ReportField, str, Any]]
    group_by: list[tuple[ReportField, str]]  # (field, date bucket or "")
    aggregate: str
    measure: ReportField | None
    sort: str

    def as_data(self) -> dict[str, Any]:
        return {
            "object": self.object.key,
            "columns": [c.key for c in self.columns],
            "filters": [{"field": f.key, "op": op, "value": v} for f, op, v in self.filters],
            "group_by": [f"{f.key}:{b}" if b else f.key for f, b in self.group_by],
            "aggregate": self.aggregate,
            "measure": self.measure.key if self.measure else "",
            "sort": self.sort,
        }


def relative_range(name: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """A relative date as a half-open range of days [start, end)."""
    if name == "today":
        return today, today + dt.timedelta(days=1)
    if name == "this_week":
        monday = today - dt.timedelta(days=today.weekday())
        return monday, monday + dt.timedelta(days=7)
    if name.startswith("last_") and name.endswith("_days"):
        days = int(name[5:-5])
        return today - dt.timedelta(days=days - 1), today + dt.timedelta(days=1)
    kind = {"month": "month", "quarter": "quarter", "year": "year"}[name.split("_", 1)[1]]
    period = period_containing(kind, today)
    if name.startswith("last_"):
        period = period.previous()
    return period.start, period.end


def _coerce(f: ReportField, op: str, value: Any) -> Any:
    if op in ("empty", "not_empty"):
        return None
    if op == "relative":
        if value not in RELATIVE:
            raise ValidationError({"filters": [_("Unknown relative date “%(v)s”.") % {"v": str(value)[:30]}]})
        if f.kind not in ("date", "datetime"):
            raise ValidationError({"filters": [_("%(f)s is not a date.") % {"f": f.label}]})
        return value
    if op == "in":
        values = value if isinstance(value, list) else str(value).split(",")
        return [_coerce(f, "eq", v) for v in values[:100]]
    try:
        if f.numeric:
            return Decimal(str(value))
        if f.kind in ("user", "ref"):
            number = int(value)
            if not 0 < number < 2**63:
                raise ValueError
            return number
        if f.kind == "date":
            return dt.date.fromisoformat(str(value))
        if f.kind == "datetime":
            return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(str(value)), dt.time.min))
        if f.kind == "bool":
            return str(value).lower() in ("1", "true", "yes")
        if f.kind in ("choice", "multi") and str(value) not in {k for k, _v in f.choices}:
            raise ValueError
    except (ValueError, ArithmeticError, TypeError):
        raise ValidationError(
            {"filters": [_("“%(v)s” is not a valid value for %(f)s.") % {"v": str(value)[:40], "f": f.label}]}
        ) from None
    return str(value)[:200]


def parse_definition(data: dict[str, Any]) -> Definition:
    """A definition from user input: every field checked against the object's whitelist."""
    if not isinstance(data, dict):
        raise ValidationError({"object": [_("A report definition is an object.")]})
    obj = OBJECTS.get(str(data.get("object", "")))
    if obj is None:
        raise ValidationError({"object": [_("Choose what to report on.")]})
    columns = [obj.field(str(k)) for k in (data.get("columns") or obj.default_columns)][:20]
    filters = []
    for raw in (data.get("filters") or [])[:20]:
        if not isinstance(raw, dict):
            raise ValidationError({"filters": [_("A filter has a field, an operator and a value.")]})
        f = obj.field(str(raw.get("field", "")))
        op = str(raw.get("op", "eq"))
        if op not in OPERATORS:
            raise ValidationError({"filters": [_("Unknown operator “%(op)s”.") % {"op": op[:20]}]})
        if f.kind == "multi" and op not in MULTI_OPERATORS:
            raise ValidationError(
                {"filters": [_("%(f)s can be filtered by its values or by being empty.") % {"f": f.label}]}
            )
        filters.append((f, op, _coerce(f, op, raw.get("value"))))
    group_by = []
    for raw in (data.get("group_by") or [])[:2]:
        key, _sep, bucket = str(raw).partition(":")
        f = obj.field(key)
        if not f.groupable:
            raise ValidationError({"group_by": [_("%(f)s cannot be grouped by.") % {"f": f.label}]})
        if f.kind in ("date", "datetime"):
            bucket = bucket or "month"
            if bucket not in DATE_BUCKETS:
                raise ValidationError({"group_by": [_("Group dates by month, quarter or year.")]})
        else:
            bucket = ""
        group_by.append((f, bucket))
    aggregate = str(data.get("aggregate") or "count")
    if aggregate not in AGGREGATES:
        raise ValidationError({"aggregate": [_("Unknown aggregate.")]})
    measure = None
    if aggregate != "count":
        measure = obj.field(str(data.get("measure", "")))
        if not measure.numeric:
            raise ValidationError({"measure": [_("Choose a number or an amount to aggregate.")]})
    sort = str(data.get("sort") or "-value")
    if sort not in ("value", "-value", "label", "-label"):
        sort = "-value"
    return Definition(obj, columns, filters, group_by, aggregate, measure, sort)


def filtered_queryset(definition: Definition, user: User, *, today: dt.date | None = None) -> QuerySet:
    today = today or timezone.localdate()
    qs = definition.object.base(user)
    for f, op, value in definition.filters:
        path = f.path
        if is_custom(f):  # a JSON value: numbers compare as numbers, an empty value is a missing key
            value = [float(v) for v in value] if f.numeric and op == "in" else value
            value = float(value) if isinstance(value, Decimal) else value
            if op in ("empty", "not_empty"):
                qs = qs.filter(**{f"{path}__isnull": op == "empty"})
                continue
            if f.kind == "multi":
                chosen = _has_any(definition.object.model, f, value if isinstance(value, list) else [value])
                # "is not": also the records without a value (a missing key compares as unknown).
                qs = qs.filter(Q(**{f"{path}__isnull": True}) | ~Q(chosen) if op == "ne" else chosen)
                continue
            if is_custom_money(f):  # compares the amount, whatever the currency
                path = f"{path}__amount"
        if op == "eq":
            qs = qs.filter(**{path: value})
        elif op == "ne":
            qs = qs.exclude(**{path: value})
        elif op == "in":
            qs = qs.filter(**{f"{path}__in": value})
        elif op == "contains":
            qs = qs.filter(**{f"{path}__icontains": value})
        elif op in ("gt", "gte", "lt", "lte"):
            qs = qs.filter(**{f"{path}__{op}": value})
        elif op == "empty":
            qs = (
                qs.filter(**{f"{path}__isnull": True})
                if f.kind not in ("text", "choice")
                else qs.filter(**{path: ""})
            )
        elif op == "not_empty":
            qs = (
                qs.exclude(**{f"{path}__isnull": True})
                if f.kind not in ("text", "choice")
                else qs.exclude(**{path: ""})
            )
        elif op == "relative":
            start, end = relative_range(value, today)
            if f.kind == "datetime":
                start_at = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
                end_at = timezone.make_aware(dt.datetime.combine(end, dt.time.min))
                qs = qs.filter(**{f"{path}__gte": start_at, f"{path}__lt": end_at})
            else:
                qs = qs.filter(**{f"{path}__gte": start, f"{path}__lt": end})
    return qs


def _has_any(model: type[Model], f: ReportField, values: list[Any]) -> Any:
    """A condition: the multiple-choice field holds at least one of ``values``."""
    if connection.vendor == "postgresql":
        condition = Q()
        for value in values:
            condition |= Q(**{f"{f.path}__contains": [value]})
        return condition
    # SQLite has no JSON containment: look through the list with json_each. The table name is the
    # model's; the JSON path and the values are parameters.
    key = f.path.removeprefix("custom_field_data__")
    table = connection.ops.quote_name(model._meta.db_table)
    marks = ", ".join(["%s"] * len(values)) or "NULL"
    sql = f"EXISTS (SELECT 1 FROM json_each({table}.custom_field_data, %s) AS cf WHERE cf.value IN ({marks}))"  # noqa: S608
    return RawSQL(sql, [f"$.{key}", *(str(v) for v in values)], output_field=BooleanField())  # noqa: S611


# --- results --------------------------------------------------------------------------------------


@dataclass
class Result:
    definition: Definition
    # A list of records (no grouping)...
    records: list[dict[str, Any]] = field(default_factory=list)
    truncated: bool = False
    # ... or a grouped table: rows × (optional) columns, with the aggregate in each cell.
    row_keys: list[Any] = field(default_factory=list)
    col_keys: list[Any] = field(default_factory=list)
    cells: dict[tuple[Any, Any], Decimal | int | Amounts | None] = field(default_factory=dict)
    row_totals: dict[Any, Decimal | int | Amounts | None] = field(default_factory=dict)
    col_totals: dict[Any, Decimal | int | Amounts | None] = field(default_factory=dict)
    total: Decimal | int | Amounts | None = None
    labels: dict[tuple[str, Any], str] = field(default_factory=dict)
    count: int = 0
    # A multiple-choice grouping: a record with several values is in each of their groups, so the
    # groups add up to more than the totals, which count every record once.
    overlapping: bool = False

    def label(self, index: int, key: Any) -> str:
        f, bucket = self.definition.group_by[index]
        return self.labels.get((f.key, key), _key_label(key, bucket))


def _key_label(key: Any, bucket: str) -> str:
    if key is None or key == "":
        return "–"
    if isinstance(key, dt.datetime):
        key = timezone.localtime(key).date() if timezone.is_aware(key) else key.date()
    if isinstance(key, dt.date):
        if bucket == "year":
            return str(key.year)
        if bucket == "quarter":
            return f"{key.year}-Q{(key.month - 1) // 3 + 1}"
        return f"{key:%Y-%m}"
    return str(key)


def _group_expr(f: ReportField, bucket: str) -> Any:
    if bucket:
        return DATE_BUCKETS[bucket](f.path, tzinfo=timezone.get_current_timezone())
    return F(f.path)


def _labels_for(definition: Definition, keys: dict[str, set[Any]]) -> dict[tuple[str, Any], str]:
    labels: dict[tuple[str, Any], str] = {}
    for f, _bucket in definition.group_by:
        values = {k for k in keys.get(f.key, set()) if k not in (None, "")}
        if f.kind in ("choice", "multi"):
            names = {str(k): str(v) for k, v in f.choices}
            labels.update({(f.key, k): names.get(str(k), str(k)) for k in values})
        elif f.kind == "user":
            labels.update({(f.key, u.pk): str(u) for u in User.objects.filter(pk__in=values)})
        elif is_custom_reference(f):  # the visible names come from GroupKeys
            labels[(f.key, HIDDEN)] = _("(hidden)")
        elif f.kind == "ref":
            related = _related_model(definition.object.model, f.path)
            labels.update(
                {(f.key, obj.pk): str(obj) for obj in related._default_manager.filter(pk__in=values)}
            )
    return labels


def _related_model(model: type[Model], path: str) -> type[Model]:
    """The model a ``a__b_id`` path points at (each step a foreign key)."""
    parts = path.split("__")
    parts[-1] = parts[-1].removesuffix("_id")
    for part in parts:
        model = model._meta.get_field(part).related_model  # type: ignore[assignment]
    return model


def protected_definition(definition: Definition, user: User) -> Definition:
    """The definition without the columns, filters and groups over fields protected from ``user``
    (core.fieldaccess); a sum or average of a protected amount becomes a count. Every page, export,
    API answer, dashboard widget and subscription mail runs through here, via ``run_report``."""
    hidden = fieldaccess.hidden_fields(user, definition.object.model)
    used = [definition.measure, *definition.columns, *(f for f, *_rest in definition.filters)]
    used += [f for f, _bucket in definition.group_by]
    custom = any(f is not None and is_custom(f) for f in used)
    if not hidden and not custom:
        return definition
    # Custom fields: only those the user may read (core.customfields.schema).
    readable = {f.key for f in custom_report_fields(definition.object.key, user)} if custom else set()

    def shown(f: ReportField) -> bool:
        if is_custom(f):
            return f.key in readable
        return f.path.split("__")[0] not in hidden

    measure = definition.measure if definition.measure is None or shown(definition.measure) else None
    return replace(
        definition,
        columns=[c for c in definition.columns if shown(c)],
        filters=[item for item in definition.filters if shown(item[0])],
        group_by=[item for item in definition.group_by if shown(item[0])],
        aggregate=definition.aggregate if measure is not None or definition.measure is None else "count",
        measure=measure,
    )


def run_report(definition: Definition, user: User, *, today: dt.date | None = None) -> Result:
    """Run the report as ``user`` sees it; ``result.definition`` is the definition actually run."""
    definition = protected_definition(definition, user)
    qs = filtered_queryset(definition, user, today=today)
    result = Result(definition)
    if not definition.group_by:
        paths = [c.label_path or c.path for c in definition.columns]
        rows = list(qs.order_by("-pk").values("pk", *paths)[: MAX_LIST_ROWS + 1])
        result.truncated = len(rows) > MAX_LIST_ROWS
        result.records = rows[:MAX_LIST_ROWS]
        result.count = qs.count() if result.truncated else len(result.records)
        for column in definition.columns:
            if is_custom_reference(column):
                ids = [r[column.path] for r in result.records]
                result.labels.update(reference_names(column, ids, user))
        return result
    exprs = {f"g{i}": _group_expr(f, b) for i, (f, b) in enumerate(definition.group_by)}
    two = len(definition.group_by) == 2
    keys = GroupKeys(definition, user)
    result.overlapping = any(f.kind == "multi" for f, _bucket in definition.group_by)
    if definition.aggregate == "median":
        groups = median_groups(result, qs, exprs)
    else:
        groups = sql_groups(result, qs, exprs)
    keys.load([[g[0] for g in groups], [g[1] for g in groups] if two else []])
    rows_seen, cols_seen = combine(result, groups, keys)
    seen = {definition.group_by[0][0].key: set(rows_seen)}
    if two:
        seen[definition.group_by[1][0].key] = set(cols_seen)
    result.labels = {**_labels_for(definition, seen), **keys.names}
    result.row_keys = _sorted_keys(result, 0, list(rows_seen), result.row_totals)[:MAX_GROUPS]
    result.col_keys = (
        _sorted_keys(result, 1, list(cols_seen), result.col_totals)[:MAX_GROUPS] if two else [None]
    )
    return result


def _sorted_keys(result: Result, index: int, keys: list[Any], totals: dict[Any, Any]) -> list[Any]:
    _field, bucket = result.definition.group_by[index]
    by_label = bucket != "" or index == 1 or result.definition.sort in ("label", "-label")
    if by_label:
        natural = bucket != ""
        ordered = sorted(keys, key=lambda k: (k is None, k if natural else result.label(index, k)))
        return ordered[::-1] if result.definition.sort == "-label" and index == 0 else ordered
    money = money_measure(result.definition)
    return sorted(
        keys,
        key=lambda k: sortable(totals.get(k) or (Amounts() if money else 0)),
        reverse=result.definition.sort == "-value",
    )


def record_rows(result: Result) -> Iterable[list[Any]]:
    paths = [c.label_path or c.path for c in result.definition.columns]
    choice_maps = {
        c.key: {str(k): str(v) for k, v in c.choices}
        for c in result.definition.columns
        if c.kind in ("choice", "multi")
    }
    user_ids = {r[c.path] for c in result.definition.columns if c.kind == "user" for r in result.records}
    users = {u.pk: str(u) for u in User.objects.filter(pk__in={u for u in user_ids if u})}
    for record in result.records:
        row = []
        for column, path in zip(result.definition.columns, paths, strict=True):
            value = record.get(path)
            if column.kind == "choice":
                value = choice_maps[column.key].get(str(value), value)
            elif column.kind == "multi":
                chosen = value if isinstance(value, list) else []
                value = ", ".join(choice_maps[column.key].get(str(v), str(v)) for v in chosen)
            elif column.kind == "user":
                value = users.get(value, "") if value else ""
            elif is_custom_reference(column):
                value = "" if value is None else result.labels.get((column.key, value), _("(hidden)"))
            elif is_custom_money(column):
                value = money_cell(value)
            elif column.key == "dwell_days" and value is not None:
                value = Decimal(value) / 86400
            row.append(display(value))
        yield row


__all__ = [
    "OBJECTS",
    "RELATIVE",
    "Amounts",
    "add_months",
    "display",
    "parse_definition",
    "run_report",
    "scalar",
]
