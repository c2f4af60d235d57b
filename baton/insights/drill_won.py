"""The won deals behind a number of the executive's revenue trend (a month's bar, an industry, region or
product family row), read through the reader's visibility. The amounts are the deals' own (in their
currency); the trend converts them to KRW at each close day's rate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from baton.core.choices import Industry, Region
from baton.core.models import User
from baton.core.params import choice_param, int_param, text_param
from baton.deals.models import Opportunity, Stage
from baton.insights.aggregates.grouping import next_month, won_between
from baton.insights.aggregates.trend import same_day_last_year

PARTS = ("this", "last")


def won_drill(user: User, params: Mapping[str, Any], *, today: dt.date) -> tuple[str, QuerySet[Opportunity]]:
    """``year`` + ``month``: the won deals of that month (a bar of the chart). ``part`` (this year to date
    or last year to the same day) with ``industry``, ``region`` or ``family``: a row of the splits."""
    visible = Opportunity.objects.visible_to(user)
    month = int_param(params, "month", minimum=1, maximum=12)
    year = int_param(params, "year", minimum=today.year - 1, maximum=today.year)
    if month and year:
        start = dt.date(year, month, 1)
        end = min(next_month(start), today + dt.timedelta(days=1))
        title = _("Won deals of %(month)s") % {"month": f"{year}-{month:02d}"}
    else:
        part = choice_param(params, "part", PARTS) or "this"
        if part == "this":
            start, end = dt.date(today.year, 1, 1), today + dt.timedelta(days=1)
            title = _("Won deals, this year to date")
        else:
            start = dt.date(today.year - 1, 1, 1)
            end = same_day_last_year(today) + dt.timedelta(days=1)
            title = _("Won deals, last year to the same day")
    deals = won_between(visible, start, end)
    industry = choice_param(params, "industry", [*Industry.values, "none"])
    region = choice_param(params, "region", [*Region.values, "none"])
    family = text_param(params, "family", max_length=200)
    if industry:
        deals = deals.filter(account__industry="" if industry == "none" else industry)
        title += " · " + (str(Industry(industry).label) if industry != "none" else "–")
    if region:
        deals = deals.filter(account__region="" if region == "none" else region)
        title += " · " + (str(Region(region).label) if region != "none" else "–")
    if family:  # the trend keys families by name ("none": lines of products without a family)
        if family == "none":
            deals = deals.filter(line_items__product__family__isnull=True).distinct()
        else:
            deals = deals.filter(line_items__product__family__name=family).distinct()
        title += " · " + (family if family != "none" else "–")
    deals = deals.filter(stage__outcome=Stage.Outcome.WON).select_related("account", "owner", "stage")
    return title, deals.order_by("-closed_at", "-id")
