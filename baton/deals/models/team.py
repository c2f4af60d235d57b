"""The deal team: our people and roles on a deal, the buyer's side, and requests to team members."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baton.accounts.models import BuyerRole
from baton.deals.models.catalog import ProductFamily

# --- the deal team -------------------------------------------------------------------------------------


class TeamRole(models.TextChoices):
    ACCOUNT_OWNER = "account_owner", _("Account owner")
    SOLUTION_ARCHITECT = "solution_architect", _("Solution architect")
    SPECIALIST_SALES = "specialist_sales", _("Specialist sales")
    PARTNER_MANAGER = "partner_manager", _("Partner manager")
    LEGAL = "legal", _("Legal")
    FINANCE = "finance", _("Finance")
    APPROVER = "approver", _("Approver")
    DELIVERY_LEAD = "delivery_lead", _("Delivery lead")
    CSM = "csm", _("Customer success manager")


class BuyingStep(models.TextChoices):
    """The buyer's four steps (seed 000), matching the default pipeline's open stages."""

    CONSIDERING = "considering", _("Considering")
    EVALUATING = "evaluating", _("Evaluating")
    DECIDING = "deciding", _("Deciding")
    PURCHASING = "purchasing", _("Purchasing")


class DealTeamMember(models.Model):
    """One of our people on a deal, in a role (a specialist may be for one product family)."""

    audit_parent = "opportunity"  # its changes show in the deal's history

    opportunity = models.ForeignKey(
        "deals.Opportunity", on_delete=models.CASCADE, related_name="team_members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="deal_roles",
    )
    role = models.CharField(_("role"), max_length=32, choices=TeamRole.choices)
    product_family = models.ForeignKey(
        ProductFamily, verbose_name=_("for product family"), null=True, blank=True, on_delete=models.SET_NULL
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["opportunity", "role", "id"]
        verbose_name = _("deal team member")
        verbose_name_plural = _("deal team")
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "user", "role"], name="dealteam_unique_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class BuyerTeamMember(models.Model):
    """One of the buyer's people on a deal, with their buying role in one buying step."""

    audit_parent = "opportunity"  # its changes show in the deal's history

    opportunity = models.ForeignKey("deals.Opportunity", on_delete=models.CASCADE, related_name="buyer_team")
    contact = models.ForeignKey(
        "accounts.Contact", verbose_name=_("contact"), on_delete=models.CASCADE, related_name="deal_roles"
    )
    buying_role = models.CharField(_("buying role"), max_length=32)
    buying_step = models.CharField(_("buying step"), max_length=16, choices=BuyingStep.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["opportunity", "buying_step", "id"]
        verbose_name = _("buyer team member")
        verbose_name_plural = _("buyer team")
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "contact", "buying_role", "buying_step"], name="buyerteam_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contact} ({self.buying_role_label})"

    @property
    def buying_role_label(self) -> str:
        return str(dict(BuyerRole.choices).get(self.buying_role, self.buying_role))


class TeamRequest(models.Model):
    """A request to a team member with its context, a due date and the customer's deadline.

    ``is_late`` is decided when the request is made: later than the lead-time rule (N working days
    before the customer's deadline; weekends and Korean public holidays are not working days)."""

    audit_parent = "opportunity"  # its changes show in the deal's history

    opportunity = models.ForeignKey(
        "deals.Opportunity", on_delete=models.CASCADE, related_name="team_requests"
    )
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("asked of"), on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField(_("what is asked"), max_length=200)
    pain_point = models.TextField(_("customer's pain point"), blank=True)
    meeting_goal = models.TextField(_("goal of the meeting"), blank=True)
    details = models.TextField(_("details"), blank=True)
    due_date = models.DateField(_("due date"))
    customer_deadline = models.DateField(_("customer's deadline"))
    asked_on = models.DateField(_("asked on"))
    lead_days = models.PositiveSmallIntegerField(_("lead time (working days)"))
    latest_on_time = models.DateField(_("latest on-time request date"))
    is_late = models.BooleanField(_("asked late"), default=False)
    activity = models.ForeignKey(
        "activities.Activity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("team request")
        verbose_name_plural = _("team requests")
        indexes = [models.Index(fields=["requester", "is_late"], name="teamreq_requester_idx")]

    def __str__(self) -> str:
        return self.subject
