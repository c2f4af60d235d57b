"""Permission-aware reads of leads and campaigns."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from baton.accounts.models import Account
from baton.core.choices import CompanySize, Industry, Region
from baton.core.listing import ListSpec
from baton.core.models import User
from baton.core.records import get_for_user
from baton.leads.models import Campaign, Lead, LeadSource, LeadStatus

LEAD_LIST = ListSpec(
    search_fields=["name__icontains", "company__icontains", "email__icontains"],
    filters={
        "status": ("status", LeadStatus.values),
        "source": ("source", LeadSource.values),
        "industry": ("industry", Industry.values),
        "region": ("region", Region.values),
        "size": ("size", CompanySize.values),
        "owner": ("owner_id", int),
        "team": ("team_id", int),
        "campaign": ("campaign_id", int),
    },
    orderings={"created": "created_at", "name": "name", "company": "company", "updated": "updated_at"},
    default_ordering="-created",
)


def leads_for(user: User) -> QuerySet[Lead]:
    return Lead.objects.visible_to(user).select_related("owner", "campaign")


def get_lead_for_user(user: User, pk: object) -> Lead:
    return get_for_user(
        Lead.objects.select_related(
            "owner", "campaign", "converted_account", "converted_contact", "converted_opportunity"
        ),
        user,
        pk,
    )


CAMPAIGN_LIST = ListSpec(
    search_fields=["name__icontains"],
    filters={"status": ("status", Campaign.Status.values), "kind": ("kind", Campaign.Kind.values)},
    orderings={"created": "created_at", "name": "name"},
    default_ordering="-created",
)


def campaigns_for(user: User) -> QuerySet[Campaign]:
    # Campaigns are shared marketing programmes: everyone signed in may see them and pick them.
    return Campaign.objects.all().select_related("owner")


def get_campaign_for_user(user: User, pk: object) -> Campaign:
    return get_for_user(Campaign.objects.all(), user, pk)


def account_leads_panel(user: User, account: Account) -> dict[str, Any]:
    """The account 360° page's "source leads" panel: the leads converted into it that ``user`` may see."""
    return {
        "source_leads": list(
            leads_for(user).filter(converted_account=account).order_by("-converted_at", "-id")[:50]
        )
    }
