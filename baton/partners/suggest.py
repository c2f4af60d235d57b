"""Which partner should deliver this deal: partners ranked for an opportunity, with the reasons.

Points: a product family of the deal's lines the partner specialises in (30 each), the customer's
industry (20) and region (15), certified people with an unexpired certificate (5 each, at most 20),
past delivery on won deals (first-time-right hand-offs, 10 each, at most 30), and how the customers they
delivered to fared, as far as the reader may see (``reports.delivery_quality``): renewals won (+10 each,
at most 20), renewals lost (-10 each, at most -20) and support cases within 90 days of go-live (-5 each,
at most -20). Inactive partners, partners already on the deal and partners with no points are left out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.deals.models import LineItem, Opportunity, Stage
from baton.delivery.models import HandoffPackage
from baton.partners.models import OpportunityPartner, Partner
from baton.partners.reports import DeliveryQuality, delivery_quality


@dataclass
class Suggestion:
    partner: Partner
    score: int = 0
    reasons: list[str] = field(default_factory=list)


def _customer_outcomes(user: Any) -> dict[int, DeliveryQuality]:
    """Per partner: its delivered customers' renewals and early cases, within what ``user`` may see
    (empty when there is no reader or the success app does not answer)."""
    if user is None:
        return {}
    return {row.partner.pk: row for row in delivery_quality(user) if row.live is not None}


def suggest_partners(
    opportunity: Opportunity, *, user: Any = None, today: dt.date | None = None, limit: int = 5
) -> list[Suggestion]:
    today = today or timezone.localdate()
    outcomes = _customer_outcomes(user)
    account = opportunity.account
    families = set(
        LineItem.objects.filter(opportunity=opportunity, product__family__isnull=False).values_list(
            "product__family_id", flat=True
        )
    )
    taken = OpportunityPartner.objects.filter(opportunity=opportunity).values("partner_id")
    partners = (
        Partner.objects.filter(is_active=True)
        .exclude(pk__in=taken)
        .select_related("account")
        .prefetch_related("product_families")
        .annotate(
            certified=Count("certifications", filter=Q(certifications__expires_on__gte=today), distinct=True)
        )
    )
    first_time_right = dict(
        OpportunityPartner.objects.filter(
            opportunity__stage__outcome=Stage.Outcome.WON,
            opportunity__handoff__status=HandoffPackage.Status.ACCEPTED,
            opportunity__handoff__send_backs=0,
        )
        .values("partner_id")
        .annotate(n=Count("opportunity_id", distinct=True))
        .values_list("partner_id", "n")
    )
    ranked: list[Suggestion] = []
    for partner in partners[:200]:
        s = Suggestion(partner)
        shared = [f for f in partner.product_families.all() if f.pk in families]
        for family in shared:
            s.score += 30
            s.reasons.append(_("specialises in %(family)s") % {"family": family})
        if account.industry and account.industry in partner.industries:
            s.score += 20
            s.reasons.append(
                _("works in the customer's industry (%(industry)s)")
                % {"industry": account.get_industry_display()}
            )
        if account.region and account.region in partner.regions:
            s.score += 15
            s.reasons.append(
                _("covers the customer's region (%(region)s)") % {"region": account.get_region_display()}
            )
        certified = int(getattr(partner, "certified", 0))
        if certified:
            s.score += min(20, 5 * certified)
            s.reasons.append(_("%(n)s certified people") % {"n": certified})
        delivered = first_time_right.get(partner.pk, 0)
        if delivered:
            s.score += min(30, 10 * delivered)
            s.reasons.append(_("%(n)s won deals handed off right the first time") % {"n": delivered})
        fared = outcomes.get(partner.pk)
        if fared is not None:
            if fared.renewals_won:
                s.score += min(20, 10 * fared.renewals_won)
                s.reasons.append(
                    _("%(n)s renewals won at customers they delivered to") % {"n": fared.renewals_won}
                )
            if fared.renewals_lost:
                s.score -= min(20, 10 * fared.renewals_lost)
                s.reasons.append(
                    _("%(n)s customers they delivered to did not renew") % {"n": fared.renewals_lost}
                )
            if fared.cases:
                s.score -= min(20, 5 * fared.cases)
                s.reasons.append(_("%(n)s support cases within 90 days of go-live") % {"n": fared.cases})
        if s.score > 0:
            ranked.append(s)
    ranked.sort(key=lambda s: (-s.score, s.partner.account.name, s.partner.pk))
    return ranked[:limit]
