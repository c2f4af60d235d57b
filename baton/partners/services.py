"""Every write of the channel: partners and their people, partners on opportunities, and the deal
registration's life (submit with the conflict check, approve into a protected opportunity, reject with
a reason, expire). Each is atomic and audited; the stage, next step and close date of a deal are
changed through deals' own services (partners call them from the portal)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.accounts.models import Account
from baton.accounts.services import create_account
from baton.core import events
from baton.core.audit import diff, log_change, snapshot
from baton.core.models import ChangeLog, Role, User
from baton.core.records import can_edit
from baton.core.services import ServiceError
from baton.deals.models import Opportunity, ProductFamily
from baton.deals.services import create_opportunity
from baton.leads.models import Lead, LeadSource
from baton.leads.services import create_lead
from baton.partners import conflicts, rules
from baton.partners.access import partner_of
from baton.partners.models import Member, OpportunityPartner, Partner, PartnerKind, Registration

REGISTRATION_FIELDS = (
    "customer",
    "brn",
    "website",
    "contact_name",
    "contact_email",
    "contact_phone",
    "product_interest",
    "amount",
    "close_date",
    "evidence",
)


def _create(model: Any, *, actor: User | None, parent: Any = None, **values: Any) -> Any:
    instance = model(**values)
    instance.full_clean()
    instance.save(force_insert=True)
    log_change(
        actor=actor,
        action=ChangeLog.Action.CREATE,
        instance=instance,
        after=snapshot(instance),
        parent=parent,
    )
    return instance


@transaction.atomic
def create_partner(
    *,
    actor: User | None,
    account: Account,
    tier: str,
    manager: User | None = None,
    product_families: list[ProductFamily] | None = None,
    industries: list[str] | None = None,
    regions: list[str] | None = None,
) -> Partner:
    partner = _create(
        Partner,
        actor=actor,
        account=account,
        tier=tier,
        manager=manager,
        industries=list(industries or []),
        regions=list(regions or []),
    )
    if product_families:
        partner.product_families.set(product_families)
    return partner


#: What the channel team edits of a partner and of an agreement (the account itself is edited on its page).
PARTNER_FIELDS = ("tier", "manager", "industries", "regions", "is_active")
AGREEMENT_FIELDS = (
    "kind",
    "product_family",
    "discount_pct",
    "margin_pct",
    "payment_terms_days",
    "starts_on",
    "ends_on",
)


def _update(instance: Any, *, actor: User | None, changes: dict[str, Any], fields: tuple[str, ...]) -> Any:
    """Set ``changes`` (only ``fields``), validate, save and audit what differs."""
    unknown = set(changes) - set(fields)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    names = [name for name in fields if name in changes]
    before = snapshot(instance, names)
    for name in names:
        setattr(instance, name, changes[name])
    instance.full_clean()
    _check_dates(instance)
    instance.save()
    old, new = diff(before, snapshot(instance, names))
    if new:
        log_change(actor=actor, action=ChangeLog.Action.UPDATE, instance=instance, before=old, after=new)
    return instance


def _check_dates(instance: Any) -> None:
    ends, starts = getattr(instance, "ends_on", None), getattr(instance, "starts_on", None)
    if ends is not None and starts is not None and ends < starts:
        raise ValidationError({"ends_on": [_("The end is before the start.")]})


@transaction.atomic
def update_partner(
    partner: Partner,
    *,
    actor: User | None,
    changes: dict[str, Any],
    product_families: list[ProductFamily] | None = None,
) -> Partner:
    """Change a partner's tier, manager, specialisations or whether it is active (audited)."""
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    partner = _update(partner, actor=actor, changes=changes, fields=PARTNER_FIELDS)
    if product_families is not None:
        old = sorted(partner.product_families.values_list("pk", flat=True))
        new = sorted(f.pk for f in product_families)
        if old != new:
            partner.product_families.set(product_families)
            log_change(
                actor=actor,
                action=ChangeLog.Action.UPDATE,
                instance=partner,
                before={"product_families": old},
                after={"product_families": new},
            )
    return partner


