"""The deal team: our people with their roles, the buyer's people with their buying roles per step, and
requests to team members, judged against the lead-time rule and turned into the assignee's task."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.accounts.models import BuyerRole, Contact
from baton.core import events
from baton.core.audit import log_change, snapshot
from baton.core.models import ChangeLog, User
from baton.core.records import can_edit
from baton.core.services import create_record
from baton.deals import workdays
from baton.deals.models import BuyerTeamMember, DealTeamMember, Opportunity, ProductFamily, TeamRequest


def _require_edit(actor: User | None, opportunity: Opportunity) -> None:
    if actor is not None and not can_edit(actor, opportunity):
        raise PermissionDenied(_("You cannot change this opportunity."))


@transaction.atomic
def add_team_member(
    opportunity: Opportunity,
    *,
    actor: User | None,
    user: User,
    role: str,
    product_family: ProductFamily | None = None,
    note: str = "",
) -> DealTeamMember:
    _require_edit(actor, opportunity)
    if not user.is_active:
        raise ValidationError({"user": [_("This user is not active.")]})
    if DealTeamMember.objects.filter(opportunity=opportunity, user=user, role=role).exists():
        raise ValidationError({"role": [_("%(user)s already has this role on the deal.") % {"user": user}]})
    return create_record(
        DealTeamMember,
        actor=actor,
        opportunity=opportunity,
        user=user,
        role=role,
        product_family=product_family,
        note=(note or "")[:200],
    )


@transaction.atomic
def add_buyer(
    opportunity: Opportunity,
    *,
    actor: User | None,
    contact: Contact,
    buying_role: str,
    buying_step: str,
    note: str = "",
) -> BuyerTeamMember:
    _require_edit(actor, opportunity)
    errors: dict[str, list[str]] = {}
    if contact.account_id != opportunity.account_id:
        errors["contact"] = [_("The contact works at another account.")]
    if buying_role not in BuyerRole.values:
        errors["buying_role"] = [_("Choose a buying role.")]
    if errors:
        raise ValidationError(errors)
    if BuyerTeamMember.objects.filter(
        opportunity=opportunity, contact=contact, buying_role=buying_role, buying_step=buying_step
    ).exists():
        raise ValidationError({"contact": [_("Already listed in this role and step.")]})
    return create_record(
        BuyerTeamMember,
        actor=actor,
        opportunity=opportunity,
        contact=contact,
        buying_role=buying_role,
        buying_step=buying_step,
        note=(note or "")[:200],
    )


@transaction.atomic
def remove_team_entry(entry: DealTeamMember | BuyerTeamMember, *, actor: User | None) -> None:
    _require_edit(actor, entry.opportunity)
    log_change(actor=actor, action=ChangeLog.Action.DELETE, instance=entry, before=snapshot(entry))
    entry.delete()


# --- requests ------------------------------------------------------------------------------------------


@transaction.atomic
def create_team_request(
    opportunity: Opportunity,
    *,
    actor: User,
    assignee: User,
    subject: str,
    due_date: dt.date | None,
    customer_deadline: dt.date | None,
    pain_point: str = "",
    meeting_goal: str = "",
    details: str = "",
    asked_on: dt.date | None = None,
) -> TeamRequest:
    """Ask a colleague for help on a deal. Late when asked after the last on-time day (N working days
    before the customer's deadline). The request becomes a task on the assignee's list and a feed item."""
    _require_edit(actor, opportunity)
    asked_on = asked_on or timezone.localdate()
    subject = (subject or "").strip()
    errors: dict[str, list[str]] = {}
    if not subject:
        errors["subject"] = [_("Say what you are asking for.")]
    if due_date is None:
        errors["due_date"] = [_("A request needs a due date.")]
    if customer_deadline is None:
        errors["customer_deadline"] = [_("Give the customer's deadline.")]
    if due_date and customer_deadline and due_date > customer_deadline:
        errors["due_date"] = [_("The due date is after the customer's deadline.")]
    if due_date and due_date < asked_on:
        errors["due_date"] = [_("The due date is in the past.")]
    if not assignee.is_active:
        errors["assignee"] = [_("This user is not active.")]
    if errors:
        raise ValidationError(errors)
    assert due_date is not None and customer_deadline is not None
    lead = workdays.lead_days()
    latest = workdays.latest_on_time(customer_deadline, lead)
    request = create_record(
        TeamRequest,
        actor=actor,
        opportunity=opportunity,
        requester=actor,
        assignee=assignee,
        subject=subject[:200],
        pain_point=pain_point,
        meeting_goal=meeting_goal,
        details=details,
        due_date=due_date,
        customer_deadline=customer_deadline,
        asked_on=asked_on,
        lead_days=lead,
        latest_on_time=latest,
        is_late=asked_on > latest,
    )
    # The assignee's task and the deal's feed: the activities app makes it and stores it on the request.
    body = "\n\n".join(
        part
        for part in (
            _("Customer's pain point: %(text)s") % {"text": pain_point} if pain_point else "",
            _("Goal of the meeting: %(text)s") % {"text": meeting_goal} if meeting_goal else "",
            details,
            _("Customer's deadline: %(date)s") % {"date": customer_deadline.isoformat()},
            _("Asked late: less than %(days)s working days before the deadline.") % {"days": lead}
            if request.is_late
            else "",
        )
        if part
    )
    due_at = timezone.make_aware(dt.datetime.combine(due_date, dt.time(18, 0)))
    events.request_asked.emit(
        events.RequestAsked(request, opportunity, actor, assignee, subject[:200], body, due_at)
    )
    return request


def late_request_counts(requests: QuerySet[TeamRequest]) -> list[dict[str, Any]]:
    """Per requester: how many requests they made and how many of them late."""
    rows: Any = (
        requests.order_by()
        .values("requester_id", "requester__username", "requester__display_name")
        .annotate(total=Count("id"), late=Count("id", filter=Q(is_late=True)))
        .order_by("-late", "requester__username")
    )
    return list(rows)
