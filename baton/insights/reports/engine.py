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
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BooleanField, Count, F, FloatField, Max, Min, Model, Q, QuerySet, Sum, Value
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, TruncMonth, TruncQuarter, TruncYear
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from baton.core import fieldaccess
from baton.core.models import User
from baton.core.money import Currency, format_money, quantize
from baton.core.records import record_model
from baton.insights.periods import add_months, period_containing
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
#: The group of records whose custom reference points at a record the reader may not see.
HIDDEN = "hidden"
#: Operators a multiple-choice field may be filtered with ("is": has that value among its values).
MULTI_OPERATORS = ("eq", "ne", "in", "empty", "not_empty")


class Amounts(dict[str, Decimal]):
    """A money value per currency (currency -> amount): custom money fields are summed, averaged and
    compared within each currency, never added across currencies."""

    def sort_key(self) -> tuple[Decimal, ...]:
        return tuple(self.get(c, Decimal(0)) for c in Currency.values)

    def __str__(self) -> str:
        return " · ".join(format_money(self[c], c) for c in sorted(self, key=_currency_order))


def _currency_order(currency: str) -> tuple[int, str]:
    values = list(Currency.values)
    return (values.index(currency) if currency in values else len(values), currency)


def scalar(value: Any) -> float | None:
    """A value as one number (for a chart): None for amounts in several currencies."""
    if isinstance(value, Amounts):
        return float(next(iter(value.values()))) if len(value) == 1 else None
    return None if value is None else float(value)


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
                chosen = _has_any(definition.object.model, f, value if op == "in" else [value])
                qs = qs.exclude(chosen) if op == "ne" else qs.filter(chosen)
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


def _aggregate(name: str, values: list[Decimal]) -> Decimal | int | None:
    if name == "count":
        return len(values)
    if not values:
        return None
    if name == "sum":
        return sum(values, Decimal(0))
    if name == "avg":
        return sum(values, Decimal(0)) / len(values)
    if name == "median":
        return Decimal(statistics.median(values))
    if name == "min":
        return min(values)
    return max(values)


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
        elif is_custom_reference(f):  # the visible names come from _GroupKeys
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


def reference_names(f: ReportField, ids: Iterable[Any], user: User) -> dict[tuple[str, Any], str]:
    """The names of the records a custom reference points at that ``user`` may see (one query);
    the others are left out, and shown as hidden."""
    wanted = {i for i in ids if isinstance(i, int) and not isinstance(i, bool)}
    if not wanted:
        return {}
    qs: Any = record_model(f.reference_kind)._default_manager.filter(pk__in=wanted)
    if hasattr(qs, "visible_to"):
        qs = qs.visible_to(user)
    return {(f.key, obj.pk): str(obj) for obj in qs}


class _GroupKeys:
    """The groups a record's grouped value puts it in: a multiple choice in each chosen value's
    group (no value: the empty group), a custom reference in the referenced record's group when the
    reader may see that record and otherwise in the one "hidden" group, anything else in its own."""

    def __init__(self, definition: Definition, user: User) -> None:
        self.fields = [f for f, _bucket in definition.group_by]
        self.user = user
        self.names: dict[tuple[str, Any], str] = {}

    def load(self, raw: list[list[Any]]) -> None:
        """Read the visible names of the references among the raw values (per grouping)."""
        for f, values in zip(self.fields, raw, strict=False):
            if is_custom_reference(f):
                self.names.update(reference_names(f, values, self.user))

    def keys(self, index: int, raw: Any) -> list[Any]:
        if index >= len(self.fields):
            return [None]
        f = self.fields[index]
        if f.kind == "multi":
            values = raw if isinstance(raw, list) else ([] if raw in (None, "") else [raw])
            return list(dict.fromkeys(str(v) for v in values)) or [None]
        if is_custom_reference(f) and raw is not None:
            return [raw if (f.key, raw) in self.names else HIDDEN]
        return [raw]


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
    keys = _GroupKeys(definition, user)
    result.overlapping = any(f.kind == "multi" for f, _bucket in definition.group_by)
    if definition.aggregate == "median":
        groups = _median_groups(result, qs, exprs)
    else:
        groups = _sql_groups(result, qs, exprs)
    keys.load([[g[0] for g in groups], [g[1] for g in groups] if two else []])
    rows_seen, cols_seen = _combine(result, groups, keys)
    seen = {definition.group_by[0][0].key: set(rows_seen)}
    if two:
        seen[definition.group_by[1][0].key] = set(cols_seen)
    result.labels = {**_labels_for(definition, seen), **keys.names}
    result.row_keys = _sorted_keys(result, 0, list(rows_seen), result.row_totals)[:MAX_GROUPS]
    result.col_keys = (
        _sorted_keys(result, 1, list(cols_seen), result.col_totals)[:MAX_GROUPS] if two else [None]
    )
    return result