@transaction.atomic
def update_agreement(agreement: Any, *, actor: User | None, changes: dict[str, Any]) -> Any:
    agreement = type(agreement).objects.select_for_update().get(pk=agreement.pk)
    return _update(agreement, actor=actor, changes=changes, fields=AGREEMENT_FIELDS)


@transaction.atomic
def add_member(partner: Partner, user: User, *, actor: User | None) -> Member:
    """Make ``user`` a partner user of ``partner`` (their role becomes ``partner``: the portal only)."""
    if user.is_superuser:
        raise ValidationError({"user": [_("An administrator cannot be a partner user.")]})
    if user.role != Role.PARTNER:
        before = {"role": user.role}
        user.role = Role.PARTNER
        user.save(update_fields=["role"])
        log_change(
            actor=actor,
            action=ChangeLog.Action.UPDATE,
            instance=user,
            before=before,
            after={"role": user.role},
        )
    return _create(Member, actor=actor, user=user, partner=partner)


@transaction.atomic
def add_certification(partner: Partner, *, actor: User | None, **values: Any) -> Any:
    return _create(partner.certifications.model, actor=actor, partner=partner, **values)


@transaction.atomic
def add_agreement(partner: Partner, *, actor: User | None, **values: Any) -> Any:
    unknown = set(values) - set(AGREEMENT_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    agreement = partner.agreements.model(partner=partner, **values)
    agreement.full_clean()
    _check_dates(agreement)
    return _create(partner.agreements.model, actor=actor, partner=partner, **values)


@transaction.atomic
def link_partner(
    opportunity: Opportunity,
    partner: Partner,
    *,
    actor: User | None,
    role: str,
    sourced: bool = False,
    influenced: bool = False,
    contact_name: str = "",
    registration: Registration | None = None,
) -> OpportunityPartner:
    """Put a partner on an opportunity (whoever may edit the deal)."""
    if actor is not None and not can_edit(actor, opportunity):
        raise PermissionDenied(_("You may read this record but not change it."))
    return _link(
        opportunity,
        partner,
        actor=actor,
        role=role,
        sourced=sourced,
        influenced=influenced,
        contact_name=contact_name,
        registration=registration,
    )


def _link(
    opportunity: Opportunity,
    partner: Partner,
    *,
    actor: User | None,
    role: str,
    sourced: bool,
    influenced: bool,
    contact_name: str,
    registration: Registration | None,
) -> OpportunityPartner:
    if OpportunityPartner.objects.filter(opportunity=opportunity, partner=partner).exists():
        raise ValidationError({"partner": [_("This partner is already on the opportunity.")]})
    if sourced and OpportunityPartner.objects.filter(opportunity=opportunity, sourced=True).exists():
        raise ValidationError({"sourced": [_("Another partner already sourced this opportunity.")]})
    return _create(
        OpportunityPartner,
        actor=actor,
        opportunity=opportunity,
        partner=partner,
        role=role,
        sourced=sourced,
        influenced=influenced,
        contact_name=contact_name,
        registration=registration,
    )


def _clean_amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": [_("Enter a number.")]}) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({"amount": [_("Enter an amount above zero.")]})
    return amount


@transaction.atomic
def submit_registration(*, actor: User, today: dt.date | None = None, **values: Any) -> Registration:
    """A partner user registers a deal for their organisation; the conflict check runs and is stored."""
    partner = partner_of(actor)
    if partner is None or not partner.is_active:
        raise PermissionDenied(_("Only a partner user registers deals."))
    unknown = set(values) - set(REGISTRATION_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    values["amount"] = _clean_amount(values.get("amount"))
    close_date = values.get("close_date")
    if isinstance(close_date, dt.date) and close_date < (today or timezone.localdate()):
        raise ValidationError({"close_date": [_("The close date is in the past.")]})
    key, brn, domain = conflicts.customer_keys(
        values.get("customer", ""),
        values.get("brn", ""),
        values.get("website", ""),
        values.get("contact_email", ""),
    )
    if values.get("brn") and not brn:
        raise ValidationError({"brn": [_("Not a valid business registration number.")]})
    reg = Registration(partner=partner, submitted_by=actor, customer_key=key, domain=domain, **values)
    reg.brn = brn
    reg.full_clean()
    reg.conflicts = conflicts.find_conflicts(reg, today)
    reg.save(force_insert=True)
    log_change(actor=actor, action=ChangeLog.Action.CREATE, instance=reg, after=snapshot(reg))
    return reg


def _decidable(reg: Registration) -> None:
    if reg.status != Registration.Status.SUBMITTED:
        raise ServiceError(_("This registration has been decided already."))


@transaction.atomic
def approve_registration(
    reg: Registration,
    *,
    actor: User,
    owner: User | None = None,
    account: Account | None = None,
    into: str = "opportunity",
    today: dt.date | None = None,
) -> Registration:
    """Approve: the registration protects the customer until its expiry and becomes an opportunity
    (``into="opportunity"``), owned by ``owner`` (the rep; the approver by default), on ``account`` (a
    matching account the manager chose, else a new one), with the partner stamped as its source; or a
    lead (``into="lead"``: not qualified yet) of source "partner", owned by ``owner``, that the
    registration points at."""
    if into not in APPROVE_INTO:
        raise ValidationError({"into": [_("Choose a lead or an opportunity.")]})
    reg = Registration.objects.select_for_update().select_related("partner__account").get(pk=reg.pk)
    _decidable(reg)
    if not rules.may_approve(actor, reg):
        raise PermissionDenied(_("This amount needs a sales manager's approval for the partner's tier."))
    today = today or timezone.localdate()
    key, brn, domain = conflicts.customer_keys(reg.customer, reg.brn, reg.website, reg.contact_email)
    protected = (
        conflicts.active_registrations(today)
        .filter(status=Registration.Status.APPROVED)
        .exclude(partner_id=reg.partner_id)
        .filter(conflicts.same_customer(key, brn, domain))
        .select_related("partner__account")
        .first()
    )
    if protected is not None:
        raise ServiceError(
            _("%(partner)s holds an approved registration of this customer until %(date)s.")
            % {"partner": protected.partner.account.name, "date": protected.expires_on}
        )
    owner = owner or actor
    before = {"status": reg.status}
    reg.status = Registration.Status.APPROVED
    reg.decided_by = actor
    reg.decided_at = timezone.now()
    reg.expires_on = rules.protection_until(reg.partner, today)
    if into == "lead":
        reg.lead = _lead_from(reg, actor=actor, owner=owner)
        reg.save(update_fields=["status", "decided_by", "decided_at", "expires_on", "lead"])
        made = {"lead": reg.lead.pk}
    else:
        reg.opportunity = _opportunity_from(reg, actor=actor, owner=owner, account=account)
        reg.save(update_fields=["status", "decided_by", "decided_at", "expires_on", "opportunity"])
        made = {"opportunity": reg.opportunity.pk}
    log_change(
        actor=actor,
        action=ChangeLog.Action.UPDATE,
        instance=reg,
        before=before,
        after={"status": reg.status, "expires_on": reg.expires_on.isoformat(), **made},
    )
    return reg


#: What an approved registration becomes.
APPROVE_INTO = ("opportunity", "lead")


def _lead_from(reg: Registration, *, actor: User, owner: User) -> Lead:
    """The lead of a registration approved into a lead: source "partner", the evidence as its
    description (the partner and the registration are named there and on the registration)."""
    description = _("Registered by %(partner)s: %(interest)s") % {
        "partner": reg.partner.account.name,
        "interest": reg.product_interest,
    }
    return create_lead(
        actor=actor,
        owner=owner,
        name=reg.contact_name,
        company=reg.customer,
        email=reg.contact_email,
        brn=reg.brn,
        website=reg.website,
        source=LeadSource.PARTNER,
        description=f"{description}\n\n{reg.evidence}",
    )


def _opportunity_from(reg: Registration, *, actor: User, owner: User, account: Account | None) -> Opportunity:
    if account is None:
        account = create_account(
            actor=actor, owner=owner, name=reg.customer, brn=reg.brn, website=reg.website
        )
    opportunity = create_opportunity(
        actor=actor,
        owner=owner,
        account=account,
        name=f"{reg.customer} · {reg.product_interest}"[:200],
        amount=reg.amount,
        expected_close_date=reg.close_date,
        description=reg.evidence,
    )
    _link(
        opportunity,
        reg.partner,
        actor=actor,
        influenced=False,
        role=PartnerKind.RESELLER,
        sourced=True,
        contact_name=reg.submitted_by.display_name if reg.submitted_by else "",
        registration=reg,
    )
    return opportunity


def stamp_converted_lead(event: events.LeadConversion) -> None:
    """Subscriber of ``lead_converted`` (inside the conversion's transaction): a lead made from an
    approved registration became an opportunity, so the opportunity is the registration's, stamped with
    its partner as the source (the same link an approval into an opportunity makes), and the
    registration points at it: its protection period (``expires_on``) now covers the deal. A
    registration whose period already ended still names the partner as the source."""
    opportunity = event.opportunity
    if opportunity is None:
        return
    # Lock only the registration: PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
    reg = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("partner__account", "submitted_by")
        .filter(
            lead_id=event.lead.pk,
            opportunity__isnull=True,
            status__in=[Registration.Status.APPROVED, Registration.Status.EXPIRED],
        )
        .order_by("-decided_at", "-id")
        .first()
    )
    if reg is None:
        return
    if not OpportunityPartner.objects.filter(opportunity=opportunity, partner=reg.partner).exists():
        _link(
            opportunity,
            reg.partner,
            actor=event.actor,
            role=PartnerKind.RESELLER,
            sourced=not OpportunityPartner.objects.filter(opportunity=opportunity, sourced=True).exists(),
            influenced=False,
            contact_name=reg.submitted_by.display_name if reg.submitted_by else "",
            registration=reg,
        )
    reg.opportunity = opportunity
    reg.save(update_fields=["opportunity"])
    log_change(
        actor=event.actor,
        action=ChangeLog.Action.UPDATE,
        instance=reg,
        before={"opportunity": None},
        after={"opportunity": opportunity.pk},
    )


@transaction.atomic
def reject_registration(reg: Registration, *, actor: User, reason: str) -> Registration:
    """Reject with a reason the partner reads."""
    reg = Registration.objects.select_for_update().select_related("partner").get(pk=reg.pk)
    _decidable(reg)
    if not (actor.is_admin or actor.role in (Role.PARTNER_MANAGER, Role.SALES_MANAGER)):
        raise PermissionDenied(_("Only the channel team decides registrations."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why, for the partner.")]})
    if len(reason) > 300:
        raise ValidationError({"reason": [_("At most 300 characters.")]})
    before = {"status": reg.status}
    reg.status = Registration.Status.REJECTED
    reg.decided_by = actor
    reg.decided_at = timezone.now()
    reg.reason = reason
    reg.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    log_change(
        actor=actor,
        action=ChangeLog.Action.UPDATE,
        instance=reg,
        before=before,
        after={"status": reg.status, "reason": reason},
    )
    return reg


@transaction.atomic
def expire_registrations(*, today: dt.date | None = None) -> int:
    """Approved registrations past their protection period become expired (audited, one row each)."""
    today = today or timezone.localdate()
    due = list(
        Registration.objects.select_for_update().filter(
            status=Registration.Status.APPROVED, expires_on__lt=today
        )
    )
    for reg in due:
        reg.status = Registration.Status.EXPIRED
        reg.save(update_fields=["status"])
        log_change(
            actor=None,
            action=ChangeLog.Action.UPDATE,
            instance=reg,
            before={"status": Registration.Status.APPROVED},
            after={"status": reg.status},
        )
    return len(due)
