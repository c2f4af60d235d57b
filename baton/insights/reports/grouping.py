"""How a report's groups are read and combined: one GROUP BY query (or, for medians, one row per
record), then cells, row, column and grand totals in Python.

Custom fields shape the groups: a multiple choice puts a record in the group of each chosen value (and
once in every total), a reference groups by the referenced record when the reader may see it and in
one "hidden" group otherwise, and a money measure is summed per currency (``Amounts``)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, FloatField, Max, Min, QuerySet, Sum, TextField, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce

from baton.core.models import User
from baton.core.money import Currency, quantize
from baton.core.records import record_model
from baton.insights.reports.amounts import Amounts
from baton.insights.reports.objects import ReportField, is_custom, is_custom_money, is_custom_reference

if TYPE_CHECKING:
    from baton.insights.reports.engine import Definition, Result

#: The group of records whose custom reference points at a record the reader may not see.
HIDDEN = "hidden"


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


class GroupKeys:
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
            values = raw if isinstance(raw, list | tuple) else ([] if raw in (None, "") else [raw])
            return list(dict.fromkeys(str(v) for v in values)) or [None]
        if is_custom_reference(f) and raw is not None:
            return [raw if (f.key, raw) in self.names else HIDDEN]
        return [raw]


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


def money_measure(definition: Definition) -> bool:
    return definition.aggregate != "count" and is_custom_money(definition.measure)


def _currency(f: ReportField) -> Any:
    return Coalesce(KT(f"{f.path}__currency"), Value(Currency.KRW.value), output_field=TextField())


def sql_groups(result: Result, qs: QuerySet, exprs: dict[str, Any]) -> list[_Group]:
    """One GROUP BY query (a custom money measure also by its currency)."""
    definition = result.definition
    annotations: dict[str, Any] = {"n": Count("pk")}
    path = definition.measure.path if definition.measure else None
    if path:
        value = _measure(definition.measure)
        annotations.update(s=Sum(value), vn=Count(value), mn=Min(value), mx=Max(value))
    split = {"cur": _currency(definition.measure)} if money_measure(definition) and definition.measure else {}
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


def median_groups(result: Result, qs: QuerySet, exprs: dict[str, Any]) -> list[_Group]:
    """Medians need every value: read the group keys and the measure, one row per record."""
    definition = result.definition
    money = money_measure(definition) and definition.measure is not None
    extra: dict[str, Any] = {}
    measure: list[str] = []
    if definition.measure is not None:
        if money:
            extra = {"_m": _measure(definition.measure), "cur": _currency(definition.measure)}
            measure = ["cur", "_m"]
        else:
            measure = [definition.measure.path]
    values = qs.order_by().annotate(**exprs, **extra).values_list(*exprs.keys(), *measure)
    # The samples are kept per distinct group (a multiple choice's list of values as a tuple).
    by_key: dict[tuple[Any, Any, str], _Stats] = {}
    two = len(exprs) == 2
    for row in values.iterator(chunk_size=5000):
        raw = row[-1] if measure else None
        v = Decimal(str(raw)) if raw is not None else None
        if v is not None and definition.measure is not None and definition.measure.key == "dwell_days":
            v = v / 86400
        key = (_hashable(row[0]), _hashable(row[1]) if two else None, row[-2] if money else "")
        stats = by_key.setdefault(key, _Stats())
        stats.n += 1
        if v is not None:
            stats.add(_Stats(total=v, valued=1, low=v, high=v, samples=[v]))
    return [(g0, g1, currency, stats) for (g0, g1, currency), stats in by_key.items()]


def _hashable(raw: Any) -> Any:
    return tuple(raw) if isinstance(raw, list) else raw


def combine(result: Result, groups: list[_Group], keys: GroupKeys):
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
    agg, money = result.definition.aggregate, money_measure(result.definition)
    result.count = everything.n
    result.cells = {k: v.value(agg, money) for k, v in cells.items()}
    result.row_totals = {k: v.value(agg, money) for k, v in rows_seen.items()}
    result.col_totals = {k: v.value(agg, money) for k, v in cols_seen.items()}
    result.total = everything.value(agg, money)
    return rows_seen, cols_seen


def sortable(value: Any) -> Any:
    if isinstance(value, Amounts):
        return value.sort_key()
    return (value or 0,)
