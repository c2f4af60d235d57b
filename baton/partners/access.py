"""Who sees what of the channel, decided here and registered with core's one access module.

A partner user reads, through ``records.register_partner_grant`` (and nothing else): the opportunities
their organisation is on (and may update them: stage, next step, close date), the accounts of those
opportunities (the customers they sell to or deliver to), the leads passed to them (offered or
accepted; the pool shows only a lead's company, region and industry, see ``passing.pool_for``).
Their own registrations, partner profile and performance are read through ``partner_of``. Internal
people see partner records through the normal rules; the partner pages for internal people are for
partner managers, sales managers and admins."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import Http404

from baton.accounts.models import Account
from baton.core.models import Role
from baton.core.partner_fence import is_partner_user, open_to_partners
from baton.core.records import register_partner_grant
from baton.deals.models import Opportunity
from baton.leads.models import Lead
from baton.partners.models import LeadPass, Member, OpportunityPartner, Partner

#: Internal roles that work the channel: review registrations, see every partner.
CHANNEL_ROLES = frozenset({Role.PARTNER_MANAGER, Role.SALES_MANAGER, Role.ADMIN})


def partner_of(user: Any) -> Partner | None:
    """The partner organisation of a partner user (None for anyone else)."""
    if not is_partner_user(user):
        return None
    member = Member.objects.select_related("partner__account").filter(user_id=user.pk).first()
    return member.partner if member is not None else None


def require_partner(user: Any) -> Partner:
    """The portal's guard: a partner user with an organisation, else 404."""
    partner = partner_of(user)
    if partner is None or not partner.is_active:
        raise Http404("Not a partner user")
    return partner


def works_channel(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_admin or user.role in CHANNEL_ROLES))


def _linked_opportunity_ids(user: Any) -> Any:
    return OpportunityPartner.objects.filter(partner__members__user_id=user.pk).values("opportunity_id")


def partner_reads_opportunity(user: Any) -> Q:
    return Q(pk__in=_linked_opportunity_ids(user))


def partner_reads_account(user: Any) -> Q:
    return Q(pk__in=Opportunity.objects.filter(pk__in=_linked_opportunity_ids(user)).values("account_id"))


def partner_reads_lead(user: Any) -> Q:
    """Leads passed to the partner: offered to them (to decide) or accepted by them."""
    return Q(
        pk__in=LeadPass.objects.filter(
            partner__members__user_id=user.pk,
            status__in=[LeadPass.Status.OFFERED, LeadPass.Status.ACCEPTED],
        ).values("lead_id")
    )


def register() -> None:
    register_partner_grant(Lead, "passed to the partner", partner_reads_lead)
    register_partner_grant(Opportunity, "partner on the opportunity", partner_reads_opportunity, edit=True)
    register_partner_grant(Account, "customer of the partner's opportunities", partner_reads_account)
    open_to_partners(namespace="portal", api_prefix="/api/v1/partners/portal/", home="portal:home")
