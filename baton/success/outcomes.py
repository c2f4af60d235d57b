"""The success app's answer to ``core.providers.customer_outcomes``: for deals a partner delivered, the
support cases the customer opened soon after go-live and the renewals won and lost since.

Go-live of a delivered deal is the term start of the contract made from it (the day the customer starts
using what was delivered); a deal without a contract has not gone live and counts nothing. Cases count
when the account's case was opened on a day from go-live up to, not including, go-live + the window
(days in the local time zone). Renewals count when they are decided (renewed or renewed with changes:
won; churned: lost) for a term of any of the account's contracts that ended on or after go-live. Only
the cases and contracts the reader may see are counted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from baton.core.providers import CustomerOutcome, Delivered
from baton.success.cases.models import Case
from baton.success.models import Contract, Renewal

WON = (Renewal.Outcome.RENEWED, Renewal.Outcome.CHANGED)
LOST = (Renewal.Outcome.CHURNED,)


def delivered_outcomes(
    user: Any, delivered: Sequence[Delivered], window_days: int
) -> dict[int, CustomerOutcome]:
    """``{opportunity_id: CustomerOutcome}`` for each delivered deal (three queries in all)."""
    if not delivered:
        return {}
    go_live = dict(
        Contract.objects.filter(opportunity_id__in=[d.opportunity_id for d in delivered]).values_list(
            "opportunity_id", "start_date"
        )
    )
    live = [d for d in delivered if d.opportunity_id in go_live]
    out = {d.opportunity_id: CustomerOutcome(go_live=None) for d in delivered}
    if not live:
        return out
    accounts = {d.account_id for d in live}
    first = min(go_live[d.opportunity_id] for d in live)
    last = max(go_live[d.opportunity_id] for d in live) + dt.timedelta(days=window_days)
    cases: dict[int, list[tuple[int, dt.date]]] = {}
    for pk, account_id, opened_at in (
        Case.objects.visible_to(user)
        .filter(
            account_id__in=accounts,
            opened_at__gte=_start_of(first),
            opened_at__lt=_start_of(last),
        )
        .values_list("id", "account_id", "opened_at")
    ):
        cases.setdefault(account_id, []).append((pk, timezone.localdate(opened_at)))
    renewals: dict[int, list[tuple[int, dt.date, str]]] = {}
    visible_contracts = Contract.objects.visible_to(user).filter(account_id__in=accounts).values("pk")
    for pk, account_id, term_end, outcome in Renewal.objects.filter(
        contract_id__in=visible_contracts, term_end__gte=first, outcome__in=[*WON, *LOST]
    ).values_list("id", "contract__account_id", "term_end", "outcome"):
        renewals.setdefault(account_id, []).append((pk, term_end, outcome))
    for d in live:
        start = go_live[d.opportunity_id]
        end = start + dt.timedelta(days=window_days)
        mine = [r for r in renewals.get(d.account_id, []) if r[1] >= start]
        out[d.opportunity_id] = CustomerOutcome(
            go_live=start,
            case_ids=frozenset(pk for pk, day in cases.get(d.account_id, []) if start <= day < end),
            renewals_won=frozenset(pk for pk, _end, outcome in mine if outcome in WON),
            renewals_lost=frozenset(pk for pk, _end, outcome in mine if outcome in LOST),
        )
    return out


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
