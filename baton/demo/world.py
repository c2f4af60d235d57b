"""The whole demo world in one transaction, and the checks and wipe ``seed_demo`` uses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from baton.accounts.models import Account, Contact
from baton.core.audit import audit_context, new_job_id
from baton.core.models import ApiToken, ChangeLog, RecordShare, Role, Team, User
from baton.deals.models import Opportunity
from baton.deals.services import default_pipeline
from baton.demo.base import DEFAULT_SEED, SeedSummary
from baton.demo.customfields import seed_custom_fields, seed_page_layouts
from baton.demo.leads import LeadsWorld
from baton.demo.people import DEMO_TEAMS, DEMO_USERNAMES, LEGACY_DEMO_TEAMS, demo_logins, format_logins
from baton.demo.sales import seed_sales
from baton.leads.models import Campaign, Lead, LeadInteraction
from baton.partners.models import LeadPass, OpportunityPartner, Partner, Registration
from baton.process.models import HandOff, QualificationAnswer, Recycle, StageHistory
from baton.security.field_protection import set_field_protection

__all__ = [
    "DEFAULT_SEED",
    "crm_data_exists",
    "demo_exists",
    "demo_logins",
    "format_logins",
    "seed_demo",
    "wipe_crm_data",
]


def demo_exists() -> bool:
    return User.objects.filter(username__in=DEMO_USERNAMES).exists()


def crm_data_exists() -> bool:
    return Account.objects.exists() or Lead.objects.exists() or Opportunity.objects.exists()


@transaction.atomic
def wipe_crm_data() -> None:
    """Delete CRM records, the change log, the demo users and teams. Pipelines, stages and lost
    reasons (set up by migrations) stay."""
    # The Model's rows first (they point at records by id); the stage design itself stays.
    for model in (StageHistory, HandOff, Recycle, QualificationAnswer):
        model.objects.all().delete()
    RecordShare.objects.all().delete()  # they name records by id
    # Partners point at accounts (protected): registrations, deal links, passed leads, then the
    # partners themselves.
    Registration.objects.all().delete()
    OpportunityPartner.objects.all().delete()
    LeadPass.objects.all().delete()
    Partner.objects.all().delete()
    LeadInteraction.objects.all().delete()
    Lead.objects.all().delete()
    Opportunity.objects.all().delete()
    Contact.objects.all().delete()
    Account.objects.update(parent=None)
    Account.objects.all().delete()
    Campaign.objects.all().delete()
    ApiToken.objects.filter(user__username__in=DEMO_USERNAMES).delete()
    ChangeLog.objects.all().delete()
    team_names = [name for name, _ in DEMO_TEAMS] + LEGACY_DEMO_TEAMS
    Team.objects.filter(name__in=team_names).update(manager=None, parent=None)
    User.objects.filter(username__in=DEMO_USERNAMES).delete()
    Team.objects.filter(name__in=team_names).delete()


class DemoWorld(LeadsWorld):
    """Builds the demo world. ``scale`` multiplies the record counts (1.0: ~80 accounts, ~300 leads)."""

    # -- the world -------------------------------------------------------------------------------

    def build(self) -> SeedSummary:
        started = timezone.now()
        with audit_context(job_id=f"seed_demo-{new_job_id()}", source="import"):
            self.build_org()
            seed_custom_fields()  # before the leads, which fill them in
            seed_page_layouts()  # after the fields they place
            self.build_campaigns()
            self.build_accounts()
            self.build_leads()
            self.build_direct_opportunities()
            # The catalogue, price lists, approval rules and two quoted deals (one pending approval).
            seed_sales(self.users)
            # Field protection to try: product cost and margin only for managers, approvers and operations.
            set_field_protection(
                actor=self.users["admin"],
                model="deals.lineitem",
                field="unit_cost",
                protected=True,
                roles=[Role.SALES_MANAGER, Role.APPROVER, Role.OPERATIONS],
            )
        s = self.summary
        s.users, s.teams = len(self.users), len(self.teams)
        s.accounts, s.contacts = Account.objects.count(), Contact.objects.count()
        s.campaigns, s.leads = Campaign.objects.count(), Lead.objects.count()
        s.interactions, s.opportunities = LeadInteraction.objects.count(), Opportunity.objects.count()
        s.changes = ChangeLog.objects.count()
        s.stays, s.handoffs = StageHistory.objects.count(), HandOff.objects.count()
        s.recycles = Recycle.objects.count()
        s.lead_status = {row["status"]: row["n"] for row in _count_by(Lead.objects.all(), "status")}
        s.opportunity_outcome = {
            row["stage__outcome"]: row["n"] for row in _count_by(Opportunity.objects.all(), "stage__outcome")
        }
        s.seconds = (timezone.now() - started).total_seconds()
        return s


def _count_by(qs: Any, key: str) -> Any:
    return qs.order_by().values(key).annotate(n=Count("id"))


def seed_demo(*, seed: int = DEFAULT_SEED, scale: float = 1.0, now: dt.datetime | None = None) -> SeedSummary:
    """Create the demo world in one transaction (all or nothing). The caller checks ``demo_exists``."""
    default_pipeline()  # fail early, before writing anything, when migrations did not set one up
    with transaction.atomic():
        return DemoWorld(seed=seed, scale=scale, now=now).build()
