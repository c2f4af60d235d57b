"""The board's "no next activity" mark reads activities, which deals may not import: insights (above
both) registers this provider with ``deals.board_marks`` when the app is ready."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q

from baton.activities.models import Activity
from baton.deals.board_marks import NextActivityProvider


def _next(now: dt.datetime) -> Q:
    return Q(status=Activity.Status.OPEN) & (Q(due_at__gte=now) | Q(start_at__gte=now))


def with_next(ids: list[int], now: dt.datetime) -> set[int]:
    return set(
        Activity.objects.filter(_next(now), opportunity_id__in=ids).values_list("opportunity_id", flat=True)
    )


def exists(now: dt.datetime) -> Exists:
    return Exists(Activity.objects.filter(_next(now), opportunity_id=OuterRef("pk")))


PROVIDER = NextActivityProvider(with_next=with_next, exists=exists)
