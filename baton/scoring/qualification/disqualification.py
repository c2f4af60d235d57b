"""Disqualification: the admin-edited list of reasons, disqualifying a lead (with a note, a recycle
date and the process app's recycling into nurture), and the letter that tells the customer why not now."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from baton.core.audit import log_change, snapshot
from baton.core.models import ChangeLog, User
from baton.core.services import ServiceError, create_record, update_record
from baton.core.vocabulary import refuse_duplicate_name, stripped_names
from baton.deals.models import UNKNOWN_IMPORTED
from baton.leads.models import Lead, LeadStatus
from baton.leads.services import update_lead
from baton.process.services import recycle_record
from baton.scoring.access import require_admin, require_edit
from baton.scoring.models import Disqualification, DisqualifyReason

# What the customer reads when a gap is why we stop now (drafted into the disqualification note).
GAP_SENTENCES: dict[str, Any] = {
    "budget": gettext_lazy("There is no budget set aside for this yet."),
    "authority": gettext_lazy("The people who would decide have not been part of the conversation yet."),
    "need": gettext_lazy("We have not found a need that our product would clearly meet."),
    "timeframe": gettext_lazy("There is no timeframe in which a change is planned."),
    "business_issue": gettext_lazy("We have not identified a business issue this would address."),
    "recognised_problem": gettext_lazy(
        "The problem behind it is not yet seen as a problem inside your organisation."
    ),
    "solution_fit": gettext_lazy("We are not sure our solution fits how you work today."),
    "expected_effect": gettext_lazy("We could not yet show an effect that would justify the change."),
}


@transaction.atomic
def save_disqualify_reason(
    reason: DisqualifyReason | None, *, actor: User | None, values: dict[str, Any]
) -> DisqualifyReason:
    """Add, rename or archive a disqualification reason (administrators; audited). A name another
    reason has already (either language, archived too) is refused."""
    require_admin(actor)
    values = stripped_names({k: v for k, v in values.items() if k != "code"})
    name = (values.get("name") if "name" in values else reason.name if reason else "") or ""
    if not str(name).strip():
        raise ValidationError({"name": [_("Name the reason.")]})
    refuse_duplicate_name(DisqualifyReason, reason.pk if reason else None, values)
    if reason is None:
        return create_record(DisqualifyReason, actor=actor, **values)
    return update_record(reason, actor=actor, changes=values)


@transaction.atomic
def unknown_imported_disqualify_reason(*, actor: User | None) -> DisqualifyReason:
    """The reason an import gives a disqualified lead whose file names none, found by its code (an
    administrator may rename or archive it); made once, audited, the first time an import needs it."""
    reason = DisqualifyReason.objects.filter(code=UNKNOWN_IMPORTED).first()
    if reason is not None:
        return reason
    return create_record(
        DisqualifyReason,
        actor=actor,
        code=UNKNOWN_IMPORTED,
        name="알 수 없음(가져옴)",
        name_en="Unknown (imported)",
        sequence=999,
    )


@transaction.atomic
def record_imported_disqualification(
    lead: Lead, *, actor: User | None, reason: DisqualifyReason, at: dt.datetime
) -> Disqualification:
    """An imported lead that the old system had disqualified: the reason is kept as a disqualification
    row as of ``at`` (no recycling, no letter: that happened, or not, in the old system). Audited."""
    row = Disqualification.objects.create(
        lead=lead,
        reason=reason,
        recycle_on=timezone.localdate(at) + dt.timedelta(days=reason.recycle_days),
        disqualified_by=actor if actor is not None and actor.pk else None,
        disqualified_at=at,
    )
    log_change(actor=actor, action=ChangeLog.Action.CREATE, instance=row, after=snapshot(row))
    return row


@transaction.atomic
def disqualify_lead(
    lead: Lead,
    *,
    actor: User | None,
    reason: DisqualifyReason,
    note: str = "",
    recycle_on: dt.date | None = None,
    explanation: str = "",
) -> Disqualification:
    """Disqualify with a listed reason, a note and a recycle date; the lead goes back to nurture then."""
    require_edit(actor, lead)
    if reason.is_archived:
        raise ValidationError({"reason": [_("This reason is archived.")]})
    if lead.is_converted:
        raise ServiceError(_("A converted lead cannot be disqualified."))
    today = timezone.localdate()
    recycle_on = recycle_on or today + dt.timedelta(days=reason.recycle_days)
    if recycle_on <= today:
        raise ValidationError({"recycle_on": [_("Choose a recycle date in the future.")]})
    note = (note or "").strip()
    # The process app recycles the lead into nurture on our date (when a design is set up); otherwise
    # its own hook does it with the default follow-up when the status changes below.
    try:
        with transaction.atomic():
            recycle_record(
                lead,
                actor=actor,
                reason=f"{reason}: {note}"[:300] if note else str(reason),
                follow_up_on=recycle_on,
            )
    except (ValidationError, ServiceError, PermissionDenied):
        pass
    row = Disqualification.objects.create(
        lead=lead,
        reason=reason,
        note=note[:500],
        recycle_on=recycle_on,
        explanation=explanation,
        disqualified_by=actor if actor is not None and actor.pk else None,
        disqualified_at=timezone.now(),
    )
    log_change(actor=actor, action=ChangeLog.Action.CREATE, instance=row, after=snapshot(row))
    text = str(reason) + (f" — {note}" if note else "")
    update_lead(
        lead,
        actor=actor,
        changes={"status": LeadStatus.DISQUALIFIED, "disqualify_reason": text[:200]},
        expected_version=None,
    )
    return row


def draft_explanation(gaps: list[str], *, language: str, recycle_on: dt.date | None, name: str = "") -> str:
    """A customer-facing note drafted from the qualification gaps (seed 004: say clearly why not now)."""
    with translation.override(language):
        lines = [_("Dear %(name)s,") % {"name": name} if name else _("Hello,"), ""]
        lines.append(
            _(
                "Thank you for the time you gave us. From what we learned together, we do not think "
                "going ahead now would serve you well, for these reasons:"
            )
        )
        for item in gaps:
            sentence = GAP_SENTENCES.get(item)
            if sentence:
                lines.append(f"- {sentence}")
        lines.append("")
        if recycle_on:
            lines.append(
                _("We will check in again around %(date)s. If anything changes before then, just tell us.")
                % {"date": recycle_on.isoformat()}
            )
        lines.append(_("The decision is yours, and whatever you decide is the right call for you."))
        return "\n".join(str(line) for line in lines)
