"""Marks on the board's cards and the board's totals for the current filter.

- stale: an open deal that has stayed longer in its stage than the stage allows (``Stage.stale_after_days``,
  set by an administrator): whole days since ``stage_changed_at`` (or creation) > the limit;
- no next activity: an open deal without an open task or event due or starting from now on.

Activities live in a higher app, so the "next activity" test is a provider that app registers
(``register_next_activity``, done by insights in ``ready()``); without one, no deal is marked for it and
the filter offers only "stale". Totals: deals, amount per currency and weighted amount (amount × the
stage's probability) of the open columns, over exactly the deals the board counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baton.core.models import User
from baton.core.records import editable_ids
from baton.deals.models import Opportunity, Pipeline, Stage
from baton.deals.queries import (
    _CARD_FIELDS,
    BOARD_CARDS_PER_COLUMN,
    BOARD_CLOSED_DAYS,
    BoardColumn,
    board,
    board_scope_parts,
    card_order,
)

STALE = "stale"
NO_NEXT = "no_next"
ANY = "any"
MARKS = (STALE, NO_NEXT, ANY)
MARK_LABELS = {STALE: _("Too long in stage"), NO_NEXT: _("No next activity"), ANY: _("Any mark")}


@dataclass(frozen=True)
class NextActivityProvider:
    """``with_next(ids, now)``: the deals among ``ids`` that have a next activity; ``exists(now)``: an
    ``Exists`` over ``OuterRef("pk")`` that is true for a deal with one (for filtering in SQL)."""

    with_next: Callable[[list[int], dt.datetime], set[int]]
    exists: Callable[[dt.datetime], Exists]


_provider: list[NextActivityProvider] = []


def register_next_activity(provider: NextActivityProvider) -> None:
    _provider[:] = [provider]


def next_activity_provider() -> NextActivityProvider | None:
    return _provider[0] if _provider else None


# What kind of deal a card is (renewal, expansion, upsell): apps above deals know it (the success app
# marks its renewal and expansion deals) and register a provider ``badges(ids) -> {id: [(key, text)]}``.
KindBadges = Callable[[list[int]], dict[int, list[tuple[str, str]]]]
_kind_badges: dict[str, KindBadges] = {}


def register_kind_badges(name: str, provider: KindBadges) -> None:
    _kind_badges[name] = provider


def kind_badges(ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """The kind badges of the deals ``ids`` (one query per provider)."""
    found: dict[int, list[tuple[str, str]]] = {}
    if not ids:
        return found
    for provider in _kind_badges.values():
        for pk, badges in provider(ids).items():
            found.setdefault(pk, []).extend(badges)
    return found


def mark_choices() -> list[tuple[str, Any]]:
    keys = MARKS if next_activity_provider() else (STALE,)
    return [(k, MARK_LABELS[k]) for k in keys]


def stale_q(stages: list[Stage], now: dt.datetime) -> Q:
    """Deals (annotated with ``since``) past their stage's limit: since ≤ now − (limit + 1) days."""
    q = Q(pk__in=[])
    for stage in stages:
        if stage.stale_after_days and not stage.is_closed:
            q |= Q(stage_id=stage.pk, since__lte=now - dt.timedelta(days=stage.stale_after_days + 1))
    return q


def mark_filter(qs: QuerySet[Opportunity], mark: str, stages: list[Stage], now: dt.datetime) -> QuerySet:
    qs = qs.annotate(since=Coalesce("stage_changed_at", "created_at"))
    provider = next_activity_provider()
    stale = stale_q(stages, now)
    if mark == STALE or provider is None:
        return qs.filter(stale)
    no_next = Q(stage__outcome=Stage.Outcome.OPEN) & ~Q(has_next=True)
    qs = qs.annotate(has_next=provider.exists(now))
    return qs.filter(no_next) if mark == NO_NEXT else qs.filter(stale | no_next)