@dataclass
class _Stats:
    """What SQL returns per group; every aggregate but the median combines from these exactly (the
    median keeps its samples)."""

    n: int = 0
    total: Decimal = Decimal(0)
    valued: int = 0
    low: Decimal | None = None
    high: Decimal | None = None
    samples: list[Decimal] = field(default_factory=list)

    def add(self, other: _Stats) -> None:
        self.n += other.n
        self.total += other.total
        self.valued += other.valued
        self.samples.extend(other.samples)
        if other.low is not None:
            self.low = other.low if self.low is None else min(self.low, other.low)
        if other.high is not None:
            self.high = other.high if self.high is None else max(self.high, other.high)

    def value(self, aggregate: str) -> Decimal | int | None:
        if aggregate == "count":
            return self.n
        if not self.valued:
            return None
        if aggregate == "median":
            return Decimal(statistics.median(self.samples))
        if aggregate == "sum":
            return self.total
        if aggregate == "avg":
            return self.total / self.valued
        return self.low if aggregate == "min" else self.high


class _Split(dict[str, _Stats]):
    """A group's stats per currency (custom money) or under "" (everything else)."""

    def add(self, currency: str, stats: _Stats) -> None:
        self.setdefault(currency, _Stats()).add(stats)

    @property
    def n(self) -> int:
        return sum(s.n for s in self.values())

    def value(self, aggregate: str, money: bool) -> Decimal | int | Amounts | None:
        if not money:
            return (self.get("") or _Stats()).value(aggregate)
        amounts = Amounts()
        for currency, stats in self.items():
            value = stats.value(aggregate)
            if value is not None:
                amounts[currency] = quantize(Decimal(value), currency)
        return amounts or None


#: One group as read: (first group's raw value, second's, currency or "", its stats).
_Group = tuple[Any, Any, str, _Stats]


def _money(definition: Definition) -> bool:
    return definition.aggregate != "count" and is_custom_money(definition.measure)


def _currency(f: ReportField) -> Any:
    return Coalesce(KT(f"{f.path}__currency"), Value(Currency.KRW.value))


def _sql_groups(result: Result, qs: QuerySet, exprs: dict[str, Any]) -> list[_Group]:
    """One GROUP BY query (a custom money measure also by its currency)."""
    definition = result.definition
    annotations: dict[str, Any] = {"n": Count("pk")}
    path = definition.measure.path if definition.measure else None
    if path:
        value = _measure(definition.measure)
        annotations.update(s=Sum(value), vn=Count(value), mn=Min(value), mx=Max(value))
    split = {"cur": _currency(definition.measure)} if _money(definition) and definition.measure else {}
    scale = (
        Decimal(86400) if definition.measure is not None and definition.measure.key == "dwell_days" else None
    )
    groups: list[_Group] = []
    query = qs.order_by().annotate(**exprs, **split).values(*exprs.keys(), *split.keys())
    for group in query.annotate(**annotations):
        stats = _Stats(n=group["n"])
        if path:
            stats.total = Decimal(str(group["s"] or 0))
            stats.valued = group["vn"]
            stats.low = None if group["mn"] is None else Decimal(str(group["mn"]))
            stats.high = None if group["mx"] is None else Decimal(str(group["mx"]))
            if scale:
                stats.total /= scale
                stats.low = None if stats.low is None else stats.low / scale
                stats.high = None if stats.high is None else stats.high / scale
        groups.append((group["g0"], group.get("g1"), group.get("cur", ""), stats))
    return groups


def _measure(f: ReportField | None) -> Any:
    """What a sum or average reads: the column, or a custom number (or money's amount) cast from its
    JSON value."""
    assert f is not None
    if is_custom_money(f):
        return Cast(KT(f"{f.path}__amount"), FloatField())
    if is_custom(f):
        return Cast(KT(f.path), FloatField())
    return f.path


