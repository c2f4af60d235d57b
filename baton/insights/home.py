"""The home page, by role: a rep's day in numbers, a manager's team, an administrator's company view.
Every panel reads through the reader's visibility; the numbers' definitions are in dashboards.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.accounts.models import Account, Contact
from baton.core.http import AuthedHttpRequest
from baton.core.models import ChangeLog, Role, User
from baton.core.money import format_money
from baton.core.records import OwnedRecord
from baton.deals.models import Opportunity, Stage, localized
from baton.deals.queries import opportunities_for
from baton.insights import dashboards, protected, views_dashboards
from baton.insights.aggregates.trend import revenue_trend_for
from baton.insights.forecast import Forecast, compute_forecast, find_row, managed_team_ids, scope_user_ids
from baton.insights.periods import period_containing
from baton.leads.models import Lead
from baton.leads.queries import leads_for


def month_bounds(today: dt.date) -> tuple[dt.date, dt.date]:
    first = today.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def pipeline_by_stage(opportunities) -> list[dict]:
    """Open deals grouped by stage, with a count and a total per currency, in stage order (raw amounts:
    the home page formats them, the dashboard API returns them)."""
    rows = (
        opportunities.filter(stage__outcome=Stage.Outcome.OPEN)
        .order_by()
        .values("stage_id", "stage__name", "stage__name_en", "stage__sequence", "currency")
        .annotate(n=Count("id"), total=Sum("amount"))
    )
    stages: dict[int, dict] = {}
    for row in rows:
        entry = stages.setdefault(
            row["stage_id"],
            {
                "id": row["stage_id"],
                "name": localized(row["stage__name"], row["stage__name_en"]),
                "sequence": row["stage__sequence"],
                "count": 0,
                "amounts": [],
            },
        )
        entry["count"] += row["n"]
        entry["amounts"].append((row["currency"], row["total"] or Decimal(0)))
    return sorted(stages.values(), key=lambda e: e["sequence"])


def pipeline_summary(opportunities) -> list[dict]:
    """Open deals grouped by stage, with a count and a formatted total per currency, in stage order."""
    rows = pipeline_by_stage(opportunities)
    for row in rows:
        row["totals"] = [format_money(amount, currency) for currency, amount in row["amounts"]]
    return rows


def rep_context(user: User, today: dt.date, now: dt.datetime) -> dict:
    mine = opportunities_for(user).filter(owner=user)
    first, last = month_bounds(today)
    closing = list(
        mine.filter(stage__outcome=Stage.Outcome.OPEN, expected_close_date__range=(first, last)).order_by(
            "expected_close_date", "id"
        )[:20]
    )
    leads = list(leads_for(user).filter(owner=user).order_by("-created_at", "-id")[:10])
    owned: tuple[type[OwnedRecord], ...] = (Lead, Account, Contact, Opportunity)
    types = ContentType.objects.get_for_models(*owned)
    mine_q = Q()
    for model in owned:
        mine_q |= Q(content_type=types[model], object_id__in=model.objects.filter(owner=user).values("pk"))
    changes = list(ChangeLog.objects.filter(mine_q).select_related("actor").order_by("-time", "-id")[:15])
    question_count, questions = dashboards.open_questions(user, limit=5)
    return {
        "stages": pipeline_summary(mine),
        "closing": closing,
        "leads": leads,
        "changes": changes,
        "month_start": first,
        "risks": dashboards.deals_at_risk(mine, now=now, limit=10),
        "activity_counts": dashboards.activity_counts(user, today=today),
        "question_count": question_count,
        "questions": questions,
    }


def manager_context(user: User, today: dt.date, now: dt.datetime, forecast: Forecast) -> dict:
    visible = Opportunity.objects.visible_to(user).filter(owner_id__in=scope_user_ids(user))
    team_rows = [row for root in forecast.rows for row in root.flatten() if row.depth <= 1]
    people = list(
        User.objects.filter(pk__in=scope_user_ids(user), is_active=True)
        .exclude(role=Role.ADMIN)
        .order_by("display_name", "id")
    )
    window_start = timezone.make_aware(
        dt.datetime.combine(today - dt.timedelta(days=dashboards.WINDOW_DAYS), dt.time.min)
    )
    stats = dashboards.win_stats_by_owner(visible, start=window_start, end=now)
    activity = dashboards.activity_by_rep([p.pk for p in people], today=today)
    return {
        "team_forecast": team_rows,
        "matrix": dashboards.pipeline_matrix(user, visible, today=today),
        "rep_rows": [
            {"user": p, "stats": stats.get(p.pk, dashboards.WinStats()), "activity": activity.get(p.pk, {})}
            for p in people
        ],
        "team_risks": dashboards.deals_at_risk(visible.exclude(owner=user), now=now, limit=20),
    }


def executive_context(user: User, today: dt.date, now: dt.datetime, forecast: Forecast) -> dict:
    visible = Opportunity.objects.visible_to(user)
    window_start = timezone.make_aware(
        dt.datetime.combine(today - dt.timedelta(days=dashboards.WINDOW_DAYS), dt.time.min)
    )
    total = dashboards.total_stats(dashboards.win_stats_by_owner(visible, start=window_start, end=now))
    open_count = visible.filter(stage__outcome=Stage.Outcome.OPEN).count()
    trend = revenue_trend_for(user, today=today)  # stored closed months where they hold
    return {
        "company": forecast.total,
        "win": total,
        "open_count": open_count,
        "velocity": dashboards.sales_velocity(open_count, total),
        "trend": trend,
        "trend_chart": {
            "labels": [f"{m['month']}" for m in trend.months],
            "this_year": [float(m["this"]) for m in trend.months],
            "last_year": [float(m["last"]) for m in trend.months],
            "this_label": str(today.year),
            "last_label": str(today.year - 1),
            # A click on a bar opens the won deals of that month (the dashboard drill-down, with CSV).
            "drill": reverse("insights:dashboard_records") + "?what=won",
            "years": [today.year, today.year - 1],
        },
        "splits": [
            (_("By product family"), trend.by_family, "family"),
            (_("By industry"), trend.by_industry, "industry"),
            (_("By region"), trend.by_region, "region"),
        ],
    }


def sees_team(user: User) -> bool:
    """Sales managers, whoever manages a team, and administrators get the manager's section."""
    return user.is_admin or user.role == Role.SALES_MANAGER or bool(managed_team_ids(user))


@login_required
def home(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    now = timezone.now()
    quarter = period_containing("quarter", today)
    my_forecast = compute_forecast(user, quarter, today=today)
    me = find_row(my_forecast, "user", user.pk)
    context: dict = {"quarter": quarter, "my_numbers": me.numbers if me else None}
    context.update(rep_context(user, today, now))
    if sees_team(user):
        context["manager"] = manager_context(user, today, now, my_forecast)
    if user.is_admin:
        context["executive"] = executive_context(user, today, now, my_forecast)
    # Marketing and inside sales open on their own dashboard (others reach it from the menu).
    if user.role == Role.MARKETING:
        context.update(views_dashboards.marketing_context(user))
    elif user.role == Role.INSIDE_SALES:
        context.update(views_dashboards.inside_sales_context(user))
    protected.redact_home(user, context)  # protected deal amounts: no figure built from them
    return render(request, "insights/home.html", context)
