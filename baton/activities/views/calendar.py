"""The calendar (day, week, month; mine or my team's) and its iCalendar feed."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from baton.activities import queries, services
from baton.activities.ical import build_calendar
from baton.activities.models import Activity, PersonalKeys
from baton.core.http import AuthedHttpRequest
from baton.core.models import User
from baton.core.params import (
    bool_param,
    choice_param,
    date_param,
    note_ignored,
)
from baton.core.records import visible_team_ids

# --- calendar --------------------------------------------------------------------------------------


SLOT_HOURS = list(range(6, 23))  # 06:00-22:00; earlier or later items show in the first or last slot


def team_user_ids(user: User) -> list[int]:
    if user.is_admin:
        return list(User.objects.filter(is_active=True).values_list("pk", flat=True))
    teams = visible_team_ids(user)
    ids = set(User.objects.filter(is_active=True, team_id__in=teams).values_list("pk", flat=True))
    ids.add(user.pk)
    return sorted(ids)


@login_required
@require_GET
def calendar_page(request: AuthedHttpRequest) -> HttpResponse:
    try:
        view = choice_param(request.GET, "view", ("day", "week", "month")) or "week"
        day = date_param(request.GET, "date") or timezone.localdate()
        team = bool(bool_param(request.GET, "team"))
    except ValidationError as exc:
        note_ignored(request, exc)
        return redirect("activities:calendar")
    if view == "day":
        first, last = day, day
        prev_day, next_day = day - dt.timedelta(days=1), day + dt.timedelta(days=1)
    elif view == "week":
        first = day - dt.timedelta(days=day.weekday())
        last = first + dt.timedelta(days=6)
        prev_day, next_day = first - dt.timedelta(days=7), first + dt.timedelta(days=7)
    else:
        month_first = day.replace(day=1)
        month_last = day.replace(day=pycalendar.monthrange(day.year, day.month)[1])
        first = month_first - dt.timedelta(days=month_first.weekday())
        last = month_last + dt.timedelta(days=6 - month_last.weekday())
        prev_day = (month_first - dt.timedelta(days=1)).replace(day=1)
        next_day = month_last + dt.timedelta(days=1)
    start, _end = queries.day_bounds(first)
    _start, end = queries.day_bounds(last)
    users = team_user_ids(request.user) if team else [request.user.id]
    events = list(queries.calendar_events(users, start, end)[:500])
    by_day: dict[dt.date, list[Activity]] = {}
    for event in events:
        by_day.setdefault(timezone.localtime(event.when).date(), []).append(event)
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    weeks = [
        [
            {"date": d, "events": by_day.get(d, []), "other_month": view == "month" and d.month != day.month}
            for d in days[i : i + 7]
        ]
        for i in range(0, len(days), 7)
    ]
    # Day and week views: an hour grid, each slot a drop target (drag to another day and time).
    grid = []
    if view != "month":
        by_slot: dict[tuple[dt.date, int], list[Activity]] = {}
        for event in events:
            local = timezone.localtime(event.when)
            hour = min(max(local.hour, SLOT_HOURS[0]), SLOT_HOURS[-1])
            by_slot.setdefault((local.date(), hour), []).append(event)
        grid = [
            {
                "hour": hour,
                "label": f"{hour:02d}:00",
                "cells": [{"date": d, "events": by_slot.get((d, hour), [])} for d in days],
            }
            for hour in SLOT_HOURS
        ]
    keys, _created = PersonalKeys.objects.get_or_create(user=request.user)
    context = {
        "view": view,
        "day": day,
        "team": team,
        "weeks": weeks,
        "days": days,
        "grid": grid,
        "prev_day": prev_day,
        "next_day": next_day,
        "today": timezone.localdate(),
        "ical_url": request.build_absolute_uri(reverse("activities:ical", args=[keys.calendar_token])),
    }
    return render(request, "activities/calendar.html", context)


@login_required
@require_POST
def calendar_rotate(request: AuthedHttpRequest) -> HttpResponse:
    services.rotate_calendar_token(request.user)
    messages.success(request, _("A new calendar address was made; the old one no longer works."))
    return redirect("activities:calendar")


@require_GET
def ical_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The user's calendar for subscription by Google Calendar or Outlook; the secret URL is the key."""
    keys = PersonalKeys.objects.select_related("user").filter(calendar_token=token).first()
    if keys is None or not keys.user.is_active:
        raise Http404("Not found")
    now = timezone.now()
    events = list(
        queries.calendar_events([keys.user_id], now - dt.timedelta(days=60), now + dt.timedelta(days=365))[
            :2000
        ]
    )
    body = build_calendar(events, name=_("Baton: %(user)s") % {"user": keys.user}, host=request.get_host())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="baton.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