def _median_groups(result: Result, qs: QuerySet, exprs: dict[str, Any]) -> list[_Group]:
    """Medians need every value: read the group keys and the measure, one row per record."""
    definition = result.definition
    money = _money(definition) and definition.measure is not None
    extra: dict[str, Any] = {}
    measure: list[str] = []
    if definition.measure is not None:
        if money:
            extra = {"_m": _measure(definition.measure), "cur": _currency(definition.measure)}
            measure = ["cur", "_m"]
        else:
            measure = [definition.measure.path]
    values = qs.order_by().annotate(**exprs, **extra).values_list(*exprs.keys(), *measure)
    groups: list[_Group] = []
    two = len(exprs) == 2
    for row in values.iterator(chunk_size=5000):
        raw = row[-1] if measure else None
        v = Decimal(str(raw)) if raw is not None else None
        if v is not None and definition.measure is not None and definition.measure.key == "dwell_days":
            v = v / 86400
        stats = _Stats(n=1)
        if v is not None:
            stats = _Stats(n=1, total=v, valued=1, low=v, high=v, samples=[v])
        groups.append((row[0], row[1] if two else None, row[-2] if money else "", stats))
    return groups


def _combine(result: Result, groups: list[_Group], keys: _GroupKeys):
    """Cells, row, column and grand totals from the groups (no second scan). A record in several
    groups of a dimension (a multiple choice) is in each of their cells, but once in every total."""
    cells: dict[tuple[Any, Any], _Split] = defaultdict(_Split)
    rows_seen: dict[Any, _Split] = defaultdict(_Split)
    cols_seen: dict[Any, _Split] = defaultdict(_Split)
    everything = _Split()
    for g0, g1, currency, stats in groups:
        row_keys, col_keys = keys.keys(0, g0), keys.keys(1, g1)
        for r in row_keys:
            rows_seen[r].add(currency, stats)
            for c in col_keys:
                cells[(r, c)].add(currency, stats)
        for c in col_keys:
            cols_seen[c].add(currency, stats)
        everything.add(currency, stats)
    agg, money = result.definition.aggregate, _money(result.definition)
    result.count = everything.n
    result.cells = {k: v.value(agg, money) for k, v in cells.items()}
    result.row_totals = {k: v.value(agg, money) for k, v in rows_seen.items()}
    result.col_totals = {k: v.value(agg, money) for k, v in cols_seen.items()}
    result.total = everything.value(agg, money)
    return rows_seen, cols_seen


def _sortable(value: Any) -> Any:
    if isinstance(value, Amounts):
        return value.sort_key()
    return (value or 0,)


def _sorted_keys(result: Result, index: int, keys: list[Any], totals: dict[Any, Any]) -> list[Any]:
    _field, bucket = result.definition.group_by[index]
    by_label = bucket != "" or index == 1 or result.definition.sort in ("label", "-label")
    if by_label:
        natural = bucket != ""
        ordered = sorted(keys, key=lambda k: (k is None, k if natural else result.label(index, k)))
        return ordered[::-1] if result.definition.sort == "-label" and index == 0 else ordered
    money = _money(result.definition)
    return sorted(
        keys,
        key=lambda k: _sortable(totals.get(k) or (Amounts() if money else 0)),
        reverse=result.definition.sort == "-value",
    )


def display(value: Any) -> Any:
    """A cell for a CSV or a page: numbers rounded to two places, dates in ISO form, money per
    currency ("₩30,000 · $20.00")."""
    if isinstance(value, Amounts):
        return str(value)
    if isinstance(value, Decimal):
        return (
            value.quantize(Decimal("0.01")).normalize()
            if value != value.to_integral()
            else value.quantize(Decimal(1))
        )
    if isinstance(value, dt.datetime):
        return (
            timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
            if timezone.is_aware(value)
            else value.isoformat()
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else value


def _money_cell(value: Any) -> Any:
    if not isinstance(value, dict) or value.get("amount") is None:
        return value
    currency = str(value.get("currency") or Currency.KRW.value)
    return format_money(Decimal(str(value["amount"])), currency)


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
                value = _money_cell(value)
            elif column.key == "dwell_days" and value is not None:
                value = Decimal(value) / 86400
            row.append(display(value))
        yield row


__all__ = ["OBJECTS", "RELATIVE", "add_months", "parse_definition", "run_report"]
