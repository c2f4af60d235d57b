"""Facts builders: the measurable facts of a record that transition criteria are written over.

Facts are built for a batch of records of one kind at a time (one query per kind of fact per batch,
never per record), and only the facts some criterion needs: ``names`` is the set of fact names the
criteria under evaluation reference (None means every fact). Facts nobody asked for keep their
sample value, so criteria still see a complete namespace.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Count, Min, Q
from django.utils import timezone

from baton.accounts.models import Contact
from baton.core.records import record_model as core_record_model
from baton.deals.models import Opportunity, Stage
from baton.leads.models import Lead, LeadInteraction
from baton.process.criteria import FACT_SAMPLES, INTERACTION_KINDS, QUALIFICATION_FACTS, WINDOWS
from baton.process.models import BANT_ITEMS, MODEL_ITEMS, QualificationAnswer, RecordKind, StageHistory
from baton.process.providers import providers_for


def record_model(kind: str) -> Any:
    """The model of a record kind The Model moves (the kinds are registered in ``core.records``)."""
    if kind not in RecordKind.values:
        raise ValueError(f"unknown record kind {kind!r}")
    return core_record_model(kind)


def kind_of(record: Any) -> str:
    name = type(record)._meta.model_name
    if name in ("lead", "opportunity", "account"):
        return name
    raise ValueError(f"{name} records are not part of the process")


def _days(delta: dt.timedelta) -> int:
    return max(0, delta.days)


def _wants(names: set[str] | None, *wanted: str) -> bool:
    return names is None or any(n in names for n in wanted)


INTERACTION_FACTS = frozenset(
    [f"{k}_{w}d" for k in INTERACTION_KINDS for w in WINDOWS]
    + [f"{k}_total" for k in INTERACTION_KINDS]
    + [f"touches_{w}d" for w in WINDOWS]
)


def _qualification(kind: str, ids: list[int], *, fresh: bool = False) -> dict[int, dict[str, Any]]:
    answers: dict[int, dict[str, bool]] = {pk: {} for pk in ids}
    rows = (
        []
        if fresh  # just inserted: nothing answered yet
        else QualificationAnswer.objects.filter(record_kind=kind, record_id__in=ids).values_list(
            "record_id", "item", "answer"
        )
    )
    for record_id, item, answer in rows:
        answers[record_id][item] = answer
    out = {}
    for pk, given in answers.items():
        facts: dict[str, Any] = {item: bool(given.get(item, False)) for item in (*BANT_ITEMS, *MODEL_ITEMS)}
        facts["bant_count"] = sum(1 for item in BANT_ITEMS if facts[item])
        facts["model_count"] = sum(1 for item in MODEL_ITEMS if facts[item])
        facts["qualification_complete"] = facts["bant_count"] == 4 and facts["model_count"] == 4
        out[pk] = facts
    return out


def qualification_facts(kind: str, record_id: int) -> dict[str, Any]:
    return _qualification(kind, [record_id])[record_id]


def _lead_batch(
    leads: Sequence[Any], now: dt.datetime, names: set[str] | None, *, fresh: bool = False
) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for lead in leads:
        out[lead.pk] = {
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
        }
    ids = [lead.pk for lead in leads]
    wanted = INTERACTION_FACTS if names is None else INTERACTION_FACTS & names
    if wanted and ids and fresh:  # just inserted: no interaction can exist yet
        for facts in out.values():
            facts.update(dict.fromkeys(wanted, 0))
    elif wanted and ids:
        aggregates: dict[str, Any] = {}
        for name in wanted:
            stem, _sep, suffix = name.rpartition("_")
            cond = Q()
            if stem != "touches":
                cond &= Q(kind=stem)
            if suffix != "total":
                cond &= Q(occurred_at__gte=now - dt.timedelta(days=int(suffix[:-1])))
            aggregates[name] = Count("id", filter=cond) if cond else Count("id")
        rows = (
            LeadInteraction.objects.filter(lead_id__in=ids, occurred_at__lte=now)
            .values("lead_id")
            .annotate(**aggregates)
            .order_by()
        )
        for row in rows:
            counts: dict[str, Any] = dict(row)
            out[counts["lead_id"]].update({k: int(counts[k] or 0) for k in aggregates})
        for facts in out.values():
            for name in aggregates:
                facts.setdefault(name, 0)
    if _wants(names, "company_seminar_attendees_90d"):
        keys = {lead.company_key for lead in leads if lead.company_key}
        attendees: dict[str, int] = {}
        if keys:
            attendees = dict(
                Lead.objects.filter(
                    company_key__in=keys,
                    interactions__kind=LeadInteraction.Kind.SEMINAR,
                    interactions__occurred_at__gte=now - dt.timedelta(days=90),
                    interactions__occurred_at__lte=now,
                )
                .values("company_key")
                .annotate(n=Count("id", distinct=True))
                .order_by()
                .values_list("company_key", "n")
            )
        for lead in leads:
            out[lead.pk]["company_seminar_attendees_90d"] = attendees.get(lead.company_key, 0)
    return out


def _opportunity_batch(
    opps: Sequence[Any], now: dt.datetime, names: set[str] | None
) -> dict[int, dict[str, Any]]:
    stage_ids = {o.stage_id for o in opps if o.stage_id}
    stages = {s.pk: s for s in Stage.objects.filter(pk__in=stage_ids)} if stage_ids else {}
    from_lead: set[int] = set()
    if _wants(names, "from_lead") and opps:
        from_lead = set(
            Lead.objects.filter(converted_opportunity_id__in=[o.pk for o in opps]).values_list(
                "converted_opportunity_id", flat=True
            )
        )
    out = {}
    today = timezone.localdate(now)
    for opp in opps:
        close = opp.expected_close_date
        stage = stages.get(opp.stage_id)
        out[opp.pk] = {
            "amount": float(opp.amount or 0),
            "currency": opp.currency,
            "probability": int(opp.probability or 0),
            "pipeline_stage": stage.key if stage else "",
            "forecast_category": opp.forecast_category,
            "has_primary_contact": opp.primary_contact_id is not None,
            "has_close_date": close is not None,
            "days_to_close": (close - today).days if close else 0,
            "is_closed": opp.closed_at is not None,
            "is_won": bool(stage and stage.outcome == "won"),
            "has_next_step": bool(opp.next_step),
            "from_lead": opp.pk in from_lead,
        }
    return out


def _account_batch(
    accounts: Sequence[Any], now: dt.datetime, names: set[str] | None
) -> dict[int, dict[str, Any]]:
    ids = [a.pk for a in accounts]
    deals: dict[int, dict[str, Any]] = {}
    if ids and _wants(names, "open_opportunities", "won_opportunities", "days_since_first_won"):
        for row in (
            Opportunity.objects.filter(account_id__in=ids)
            .values("account_id")
            .annotate(
                open=Count("id", filter=Q(closed_at__isnull=True)),
                won=Count("id", filter=Q(stage__outcome="won")),
                first_won=Min("closed_at", filter=Q(stage__outcome="won")),
            )
            .order_by()
        ):
            deals[row["account_id"]] = dict(row)
    contacts: dict[int, int] = {}
    if ids and _wants(names, "contacts"):
        contacts = dict(
            Contact.objects.filter(account_id__in=ids)
            .values("account_id")
            .annotate(n=Count("id"))
            .order_by()
            .values_list("account_id", "n")
        )
    out = {}
    for account in accounts:
        deal_row: dict[str, Any] = deals.get(account.pk, {})
        first_won = deal_row.get("first_won")
        out[account.pk] = {
            "industry": account.industry or "",
            "region": account.region or "",
            "size": account.size or "",
            "has_brn": bool(account.brn),
            "contacts": contacts.get(account.pk, 0),
            "open_opportunities": deal_row.get("open", 0),
            "won_opportunities": deal_row.get("won", 0),
            "days_since_first_won": _days(now - first_won) if first_won else -1,
        }
    return out


def build_facts_batch(
    kind: str,
    records: Sequence[Any],
    *,
    stays: dict[int, StageHistory | None],
    now: dt.datetime | None = None,
    names: Iterable[str] | None = None,
    fresh: bool = False,
) -> dict[int, dict[str, Any]]:
    """Facts of many records of one kind: one query per kind of fact for the whole batch.

    ``stays`` maps record id to its open stay (for ``days_in_stage``); ``names`` limits the work to the
    facts criteria reference (None: all). ``fresh``: the records were inserted in the running
    transaction, so nothing hangs off them yet (no interactions, no answers): those facts are zero
    without a query."""
    now = now or timezone.now()
    wanted = None if names is None else set(names)
    if not records:
        return {}
    if kind == RecordKind.LEAD:
        specific = _lead_batch(records, now, wanted, fresh=fresh)
    elif kind == RecordKind.OPPORTUNITY:
        specific = _opportunity_batch(records, now, wanted)
    else:
        specific = _account_batch(records, now, wanted)
    qualification: dict[int, dict[str, Any]] = {}
    if kind != RecordKind.ACCOUNT and (wanted is None or wanted & QUALIFICATION_FACTS.keys()):
        qualification = _qualification(kind, [r.pk for r in records], fresh=fresh)
    ids = [r.pk for r in records]
    provided: list[dict[int, dict[str, Any]]] = [
        provider.load(ids)
        for provider in providers_for(kind)
        if wanted is None or wanted & provider.samples.keys()
    ]
    sample = FACT_SAMPLES[kind]
    out = {}
    for record in records:
        stay = stays.get(record.pk)
        facts = dict(sample)
        facts["days_in_stage"] = _days(now - stay.entered_at) if stay is not None else 0
        facts["days_since_created"] = _days(now - record.created_at) if record.created_at else 0
        facts["owner_assigned"] = record.owner_id is not None
        facts.update(specific[record.pk])
        facts.update(qualification.get(record.pk, {}))
        for loaded in provided:
            facts.update(loaded.get(record.pk, {}))
        out[record.pk] = facts
    return out


def build_facts(
    record: Any,
    *,
    stay: StageHistory | None = None,
    now: dt.datetime | None = None,
    names: Iterable[str] | None = None,
    fresh: bool = False,
) -> dict[str, Any]:
    """The facts of one record, named as in ``FACT_SAMPLES`` (the names criteria may use); ``fresh``: see
    ``build_facts_batch`` (a record just inserted has no stay either)."""
    kind = kind_of(record)
    if stay is None and not fresh:
        stay = StageHistory.objects.filter(
            record_kind=kind, record_id=record.pk, left_at__isnull=True
        ).first()
    return build_facts_batch(kind, [record], stays={record.pk: stay}, now=now, names=names, fresh=fresh)[
        record.pk
    ]
