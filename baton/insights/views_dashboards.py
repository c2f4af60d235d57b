"""The marketing and inside-sales dashboards: their pages, a CSV/XLSX of each table, the records
behind every number (drill-down) and the campaign cost marketing enters. Numbers: ``funnel.py``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baton.core.http import AuthedHttpRequest
from baton.core.models import Role, User
from baton.core.params import choice_param, date_param, id_param, int_param, text_param
from baton.core.xlsxout import table_response
from baton.insights import funnel, protected
from baton.insights.drill_won import won_drill
from baton.leads.models import Campaign, Lead, LeadSource
from baton.leads.services import update_campaign

DRILL_LIMIT = 500
FORMATS = ("csv", "xlsx")
LEAD_MEASURES = ("leads", "mql", "sql")
SPEED_STATES = ("all", "touched", "met", "breached", "waiting")
DRILLS = ("leads", "speed", "campaign_opps", "campaign_won", "meetings", "supplied", "won")


def _days(request: AuthedHttpRequest) -> int:
    return int_param(request.GET, "days", minimum=1, maximum=730) or funnel.DEFAULT_DAYS


def _fmt(request: AuthedHttpRequest) -> str:
    return choice_param(request.GET, "format", FORMATS)


def may_enter_costs(user: User) -> bool:
    return user.is_admin or user.role == Role.MARKETING


def pct_text(value: Decimal | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


def num_text(value: Decimal | None, places: int = 0) -> str:
    return "" if value is None else f"{value:.{places}f}"


DAY_CHOICES = (30, 90, 180, 365)


def marketing_context(user: User, *, days: int = funnel.DEFAULT_DAYS) -> dict[str, Any]:
    data = funnel.marketing(user, days=days)
    protected.redact_campaigns(user, data.campaigns)
    return {
        "marketing": data,
        "marketing_tables": [
            (_("Source"), data.by_source, "source"),
            (_("Campaign"), data.by_campaign, "campaign"),
        ],
        "may_enter_costs": may_enter_costs(user),
    }


def inside_sales_context(user: User, *, days: int = funnel.DEFAULT_DAYS) -> dict[str, Any]:
    return {"inside": funnel.inside_sales(user, days=days)}


@login_required
def marketing_page(request: AuthedHttpRequest) -> HttpResponse:
    days = _days(request)
    context = marketing_context(request.user, days=days)
    data = context["marketing"]
    fmt = _fmt(request)
    if fmt:
        header = [_("Group"), _("Name"), _("Leads"), _("MQLs"), _("SQLs"), _("MQL→SQL %")]
        rows: list[list[Any]] = []
        for group, items in ((_("Source"), data.by_source), (_("Campaign"), data.by_campaign)):
            rows += [[group, r.label, r.leads, r.mql, r.sql, pct_text(r.conversion)] for r in items]
        rows.append([])
        rows.append(
            [
                _("Campaign"),
                _("Cost (KRW)"),
                _("Leads (lifetime)"),
                _("Opportunities"),
                _("Cost per lead"),
                _("Cost per opportunity"),
                _("Influenced won deals"),
                _("Influenced won revenue (KRW)"),
            ]
        )
        rows += [
            [
                c.campaign.name,
                num_text(c.cost),
                c.leads,
                c.opportunities,
                num_text(c.cost_per_lead),
                num_text(c.cost_per_opportunity),
                c.won_count,
                num_text(c.influenced_won),
            ]
            for c in data.campaigns
        ]
        return table_response(fmt, header, rows, filename=f"marketing-{days}d", exported_by=request.user)
    return render(request, "insights/marketing.html", {**context, "days": days, "day_choices": DAY_CHOICES})


@login_required
def inside_sales_page(request: AuthedHttpRequest) -> HttpResponse:
    days = _days(request)
    data = funnel.inside_sales(request.user, days=days)
    fmt = _fmt(request)
    if fmt:
        header = [
            _("Owner"),
            _("Leads"),
            _("Touched"),
            _("Median hours to first touch"),
            _("Mean hours to first touch"),
            _("SLA met"),
            _("SLA breached"),
            _("Waiting"),
            _("SLA compliance %"),
            _("Meetings set"),
            _("SQLs"),
        ]
        rows = [
            [
                r.label or _("Everyone in view"),
                r.leads,
                r.touched,
                num_text(r.median_hours, 2),
                num_text(r.mean_hours, 2),
                r.met,
                r.breached,
                r.waiting,
                pct_text(r.compliance),
                r.meetings,
                r.sql,
            ]
            for r in [*data.by_owner, data.total]
        ]
        return table_response(fmt, header, rows, filename=f"inside-sales-{days}d", exported_by=request.user)
    return render(
        request, "insights/inside_sales.html", {"inside": data, "days": days, "day_choices": DAY_CHOICES}
    )


# --- drill-down -------------------------------------------------------------------------------------------


def lead_table(
    leads: list[Any], *, with_touch: bool = False
) -> tuple[list[str], list[tuple[str, list[Any]]]]:
    header = [_("Lead"), _("Company"), _("Source"), _("Campaign"), _("Status"), _("Owner"), _("Created")]
    if with_touch:
        header.append(_("First touch"))
    rows = []
    for lead in leads:
        cells = [
            lead.name,
            lead.company,
            lead.get_source_display(),
            str(lead.campaign or ""),
            lead.get_status_display(),
            str(lead.owner or ""),
            timezone.localtime(lead.created_at).strftime("%Y-%m-%d %H:%M"),
        ]
        if with_touch:
            touch = getattr(lead, "first_touch", None)
            cells.append(timezone.localtime(touch).strftime("%Y-%m-%d %H:%M") if touch else "")
        rows.append((reverse("leads:detail", args=[lead.pk]), cells))
    return header, rows


def deal_table(deals: list[Any]) -> tuple[list[str], list[tuple[str, list[Any]]]]:
    header = [_("Opportunity"), _("Account"), _("Owner"), _("Stage"), _("Amount"), _("Currency"), _("Closed")]
    rows = [
        (
            reverse("deals:detail", args=[o.pk]),
            [
                o.name,
                o.account.name,
                str(o.owner or ""),
                str(o.stage),
                o.amount,
                o.currency,
                timezone.localdate(o.closed_at).isoformat() if o.closed_at else "",
            ],
        )
        for o in deals
    ]
    return header, rows


def activity_table(items: list[Any]) -> tuple[list[str], list[tuple[str, list[Any]]]]:
    header = [_("Subject"), _("Owner"), _("Starts"), _("Status"), _("Record"), _("Created")]
    rows = [
        (
            reverse("activities:detail", args=[a.pk]),
            [
                a.subject,
                str(a.owner or ""),
                timezone.localtime(a.start_at).strftime("%Y-%m-%d %H:%M") if a.start_at else "",
                a.get_status_display(),
                str(a.lead or a.opportunity or ""),
                timezone.localtime(a.created_at).strftime("%Y-%m-%d %H:%M"),
            ],
        )
        for a in items
    ]
    return header, rows


def _campaign(request: AuthedHttpRequest) -> Campaign:
    pk = id_param(request.GET, "campaign")
    campaign = Campaign.objects.filter(pk=pk).first() if pk else None
    if campaign is None:
        raise Http404("Not found")
    return campaign


def drill_rows(request: AuthedHttpRequest) -> tuple[str, list[str], list[tuple[str, list[Any]]], str]:
    """(title, header, rows with their link, back link) of the records behind one dashboard number."""
    user = request.user
    now = timezone.now()
    days = _days(request)
    what = choice_param(request.GET, "what", DRILLS) or "leads"
    marketing_url = reverse("insights:marketing") + f"?days={days}"
    inside_url = reverse("insights:inside_sales") + f"?days={days}"
    if what == "leads":
        measure = choice_param(request.GET, "measure", LEAD_MEASURES) or "leads"
        leads = funnel.window_leads(user, now=now, days=days)
        title = {"leads": _("Leads"), "mql": _("MQLs"), "sql": _("SQLs")}[measure]
        source = choice_param(request.GET, "source", LeadSource.values)
        if source:
            leads = leads.filter(source=source)
            title += " · " + str(LeadSource(source).label)
        campaign_raw = text_param(request.GET, "campaign", max_length=20)
        if campaign_raw == "none":
            leads = leads.filter(campaign__isnull=True)
        elif campaign_raw:
            campaign = _campaign(request)
            leads = leads.filter(campaign=campaign)
            title += " · " + campaign.name
        if measure == "mql":
            leads = leads.filter(funnel.MQL_Q)
        elif measure == "sql":
            leads = leads.filter(funnel.SQL_Q)
        picked = list(
            leads.select_related("owner", "campaign").order_by("-created_at", "-id")[: DRILL_LIMIT + 1]
        )
        return (title, *lead_table(picked), marketing_url)
    if what == "speed":
        state = choice_param(request.GET, "state", SPEED_STATES) or "all"
        owner = id_param(request.GET, "owner")
        picked = funnel.speed_leads(
            user, now=now, days=days, state=state, owner_id=owner, sla_hours=funnel.SPEED_TO_LEAD_SLA_HOURS
        )
        labels = {
            "all": _("Leads"),
            "touched": _("Touched"),
            "met": _("SLA met"),
            "breached": _("SLA breached"),
            "waiting": _("Waiting for a first touch"),
        }
        return (labels[state], *lead_table(picked, with_touch=True), inside_url)
    if what in ("campaign_opps", "campaign_won"):
        campaign = _campaign(request)
        deals = funnel.campaign_opportunities(user, campaign, won_only=what == "campaign_won")
        title = (
            (_("Influenced won deals") if what == "campaign_won" else _("Opportunities"))
            + " · "
            + campaign.name
        )
        shown = list(deals[: DRILL_LIMIT + 1])
        protected.conceal_deals(user, shown)  # a protected amount stays out of the list and its CSV
        return (title, *deal_table(shown), marketing_url)
    if what == "won":  # the executive's revenue trend (drill_won.py)
        title, won = won_drill(user, request.GET, today=timezone.localdate(now))
        shown = list(won[: DRILL_LIMIT + 1])
        protected.conceal_deals(user, shown)
        return (title, *deal_table(shown), reverse("home"))
    if what == "meetings":
        qs = funnel.meetings_set(user, now=now, days=days)
        owner = id_param(request.GET, "owner")
        if owner:
            qs = qs.filter(owner_id=owner)
        items = list(
            qs.select_related("owner", "lead", "opportunity").order_by("-created_at", "-id")[
                : DRILL_LIMIT + 1
            ]
        )
        return (_("Meetings set"), *activity_table(items), inside_url)
    # supplied: the leads handed to field sales in one week
    week = date_param(request.GET, "week") or timezone.localdate(now)
    monday = week - dt.timedelta(days=week.weekday())
    start = timezone.make_aware(dt.datetime.combine(monday, dt.time.min))
    assigned = funnel.supplied(user).filter(
        assigned_at__gte=start, assigned_at__lt=start + dt.timedelta(days=7)
    )
    leads = Lead.objects.filter(pk__in=assigned.values("lead_id")).select_related("owner", "campaign")
    title = _("SQLs supplied in the week of %(day)s") % {"day": monday.isoformat()}
    return (title, *lead_table(list(leads.order_by("-created_at", "-id")[: DRILL_LIMIT + 1])), inside_url)


@login_required
def drill(request: AuthedHttpRequest) -> HttpResponse:
    title, header, rows, back = drill_rows(request)
    fmt = _fmt(request)
    if fmt:
        return table_response(
            fmt,
            header,
            [cells for _url, cells in rows[:DRILL_LIMIT]],
            filename="records",
            exported_by=request.user,
            what="dashboard records",
        )
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        "insights/dashboard_drill.html",
        {
            "title": title,
            "header": header,
            "rows": rows[:DRILL_LIMIT],
            "more": len(rows) > DRILL_LIMIT,
            "back": back,
            "query": query.urlencode(),
        },
    )


@login_required
@require_POST
def campaign_cost(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    if not may_enter_costs(request.user):
        raise PermissionDenied(_("Only marketing and administrators enter campaign costs."))
    campaign = Campaign.objects.filter(pk=pk).first()
    if campaign is None:
        raise Http404("Not found")
    raw = (request.POST.get("cost") or "").strip().replace(",", "")
    try:
        cost = Decimal(raw) if raw else None
        if cost is not None and (not cost.is_finite() or cost < 0 or cost != cost.to_integral_value()):
            raise InvalidOperation
    except InvalidOperation:
        messages.error(request, _("Cost: enter a whole number of won, 0 or more."))
        return redirect(reverse("insights:marketing"))
    try:
        update_campaign(campaign, actor=request.user, changes={"cost": cost}, expected_version=None)
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    else:
        messages.success(request, _("Cost of %(name)s saved.") % {"name": campaign.name})
    return redirect(reverse("insights:marketing"))
