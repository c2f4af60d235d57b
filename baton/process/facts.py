"""Facts builders: the measurable facts of a record that transition criteria are written over."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Min, Q
from django.utils import timezone

from baton.process.criteria import FACT_SAMPLES, INTERACTION_KINDS, WINDOWS
from baton.process.models import BANT_ITEMS, MODEL_ITEMS, QualificationAnswer, RecordKind, StageHistory


def record_model(kind: str) -> Any:
    if kind == RecordKind.LEAD:
        from baton.leads.models import Lead

        return Lead
    if kind == RecordKind.OPPORTUNITY:
        from baton.deals.models import Opportunity

        return Opportunity
    if kind == RecordKind.ACCOUNT:
        from baton.accounts.models import Account

        return Account
    raise ValueError(f"unknown record kind {kind!r}")


def kind_of(record: Any) -> str:
    name = type(record)._meta.model_name
    if name in ("lead", "opportunity", "account"):
        return name
    raise ValueError(f"{name} records are not part of the process")


def _days(delta: dt.timedelta) -> int:
    return max(0, delta.days)


def qualification_facts(kind: str, record_id: int) -> dict[str, Any]:
    answers = dict(
        QualificationAnswer.objects.filter(record_kind=kind, record_id=record_id).values_list(
            "item", "answer"
        )
    )
    facts: dict[str, Any] = {item: bool(answers.get(item, False)) for item in (*BANT_ITEMS, *MODEL_ITEMS)}
    facts["bant_count"] = sum(1 for item in BANT_ITEMS if facts[item])
    facts["model_count"] = sum(1 for item in MODEL_ITEMS if facts[item])
    facts["qualification_complete"] = facts["bant_count"] == 4 and facts["model_count"] == 4
    return facts


def _common(kind: str, record: Any, now: dt.datetime, stay: StageHistory | None) -> dict[str, Any]:
    return {
        "days_in_stage": _days(now - stay.entered_at) if stay is not None else 0,
        "days_since_created": _days(now - record.created_at) if record.created_at else 0,
        "owner_assigned": record.owner_id is not None,
    }


def lead_facts(lead: Any, now: dt.datetime) -> dict[str, Any]:
    from baton.leads.models import Lead, LeadInteraction

    aggregates: dict[str, Any] = {}
    for kind in INTERACTION_KINDS:
        for window in WINDOWS:
            since = now - dt.timedelta(days=window)
            aggregates[f"{kind}_{window}d"] = Count("id", filter=Q(kind=kind, occurred_at__gte=since))
        aggregates[f"{kind}_total"] = Count("id", filter=Q(kind=kind))
    for window in WINDOWS:
        aggregates[f"touches_{window}d"] = Count(
            "id", filter=Q(occurred_at__gte=now - dt.timedelta(days=window))
        )
    counts = LeadInteraction.objects.filter(lead_id=lead.pk, occurred_at__lte=now).aggregate(**aggregates)
    attendees = 0
    if lead.company_key:
        attendees = (
            Lead.objects.filter(
                company_key=lead.company_key,
                interactions__kind=LeadInteraction.Kind.SEMINAR,
                interactions__occurred_at__gte=now - dt.timedelta(days=90),
            )
            .values("id")
            .distinct()
            .count()
        )
    facts: dict[str, Any] = {
        "status": lead.status,
        "source": lead.source,
        "industry": lead.industry or "",
        "region": lead.region or "",
        "size": lead.size or "",
        "has_email": bool(lead.email),
        "has_phone": bool(lead.phone),
        "has_company": bool(lead.company),
        "has_brn": bool(lead.brn),
        "has_title": bool(lead.title),
        "has_campaign": lead.campaign_id is not None,
        "company_seminar_attendees_90d": attendees,
    }
    facts.update({k: int(v or 0) for k, v in counts.items()})
    return facts


def opportunity_facts(opp: Any, now: dt.datetime) -> dict[str, Any]:
    close = opp.expected_close_date
    return {
        "amount": float(opp.amount or 0),
        "currency": opp.currency,
        "probability": int(opp.probability or 0),
        "pipeline_stage": opp.stage.key if opp.stage_id else "",
        "forecast_category": opp.forecast_category,
        "has_primary_contact": opp.primary_contact_id is not None,
        "has_close_date": close is not None,
        "days_to_close": (close - timezone.localdate(now)).days if close else 0,
        "is_closed": opp.closed_at is not None,
        "is_won": bool(opp.stage_id and opp.stage.outcome == "won"),
        "has_next_step": bool(opp.next_step),
        "from_lead": opp.source_leads.exists(),
    }


def account_facts(account: Any, now: dt.datetime) -> dict[str, Any]:
    from baton.deals.models import Opportunity

    row = Opportunity.objects.filter(account_id=account.pk).aggregate(
        open=Count("id", filter=Q(closed_at__isnull=True)),
        won=Count("id", filter=Q(stage__outcome="won")),
        first_won=Min("closed_at", filter=Q(stage__outcome="won")),
    )
    first_won = row["first_won"]
    return {
        "industry": account.industry or "",
        "region": account.region or "",
        "size": account.size or "",
        "has_brn": bool(account.brn),
        "contacts": account.contacts.count(),
        "open_opportunities": row["open"],
        "won_opportunities": row["won"],
        "days_since_first_won": _days(now - first_won) if first_won else -1,
    }


def build_facts(
    record: Any, *, stay: StageHistory | None = None, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Every fact of the record, named as in ``FACT_SAMPLES`` (the names criteria may use)."""
    now = now or timezone.now()
    kind = kind_of(record)
    if stay is None:
        stay = StageHistory.objects.filter(
            record_kind=kind, record_id=record.pk, left_at__isnull=True
        ).first()
    facts = dict(FACT_SAMPLES[kind])
    facts.update(_common(kind, record, now, stay))
    if kind == RecordKind.LEAD:
        facts.update(lead_facts(record, now))
        facts.update(qualification_facts(kind, record.pk))
    elif kind == RecordKind.OPPORTUNITY:
        facts.update(opportunity_facts(record, now))
        facts.update(qualification_facts(kind, record.pk))
    else:
        facts.update(account_facts(record, now))
    return facts