def _filtered_board(
    user: User, pipeline: Pipeline, scope: str, mark: str, now: dt.datetime
) -> list[BoardColumn]:
    """The board restricted to marked deals (open columns only: marks are about open deals)."""
    stages = list(pipeline.stages.filter(is_archived=False).order_by("sequence", "id"))
    parts = board_scope_parts(user, scope)
    visible = Q()
    if all(part for part in parts):
        visible = Q(pk__in=[])
        for part in parts:
            visible |= part
    columns = []
    for stage in stages:
        cards: list[Opportunity] = []
        count = 0
        totals: dict[str, Decimal] = {}
        if parts and not stage.is_closed:
            qs = mark_filter(
                # visible_to: the scope's parts only narrow what the user may read (defaults, shares)
                Opportunity.objects.visible_to(user).filter(
                    visible, stage_id=stage.pk, pipeline_id=pipeline.pk
                ),
                mark,
                [stage],
                now,
            )
            for currency, n, total in (
                qs.order_by().values_list("currency").annotate(n=Count("id"), t=Sum("amount"))
            ):
                count += n
                totals[currency] = total or Decimal(0)
            if count:
                cards = list(
                    qs.select_related("owner", "account")
                    .only(*_CARD_FIELDS)
                    .order_by(*card_order(user))[:BOARD_CARDS_PER_COLUMN]
                )
        columns.append(
            BoardColumn(stage, cards, count, totals, BOARD_CLOSED_DAYS if stage.is_closed else None)
        )
    return columns


def marked_board(
    user: User, pipeline: Pipeline, *, scope: str, mark: str = "", now: dt.datetime | None = None
) -> list[BoardColumn]:
    """The board's columns (filtered to marked deals when ``mark`` is set), each card carrying
    ``board_marks``: the reasons it is marked, as (key, text) pairs."""
    now = now or timezone.now()
    columns = (
        _filtered_board(user, pipeline, scope, mark, now)
        if mark in MARKS
        else board(user, pipeline, scope=scope)
    )
    annotate_marks(columns, now=now)
    cards = [o for c in columns for o in c.cards]
    badges = kind_badges([o.pk for o in cards])
    for card in cards:
        card.kind_badges = badges.get(card.pk, [])  # type: ignore[attr-defined]
    editable = editable_ids(user, cards)  # shared or granted read-only cards get no move control
    for card in cards:
        card.may_edit = card.pk in editable  # type: ignore[attr-defined]
    return columns


def annotate_marks(columns: list[BoardColumn], *, now: dt.datetime) -> None:
    """One query for all cards (which have a next activity); the stay in stage is on the card."""
    open_cards = [o for c in columns if not c.stage.is_closed for o in c.cards]
    for column in columns:
        for card in column.cards:
            card.board_marks = []  # type: ignore[attr-defined]
    if not open_cards:
        return
    ids = [o.pk for o in open_cards]
    provider = next_activity_provider()
    with_next = provider.with_next(ids, now) if provider else None
    stages = {c.stage.pk: c.stage for c in columns}
    for card in open_cards:
        stage = stages[card.stage_id]
        entered = card.stage_changed_at or card.created_at
        if stage.stale_after_days and entered and (now - entered).days > stage.stale_after_days:
            days = (now - entered).days
            card.board_marks.append(  # type: ignore[attr-defined]
                (
                    STALE,
                    _("%(days)s days in stage (limit %(limit)s)")
                    % {"days": days, "limit": stage.stale_after_days},
                )
            )
        if with_next is not None and card.pk not in with_next:
            card.board_marks.append((NO_NEXT, _("No next activity")))  # type: ignore[attr-defined]


@dataclass
class BoardSummary:
    count: int = 0
    totals: dict[str, Decimal] = field(default_factory=dict)
    weighted: dict[str, Decimal] = field(default_factory=dict)


def summary(columns: list[BoardColumn]) -> BoardSummary:
    """Totals of the open columns the board shows: deals, amount and weighted amount per currency
    (a column's total × its stage's probability: the same as summing each deal's weighted amount)."""
    out = BoardSummary()
    for column in columns:
        if column.stage.is_closed:
            continue
        out.count += column.count
        for currency, total in column.totals.items():
            out.totals[currency] = out.totals.get(currency, Decimal(0)) + total
            weighted = total * Decimal(column.stage.probability) / 100
            out.weighted[currency] = out.weighted.get(currency, Decimal(0)) + weighted
    return out
