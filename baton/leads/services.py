"""Every write to leads and campaigns, and the lead conversion."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.accounts.duplicates import (
    Match,
    describe_matches,
    duplicate_guard,
    find_account_matches,
    find_contact_matches,
)
from baton.accounts.models import Account, Contact
from baton.accounts.services import create_account, create_contact, update_contact
from baton.core import events
from baton.core.audit import log_change, snapshot
from baton.core.models import ChangeLog, User
from baton.core.services import (
    DuplicateError,
    ServiceError,
    check_version,
    create_record,
    full_clean_known_relations,
    update_record,
)
from baton.deals.models import Opportunity, Stage
from baton.deals.services import create_opportunity
from baton.leads.duplicates import lead_duplicates
from baton.leads.models import Campaign, Lead, LeadInteraction, LeadStatus


@transaction.atomic
def create_campaign(*, actor: User | None, **values: Any) -> Campaign:
    values.setdefault("owner", actor)
    return create_record(Campaign, actor=actor, **values)


@transaction.atomic
def update_campaign(
    campaign: Campaign, *, actor: User | None, changes: dict[str, Any], expected_version: int | None
) -> Campaign:
    return update_record(campaign, actor=actor, changes=changes, expected_version=expected_version)


def _lead_changed(
    lead: Lead, actor: User | None, at: dt.datetime | None = None, *, created: bool = False
) -> None:
    """Announce a lead write to the apps above (the process places, recycles or advances the lead;
    scoring rescores it; webhooks tell the outside), inside this transaction, as of ``at`` (None: now)."""
    events.lead_changed.emit(events.LeadChange(lead, actor, at, created))


@transaction.atomic
def create_lead(
    *, actor: User | None, allow_duplicate: bool | None = None, at: dt.datetime | None = None, **values: Any
) -> Lead:
    """``allow_duplicate``: None skips the duplicate check (web-to-lead, imports, the demo); a
    person's create passes False (DuplicateError when the e-mail, phone or name and company match
    an open lead or a contact) or True once they confirmed."""
    values.setdefault("owner", actor)
    if values.get("status") == LeadStatus.CONVERTED:
        raise ValidationError({"status": [_("A lead becomes converted only through conversion.")]})
    check = duplicate_guard(lead_duplicates, actor, allow_duplicate)
    lead = create_record(Lead, actor=actor, check=check, **values)
    _lead_changed(lead, actor, at, created=True)  # place the lead in The Model
    return lead


@transaction.atomic
def update_lead(
    lead: Lead,
    *,
    actor: User | None,
    changes: dict[str, Any],
    expected_version: int | None,
    at: dt.datetime | None = None,
) -> Lead:
    if lead.is_converted:
        raise ServiceError(
            _("A converted lead is read-only; edit the account, contact or opportunity instead.")
        )
    if changes.get("status") == LeadStatus.CONVERTED:
        raise ValidationError({"status": [_("A lead becomes converted only through conversion.")]})
    if changes.get("status") == LeadStatus.DISQUALIFIED and not (
        changes.get("disqualify_reason") or lead.disqualify_reason
    ):
        raise ValidationError({"disqualify_reason": [_("Say why the lead is disqualified.")]})
    lead = update_record(lead, actor=actor, changes=changes, expected_version=expected_version)
    events.record_changed.emit(events.RecordChange(lead))  # followers are told after the commit
    _lead_changed(lead, actor, at)  # recycle or advance the lead
    return lead


def note_first_touch(lead: Lead, at: dt.datetime) -> None:
    """A sales touch at ``at`` happened: it becomes the lead's first touch if it is the earliest (one
    UPDATE that only moves the time back). Removing or undoing a touch goes through
    ``baton.activities.touches.refresh_first_touch``, which recomputes it from every touch."""
    Lead.objects.filter(pk=lead.pk).filter(Q(first_touch_at__isnull=True) | Q(first_touch_at__gt=at)).update(
        first_touch_at=at
    )
    if lead.first_touch_at is None or lead.first_touch_at > at:
        lead.first_touch_at = at


@transaction.atomic
def log_interaction(
    lead: Lead,
    *,
    actor: User | None,
    kind: str,
    occurred_at: dt.datetime | None = None,
    note: str = "",
    campaign: Campaign | None = None,
    at: dt.datetime | None = None,
) -> LeadInteraction:
    interaction = LeadInteraction(
        lead=lead,
        kind=kind,
        occurred_at=occurred_at or timezone.now(),
        note=note,
        campaign=campaign,
        actor=actor,
    )
    full_clean_known_relations(interaction)  # the lead and the actor are loaded: no query for them
    interaction.save()
    if actor is not None and kind in LeadInteraction.SALES_TOUCHES:
        note_first_touch(lead, interaction.occurred_at)
    log_change(actor=actor, action=ChangeLog.Action.CREATE, instance=interaction, after=snapshot(interaction))
    _lead_changed(lead, actor, at)  # new facts may meet criteria
    return interaction


def conversion_matches(lead: Lead, user: User | None) -> tuple[list[Match], list[Match]]:
    """Existing accounts and contacts the user may see that the lead may duplicate, strongest first
    (the conversion screen preselects the first of each; the API refuses to ignore them silently)."""
    account_matches = find_account_matches(
        name=lead.company,
        brn=lead.brn,
        website=lead.website,
        email=lead.email,
        queryset=Account.objects.visible_to(user),
    )
    contact_matches = find_contact_matches(
        email=lead.email,
        name=lead.name,
        phone=lead.phone,
        account_ids=[m.record.pk for m in account_matches],
        queryset=Contact.objects.visible_to(user),
    )
    return account_matches, contact_matches


@transaction.atomic
def convert_lead(
    lead: Lead,
    *,
    actor: User | None,
    expected_version: int | None = None,
    account: Account | None = None,
    contact: Contact | None = None,
    create_opportunity_too: bool = True,
    opportunity_name: str = "",
    amount: Decimal | int | None = None,
    currency: str = "KRW",
    expected_close_date: dt.date | None = None,
    stage: Stage | None = None,
    owner: User | None = None,
    allow_duplicate: bool | None = None,
    at: dt.datetime | None = None,
) -> tuple[Account, Contact, Opportunity | None]:
    """Turn a qualified lead into an account, a contact and (optionally) an opportunity, all or nothing.

    ``account``/``contact`` attach to existing records the caller chose from the duplicate matches
    (already permission-checked); otherwise new ones are created from the lead's fields. Creating
    new ones while the actor can see matching records: ``allow_duplicate`` False refuses
    (DuplicateError with the matches), True records the passed-over matches in the conversion's
    audit row, None (system callers) does neither.
    """
    # Lock the row so two people converting at once cannot both succeed.
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    if locked.converted_at is not None:
        raise ServiceError(_("This lead was already converted."))
    if locked.status == LeadStatus.DISQUALIFIED:
        raise ServiceError(_("A disqualified lead cannot be converted; requalify it first."))
    check_version(locked, expected_version)
    owner = owner or locked.owner or actor
    if contact is not None and account is not None and contact.account_id not in (None, account.pk):
        raise ValidationError({"contact": [_("The chosen contact works at another account.")]})
    if contact is not None and account is None and contact.account_id is not None:
        account = contact.account
    passed_over: dict[str, list[int]] = {}
    if allow_duplicate is not None and (account is None or contact is None):
        account_matches, contact_matches = conversion_matches(locked, actor)
        skipped = {
            "account": account_matches if account is None else [],
            "contact": contact_matches if contact is None else [],
        }
        if any(skipped.values()) and not allow_duplicate:
            raise DuplicateError(describe_matches(skipped["account"] + skipped["contact"], actor))
        passed_over = {kind: [m.record.pk for m in found] for kind, found in skipped.items() if found}

    if account is None:
        if not locked.company:
            raise ValidationError({"company": [_("The lead has no company name to create an account from.")]})
        account = create_account(
            actor=actor,
            name=locked.company,
            brn=locked.brn,
            website=locked.website,
            industry=locked.industry,
            region=locked.region,
            size=locked.size,
            phone=locked.phone if not locked.email else "",
            owner=owner,
        )
    if contact is None:
        contact = create_contact(
            actor=actor,
            account=account,
            name=locked.name,
            title=locked.title,
            email=locked.email,
            phone=locked.phone,
            owner=owner,
        )
    elif contact.account_id is None:
        contact = update_contact(contact, actor=actor, changes={"account": account}, expected_version=None)

    opportunity = None
    if create_opportunity_too:
        values: dict[str, Any] = {
            "name": (opportunity_name or "").strip() or f"{account.name} - {locked.name}",
            "account": account,
            "primary_contact": contact,
            "amount": Decimal(amount or 0),
            "currency": currency,
            "expected_close_date": expected_close_date,
            "owner": owner,
        }
        if stage is not None:
            values["stage"] = stage
        opportunity = create_opportunity(actor=actor, at=at, **values)

    before = {"status": locked.status}
    locked.status = LeadStatus.CONVERTED
    locked.converted_at = at or timezone.now()
    locked.converted_account = account
    locked.converted_contact = contact
    locked.converted_opportunity = opportunity
    locked.version += 1
    locked.save(
        update_fields=[
            "status",
            "converted_at",
            "converted_account",
            "converted_contact",
            "converted_opportunity",
            "version",
            "updated_at",
        ]
    )
    conversion = log_change(
        actor=actor,
        action=ChangeLog.Action.CONVERT,
        instance=locked,
        before=before,
        after={
            "status": locked.status,
            "converted_account_id": account.pk,
            "converted_contact_id": contact.pk,
            "converted_opportunity_id": opportunity.pk if opportunity else None,
            **{f"new_despite_{kind}_matches": ids for kind, ids in passed_over.items()},
        },
    )
    events.record_changed.emit(events.RecordChange(locked, conversion))  # followers: after the commit
    # The process continues the lead's flow on the opportunity (a subscriber in the process app).
    events.lead_converted.emit(events.LeadConversion(locked, opportunity, actor, at))
    lead.refresh_from_db()
    return account, contact, opportunity
