"""Passing leads to partners: the routing rules (``partners.routing``) pick a partner (or the shared
pool), the partner accepts or declines within the acceptance deadline, and an offer left unanswered past
it comes back to the pool (``return_lapsed``, run by the periodic worker task). Every write is atomic
and audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.core.audit import log_change, snapshot
from baton.core.models import ChangeLog, User
from baton.core.partner_fence import is_partner_user
from baton.core.records import can_edit
from baton.core.services import ServiceError
from baton.deals.models import ProductFamily
from baton.leads.models import Lead, LeadStatus
from baton.partners import routing
from baton.partners.access import partner_of
from baton.partners.models import LeadPass, Partner

#: Days a partner has to accept a lead offered to them.
ACCEPT_DAYS = 3
MAX_ACCEPT_DAYS = 30
FIELDS = ("partner", "status", "deadline", "passed_over", "reason", "accepted_at")


def route(
    lead: Lead, *, skip: list[int] | None = None, product_family: ProductFamily | None = None
) -> tuple[Partner | None, str]:
    """The channel team's routing rules in order, then the built-in routing (``partners.routing``)."""
    return routing.route(lead, skip=skip, product_family=product_family)


def _log(lp: LeadPass, actor: User | None, before: dict[str, Any] | None) -> None:
    after = snapshot(lp, FIELDS)
    log_change(
        actor=actor,
        action=ChangeLog.Action.CREATE if before is None else ChangeLog.Action.UPDATE,
        instance=lp,
        before=before,
        after=after,
    )


@transaction.atomic
def pass_lead(
    lead: Lead,
    *,
    actor: User,
    to: str = "rules",
    partner: Partner | None = None,
    days: int = ACCEPT_DAYS,
    product_family: ProductFamily | None = None,
    now: dt.datetime | None = None,
) -> LeadPass:
    """Pass ``lead`` to the channel: ``to="rules"`` (the routing rules choose a partner, else the
    pool; ``product_family`` is what the lead is about, for the rules that ask), ``"partner"`` (offer
    it to ``partner``) or ``"pool"``. Whoever may edit the lead may."""
    if is_partner_user(actor) or not can_edit(actor, lead):
        raise PermissionDenied(_("You may read this record but not change it."))
    if to not in ("rules", "partner", "pool"):
        raise ValidationError({"to": [_("Choose the rules, a partner or the pool.")]})
    if lead.status in (LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED):
        raise ServiceError(_("A converted or disqualified lead cannot be passed."))
    if not 1 <= days <= MAX_ACCEPT_DAYS:
        raise ValidationError({"days": [_("Between 1 and %(max)s days.") % {"max": MAX_ACCEPT_DAYS}]})
    now = now or timezone.now()
    lp = LeadPass.objects.select_for_update().filter(lead=lead).first()
    if lp is not None and lp.status == LeadPass.Status.ACCEPTED:
        raise ServiceError(_("%(partner)s accepted this lead already.") % {"partner": lp.partner})
    skip = list(lp.passed_over) if lp is not None else []
    if to == "partner":
        if partner is None or not partner.is_active:
            raise ValidationError({"partner": [_("Choose an active partner.")]})
        reason = _("Chosen by %(name)s.") % {"name": actor.display_name or actor.username}
    elif to == "rules":
        partner, reason = route(lead, skip=skip, product_family=product_family)
    else:
        partner, reason = None, _("Put in the pool.")
    before = snapshot(lp, FIELDS) if lp is not None else None
    lp = lp or LeadPass(lead=lead, passed_by=actor)
    lp.partner = partner
    lp.status = LeadPass.Status.OFFERED if partner is not None else LeadPass.Status.POOL
    lp.deadline = now + dt.timedelta(days=days) if partner is not None else None
    lp.reason = reason[:300]
    lp.passed_by = actor
    lp.save()
    _log(lp, actor, before)
    return lp


