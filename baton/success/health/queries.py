"""Reads of health data through the accounts the user may see: an account's health now with its
trend, and the list of customers by their latest snapshot (the red accounts list)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _

from baton.accounts.models import Account
from baton.success.health.models import HealthSnapshot, NpsResponse
from baton.success.health.scoring import COMPONENTS, Health, compute_health

LABELS = {
    "cases": "Support cases",
    "engagement": "Engagement",
    "renewal": "Renewal risk",
    "nps": "NPS",
    "usage": "Product usage",
}


def reason_text(component: dict[str, Any]) -> str:
    """A component's reason in the reader's language (reasons are stored as message ids + params)."""
    return _(component["reason"]) % component.get("params", {})


@dataclass
class AccountHealth:
    health: Health
    rows: list[dict[str, Any]]
    trend: list[HealthSnapshot]
    nps: list[NpsResponse]


def account_health(account: Account, today: dt.date) -> AccountHealth:
    health = compute_health(account, today)
    rows = [
        {
            "key": c.key,
            "label": _(LABELS[c.key]),
            "score": c.score,
            "weight": c.weight,
            "reason": reason_text(c.as_json()),
            "params": c.params,
        }
        for c in health.components
    ]
    trend = list(HealthSnapshot.objects.filter(account=account).order_by("-day")[:12])
    trend.reverse()
    nps = list(NpsResponse.objects.filter(account=account).order_by("-answered_on", "-id")[:3])
    return AccountHealth(health, rows, trend, nps)


def latest_day() -> dt.date | None:
    return HealthSnapshot.objects.aggregate(day=Max("day"))["day"]


def customers_by_health(user: Any, band: str = "") -> QuerySet[HealthSnapshot]:
    """The latest snapshot of each account the user sees, worst first (``band`` filters)."""
    day = latest_day()
    if day is None:
        return HealthSnapshot.objects.none()
    qs = HealthSnapshot.objects.filter(day=day, account__in=Account.objects.visible_to(user).values("id"))
    if band:
        qs = qs.filter(band=band)
    return qs.select_related("account", "account__csm").order_by("score", "account__name")


__all__ = ["COMPONENTS", "AccountHealth", "account_health", "customers_by_health", "reason_text"]
