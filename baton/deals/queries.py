"""Permission-aware reads of opportunities, and the board."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from baton.core.listing import ListSpec
from baton.core.models import User
from baton.core.records import get_for_user
from baton.deals.models import ForecastCategory, Opportunity, Pipeline, Stage

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


@dataclass
class BoardColumn:
    stage: Stage
    cards: list[Opportunity]
    count: int
    totals: dict[str, Decimal]  # currency -> sum of amounts


BOARD_CARDS_PER_COLUMN = 50


def board(
    user: User, pipeline: Pipeline, *, filters: QuerySet[Opportunity] | None = None
) -> list[BoardColumn]:
    """Stage columns with their largest deals and per-column totals per currency.

    Queries: one aggregate for all columns plus one per column (bounded by the number of stages)."""
    base = filters if filters is not None else opportunities_for(user)
    base = base.filter(pipeline=pipeline)
    stages = list(pipeline.stages.filter(is_archived=False).order_by("sequence", "id"))
    counts: dict[int, int] = {}
    totals: dict[int, dict[str, Decimal]] = {}
    for row in base.order_by().values("stage_id", "currency").annotate(n=Count("id"), total=Sum("amount")):
        counts[row["stage_id"]] = counts.get(row["stage_id"], 0) + row["n"]
        totals.setdefault(row["stage_id"], {})[row["currency"]] = row["total"] or Decimal(0)
    columns = []
    for stage in stages:
        cards = list(base.filter(stage=stage).order_by("-amount", "-id")[:BOARD_CARDS_PER_COLUMN])
        columns.append(BoardColumn(stage, cards, counts.get(stage.pk, 0), totals.get(stage.pk, {})))
    return columns
