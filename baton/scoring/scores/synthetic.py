"""A generated history whose outcomes depend on behaviour, for tests and demos of the predictive score.

Each lead has a hidden intent. Intent drives its interactions (web visits, downloads, seminars, inbound
questions, email replies) in the weeks after it arrived and, with a weak firmographic effect, whether
an opportunity converted from it is won. A model that reads behaviour in detail should beat a frequency
table of field values; ``leak=True`` adds what only happens *after* a win (kick-off meetings), which a
leakage-free model must not be able to use.
"""

from __future__ import annotations

import datetime as dt
import math
import random

from django.utils import timezone

from baton.accounts.models import Account
from baton.core.choices import CompanySize, Industry, Region
from baton.core.models import User
from baton.deals.models import Opportunity, Stage
from baton.deals.services import default_pipeline
from baton.leads.models import Lead, LeadInteraction, LeadSource, LeadStatus


def _poisson(rng: random.Random, lam: float) -> int:
    # Knuth; lam is small here.
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def generate_history(
    *,
    owner: User,
    n: int = 800,
    seed: int = 7,
    days: int = 1000,
    now: dt.datetime | None = None,
    snapshot_days: int = 14,
    leak: bool = False,
) -> dict[str, int]:
    rng = random.Random(seed)
    now = now or timezone.now()
    pipeline = default_pipeline()
    won_stage = Stage.objects.filter(pipeline=pipeline, outcome=Stage.Outcome.WON).first()
    lost_stage = Stage.objects.filter(pipeline=pipeline, outcome=Stage.Outcome.LOST).first()
    account = Account.objects.create(name="Synthetic history", owner=owner, team_id=owner.team_id)
    industries = list(Industry.values)
    sizes = list(CompanySize.values)
    regions = list(Region.values)[:5]
    sources = [LeadSource.WEB_FORM, LeadSource.EVENT, LeadSource.REFERRAL, LeadSource.OUTBOUND]
    leads: list[Lead] = []
    plans = []
    for i in range(n):
        created = now - dt.timedelta(days=days * (1 - i / n), hours=rng.random() * 12)
        intent = rng.gauss(0, 1)
        industry = rng.choice(industries)
        lead = Lead(
            name=f"합성{i}",
            company=f"합성회사{i}",
            industry=industry,
            size=rng.choice(sizes),
            region=rng.choice(regions),
            source=rng.choice(sources),
            title=rng.choice(["", "팀장", "대리", "이사"]),
            email=f"s{i}@example.com",
            status=LeadStatus.WORKING,
            owner=owner,
            team_id=owner.team_id,
        )
        leads.append(lead)
        plans.append((created, intent, industry))
    Lead.objects.bulk_create(leads, batch_size=500)
    interactions = []
    opportunities = []
    outcomes = []
    for lead, (created, intent, industry) in zip(leads, plans, strict=True):
        # Behaviour in the first two weeks (before the snapshot) reflects intent.
        counts = {
            "web_visit": _poisson(rng, math.exp(0.6 * intent + 1.0)),
            "download": _poisson(rng, math.exp(0.7 * intent - 0.5)),
            "seminar": _poisson(rng, math.exp(0.8 * intent - 1.0)),
            "inbound_question": _poisson(rng, math.exp(1.0 * intent - 1.0)),
            "email_reply": _poisson(rng, math.exp(0.9 * intent - 0.8)),
        }
        for kind, count in counts.items():
            for _ in range(count):
                at = created + dt.timedelta(days=rng.random() * (snapshot_days - 0.5))
                interactions.append(LeadInteraction(lead=lead, kind=kind, occurred_at=at))
        logit = -2.2 + 1.6 * intent + (0.3 if industry == Industry.MANUFACTURING else 0.0)
        won = rng.random() < 1 / (1 + math.exp(-logit))
        converted = won or rng.random() < 0.25
        if converted:
            closed = created + dt.timedelta(days=snapshot_days + 10 + rng.random() * 120)
            opportunities.append(
                Opportunity(
                    name=f"합성 딜 {lead.pk}",
                    account=account,
                    pipeline=pipeline,
                    stage=won_stage if won else lost_stage,
                    closed_at=closed if closed <= now else None,
                    owner=owner,
                    team_id=owner.team_id,
                )
            )
            outcomes.append((lead, won, closed))
            if won and leak:
                for k in range(3):
                    at = closed + dt.timedelta(days=1 + k)
                    if at < now:
                        interactions.append(LeadInteraction(lead=lead, kind="meeting", occurred_at=at))
    LeadInteraction.objects.bulk_create(interactions, batch_size=2000)
    Opportunity.objects.bulk_create(opportunities, batch_size=500)
    # bulk_create stamps auto_now_add fields with "now": back-date them, and link the conversions.
    for lead, (created, _intent, _industry) in zip(leads, plans, strict=True):
        Lead.objects.filter(pk=lead.pk).update(created_at=created)
    for opp, (lead, _won, closed) in zip(opportunities, outcomes, strict=True):
        Lead.objects.filter(pk=lead.pk).update(
            converted_opportunity=opp,
            converted_at=closed - dt.timedelta(days=30),
            status=LeadStatus.CONVERTED,
        )
    return {"leads": n, "interactions": len(interactions), "won": sum(1 for _, w, _ in outcomes if w)}
