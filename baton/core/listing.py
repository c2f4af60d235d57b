"""Search, filter, sort and paginate lists the same way in pages and in the API.

Each list declares a ``ListSpec``: which fields the search box looks in, which filters exist
(only those, with their allowed values) and which columns may be sorted. Every filter and sort
offered has an index behind it. Pages use numbered pages with a capped count; the API uses an
opaque keyset cursor, so deep pages cost the same as the first.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from baton.core.customfields.search import search_lookups
from baton.core.fieldaccess import hidden_fields
from baton.core.params import bool_param, choice_param, id_param, text_param
from baton.core.textsearch import search_filter

COUNT_CAP = 10_000


@dataclass
class ListSpec:
    search_fields: list[str]
    # filter name -> (ORM lookup, allowed values or None for "any id", converter)
    filters: dict[str, tuple[str, Any]] = field(default_factory=dict)
    # public sort key -> model field (must be NOT NULL so that keyset cursors are exact)
    orderings: dict[str, str] = field(default_factory=dict)
    default_ordering: str = "-created"
    extra_filters: dict[str, Callable[[QuerySet, str], QuerySet]] = field(default_factory=dict)
    # Whether the search box also finds records by the digits of their phone numbers (off when a
    # number is protected from the user: a match would reveal it).
    match_phone_digits: bool = True
    # Who reads the list (set by ``protected_spec``): the search also looks in the searchable custom
    # fields they may read (``customfields.search``).
    reader: Any = None


def protected_spec(spec: ListSpec, user: Any, model: Any) -> ListSpec:
    """``spec`` without the filters and sorts over fields protected from ``user`` (core.fieldaccess):
    sorting or filtering by a value one may not see would reveal it. Unchanged when nothing is hidden."""
    hidden = hidden_fields(user, model)
    if not hidden:
        return replace(spec, reader=user)

    def reveals(lookup: str) -> bool:
        return lookup.lstrip("-").split("__")[0] in hidden

    orderings = {k: v for k, v in spec.orderings.items() if not reveals(v)}
    phones = getattr(model, "SEARCH_PHONES", ())
    default = spec.default_ordering
    if default.lstrip("-") not in orderings:
        default = next(iter(orderings), default)
    return replace(
        spec,
        search_fields=[lookup for lookup in spec.search_fields if not reveals(lookup)],
        filters={k: v for k, v in spec.filters.items() if not reveals(v[0])},
        match_phone_digits=spec.match_phone_digits and not any(p in hidden for p in phones),
        orderings=orderings,
        default_ordering=default,
        reader=user,
    )


def _coerce_filter(name: str, allowed: Any, raw: str) -> Any:
    params = {name: raw}
    if allowed is None or allowed is int:
        return id_param(params, name)
    if allowed is bool:
        return bool_param(params, name)
    return choice_param(params, name, allowed)


def apply_spec(
    qs: QuerySet, spec: ListSpec, params: Mapping[str, Any], *, strict: bool = True
) -> tuple[QuerySet, dict]:
    """Return the filtered, ordered queryset and the state actually applied (for links and forms)."""
    state: dict[str, Any] = {}
    search = text_param(params, "search", max_length=100) or text_param(params, "q", max_length=100)
    if search:
        lookups = spec.search_fields
        if spec.reader is not None:
            lookups = [*lookups, *search_lookups(spec.reader, qs.model)]
        qs = search_filter(qs, lookups, search, digits=spec.match_phone_digits)
        state["search"] = search
    for name, (lookup, allowed) in spec.filters.items():
        raw = params.get(name)
        if raw in (None, ""):
            continue
        try:
            value = _coerce_filter(name, allowed, str(raw))
        except ValidationError as exc:
            if strict:
                raise
            state.setdefault("_ignored", []).append(exc)
            continue
        qs = qs.filter(**{lookup: value})
        state[name] = value
    for name, fn in spec.extra_filters.items():
        raw = params.get(name)
        if raw not in (None, ""):
            value = text_param(params, name)
            if value:
                qs = fn(qs, value)
                state[name] = value
    ordering = text_param(params, "ordering", max_length=60) or spec.default_ordering
    key = ordering.lstrip("-")
    if key not in spec.orderings:
        if strict and params.get("ordering"):
            raise ValidationError({"ordering": [_("Cannot sort by %(key)s.") % {"key": key[:40]}]})
        ordering = spec.default_ordering
        key = ordering.lstrip("-")
    desc = ordering.startswith("-")
    column = spec.orderings[key]
    qs = qs.order_by(f"-{column}" if desc else column, "-id" if desc else "id")
    state["ordering"] = ordering
    state["_column"] = column
    state["_desc"] = desc
    return qs, state


def capped_count(qs: QuerySet, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """Count up to ``cap`` rows: exact totals on huge tables cost more than they tell."""
    n = qs.order_by()[: cap + 1].count()
    return min(n, cap), n > cap


@dataclass
class Page:
    items: list
    number: int
    per_page: int
    count: int
    count_capped: bool

    @property
    def has_next(self) -> bool:
        return self.number * self.per_page < self.count or (
            self.count_capped and len(self.items) == self.per_page
        )

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.items else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.items)


def paginate(qs: QuerySet, page: Any, per_page: int) -> Page:
    try:
        number = max(1, min(int(page or 1), 10_000))
    except (TypeError, ValueError):
        number = 1
    count, capped = capped_count(qs)
    start = (number - 1) * per_page
    items = list(qs[start : start + per_page])
    return Page(items, number, per_page, count, capped)


# --- keyset cursors for the API ---------------------------------------------------------------


def _encode_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return {"t": "dt" if isinstance(value, dt.datetime) else "d", "v": value.isoformat()}
    if isinstance(value, Decimal):
        return {"t": "dec", "v": str(value)}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        kind = value.get("t")
        # Untrusted JSON: a value of the wrong type raises TypeError/ValueError, which the caller reports.
        raw: Any = value.get("v")
        if kind == "dt":
            return dt.datetime.fromisoformat(raw)
        if kind == "d":
            return dt.date.fromisoformat(raw)
        if kind == "dec":
            return Decimal(raw)
        raise ValueError("bad cursor value")
    return value


def encode_cursor(ordering: str, value: Any, pk: int) -> str:
    payload = json.dumps({"o": ordering, "v": _encode_value(value), "id": pk}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def keyset_page(qs: QuerySet, state: dict, *, limit: int, cursor: str | None) -> tuple[list, str | None]:
    column, desc, ordering = state["_column"], state["_desc"], state["ordering"]
    if cursor:
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            data = json.loads(base64.urlsafe_b64decode(padded.encode()))
            if data["o"] != ordering:
                raise ValueError("cursor made for another ordering")
            value, pk = _decode_value(data["v"]), int(data["id"])
        except (ValueError, KeyError, TypeError, binascii.Error, json.JSONDecodeError):
            raise ValidationError({"cursor": [_("Invalid cursor; start again without one.")]}) from None
        op = "lt" if desc else "gt"
        qs = qs.filter(Q(**{f"{column}__{op}": value}) | Q(**{column: value, f"id__{op}": pk}))
    rows = list(qs[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        value = last
        for part in column.split("__"):
            value = getattr(value, part)
        next_cursor = encode_cursor(ordering, value, last.pk)
    return rows, next_cursor