def _mine(lp: LeadPass, actor: User) -> tuple[LeadPass, Partner]:
    partner = partner_of(actor)
    if partner is None or not partner.is_active:
        raise PermissionDenied(_("Only a partner user answers a passed lead."))
    locked = LeadPass.objects.select_for_update().select_related("lead").get(pk=lp.pk)
    return locked, partner


@transaction.atomic
def accept(lp: LeadPass, *, actor: User, now: dt.datetime | None = None) -> LeadPass:
    """The partner takes the lead offered to them, before its deadline."""
    lp, partner = _mine(lp, actor)
    if lp.status != LeadPass.Status.OFFERED or lp.partner_id != partner.pk:
        raise ServiceError(_("This lead is not offered to you any more."))
    now = now or timezone.now()
    if lp.deadline is not None and lp.deadline < now:
        raise ServiceError(_("The offer lapsed at its deadline; the lead went back to the pool."))
    before = snapshot(lp, FIELDS)
    lp.status, lp.accepted_at = LeadPass.Status.ACCEPTED, now
    lp.save(update_fields=["status", "accepted_at"])
    _log(lp, actor, before)
    return lp


@transaction.atomic
def decline(lp: LeadPass, *, actor: User, reason: str = "") -> LeadPass:
    """The partner turns the offer down: the lead goes back to the pool (not shown to them again)."""
    lp, partner = _mine(lp, actor)
    if lp.status != LeadPass.Status.OFFERED or lp.partner_id != partner.pk:
        raise ServiceError(_("This lead is not offered to you any more."))
    _back_to_pool(
        lp, actor, _("Declined by %(partner)s: %(reason)s") % {"partner": partner, "reason": reason}
    )
    return lp


@transaction.atomic
def claim(lp: LeadPass, *, actor: User, now: dt.datetime | None = None) -> LeadPass:
    """The partner picks a lead from the pool: it is theirs (accepted) at once; the first claim wins."""
    lp, partner = _mine(lp, actor)
    if lp.status != LeadPass.Status.POOL or partner.pk in lp.passed_over:
        raise ServiceError(_("This lead is no longer in the pool."))
    before = snapshot(lp, FIELDS)
    lp.partner, lp.status, lp.accepted_at = partner, LeadPass.Status.ACCEPTED, now or timezone.now()
    lp.deadline = None
    lp.reason = _("Picked from the pool.")
    lp.save()
    _log(lp, actor, before)
    return lp


def _back_to_pool(lp: LeadPass, actor: User | None, reason: str) -> None:
    before = snapshot(lp, FIELDS)
    if lp.partner_id is not None and lp.partner_id not in lp.passed_over:
        lp.passed_over = [*lp.passed_over, lp.partner_id]
    lp.partner, lp.status, lp.deadline = None, LeadPass.Status.POOL, None
    lp.reason = reason[:300]
    lp.save()
    _log(lp, actor, before)


@transaction.atomic
def return_lapsed(*, now: dt.datetime | None = None) -> int:
    """Offers whose deadline passed unaccepted come back to the pool (each audited); the count."""
    now = now or timezone.now()
    # Lock only the pass rows: PostgreSQL refuses FOR UPDATE on the nullable side of an outer join
    # (the partner), so the partner is read per row.
    due = list(
        LeadPass.objects.select_for_update(skip_locked=True, of=("self",)).filter(
            status=LeadPass.Status.OFFERED, deadline__lt=now
        )
    )
    for lp in due:
        _back_to_pool(lp, None, _("Not accepted by %(partner)s in time.") % {"partner": lp.partner})
    return len(due)


def pool_for(partner: Partner, limit: int = 100) -> list[LeadPass]:
    """The pool as ``partner`` sees it (without the leads they declined or let lapse)."""
    rows = LeadPass.objects.filter(status=LeadPass.Status.POOL).select_related("lead").order_by("passed_at")
    return [lp for lp in rows[: limit * 2] if partner.pk not in lp.passed_over][:limit]


def passes_of(partner: Partner) -> list[LeadPass]:
    """The leads offered to or accepted by ``partner``."""
    return list(
        LeadPass.objects.filter(partner=partner).select_related("lead").order_by("status", "-passed_at")[:200]
    )
