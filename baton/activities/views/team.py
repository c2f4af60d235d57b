"""The manager's page: the team's activities this week by rep and type, overdue work per rep."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from baton.activities import queries
from baton.activities.models import Activity, Notification, OpenQuestion
from baton.activities.views.calendar import team_user_ids
from baton.core.http import AuthedHttpRequest
from baton.core.models import User

# --- manager's page --------------------------------------------------------------------------------


@login_required
@require_GET
def team_page(request: AuthedHttpRequest) -> HttpResponse:
    """The team's activities this week by rep and type, and overdue work per rep."""
    user_ids = team_user_ids(request.user)
    today = timezone.localdate()
    week_start, _e = queries.day_bounds(today - dt.timedelta(days=today.weekday()))
    week_end = week_start + dt.timedelta(days=7)
    now = timezone.now()
    people = {u.pk: u for u in User.objects.filter(pk__in=user_ids).order_by("display_name", "username")}
    counts = (
        Activity.objects.filter(owner_id__in=user_ids)
        .filter(
            Q(start_at__gte=week_start, start_at__lt=week_end)
            | Q(start_at__isnull=True, created_at__gte=week_start, created_at__lt=week_end)
        )
        .order_by()
        .values("owner_id", "kind")
        .annotate(n=Count("id"))
    )
    overdue = (
        Activity.objects.filter(owner_id__in=user_ids, status=Activity.Status.OPEN, due_at__lt=now)
        .order_by()
        .values("owner_id")
        .annotate(n=Count("id"))
    )
    open_q = (
        OpenQuestion.objects.filter(owner_id__in=user_ids, status=OpenQuestion.Status.OPEN)
        .order_by()
        .values("owner_id")
        .annotate(n=Count("id"))
    )
    kinds = Activity.Kind.choices
    table: dict[int, dict[str, Any]] = {
        uid: {
            "user": u,
            "kinds": dict.fromkeys(Activity.Kind.values, 0),
            "overdue": 0,
            "questions": 0,
            "total": 0,
        }
        for uid, u in people.items()
    }
    for row in counts:
        table[row["owner_id"]]["kinds"][row["kind"]] = row["n"]
        table[row["owner_id"]]["total"] += row["n"]
    for late in overdue:
        table[late["owner_id"]]["overdue"] = late["n"]
    for asked in open_q:
        table[asked["owner_id"]]["questions"] = asked["n"]
    rows = [{**r, "cells": [r["kinds"][k] for k, _label in kinds]} for r in table.values()]
    return render(
        request,
        "activities/team.html",
        {
            "rows": rows,
            "kinds": kinds,
            "chart": {
                "labels": [str(r["user"]) for r in rows],
                "series": [
                    {"label": str(label), "data": [r["kinds"][k] for r in rows]} for k, label in kinds
                ],
            },
            "week_start": week_start.date(),
            "notification_kinds": Notification.Kind,
        },
    )
