"""Permission-aware reads of opportunities, and the board."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.utils import timezone

from baton.core import fieldaccess
from baton.core.listing import ListSpec
from baton.core.models import User
from baton.core.money import quantize
from baton.core.records import get_for_user, visible_team_ids
from baton.deals.models import ForecastCategory, LostReason, Opportunity, Pipeline, Stage

OPPORTUNITY_LIST = ListSpec(
    search_fields=["name__icontains", "account__name__icontains"],
    filters={
        "stage": ("stage_id", int),
        "pipeline": ("pipeline_id", int),
        "account": ("account_id", int),
        "owner": ("owner_id", int),
        "team": ("team_id", int),
        "forecast_category": ("forecast_category", ForecastCategory.values),
        "currency": ("currency", ["KRW", "USD", "EUR", "JPY", "CNY"]),
        "outcome": ("stage__outcome", Stage.Outcome.values),
    },
    orderings={"updated": "updated_at", "created": "created_at", "name": "name", "amount": "amount"},
    default_ordering="-updated",
)


def opportunities_for(user: User) -> QuerySet[Opportunity]:
    return Opportunity.objects.visible_to(user).select_related("owner", "account", "stage")


def get_opportunity_for_user(user: User, pk: object) -> Opportunity:
    return get_for_user(
        Opportunity.objects.select_related(
            "owner", "account", "stage", "pipeline", "primary_contact", "lost_reason"
        ),
        user,
        pk,
    )


BOARD_CARDS_PER_COLUMN = 20
# Won, lost and no-decision columns show what closed recently; older closed deals are in the list.
BOARD_CLOSED_DAYS = 90
BOARD_SCOPES = ("mine", "team", "all")
_CARD_FIELDS = (
    "id",
    "name",
    "amount",
    "currency",
    "expected_close_date",
    "version",
    "stage_id",
    "pipeline_id",
    "team_id",  # whether the reader may move the card (core.records.editable_ids)
    "owner__username",
    "owner__display_name",
    "owner__first_name",
    "owner__last_name",
    "account__name",
    "stage_changed_at",  # the board's "too long in stage" mark (board_marks.py)
    "created_at",
    "custom_field_data",  # the custom fields shown on cards (core.customfields.cards)
)


@dataclass
class BoardColumn:
    stage: Stage
    cards: list[Opportunity]
    count: int
    totals: dict[str, Decimal]  # currency -> sum of amounts
    closed_window_days: int | None = None


def board_scope_parts(user: User, scope: str) -> list[Q]:
    """Disjoint filters whose union is what the user sees on the board in this scope.

    Visibility is "owned by me OR owned by a team I see"; aggregating over that OR makes the database
    read both sets of rows through a bitmap. Split into disjoint parts, each aggregate is an index
    scan of its own and the sums simply add up.
    """
    if not user.is_authenticated or not user.is_active:
        return []
    if scope == "mine":
        return [Q(owner_id=user.pk)]
    if scope == "team":
        return [Q(team_id=user.team_id)] if user.team_id else [Q(owner_id=user.pk)]
    if user.is_admin:
        return [Q()]
    teams = visible_team_ids(user)
    if not teams:
        return [Q()]  # everything the user may read (``visible_to`` is applied to every part)
    # The teams' deals, then everything else the user may read: their own deals on other teams, and
    # deals shared with them or readable through a default or a grant (``visible_to`` decides).
    return [Q(team_id__in=teams), ~Q(team_id__in=teams)]


def _closed_cutoff():
    return timezone.now() - timedelta(days=BOARD_CLOSED_DAYS)


def board_totals(
    user: User, pipeline: Pipeline, scope: str, stages: list[Stage]
) -> dict[int, tuple[int, dict]]:
    """Per stage: (count, {currency: total}). Open stages count everything; closed stages the last
    BOARD_CLOSED_DAYS days. At most four aggregate queries whatever the data size."""
    open_ids = [s.pk for s in stages if not s.is_closed]
    closed_ids = [s.pk for s in stages if s.is_closed]
    result: dict[int, tuple[int, dict]] = {}
    windows = []
    if open_ids:
        windows.append(Q(stage_id__in=open_ids))
    if closed_ids:
        windows.append(Q(stage_id__in=closed_ids, closed_at__gte=_closed_cutoff()))
    for part in board_scope_parts(user, scope):
        for window in windows:
            rows = (
                Opportunity.objects.visible_to(user)  # the sharing default (e.g. private) still applies
                .filter(part, window, pipeline_id=pipeline.pk)
                .order_by()
                .values("stage_id", "currency")
                .annotate(n=Count("*"), total=Sum("amount"))
            )
            for row in rows:
                count, totals = result.get(row["stage_id"], (0, {}))
                totals[row["currency"]] = totals.get(row["currency"], Decimal(0)) + (
                    row["total"] or Decimal(0)
                )
                result[row["stage_id"]] = (count + row["n"], totals)
    return result


def card_order(user: User) -> tuple[str, ...]:
    """The largest deals first; by close date when the amount is protected from the reader (the order
    itself would rank the hidden amounts)."""
    if fieldaccess.can_see(user, Opportunity, "amount"):
        return ("-amount", "-id")
    return ("expected_close_date", "-id")


def board(user: User, pipeline: Pipeline, *, scope: str = "all") -> list[BoardColumn]:
    """Stage columns with their largest deals and per-column totals per currency.

    Queries: the stages, at most four aggregates, and one bounded card query per column."""
    if scope not in BOARD_SCOPES:
        scope = "all"
    stages = list(pipeline.stages.filter(is_archived=False).order_by("sequence", "id"))
    parts = board_scope_parts(user, scope)
    # Q() | Q(x) is Q(x) in Django, so an unrestricted part (an administrator's) must win explicitly.
    visible = Q()
    if all(part for part in parts):
        visible = Q(pk__in=[])
        for part in parts:
            visible |= part
    totals = board_totals(user, pipeline, scope, stages)
    cutoff = _closed_cutoff()
    columns = []
    for stage in stages:
        cards: list[Opportunity] = []
        if parts:
            qs = Opportunity.objects.visible_to(user).filter(
                visible, stage_id=stage.pk, pipeline_id=pipeline.pk
            )
            if stage.is_closed:
                qs = qs.filter(closed_at__gte=cutoff)
            cards = list(
                qs.select_related("owner", "account")
                .only(*_CARD_FIELDS)
                .order_by(*card_order(user))[:BOARD_CARDS_PER_COLUMN]
            )
        count, column_totals = totals.get(stage.pk, (0, {}))
        window = BOARD_CLOSED_DAYS if stage.is_closed else None
        columns.append(BoardColumn(stage, cards, count, column_totals, window))
    return columns


def list_totals(qs: QuerySet[Opportunity]) -> list[dict]:
    """Totals of a filtered opportunity list, per currency (one grouped query): the deals, their amount,
    and the weighted amount (amount × the stage's probability) of the open ones among them."""
    weighted = ExpressionWrapper(
        F("amount") * F("stage__probability") / 100,
        output_field=DecimalField(max_digits=24, decimal_places=4),
    )
    rows = (
        qs.order_by()
        .values("currency")
        .annotate(
            n=Count("id"),
            total=Sum("amount"),
            weighted=Sum(weighted, filter=Q(stage__outcome=Stage.Outcome.OPEN)),
        )
        .order_by("currency")
    )
    return [
        {
            "currency": r["currency"],
            "count": r["n"],
            "total": r["total"] or Decimal(0),
            "weighted": quantize(r["weighted"] or Decimal(0), r["currency"]),
        }
        for r in rows
    ]


def offered_lost_reasons() -> QuerySet[LostReason]:
    """The lost reasons a person may pick: active ones, without the reason imports set by code
    ("unknown (imported)"); the API and imports still accept that one."""
    return LostReason.objects.filter(is_archived=False, code="")
